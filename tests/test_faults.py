"""Fault injection on delivery: a flaky platform, a real SQLite file, the real Dispatcher, a hand-moved clock.

The platform answers 429 with retry_after, 5xx, times out, resets the connection, or says the person blocked
the bot. Checked: nothing deliverable is lost, every message goes out exactly once, the number of attempts is
exactly what the backoff schedule allows (no retry storm, also not in a platform-wide outage), the waits grow
and are in the log, and one person's trouble never holds up another's messages.

The clock is moved event by event: always to the next due timer or outbox row (what run_forever would sleep
until), so every attempt happens at the exact moment the schedule says, and nothing sleeps.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import defaultdict
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from bot.clock import ManualClock
from bot.codec import dt, ts
from bot.dispatch import BACKOFF_CAP, MAX_ATTEMPTS, Dispatcher, backoff
from bot.ports import Outgoing, Recipient, RetryLater, Unreachable, UserRef
from bot.store import OutboxRow, Store

if TYPE_CHECKING:
    from conftest import Talk

MIN = timedelta(minutes=1)
RETURN_IN = 30  # minutes


ROW: ContextVar[int] = ContextVar("row", default=0)


class TracingDispatcher(Dispatcher):
    """The real Dispatcher; it only lets the platform see which outbox row it is delivering."""

    async def _send(self, row: OutboxRow, now: datetime) -> str:
        token = ROW.set(row.id)
        try:
            return await super()._send(row, now)
        finally:
            ROW.reset(token)


class FlakyPlatform:
    """A Messenger whose answers are scripted per person: a list of exceptions, then success.
    `blocked` people always get Unreachable. Every attempt is recorded with the clock time."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.script: dict[str, list[BaseException]] = {}
        self.blocked: set[str] = set()
        self.outage_until: datetime | None = None  # everyone gets a 503 until then
        self.attempts: dict[str, list[datetime]] = defaultdict(list)
        self.per_message: dict[tuple[str, int], list[datetime]] = defaultdict(list)  # (person, row) -> tries
        self.delivered: dict[str, list[int]] = defaultdict(list)  # person -> outbox rows delivered

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        who = to.external_id
        self.attempts[who].append(self.clock.now())
        self.per_message[(who, ROW.get())].append(self.clock.now())
        if who in self.blocked:
            raise Unreachable("403: bot was blocked by the user")
        if self.outage_until is not None and self.clock.now() < self.outage_until:
            raise RetryLater("HTTP 503 Service Unavailable")
        queue = self.script.get(who, [])
        if queue:
            raise queue.pop(0)
        self.delivered[who].append(ROW.get())


def ref(name: str) -> UserRef:
    return UserRef("telegram", name, chat_id=f"chat-{name}", name=name.title())


async def run_until(dispatcher: Dispatcher, store: Store, clock: ManualClock, end: datetime) -> int:
    """Jump from due moment to due moment (as run_forever sleeps) until `end`; returns the rounds run."""
    rounds = 0
    while True:
        await dispatcher.run_due()
        rounds += 1
        nxt = await store.next_due()
        if nxt is None or nxt > ts(end):
            clock.advance(max(timedelta(0), end - clock.now()))
            return rounds
        clock.advance(max(timedelta(seconds=1), dt(nxt) - clock.now()))


def expected_gaps(failures: int, retry_after: float | None = None) -> list[int]:
    """The waits between attempts the schedule allows, in whole seconds as the dispatcher stores them."""
    return [max(1, int(backoff(k, retry_after) + 0.999)) for k in range(failures)]


def gaps(times: list[datetime]) -> list[int]:
    return [int((b - a).total_seconds()) for a, b in itertools.pairwise(times)]


async def test_every_kind_of_failure_is_retried_on_schedule_and_nothing_is_lost(
    talk: Talk, store: Store, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    platform = FlakyPlatform(clock)
    dispatcher = TracingDispatcher(store, {"telegram": platform}, clock)
    people = {
        "rate": [RetryLater("429 Too Many Requests", retry_after=30.0)] * 3,
        "five": [RetryLater("HTTP 502 Bad Gateway")] * 4,
        "slow": [TimeoutError(), TimeoutError()],
        "reset": [ConnectionResetError(104, "Connection reset by peer")] * 3,
        "mixed": [RetryLater("HTTP 500"), TimeoutError(), RetryLater("429", retry_after=2.0), ConnectionResetError()],
        "fine": [],
        "gone": [],
    }
    for name in people:
        await talk.to_waiting(ref(name), minutes=RETURN_IN)
    for name, failures in people.items():
        platform.script[name] = list(failures)
    platform.blocked.add("gone")
    start = clock.now()
    caplog.set_level(logging.INFO, logger="bot.dispatch")

    await run_until(dispatcher, store, clock, start + RETURN_IN * MIN + 10 * MIN)  # the return, not the reping

    due = start + RETURN_IN * MIN
    for name, failures in people.items():
        attempts = platform.attempts[name]
        if name == "gone":
            assert attempts == [due]  # one try, then never again
            continue
        # exactly one delivery of the return ping, after exactly len(failures) failed tries
        assert len(platform.delivered[name]) == 1, name
        assert len(attempts) == len(failures) + 1, name
        assert attempts[0] == due, name
        retry_after = [getattr(f, "retry_after", None) for f in failures]
        assert gaps(attempts) == [expected_gaps(k + 1, ra)[k] for k, ra in enumerate(retry_after)], name
    assert platform.attempts["fine"] == [due]  # the others' trouble did not hold it up

    # the blocked person: marked, their queue dropped, no retries
    assert await store.query("SELECT unreachable FROM users WHERE external_id = 'gone'") == [(1,)]
    assert await store.query("SELECT count(*) FROM outbox o JOIN users u ON u.id = o.user_id "
                             "WHERE u.external_id = 'gone'") == [(0,)]
    # nothing is left waiting
    assert await store.query("SELECT count(*) FROM outbox") == [(0,)]

    # the backoff is in the log, growing: 5, 10, 20, 40 s for the 5xx person; retry_after for the 429 one
    waits: dict[str, list[int]] = defaultdict(list)
    ids = dict(await store.query("SELECT u.external_id, t.id FROM timeouts t JOIN users u ON u.id = t.initiator"))
    for rec in caplog.records:
        m = re.match(r"outbox (\d+): (.*); retry (\d+) in (\d+)s", rec.getMessage())
        if m:
            waits[m.group(2)].append(int(m.group(4)))
    assert ids  # the people are there
    assert waits["HTTP 502 Bad Gateway"] == [5, 10, 20, 40]
    assert waits["429 Too Many Requests"] == [30, 30, 30]
    assert waits["TimeoutError"][:2] == [5, 10]
    assert waits["ConnectionResetError"][:3] == [5, 10, 20]
    assert any("cannot be reached" in r.getMessage() for r in caplog.records)


async def test_a_platform_wide_outage_causes_no_retry_storm(
    talk: Talk, store: Store, clock: ManualClock
) -> None:
    """Twenty people, every send fails with 503 for two hours: each message is tried only at the backoff
    schedule's moments (11 times in 2 h), then delivered once when the platform is back."""
    platform = FlakyPlatform(clock)
    dispatcher = TracingDispatcher(store, {"telegram": platform}, clock)
    names = [f"p{i}" for i in range(20)]
    for name in names:
        await talk.to_waiting(ref(name), minutes=RETURN_IN)
    start = clock.now()
    due = start + RETURN_IN * MIN
    outage = timedelta(hours=2)
    platform.outage_until = due + outage

    # after the outage each row waits out its current backoff (up to BACKOFF_CAP) before its next try
    rounds = await run_until(dispatcher, store, clock, due + outage + timedelta(seconds=BACKOFF_CAP) + 30 * MIN)

    schedule = [0]
    while schedule[-1] + expected_gaps(len(schedule))[-1] < outage.total_seconds():
        schedule.append(schedule[-1] + expected_gaps(len(schedule))[-1])
    allowed = len(schedule) + 1  # every failed try in the outage, then the one that works
    assert allowed == 12  # 0, 5, 15, 35, … 5115 s: 11 failures within two hours, then success
    for name in names:
        ping = platform.delivered[name][0]
        tries = platform.per_message[(name, ping)]
        # the return ping: tried at the schedule's moments only, then once more when the platform is back
        assert [int((a - due).total_seconds()) for a in tries[:-1]] == schedule, name
        assert platform.outage_until <= tries[-1] <= platform.outage_until + timedelta(seconds=BACKOFF_CAP)
        # the reping (+15 min) and the missed notice (+30 min) have their own schedules, bounded the same way
        assert len(platform.delivered[name]) == 3, name
    for (name, _row), tries in platform.per_message.items():
        assert len(tries) <= allowed, name
    messages = sum(len(d) for d in platform.delivered.values())
    assert messages == 3 * len(names)
    assert sum(len(a) for a in platform.attempts.values()) <= messages * allowed
    assert all(len(d) == len(set(d)) for d in platform.delivered.values())  # nothing twice
    assert rounds < 20 * allowed * 2  # the dispatcher woke for due moments only, not in a busy loop
    assert await store.query("SELECT count(*) FROM outbox") == [(0,)]


async def test_backoff_is_capped_and_gives_up_after_max_attempts_with_a_warning(
    talk: Talk, store: Store, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The designed bound: a message that fails MAX_ATTEMPTS times (12 tries over 8,715 s, about 2.4 hours, at
    this schedule) is dropped with a warning, so a dead platform cannot fill the outbox for ever."""
    platform = FlakyPlatform(clock)
    dispatcher = TracingDispatcher(store, {"telegram": platform}, clock)
    await talk.to_waiting(ref("sam"), minutes=RETURN_IN)
    due = clock.now() + RETURN_IN * MIN
    platform.outage_until = due + timedelta(days=2)
    caplog.set_level(logging.INFO, logger="bot.dispatch")

    await run_until(dispatcher, store, clock, due + timedelta(days=1))

    ping_tries = next(iter(platform.per_message.values()))
    assert len(ping_tries) == MAX_ATTEMPTS
    assert (ping_tries[-1] - ping_tries[0]).total_seconds() == sum(expected_gaps(MAX_ATTEMPTS - 1)) == 8_715
    assert max(gaps(ping_tries)) == BACKOFF_CAP
    assert sorted(gaps(ping_tries)) == gaps(ping_tries)  # never shorter than the one before
    assert any("dropped after" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
def test_the_adapters_map_real_library_errors_onto_the_port() -> None:
    """Telegram's own exceptions arrive at the dispatcher as the port's errors (so the schedule above applies)."""
    render = pytest.importorskip("adapters.telegram.render")
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

    late = render.classify(RetryAfter(timedelta(seconds=17)))
    assert isinstance(late, RetryLater) and late.retry_after == 17
    for error in (TimedOut(), NetworkError("Bad Gateway"), NetworkError("httpx.ConnectError: reset by peer")):
        assert isinstance(render.classify(error), RetryLater), error
    assert isinstance(render.classify(Forbidden("Forbidden: bot was blocked by the user")), Unreachable)
    assert isinstance(render.classify(BadRequest("Bad Request: chat not found")), Unreachable)
