"""Erased text leaves the WAL too: the WAL truncation a commit that erased private text owes, and when it is done.

A transaction that erases private text leaves the old pages, text and all, in the -wal file until a checkpoint
copies the WAL into the database (where secure_delete has zeroed the rows) and truncates it: two fsyncs, which
an event must not wait for. So the truncation is owed and done soon after, on the store's thread, for many
erasing events at once: erased text leaves the -wal file at most WAL_ERASED_WITHIN (1 s) after the commit that
erased it (a time-out's end, the 7-day wipe, a missed time-out's timer), plus the time the thread needs for
the work queued before it; at most one truncation a second. /forget does not wait: its own truncation runs
right after its commit, before "erased" is said. While another connection holds a read (a backup, the sqlite3
shell) the truncation cannot finish: it stays owed and the dispatcher's janitor tries again (WAL_RETRY) until
it does. Start-up and close truncate whatever is left. The WAL's ordinary checkpoints (SQLite's own, in the
commit that fills 1,000 pages: two fsyncs for one event in a hundred) are made by a second connection on a
thread of its own (bot.store.sqlite.checkpointer), beside the events, never in their way. Under steady load
those never find the WAL without new frames, so it would never start over and grow by megabytes a second
until the next truncation, which then frees all of it with the write lock held (a millisecond per 2-3 MB): so
once a checkpoint has copied WAL_RESTART_FRAMES, the store copies the few frames written since, right after
its next commit (Checkpointer.catch_up), and the WAL starts over at the write after it.

`WalTruncation` is the SqliteStore's part that owns this bookkeeping. The store marks what a commit erased
(`_erased`: ERASED_SOON or ERASED_NOW, set by its step, kept or rolled back with its savepoints) and calls
`_truncate_wal_if_erased` (on its thread) or `_owe_truncation` (on the event loop) after the commit; this part
decides when the truncation runs, runs it, and says whether one is owed (`wal_owed`, `truncate_wal`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.logsafe import where
from bot.store.sqlite.connection import checkpoint_truncate

if TYPE_CHECKING:
    from bot.store.sqlite.checkpointer import Checkpointer
    from bot.store.sqlite.thread import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

WAL_ERASED_WITHIN = 1.0
"""Erased private text leaves the -wal file at most this many seconds after the commit that erased it (unless a
reader is in the way): the owed WAL truncation is done then, for every erasure since the last one."""
ERASED_SOON, ERASED_NOW = 1, 2
"""What the transaction just committed erased: private text whose WAL truncation may wait (WAL_ERASED_WITHIN),
or a whole person (/forget), truncated right after the commit."""


class WalTruncation:
    """The store's WAL truncation after erased text: owed, timed, done (a part of SqliteStore)."""

    # A transaction that erased private text (/forget, a time-out's end, the 7-day wipe) leaves the old page
    # images, text and all, in the -wal file until a checkpoint copies the WAL into the database and truncates
    # it (see above). A /forget's runs right after its commit; the others are owed and done together,
    # WAL_ERASED_WITHIN after the first of them (`_owe_truncation`), by the store's thread. A truncation fails
    # (busy) while any other connection holds a read (a backup, the sqlite3 shell, monitoring): then it stays
    # owed, and is tried again (`truncate_wal`, from the dispatcher's loop) until it succeeds.

    if TYPE_CHECKING:  # what it uses of the store
        _db: Writer
        _checkpointer: Checkpointer | None
        _sent: set[asyncio.Future[Any]]
        wall: Callable[[], float]

        def _run(self, fn: Callable[[sqlite3.Connection], T]) -> Awaitable[T]: ...

    def _init_wal(self) -> None:
        self._erased = 0
        """The transaction just committed erased private text: ERASED_SOON or ERASED_NOW (`_truncate_wal_if_erased`)."""
        self._wal_owed = False
        self._wal_due: float | None = None
        """When (self.wall) the owed WAL truncation is to be done; None: nothing owed."""
        self._wal_timer: asyncio.TimerHandle | None = None
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # made outside an event loop (the bench calls the transaction body directly)
            self._loop = None
        self.WAL_ERASED_WITHIN = WAL_ERASED_WITHIN

    async def _close_wal(self) -> None:
        """On close: no timer left behind, and an owed truncation done now if it can be."""
        if self._wal_timer is not None:
            self._wal_timer.cancel()
            self._wal_timer = None
        if self._wal_owed:
            with contextlib.suppress(Exception):  # a reader in the way: the next start truncates it
                await self.truncate_wal(force=True)

    def _truncate_wal_if_erased(self, c: sqlite3.Connection) -> None:
        """After a commit, on the thread: a /forget's truncation now; any other erasure's owed."""
        if self._erased == ERASED_NOW:
            self._erased = 0
            self._checkpoint(c)
        elif self._erased:
            self._owe_truncation()

    def _checkpoint(self, c: sqlite3.Connection) -> bool:
        """Truncate the WAL now; True when done. Failed (a reader in the way): owed, to be tried again at once."""
        with self._checkpointer.lock if self._checkpointer is not None else contextlib.nullcontext():
            done = checkpoint_truncate(c)  # never beside the checkpoint thread's: that would make it busy
        self._wal_owed = not done
        self._wal_due = None if done else self.wall()
        return done

    def _owe_truncation(self) -> None:
        """Erased text is in the WAL: truncate it WAL_ERASED_WITHIN from now, or with the truncation already
        owed (earlier), whichever is first. Called on the thread or on the event loop."""
        self._erased = 0
        if self._wal_due is not None:
            return  # owed already: that truncation takes this erasure's pages with it
        self._wal_owed = True
        self._wal_due = self.wall() + self.WAL_ERASED_WITHIN
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._arm_truncation)

    def _arm_truncation(self) -> None:
        """On the event loop: a timer for the owed truncation (one at a time)."""
        if self._wal_timer is not None or self._wal_due is None or not self._db.is_open:
            return
        self._wal_timer = self._loop.call_later(max(0.0, self._wal_due - self.wall()),  # type: ignore[union-attr]
                                                self._truncation_due)

    def _truncation_due(self) -> None:
        self._wal_timer = None
        if self._wal_due is None or not self._db.is_open:
            return
        if self.wall() < self._wal_due:  # the wall clock went back: wait the rest
            self._arm_truncation()
            return
        task = asyncio.ensure_future(self.truncate_wal())
        self._sent.add(task)
        task.add_done_callback(self._sent.discard)
        task.add_done_callback(_log_failure)

    async def truncate_wal(self, force: bool = False) -> bool:
        """Do the owed WAL truncation if its time has come (WAL_ERASED_WITHIN after the erasure; at once after
        one that failed), or with `force` any truncation now; True when nothing is owed any more."""

        def body(c: sqlite3.Connection) -> bool:
            if not force and (self._wal_due is None or self.wall() < self._wal_due):
                return self._wal_due is None
            return self._checkpoint(c)

        if not (self._wal_owed or force):
            return True
        return await self._run(body)

    @property
    def wal_owed(self) -> bool:
        """Erased text may still be in the -wal file: a truncation is owed (due soon, or failed: to try again)."""
        return self._wal_owed


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and (e := task.exception()) is not None:  # the janitor tries again
        log.warning("the owed WAL truncation failed: %s (%s)", type(e).__name__, where(e))
