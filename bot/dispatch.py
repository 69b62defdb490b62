"""The dispatcher: one task that fires due timers through the core and delivers the outbox.

It sleeps until the earliest due timer or outbox row (two index seeks), or until `wake()` says something
sooner was written. On start-up it simply finds everything that fell due while the bot was down: the core
decides per timer whether it is still meaningful (a late return ping says it is late; a stale after-check
is dropped), and outbox rows past their expiry are dropped instead of sent.

Delivery is at least once, at most twice: a row is deleted only after the messenger returned, so a crash
between sending and settling re-sends that one row once. When settling fails (a full disk) the outcome is
kept in memory, so nothing is sent again, and writing it down is retried with a growing pause while nothing
else is sent. Passing failures are retried with exponential backoff (honouring a platform's retry_after);
a person who cannot be reached is marked so, with no retries. Right before the platform call the row is
looked at once more (`StorePort.delivery_verdict`): what was taken back meanwhile is not sent, and a notice to
someone on the safety screen waits (HOLD). Nothing sleeps or retries inside a send: the row goes back to
the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from bot.clock import Clock
from bot.codec import load_payload, ts
from bot.core.effects import Msg
from bot.i18n import Renderer
from bot.ports import Gate, Messenger, RetryLater, Unreachable, Withdrawn, delivering
from bot.service import render
from bot.store import LEASE, OutboxRow, StorePort

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_BASE = 5.0
BACKOFF_CAP = 3600.0
IDLE_RECHECK = timedelta(hours=1)
SEND_CONCURRENCY = 8
LATE_DELIVERY = timedelta(minutes=10)
"""A message held up longer than this (the platform was down) starts by saying so."""
JANITOR_EVERY = timedelta(hours=1)
POLL = 0.2
"""On a file shared with other processes (which cannot call `wake()`): how often, in wall seconds, to look
whether one of them committed something."""
TAKEOVER = LEASE / 2
"""...and how often to look anyway, for outbox rows a killed process had claimed (its lease runs out silently)."""
HOLD = timedelta(minutes=1)
"""A notice to someone on the safety screen waits; it is looked at again this much later."""
WAL_RETRY = timedelta(seconds=10)
"""While erased text may still be in the -wal file (another connection was reading): how often to try again."""
SETTLE_BACKOFF_CAP = 60.0
"""Seconds (clock time) at most between tries to write down deliveries that could not be settled."""


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds (of clock time) before the next try after `attempts` failed ones."""
    wait: float = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** min(attempts, 32))
    return max(wait, retry_after or 0.0)


class Dispatcher:
    def __init__(self, store: StorePort, messengers: Mapping[str, Messenger], clock: Clock) -> None:
        self.store = store
        self.messengers = messengers
        self.clock = clock
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.sent = 0
        self._janitor_at: datetime | None = None
        self._unsettled: dict[int, tuple[OutboxRow, str]] = {}
        """What became of rows whose settling failed (a full disk): never sent again while remembered here."""
        self._settle_failures = 0
        self._settle_at: datetime | None = None

    def wake(self) -> None:
        """Something was scheduled: look again at what is due next."""
        self._wake.set()

    async def run_due(self) -> int:
        """Fire every due timer and deliver every due outbox row, until nothing is due. Returns work done."""
        done = 0
        async with self._lock:
            while True:
                now = self.clock.now()
                fired = await self.store.fire_due(now)
                delivered = await self._deliver(now)
                done += fired + delivered
                if fired == 0 and delivered == 0:
                    return done

    async def _deliver(self, now: datetime) -> int:
        if not await self._settle_owed(now):
            return 0  # the database takes no writes: deliver nothing that could not be written down either
        rows = [r for r in await self.store.due_outbox(now) if r.id not in self._unsettled]
        if not rows:
            return 0
        # Up to SEND_CONCURRENCY people at once (one round trip each), each person's messages in order.
        per_person: dict[int, list[OutboxRow]] = {}
        for row in rows:
            per_person.setdefault(row.to.user_id, []).append(row)
        gate = asyncio.Semaphore(SEND_CONCURRENCY)
        done = 0

        async def person(queue: list[OutboxRow]) -> None:
            nonlocal done
            async with gate:
                for row in queue:
                    if self._unsettled:
                        break  # settling fails: stop sending until it works again
                    outcome = await self._send(row, now)
                    if outcome == "sent":
                        self.sent += 1
                    # Settled at once, not after the whole round: a crash re-sends only what was in flight.
                    if not await self._settle(row, outcome, now):
                        break
                    if outcome in ("sent", "drop", "unreachable", "gone"):
                        done += 1
                    if outcome not in ("sent", "drop", "gone") and not outcome.startswith("held:"):
                        break  # unreachable or retry later: keep the rest of this person's queue in order

        await asyncio.gather(*(person(q) for q in per_person.values()))
        return done

    # -- settling: writing down what became of a row -------------------------------------------------------------

    async def _settle(self, row: OutboxRow, outcome: str, now: datetime) -> bool:
        """Write down what became of a row. When that fails (a full disk) the outcome is kept in memory, so a
        delivered message is never sent again, and writing it is tried again with a growing pause."""
        try:
            await self._write(row, outcome)
        except Exception as e:
            self._unsettled[row.id] = (row, outcome)
            self._settle_failed(now, e)
            return False
        return True

    async def _write(self, row: OutboxRow, outcome: str) -> None:
        if outcome == "gone":
            return  # deleted already
        if outcome.startswith("held:"):
            await self.store.hold(row.id, int(outcome[5:]))
            return
        await self.store.settle(
            [row.id] if outcome == "sent" else [],
            [(row.id, int(outcome))] if outcome.isdigit() else [],
            [row.id] if outcome in ("drop", "unreachable") else [],
            [row.to.user_id] if outcome == "unreachable" else [],
        )

    async def _settle_owed(self, now: datetime) -> bool:
        """Write down what could not be written before; True when nothing is owed any more."""
        if not self._unsettled:
            return True
        if self._settle_at is not None and now < self._settle_at:
            return False
        owed = len(self._unsettled)
        try:
            for row, outcome in list(self._unsettled.values()):
                await self._write(row, outcome)
                del self._unsettled[row.id]
        except Exception as e:
            self._settle_failed(now, e)
            return False
        log.info("settled %d deliveries that could not be written down before", owed)
        self._settle_failures, self._settle_at = 0, None
        return True

    def _settle_failed(self, now: datetime, error: Exception) -> None:
        self._settle_failures += 1
        wait = min(SETTLE_BACKOFF_CAP, 2.0 ** (self._settle_failures - 1))
        self._settle_at = now + timedelta(seconds=wait)
        log.warning("%d deliveries not written down (%s); not sent again; next try in %.0fs",
                    len(self._unsettled), type(error).__name__, wait)

    def settle_pending_until(self) -> datetime | None:
        """While deliveries are owed a write: when the next try is (the loop sleeps until then)."""
        return self._settle_at if self._unsettled else None

    # -- one delivery --------------------------------------------------------------------------------------------

    async def _send(self, row: OutboxRow, now: datetime) -> str:
        if row.expires_at is not None and row.expires_at <= now:
            log.info("outbox %d dropped: expired before it could be sent", row.id)
            return "drop"
        messenger = self.messengers.get(row.to.platform)
        if messenger is None:
            log.warning("outbox %d waits: no %s adapter running", row.id, row.to.platform)
            return str(ts(now) + int(BACKOFF_CAP))
        try:
            msg, choices, pacer = load_payload(row.payload)
            r = Renderer(row.locale, row.tz, now)
            out = render(r, msg, tuple((c.id, r.label(c)) for c in choices), pacer)
            if row.created_at is not None and now - row.created_at > LATE_DELIVERY:  # held up: say so
                out = replace(out, text=f"{r.text(Msg.of('delivery.late', time=row.created_at))}\n\n{out.text}")
        except Exception:
            log.exception("outbox %d cannot be rendered; dropped", row.id)
            return "drop"
        try:
            # The last look at the row comes right before the platform call: here, and again inside an adapter
            # that can wait in a send (a rate limiter), so what was taken back meanwhile is not sent.
            with delivering(Gate(partial(self.store.delivery_verdict, row.id))) as gate:
                await gate.check()
                await messenger.deliver(row.to, out)
        except Withdrawn as e:
            if e.hold:
                log.info("outbox %d held: its recipient is on the safety screen", row.id)
                return f"held:{ts(now + HOLD)}"
            log.info("outbox %d taken back before it was sent", row.id)
            return "gone"
        except Unreachable:
            log.info("user %d cannot be reached on %s; marked unreachable", row.to.user_id, row.to.platform)
            return "unreachable"
        except RetryLater as e:
            return self._retry(row, now, e.retry_after, str(e))
        except Exception as e:  # an adapter bug or a network error we did not classify: retry, bounded
            return self._retry(row, now, None, type(e).__name__)
        return "sent"

    def _retry(self, row: OutboxRow, now: datetime, retry_after: float | None, why: str) -> str:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.warning("outbox %d dropped after %d attempts (%s)", row.id, row.attempts + 1, why)
            return "drop"
        wait = backoff(row.attempts, retry_after)
        log.info("outbox %d: %s; retry %d in %.0fs", row.id, why, row.attempts + 1, wait)
        return str(ts(now) + max(1, int(wait + 0.999)))

    async def janitor(self) -> None:
        """Wipe private text older than 7 days, at most once an hour (cheap: a partial index seek); and, every
        round, try again to truncate a WAL that may still hold erased text (a reader was in the way)."""
        if self.store.wal_owed and await self.store.truncate_wal():
            log.info("the WAL holds no erased text any more")
        now = self.clock.now()
        if self._janitor_at is None or now - self._janitor_at >= JANITOR_EVERY:
            self._janitor_at = now
            wiped = await self.store.purge_private(now)
            if wiped:
                log.info("wiped private text of %d idle dialogues", wiped)

    async def run_forever(self) -> None:
        """The long-running loop: work, then sleep until the next due moment or a wake-up."""
        while True:
            self._wake.clear()  # before the round: a wake-up during the round makes the wait return at once
            try:
                await self.run_due()
                await self.janitor()
                nxt = await self.store.next_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher round failed; trying again shortly")
                nxt = None
                await asyncio.sleep(1.0)
            owed = self.settle_pending_until()
            if owed is not None:  # the owed rows are due all the time: wait for the next try to write them
                wait = self.clock.wall_until(owed) + 0.001
            elif nxt is None:
                wait = self.clock.wall_seconds(IDLE_RECHECK)
            else:
                wait = self.clock.wall_until(datetime.fromtimestamp(nxt, UTC)) + 0.001
            if self.store.wal_owed:  # erased text may still be in the WAL: the janitor tries again soon
                wait = min(wait, self.clock.wall_seconds(WAL_RETRY))
            await self.sleep(wait)

    async def sleep(self, wait: float) -> None:
        """Wait up to `wait` wall seconds, and no longer than until `wake()`. On a file shared with other
        processes also until one of them commits (every POLL: `PRAGMA data_version`), and at most TAKEOVER or a
        quarter of the store's lease (a killed process's claims are this one's soon after its lease runs out)."""
        if not self.store.shared:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + min(wait, TAKEOVER.total_seconds(), self.store.lease.total_seconds() / 4)
        while (left := end - loop.time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(left, POLL))
                break
            try:
                if await self.store.changed():
                    break
            except Exception:  # the round that follows says what is wrong
                break
        self._wake.clear()
