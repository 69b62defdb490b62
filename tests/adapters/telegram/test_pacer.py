"""The breathing pacer when the animated guide cannot be sent (the text fallback): one message edited at phase
boundaries, never faster than one edit a second, with its buttons from the first second, ended on a clean last frame
when the person moves on, and left with its buttons when the bot stops. Time is fake (the pacer's sleep and the
stand-in's clock). The animated guide itself: test_animation.py."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.pacer import MIN_EDIT_INTERVAL, Step, plan
from adapters.telegram.standin import StandIn
from bot.i18n import catalog
from bot.ports import Frame

Feed = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def no_animation(api: StandIn) -> None:
    """Telegram refuses the animation: every round here falls back to the text pacer."""
    for _ in range(3):
        api.fail_next("sendAnimation", 400, description="Bad Request: wrong type of the web page content")


def edit_ids(markup: Any) -> list[str]:
    return [b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def until(check: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def test_short_phases_are_merged_into_the_one_before() -> None:
    frames = [Frame("in", 2.0), Frame("sip", 0.5), Frame("out", 6.0), Frame("out", 1.0), Frame("in 2", 4.0)]
    assert plan(frames) == [Step("in", 2.5), Step("out", 7.0), Step("in 2", 4.0)]
    assert plan([Frame("a", 0.3), Frame("b", 2.0)]) == [Step("a", 2.3)]
    assert plan([]) == []


async def test_one_message_is_animated_within_the_edit_limit(
    api: StandIn, feed: Feed, settle: Callable[[], Awaitable[None]]
) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/adem"))
    await settle()
    sends, edits = api.sent(222, "sendMessage"), api.sent(222, "editMessageText")
    assert len(sends) == 2  # the explanation, then the pacer message
    pacer_id = sends[1].result["message_id"]
    assert {e.params["message_id"] for e in edits} == {pacer_id}
    times = [sends[1].at] + [e.at for e in edits]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= MIN_EDIT_INTERVAL - 1e-6, gaps
    assert 55 <= times[-1] - times[0] <= 75  # about a minute of breathing
    final = edits[-1].params
    assert final["text"] == catalog("nl")["pacer.done"]
    # the way out is there from the first second, on every frame
    assert "br.next" in edit_ids(sends[1].params.get("reply_markup"))
    assert all("br.next" in edit_ids(e.params.get("reply_markup")) for e in edits)


async def test_a_new_message_cancels_the_pacer(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    assert adapter.pacer.is_running(222)
    await feed(api.text(bram, "/status"))
    assert not adapter.pacer.is_running(222)
    fake_time.release()
    await adapter.pacer.settled()
    for _ in range(50):
        await asyncio.sleep(0)
    # not frozen mid-frame: one last edit, to the end line, without the buttons of a round that is over
    [edit] = api.sent(222, "editMessageText")
    assert edit.params["text"] == catalog("nl")["pacer.done"]
    assert not edit.params.get("reply_markup")


async def test_text_typed_while_breathing_lets_the_pacer_go_on(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    await feed(api.text(bram, "ok, en nu?"))  # a word on the side: answered, and the breathing goes on
    assert adapter.pacer.is_running(222)
    assert catalog("nl")["breathe.typed"] in [m.params["text"] for m in api.sent(222, "sendMessage")]
    assert api.sent(222, "editMessageText") == []  # and nothing restarted: still the first frame
    assert len([m for m in api.sent(222, "sendMessage") if "br.next" in edit_ids(m.params.get("reply_markup"))]) == 1
    await feed(api.text(bram, "stop"))  # ends the round: the bot moves on, the animation stops
    assert not adapter.pacer.is_running(222)
    await adapter.pacer.settled()
    [edit] = api.sent(222, "editMessageText")
    assert edit.params["text"] == catalog("nl")["pacer.done"] and not edit.params.get("reply_markup")


async def test_a_button_press_cancels_the_pacer(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    await feed(api.press(bram, "safety", api.message_json(bram, "?")))
    assert not adapter.pacer.is_running(222)
    assert len(api.of("answerCallbackQuery")) == 1


async def test_stopping_leaves_the_pacer_on_its_end_with_buttons(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    await adapter.stop()
    [edit] = api.sent(222, "editMessageText")
    assert edit.params["text"] == catalog("nl")["pacer.done"]
    assert "br.next" in edit_ids(edit.params.get("reply_markup"))
    assert adapter.pacer.running == 0


async def test_a_deleted_pacer_message_still_gets_its_buttons_to_the_person(
    api: StandIn, feed: Feed, settle: Callable[[], Awaitable[None]], fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    for key in [k for k in api.messages if k[0] == 222]:
        del api.messages[key]  # the person deleted the messages
    fake_time.release()
    await settle()
    last = api.sent(222, "sendMessage")[-1]
    assert last.params["text"] == catalog("nl")["pacer.done"]
    assert "br.next" in edit_ids(last.params.get("reply_markup"))


async def test_a_frame_lost_in_passing_is_skipped_and_the_round_goes_on(
    api: StandIn, feed: Feed, settle: Callable[[], Awaitable[None]]
) -> None:
    bram = api.person(222, "Bram", "nl")
    api.fail_next("editMessageText", 500, chat_id=222)
    await feed(api.text(bram, "/adem"))
    await settle()
    assert [c.status for c in api.of("editMessageText")].count(500) == 1
    assert len(api.sent(222, "sendMessage")) == 2  # no end message sent instead: the round went on
    assert api.sent(222, "editMessageText")[-1].params["text"] == catalog("nl")["pacer.done"]
