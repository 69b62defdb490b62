"""Handlers, translation and rendering on real PTB objects: Bot API update JSON -> Update.de_json -> the handlers.

The transport is the in-process Bot API stand-in (no sockets); the Dialogue and SQLite file are the real ones.
"""

from __future__ import annotations

import re
import string
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.standin import StandIn
from bot.i18n import catalog
from bot.ports import Outgoing, Recipient, Unreachable
from bot.store import Store

Feed = Callable[[dict[str, Any]], Awaitable[None]]


def line_of(locale: str, key: str) -> str:
    """The longest fixed line of a catalog sentence: enough to recognise it in a rendered text."""
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(catalog(locale)[key])]
    return max((line.strip() for lit in pieces for line in lit.split("\n")), key=len)


def said(texts: list[str], locale: str, key: str) -> bool:
    return any(line_of(locale, key) in t for t in texts)


def buttons(call_params: dict[str, Any]) -> list[list[str]]:
    markup = call_params.get("reply_markup") or {}
    return [[b.get("callback_data") or b.get("url") for b in row] for row in markup.get("inline_keyboard", [])]


# -- commands -------------------------------------------------------------------------------------------------


async def test_start_onboards_in_the_telegram_language_as_plain_text(api: StandIn, feed: Feed) -> None:
    anna = api.person(111, "Anna", "en")
    await feed(api.text(anna, "/start"))
    texts = api.texts(111)
    assert said(texts, "en", "welcome")
    for call in api.sent(111):
        assert "parse_mode" not in call.params  # plain text: nothing typed can become markup
        assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_dutch_alias_with_botname_starts_a_time_out(api: StandIn, feed: Feed) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/pauze@adempauze_test_bot"))
    [call] = api.sent(222)
    assert said([call.params["text"]], "nl", "pause.when")
    ids = [i for row in buttons(call.params) for i in row]
    assert "ret.m30" in ids and "safety" in ids


async def test_english_command_works_for_a_dutch_speaker(api: StandIn, feed: Feed) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/timeout"))
    assert said(api.texts(222), "nl", "pause.when")


async def test_an_edited_message_is_not_acted_on(api: StandIn, feed: Feed, store: Store) -> None:
    anna = api.person(111, "Anna", "en")
    msg = api.message_json(anna, "/timeout")
    await feed(api.push({"edited_message": {**msg, "edit_date": msg["date"] + 5}}))
    assert api.sent() == []
    assert await store.query("SELECT COUNT(*) FROM users") == [(0,)]


async def test_a_message_without_text_gets_a_short_hint(api: StandIn, feed: Feed) -> None:
    anna = api.person(111, "Anna", "en")
    msg = api.message_json(anna, "x")
    del msg["text"]
    msg["sticker"] = {"file_id": "s1", "file_unique_id": "u1", "width": 512, "height": 512, "is_animated": False,
                      "is_video": False, "type": "regular"}
    await feed(api.push({"message": msg}))
    assert api.texts(111) == [catalog("en")["telegram.text_only"]]


# -- buttons --------------------------------------------------------------------------------------------------


async def test_a_press_is_answered_and_goes_to_the_dialogue(api: StandIn, feed: Feed) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/pauze"))
    press = api.press(bram, "ret.m30")
    await feed(press)
    [answer] = api.of("answerCallbackQuery")
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    assert "text" not in answer.params  # a normal press: no toast
    assert said(api.texts(222), "nl", "start.solo")


async def test_a_stale_button_is_answered_and_the_core_says_where_we_are(api: StandIn, feed: Feed) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.text(bram, "/pauze"))
    old = api.message_with_button(222, "ret.m30")
    await feed(api.press(bram, "ret.m30", old))
    await feed(api.press(bram, "ret.m30", old))  # the same button again, one step later
    assert len(api.of("answerCallbackQuery")) == 2
    assert said(api.texts(222), "nl", "hint.stale")


@pytest.mark.parametrize("case", ["too_long", "no_data", "inline_message", "someone_else"])
async def test_a_foreign_button_gets_a_toast_and_nothing_else(api: StandIn, feed: Feed, store: Store,
                                                                case: str) -> None:
    anna = api.person(111, "Anna", "en")
    update = api.press(anna, "ret.m30", api.message_json(anna, "hi"))
    query = update["callback_query"]
    if case == "too_long":
        query["data"] = "x" * 65
    elif case == "no_data":
        del query["data"]
        query["game_short_name"] = "g"
    elif case == "inline_message":
        del query["message"]
        query["inline_message_id"] = "inl-1"
    else:
        query["message"]["chat"] = {"id": 999, "type": "private", "first_name": "Someone"}
    await feed(update)
    [answer] = api.of("answerCallbackQuery")
    assert answer.params["text"] == catalog("en")["telegram.button_gone"]
    assert api.sent() == []
    assert await store.query("SELECT COUNT(*) FROM users") == [(0,)]


# -- deep link ------------------------------------------------------------------------------------------------


async def test_start_with_a_code_is_a_deep_link_that_pairs(api: StandIn, feed: Feed) -> None:
    anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")
    await feed(api.text(anna, "/pair"))
    m = re.search(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b", "\n".join(api.texts(111)))
    assert m, api.texts(111)
    await feed(api.text(bram, f"/start {m.group(1)}"))
    assert said(api.texts(222), "nl", "join.ok")
    contract = [c for c in api.sent(222) if re.search(r"ct\.accept\.\d+\.1\b", str(c.params.get("reply_markup")))]
    assert contract, "the first contract comes with its accept button"


# -- groups ---------------------------------------------------------------------------------------------------

GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Thuis"}


async def test_a_group_gets_a_pointer_to_the_private_chat(api: StandIn, feed: Feed, store: Store) -> None:
    anna = api.person(111, "Anna", "en")
    await feed(api.text(anna, "/timeout@adempauze_test_bot", chat=GROUP))
    [call] = api.sent(GROUP["id"])
    assert call.params["text"] == catalog("en")["telegram.private_only"].format(link="https://t.me/adempauze_test_bot")
    assert buttons(call.params) == [["https://t.me/adempauze_test_bot"]]
    # not again right away, not for other bots' commands, never for plain talk; and nothing reaches the core
    await feed(api.text(anna, "/timeout", chat=GROUP))
    await feed(api.text(anna, "/timeout@some_other_bot", chat={**GROUP, "id": -100999}))
    await feed(api.text(anna, "we need to talk", chat={**GROUP, "id": -100998}))
    assert len(api.sent()) == 1
    assert await store.query("SELECT COUNT(*) FROM users") == [(0,)]


async def test_being_added_to_a_group_says_so_in_the_group(api: StandIn, feed: Feed) -> None:
    bram = api.person(222, "Bram", "nl")
    await feed(api.member_update(bram, "left", "member", chat=GROUP))
    [call] = api.sent(GROUP["id"])
    assert call.params["text"].startswith(line_of("nl", "telegram.private_only").split(":")[0])


# -- blocked ----------------------------------------------------------------------------------------------------


async def test_a_person_who_blocked_the_bot_is_unreachable_without_a_request(
    api: StandIn, feed: Feed, adapter: TelegramAdapter
) -> None:
    anna = api.person(111, "Anna", "en")
    await feed(api.member_update(anna, "member", "kicked"))
    to = Recipient(1, "telegram", "111", "111")
    with pytest.raises(Unreachable):
        await adapter.messenger.deliver(to, Outgoing("It's 21:40: time to come back. Ready?"))
    assert api.sent() == []
    await feed(api.member_update(anna, "kicked", "member"))  # unblocked ("Restart")
    await adapter.messenger.deliver(to, Outgoing("It's 21:40: time to come back. Ready?"))
    assert len(api.sent(111)) == 1


async def test_a_block_found_on_sending_is_remembered(api: StandIn, adapter: TelegramAdapter) -> None:
    api.person(111, "Anna", "en")
    api.blocked.add(111)
    to = Recipient(1, "telegram", "111", "111")
    for _ in range(2):
        with pytest.raises(Unreachable):
            await adapter.messenger.deliver(to, Outgoing("hello"))
    assert len(api.of("sendMessage")) == 1  # the second time without asking Telegram


# -- the command menu --------------------------------------------------------------------------------------------


async def test_command_menus_per_language(api: StandIn, adapter: TelegramAdapter) -> None:
    await adapter.register_commands()
    en = {c["command"]: c["description"] for c in api.commands["all_private_chats:"]}
    nl = {c["command"]: c["description"] for c in api.commands["all_private_chats:nl"]}
    assert en["timeout"] == catalog("en")["menu.timeout"]
    assert nl["pauze"] == catalog("nl")["menu.timeout"]
    assert {"adem", "afspraken", "verleng", "klaar", "patronen", "veilig", "taal"} <= set(nl)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c) for c in [*en, *nl])


async def test_a_service_message_is_not_answered(api: StandIn, feed: Feed) -> None:
    anna = api.person(111, "Anna", "en")
    msg = api.message_json(anna, "x")
    del msg["text"]
    msg["pinned_message"] = api.message_json(anna, "earlier")
    await feed(api.push({"message": msg}))
    assert api.sent() == []


async def test_alone_the_message_for_the_partner_comes_on_its_own_with_a_share_button(api: StandIn, feed: Feed) -> None:
    """Issue 15: without a partner on the bot, the message to pass on is a message of its own, with a URL button
    to t.me/share/url carrying exactly that message's text (the chat picker opens with it ready to send)."""
    from urllib.parse import unquote

    anna = api.person(111, "Anna", "en")
    await feed(api.text(anna, "/timeout"))
    await feed(api.press(anna, "ret.m30"))
    [message] = [c for c in api.sent(111) if "not a no to you" in c.params.get("text", "")]
    text = message.params["text"]
    assert text.startswith("I need a break.") and "agreed" not in text
    [share] = [b for row in message.params["reply_markup"]["inline_keyboard"] for b in row if "url" in b]
    assert share["url"].startswith("https://t.me/share/url?url=") and unquote(share["url"].split("=", 1)[1]) == text
    assert "sn.edit" in [i for row in buttons(message.params) for i in row]


# -- issue 19: where the country came from, and /settings -------------------------------------------------------

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def shown(api: StandIn, chat_id: int, since: int = 0) -> list[tuple[str, list[str]]]:
    """(text, button ids) of each message to a chat from call number `since` on, in order."""
    return [(str(c.params.get("text", "")), [i for row in buttons(c.params) for i in row])
            for c in api.sent(chat_id)[since:] if c.method == "sendMessage"]


def tap_only_above_country_buttons(messages: list[tuple[str, list[str]]], locale: str) -> bool:
    """Every message that says "tap your country below" is followed by one with the country buttons; True when
    the sentence was shown at all."""
    tap = line_of(locale, "emergency.where_assumed_ask")
    said_tap = False
    for i, (text, _) in enumerate(messages):
        if tap in text:
            said_tap = True
            assert any(any(b.startswith("co.") for b in ids) for _, ids in messages[i + 1:]), messages
    return said_tap


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_tap_your_country_below_only_where_country_buttons_follow(
    api: StandIn, feed: Feed, locale: str
) -> None:
    """Telegram gives only a language, so the country is assumed: the first safety screen says so and asks
    with buttons; every later screen (and /check's, the calm-time question's) says only how to change it."""
    anna = api.person(111, "Anna", locale)
    await feed(api.text(anna, "/safety"))
    first = shown(api, 111)
    assert tap_only_above_country_buttons(first, locale)
    await feed(api.press(anna, "safety.continue"))
    n = len(api.sent(111))
    await feed(api.text(anna, "/safety"))
    again = shown(api, 111, n)
    assert not tap_only_above_country_buttons(again, locale)
    assert any(line_of(locale, "emergency.where_assumed") in t for t, _ in again)  # still says it is assumed
    await feed(api.press(anna, "safety.continue"))
    n = len(api.sent(111))
    await feed(api.press(anna, "sq.yes"))  # the calm-time question's yes shows the emergency lines too
    assert not tap_only_above_country_buttons(shown(api, 111, n), locale)
    assert any(line_of(locale, "emergency.where_assumed") in t for t, _ in shown(api, 111, n))


async def test_settings_are_private_to_each_partner_and_in_the_menu(
    api: StandIn, feed: Feed, adapter: TelegramAdapter
) -> None:
    await adapter.register_commands()
    assert "settings" in {c["command"] for c in api.commands["all_private_chats:"]}
    assert "instellingen" in {c["command"] for c in api.commands["all_private_chats:nl"]}
    anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")
    await feed(api.text(anna, "/pair"))
    code = CODE.search("\n".join(api.texts(111)))
    assert code is not None
    await feed(api.text(bram, f"/doemee {code.group(0)}"))
    await feed(api.text(bram, "/akkoord"))
    await feed(api.text(anna, "/tijdzone Asia/Tokyo"))
    await feed(api.text(anna, "/country Japan"))
    a, b = len(api.sent(111)), len(api.sent(222))
    await feed(api.text(anna, "/settings"))
    [(text, ids)] = shown(api, 111, a)
    assert "English" in text and "Japan" in text and "Asia/Tokyo" in text
    assert ids[:2] == ["set.lang", "set.country"]
    assert len(api.sent(222)) == b  # Bram is told nothing
    await feed(api.text(bram, "/instellingen"))
    [(text, _)] = shown(api, 222, b)
    assert "Nederlands" in text and "Nederland" in text and "Europe/Amsterdam" in text
    assert "Japan" not in text and "Tokyo" not in text  # Anna's settings are hers
    await feed(api.press(bram, "set.country"))
    assert any(i.startswith("co.") for i in shown(api, 222)[-1][1])
    await feed(api.press(bram, "co.BE"))
    a = len(api.sent(111))
    await feed(api.text(anna, "/settings"))
    assert "Japan" in shown(api, 111, a)[0][0] and "België" not in shown(api, 111, a)[0][0]
