"""Slash commands over a real discord.Client: English and Dutch, options, /say and DM text, sync, deferral, intents."""

from __future__ import annotations

import sqlite3
from typing import Any

from adapters.discord.app import intents, sync_commands
from adapters.discord.commands import OPTIONS, SAY, SAY_OPTION
from bot.i18n import catalog
from bot.menu import MENU

EN, NL = catalog("en"), catalog("nl")


def first_line(key: str, cat: dict[str, str]) -> str:
    return cat[key].split("\n", 1)[0].split("{", 1)[0].strip()


async def test_a_slash_command_in_the_dm_is_answered_there_in_english_with_buttons(world):
    sam = world.standin.person("sam")
    ix = await world.slash(sam, "timeout", locale="en-US")
    [callback] = ix.callbacks
    assert callback["type"] == 4  # answered at once with the reply, not deferred
    assert not callback["data"].get("flags", 0) & 64  # in the DM: a normal message
    assert callback["data"]["content"].startswith(first_line("pause.when", EN))
    ids = [b["custom_id"] for b in world.standin.buttons(world.standin.dms(sam)[-1])]
    assert "ap:ret.m30" in ids and "ap:safety" in ids
    assert all(len(i) <= 100 for i in ids)
    assert ix.acked_at - ix.sent_at < 3.0


async def test_a_dutch_discord_gets_dutch(world):
    noor = world.standin.person("noor")
    await world.slash(noor, "timeout", locale="nl")
    assert world.standin.texts(noor)[-1].startswith(first_line("pause.when", NL))
    labels = [b["label"] for b in world.standin.buttons(world.standin.dms(noor)[-1])]
    assert NL["choice.safety"] in labels


async def test_language_chosen_with_the_command_wins_over_the_discord_locale(world):
    noor = world.standin.person("noor")
    await world.slash(noor, "language", "en", option=OPTIONS["language"], locale="nl")
    await world.slash(noor, "timeout", locale="nl")
    assert world.standin.texts(noor)[-1].startswith(first_line("pause.when", EN))


async def test_an_option_is_the_commands_argument(world):
    sam = world.standin.person("sam")
    await world.slash(sam, "timezone", "Europe/London", option=OPTIONS["timezone"])
    assert world.standin.texts(sam)[-1] == EN["timezone.set"].format(tz="Europe/London")


async def test_text_typed_in_the_dm_and_text_said_with_say_reach_the_dialogue(world):
    sam, alex = world.standin.person("sam"), world.standin.person("alex")
    await world.type_dm(sam, "I'm taking a time-out")  # the contract's signal phrase, typed
    # a message carries no locale: someone new gets DEFAULT_LOCALE (nl) until /language
    assert world.standin.texts(sam)[-1].startswith(first_line("pause.when", NL))
    await world.slash(alex, SAY, "I'm taking a time-out", option=SAY_OPTION)
    assert world.standin.texts(alex)[-1].startswith(first_line("pause.when", EN))


async def test_an_unknown_command_or_button_gets_a_short_private_notice(world):
    sam = world.standin.person("sam")
    ix = await world.slash(sam, "timeout")
    message = world.standin.dms(sam)[-1]
    stale = await world.handled(world.standin.press(sam, message, "old:ret.m30"))
    assert stale.callbacks == [{"type": 4, "data": {"content": EN["discord.stale"], "flags": 64,
                                                     "tts": False, "allowed_mentions": {"parse": []}}}]
    gone = await world.slash(sam, "removed-command")  # a command, not a button: said so (issue 13, finding 9)
    assert gone.callbacks[0]["data"]["content"] == EN["discord.unknown_command"]
    assert ix.callbacks[0]["type"] == 4


async def test_a_slow_answer_is_deferred_first_then_filled_in(world):
    world.adapter.ack_budget = 0.05
    sam = world.standin.person("sam")
    before = world.adapter.activity.done
    blocker = sqlite3.connect(world.settings.database_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database: the Dialogue has to wait
    try:
        ix = await world.standin.slash(sam, "timeout")
        await world.within(ix.acked.wait())
        assert [c["type"] for c in ix.callbacks] == [5]  # "thinking…", in time
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await world.within(world.adapter.activity.wait_done(before + 1))
    edits = [r for r in world.standin.requests if r.method == "PATCH" and r.path.endswith("/messages/@original")]
    assert edits and edits[-1].body["content"].startswith(first_line("pause.when", EN))
    assert world.standin.texts(sam)[-1].startswith(first_line("pause.when", EN))


async def test_only_unprivileged_intents(world):
    wanted = intents()
    assert not (wanted.message_content or wanted.members or wanted.presences)
    assert world.standin.identifies[-1]["intents"] == wanted.value
    assert wanted.dm_messages and wanted.guilds


def command_named(commands: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in commands if c["name"] == name)


async def test_sync_uploads_every_command_with_dutch_names_and_descriptions(standin):
    names = await sync_commands("test-token", None)
    assert names == [e.name for e in MENU] + [SAY]
    uploaded = standin.commands["global"]
    for entry in MENU:
        cmd = command_named(uploaded, entry.name)
        assert cmd["description"] == EN[entry.description_key]
        assert cmd["name_localizations"] == {"nl": entry.nl}
        assert cmd["description_localizations"] == {"nl": NL[entry.description_key]}
        assert set(cmd["contexts"]) == {0, 1}  # servers and the bot's DMs
        if entry.takes_arg:
            [option] = cmd["options"]
            key = f"discord.option.{OPTIONS[entry.name]}"
            assert option["name"] == OPTIONS[entry.name] and not option["required"]
            assert option["name_localizations"] == {"nl": NL[f"{key}.name"]}
            assert option["description_localizations"] == {"nl": NL[f"{key}.about"]}
    say = command_named(uploaded, SAY)
    assert say["name_localizations"] == {"nl": NL["discord.say.name"]} and say["options"][0]["required"]


async def test_sync_to_one_server(standin):
    await sync_commands("test-token", standin.guild_id)
    assert len(standin.commands[str(standin.guild_id)]) == len(MENU) + 1
    assert "global" not in standin.commands


def test_catalog_names_match_the_canonical_names():
    assert EN["discord.say.name"] == SAY
    assert {e.name for e in MENU if e.takes_arg} == set(OPTIONS)
    for option in (*OPTIONS.values(), SAY_OPTION):
        assert EN[f"discord.option.{option}.name"] == option
        for cat in (EN, NL):
            name = cat[f"discord.option.{option}.name"]
            assert name.islower() and " " not in name and len(name) <= 32
            assert 0 < len(cat[f"discord.option.{option}.about"]) <= 100


async def test_the_language_follows_each_interaction_until_one_is_chosen_with_language(world):
    """Issue 13, finding 9: a first plain DM carries no locale (so Sam is stored with DEFAULT_LOCALE, nl); his
    next interactions say en-US and are answered in English. Once he chooses with /language, that holds."""
    sam = world.standin.person("sam")
    await world.type_dm(sam, "hallo")
    assert any(t.startswith(first_line("idle.hint", NL)) for t in world.standin.texts(sam)[-3:])
    await world.slash(sam, "status", locale="en-US")
    assert world.standin.texts(sam)[-1] == EN["status.none"]
    await world.type_dm(sam, "hello again")  # a DM says nothing about the language: it stays English
    assert any(t.startswith(first_line("idle.hint", EN)) for t in world.standin.texts(sam)[-3:])
    await world.slash(sam, "language", "nl", option=OPTIONS["language"], locale="en-US")
    await world.slash(sam, "status", locale="en-US")
    assert world.standin.texts(sam)[-1] == NL["status.none"]  # chosen: the client's locale no longer moves it


# -- issue 19: where the country came from, and /settings -------------------------------------------------------

def dm_messages(world: Any, person: Any, since: int = 0) -> list[tuple[str, list[str]]]:
    """(text, button ids without the "ap:" prefix) of each DM to the person from message `since` on."""
    return [(m["content"], [b.get("custom_id", "").removeprefix("ap:") for b in world.standin.buttons(m)])
            for m in world.standin.dms(person)[since:]]


def tap_only_above_country_buttons(messages: list[tuple[str, list[str]]], cat: dict[str, str]) -> bool:
    tap = cat["emergency.where_assumed_ask"].split("{country}", 1)[1].strip(". ")
    said_tap = False
    for i, (text, _) in enumerate(messages):
        if tap in text:
            said_tap = True
            assert any(any(b.startswith("co.") for b in ids) for _, ids in messages[i + 1:]), messages
    return said_tap


async def test_tap_your_country_below_only_where_country_buttons_follow(world):
    """A Discord locale without a region ("nl") gives only a language: the first safety screen says the country
    is assumed and asks with buttons; the next one says only how to change it."""
    noor = world.standin.person("noor")
    await world.slash(noor, "safety", locale="nl")
    assert tap_only_above_country_buttons(dm_messages(world, noor), NL)
    screen = next(m for m in world.standin.dms(noor) if "ap:safety.continue" in
                  [b.get("custom_id") for b in world.standin.buttons(m)])
    await world.press(noor, screen, "safety.continue", locale="nl")
    n = len(world.standin.dms(noor))
    await world.slash(noor, "safety", locale="nl")
    again = dm_messages(world, noor, n)
    assert not tap_only_above_country_buttons(again, NL)
    assumed = NL["emergency.where_assumed"].split("{country}", 1)[1].strip(". ")
    assert any(assumed in t for t, _ in again)


async def test_a_discord_region_is_the_country_and_nothing_is_assumed(world):
    sam = world.standin.person("sam")
    await world.slash(sam, "safety", locale="en-US")
    texts = world.standin.texts(sam)
    assert any("Call 911" in t and "Country: United States." in t for t in texts), texts
    assert not tap_only_above_country_buttons(dm_messages(world, sam), EN)
    assert not any("I assumed this" in t for t in texts)


async def test_settings_are_private_to_each_partner(world):
    sam, noor = world.standin.person("sam"), world.standin.person("noor")
    await world.slash(sam, "pair")
    code = next(m.group(0) for t in world.standin.texts(sam)
                if (m := __import__("re").search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", t)))
    await world.slash(noor, "join", code, option=OPTIONS["join"], locale="nl")
    await world.slash(noor, "accept", locale="nl")
    await world.slash(sam, "timezone", "Asia/Tokyo", option=OPTIONS["timezone"])
    s, n = len(world.standin.dms(sam)), len(world.standin.dms(noor))
    await world.slash(sam, "settings")
    [(text, ids)] = dm_messages(world, sam, s)
    assert "English" in text and "United States" in text and "Asia/Tokyo" in text and "assumed" not in text
    assert ids[:2] == ["set.lang", "set.country"]
    assert len(world.standin.dms(noor)) == n  # Noor is told nothing
    await world.slash(noor, "settings", locale="nl")
    [(text, _)] = dm_messages(world, noor, n)
    assert "Nederlands" in text and "Nederland, aangenomen" in text and "Tokyo" not in text
    await world.press(noor, world.standin.dms(noor)[-1], "set.country", locale="nl")
    assert any(i.startswith("co.") for i in dm_messages(world, noor)[-1][1])
