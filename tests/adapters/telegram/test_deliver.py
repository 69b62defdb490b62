"""The Messenger for the dispatcher, and rendering: keyboards for a phone, long texts, documents, plain text,
and PTB's errors mapped to the port's RetryLater / Unreachable."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.render import chunks, classify, layout
from adapters.telegram.standin import StandIn
from bot.dispatch import Dispatcher
from bot.ports import (
    DeliveryError,
    Gate,
    Outgoing,
    Recipient,
    RetryLater,
    Unreachable,
    UserRef,
    Withdrawn,
    delivering,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's RetryAfter itself

ANNA = Recipient(7, "telegram", "111", "111")


def ids(rows: list[list[tuple[str, str]]]) -> list[list[str]]:
    return [[cid for cid, _ in row] for row in rows]


# -- layout and text ------------------------------------------------------------------------------------------


def test_a_score_scale_takes_two_rows_and_long_labels_their_own() -> None:
    scores = [(f"t.{i}", str(i)) for i in range(11)]
    rows = layout([*scores, ("skip", "Overslaan"), ("safety", "Ik voel me niet veilig")])
    assert ids(rows) == [
        [f"t.{i}" for i in range(6)], [f"t.{i}" for i in range(6, 11)], ["skip"], ["safety"],
    ]


def test_short_labels_share_rows() -> None:
    feelings = [(f"f.{w}", w) for w in ("boos", "gekwetst", "bang", "eenzaam", "onzichtbaar", "afgewezen")]
    rows = layout([*feelings, ("safety", "Ik voel me niet veilig")])
    assert [len(r) for r in rows] == [3, 2, 1, 1] or all(len(r) <= 3 for r in rows)
    assert sum(len(r) for r in rows) == 7 and rows[-1] == [("safety", "Ik voel me niet veilig")]
    assert all(len(r) <= 3 for r in rows)


def test_callback_data_over_64_bytes_is_not_rendered() -> None:
    rows = layout([("ok", "Fine"), ("é" * 33, "Too long in bytes"), ("", "Empty")])
    assert ids(rows) == [["ok"]]


def test_long_texts_are_split_at_line_breaks() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    parts = chunks(text)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    assert chunks("a" * 9000) == ["a" * 4096, "a" * 4096, "a" * 808]


# -- error mapping ------------------------------------------------------------------------------------------------


def test_ptb_errors_map_to_port_errors() -> None:
    rl = classify(RetryAfter(3))
    assert isinstance(rl, RetryLater) and rl.retry_after == 3.0
    assert isinstance(classify(TimedOut()), RetryLater)
    assert isinstance(classify(NetworkError("Internal Server Error (500)")), RetryLater)
    assert isinstance(classify(NetworkError("Bad Gateway")), RetryLater)
    assert isinstance(classify(Forbidden("Forbidden: bot was blocked by the user")), Unreachable)
    assert isinstance(classify(Forbidden("Forbidden: user is deactivated")), Unreachable)
    assert isinstance(classify(BadRequest("Bad Request: chat not found")), Unreachable)
    assert isinstance(classify(ChatMigrated(-100123)), Unreachable)
    other = classify(BadRequest("Bad Request: message is too long"))
    assert type(other) is DeliveryError  # not retried as passing, not a reason to give up on the person


# -- deliver against the stand-in --------------------------------------------------------------------------------


async def test_deliver_sends_plain_text_with_its_keyboard(api: StandIn, adapter: TelegramAdapter) -> None:
    api.person(111, "Anna", "en")
    text = 'Anna: <b>back at 21:40</b> [click](https://evil.example) *now* & "then"'
    await adapter.messenger.deliver(ANNA, Outgoing(text, (("r.ready", "Ready"), ("r.more", "15 more minutes"))))
    [call] = api.sent(111)
    assert call.params["text"] == text
    assert "parse_mode" not in call.params and "entities" not in call.params
    assert call.params["reply_markup"]["inline_keyboard"][0][0] == {"text": "Ready", "callback_data": "r.ready"}


@pytest.mark.parametrize(
    ("status", "description", "error"),
    [
        (500, "Internal Server Error", RetryLater),
        (502, "Bad Gateway", RetryLater),
        (403, "Forbidden: bot was blocked by the user", Unreachable),
        (403, "Forbidden: user is deactivated", Unreachable),
        (400, "Bad Request: chat not found", Unreachable),
    ],
)
async def test_deliver_maps_api_failures(
    api: StandIn, adapter: TelegramAdapter, status: int, description: str, error: type[Exception]
) -> None:
    api.person(111, "Anna", "en")
    api.fail_next("sendMessage", status, description=description)
    with pytest.raises(error):
        await adapter.messenger.deliver(ANNA, Outgoing("It's 21:40: time to come back. Ready?"))


async def test_a_429_is_retry_later_with_its_wait_and_nothing_is_retried_inside_the_send(
    api: StandIn, adapter: TelegramAdapter
) -> None:
    api.person(111, "Anna", "en")
    api.fail_next("sendMessage", 429, retry_after=1)
    with pytest.raises(RetryLater) as caught:
        await adapter.messenger.deliver(ANNA, Outgoing("ping"))
    assert caught.value.retry_after == 1.0
    assert len(api.of("sendMessage")) == 1  # no sleep, no second try here: the dispatcher gives it back


async def test_a_chat_telegram_does_not_know_is_unreachable(api: StandIn, adapter: TelegramAdapter) -> None:
    api.known_chats_only = True
    with pytest.raises(Unreachable):
        await adapter.messenger.deliver(Recipient(9, "telegram", "555", "555"), Outgoing("hello"))


async def test_deliver_before_start_asks_for_a_later_try(api: StandIn, adapter: TelegramAdapter) -> None:
    adapter.live = False
    with pytest.raises(RetryLater):
        await adapter.messenger.deliver(ANNA, Outgoing("hello"))
    assert api.sent() == []


async def test_a_document_goes_with_send_document(api: StandIn, adapter: TelegramAdapter) -> None:
    api.person(111, "Anna", "en")
    content = b'{"you": "everything we store"}'
    await adapter.messenger.deliver(ANNA, Outgoing("Here is everything I keep about you.",
                                                   document=("adempauze-export.json", content)))
    text, doc = api.sent(111)
    assert text.method == "sendMessage" and doc.method == "sendDocument"
    assert doc.params["document_bytes"] == content
    assert doc.result["document"]["file_name"] == "adempauze-export.json"


async def test_a_long_text_arrives_in_pieces_with_the_keyboard_last(api: StandIn, adapter: TelegramAdapter) -> None:
    api.person(111, "Anna", "en")
    text = "\n".join("x" * 100 for _ in range(60))
    await adapter.messenger.deliver(ANNA, Outgoing(text, (("ok", "OK"),)))
    first, second = api.sent(111)
    assert "reply_markup" not in first.params and second.params["reply_markup"]
    assert first.params["text"] + "\n" + second.params["text"] == text


# -- issue 13, finding 2: a notice taken back while it waited is not sent --------------------------------------


async def _paired_with_a_notice_waiting(talk, store, recorder, clock, adapter) -> tuple[Dispatcher, UserRef]:
    """Ann (console) and Bob (Telegram chat 222) are a couple; Ann has just started a time-out, so the notice
    for Bob is in the outbox. Returns the dispatcher (Telegram through the real adapter) and Ann."""
    ann = UserRef("console", "ann", chat_id="ann", name="Ann")
    bob = UserRef("telegram", "222", chat_id="222", name="Bob", locale="en")
    dispatcher = Dispatcher(store, {"telegram": adapter.messenger, "console": recorder}, clock)
    code = re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", (await talk.say(ann, "/pair"))[0].text)
    assert code
    await talk.say(bob, f"/join {code.group(0)}")
    await talk.say(bob, "/accept")
    await talk.say(bob, "/help")
    await dispatcher.run_due()  # pairing notices for Ann
    await talk.say(ann, "/timeout")
    await talk.press(ann, "ret.m30")
    assert await store.query("SELECT count(*) FROM outbox WHERE tag <> ''") == [(1,)]  # the start notice
    return dispatcher, ann


async def test_a_notice_met_by_a_429_is_given_back_and_a_danger_signal_meanwhile_cancels_it(
    api: StandIn, adapter: TelegramAdapter, talk, store, recorder, clock
) -> None:
    """The partner notice gets a 429 (retry after 1 s). Nothing sleeps or retries inside the send: the row goes
    back to the database at once, so Ann's danger signal deletes it, and Bob never gets the notice. (Before,
    the rate limiter slept and sent it anyway, after the danger signal.)"""
    api.person(222, "Bob", "en")
    dispatcher, ann = await _paired_with_a_notice_waiting(talk, store, recorder, clock, adapter)
    api.fail_next("sendMessage", 429, retry_after=1, chat_id=222)

    delivering = asyncio.create_task(dispatcher.run_due())
    await api.wait_for(lambda: any(c.status == 429 for c in api.calls))
    await talk.say(ann, "hij sloeg me")  # a danger signal while the notice is at the platform's door
    assert await talk.phase(ann) == "safety"
    await asyncio.wait_for(delivering, 10)
    clock.advance(timedelta(minutes=5))
    await dispatcher.run_due()

    assert [c.status for c in api.of("sendMessage") if c.params.get("chat_id") == 222] == [429]
    assert not any("Ann" in t for t in api.texts(222))
    assert await store.query("SELECT count(*) FROM outbox WHERE tag <> ''") == [(0,)]


async def test_the_last_look_is_taken_inside_the_rate_limiter_right_before_the_request(
    api: StandIn, adapter: TelegramAdapter
) -> None:
    """A message taken back while it waited in the limiter (the look says "gone") never reaches Telegram;
    a reply to the person acting (no delivery gate) is not looked at."""
    api.person(111, "Anna", "en")
    looks: list[str] = []

    async def gone() -> str:
        looks.append("gone")
        return "gone"

    with delivering(Gate(gone)), pytest.raises(Withdrawn):
        await adapter.messenger.deliver(ANNA, Outgoing("It's 21:40: time to come back."))
    assert looks == ["gone"] and api.of("sendMessage") == []
    await adapter.reply(111, [Outgoing("a reply")])
    assert api.texts(111) == ["a reply"] and looks == ["gone"]
