"""Several processes on one file: who is on it (`processes`, with leases), and what each one may take.

Every process that delivers (a console, the bot) says so in `processes`: a row with a lease it renews
(HEARTBEAT). It fires timers only for people on the platforms it serves, and claims outbox rows the
same way: a row is claimed by writing this process's id into `claimed_by` inside BEGIN IMMEDIATE, and
the claim holds as long as that process's lease does. A row claimed by a process with no live row is
anyone's, so a killed process's rows are taken over within LEASE. (On PostgreSQL the same rule is
`FOR UPDATE SKIP LOCKED` on the select; here the write lock already lets one claimer in at a time.)
Timers need no claim: firing one is deleting it in the transaction of the step it causes, so only one
process can. With other consoles open, a console delivers only to the people last seen in its own
terminal: their `chat_id` is its process id (set whenever they act), so someone whose terminal is gone
waits until they act in another one. A console alone on the file holds everybody (as a lone console
always did) and takes them in. A store that never attached (tests, tools alone) serves everyone.

`Sharing` is the SqliteStore's part that owns this: a process's row and its heartbeat (`attach`, `renew`,
`detach`, `holders`), a look at whether another process committed (`changed`), and the conditions that keep
timers and outbox rows to the platforms this process serves (`_served`, `_claimable`, `_claim`). PostgresStore
refines the same parts (`LOCK_CLAIMED`, `_recheck`, `_claimable`, `_serialise`, `changed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bot.codec import ts
from bot.store.migrations import migration_files
from bot.store.policy import EXCLUSIVE, HEARTBEAT, LEASE, WHY_EXCLUSIVE
from bot.store.port import Holder, InUse
from bot.store.sqlite.connection import holders_sync

log = logging.getLogger(__name__)
T = TypeVar("T")


class Sharing:
    """This process on a file other processes may share (a part of SqliteStore)."""

    if TYPE_CHECKING:  # what it uses of the store
        path: str

        def _run(self, fn: Callable[[sqlite3.Connection], T]) -> Awaitable[T]: ...

        def _tx(self, c: sqlite3.Connection, body: Callable[[], T]) -> T: ...

    LEASE = LEASE
    """How long this process's row (and so its claims) lives after its last heartbeat."""
    BEATS = round(LEASE / HEARTBEAT)
    """Heartbeats per LEASE: a renewal may come this many times minus one late before the lease runs out."""

    @property
    def lease(self) -> timedelta:
        return self.LEASE

    LOCK_CLAIMED = ""
    """What the claiming select adds to lock the rows it claims. SQLite: nothing (BEGIN IMMEDIATE already lets
    one claimer in at a time); PostgreSQL: FOR UPDATE OF o SKIP LOCKED."""

    def _recheck(self, c: sqlite3.Connection, rows: list[tuple[Any, ...]], wall: int) -> list[tuple[Any, ...]]:
        """The claimed rows that are still this process's to claim (SQLite: all; the write lock was held)."""
        return rows

    def _serialise(self, c: sqlite3.Connection) -> None:
        """Let one process at a time through a registration (SQLite: the write lock BEGIN IMMEDIATE took)."""

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
            self._serialise(c)
            wall = int(self.wall())
            c.execute("DELETE FROM processes WHERE lease_until <= ?", (wall,))  # gone without a goodbye
            for h in holders_sync(c, wall):
                clash = sorted(h.serves & platforms & exclusive)
                if clash:
                    raise InUse(
                        f"The database {self.path} is in use by {h.describe()}. Only one process per database "
                        f"may serve {clash[0]}: {WHY_EXCLUSIVE.get(clash[0], '')} Nothing was started; stop that one "
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
             socket.gethostname(), wall, wall + int(self.LEASE.total_seconds())),
        )

    async def renew(self) -> None:
        """Keep this process alive on the file (and so its claims) for another LEASE. The heartbeat calls it."""
        if self.serves is None:
            return
        platforms = self.serves

        def body(c: sqlite3.Connection) -> None:
            wall = int(self.wall())
            done = c.execute("UPDATE processes SET lease_until = ? WHERE id = ?",
                             (wall + int(self.LEASE.total_seconds()), self.process_id)).rowcount
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
            await asyncio.sleep(self.LEASE.total_seconds() / self.BEATS)
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

        def due(lock: str = "") -> list[tuple[Any, ...]]:
            joins, where, jargs, wargs = self._claimable(c, wall)
            return c.execute(
                "SELECT o.id, o.user_id, u.platform, u.external_id, u.chat_id, u.locale, u.tz, o.payload, "
                f"o.attempts, o.expires_at, o.created_at FROM outbox o{joins} "
                f"WHERE o.due_at <= ?{where} ORDER BY o.due_at, o.id LIMIT ?{lock}",
                (*jargs, ts(now), *wargs, limit),
            ).fetchall()

        if not due():
            return []

        def claim() -> list[tuple[Any, ...]]:
            rows = self._recheck(c, due(self.LOCK_CLAIMED), wall)
            me = self.process_id
            c.executemany("UPDATE outbox SET claimed_by = ? WHERE id = ?", [(me, r[0]) for r in rows])
            if self.serves is not None and "console" in self.serves:  # people of a closed terminal: now here
                c.executemany("UPDATE users SET chat_id = ? WHERE id = ? AND chat_id <> ?",
                              [(me, r[1], me) for r in rows if r[2] == "console" and r[4] != me])
            return rows

        return self._tx(c, claim)
