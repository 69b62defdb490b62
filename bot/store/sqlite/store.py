"""The SQLite store: the store port (bot.store.port) on one SQLite file (WAL), one writer thread per process.

Theory of operation
-------------------
One sqlite3 connection per process, owned by one writer thread (`thread.Writer`); each awaited call costs a
thread hand-off (about 0.1 ms, more than a whole event's SQL). So a whole event is one plain function run on
that thread (`_run`): BEGIN IMMEDIATE, load the person, their session, their time-out, their couple (partner,
active contract, open proposal: one joined query) and whatever this one event needs besides (an invite code
looked up by its hash, a fresh random code, past time-outs for patterns); run the pure core; write the
session, the time-out, timers, outbox rows, pairing and contract rows; COMMIT; and then, still on the thread,
whatever the caller wants made of the result (the Dialogue renders its replies). Events that arrive in the
same turn of the event loop travel together, one hop for the lot, and share ONE transaction, each event in a
savepoint of its own (`_batch`): under load the hop and the COMMIT are shared instead of paid per event
(`batching.Line`). An event that fails is rolled back to its savepoint, alone; each event is answered only
after the COMMIT that holds it (should that transaction fail as a whole, its events are settled again, one
transaction each). Because the worker thread runs one function at a
time, transactions never interleave: that is the per-couple (indeed global) serialisation, with no lock to
forget. And while the thread has nothing to do, an event does not hop at all: it runs right there on the event
loop (`_settle_here`), which the thread then leaves alone, so nothing interleaves either; a hop costs more
than the whole transaction's statements. Only when that is safe: the write lock taken without waiting (held
by another process: to the thread, which waits for it), and the WAL truncation of a /forget (two fsyncs)
goes to the thread. Write transactions use BEGIN IMMEDIATE, which takes the write lock up front and honours busy_timeout
(a deferred BEGIN that reads and then writes does not); with several processes on the file, that same lock
serialises their transactions too. Which process fires which timer and delivers which outbox row is in
bot.store.sqlite.sharing (several processes on one file).

The WAL truncation owed after erased text is bot.store.sqlite.wal's (`WalTruncation`, a part of this store).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.codec import dt, dump_payload, dump_session, load_session, ts
from bot.core import flow
from bot.core.effects import Export, Forget, Msg, Reply, SetProfile
from bot.core.events import Event, TimerFired, TimerKind
from bot.core.model import CountryFrom, Person, Plan, Session, State
from bot.logsafe import where
from bot.ports import Recipient, UserRef
from bot.store import once
from bot.store.policy import PRIVATE_KEPT, is_private, new_id
from bot.store.port import BackupInfo, Defaults, Handled, OutboxRow, StoreError
from bot.store.sqlite.backup import backup
from bot.store.sqlite.batching import BATCH_MAX, Line
from bot.store.sqlite.checkpointer import AUTOCHECKPOINT_NET, CHECKPOINT_EVERY, Checkpointer
from bot.store.sqlite.connection import BUSY_TIMEOUT_MS, explain, open_sync
from bot.store.sqlite.effects import apply_effect, unname_timeouts
from bot.store.sqlite.rows import (
    contract_of,
    enqueue,
    export_json,
    first_value,
    load_active_timeout,
    load_ctx,
    load_person,
    load_timeout,
    load_user,
    save_timeout,
    shown_of,
    timeout_from,
)
from bot.store.sqlite.sharing import Sharing
from bot.store.sqlite.thread import Writer
from bot.store.sqlite.wal import ERASED_NOW, ERASED_SOON, WalTruncation
from bot.store.sqlite.wal import WAL_ERASED_WITHIN as WAL_ERASED_WITHIN  # where tests and the bench look

log = logging.getLogger(__name__)
T = TypeVar("T")

SESSIONS_CACHED = 2048
"""How many parsed sessions the store keeps by their stored text (a few hundred bytes each)."""


def _same(done: Handled) -> Handled:
    return done


_Waiting = tuple[UserRef, Event, datetime, Callable[[Handled], Any]]
"""An event waiting for the thread: who, what, when, and what to make of it there."""


class _Busy(Exception):
    """The write lock could not be had at once (another process holds it): leave the event to the thread."""


class _Redo(Exception):
    """A batch's one transaction failed as a whole (rolled back, nothing of it committed): settle its events
    again, one transaction each, as if there had been no batch."""


def _begin(c: sqlite3.Connection) -> None:
    c.execute("BEGIN IMMEDIATE")


def _begin_here(c: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE on the event loop: the write lock without waiting for it, or _Busy (see _tx_here)."""
    try:
        c.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:  # locked by another process (or worse: the thread will say)
        raise _Busy from e


def _reply(then: Callable[[Handled], Any], done: Handled, fut: asyncio.Future[Any]) -> None:
    """What is made of an event's result (`then`), as its caller's answer, or the error that raised."""
    try:
        result = then(done)
    except Exception as e:
        _answer(fut, error=e)
    else:
        _answer(fut, result)


def _answer(fut: asyncio.Future[Any], result: Any = None, error: BaseException | None = None) -> None:
    if fut.done():  # the caller gave up; its event was handled all the same
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result)


def _pass_on(fut: asyncio.Future[Any], task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        if not fut.done():
            fut.cancel()
        return
    _answer(fut, None if task.exception() else task.result(), task.exception())


class SqliteStore(Sharing, WalTruncation):
    """The store port (bot.store.port.StorePort) on one SQLite file; every method is one hop to its thread."""

    HERE = True
    """Events run on the event loop while the thread is idle (`_settle_here`). Not on PostgreSQL: there every
    statement is a round trip to the server, which the event loop must not sit and wait for."""

    BATCH = True
    """Events settled together (on the loop or in one hop to the thread) share one transaction, a savepoint
    each (`_batch`). Not on PostgreSQL: there a transaction holds its couples' locks until its COMMIT, and
    several couples' locks held at once by several processes could wait for each other."""

    def __init__(self, db: Writer, path: str, defaults: Defaults) -> None:
        self._db = db
        self.path = path
        self.defaults = defaults
        self.random_bytes: Callable[[int], bytes] = secrets.token_bytes
        """Where invite codes come from. Only the demo swaps it, to script a pairing."""
        self.random_id: Callable[[], int] = new_id
        """Where the ids of new time-outs and couples come from (random: they tell nothing about anyone)."""
        self._line: Line[_Waiting] = Line(lambda fn: self._run(fn), self._settle,
                                          self._settle_here if self.HERE else None,
                                          self._settle_batch if self.BATCH else None)
        """Events waiting for the thread, and the batches on their way (see handle_then)."""
        self._sent: set[asyncio.Future[Any]] = set()
        self._sessions: dict[str, Session] = {}
        """Stored session text -> the parsed (immutable) Session, for the most recently read or written rows:
        an event re-reads its row but skips parsing it. Emptied on /forget and when private text is wiped
        (`_forget_memory`), so erased words do not linger in memory either."""
        self._init_wal()  # what erased text owes the WAL (bot.store.sqlite.wal)
        self._checkpointer: Checkpointer | None = None
        """The WAL's checkpoints, on a connection and thread of their own (bot.store.sqlite.checkpointer)."""
        self._commits = 0
        self._init_sharing()

    @classmethod
    async def open(cls, path: str | Path, defaults: Defaults | None = None) -> SqliteStore:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await Writer.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise explain(path, e) from e
        store = cls(db, path, defaults or Defaults())
        try:
            # The version check comes first: switching to WAL already writes to the file, and a file
            # that is newer than this code must be left exactly as it is.
            await store._run(open_sync)
        except sqlite3.Error as e:
            await db.close()
            raise explain(path, e) from e
        except StoreError:
            await db.close()
            raise
        await store.truncate_wal(force=True)  # what a crash left in the WAL (erased text too) goes now
        if path != ":memory:":  # checkpoints off the events' path: no commit waits for the disk
            await store._run(lambda c: c.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_NET}"))
            store._checkpointer = Checkpointer(path)
        return store

    async def close(self) -> None:
        """Detach (if attached), do an owed WAL truncation, and close the connection and its thread."""
        await self.detach()
        await self._close_wal()
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        await self._db.close()

    async def schema_version(self) -> int:
        """The migration the file is at (PRAGMA user_version)."""
        return await self._run(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]))

    async def backup(self, target: str | Path) -> BackupInfo:
        """An online, consistent copy of the file at `target` (bot.store.sqlite.backup), safe while it runs."""
        return await backup(self.path, target)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` on the connection's own thread: one hop, however many statements. There, and only
        there, the connection waits for a lock (busy_timeout): the event loop uses it too (`_settle_here`),
        and must never wait, so at rest its busy_timeout is 0 (no statement per event to switch it)."""
        return await self._db.run(partial(_waiting, fn) if self.HERE else fn)

    # -- events ------------------------------------------------------------------------------------------
    async def handle(self, ref: UserRef, event: Event, now: datetime) -> Handled:
        """One person's event, start to finish, in one transaction (its own, or shared with the events that
        arrived with it, in a savepoint of its own: see handle_then)."""
        return await self.handle_then(ref, event, now, _same)

    async def handle_then(self, ref: UserRef, event: Event, now: datetime, then: Callable[[Handled], T]) -> T:
        """`handle`, and then `then(handled)` on the thread right after the commit (the Dialogue renders
        its replies there: pure work that would otherwise wait for the event loop).

        Events that arrive in the same turn of the event loop go to the thread together, in arrival order,
        in ONE hop and ONE transaction (a savepoint each: `_batch`), and the next batch is sent without
        waiting for the one before: under load a thread hop and a COMMIT are shared by many events instead
        of paid by each, and one person's events keep their order (the thread takes batches first come,
        first served). While the thread is idle the same happens right on the event loop (`_settle_here`)."""
        try:
            result: T = await self._line.put((ref, event, now, once.carried(then)))
        except sqlite3.Error as e:
            raise explain(self.path, e) from e
        return result

    def _settle(self, c: sqlite3.Connection, job: _Waiting) -> Any:
        ref, event, now, then = job
        return then(self._handled(c, ref, event, now, once.key_of(then)))

    def _settle_here(self, line: list[tuple[_Waiting, asyncio.Future[Any]]]) -> list[tuple[_Waiting, Any]]:
        """Settle the waiting events right here, on the event loop, for as long as the thread is idle (nothing
        given to it is waiting or running, so nothing is overtaken and nothing runs beside); give back the
        rest, in order, for the thread. Several events (up to BATCH_MAX) share ONE transaction, each in a
        savepoint of its own (`_batch`); each hears its result only after that COMMIT. A /forget has its WAL
        truncation (and what is made of its result) done on the thread: that writes and syncs files, which the
        loop does not wait for; other erasures owe theirs (WAL_ERASED_WITHIN)."""
        i = 0
        while i < len(line):
            rest = line[i:]
            c = self._db.idle()
            if c is None:
                return rest
            if len(rest) == 1 or not self.BATCH:
                return self._settle_here_each(rest)
            try:
                outcomes = self._batch(c, [job for job, _ in rest[:BATCH_MAX]], _begin_here)  # then the next
            except _Busy:
                return rest
            except _Redo:  # nothing of it committed: each on its own, as if there had been no batch
                return self._settle_here_each(rest)
            i += len(outcomes)
            forgot = self._erased == ERASED_NOW  # only ever the batch's last event
            if self._erased and not forgot:
                self._owe_truncation()
            for k, ((job, fut), done) in enumerate(zip(rest, outcomes, strict=False)):
                if isinstance(done, Exception):
                    _answer(fut, error=done)
                elif forgot and k == len(outcomes) - 1:  # /forget: its truncation before its reply, on the thread
                    self._reply_after_truncation(job[3], done, fut)
                else:
                    _reply(job[3], done, fut)
        return []

    def _settle_batch(self, c: sqlite3.Connection, jobs: list[_Waiting]) -> list[Any]:
        """On the thread: each job's result (or its error), as `_settle` one by one would give them, but several
        events in ONE transaction, a savepoint each (`_batch`); the result of each is made after that COMMIT."""
        out: list[Any] = []
        while len(out) < len(jobs):
            rest = jobs[len(out):]
            if len(rest) == 1:
                out.append(self._settle_or_error(c, rest[0]))
                continue
            try:
                outcomes = self._batch(c, rest, _begin)
            except _Redo:  # nothing of it committed: each on its own, as if there had been no batch
                out += [self._settle_or_error(c, job) for job in rest]
                break
            self._truncate_wal_if_erased(c)  # a /forget's (the batch's last event) now, before its reply
            for job, done in zip(rest, outcomes, strict=False):
                if isinstance(done, Exception):
                    out.append(done)
                    continue
                try:
                    out.append(job[3](done))
                except Exception as e:
                    out.append(e)
        return out

    def _settle_or_error(self, c: sqlite3.Connection, job: _Waiting) -> Any:
        try:
            return self._settle(c, job)
        except Exception as e:
            return e

    def _batch(self, c: sqlite3.Connection, jobs: list[_Waiting],
               begin: Callable[[sqlite3.Connection], None]) -> list[Handled | Exception]:
        """Events in ONE transaction, each in a SAVEPOINT of its own: an event that raises is rolled back to its
        savepoint (its own work only; its outcome is the error) and the others commit together, in order. A
        COMMIT per event costs more than all of a savepoint's statements. Stops after an event that erased a
        whole person (a /forget: its WAL truncation comes right after its commit). Returns the outcomes
        (Handled, or the error) of the events done: the first of `jobs`, all committed when it returns.
        `begin` takes the write lock (_Busy from it: nothing done). _Redo: the transaction as a whole failed
        (its COMMIT, a savepoint, or an error that ended it): rolled back, nothing of it is committed; or its
        BEGIN failed (the thread waited busy_timeout for another process's lock): then each event waits for
        the lock again on its own, as without batches."""
        try:
            begin(c)
        except _Busy:
            raise
        except Exception as e:
            raise _Redo from e
        erased_before = self._erased
        out: list[Handled | Exception] = []
        try:
            for ref, event, now, then in jobs:
                erased = self._erased
                c.execute("SAVEPOINT event")
                try:
                    done = self._handle(c, ref, event, now, once.key_of(then))
                except Exception as e:
                    if not c.in_transaction:  # the error ended the whole transaction (SQLite rolled it back)
                        raise _Redo from e
                    c.execute("ROLLBACK TO event")
                    c.execute("RELEASE event")
                    self._erased = erased  # what it erased was rolled back with it
                    out.append(e)
                    continue
                c.execute("RELEASE event")
                out.append(done)
                if self._erased == ERASED_NOW:
                    break
            c.execute("COMMIT")
        except BaseException as e:
            if c.in_transaction:
                c.execute("ROLLBACK")
            self._erased = erased_before
            if isinstance(e, Exception) and not isinstance(e, _Redo):
                raise _Redo from e
            raise
        self._committed(c, len(out))
        return out

    def _settle_here_each(self, line: list[tuple[_Waiting, asyncio.Future[Any]]]) -> list[tuple[_Waiting, Any]]:
        """`_settle_here`, one transaction per event (a lone event, or a batch whose one transaction failed)."""
        for i, (job, fut) in enumerate(line):
            c = self._db.idle()
            if c is None:
                return line[i:]
            ref, event, now, then = job
            try:
                done = self._tx_here(c, lambda: self._handle(c, ref, event, now, once.key_of(then)))  # noqa: B023
            except _Busy:
                return line[i:]
            except Exception as e:
                _answer(fut, error=e)
                continue
            if self._erased == ERASED_NOW:  # /forget: its truncation before its reply, on the thread
                self._reply_after_truncation(then, done, fut)
                continue  # the thread is busy now: the rest go after it
            if self._erased:
                self._owe_truncation()
            _reply(then, done, fut)
        return []

    def _reply_after_truncation(self, then: Callable[[Handled], Any], done: Handled, fut: asyncio.Future[Any]) -> None:
        """A /forget settled on the loop: its WAL truncation, then what is made of its result, on the thread."""
        task = asyncio.ensure_future(self._run(partial(self._truncated_then, then=then, done=done)))
        self._sent.add(task)
        task.add_done_callback(self._sent.discard)
        task.add_done_callback(partial(_pass_on, fut))

    def _truncated_then(self, c: sqlite3.Connection, then: Callable[[Handled], T], done: Handled) -> T:
        self._truncate_wal_if_erased(c)
        return then(done)

    def _tx_here(self, c: sqlite3.Connection, body: Callable[[], T]) -> T:
        """`_tx` on the event loop: the write lock is taken without waiting for it (busy_timeout is 0 off the
        thread: `_run`), or not at all (_Busy). Once BEGIN IMMEDIATE holds it, nothing in the transaction
        waits for a lock (a deferred transaction could need one later; this one has it; the automatic
        checkpoint after the COMMIT is PASSIVE, which never waits)."""
        _begin_here(c)
        out = _commit_or_roll_back(c, body)
        self._committed(c)
        return out

    def _committed(self, c: sqlite3.Connection, events: int = 1) -> None:
        """After a commit (of `events` events) on `c`: every CHECKPOINT_EVERY events, a checkpoint by the
        checkpoint thread (it never waits); and when the WAL has grown long, the catch-up that lets it start
        over (Checkpointer.catch_up)."""
        before = self._commits
        self._commits += events
        if self._checkpointer is not None:
            if self._commits // CHECKPOINT_EVERY > before // CHECKPOINT_EVERY:
                self._checkpointer.poke()
            self._checkpointer.catch_up(c)

    def _handled(
        self, c: sqlite3.Connection, ref: UserRef, event: Event, now: datetime, update: str | None = None
    ) -> Handled:
        done = self._tx(c, lambda: self._handle(c, ref, event, now, update))
        self._truncate_wal_if_erased(c)
        return done

    def _tx(self, c: sqlite3.Connection, body: Callable[[], T]) -> T:
        _begin(c)
        out = _commit_or_roll_back(c, body)
        self._committed(c)
        return out

    def _handle(
        self, c: sqlite3.Connection, ref: UserRef, event: Event, now: datetime, update: str | None = None
    ) -> Handled:
        # The update's key first (bot.store.once): on PostgreSQL a second copy waits here for the first one's
        # commit, holding nothing.
        fresh = update is None or once.first_time(c, update, int(self.wall()))
        person = load_user(c, ref, now, self.defaults)
        if not fresh:
            log.info("an update handled before arrived again (a retry): nothing done")
            return Handled(person, (), False)
        self._hold_couple(c, person.id)
        return self._step(c, person, event, now, direct=True)

    def _hold_couple(self, c: sqlite3.Connection, uid: int) -> None:
        """Keep the couple's events from interleaving with another process's: on SQLite the transaction's
        write lock already does (BEGIN IMMEDIATE); PostgreSQL takes the couple's lock here."""

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
        timeout_from.cache_clear()
        contract_of.cache_clear()  # contracts hold the partners' own sentences
        shown_of.cache_clear()  # and names

    def _step(self, c: sqlite3.Connection, person: Person, event: Event, now: datetime, *, direct: bool) -> Handled:
        srow = c.execute("SELECT data FROM sessions WHERE user_id = ?", (person.id,)).fetchone()
        session = self._session(srow[0] if srow else None)
        if isinstance(event, TimerFired):
            timeout = load_timeout(c, event.timeout_id)
        else:
            timeout = load_active_timeout(c, person.id, now)
            if timeout is None and session.timeout_id:
                timeout = load_timeout(c, session.timeout_id)
        try:
            ctx = load_ctx(c, person, event, now, self.random_bytes, timeout, self.random_id(),
                           newcomer=srow is None and not isinstance(event, TimerFired))
            result = flow.step(State(session, timeout), event, ctx)
        except Exception as e:  # a broken invariant: answer kindly, keep the state; log no text
            log.error("step failed: %s (%s); state kept", type(e).__name__, where(e))
            return Handled(person, (Reply(Msg.of("error.step")),) if direct else (), False, None, False)
        new = result.state
        # `is not` first: a step that leaves the session (or time-out) alone returns the very same object
        if srow is None or (new.session is not session and new.session != session):
            text = dump_session(new.session)
            self._remember(text, new.session)
            private = is_private(new.session)
            if srow is not None and not private and is_private(session):
                self._erased = max(self._erased, ERASED_SOON)  # private text wiped (the time-out ended)
            c.execute(
                "INSERT INTO sessions (user_id, data, updated_at, private) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
                "private = excluded.private",
                (person.id, text, ts(now), int(private)),
            )
        if new.timeout is not None and new.timeout is not timeout and new.timeout != timeout:
            save_timeout(c, new.timeout)
        replies: list[Reply] = []
        scheduled = False
        export: bytes | None = None
        forgot = False
        for fx in result.effects:
            if isinstance(fx, Export):
                export = export_json(c, person.id, now)
            elif isinstance(fx, Forget):
                unname_timeouts(c, person.id, now, self.random_id)
                c.execute("DELETE FROM users WHERE id = ?", (person.id,))  # everything else cascades
                self._forget_memory()
                self._erased, forgot = ERASED_NOW, True
            elif isinstance(fx, Reply):
                if direct:
                    replies.append(fx)
                else:
                    enqueue(c, person.id, dump_payload(fx.msg, fx.choices, fx.pacer), "", now, None)
                    scheduled = True
            else:
                scheduled |= apply_effect(c, fx, person, now)
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
        fired = sum(self._fire_row(c, row, now) for row in self._due_timers(c, now, limit))
        self._truncate_wal_if_erased(c)  # a time-out that ended (missed) wiped its private text
        return fired

    def _due_timers(self, c: sqlite3.Connection, now: datetime, limit: int) -> list[tuple[Any, ...]]:
        join, scope, params = self._served()
        return c.execute(
            f"SELECT t.id, t.user_id, t.kind, t.timeout_id, t.due_at FROM timers t{join} WHERE t.due_at <= ?{scope} "
            "ORDER BY t.due_at LIMIT ?",
            (ts(now), *params, limit),
        ).fetchall()

    def _fire_row(self, c: sqlite3.Connection, row: tuple[Any, ...], now: datetime) -> int:
        """One due timer, in its own transaction; a timer that fails is dropped so it cannot block the others."""
        tid, uid, kind, timeout_id, due = row
        try:
            return int(self._tx(c, partial(self._fire_one, c, tid, uid, kind, timeout_id, due, now)))
        except Exception:
            log.exception("timer %s failed; dropped so it cannot block the others", tid)
            self._tx(c, partial(c.execute, "DELETE FROM timers WHERE id = ?", (tid,)))
            return 0

    def _fire_one(
        self, c: sqlite3.Connection, tid: str, uid: int, kind: str, timeout_id: str, due: int, now: datetime
    ) -> int:
        # An earlier timer in this batch may have moved or cancelled this one.
        still = c.execute("SELECT due_at FROM timers WHERE id = ?", (tid,)).fetchone()
        if still is None or still[0] > ts(now):
            return 0
        c.execute("DELETE FROM timers WHERE id = ?", (tid,))
        person = load_person(c, uid)
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
                a = first_value(c.execute(
                    f"SELECT t.due_at FROM timers t{join} WHERE 1{scope} ORDER BY t.due_at LIMIT 1", params).fetchone())
                joins, where, jargs, wargs = self._claimable(c, int(self.wall()))
                b = first_value(c.execute(
                    f"SELECT o.due_at FROM outbox o{joins} WHERE 1{where} ORDER BY o.due_at LIMIT 1",
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
                self._erased = max(self._erased, ERASED_SOON)
            # belt and braces: a time-out past its latest possible end is closed, even if its timers were lost
            c.execute("UPDATE timeouts SET status = 'missed', ended_at = open_until "
                      "WHERE status IN ('running', 'returning') AND open_until <= ?", (ts(now),))
            return len(stale)

        def wipe(c: sqlite3.Connection) -> int:
            wiped = self._tx(c, lambda: body(c))
            self._truncate_wal_if_erased(c)
            self._tx(c, lambda: once.forget_seen(c, int(self.wall())))  # handled updates' keys, after SEEN_KEPT
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


def _waiting(fn: Callable[[sqlite3.Connection], T], c: sqlite3.Connection) -> T:
    """`fn(c)` with busy_timeout on (on the store's thread), and off again after it (see SqliteStore._run)."""
    c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return fn(c)
    finally:
        c.execute("PRAGMA busy_timeout=0")


def _commit_or_roll_back(c: sqlite3.Connection, body: Callable[[], T]) -> T:
    """The rest of a transaction already begun: `body`, then COMMIT, or ROLLBACK if it raised."""
    try:
        out = body()
    except BaseException:
        c.execute("ROLLBACK")
        raise
    c.execute("COMMIT")
    return out
