"""The only module with SQL: one SQLite file (WAL), migrations, and the transactions the shell needs.

Theory of operation
-------------------
One aiosqlite connection per process. aiosqlite runs every call on one worker thread; each awaited call
costs a thread hand-off (~0.3 ms here). So a whole event is one plain function run on that thread in
ONE hop (`_run`): BEGIN IMMEDIATE, load the person, their session, their time-out, their couple; run the
pure core; write the session, the time-out, timers, outbox rows; COMMIT. Because the worker thread runs
one function at a time, transactions never interleave: that is the per-couple (indeed global)
serialisation, with no lock to forget. Write transactions use BEGIN IMMEDIATE, which takes the write lock
up front and honours busy_timeout (a deferred BEGIN that reads and then writes does not).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.codec import dt, dump_payload, dump_session, load_session, ts
from bot.core import machine
from bot.core.effects import (
    CancelNotices,
    CancelTimer,
    Effect,
    Notify,
    RecordOutcome,
    Reply,
    SetProfile,
    StartTimer,
)
from bot.core.events import Event, TimerFired, TimerKind
from bot.core.model import Contract, Person, State, Timeout, TimeoutStatus
from bot.ports import Recipient, UserRef

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_ACTIVE = ("running", "returning")


class StoreError(Exception):
    """The database cannot be used (damaged, read-only, newer than this code). The message says why."""


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


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    to: Recipient
    locale: str
    tz: str
    payload: str
    attempts: int
    expires_at: datetime | None


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
        raise StoreError(
            f"The database is at schema version {current}, newer than this code knows ({latest}). "
            "It was left untouched; run a newer Adempauze, or restore a backup."
        )
    return current, latest


def check_writable(c: sqlite3.Connection) -> None:
    """Fail now, not at the first event, when the file cannot be written (a write rolled back at once)."""
    c.execute("BEGIN IMMEDIATE")
    try:
        c.execute(f"PRAGMA user_version = {int(c.execute('PRAGMA user_version').fetchone()[0])}")
    finally:
        c.execute("ROLLBACK")


def migrate_sync(c: sqlite3.Connection, folder: Path = MIGRATIONS) -> tuple[int, int]:
    """Apply pending migrations, each in its own transaction with its user_version. Returns (from, to)."""
    files = migration_files(folder)
    current, latest = check_version(c, folder)
    for n, path in files:
        if n <= current:
            continue
        sql = path.read_text("utf-8")
        try:
            c.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {n};\nCOMMIT;")
        except sqlite3.Error:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
    return current, max(current, latest)


def connect_pragmas(c: sqlite3.Connection) -> None:
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=NORMAL")
    c.execute("PRAGMA foreign_keys=ON")
    c.execute("PRAGMA busy_timeout=5000")
    c.execute("PRAGMA journal_size_limit=67108864")


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
    check_version(c)
    connect_pragmas(c)
    migrate_sync(c)
    check_writable(c)


class Store:
    """Async facade over one SQLite file; every method is one hop to the connection's thread."""

    def __init__(self, db: aiosqlite.Connection, path: str, defaults: Defaults) -> None:
        self._db = db
        self.path = path
        self.defaults = defaults

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
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` on the connection's own thread: one hop, however many statements."""
        db = self._db
        result: T = await db._execute(lambda: fn(db._conn))  # type: ignore[no-untyped-call]
        return result

    # -- events ------------------------------------------------------------------------------------------
    async def handle(self, ref: UserRef, event: Event, now: datetime) -> Handled:
        """One person's event, start to finish, in one transaction."""
        try:
            return await self._run(lambda c: self._tx(c, lambda: self._handle(c, ref, event, now)))
        except sqlite3.Error as e:
            raise _explain(self.path, e) from e

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
            "SELECT id, locale, tz, country, name, chat_id, unreachable FROM users "
            "WHERE platform = ? AND external_id = ?",
            (ref.platform, ref.external_id),
        ).fetchone()
        if row is None:
            d = self.defaults
            locale = ref.locale[:2].lower() if ref.locale[:2].lower() in machine.LOCALES else d.locale
            cur = c.execute(
                "INSERT INTO users (platform, external_id, chat_id, name, locale, tz, country, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (ref.platform, ref.external_id, ref.chat_id, ref.name[:64], locale, d.tz, d.country, ts(now)),
            )
            return Person(int(cur.lastrowid or 0), locale, d.tz, d.country, ref.name[:64])
        uid, locale, tz, country, name, chat_id, unreachable = row
        if (ref.chat_id and ref.chat_id != chat_id) or (ref.name and ref.name[:64] != name) or unreachable:
            name = ref.name[:64] or name
            c.execute(
                "UPDATE users SET chat_id = ?, name = ?, unreachable = 0 WHERE id = ?",
                (ref.chat_id or chat_id, name, uid),
            )
        return Person(uid, locale, tz, country, name)

    def _person(self, c: sqlite3.Connection, uid: int) -> Person | None:
        row = c.execute("SELECT id, locale, tz, country, name FROM users WHERE id = ?", (uid,)).fetchone()
        return Person(*row) if row else None

    def _timeout(self, c: sqlite3.Connection, tid: str) -> Timeout | None:
        row = c.execute(f"SELECT {_TIMEOUT_COLS} FROM timeouts WHERE id = ?", (tid,)).fetchone()
        return _timeout_from(row) if row else None

    def _active_timeout(self, c: sqlite3.Connection, uid: int) -> Timeout | None:
        row = c.execute(
            f"SELECT {_TIMEOUT_COLS} FROM timeouts WHERE initiator = ? AND status IN ('running', 'returning') "
            f"UNION ALL SELECT {_TIMEOUT_COLS} FROM timeouts WHERE partner = ? "
            "AND status IN ('running', 'returning') LIMIT 1",
            (uid, uid),
        ).fetchone()
        return _timeout_from(row) if row else None

    def _couple(self, c: sqlite3.Connection, uid: int) -> tuple[Person | None, Contract]:
        row = c.execute(
            "SELECT b FROM couples WHERE a = ? UNION ALL SELECT a FROM couples WHERE b = ? LIMIT 1", (uid, uid)
        ).fetchone()
        partner = self._person(c, row[0]) if row else None
        return partner, Contract()

    def _step(self, c: sqlite3.Connection, person: Person, event: Event, now: datetime, *, direct: bool) -> Handled:
        srow = c.execute("SELECT data FROM sessions WHERE user_id = ?", (person.id,)).fetchone()
        session = load_session(srow[0] if srow else None)
        if isinstance(event, TimerFired):
            timeout = self._timeout(c, event.timeout_id)
        else:
            timeout = self._active_timeout(c, person.id)
            if timeout is None and session.timeout_id:
                timeout = self._timeout(c, session.timeout_id)
        partner, contract = self._couple(c, person.id)
        ctx = machine.Ctx(now, person, partner, contract)
        result = machine.step(State(session, timeout), event, ctx)
        new = result.state
        if new.session != session or srow is None:
            c.execute(
                "INSERT INTO sessions (user_id, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (person.id, dump_session(new.session), ts(now)),
            )
        if new.timeout is not None and new.timeout != timeout:
            _save_timeout(c, new.timeout)
        replies: list[Reply] = []
        scheduled = False
        for fx in result.effects:
            if isinstance(fx, Reply):
                if direct:
                    replies.append(fx)
                else:
                    _enqueue(c, person.id, dump_payload(fx.msg, fx.choices, fx.pacer), "", now, None)
                    scheduled = True
            else:
                scheduled |= _apply(c, fx, person, now)
                if isinstance(fx, SetProfile):
                    person = replace(person, locale=fx.locale or person.locale, tz=fx.tz or person.tz)
        return Handled(person, tuple(replies), scheduled)

    # -- timers ------------------------------------------------------------------------------------------
    async def fire_due(self, now: datetime, limit: int = 200) -> int:
        """Run every timer due by `now` (up to `limit`) through the core, each in its own transaction."""
        return await self._run(lambda c: self._fire_due(c, now, limit))

    def _fire_due(self, c: sqlite3.Connection, now: datetime, limit: int) -> int:
        rows = c.execute(
            "SELECT id, user_id, kind, timeout_id, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?",
            (ts(now), limit),
        ).fetchall()
        fired = 0
        for tid, uid, kind, timeout_id, due in rows:
            try:
                fired += self._tx(c, partial(self._fire_one, c, tid, uid, kind, timeout_id, due, now))
            except Exception:
                log.exception("timer %s failed; dropped so it cannot block the others", tid)
                self._tx(c, partial(c.execute, "DELETE FROM timers WHERE id = ?", (tid,)))
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
        """The earliest due time (unix seconds) of any timer or outbox row: two index seeks."""

        def q(c: sqlite3.Connection) -> int | None:
            a = c.execute("SELECT min(due_at) FROM timers").fetchone()[0]
            b = c.execute("SELECT min(due_at) FROM outbox").fetchone()[0]
            vals = [v for v in (a, b) if v is not None]
            return min(vals) if vals else None

        return await self._run(q)

    # -- outbox ------------------------------------------------------------------------------------------
    async def due_outbox(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        def q(c: sqlite3.Connection) -> list[OutboxRow]:
            rows = c.execute(
                "SELECT o.id, o.user_id, u.platform, u.external_id, u.chat_id, u.locale, u.tz, o.payload, "
                "o.attempts, o.expires_at FROM outbox o JOIN users u ON u.id = o.user_id "
                "WHERE o.due_at <= ? ORDER BY o.due_at, o.id LIMIT ?",
                (ts(now), limit),
            ).fetchall()
            return [
                OutboxRow(r[0], Recipient(r[1], r[2], r[3], r[4]), r[5], r[6], r[7], r[8],
                          dt(r[9]) if r[9] is not None else None)
                for r in rows
            ]

        return await self._run(q)

    async def settle(
        self, delivered: list[int], retry: list[tuple[int, int]], dropped: list[int], unreachable: list[int]
    ) -> None:
        """After a delivery round: remove what went out or is dropped, reschedule retries, mark the unreachable."""

        def body(c: sqlite3.Connection) -> None:
            c.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in delivered + dropped])
            c.executemany(
                "UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id = ?", [(d, i) for i, d in retry]
            )
            c.executemany("UPDATE users SET unreachable = 1 WHERE id = ?", [(u,) for u in unreachable])
            c.executemany("DELETE FROM outbox WHERE user_id = ?", [(u,) for u in unreachable])

        await self._run(lambda c: self._tx(c, lambda: body(c)))

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
    "id, initiator, partner, started_at, return_at, extensions_used, status, ready, notified, ended_at"
)


def _timeout_from(row: tuple[Any, ...]) -> Timeout:
    tid, initiator, partner, started, ret, ext, status, ready, notified, ended = row
    return Timeout(
        tid, initiator, partner, dt(started), dt(ret), ext, TimeoutStatus(status),
        frozenset(int(x) for x in ready.split(",") if x), bool(notified), dt(ended) if ended else None,
    )


def _save_timeout(c: sqlite3.Connection, t: Timeout) -> None:
    c.execute(
        "INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, ready, "
        "notified, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "partner = excluded.partner, return_at = excluded.return_at, "
        "extensions_used = excluded.extensions_used, status = excluded.status, ready = excluded.ready, "
        "notified = excluded.notified, ended_at = excluded.ended_at",
        (t.id, t.initiator, t.partner, ts(t.started_at), ts(t.return_at), t.extensions_used, t.status.value,
         ",".join(str(u) for u in sorted(t.ready)), int(t.notified), ts(t.ended_at) if t.ended_at else None),
    )


def _enqueue(c: sqlite3.Connection, to: int, payload: str, tag: str, now: datetime, expires: datetime | None) -> None:
    c.execute(
        "INSERT INTO outbox (user_id, payload, tag, due_at, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (to, payload, tag, ts(now), ts(expires) if expires else None, ts(now)),
    )


def _apply(c: sqlite3.Connection, fx: Effect, person: Person, now: datetime) -> bool:
    """Perform one effect in the open transaction. True when something is now scheduled or queued."""
    if isinstance(fx, Notify):
        _enqueue(c, fx.to, dump_payload(fx.msg, fx.choices), fx.tag, now, fx.expires_at)
        return True
    if isinstance(fx, StartTimer):
        c.execute(
            "INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at",
            (fx.id, fx.user, fx.kind.value, fx.timeout_id, ts(fx.at)),
        )
        return True
    if isinstance(fx, CancelTimer):
        c.execute("DELETE FROM timers WHERE id = ?", (fx.id,))
    elif isinstance(fx, CancelNotices):
        # `tag <> ''` lets SQLite use the partial index outbox_tag (otherwise: a full scan)
        c.execute("DELETE FROM outbox WHERE tag = ? AND tag <> '' AND user_id <> ?", (fx.tag, person.id))
    elif isinstance(fx, RecordOutcome):
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
    elif isinstance(fx, SetProfile):
        if fx.locale:
            c.execute("UPDATE users SET locale = ? WHERE id = ?", (fx.locale, person.id))
        if fx.tz:
            c.execute("UPDATE users SET tz = ? WHERE id = ?", (fx.tz, person.id))
    return False
