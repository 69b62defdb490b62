"""The breathing guide on Telegram: one animation message (the round's text as its caption, the buttons on it from
the first second), uploaded once per pattern and language and sent by file_id after that; the round lasts exactly
the pattern's seconds; a word on the side lets it go on, "stop" ends it cleanly. Time is fake."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.standin import StandIn
from bot.core import breathing
from bot.i18n import catalog

Feed = Callable[[dict[str, Any]], Awaitable[None]]


def ids(markup: Any) -> list[str]:
    return [b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def until(check: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def round_text(locale: str, pattern: str = "sigh", minutes: int = 1) -> str:
    """The round's text: /breathe outside a time-out has no tension score, so it offers one minute first."""
    texts = catalog(locale)
    return texts["breathe.round"].format(pattern=texts[f"pattern.{pattern}.name"], how=texts[f"pattern.{pattern}.how"],
                                         dur=texts["dur.minutes"].format(n=minutes))


async def test_a_round_is_one_animation_with_its_way_out_from_the_first_second(
    api: StandIn, feed: Feed, settle: Callable[[], Awaitable[None]], fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/adem"))
    [sent] = api.sent(222, "sendAnimation")
    assert api.sent(222, "sendMessage") == []  # the explanation is the caption: one message, not two
    assert sent.params["caption"] == round_text("nl")
    assert "br.next" in ids(sent.params["reply_markup"])
    assert sent.params["animation_bytes"][:6] == b"GIF89a"
    assert sent.params["duration"] == 9 and sent.params["width"] > 0
    await settle()
    sigh = breathing.PATTERNS["sigh"]
    assert fake_time.slept == [sigh.cycles * sigh.cycle_seconds]  # the round: exactly 7 × 9 s, one wait
    [end] = api.sent(222, "editMessageCaption")
    assert end.params["caption"] == f"{round_text('nl')}\n\n{catalog('nl')['pacer.done']}"
    assert "br.next" in ids(end.params["reply_markup"])


async def test_uploaded_once_per_pattern_and_language_then_sent_by_file_id(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, settle: Callable[[], Awaitable[None]]
) -> None:
    anna, bram, chris = api.person(111, "Anna", "nl"), api.person(222, "Bram", "nl"), api.person(333, "Chris", "en")
    await feed(api.text(anna, "/adem"))
    await feed(api.text(bram, "/adem"))
    await feed(api.text(anna, "/adem"))
    first, *again = [c.params["animation"] for c in api.sent(method="sendAnimation")]
    assert first.startswith("attach://")
    assert len(again) == 2 and again[0] == again[1] and again[0] in api.uploads
    await feed(api.text(chris, "/breathe"))  # English: its own guide
    await feed(api.press(anna, "br.p.box"))  # another pattern: its own guide
    assert len(api.uploads) == 3 and adapter.animations.uploads == 3
    await settle()


async def test_a_file_id_telegram_no_longer_takes_is_uploaded_again(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, settle: Callable[[], Awaitable[None]]
) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/adem"))
    api.uploads.clear()  # Telegram forgot the file
    await feed(api.text(bram, "/adem"))
    calls = api.of("sendAnimation")
    assert [c.status for c in calls] == [200, 400, 200]
    assert calls[2].params["animation"].startswith("attach://")
    assert adapter.animations.file_ids and set(adapter.animations.file_ids.values()) <= set(api.uploads)
    await settle()


async def test_typing_lets_it_go_on_and_stop_ends_it_cleanly(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    await feed(api.text(bram, "ok, en nu?"))
    assert adapter.pacer.is_running(222)
    assert len(api.sent(222, "sendAnimation")) == 1  # never restarted
    assert catalog("nl")["breathe.typed"] in api.texts(222)
    await feed(api.text(bram, "klaar"))
    assert not adapter.pacer.is_running(222)
    await adapter.pacer.settled()
    [end] = api.sent(222, "editMessageCaption")
    assert end.params["caption"] == round_text("nl") and not end.params.get("reply_markup")
    assert len(api.sent(222, "sendAnimation")) == 1
    fake_time.release()


async def test_stopping_the_bot_leaves_the_guide_on_its_end_with_buttons(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    await adapter.stop()
    [end] = api.sent(222, "editMessageCaption")
    assert end.params["caption"].endswith(catalog("nl")["pacer.done"])
    assert "br.next" in ids(end.params["reply_markup"])


async def test_go_on_pressed_on_the_guide_ends_it_cleanly_and_the_flow_moves_on(
    api: StandIn, feed: Feed, adapter: TelegramAdapter, fake_time: Any
) -> None:
    bram = api.person(222, "Bram", "nl")
    fake_time.hold()
    await feed(api.text(bram, "/adem"))
    await until(lambda: bool(fake_time.slept))
    [guide] = api.sent(222, "sendAnimation")
    await feed(api.press(bram, "br.next", guide.result))
    assert not adapter.pacer.is_running(222)
    await adapter.pacer.settled()
    [end] = api.sent(222, "editMessageCaption")
    assert end.params["message_id"] == guide.result["message_id"] and not end.params.get("reply_markup")
    assert api.sent(222, "sendMessage")  # the next step came
    fake_time.release()
