"""The PostgreSQL store: the SQLite store's code (one thread per process running whole transactions, the same
repository and effects) on a PostgreSQL connection (bot.store.postgres.connection says the SQL in PostgreSQL's
dialect), with what several processes on one server need besides.

Several processes on one database
---------------------------------
On SQLite one write lock (BEGIN IMMEDIATE) serialises every transaction of every process. On PostgreSQL
transactions run side by side (READ COMMITTED), so each one says what it must have to itself:
- an event takes `pg_advisory_xact_lock` on its couple (or, unpaired, on its person) before it reads their
  state: a couple's events never interleave, across processes too; other couples' run in parallel;
- a timer is fired by taking that same lock (without waiting: held by another process, the timer is left
  for the next round) and then the timer's row `FOR UPDATE SKIP LOCKED` (in that order, the order an event
  takes them in, so the two can never deadlock): a timer another process is firing is skipped, one it fired
  is gone;
- outbox rows are claimed `FOR UPDATE OF o SKIP LOCKED` and held by the claimer's lease (`processes`): a
  killed process's rows are anyone's once its lease runs out (policy.LEASE);
- a person's messages go out in order, from one process at a time: a row is claimed only with every earlier row
  of that person (the earlier ones claimed by another live process hold the later ones back; and a row whose
  earlier one another process has just locked, not yet claimed, is left too: `_recheck`);
- a process registering itself takes one advisory lock, so two starting together cannot both take a platform
  only one may serve;
- an event that comes from a platform update (a webhook worker's, a poller's) records the update's key first
  thing in its transaction (bot.store.once): the same update handed to a second worker is handled once.
A deadlock or a clash on a unique key between two processes (two first messages of one new person) rolls back
one transaction; it is run again from the start (`RETRIES`).

Round trips and connections
---------------------------
Every statement is a round trip to the server unless it need not be: a transaction runs in pipeline mode
(bot.store.postgres.connection), its writes answered together with its COMMIT, and the reads an event makes once
its couple's lock is held go right behind the lock (`_handle`): an ordinary event is 4 round trips (its person,
the lock with those reads, the one read that depends on them, the COMMIT), 10.5 before. Within one process, events
go over EVENT_CONNECTIONS connections, a thread each, a person always over the same one: the couple's lock keeps
a couple's events apart there just as across processes.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import psycopg
from psycopg import errors

from bot.codec import dt, ts
from bot.core.events import Event, TimerFired, TimerKind
from bot.core.model import Session
from bot.ports import UserRef
from bot.store import once
from bot.store.port import BackupError, BackupInfo, Defaults, Handled, StoreError
from bot.store.postgres.connection import Connection, migrate, redact
from bot.store.sqlite.batching import Line
from bot.store.sqlite.rows import _COUPLE_SQL, ACTIVE_TIMEOUT_SQL, load_person, load_user
from bot.store.sqlite.store import SqliteStore
from bot.store.sqlite.thread import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRIES = 5
"""How often a transaction rolled back by another process's (a deadlock, a unique key taken meanwhile) is run
again before its caller hears the error."""
REGISTER_LOCK = 0x70726F63  # "proc": one registration at a time
_AGAIN = (errors.DeadlockDetected, errors.SerializationFailure, errors.UniqueViolation)
_KEY = "SELECT coalesce((SELECT id FROM couples WHERE a = ?1 OR b = ?1), -?1)"
"""The lock key of a person: their couple's id, or minus their own id when unpaired."""
_LOCK_WAIT = f"SELECT k, pg_advisory_xact_lock(k) FROM ({_KEY} AS k) lock_key"  # (void: held once it answers)
_LOCK_TRY = f"SELECT k, pg_try_advisory_xact_lock(k) FROM ({_KEY} AS k) lock_key"
_SESSION = "SELECT data FROM sessions WHERE user_id = ?"
_ACTIVE = ACTIVE_TIMEOUT_SQL  # bot.store.sqlite.rows.load_active_timeout's, word for word (read ahead)


def pg_tool(name: str) -> str | None:
    """A PostgreSQL client program (pg_dump): on PATH, or Debian's /usr/lib/postgresql/N/bin, newest first."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


class PostgresStore(SqliteStore):
    """The store port on a PostgreSQL database (`DATABASE_URL=postgresql://…`)."""

    LOCK_CLAIMED = " FOR UPDATE OF o SKIP LOCKED"
    HERE = False
    BATCH = False
    LEASE = timedelta(seconds=4)
    """Shorter than on one machine's file: a server answers a heartbeat in a millisecond, and a killed
    process's claimed rows go to another within 4 s: a ping that was due is out within 5 s of a kill."""
    BEATS = 8
    """A heartbeat every half second: one delayed by a busy thread or machine by up to 3 s still keeps the lease
    (a lease that lapses while its process lives lets another one send what it is sending: twice)."""

    EVENT_CONNECTIONS = 4
    """Events go over this many connections of their own (each on a thread of its own), a person's always over
    the same one, so that their events keep their order; a couple's two partners wait for each other on the
    server (the couple's lock), other couples' events run side by side: while one waits for the server (a read,
    its COMMIT's flush to disk), another's Python runs, and commits that meet are flushed together. Timers,
    deliveries, heartbeats and the rest keep the first connection (not stuck behind a queue of events)."""

    def __init__(self, db: Writer, url: str, defaults: Defaults) -> None:
        super().__init__(db, redact(url), defaults)
        self._url = url
        self._lsn = ""
        self._event_writers: list[Writer] = []
        self._event_lines: list[Line[Any]] = []
        self._remembering = threading.Lock()

    @classmethod
    async def open(cls, path: str | Path, defaults: Defaults | None = None) -> PostgresStore:
        url = str(path)
        db = await Writer.connect(url, opener=lambda: Connection.connect(url))
        store = cls(db, url, defaults or Defaults())
        try:
            await store._run(lambda c: migrate(cast(Connection, c)))
            for _ in range(cls.EVENT_CONNECTIONS):
                writer = await Writer.connect(url, opener=lambda: Connection.connect(url))
                store._event_writers.append(writer)
                store._event_lines.append(Line(writer.run, store._settle))
        except psycopg.Error as e:
            await store._close_writers()
            raise StoreError(f"The PostgreSQL database {store.path} could not be used: {type(e).__name__}: "
                             f"{e.diag.message_primary or ''}") from e
        except BaseException:
            await store._close_writers()
            raise
        return store

    async def _close_writers(self) -> None:
        for writer in (*self._event_writers, self._db):
            await writer.close()

    async def close(self) -> None:
        """The events' connections finish what they were given and close; then as on SQLite."""
        for writer in self._event_writers:
            await writer.close()
        await super().close()

    def _remember(self, text: str, session: Session) -> Session:
        with self._remembering:  # several connections' threads share the cache
            return super()._remember(text, session)

    def _forget_memory(self) -> None:
        with self._remembering:
            super()._forget_memory()

    def _line_of(self, ref: UserRef) -> Line[Any]:
        lines = self._event_lines
        return lines[zlib.crc32(f"{ref.platform}:{ref.external_id}".encode()) % len(lines)] if lines else self._line

    async def handle_then(self, ref: UserRef, event: Event, now: datetime, then: Callable[[Handled], T]) -> T:
        job = (ref, event, now, once.carried(then))  # with the platform update it comes from (bot.store.once)
        try:
            result: T = await self._line_of(ref).put(job)
        except psycopg.Error as e:  # the message, not the statement's text or parameters (no user text)
            raise StoreError(f"The PostgreSQL database {self.path} could not be used: {type(e).__name__}") from e
        return result

    def _settle(self, c: Any, job: tuple[UserRef, Event, datetime, Callable[[Handled], Any]]) -> Any:
        ref, event, now, then = job
        return then(self._tx(c, lambda: self._handle(c, ref, event, now, once.key_of(then))))

    # -- one couple at a time, across processes ------------------------------------------------------------
    def _handle(self, c: Any, ref: UserRef, event: Event, now: datetime, update: str | None = None) -> Handled:
        """As on SQLite; and the reads every event makes once its couple's lock is held (its session, its open
        time-out, its couple) go right behind the lock, in its round trip (Connection.ahead)."""
        fresh = update is None or once.first_time(c, update, int(self.wall()))
        person = load_user(c, ref, now, self.defaults)
        if not fresh:
            log.info("an update handled before arrived again (a retry): nothing done")
            return Handled(person, (), False)
        uid = person.id
        self._lock_couple(c, uid, ahead=((_SESSION, (uid,)), (_ACTIVE, (uid, ts(now))), (_COUPLE_SQL, (uid,))))
        return self._step(c, person, event, now, direct=True)

    def _lock_couple(self, c: Any, uid: int, wait: bool = True,
                     ahead: tuple[tuple[str, tuple[Any, ...]], ...] = ()) -> bool:
        """Take (and hold until the commit) the lock of `uid`'s couple, or of `uid` alone when unpaired: wait
        for it, or (`wait=False`) give up at once when another process holds it. True: held. `ahead`: reads
        sent right behind the lock (they run once it is held), for the transaction to ask for next."""
        # the key looked up and its lock taken, the key looked up again now that it is held, and the reads
        # `ahead`: one round trip
        lock = c.execute(_LOCK_WAIT if wait else _LOCK_TRY, (uid,))
        if wait:
            c.ahead(_KEY, (uid,))
            for sql, params in ahead:
                c.ahead(sql, params)
        key, held = lock.fetchone()
        if not wait and not held:
            return False
        for _ in range(2):  # paired or unpaired meanwhile: take the lock that is theirs now
            now = c.execute(_KEY, (uid,)).fetchone()[0]
            if now == key:
                return True
            key = now
            c.drop_ahead()  # read behind another couple's lock: read again when asked
            if wait:
                c.execute("SELECT pg_advisory_xact_lock(?)", (key,))
            elif not c.execute("SELECT pg_try_advisory_xact_lock(?)", (key,)).fetchone()[0]:
                return False
        return True

    def _tx(self, c: Any, body: Callable[[], Any]) -> Any:
        for attempt in range(RETRIES):
            try:
                return super()._tx(c, body)
            except _AGAIN:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.001 * (attempt + 1))
        raise AssertionError("unreachable")

    async def fire_due(self, now: datetime, limit: int = 200) -> int:
        """As on SQLite, but each timer is its own hop to the thread: a heartbeat (or an event) waits for one
        transaction, not for a whole round of them (which, under load on a server, takes seconds)."""
        rows = await self._run(lambda c: self._due_timers(c, now, limit))
        fired = 0
        for row in rows:
            fired += await self._run(partial(self._fire_row, row=row, now=now))
        return fired

    def _fire_one(self, c: Any, tid: str, uid: int, kind: str, timeout_id: str, due: int, now: datetime) -> int:
        # Another process busy with this couple (its event, or this very timer): leave it, do the next one. It
        # stays due, so whoever is still on it or the next round takes it; processes walking the same due timers
        # so split them instead of waiting for each other one by one.
        if not self._lock_couple(c, uid, wait=False):
            return 0
        still = c.execute("SELECT due_at FROM timers WHERE id = ? FOR UPDATE SKIP LOCKED", (tid,)).fetchone()
        if still is None or still[0] > ts(now):
            return 0  # moved, cancelled, or being fired by another process
        c.execute("DELETE FROM timers WHERE id = ?", (tid,))
        person = load_person(c, uid)
        if person is None:
            return 0
        self._step(c, person, TimerFired(TimerKind(kind), timeout_id, dt(still[0])), now, direct=False)
        return 1

    def _recheck(self, c: Any, rows: list[tuple[Any, ...]], wall: int) -> list[tuple[Any, ...]]:
        """Looked at again now that they are locked, in a statement of its own (a fresh snapshot): a row another
        process claimed and committed while this one's select waited passes that select's re-check anyway
        (PostgreSQL re-checks a locked row's new version, but keeps the outer join to `processes` it made
        before), so it would be claimed twice. And a row is kept only when no earlier row of its person is left
        out of this claim: SKIP LOCKED skips a row another process has locked in its claim a moment ago, and
        taking that person's next row would send the two side by side, out of order. An earlier row this claim
        locked but leaves out (claimed by another process meanwhile: the first rule) counts as left out too: a
        select that began before another process's claim committed locks that process's rows as well, and its
        person's later rows must not go with this claim."""
        if not rows:
            return rows
        ids = [r[0] for r in rows]
        ok = {r[0] for r in c.execute(
            "SELECT o.id FROM outbox o LEFT JOIN processes cp ON cp.id = o.claimed_by AND cp.lease_until > ? "
            "WHERE o.id = ANY(?) AND (o.claimed_by IS NULL OR o.claimed_by = ? OR cp.id IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM outbox e LEFT JOIN processes ep ON ep.id = e.claimed_by "
            "AND ep.lease_until > ? WHERE e.user_id = o.user_id "
            "AND (e.due_at < o.due_at OR (e.due_at = o.due_at AND e.id < o.id)) "
            "AND (NOT e.id = ANY(?) OR (e.claimed_by <> ? AND ep.id IS NOT NULL)))",
            (wall, ids, self.process_id, wall, ids, self.process_id)).fetchall()}
        return [r for r in rows if r[0] in ok]

    def _claimable(self, c: Any, wall: int) -> tuple[str, str, tuple[Any, ...], tuple[Any, ...]]:
        """As on SQLite, but not a row whose person has an earlier row another live process is delivering: it
        waits for that one (so it is neither claimed nor counted as due: no busy round in `next_due`)."""
        joins, where, jargs, wargs = super()._claimable(c, wall)
        where += (" AND NOT EXISTS (SELECT 1 FROM outbox e JOIN processes ep ON ep.id = e.claimed_by "
                  "AND ep.lease_until > ? WHERE e.user_id = o.user_id AND e.claimed_by <> ? "
                  "AND (e.due_at < o.due_at OR (e.due_at = o.due_at AND e.id < o.id)))")
        return joins, where, jargs, (*wargs, wall, self.process_id)

    def _serialise(self, c: Any) -> None:
        c.execute("SELECT pg_advisory_xact_lock(?)", (REGISTER_LOCK,))

    # -- what SQLite's file needs and a server does not ----------------------------------------------------
    def _truncate_wal_if_erased(self, c: Any) -> None:
        self._erased = False  # erased rows are gone at the commit; the server's own log is its business

    async def truncate_wal(self, force: bool = False) -> bool:
        return True

    @property
    def wal_owed(self) -> bool:
        return False

    async def changed(self) -> bool:
        """Has anything been committed since the last look? (The server's write-ahead log position moved.)"""
        lsn = await self._run(lambda c: str(c.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]))
        before, self._lsn = self._lsn, lsn
        return before != lsn

    async def backup(self, target: str | Path) -> BackupInfo:
        """pg_dump's custom format at `target` (restore it with pg_restore), consistent while the bot runs."""
        tool = pg_tool("pg_dump")
        if tool is None:
            raise BackupError("pg_dump was not found (Debian: apt-get install postgresql-client). Nothing was written.")
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        done = subprocess.run([tool, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={self._url}"],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed ({done.returncode}); nothing was written.")
        return BackupInfo(target, target.stat().st_size, await self.schema_version(), time.monotonic() - start)
