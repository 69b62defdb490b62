"""The dispatcher: one task that fires due timers through the core and delivers the outbox.

It sleeps until the earliest due timer or outbox row (two index seeks), or until `wake()` says something
sooner was written. On start-up it simply finds everything that fell due while the bot was down: the core
decides per timer whether it is still meaningful (a late return ping says it is late; a stale after-check
is dropped), and outbox rows past their expiry are dropped instead of sent.

Delivery is at least once, at most twice: a row is deleted only after the messenger returned, so a crash
between sending and settling re-sends that one row once. Passing failures are retried with exponential
backoff (honouring a platform's retry_after); a person who cannot be reached is marked so, with no retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.codec import load_payload, ts
from bot.core.effects import Msg
from bot.i18n import Renderer
from bot.ports import Messenger, RetryLater, Unreachable
from bot.service import render
from bot.store import LEASE, OutboxRow, Store

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


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds (of clock time) before the next try after `attempts` failed ones."""
    wait: float = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** min(attempts, 32))
    return max(wait, retry_after or 0.0)


class Dispatcher:
    def __init__(self, store: Store, messengers: Mapping[str, Messenger], clock: Clock) -> None:
        self.store = store
        self.messengers = messengers
        self.clock = clock
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.sent = 0
        self._janitor_at: datetime | None = None

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
        rows = await self.store.due_outbox(now)
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
                    outcome = await self._send(row, now)
                    # Settled at once, not after the whole round: a crash re-sends only what was in flight.
                    await self.store.settle(
                        [row.id] if outcome == "sent" else [],
                        [(row.id, int(outcome))] if outcome.isdigit() else [],
                        [row.id] if outcome in ("drop", "unreachable") else [],
                        [row.to.user_id] if outcome == "unreachable" else [],
                    )
                    if outcome == "sent":
                        self.sent += 1
                    if outcome in ("sent", "drop", "unreachable"):
                        done += 1
                    if outcome != "sent" and outcome != "drop":
                        break  # unreachable or retry later: keep the rest of this person's queue in order

        await asyncio.gather(*(person(q) for q in per_person.values()))
        return done

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
            await messenger.deliver(row.to, out)
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
        """Wipe private text older than 7 days, at most once an hour (cheap: a partial index seek)."""
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
            if nxt is None:
                wait = self.clock.wall_seconds(IDLE_RECHECK)
            else:
                wait = self.clock.wall_until(datetime.fromtimestamp(nxt, UTC)) + 0.001
            await self.sleep(wait)

    async def sleep(self, wait: float) -> None:
        """Wait up to `wait` wall seconds, and no longer than until `wake()`. On a file shared with other
        processes also until one of them commits (every POLL: `PRAGMA data_version`), and at most TAKEOVER."""
        if not self.store.shared:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + min(wait, TAKEOVER.total_seconds())
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
