"""The only module with SQL: one SQLite file (WAL), migrations, and the transactions the shell needs.

Theory of operation
-------------------
One aiosqlite connection per process. aiosqlite runs every call on one worker thread; each awaited call
costs a thread hand-off (0.12 ms here, more than a whole event's SQL). So a whole event is one plain function
run on that thread (`_run`): BEGIN IMMEDIATE, load the person, their session, their time-out, their couple
(partner, active contract, open proposal: one joined query) and whatever this one event needs besides (an
invite code looked up by its hash, a fresh random code, past time-outs for patterns); run the pure core; write
the session, the time-out, timers, outbox rows, pairing and contract rows; COMMIT; and then, still on the
thread, whatever the caller wants made of the result (the Dialogue renders its replies). Events that arrive
in the same turn of the event loop travel together, one hop for the lot, each in its own transaction: under
load the hop is shared instead of paid per event. Because the worker thread runs one function at a time,
transactions never interleave: that is the per-couple (indeed global) serialisation, with no lock to
forget. Write transactions use BEGIN IMMEDIATE, which takes the write lock up front and honours busy_timeout
(a deferred BEGIN that reads and then writes does not); with several processes on the file, that same lock
serialises their transactions too. Which process fires which timer and delivers which outbox row is in
"several processes on one file" below.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.codec import (
    dt,
    dump_contract,
    dump_payload,
    dump_session,
    load_contract,
    load_session,
    session_fields,
    ts,
)
from bot.core import contract, countries, couples, flow
from bot.core.effects import (
    CancelNotices,
    CancelTimer,
    CreateInvite,
    Decide,
    Effect,
    Export,
    Forget,
    JoinFailed,
    Msg,
    Notify,
    Pair,
    Propose,
    RecordOutcome,
    Release,
    Reply,
    SetProfile,
    StartTimer,
    Unpair,
)
from bot.core.events import CommandReceived, Event, TimerFired, TimerKind
from bot.core.model import (
    CountryFrom,
    Couple,
    Fact,
    Invite,
    Person,
    Plan,
    Proposal,
    Session,
    State,
    Timeout,
    TimeoutStatus,
)
from bot.core.parse import fold
from bot.ports import Recipient, UserRef

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_ACTIVE = ("running", "returning")
HISTORY = timedelta(days=90)
"""How far back /patterns looks."""
HISTORY_MAX = 1000
"""At most this many past time-outs are read for /patterns (the newest)."""
JOIN_FAILURES_KEPT = timedelta(days=1)
DECISIONS = ("accepted", "rejected", "withdrawn")


BATCH_MAX = 64
BUSY_TIMEOUT_MS = 5000
"""At most this many waiting events go to the thread in one hop (each is still its own transaction)."""


def _same(done: Handled) -> Handled:
    return done


class StoreError(Exception):
    """The database cannot be used (damaged, read-only, newer than this code). The message says why."""


class InUse(StoreError):
    """Another live process on the file holds what this one needs (a platform only one may serve, an older
    schema under an upgrade). The message names that process; nothing was changed."""


LEASE = timedelta(seconds=10)
"""How long a process counts as alive after its last heartbeat (wall clock). Its claims hold as long: a
killed process's outbox rows are taken over by another at most this long after it stopped beating."""
HEARTBEAT = LEASE / 4
EXCLUSIVE = frozenset({"telegram", "discord"})
"""Platforms only one process per file may serve: Telegram hands each update to a single poller (a second
one gets 409 Conflict), and a second Discord gateway session with the same token gets every event twice."""
_WHY_EXCLUSIVE = {
    "telegram": "Telegram gives each update to one poller only, so a second one would answer nobody or twice.",
    "discord": "a second Discord connection with the same token would get every interaction twice.",
}


@dataclass(frozen=True, slots=True)
class Holder:
    """A live process on the file, as it registered itself in `processes`."""

    id: str
    kind: str
    serves: frozenset[str]
    schema: int
    pid: int
    host: str
    started_at: int
    lease_until: int

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> Holder:
        pid, kind, serves, schema, os_pid, host, started, until = row
        return cls(pid, kind, frozenset(x for x in serves.split(",") if x), schema, os_pid, host, started, until)

    def describe(self) -> str:
        """"the Adempauze bot serving telegram (process 4242 on host "pi", started 2026-11-20 20:10 UTC)"."""
        serving = f" serving {', '.join(sorted(self.serves))}" if self.serves else ""
        started = datetime.fromtimestamp(self.started_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f'the Adempauze {self.kind}{serving} (process {self.pid} on host "{self.host}", started {started})'


_HOLDERS_SQL = (
    "SELECT id, kind, serves, schema, pid, host, started_at, lease_until FROM processes WHERE lease_until > ?"
)


def holders_sync(c: sqlite3.Connection, wall: float | None = None) -> list[Holder]:
    """The processes that say they have the file open and are alive (their lease has not run out)."""
    if c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'processes'").fetchone() is None:
        return []
    return [Holder.of(r) for r in c.execute(_HOLDERS_SQL, (int(time.time() if wall is None else wall),))]


@dataclass(frozen=True, slots=True)
class Defaults:
    locale: str = "nl"
    tz: str = "Europe/Amsterdam"
    country: str = "NL"


@dataclass(frozen=True, slots=True)
class Handled:
    """What one event did: who acted (after any profile change), replies for them, whether timers moved."""

    person: Person
    replies: tuple[Reply, ...]
    scheduled: bool
    export: bytes | None = None  # /export: everything stored about the person, as JSON
    forgot: bool = False  # /forget: the person and all their rows are gone


_Waiting = tuple[UserRef, Event, datetime, Callable[["Handled"], Any], "asyncio.Future[Any]"]
"""An event waiting for the thread: who, what, when, what to make of it there, and who waits for that."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    to: Recipient
    locale: str
    tz: str
    payload: str
    attempts: int
    expires_at: datetime | None
    created_at: datetime | None = None


def migration_files(folder: Path = MIGRATIONS) -> list[tuple[int, Path]]:
    out = []
    for p in sorted(folder.glob("*.sql")):
        m = re.match(r"(\d+)_", p.name)
        if m:
            out.append((int(m.group(1)), p))
    numbers = [n for n, _ in out]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migrations in {folder} are not numbered 1, 2, 3, …: {numbers}")
    return out


def check_version(c: sqlite3.Connection, folder: Path = MIGRATIONS) -> tuple[int, int]:
    """(schema version of the file, newest this code knows); StoreError when the file is newer. Read-only."""
    files = migration_files(folder)
    latest = files[-1][0] if files else 0
    current = int(c.execute("PRAGMA user_version").fetchone()[0])
    if current > latest:
        raise _newer(current, latest)
    return current, latest


def sql_statements(script: str) -> list[str]:
    """A migration file as its statements, in order, cut where SQLite itself sees a statement end (a `;` in
    a string, a comment or a trigger body does not cut). Comments before a statement stay with it."""
    out: list[str] = []
    buf = ""
    for piece in script.split(";"):
        buf += piece
        if sqlite3.complete_statement(buf + ";"):
            if _has_sql(buf):
                out.append(buf.strip() + ";")
            buf = ""
        else:
            buf += ";"
    return out


def _has_sql(text: str) -> bool:
    """Is there more than whitespace and comments in `text`?"""
    return bool(re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.S).strip())


MIGRATE_WAIT_S = 60.0
"""How long a starting process waits for another one's migration (or any long write) before it gives up."""


def migrate_sync(
    c: sqlite3.Connection, folder: Path = MIGRATIONS, wall: Callable[[], float] = time.time
) -> tuple[int, int]:
    """Bring the file up to date. Returns (version found, version now).

    The version check and every pending migration run in ONE `BEGIN IMMEDIATE` transaction, which takes the
    write lock before it reads the version: of several processes starting together on one file, one migrates
    and the others wait for the lock (busy_timeout) and then find the finished schema, with nothing to do.
    A file newer than this code is refused and left as it was (rolled back). An upgrade while a process of
    older code has the file open (a live row in `processes`) is refused too, naming that process."""
    files = migration_files(folder)
    latest = files[-1][0] if files else 0
    busy = int(c.execute("PRAGMA busy_timeout").fetchone()[0])
    c.execute(f"PRAGMA busy_timeout = {int(MIGRATE_WAIT_S * 1000)}")
    try:
        c.execute("BEGIN IMMEDIATE")
        try:
            current = int(c.execute("PRAGMA user_version").fetchone()[0])
            if current > latest:
                raise _newer(current, latest)
            if current == latest:  # nothing to do; but fail now, not at the first event, if it is read-only
                c.execute(f"PRAGMA user_version = {current}")
            else:
                _refuse_older_holders(c, latest, wall())
                for n, path in files:
                    if n > current:
                        for statement in sql_statements(path.read_text("utf-8")):
                            c.execute(statement)
                c.execute(f"PRAGMA user_version = {latest}")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        c.execute("COMMIT" if current < latest else "ROLLBACK")  # up to date: the probe write is undone
    finally:
        c.execute(f"PRAGMA busy_timeout = {busy}")
    return current, max(current, latest)


def _newer(current: int, latest: int) -> StoreError:
    return StoreError(
        f"The database is at schema version {current}, newer than this code knows ({latest}). "
        "It was left untouched; run a newer Adempauze, or restore a backup."
    )


def _refuse_older_holders(c: sqlite3.Connection, latest: int, wall: float) -> None:
    """Migrating under a running process of older code would change its schema beneath it: refuse, naming it.
    (Files from before 0007 have no `processes`: nobody there ever said it holds them.)"""
    older = [h for h in holders_sync(c, wall) if h.schema < latest]
    if older:
        raise InUse(
            f"The database cannot be upgraded to schema version {latest} while {older[0].describe()} runs on it "
            f"with older code (schema {older[0].schema}). Nothing was changed; stop that process first (one that "
            f"was killed counts as stopped {LEASE.total_seconds():.0f} s after its last sign of life)."
        )


def switch_to_wal(c: sqlite3.Connection) -> None:
    """PRAGMA journal_mode=WAL, waiting for other processes opening the same fresh file. SQLite answers
    "database is locked" at once here, without the busy_timeout: the switch reads the file and then needs
    it exclusively, and a reader that must escalate does not wait (it could deadlock). So: try again."""
    deadline = time.monotonic() + MIGRATE_WAIT_S
    pause = 0.002
    while True:
        try:
            c.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


SYNCHRONOUS = "NORMAL"
"""PRAGMA synchronous for every connection (scripts/bench --synchronous measures the choice)."""


def connect_pragmas(c: sqlite3.Connection) -> None:
    switch_to_wal(c)
    c.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    c.execute("PRAGMA foreign_keys=ON")
    c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    c.execute("PRAGMA journal_size_limit=67108864")
    c.execute("PRAGMA secure_delete=ON")  # erased rows are zeroed, not left readable in free pages


def _explain(path: str, e: sqlite3.Error) -> StoreError:
    text = str(e).lower()
    if "readonly" in text or "read-only" in text:
        return StoreError(f"The database file {path} is read-only. Nothing was changed; make it writable.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"The database file {path} is damaged or is not an Adempauze database. Nothing was changed; "
            "restore a backup or move the file away."
        )
    if "unable to open" in text:
        return StoreError(f"The database file {path} cannot be opened (does its folder exist and is it writable?).")
    return StoreError(f"The database {path} could not be used: {e}")


def _open_sync(c: sqlite3.Connection) -> None:
    check_version(c)  # read-only: a newer file is refused before WAL mode (a write) is switched on
    connect_pragmas(c)
    migrate_sync(c)  # the version is checked again there, under the write lock


class Store:
    """Async facade over one SQLite file; every method is one hop to the connection's thread."""

    def __init__(self, db: aiosqlite.Connection, path: str, defaults: Defaults) -> None:
        self._db = db
        self.path = path
        self.defaults = defaults
        self.random_bytes: Callable[[int], bytes] = secrets.token_bytes
        """Where invite codes come from. Only the demo swaps it, to script a pairing."""
        self.random_id: Callable[[], int] = new_id
        """Where the ids of new time-outs and couples come from (random: they tell nothing about anyone)."""
        self._line: list[_Waiting] = []
        """Events waiting for the thread (see handle)."""
        self._sending: set[asyncio.Future[list[Any]]] = set()
        self._sessions: dict[str, Session] = {}
        """Stored session text -> the parsed (immutable) Session, for the most recently read or written rows:
        an event re-reads its row but skips parsing it. Emptied on /forget and when private text is wiped
        (`_forget_memory`), so erased words do not linger in memory either."""
        self._erased = False
        """The transaction just committed erased private text (see `_truncate_wal_if_erased`)."""
        self._wal_owed = False
        self._init_sharing()

    @classmethod
    async def open(cls, path: str | Path, defaults: Defaults | None = None) -> Store:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise _explain(path, e) from e
        store = cls(db, path, defaults or Defaults())
        try:
            # The version check comes first: switching to WAL already writes to the file, and a file
            # that is newer than this code must be left exactly as it is.
            await store._run(_open_sync)
        except sqlite3.Error as e:
            await db.close()
            raise _explain(path, e) from e
        except StoreError:
            await db.close()
            raise
        await store.truncate_wal(force=True)  # what a crash left in the WAL (erased text too) goes now
        return store

    async def close(self) -> None:
        await self.detach()
        await self._db.close()

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` on the connection's own thread: one hop, however many statements."""
        db = self._db
        result: T = await db._execute(lambda: fn(db._conn))  # type: ignore[no-untyped-call]
        return result

    # -- events ------------------------------------------------------------------------------------------
    async def handle(self, ref: UserRef, event: Event, now: datetime) -> Handled:
        """One person's event, start to finish, in one transaction of its own."""
        return await self.handle_then(ref, event, now, _same)

    async def handle_then(self, ref: UserRef, event: Event, now: datetime, then: Callable[[Handled], T]) -> T:
        """`handle`, and then `then(handled)` on the thread right after the commit (the Dialogue renders
        its replies there: pure work that would otherwise wait for the event loop).

        Events that arrive in the same turn of the event loop go to the thread together, in arrival order,
        in ONE hop (each still its own transaction), and the next batch is sent without waiting for the
        one before: under load a thread hop is shared by many events instead of paid by each, and one
        person's events keep their order (the thread takes batches first come, first served)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._line.append((ref, event, now, then, fut))
        if len(self._line) == 1:
            loop.call_soon(self._send)
        try:
            result: T = await fut
        except sqlite3.Error as e:
            raise _explain(self.path, e) from e
        return result

    def _send(self) -> None:
        """Send everyone waiting to the thread, BATCH_MAX per hop."""
        line, self._line = self._line, []
        for i in range(0, len(line), BATCH_MAX):
            batch = line[i : i + BATCH_MAX]
            task = asyncio.ensure_future(self._run(partial(self._settle_all, batch)))
            self._sending.add(task)
            task.add_done_callback(partial(self._deliver, batch))

    def _deliver(self, batch: list[_Waiting], task: asyncio.Future[list[Any]]) -> None:
        self._sending.discard(task)
        if task.cancelled():
            results: list[Any] = [asyncio.CancelledError()] * len(batch)
        elif (e := task.exception()) is not None:  # the connection is gone (closed): all of them hear it
            results = [e] * len(batch)
        else:
            results = task.result()
        for w, result in zip(batch, results, strict=True):
            fut = w[4]
            if fut.done():  # the caller gave up; its event was handled all the same
                continue
            if isinstance(result, asyncio.CancelledError):
                fut.cancel()
            elif isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)

    def _settle_all(self, batch: list[_Waiting], c: sqlite3.Connection) -> list[Any]:
        """Each event of a batch: what `then` made of it, or the error that rolled back its transaction (only
        its own: the others are committed or still to come)."""
        out: list[Any] = []
        for ref, event, now, then, _ in batch:
            try:
                out.append(then(self._handled(c, ref, event, now)))
            except Exception as e:
                out.append(e)
        return out

    def _handled(self, c: sqlite3.Connection, ref: UserRef, event: Event, now: datetime) -> Handled:
        done = self._tx(c, lambda: self._handle(c, ref, event, now))
        self._truncate_wal_if_erased(c)
        return done

    # -- erased text leaves the WAL too ----------------------------------------------------------------------
    # A transaction that erased private text (/forget, a time-out's end, the 7-day wipe) leaves the old page
    # images, text and all, in the -wal file until a checkpoint copies the WAL into the database and truncates
    # it. That fails (busy) while any other connection holds a read (a backup, the sqlite3 shell, monitoring):
    # then it is owed, and tried again (`truncate_wal`, from the dispatcher's loop) until it succeeds.

    def _truncate_wal_if_erased(self, c: sqlite3.Connection) -> None:
        if self._erased:
            self._erased = False
            self._wal_owed = not _truncate_wal(c)

    async def truncate_wal(self, force: bool = False) -> bool:
        """Try an owed (or, with `force`, any) WAL truncation again; True when nothing is owed any more."""
        if not (self._wal_owed or force):
            return True

        def body(c: sqlite3.Connection) -> bool:
            self._wal_owed = not _truncate_wal(c)
            return not self._wal_owed

        return await self._run(body)

    @property
    def wal_owed(self) -> bool:
        """Erased text may still be in the -wal file: a truncation failed and is to be tried again."""
        return self._wal_owed

    def _tx(self, c: sqlite3.Connection, body: Callable[[], T]) -> T:
        c.execute("BEGIN IMMEDIATE")
        try:
            out = body()
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        return out

    def _handle(self, c: sqlite3.Connection, ref: UserRef, event: Event, now: datetime) -> Handled:
        person = self._user(c, ref, now)
        return self._step(c, person, event, now, direct=True)

    def _user(self, c: sqlite3.Connection, ref: UserRef, now: datetime) -> Person:
        row = c.execute(
            "SELECT id, locale, tz, country, name, chat_id, unreachable, consent_at, safety_note, safety_plan, "
            "country_from, locale_chosen FROM users WHERE platform = ? AND external_id = ?",
            (ref.platform, ref.external_id),
        ).fetchone()
        if row is None:
            d = self.defaults
            locale = ref.locale[:2].lower() if ref.locale[:2].lower() in flow.LOCALES else d.locale
            region = countries.region_of(ref.locale)  # Discord gives a region (en-US); Telegram only a language
            country, source = (region, CountryFrom.PLATFORM) if region else (d.country, CountryFrom.ASSUMED)
            cur = c.execute(
                "INSERT INTO users (platform, external_id, chat_id, name, locale, tz, country, country_from, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ref.platform, ref.external_id, ref.chat_id, _display(ref.name), locale, d.tz, country, source,
                 ts(now)),
            )
            return Person(int(cur.lastrowid or 0), locale, d.tz, country, _display(ref.name), country_from=source)
        uid, locale, tz, country, name, chat_id, unreachable, consent_at, note, plan, source, chosen = row
        locale = _follow_locale(c, uid, ref.locale, locale, bool(chosen))
        if (ref.chat_id and ref.chat_id != chat_id) or (ref.name and _display(ref.name) != name) or unreachable:
            name = _display(ref.name) or name
            c.execute(
                "UPDATE users SET chat_id = ?, name = ?, unreachable = 0 WHERE id = ?",
                (ref.chat_id or chat_id, name, uid),
            )
        return Person(uid, locale, tz, country, name, consent_at is not None, bool(note), plan, CountryFrom(source))

    def _person(self, c: sqlite3.Connection, uid: int) -> Person | None:
        row = c.execute(
            "SELECT id, locale, tz, country, name, consent_at IS NOT NULL, safety_note, safety_plan, country_from "
            "FROM users WHERE id = ?", (uid,)
        ).fetchone()
        return (Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7], CountryFrom(row[8]))
                if row else None)

    def _timeout(self, c: sqlite3.Connection, tid: str) -> Timeout | None:
        row = c.execute(f"SELECT {_TIMEOUT_COLS} FROM timeouts WHERE id = ?", (tid,)).fetchone()
        return _timeout_from(row) if row else None

    def _active_timeout(self, c: sqlite3.Connection, uid: int, now: datetime) -> Timeout | None:
        """The newest open time-out this person is in; never one past its latest possible end."""
        row = c.execute(
            f"SELECT {_TIMEOUT_COLS} FROM (SELECT * FROM timeouts WHERE initiator = ?1 "
            "AND status IN ('running', 'returning') UNION ALL SELECT * FROM timeouts WHERE partner = ?1 "
            "AND status IN ('running', 'returning')) WHERE open_until > ?2 ORDER BY started_at DESC LIMIT 1",
            (uid, ts(now)),
        ).fetchone()
        return _timeout_from(row) if row else None

    def _session(self, text: str | None) -> Session:
        if not text:
            return load_session(text)
        session = self._sessions.get(text)
        if session is None:
            session = self._remember(text, load_session(text))
        return session

    def _remember(self, text: str, session: Session) -> Session:
        cache = self._sessions
        if len(cache) >= SESSIONS_CACHED:
            del cache[next(iter(cache))]  # the oldest entry: insertion order
        cache[text] = session
        return session

    def _forget_memory(self) -> None:
        """Erased rows must not live on in memory either: empty every cache that holds what was read."""
        self._sessions.clear()
        _timeout_from.cache_clear()
        _contract_of.cache_clear()  # contracts hold the partners' own sentences

    def _step(self, c: sqlite3.Connection, person: Person, event: Event, now: datetime, *, direct: bool) -> Handled:
        srow = c.execute("SELECT data FROM sessions WHERE user_id = ?", (person.id,)).fetchone()
        session = self._session(srow[0] if srow else None)
        if isinstance(event, TimerFired):
            timeout = self._timeout(c, event.timeout_id)
        else:
            timeout = self._active_timeout(c, person.id, now)
            if timeout is None and session.timeout_id:
                timeout = self._timeout(c, session.timeout_id)
        try:
            ctx = load_ctx(c, person, event, now, self.random_bytes, timeout, self.random_id())
            result = flow.step(State(session, timeout), event, ctx)
        except Exception as e:  # a broken invariant: answer kindly, keep the state; log no text
            log.error("step failed: %s (%s); state kept", type(e).__name__, _where(e))
            return Handled(person, (Reply(Msg.of("error.step")),) if direct else (), False, None, False)
        new = result.state
        if new.session != session or srow is None:
            text = dump_session(new.session)
            self._remember(text, new.session)
            if srow is not None and _private(session) and not _private(new.session):
                self._erased = True  # private text wiped (the time-out ended): its old page is in the WAL
            c.execute(
                "INSERT INTO sessions (user_id, data, updated_at, private) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
                "private = excluded.private",
                (person.id, text, ts(now), int(_private(new.session))),
            )
        if new.timeout is not None and new.timeout != timeout:
            _save_timeout(c, new.timeout)
        replies: list[Reply] = []
        scheduled = False
        export: bytes | None = None
        forgot = False
        for fx in result.effects:
            if isinstance(fx, Export):
                export = export_json(c, person.id, now)
            elif isinstance(fx, Forget):
                _unname_timeouts(c, person.id, now, self.random_id)
                c.execute("DELETE FROM users WHERE id = ?", (person.id,))  # everything else cascades
                self._forget_memory()
                self._erased = forgot = True
            elif isinstance(fx, Reply):
                if direct:
                    replies.append(fx)
                else:
                    _enqueue(c, person.id, dump_payload(fx.msg, fx.choices, fx.pacer), "", now, None)
                    scheduled = True
            else:
                scheduled |= _apply(c, fx, person, now)
                if isinstance(fx, SetProfile):
                    person = replace(person, locale=fx.locale or person.locale, tz=fx.tz or person.tz,
                                     country=fx.country or person.country,
                                     country_from=CountryFrom.PERSON if fx.country else person.country_from)
        return Handled(person, tuple(replies), scheduled, export, forgot)

    # -- timers ------------------------------------------------------------------------------------------
    async def fire_due(self, now: datetime, limit: int = 200) -> int:
        """Run every timer due by `now` (up to `limit`) through the core, each in its own transaction."""
        return await self._run(lambda c: self._fire_due(c, now, limit))

    def _fire_due(self, c: sqlite3.Connection, now: datetime, limit: int) -> int:
        join, scope, params = self._served()
        rows = c.execute(
            f"SELECT t.id, t.user_id, t.kind, t.timeout_id, t.due_at FROM timers t{join} WHERE t.due_at <= ?{scope} "
            "ORDER BY t.due_at LIMIT ?",
            (ts(now), *params, limit),
        ).fetchall()
        fired = 0
        for tid, uid, kind, timeout_id, due in rows:
            try:
                fired += self._tx(c, partial(self._fire_one, c, tid, uid, kind, timeout_id, due, now))
            except Exception:
                log.exception("timer %s failed; dropped so it cannot block the others", tid)
                self._tx(c, partial(c.execute, "DELETE FROM timers WHERE id = ?", (tid,)))
        self._truncate_wal_if_erased(c)  # a time-out that ended (missed) wiped its private text
        return fired

    def _fire_one(
        self, c: sqlite3.Connection, tid: str, uid: int, kind: str, timeout_id: str, due: int, now: datetime
    ) -> int:
        # An earlier timer in this batch may have moved or cancelled this one.
        still = c.execute("SELECT due_at FROM timers WHERE id = ?", (tid,)).fetchone()
        if still is None or still[0] > ts(now):
            return 0
        c.execute("DELETE FROM timers WHERE id = ?", (tid,))
        person = self._person(c, uid)
        if person is None:
            return 0
        self._step(c, person, TimerFired(TimerKind(kind), timeout_id, dt(still[0])), now, direct=False)
        return 1

    async def next_due(self) -> int | None:
        """The earliest due time (unix seconds) of a timer or outbox row this process would take: two index
        seeks (each walks its due index to the first row it serves and nobody else is delivering)."""

        def q(c: sqlite3.Connection) -> int | None:
            if self.serves is None:  # alone on the file: everything is its own
                a = c.execute("SELECT min(due_at) FROM timers").fetchone()[0]
                b = c.execute("SELECT min(due_at) FROM outbox").fetchone()[0]
            else:
                join, scope, params = self._served()
                a = _first(c.execute(f"SELECT t.due_at FROM timers t{join} WHERE 1{scope} ORDER BY t.due_at LIMIT 1",
                                     params).fetchone())
                joins, where, jargs, wargs = self._claimable(c, int(self.wall()))
                b = _first(c.execute(f"SELECT o.due_at FROM outbox o{joins} WHERE 1{where} ORDER BY o.due_at LIMIT 1",
                                     (*jargs, *wargs)).fetchone())
            vals = [v for v in (a, b) if v is not None]
            return min(vals) if vals else None

        return await self._run(q)

    async def purge_private(self, now: datetime) -> int:
        """Wipe private free text (plan, kept messages) from dialogues untouched for PRIVATE_KEPT. Returns how many."""

        def body(c: sqlite3.Connection) -> int:
            stale = c.execute(
                "SELECT user_id, data FROM sessions WHERE private = 1 AND updated_at < ?", (ts(now - PRIVATE_KEPT),)
            ).fetchall()
            for uid, data in stale:
                clean = replace(load_session(data), plan=Plan(), pending=None, answers=())
                c.execute("UPDATE sessions SET data = ?, private = 0 WHERE user_id = ?", (dump_session(clean), uid))
            if stale:
                self._forget_memory()
                self._erased = True
            # belt and braces: a time-out past its latest possible end is closed, even if its timers were lost
            c.execute("UPDATE timeouts SET status = 'missed', ended_at = open_until "
                      "WHERE status IN ('running', 'returning') AND open_until <= ?", (ts(now),))
            return len(stale)

        def wipe(c: sqlite3.Connection) -> int:
            wiped = self._tx(c, lambda: body(c))
            self._truncate_wal_if_erased(c)
            return wiped

        return await self._run(wipe)

    # -- outbox ------------------------------------------------------------------------------------------
    async def due_outbox(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Claim the due outbox rows this process may deliver, earliest first (see `_claim`)."""

        def q(c: sqlite3.Connection) -> list[OutboxRow]:
            return [
                OutboxRow(r[0], Recipient(r[1], r[2], r[3], r[4]), r[5], r[6], r[7], r[8],
                          dt(r[9]) if r[9] is not None else None, dt(r[10]))
                for r in self._claim(c, now, limit)
            ]

        return await self._run(q)

    async def settle(
        self, delivered: list[int], retry: list[tuple[int, int]], dropped: list[int], unreachable: list[int]
    ) -> None:
        """After a delivery round: remove what went out or is dropped, reschedule retries, mark the unreachable."""

        def body(c: sqlite3.Connection) -> None:
            c.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in delivered + dropped])
            # A retry gives the row back (claimed by nobody), unless another process has taken it over since.
            c.executemany(
                "UPDATE outbox SET due_at = ?, attempts = attempts + 1, claimed_by = NULL "
                "WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)",
                [(d, i, self.process_id) for i, d in retry],
            )
            # what this person is sent after a row that waits, waits with it: messages arrive in order
            c.executemany(
                "UPDATE outbox SET due_at = ?1 WHERE user_id = (SELECT user_id FROM outbox WHERE id = ?2) "
                "AND id > ?2 AND due_at < ?1", [(d, i) for i, d in retry]
            )
            c.executemany("UPDATE users SET unreachable = 1 WHERE id = ?", [(u,) for u in unreachable])
            c.executemany("DELETE FROM outbox WHERE user_id = ?", [(u,) for u in unreachable])

        await self._run(lambda c: self._tx(c, lambda: body(c)))

    async def delivery_verdict(self, row_id: int) -> str:
        """The last look at an outbox row, right before the platform call: "send"; "gone" (deleted since it was
        claimed: cancelled after a safety signal, an unpairing, a /forget; or taken over by another process);
        or "held" (a notice from someone else, and its recipient is on the safety screen now). One index seek."""

        def q(c: sqlite3.Connection) -> str:
            row = c.execute(
                "SELECT o.sender IS NOT NULL AND coalesce(json_extract(s.data, '$.safety_hold'), 0) FROM outbox o "
                "LEFT JOIN sessions s ON s.user_id = o.user_id "
                "WHERE o.id = ? AND (o.claimed_by IS NULL OR o.claimed_by = ?)",
                (row_id, self.process_id),
            ).fetchone()
            return "gone" if row is None else "held" if row[0] else "send"

        return await self._run(q)

    async def hold(self, row_id: int, due: int) -> None:
        """Give a held row back until `due`, without counting an attempt (nothing failed)."""
        await self.execute(
            "UPDATE outbox SET due_at = ?, claimed_by = NULL WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)",
            (due, row_id, self.process_id),
        )

    # -- several processes on one file ----------------------------------------------------------------------
    # Every process that delivers (a console, the bot) says so in `processes`: a row with a lease it renews
    # (HEARTBEAT). It fires timers only for people on the platforms it serves, and claims outbox rows the
    # same way: a row is claimed by writing this process's id into `claimed_by` inside BEGIN IMMEDIATE, and
    # the claim holds as long as that process's lease does. A row claimed by a process with no live row is
    # anyone's, so a killed process's rows are taken over within LEASE. (On PostgreSQL the same rule is
    # `FOR UPDATE SKIP LOCKED` on the select; here the write lock already lets one claimer in at a time.)
    # Timers need no claim: firing one is deleting it in the transaction of the step it causes, so only one
    # process can. With other consoles open, a console delivers only to the people last seen in its own
    # terminal: their `chat_id` is its process id (set whenever they act), so someone whose terminal is gone
    # waits until they act in another one. A console alone on the file holds everybody (as a lone console
    # always did) and takes them in. A store that never attached (tests, tools alone) serves everyone.

    def _init_sharing(self) -> None:
        self.process_id = secrets.token_hex(6)
        """Who this process is on the file: its claims, its `processes` row, its console people's chat_id."""
        self.wall: Callable[[], float] = time.time
        """Real time for leases (unix seconds), never the app's clock. Tests move it to let leases run out."""
        self.serves: frozenset[str] | None = None
        """The platforms this process fires timers and delivers for; None (never attached): all of them."""
        self._kind = ""
        self._beat: asyncio.Task[None] | None = None
        self._data_version: int | None = None

    @property
    def shared(self) -> bool:
        """Has this process said on the file that it runs (`attach`)? Then others may be there too."""
        return self.serves is not None

    async def attach(self, kind: str, serves: Iterable[str], exclusive: frozenset[str] = EXCLUSIVE) -> None:
        """Say on the file that this process runs (kind: console | bot) and what it serves; from now on fire
        timers and claim outbox rows only for people on those platforms. InUse, naming the holder, when a
        live process already serves one of these that only one may serve (`exclusive`)."""
        platforms = frozenset(serves)

        def body(c: sqlite3.Connection) -> None:
            wall = int(self.wall())
            c.execute("DELETE FROM processes WHERE lease_until <= ?", (wall,))  # gone without a goodbye
            for h in holders_sync(c, wall):
                clash = sorted(h.serves & platforms & exclusive)
                if clash:
                    raise InUse(
                        f"The database {self.path} is in use by {h.describe()}. Only one process per database "
                        f"may serve {clash[0]}: {_WHY_EXCLUSIVE.get(clash[0], '')} Nothing was started; stop that one "
                        f"first, or give this one its own DATABASE_PATH. (A killed process counts as stopped "
                        f"{LEASE.total_seconds():.0f} s after its last sign of life.)"
                    )
            self._register(c, kind, platforms, wall)
            self._data_version = int(c.execute("PRAGMA data_version").fetchone()[0])

        await self._run(lambda c: self._tx(c, lambda: body(c)))
        self._kind, self.serves = kind, platforms
        self._beat = asyncio.create_task(self._heartbeat())

    def _register(self, c: sqlite3.Connection, kind: str, platforms: frozenset[str], wall: int) -> None:
        c.execute(
            "INSERT INTO processes (id, kind, serves, schema, pid, host, started_at, lease_until) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until",
            (self.process_id, kind, ",".join(sorted(platforms)), migration_files()[-1][0], os.getpid(),
             socket.gethostname(), wall, wall + int(LEASE.total_seconds())),
        )

    async def renew(self) -> None:
        """Keep this process alive on the file (and so its claims) for another LEASE. The heartbeat calls it."""
        if self.serves is None:
            return
        platforms = self.serves

        def body(c: sqlite3.Connection) -> None:
            wall = int(self.wall())
            done = c.execute("UPDATE processes SET lease_until = ? WHERE id = ?",
                             (wall + int(LEASE.total_seconds()), self.process_id)).rowcount
            if not done:  # stalled past its lease (a suspended laptop) and cleaned away by another start
                log.warning("this process's lease on %s had run out; registered again", self.path)
                for h in holders_sync(c, wall):
                    if h.serves & platforms & EXCLUSIVE:
                        log.error("while this process was stalled, %s took over %s; stop one of them",
                                  h.describe(), ", ".join(sorted(h.serves & platforms & EXCLUSIVE)))
                self._register(c, self._kind, platforms, wall)

        await self._run(lambda c: self._tx(c, lambda: body(c)))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            try:
                await self.renew()
            except Exception:  # a busy file for longer than busy_timeout: the next beat tries again
                log.warning("could not renew this process's lease on %s", self.path, exc_info=True)

    async def detach(self) -> None:
        """Leave the file: remove this process's row and give back what it claimed and did not settle."""
        beat, self._beat = self._beat, None
        if beat is not None:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        if self.serves is None:
            return
        self.serves = None

        def body(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM processes WHERE id = ?", (self.process_id,))
            c.execute("UPDATE outbox SET claimed_by = NULL WHERE claimed_by = ?", (self.process_id,))

        try:
            await self._run(lambda c: self._tx(c, lambda: body(c)))
        except Exception:  # the row runs out by itself; the claims with it
            log.warning("could not leave %s cleanly; its lease runs out in %s", self.path, LEASE, exc_info=True)

    async def holders(self) -> list[Holder]:
        """The live processes on the file (this one included, once attached)."""
        return await self._run(lambda c: holders_sync(c, self.wall()))

    async def changed(self) -> bool:
        """Has another process committed to the file since the last look? (`PRAGMA data_version`, one read:
        other processes cannot wake this one's dispatcher, so it looks now and then.)"""
        version = await self._run(lambda c: int(c.execute("PRAGMA data_version").fetchone()[0]))
        before, self._data_version = self._data_version, version
        return before != version

    def _served(self) -> tuple[str, str, tuple[str, ...]]:
        """(join, condition, parameters) limiting timer rows `t` to people on the platforms this process serves.
        CROSS JOIN keeps timers first, walked along their due index (not every user of a platform, then sorted)."""
        if self.serves is None:
            return "", "", ()
        platforms = tuple(sorted(self.serves))
        return (" CROSS JOIN users u ON u.id = t.user_id", f" AND u.platform IN ({','.join('?' * len(platforms))})",
                platforms)

    def _claimable(self, c: sqlite3.Connection, wall: int) -> tuple[str, str, tuple[Any, ...], tuple[Any, ...]]:
        """(joins, condition, join parameters, condition parameters) on outbox `o` for the rows this process may
        claim: nobody's, its own, or claimed by a process that is gone; for people on platforms it serves; and
        of console people, with other consoles open, only those last seen in this terminal."""
        joins = (" CROSS JOIN users u ON u.id = o.user_id "
                 "LEFT JOIN processes cp ON cp.id = o.claimed_by AND cp.lease_until > ?")
        where = " AND (o.claimed_by IS NULL OR o.claimed_by = ? OR cp.id IS NULL)"
        params: list[Any] = [self.process_id]
        if self.serves is not None:
            platforms = sorted(self.serves)
            where += f" AND u.platform IN ({','.join('?' * len(platforms))})"
            params += platforms
            others = "console" in self.serves and c.execute(
                "SELECT 1 FROM processes WHERE kind = 'console' AND id <> ? AND lease_until > ?",
                (self.process_id, wall),
            ).fetchone()
            if others:  # alone, a console holds everybody; with others, its own terminal's people only
                where += " AND (u.platform <> 'console' OR u.chat_id = ?)"
                params.append(self.process_id)
        return joins, where, (wall,), tuple(params)

    def _claim(self, c: sqlite3.Connection, now: datetime, limit: int) -> list[tuple[Any, ...]]:
        """The due rows this process may deliver, claimed for it: looked for without a lock first (nothing
        due: no write), then selected again and claimed in one BEGIN IMMEDIATE."""
        wall = int(self.wall())

        def due() -> list[tuple[Any, ...]]:
            joins, where, jargs, wargs = self._claimable(c, wall)
            return c.execute(
                "SELECT o.id, o.user_id, u.platform, u.external_id, u.chat_id, u.locale, u.tz, o.payload, "
                f"o.attempts, o.expires_at, o.created_at FROM outbox o{joins} "
                f"WHERE o.due_at <= ?{where} ORDER BY o.due_at, o.id LIMIT ?",
                (*jargs, ts(now), *wargs, limit),
            ).fetchall()

        if not due():
            return []

        def claim() -> list[tuple[Any, ...]]:
            rows = due()
            me = self.process_id
            c.executemany("UPDATE outbox SET claimed_by = ? WHERE id = ?", [(me, r[0]) for r in rows])
            if self.serves is not None and "console" in self.serves:  # people of a closed terminal: now here
                c.executemany("UPDATE users SET chat_id = ? WHERE id = ? AND chat_id <> ?",
                              [(me, r[1], me) for r in rows if r[2] == "console" and r[4] != me])
            return rows

        return self._tx(c, claim)

    async def console_clock(self, at_least: datetime, plus: timedelta = timedelta(0)) -> datetime:
        """The clock every console on this file shares: first moved up to `at_least` if it is behind, then
        forward by `plus` (`!wait`). It never goes back, so consoles that meet agree on the later time."""

        def body(c: sqlite3.Connection) -> int:
            row = c.execute("SELECT now FROM console_clock WHERE id = 1").fetchone()
            if row is not None and row[0] >= ts(at_least) and not plus:
                return int(row[0])  # nothing to move: no write

            def move() -> int:
                row = c.execute("SELECT now FROM console_clock WHERE id = 1").fetchone()
                now = max(row[0] if row else 0, ts(at_least)) + int(plus.total_seconds())
                c.execute("INSERT INTO console_clock (id, now) VALUES (1, ?) "
                          "ON CONFLICT (id) DO UPDATE SET now = excluded.now", (now,))
                return now

            return self._tx(c, move)

        return dt(await self._run(body))

    # -- small reads for tools and tests -------------------------------------------------------------------
    async def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A read-only query (for tests, benchmarks and the CLI)."""
        return await self._run(lambda c: c.execute(sql, params).fetchall())

    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """One write statement in its own transaction (for tools and tests)."""
        await self._run(lambda c: self._tx(c, lambda: c.execute(sql, params)))

    async def session_of(self, ref: UserRef) -> tuple[str, str | None]:
        """(phase, timeout id) of a person; ("idle", None) when unknown. For tests and the console."""
        rows = await self.query(
            "SELECT s.data FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE u.platform = ? AND u.external_id = ?",
            (ref.platform, ref.external_id),
        )
        s = load_session(rows[0][0] if rows else None)
        return s.phase.value, s.timeout_id


_TIMEOUT_COLS = (
    "id, initiator, partner, started_at, return_at, extensions_used, status, ready, notified, ended_at, "
    "partner_started, partner_until, partner_extensions, hushed"
)


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.split(",") if x)


def _ids_text(ids: frozenset[int]) -> str:
    return ",".join(str(u) for u in sorted(ids))


@lru_cache(maxsize=1024)
def _timeout_from(row: tuple[Any, ...]) -> Timeout:
    """A time-out row (ids, times, status: nothing private) -> Timeout; immutable, so cached by row."""
    tid, initiator, partner, started, ret, ext, status, ready, notified, ended, p_start, p_until, p_ext, hushed = row
    return Timeout(
        tid, initiator, partner, dt(started), dt(ret), ext, TimeoutStatus(status), _ids(ready), bool(notified),
        dt(ended) if ended else None, dt(p_start) if p_start else None, dt(p_until) if p_until else None,
        p_ext, _ids(hushed),
    )


def _save_timeout(c: sqlite3.Connection, t: Timeout) -> None:
    c.execute(
        "INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, ready, "
        "notified, ended_at, partner_started, partner_until, partner_extensions, hushed, open_until) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "partner = excluded.partner, return_at = excluded.return_at, "
        "extensions_used = excluded.extensions_used, status = excluded.status, ready = excluded.ready, "
        "notified = excluded.notified, ended_at = excluded.ended_at, partner_started = excluded.partner_started, "
        "partner_until = excluded.partner_until, partner_extensions = excluded.partner_extensions, "
        "hushed = excluded.hushed, open_until = excluded.open_until",
        (t.id, t.initiator, t.partner, ts(t.started_at), ts(t.return_at), t.extensions_used, t.status.value,
         _ids_text(t.ready), int(t.notified), ts(t.ended_at) if t.ended_at else None,
         ts(t.partner_started) if t.partner_started else None, ts(t.partner_until) if t.partner_until else None,
         t.partner_extensions, _ids_text(t.hushed), ts(t.open_until)),
    )


def _enqueue(
    c: sqlite3.Connection, to: int, payload: str, tag: str, now: datetime, expires: datetime | None,
    sender: int | None = None,
) -> None:
    # behind a message to the same person that waits for a retry: in order, so it waits with it (a nudge held
    # for the end of the quiet hours, due when it was meant for, holds up nothing)
    waiting = c.execute("SELECT max(due_at) FROM outbox WHERE user_id = ? AND due_at > created_at",
                        (to,)).fetchone()[0]
    due = max(ts(now), waiting or 0)
    c.execute(
        "INSERT INTO outbox (user_id, payload, tag, due_at, expires_at, created_at, sender) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (to, payload, tag, due, ts(expires) if expires else None, ts(now), sender),
    )


# -- what one step may know besides the state -----------------------------------------------------------

_COUPLE_SQL = (
    "SELECT cp.id, u.id, u.locale, u.tz, u.country, u.name, act.version, act.data, "
    "pr.version, pr.proposed_by, pr.data, "
    "(SELECT max(version) FROM contracts WHERE couple_id = cp.id) "
    "FROM (SELECT id, b AS other FROM couples WHERE a = ?1 UNION ALL SELECT id, a FROM couples WHERE b = ?1) cp "
    "JOIN users u ON u.id = cp.other "
    "LEFT JOIN contracts act ON act.couple_id = cp.id AND act.status = 'active' "
    "LEFT JOIN contracts pr ON pr.couple_id = cp.id AND pr.status = 'proposed' "
    "LIMIT 1"
)
_INVITE_SQL = (
    "SELECT user_id, expires_at, used_at, "
    "EXISTS (SELECT 1 FROM couples WHERE a = i.user_id) OR EXISTS (SELECT 1 FROM couples WHERE b = i.user_id) "
    "FROM invites i WHERE code_hash = ?"
)
_UNANNOUNCED_SQL = (
    "SELECT 1 FROM outbox WHERE tag = ? AND tag <> '' AND user_id = ? AND instr(payload, '\"notice.start\"') > 0"
)
_JOIN_FAILURES_SQL = "SELECT count(*) FROM join_failures WHERE user_id = ? AND at > ?"
_HISTORY_SQL = (
    "SELECT t.started_at, t.initiator = ?1, t.status, t.extensions_used > 0, "
    "m.outcome, m.tension_start, m.tension_after, m.feeling, m.under "
    "FROM (SELECT id, initiator, status, extensions_used, started_at FROM timeouts "
    "      WHERE initiator = ?1 AND started_at >= ?2 "
    "      UNION ALL SELECT id, initiator, status, extensions_used, started_at FROM timeouts "
    "      WHERE partner = ?1 AND started_at >= ?2) t "
    "LEFT JOIN timeout_members m ON m.timeout_id = t.id AND m.user_id = ?1 "
    "ORDER BY t.started_at DESC LIMIT ?3"
)

def _first(row: tuple[Any, ...] | None) -> Any:
    return row[0] if row is not None else None


_contract_of = lru_cache(maxsize=512)(load_contract)
"""Contracts as stored text -> Contract: immutable, so parsed once, not on every event of a paired person."""


def new_id() -> int:
    """A random id for a new time-out or couple: 53 bits (exact in JSON and JavaScript too), never 0."""
    return secrets.randbelow(2**53 - 1) + 1


def code_hash(code: str) -> str:
    """What is stored for an invite code: sha256 hex of its canonical form. The code itself is never stored."""
    return hashlib.sha256((couples.normalise_code(code) or code).encode()).hexdigest()


def load_ctx(
    c: sqlite3.Connection, person: Person, event: Event, now: datetime,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes, timeout: Timeout | None = None, fresh: int = 0,
) -> flow.Ctx:
    """Everything `flow.step` may know besides the state, for this person and this event."""
    couple = load_couple(c, person.id)
    invite: Invite | None = None
    failures = 0
    code = ""
    history: tuple[Fact, ...] = ()
    if isinstance(event, CommandReceived):
        name = flow.COMMANDS.get(fold(event.name))
        if name == "pair":
            code = couples.new_code(random_bytes(8))
        elif name == "join" or (name == "start" and event.arg.strip()):  # /start CODE: a Telegram deep link
            invite = load_invite(c, event.arg, now)
            failures = c.execute(_JOIN_FAILURES_SQL, (person.id, ts(now - couples.JOIN_WINDOW))).fetchone()[0]
        elif name == "patterns":
            history = load_history(c, person.id, now)
    unannounced = False
    if timeout is not None and timeout.notified and timeout.status.active and not isinstance(event, TimerFired):
        # the partner was never told of this time-out yet: its start notice still waits in the outbox
        unannounced = c.execute(_UNANNOUNCED_SQL, (timeout.id, timeout.partner)).fetchone() is not None
    return flow.Ctx(
        now, person,
        partner=couple.partner if couple else None,
        contract=couple.contract if couple else contract.DEFAULT,
        couple=couple, invite=invite, join_failures=failures, fresh_code=code, history=history,
        unannounced=unannounced, fresh=fresh,
    )


def load_couple(c: sqlite3.Connection, uid: int) -> Couple | None:
    """The couple `uid` is in: partner, active contract (defaults before v1 is accepted), open proposal."""
    row = c.execute(_COUPLE_SQL, (uid,)).fetchone()
    if row is None:
        return None
    cid, pid, locale, tz, country, name, version, data, p_version, p_by, p_data, last = row
    proposal = Proposal(p_version, p_by or 0, _contract_of(p_data)) if p_version is not None else None
    return Couple(
        cid, Person(pid, locale, tz, country, name),
        _contract_of(data) if data is not None else contract.DEFAULT, version or 0, proposal, last or 0,
    )


def load_invite(c: sqlite3.Connection, typed: str, now: datetime) -> Invite:
    """What a typed (or deep-linked) code refers to. Malformed and unknown codes look the same: not found."""
    code = couples.normalise_code(typed)
    if code is None:
        return Invite(found=False)
    row = c.execute(_INVITE_SQL, (code_hash(code),)).fetchone()
    if row is None:
        return Invite(found=False)
    owner, expires_at, used_at, owner_paired = row
    return Invite(True, owner, expires_at <= ts(now), used_at is not None, bool(owner_paired))


def load_history(c: sqlite3.Connection, uid: int, now: datetime) -> tuple[Fact, ...]:
    """This person's time-outs of the last HISTORY, oldest first: counts, own scores and own vocabulary ids."""
    rows = c.execute(_HISTORY_SQL, (uid, ts(now - HISTORY), HISTORY_MAX)).fetchall()
    return tuple(
        Fact(dt(started), bool(mine), status, bool(extended), outcome, t0, t1, feeling, under)
        for started, mine, status, extended, outcome, t0, t1, feeling, under in reversed(rows)
    )


# -- performing effects -----------------------------------------------------------------------------------


def _apply(c: sqlite3.Connection, fx: Effect, person: Person, now: datetime) -> bool:
    """Perform one effect in the open transaction. True when something is now scheduled or queued."""
    match fx:
        case Notify():
            _enqueue(c, fx.to, dump_payload(fx.msg, fx.choices), fx.tag, fx.not_before or now, fx.expires_at,
                     None if fx.neutral else person.id)
            return True
        case StartTimer():
            c.execute(
                "INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at",
                (fx.id, fx.user, fx.kind.value, fx.timeout_id, ts(fx.at)),
            )
            return True
        case CancelTimer():
            c.execute("DELETE FROM timers WHERE id = ?", (fx.id,))
        case CancelNotices():
            # `tag <> ''` lets SQLite use the partial index outbox_tag (otherwise: a full scan)
            c.execute("DELETE FROM outbox WHERE tag = ? AND tag <> '' AND user_id <> ?", (fx.tag, person.id))
        case RecordOutcome():
            _record_outcome(c, fx, now)
        case SetProfile():
            if fx.locale:  # chosen with /language: from now on the platform's hint no longer moves it
                c.execute("UPDATE users SET locale = ?, locale_chosen = 1 WHERE id = ?", (fx.locale, person.id))
            if fx.tz:
                c.execute("UPDATE users SET tz = ? WHERE id = ?", (fx.tz, person.id))
            if fx.country:
                c.execute("UPDATE users SET country = ?, country_from = 'person' WHERE id = ?", (fx.country, person.id))
            if fx.country_asked:
                c.execute("UPDATE users SET country_from = 'asked' WHERE id = ? AND country_from = 'assumed'",
                          (person.id,))
            if fx.safety_note is not None:
                c.execute("UPDATE users SET safety_note = ? WHERE id = ?", (int(fx.safety_note), person.id))
            if fx.safety_plan is not None:
                c.execute("UPDATE users SET safety_plan = ? WHERE id = ?", (fx.safety_plan, person.id))
            if fx.consent is not None:
                c.execute("UPDATE users SET consent_at = ? WHERE id = ?", (ts(now) if fx.consent else None, person.id))
        case CreateInvite():
            _create_invite(c, fx, person.id, now)
        case JoinFailed():
            c.execute("INSERT INTO join_failures (user_id, at) VALUES (?, ?)", (person.id, ts(now)))
            # Only the last JOIN_WINDOW counts; this keeps the table at about a day of failures (a small scan).
            c.execute("DELETE FROM join_failures WHERE at < ?", (ts(now - JOIN_FAILURES_KEPT),))
        case Pair():
            _pair(c, fx, person.id, now)
        case Unpair():
            _own_couple(c, fx.couple_id, person.id)
            c.execute("DELETE FROM couples WHERE id = ?", (fx.couple_id,))  # its contracts cascade
            # what this person sent that was not delivered yet goes too (proposals, notices)
            c.execute("DELETE FROM outbox WHERE sender = ?", (person.id,))
        case Propose():
            _propose(c, fx, person.id, now)
        case Decide():
            _decide(c, fx, person.id, now)
        case Release():
            _release(c, fx, now)
    return False


def _release(c: sqlite3.Connection, fx: Release, now: datetime) -> None:
    """The other member's private words for a closed time-out go at once (their session row)."""
    row = c.execute("SELECT data FROM sessions WHERE user_id = ?", (fx.user,)).fetchone()
    if row is None:
        return
    session = load_session(row[0])
    released = flow.released(session, fx.timeout_id)
    if released is not session:
        c.execute("UPDATE sessions SET data = ?, updated_at = ?, private = ? WHERE user_id = ?",
                  (dump_session(released), ts(now), int(_private(released)), fx.user))


def _where(e: BaseException) -> str:
    """Where an exception was raised (file:line), without its message (which may carry what someone typed)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb is not None else "?"


def _record_outcome(c: sqlite3.Connection, fx: RecordOutcome, now: datetime) -> None:
    c.execute(
        "INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, tension_after, "
        "feeling, under, need, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (timeout_id, user_id) DO UPDATE SET outcome = coalesce(excluded.outcome, outcome), "
        "tension_start = coalesce(excluded.tension_start, tension_start), "
        "tension_after = coalesce(excluded.tension_after, tension_after), "
        "feeling = coalesce(excluded.feeling, feeling), under = coalesce(excluded.under, under), "
        "need = coalesce(excluded.need, need), recorded_at = excluded.recorded_at",
        (fx.timeout_id, fx.user, fx.role, fx.outcome, fx.tension_start, fx.tension_after, fx.feeling,
         fx.under, fx.need, ts(now)),
    )


def _create_invite(c: sqlite3.Connection, fx: CreateInvite, me: int, now: datetime) -> None:
    # A new code replaces the open one; used codes stay until they expire, so a late try hears "used".
    c.execute("DELETE FROM invites WHERE user_id = ? AND (used_at IS NULL OR expires_at <= ?)", (me, ts(now)))
    c.execute(
        "INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (code_hash(fx.code), me, ts(now), ts(fx.expires_at)),
    )


def _pair(c: sqlite3.Connection, fx: Pair, me: int, now: datetime) -> None:
    used = c.execute(
        "UPDATE invites SET used_at = ? WHERE code_hash = ? AND user_id = ? AND used_at IS NULL AND expires_at > ?",
        (ts(now), code_hash(fx.code), fx.inviter, ts(now)),
    ).rowcount
    if used != 1:
        raise StoreError("pairing refused: the invite is not open (the core should have said so)")
    # The trigger couples_one_per_person refuses a second couple for either of them. The id is the core's (random,
    # so never that of an earlier couple: its buttons name it), or SQLite's when the core gave none.
    cid = c.execute("INSERT INTO couples (id, a, b, created_at) VALUES (?, ?, ?, ?)",
                    (fx.couple_id or None, fx.inviter, me, ts(now))).lastrowid
    c.execute("DELETE FROM invites WHERE user_id = ? AND used_at IS NULL", (me,))
    c.execute(
        "INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at) "
        "VALUES (?, 1, 'proposed', ?, ?, ?)",
        (cid, fx.inviter, dump_contract(fx.first), ts(now)),
    )


def _own_couple(c: sqlite3.Connection, couple_id: int, me: int) -> None:
    """Refuse (a broken invariant) a change to a couple the acting person is not in."""
    if c.execute("SELECT 1 FROM couples WHERE id = ? AND ? IN (a, b)", (couple_id, me)).fetchone() is None:
        raise StoreError(f"couple {couple_id} is not the acting person's couple")


def _propose(c: sqlite3.Connection, fx: Propose, me: int, now: datetime) -> None:
    _own_couple(c, fx.couple_id, me)
    c.execute(
        "UPDATE contracts SET status = 'superseded', decided_at = ? WHERE couple_id = ? AND status = 'proposed'",
        (ts(now), fx.couple_id),
    )
    # Versions are never reused (the core numbers from the couple's highest version), so an old button
    # can never act on a newer proposal.
    done = c.execute(
        "INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at) "
        "VALUES (?, ?, 'proposed', ?, ?, ?) ON CONFLICT (couple_id, version) DO NOTHING",
        (fx.couple_id, fx.version, me, dump_contract(fx.contract), ts(now)),
    ).rowcount
    if done != 1:
        raise StoreError(f"contract version {fx.version} of couple {fx.couple_id} exists already")


def _decide(c: sqlite3.Connection, fx: Decide, me: int, now: datetime) -> None:
    _own_couple(c, fx.couple_id, me)
    if fx.decision not in DECISIONS:
        raise StoreError(f"unknown contract decision {fx.decision!r}")
    # Withdrawing is for the proposer; accepting and rejecting for the other partner.
    mine = fx.decision == "withdrawn"
    row = c.execute(
        "SELECT proposed_by = ? FROM contracts WHERE couple_id = ? AND version = ? AND status = 'proposed'",
        (me, fx.couple_id, fx.version),
    ).fetchone()
    if row is None or bool(row[0]) != mine:
        raise StoreError(f"contract version {fx.version} is not open for {fx.decision} by this person")
    if fx.decision == "accepted":
        c.execute(
            "UPDATE contracts SET status = 'superseded', decided_at = ? WHERE couple_id = ? AND status = 'active'",
            (ts(now), fx.couple_id),
        )
    status = "active" if fx.decision == "accepted" else fx.decision
    c.execute(
        "UPDATE contracts SET status = ?, decided_at = ? WHERE couple_id = ? AND version = ?",
        (status, ts(now), fx.couple_id, fx.version),
    )


def _truncate_wal(c: sqlite3.Connection) -> bool:
    """Copy the WAL into the database and truncate it to nothing. True when done; False when another
    connection's read (or write) is in the way. Never waits: the busy timeout is off for it, so a reader
    that stays for an hour does not hold up the store's thread (every event) for the 5 s each try."""
    c.execute("PRAGMA busy_timeout=0")
    try:
        busy, _log, _copied = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:  # "database is locked"
        busy = 1
    finally:
        c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return bool(busy == 0)


def _unname_timeouts(c: sqlite3.Connection, uid: int, now: datetime, new_id: Callable[[], int]) -> None:
    """Before a person is erased: the time-outs that stay (for the partner's patterns) keep nothing of theirs.
    Their id leaves the ready and hushed lists, and an id of the old form "<user id>-<ms>" (new ones are
    random) is replaced by a random one: in the time-out and its patterns rows always; where a live one is
    still used (the partner's timers, outbox tags and dialogue: open, or ended in the last LIVE_AFTER) too."""
    rows = c.execute(
        "SELECT id, ready, hushed, status, ended_at FROM timeouts WHERE initiator = ?1 "
        "UNION ALL SELECT id, ready, hushed, status, ended_at FROM timeouts WHERE partner = ?1", (uid,)
    ).fetchall()
    legacy = f"{uid}-"
    for tid, ready, hushed, status, ended_at in rows:
        c.execute("UPDATE timeouts SET ready = ?, hushed = ? WHERE id = ?",
                  (_without(ready, uid), _without(hushed, uid), tid))
        if not tid.startswith(legacy):
            continue
        new = f"{new_id():x}"
        c.execute("PRAGMA defer_foreign_keys = ON")  # timeout_members follow within this transaction
        c.execute("UPDATE timeouts SET id = ? WHERE id = ?", (new, tid))
        c.execute("UPDATE timeout_members SET timeout_id = ? WHERE timeout_id = ?", (new, tid))
        if TimeoutStatus(status).active or ended_at is None or ended_at >= ts(now - LIVE_AFTER):
            c.execute("UPDATE timers SET id = ? || substr(id, ?), timeout_id = ? WHERE timeout_id = ?",
                      (new, len(tid) + 1, new, tid))
            c.execute("UPDATE outbox SET tag = ? WHERE tag = ? AND tag <> ''", (new, tid))
            c.execute("UPDATE sessions SET data = replace(data, ?1, ?2) WHERE instr(data, ?1) > 0",
                      (json.dumps(tid), json.dumps(new)))


LIVE_AFTER = timedelta(days=2)
"""How long after its end a time-out's id may still be used (an after-check, a late message)."""


def _without(ids: str | None, uid: int) -> str:
    return ",".join(x for x in (ids or "").split(",") if x and x != str(uid))


def _private(s: Session) -> bool:
    """Does this dialogue hold private free text (or answers) that must not outlive PRIVATE_KEPT?"""
    return s.plan != _EMPTY_PLAN or s.pending is not None or bool(s.answers)


_EMPTY_PLAN = Plan()
SESSIONS_CACHED = 2048
"""How many parsed sessions the store keeps by their stored text (a few hundred bytes each)."""


def _display(name: str) -> str:
    """A platform display name as the partner will see it: short, visible characters, nothing link-like."""
    return couples.display_name(name)


def _follow_locale(c: sqlite3.Connection, uid: int, hint: str, locale: str, chosen: bool) -> str:
    """The person's language: the one they chose with /language, or else what their platform says now (a
    Discord interaction carries the client's locale, a plain DM none: then it stays as it was)."""
    said = hint[:2].lower()
    if chosen or said not in flow.LOCALES or said == locale:
        return locale
    c.execute("UPDATE users SET locale = ? WHERE id = ?", (said, uid))
    return said


PRIVATE_KEPT = timedelta(days=7)
"""Private free text older than this is wiped even when its time-out never ended properly."""


def export_json(c: sqlite3.Connection, uid: int, now: datetime) -> bytes:
    """Everything stored about one person, as JSON. The partner's own data stays theirs: only their name."""

    def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = c.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    user = rows("SELECT platform, external_id, name, locale, tz, country, country_from, created_at, consent_at, "
                "safety_note, safety_plan FROM users WHERE id = ?", uid)
    session = c.execute("SELECT data FROM sessions WHERE user_id = ?", (uid,)).fetchone()
    couple = rows("SELECT c.id, c.created_at, u.name AS partner_name FROM couples c JOIN users u "
                  "ON u.id = CASE WHEN c.a = ?1 THEN c.b ELSE c.a END WHERE c.a = ?1 OR c.b = ?1", uid)
    contracts = rows("SELECT version, status, proposed_by = ?1 AS proposed_by_me, data, created_at, decided_at "
                     "FROM contracts WHERE couple_id IN (SELECT id FROM couples WHERE a = ?1 OR b = ?1)", uid)
    for k in contracts:  # the partner's own sentence is theirs
        data = json.loads(k["data"])
        data["sentences"] = [[u, t] for u, t in data.get("sentences", []) if u == uid]
        k["data"] = data
    out = {
        "exported_at": ts(now),
        "user": user[0] if user else None,
        "dialogue": session_fields(load_session(session[0])) if session else None,
        "couple": couple[0] if couple else None,
        "contracts": contracts,
        "time_outs": rows(
            "SELECT t.id, t.initiator = ?1 AS started_by_me, t.started_at, t.return_at, t.status, "
            "t.extensions_used, t.ended_at, m.role, m.outcome, m.tension_start, m.tension_after, m.feeling, "
            "m.under, m.need FROM timeouts t LEFT JOIN timeout_members m ON m.timeout_id = t.id AND m.user_id = ?1 "
            "WHERE t.initiator = ?1 OR t.partner = ?1", uid),
        "reminders": rows("SELECT kind, timeout_id, due_at FROM timers WHERE user_id = ?", uid),
        "messages_waiting": rows("SELECT payload, due_at FROM outbox WHERE user_id = ?", uid),
        "open_invites": rows("SELECT created_at, expires_at FROM invites WHERE user_id = ? AND used_at IS NULL", uid),
    }
    return json.dumps(out, ensure_ascii=False, indent=2).encode()
