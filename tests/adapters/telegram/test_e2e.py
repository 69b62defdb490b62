"""End to end over real HTTP: the real PTB Application long-polls the Bot API stand-in on 127.0.0.1, with the real
Dialogue, Dispatcher and a SQLite file, on a clock the test moves. Two people pair, agree the contract, one takes a
time-out, the partner is told, time passes, both are called back and come back. A 500 and a 429 on the way lose
nothing. And a whole conversation at DEBUG leaves neither the token nor any message text in the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import string
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from adempauze_testkit import code_forms, leaks, secrets_of
from pydantic import SecretStr

from adapters.telegram.app import TelegramAdapter, Webhook, build
from adapters.telegram.standin import Person, StandIn
from bot.clock import ManualClock
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.i18n import catalog
from bot.ports import Messenger
from bot.service import Dialogue
from bot.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's RetryAfter itself

TOKEN = "7012345678:AAH3kq-Zt0kEnSecretPartForTests_x9YwQ"
T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)  # 21:10 in Amsterdam
WAIT = 10.0  # seconds at most for any one thing to arrive over loopback


def line_of(locale: str, key: str) -> str:
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(catalog(locale)[key])]
    return max((line.strip() for lit in pieces for line in lit.split("\n")), key=len)


def count(api: StandIn, chat_id: int, locale: str, key: str) -> int:
    return sum(line_of(locale, key) in t for t in api.texts(chat_id))


@dataclass
class Live:
    api: StandIn
    adapter: TelegramAdapter
    dispatcher: Dispatcher
    clock: ManualClock
    store: Store
    messengers: dict[str, Messenger]
    settings: Settings

    async def arrives(self, chat_id: int, locale: str, key: str, times: int = 1) -> None:
        await self.api.wait_for(lambda: count(self.api, chat_id, locale, key) >= times, WAIT)

    def later(self, span: timedelta) -> None:
        self.clock.advance(span)
        self.dispatcher.wake()


@contextlib.asynccontextmanager
async def running(tmp_path: Path, webhook: Webhook | None = None) -> AsyncIterator[Live]:
    api = StandIn(TOKEN)
    await api.serve()
    store = await Store.open(tmp_path / "e2e.sqlite3")
    clock = ManualClock(T0)
    messengers: dict[str, Messenger] = {}
    dispatcher = Dispatcher(store, messengers, clock)
    dialogue = Dialogue(store, clock, on_scheduled=dispatcher.wake)
    settings = Settings(telegram_token=SecretStr(TOKEN), telegram_base_url=api.base_url, default_locale="nl")
    adapter = build(settings, dialogue, clock, webhook=webhook)
    messengers["telegram"] = adapter.messenger
    await adapter.start()
    runner = asyncio.create_task(dispatcher.run_forever())
    try:
        yield Live(api, adapter, dispatcher, clock, store, messengers, settings)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await adapter.stop()
        await store.close()
        await api.close()


async def pair_and_agree(live: Live, anna: Person, bram: Person) -> str:
    api = live.api
    a, b = anna.language_code or "nl", bram.language_code or "nl"
    api.text(anna, "/start")
    await live.arrives(anna.id, a, "welcome")
    api.text(anna, "/pair")
    await live.arrives(anna.id, a, "pair.code")
    code = re.search(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b", "\n".join(api.texts(anna.id)))
    assert code
    api.text(bram, f"/doemee {code.group(1)}")
    await live.arrives(bram.id, b, "join.ok")
    await live.arrives(bram.id, b, "contract.first")
    await live.arrives(anna.id, a, "pair.joined")  # through the outbox
    api.press(bram, next(c for c in api.button_ids(bram.id) if c.startswith("ct.accept.") and c.endswith(".1")))
    await live.arrives(bram.id, b, "contract.accepted")
    return code.group(1)


async def test_two_people_pair_take_a_time_out_and_come_back(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        api = live.api
        anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")
        await pair_and_agree(live, anna, bram)

        api.fail_next("sendMessage", 500, chat_id=bram.id)  # the partner notice fails once
        api.text(anna, "/timeout")
        await live.arrives(anna.id, "en", "pause.when")
        api.press(anna, "ret.m30")
        await live.arrives(anna.id, "en", "start.told")
        await api.wait_for(lambda: any(c.status == 500 for c in api.calls), WAIT)
        live.later(timedelta(seconds=30))  # past the dispatcher's backoff
        await live.arrives(bram.id, "nl", "notice.start")
        notice = next(t for t in api.texts(bram.id) if line_of("nl", "notice.start") in t)
        assert "Anna" in notice and "21:40" in notice

        api.fail_next("sendMessage", 429, retry_after=1, chat_id=anna.id)  # one return ping meets flood control
        live.later(timedelta(minutes=30))
        await api.wait_for(lambda: any(c.status == 429 for c in api.calls), WAIT)
        live.later(timedelta(seconds=5))  # the row went back to the database: retried after the backoff (>= 5 s)
        await live.arrives(anna.id, "en", "return.ping")
        await live.arrives(bram.id, "nl", "return.ping")
        api.press(anna, "r.ready")
        api.press(bram, "r.ready")
        await api.wait_for(lambda: len(api.of("answerCallbackQuery")) == 3, WAIT)
        both = {anna.id: catalog("en")["notice.both_ready"].format(name="Bram"),
                bram.id: catalog("nl")["notice.both_ready"].format(name="Anna")}
        # whoever pressed first is told, through the outbox, that the other is coming back now
        await api.wait_for(lambda: sum(both[p] in api.texts(p) for p in both) == 1, WAIT)

        # nothing lost, nothing twice
        assert count(api, bram.id, "nl", "notice.start") == 1
        assert count(api, anna.id, "en", "pair.joined") == 1
        assert count(api, anna.id, "en", "return.ping") == 1
        assert count(api, bram.id, "nl", "return.ping") == 1
        assert [c.status for c in api.calls if c.status != 200] == [500, 429]
        assert await live.dispatcher.run_due() == 0  # (waits for a round in flight) nothing is left due
        due = await live.store.query("SELECT payload FROM outbox WHERE due_at <= ?", (live.clock.now().timestamp(),))
        assert due == [], due
        assert all(call.params.get("callback_query_id") for call in api.of("answerCallbackQuery"))
        assert "all_private_chats:nl" in api.commands


async def test_patterns_sends_each_partner_a_chart_as_a_photo_in_their_language(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        api = live.api
        anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")
        await pair_and_agree(live, anna, bram)
        api.text(anna, "/timeout")
        await live.arrives(anna.id, "en", "pause.when")
        api.press(anna, "ret.m30")
        await live.arrives(anna.id, "en", "start.told")
        live.later(timedelta(minutes=30))
        await live.arrives(anna.id, "en", "return.ping")
        await live.arrives(bram.id, "nl", "return.ping")
        api.press(anna, "r.ready")
        api.press(bram, "r.ready")
        await api.wait_for(lambda: len(api.of("answerCallbackQuery")) == 3, WAIT)

        api.text(anna, "/patterns")
        api.text(bram, "/patronen")
        await api.wait_for(lambda: len(api.of("sendPhoto")) == 2, WAIT)
        await live.arrives(anna.id, "en", "patterns.reflect.helped")
        await live.arrives(bram.id, "nl", "patterns.reflect.helped")
        photos = {c.params["chat_id"]: c for c in api.of("sendPhoto")}
        assert set(photos) == {anna.id, bram.id} and all(c.status == 200 for c in photos.values())
        for person, locale in ((anna, "en"), (bram, "nl")):
            call = photos[person.id]
            png = call.params["photo_bytes"]
            assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and len(png) > 10_000
            assert call.params["caption"] == catalog(locale)["patterns.chart.caption"]
            assert call.params["photo_name"] == "adempauze-patterns.png"
            # the picture comes first, then the overview in words
            sent = [c for c in api.sent(person.id) if c.method in ("sendPhoto", "sendMessage")]
            photo = [c.method for c in sent].index("sendPhoto")
            words = next(i for i, c in enumerate(sent) if line_of(locale, "patterns.reflect.helped") in
                         str(c.params.get("text", "")))
            assert photo < words
        assert photos[anna.id].params["photo_bytes"] != photos[bram.id].params["photo_bytes"]  # own language


async def test_a_refused_picture_still_lets_the_words_through(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        api = live.api
        anna = api.person(111, "Anna", "en")
        api.text(anna, "/timeout")
        await live.arrives(anna.id, "en", "pause.when")
        api.press(anna, "ret.m30")
        await live.arrives(anna.id, "en", "start.solo")
        api.fail_next("sendPhoto", 400, description="Bad Request: PHOTO_INVALID_DIMENSIONS")
        api.text(anna, "/patterns")
        await live.arrives(anna.id, "en", "patterns.reflect.helped")
        assert [c.status for c in api.of("sendPhoto")] == [400]
        assert not api.sent(anna.id, "sendPhoto")


async def test_a_whole_conversation_at_debug_logs_no_token_no_text_and_no_code(
    tmp_path: Path, debug_log: io.StringIO
) -> None:
    """The production logging at DEBUG (bot.__main__._logging; issue 13, finding 8 for all three adapters)."""
    typed = "Je luistert nooit naar me, Anna"
    async with running(tmp_path) as live:
        api = live.api
        anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")
        code = await pair_and_agree(live, anna, bram)
        api.text(bram, "/pauze")
        await live.arrives(bram.id, "nl", "pause.when")
        api.press(bram, "ret.m20")
        await live.arrives(anna.id, "en", "notice.start")
        before = len(api.texts(bram.id))
        api.text(bram, typed)
        await api.wait_for(lambda: len(api.texts(bram.id)) > before, WAIT)
        api.fail_next("sendMessage", 500, chat_id=anna.id)
        live.later(timedelta(minutes=20))
        await api.wait_for(lambda: any(c.status == 500 for c in api.calls), WAIT)
        live.later(timedelta(seconds=30))
        await live.arrives(anna.id, "en", "return.ping")
        await live.arrives(bram.id, "nl", "return.ping")
    logs = debug_log.getvalue()
    assert "bot.dispatch" in logs and "DEBUG" in logs, "the run did log"
    secret = TOKEN.split(":", 1)[1]
    bot_texts = [str(c.params["text"]) for c in api.sent() if "text" in c.params]
    assert leaks(logs, {TOKEN, secret, *code_forms(code), *secrets_of(bot_texts, [typed, f"/doemee {code}"])}) == []
    for text in bot_texts:
        assert text.split("\n")[0] not in logs, text


async def test_two_partners_breathing_share_one_upload_and_a_restart_uploads_once_more(tmp_path: Path) -> None:
    """The breathing guide is uploaded once per pattern and language: the partner's round, and a second round, send
    Telegram's file_id. The ids live in memory: after a restart the first round uploads once more, then reuses."""
    async with running(tmp_path) as live:
        api = live.api
        anna, bram = api.person(111, "Anna", "nl"), api.person(222, "Bram", "nl")
        await pair_and_agree(live, anna, bram)

        def guides(chat_id: int) -> list[str]:
            return [str(c.params["animation"]) for c in api.sent(chat_id, "sendAnimation")]

        api.text(anna, "/adem")
        await api.wait_for(lambda: len(guides(anna.id)) == 1, WAIT)
        [first] = api.sent(anna.id, "sendAnimation")
        assert guides(anna.id)[0].startswith("attach://") and first.params["animation_bytes"][:6] == b"GIF89a"
        file_id = first.result["animation"]["file_id"]
        assert "br.next" in str(first.params["reply_markup"])  # the way out, from the first second
        api.text(bram, "/adem")  # the partner breathes too: the same guide, not uploaded again
        await api.wait_for(lambda: len(guides(bram.id)) == 1, WAIT)
        assert guides(bram.id) == [file_id]
        api.text(anna, "/adem")
        await api.wait_for(lambda: len(guides(anna.id)) == 2, WAIT)
        assert guides(anna.id)[1] == file_id and len(api.uploads) == 1

        await live.adapter.stop()  # a restart: a new adapter, nothing kept in memory
        live.adapter = build(live.settings, Dialogue(live.store, live.clock, on_scheduled=live.dispatcher.wake),
                             live.clock)
        live.messengers["telegram"] = live.adapter.messenger
        await live.adapter.start()
        api.text(bram, "/adem")
        await api.wait_for(lambda: len(guides(bram.id)) == 2, WAIT)
        api.text(anna, "/adem")
        await api.wait_for(lambda: len(guides(anna.id)) == 3, WAIT)
        assert guides(bram.id)[1].startswith("attach://")  # uploaded once more after the restart …
        assert guides(anna.id)[2] in api.uploads  # … and reused for the partner
        assert len(api.uploads) == 2
        assert all(c.status == 200 for c in api.of("sendAnimation"))
