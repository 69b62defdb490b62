"""The dispatcher on a real file: timers fire once at their time, restarts, outbox retries, quiet hours, wake-ups."""

from __future__ import annotations

import asyncio
import contextlib
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from adempauze_testkit import add_fault, drop_fault

from bot.clock import ManualClock
from bot.codec import dump_payload, ts
from bot.core.effects import Msg
from bot.dispatch import MAX_ATTEMPTS, Dispatcher
from bot.i18n import catalog
from bot.ports import (
    Outgoing,
    Recipient,
    RetryLater,
    Unreachable,
    UserRef,
    event_from_button,
    event_from_text,
)
from bot.service import Dialogue
from bot.store import Store

if TYPE_CHECKING:
    from conftest import Recorder, Talk

MIN = timedelta(minutes=1)


def has(texts: list[str], locale: str, key: str) -> bool:
    """Was this catalog sentence said? (Matched on its longest fixed line.)"""
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(catalog(locale)[key])]
    best = max((line.strip() for lit in pieces for line in lit.split("\n")), key=len)
    return any(best in t for t in texts)


async def pair(talk: Talk, store: Store, a: UserRef, b: UserRef) -> None:
    """Make a and b a couple (pairing commands are not built yet: one row, as pairing would write it)."""
    await talk.say(a, "/help")
    await talk.say(b, "/help")
    ids = dict(await store.query("SELECT external_id, id FROM users"))
    await store.execute(
        "INSERT INTO couples (a, b, created_at) VALUES (?, ?, 0)", (ids[a.external_id], ids[b.external_id])
    )


async def outbox(store: Store) -> list[tuple[Any, ...]]:
    return await store.query(
        "SELECT u.external_id, o.due_at, o.attempts FROM outbox o JOIN users u ON u.id = o.user_id ORDER BY o.id"
    )


# -- timers ----------------------------------------------------------------------------------------------


async def test_return_ping_fires_at_the_return_time_exactly_once(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    start = clock.now()
    await talk.to_waiting(me)

    clock.advance(30 * MIN - timedelta(seconds=1))
    assert await dispatcher.run_due() == 1  # the prepare reminder: silent, since they prepared already
    assert recorder.sent == [] and await talk.phase(me) == "waiting"

    clock.advance(timedelta(seconds=1))
    assert await dispatcher.run_due() > 0
    assert len(recorder.sent) == 1
    to, ping = recorder.sent[0]
    assert (to.platform, to.external_id, to.chat_id) == ("telegram", "sam", "chat-sam")
    assert has([ping.text], "nl", "return.ping") and "21:40" in ping.text
    assert not has([ping.text], "nl", "return.late")
    assert "r.ready" in [c for c, _ in ping.choices]
    assert await talk.phase(me) == "return"

    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(seconds=30))
    assert await dispatcher.run_due() == 0
    assert len(recorder.sent) == 1
    assert sorted(await store.query("SELECT kind, due_at FROM timers")) == [
        ("missed", ts(start + 60 * MIN)), ("reping", ts(start + 45 * MIN))]


async def test_reping_after_grace_then_missed(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await talk.to_waiting(me)
    clock.advance(30 * MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 1

    clock.advance(14 * MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 1  # not yet

    clock.advance(1 * MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 2 and has(recorder.texts()[1:], "nl", "return.reping")
    assert await talk.phase(me) == "return"

    clock.advance(15 * MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 3 and has(recorder.texts()[2:], "nl", "return.missed")
    assert await talk.phase(me) == "idle"
    assert await store.query("SELECT status FROM timeouts") == [("missed",)]
    assert await store.query("SELECT outcome FROM timeout_members") == [("missed",)]
    assert await store.query("SELECT count(*) FROM timers") == [(0,)]

    clock.advance(timedelta(hours=5))
    assert await dispatcher.run_due() == 0
    assert len(recorder.sent) == 3


async def test_answering_the_ping_stops_the_reping(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await talk.to_waiting(me)
    clock.advance(30 * MIN)
    await dispatcher.run_due()
    out = await talk.press(me, "r.ready")
    assert has([o.text for o in out], "nl", "return.card")

    clock.advance(20 * MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 1
    assert await store.query("SELECT kind FROM timers") == [("after",)]


@pytest.mark.parametrize(("locale", "word"), [("nl", "laat"), ("en", "late")])
async def test_after_a_restart_a_due_timer_fires_once_and_says_it_is_late(
    talk: Talk, store: Store, db_path: Path, clock: ManualClock, person: Callable[..., UserRef],
    locale: str, word: str,
) -> None:
    who = person("sam", locale=locale)
    start = clock.now()
    await talk.to_waiting(who)
    await store.close()  # the bot goes down before the return time

    later = ManualClock(start + 50 * MIN)  # back up 20 minutes after the return time
    for run in range(2):
        reopened = await Store.open(db_path)
        try:
            rec: list[tuple[Recipient, Outgoing]] = []
            got = _ListMessenger(rec)
            done = await Dispatcher(reopened, {"telegram": got}, later).run_due()
            if run == 0:
                assert done > 0
                texts = [o.text for _, o in rec]
                assert has(texts, locale, "return.late") and any(word in t for t in texts)
                assert has(texts, locale, "return.ping")
                assert all("21:40" in t for t in texts)
                assert len([t for t in texts if has([t], locale, "return.ping")]) == 1
                # the re-ping, held up too, is dropped (it would come right after the late ping); the close
                # stays where it was: a time-out is never open past its latest possible end
                assert await reopened.query("SELECT kind, due_at FROM timers") == [
                    ("missed", ts(start + 60 * MIN))
                ]
            else:
                assert done == 0 and rec == []  # a second restart sends nothing again
        finally:
            await reopened.close()


class _ListMessenger:
    def __init__(self, into: list[tuple[Recipient, Outgoing]]) -> None:
        self.into = into

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.into.append((to, out))


async def test_a_ping_on_time_after_a_restart_is_not_called_late(
    talk: Talk, store: Store, db_path: Path, clock: ManualClock, me: UserRef
) -> None:
    start = clock.now()
    await talk.to_waiting(me)
    await store.close()
    reopened = await Store.open(db_path)
    try:
        rec: list[tuple[Recipient, Outgoing]] = []
        await Dispatcher(reopened, {"telegram": _ListMessenger(rec)}, ManualClock(start + 31 * MIN)).run_due()
        texts = [o.text for _, o in rec]
        assert has(texts, "nl", "return.ping") and not has(texts, "nl", "return.late")
    finally:
        await reopened.close()


async def test_the_after_check_waits_for_the_end_of_quiet_hours(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await talk.to_waiting(me)
    clock.advance(30 * MIN)
    await dispatcher.run_due()
    clock.advance(5 * MIN)  # 21:45 in Amsterdam
    await talk.press(me, "r.ready")

    seven_next_morning = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # 07:00 CET
    assert await store.query("SELECT kind, due_at FROM timers") == [("after", ts(seven_next_morning))]

    clock.advance(2 * timedelta(hours=1))  # 23:45: the naive moment, in the quiet hours
    await dispatcher.run_due()
    clock.advance(seven_next_morning - clock.now() - timedelta(seconds=1))
    await dispatcher.run_due()
    assert len(recorder.sent) == 1  # only the return ping so far

    clock.advance(timedelta(seconds=1))
    await dispatcher.run_due()
    assert len(recorder.sent) == 2
    after = recorder.sent[1][1]
    assert has([after.text], "nl", "after.ask")
    assert [c for c, _ in after.choices][:3] == ["a.good", "a.soso", "a.bad"]
    assert await talk.phase(me) == "after"

    await talk.press(me, "a.good")
    assert await store.query("SELECT outcome FROM timeout_members") == [("good",)]


async def test_the_after_check_outside_quiet_hours_comes_two_hours_later(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    clock.advance(timedelta(hours=16, minutes=50))  # Saturday 13:00 UTC, 14:00 in Amsterdam
    await talk.to_waiting(me)
    clock.advance(20 * MIN)
    await talk.say(me, "/ready")
    assert await store.query("SELECT kind, due_at FROM timers") == [("after", ts(clock.now() + 2 * 60 * MIN))]


# -- the outbox ------------------------------------------------------------------------------------------


async def _ping_due(talk: Talk, me: UserRef, clock: ManualClock) -> None:
    await talk.to_waiting(me)
    clock.advance(30 * MIN)


async def test_retry_later_is_honoured_and_the_message_goes_out_once(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await _ping_due(talk, me, clock)
    recorder.fail_next(RetryLater("429 Too Many Requests", retry_after=120))

    await dispatcher.run_due()

    now = ts(clock.now())
    assert recorder.sent == [] and len(recorder.attempts) == 1
    assert await outbox(store) == [("sam", now + 120, 1)]

    clock.advance(timedelta(seconds=119))
    await dispatcher.run_due()
    assert len(recorder.attempts) == 1  # not before retry_after

    clock.advance(timedelta(seconds=1))
    await dispatcher.run_due()
    assert len(recorder.sent) == 1 and has(recorder.texts(), "nl", "return.ping")
    assert await outbox(store) == []

    clock.advance(timedelta(minutes=5))
    await dispatcher.run_due()
    assert len(recorder.attempts) == 2 and len(recorder.sent) == 1


async def queue(store: Store, clock: ManualClock, who: UserRef, key: str, expires_in: int | None = None) -> None:
    """An outbox row as the core's Notify would leave it (for cases no flow produces on demand)."""
    (uid,) = (await store.query("SELECT id FROM users WHERE external_id = ?", (who.external_id,)))[0]
    now = ts(clock.now())
    await store.execute(
        "INSERT INTO outbox (user_id, payload, due_at, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
        (uid, dump_payload(Msg.of(key)), now, None if expires_in is None else now + expires_in, now),
    )


async def test_unclassified_failures_back_off_exponentially_then_give_up(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await talk.say(me, "/help")
    await queue(store, clock, me, "status.none")
    recorder.fail_next(ConnectionResetError("peer reset"), times=MAX_ATTEMPTS)

    waits = []
    for attempt in range(1, MAX_ATTEMPTS):
        await dispatcher.run_due()
        rows = await outbox(store)
        assert len(rows) == 1 and rows[0][2] == attempt
        waits.append(rows[0][1] - ts(clock.now()))
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits[:4] == [5, 10, 20, 40] and max(waits) <= 3600

    await dispatcher.run_due()  # the last attempt fails too: dropped, not retried forever
    assert await outbox(store) == []
    assert len(recorder.attempts) == MAX_ATTEMPTS and recorder.sent == []


async def test_unreachable_marks_the_person_and_drops_their_rows_without_retries(
    talk: Talk, store: Store, person: Callable[..., UserRef], clock: ManualClock, dispatcher: Dispatcher,
    recorder: Recorder,
) -> None:
    sam, ann = person("sam"), person("ann")
    await pair(talk, store, sam, ann)
    await talk.say(sam, "/timeout")
    await talk.press(sam, "ret.m30")  # a notice for ann
    recorder.fail_next(RetryLater("502"))
    await dispatcher.run_due()
    await talk.say(sam, "/extend")  # a second notice for ann
    assert [r[0] for r in await outbox(store)] == ["ann", "ann"]

    clock.advance(MIN)
    recorder.fail_next(Unreachable("403 blocked by the user"))
    await dispatcher.run_due()

    assert len(recorder.attempts) == 2  # one per round: the second row was not even tried
    assert await outbox(store) == []
    assert await store.query("SELECT external_id, unreachable FROM users ORDER BY id") == [("sam", 0), ("ann", 1)]

    await talk.say(ann, "/status")  # ann writes again: reachable again
    assert await store.query("SELECT unreachable FROM users WHERE external_id = 'ann'") == [(0,)]


async def test_a_partner_notice_is_delivered_to_the_partner_in_their_language(
    talk: Talk, store: Store, person: Callable[..., UserRef], dispatcher: Dispatcher, recorder: Recorder
) -> None:
    sam, ann = person("sam"), person("ann", locale="en")
    await pair(talk, store, sam, ann)
    await talk.say(sam, "/timeout")
    out = await talk.press(sam, "ret.m30")
    assert has([o.text for o in out], "nl", "start.told")

    await dispatcher.run_due()

    assert [to.external_id for to, _ in recorder.sent] == ["ann"]
    notice = recorder.sent[0][1]
    assert has([notice.text], "en", "notice.start") and "Sam" in notice.text and "21:40" in notice.text


async def test_an_expired_row_is_dropped_not_sent(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder
) -> None:
    await talk.say(me, "/help")
    await queue(store, clock, me, "status.none", expires_in=60)
    await queue(store, clock, me, "cancel.nothing", expires_in=600)
    clock.advance(MIN)  # the first one expires at this very moment

    await dispatcher.run_due()

    assert recorder.texts() == [catalog("nl")["cancel.nothing"]]
    assert len(recorder.attempts) == 1
    assert await outbox(store) == []


async def test_a_crash_between_send_and_settle_resends_at_most_once(
    talk: Talk, store: Store, db_path: Path, me: UserRef, clock: ManualClock
) -> None:
    await _ping_due(talk, me, clock)

    class CrashAfterSend:
        def __init__(self) -> None:
            self.sent: list[Outgoing] = []

        async def deliver(self, to: Recipient, out: Outgoing) -> None:
            self.sent.append(out)
            await store.close()  # the process dies right after the platform accepted the message

    first = CrashAfterSend()
    with contextlib.suppress(Exception):
        await Dispatcher(store, {"telegram": first}, clock).run_due()
    assert len(first.sent) == 1

    again: list[tuple[Recipient, Outgoing]] = []
    reopened = await Store.open(db_path)
    try:
        d = Dispatcher(reopened, {"telegram": _ListMessenger(again)}, clock)
        await d.run_due()
        clock.advance(MIN)
        await d.run_due()
        assert [o.text for _, o in again] == [first.sent[0].text]  # the same ping once more, not a new step
        assert await outbox(reopened) == []
        assert sorted(await reopened.query("SELECT kind FROM timers")) == [("missed",), ("reping",)]
    finally:
        await reopened.close()


async def test_a_message_for_a_platform_that_is_not_running_waits(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, recorder: Recorder
) -> None:
    await _ping_due(talk, me, clock)
    d = Dispatcher(store, {"discord": recorder}, clock)  # telegram is not running
    await d.run_due()
    assert recorder.attempts == []
    rows = await outbox(store)
    assert len(rows) == 1 and rows[0][1] > ts(clock.now())


# -- the long-running loop ---------------------------------------------------------------------------------


class SleepyClock(ManualClock):
    """Manual time, but every sleep would take hours of real time: only a wake-up can end it quickly."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.spans: list[timedelta] = []
        self.sleeping = asyncio.Event()

    def wall_seconds(self, span: timedelta) -> float:
        self.spans.append(span)
        self.sleeping.set()
        return 10_000.0

    def wall_until(self, at: datetime) -> float:
        return self.wall_seconds(at - self.now())


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_run_forever_wakes_early_on_wake(
    store: Store, person: Callable[..., UserRef], recorder: Recorder, clock: ManualClock
) -> None:
    sleepy = SleepyClock(clock.now())
    dispatcher = Dispatcher(store, {"telegram": recorder}, sleepy)
    quiet = Dialogue(store, sleepy)  # no on_scheduled hook: only our explicit wake() can help
    sam, ann = person("sam"), person("ann")
    for who in (sam, ann):
        await quiet.handle(who, event_from_text("/help"))
    ids = dict(await store.query("SELECT external_id, id FROM users"))
    await store.execute("INSERT INTO couples (a, b, created_at) VALUES (?, ?, 0)", (ids["sam"], ids["ann"]))

    task = asyncio.create_task(dispatcher.run_forever())
    try:
        await asyncio.wait_for(sleepy.sleeping.wait(), 2)
        assert sleepy.spans[-1] >= timedelta(hours=1)  # nothing due: it went to sleep for a long time

        await quiet.handle(sam, event_from_text("/timeout"))
        await quiet.handle(sam, event_from_button("ret.m30"))  # a notice for ann, due now
        dispatcher.wake()
        await asyncio.wait_for(recorder.got.wait(), 2)

        assert [to.external_id for to, _ in recorder.sent] == ["ann"]
    finally:
        await _stop(task)


async def test_run_forever_is_woken_by_the_dialogue_and_sleeps_until_the_next_due_timer(
    store: Store, me: UserRef, recorder: Recorder, clock: ManualClock
) -> None:
    sleepy = SleepyClock(clock.now())
    dispatcher = Dispatcher(store, {"telegram": recorder}, sleepy)
    dialogue = Dialogue(store, sleepy, on_scheduled=dispatcher.wake)
    task = asyncio.create_task(dispatcher.run_forever())
    try:
        await asyncio.wait_for(sleepy.sleeping.wait(), 2)
        sleepy.sleeping.clear()
        await dialogue.handle(me, event_from_text("/timeout"))
        await dialogue.handle(me, event_from_button("ret.m30"))  # schedules the return timer: wakes the loop
        await asyncio.wait_for(sleepy.sleeping.wait(), 2)
        assert sleepy.spans[-1] == 20 * MIN  # it now sleeps exactly until the next timer (the prepare reminder)
    finally:
        await _stop(task)


async def test_a_message_held_up_by_an_outage_says_it_is_late(
    talk: Talk, store: Store, clock: ManualClock, recorder: Recorder, dispatcher: Dispatcher
) -> None:
    """A return ping that could not be delivered for an hour (platform down) says so when it arrives."""
    me = UserRef("telegram", "late-1", chat_id="late-1", name="Late")
    await talk.to_waiting(me)
    recorder.fail_next(RetryLater("platform down", retry_after=3600), 1)
    clock.advance(timedelta(minutes=30))
    await dispatcher.run_due()
    assert not [m for to, m in recorder.sent if to.external_id == "late-1" and "21:40" in m.text]
    clock.advance(timedelta(hours=1))
    await dispatcher.run_due()
    pings = [m for to, m in recorder.sent if to.external_id == "late-1" and "21:40" in m.text]
    assert pings and pings[0].text.startswith("(Dit bericht was bedoeld voor 21:40")


# -- issue 13, finding 3: a delivery that cannot be written down is not sent again --------------------------------



async def test_when_settling_fails_the_delivered_notice_is_not_sent_again_and_settling_backs_off(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock, dispatcher: Dispatcher, recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The return ping goes out, but the row that settles it cannot be written (the disk is full: every
    write to the outbox fails). The dispatcher runs round after round (as run_forever would, a second apart):
    the ping is not sent again, settling is tried again with a growing pause, and once the disk has room the
    row is settled. (Before: the same ping went out once a round, without bound.)"""
    await _ping_due(talk, me, clock)
    await add_fault(store, "full_disk", "DELETE", "outbox", "database or disk is full")
    tries = []
    for _ in range(40):
        with contextlib.suppress(Exception):  # run_forever logs a failed round and goes on
            await dispatcher.run_due()
        tries.append(len([r for r in caplog.records if "not written down" in r.getMessage()]))
        clock.advance(timedelta(seconds=1))
    assert len(recorder.sent) == 1 and len(recorder.attempts) == 1  # once, not once a round
    assert 3 <= tries[-1] <= 8  # after 1, 2, 4, 8, 16 s: a handful of writes in 40 s, not 40
    assert dispatcher.settle_pending_until() is not None

    await drop_fault(store, "full_disk", "outbox")
    clock.advance(timedelta(seconds=60))
    await dispatcher.run_due()
    assert await outbox(store) == [] and dispatcher.settle_pending_until() is None
    clock.advance(MIN)
    await dispatcher.run_due()
    assert len(recorder.sent) == 1 and has(recorder.texts(), "nl", "return.ping")
