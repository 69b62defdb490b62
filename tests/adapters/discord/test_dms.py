"""DMs: a server flow moves to the DMs (ephemeral notice), closed DMs, delivery errors, files, no mentions."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.core.events import ChoiceMade
from bot.i18n import catalog
from bot.ports import Outgoing, Recipient, RetryLater, Unreachable, UserRef, event_from_text

EN = catalog("en")
EPHEMERAL = 64
CHANNEL_MESSAGES = r"/channels/\d+/messages"


def starts(text: str, key: str) -> bool:
    return text.startswith(EN[key].split("\n", 1)[0].split("{", 1)[0].strip())


def to(person) -> Recipient:
    return Recipient(user_id=1, platform="discord", external_id=str(person.id), chat_id="")


async def pair(world, sam, alex) -> None:
    await world.slash(sam, "pair")
    code = re.search(r"invite code: (\S+)", world.standin.dms(sam)[-1]["content"])
    assert code, world.standin.texts(sam)
    await world.slash(alex, "join", code.group(1), option="code")
    await world.dispatcher.run_due()


async def test_in_a_server_the_answer_is_ephemeral_and_the_flow_moves_to_the_dm(world):
    s = world.standin
    sam = s.person("sam")
    ix = await world.slash(sam, "timeout", guild=True)
    [callback] = ix.callbacks
    assert callback["data"]["flags"] & EPHEMERAL
    dm = s.dm_of[sam.id]
    assert callback["data"]["content"] == EN["discord.dm_sent"].format(link=f"https://discord.com/channels/@me/{dm}")
    assert [m["content"] for m in s.ephemeral(sam)] == [callback["data"]["content"]]  # nothing else in the server
    question = s.last_with_buttons(sam)
    assert starts(question["content"], "pause.when")
    press = await world.press(sam, question, "ret.m30")  # the flow goes on in the DM, as a DM
    assert not s.messages[int(question["id"])]["flags"] & EPHEMERAL and press.callbacks[0]["type"] == 7
    # the name is the person's own, not their server nickname
    assert await world.store.query("SELECT name FROM users WHERE external_id = ?", (str(sam.id),)) == [("Sam",)]


async def test_with_dms_closed_a_server_gets_the_replies_privately_with_how_to_open_dms(world):
    s = world.standin
    alex = s.person("alex", dm_closed=True)
    ix = await world.slash(alex, "timeout", guild=True)
    first = ix.callbacks[0]["data"]
    assert first["flags"] & EPHEMERAL
    assert first["content"].startswith(EN["discord.dm_closed"])
    assert starts(first["content"].split("\n\n", 1)[1], "pause.when")
    assert s.dms(alex) == []
    question = s.last_with_buttons(alex, ephemeral=True)
    press = await world.press(alex, question, "ret.m30", guild=True)
    assert press.callbacks[0]["type"] == 7
    assert all(m["flags"] & EPHEMERAL for m in s.ephemeral(alex))
    assert any(starts(m["content"].split("\n\n", 1)[-1], "start.solo") for m in s.ephemeral(alex))


async def test_a_partner_notice_to_closed_dms_is_unreachable_and_the_hint_comes_with_their_next_reply(world):
    s = world.standin
    sam, alex = s.person("sam"), s.person("alex")
    await pair(world, sam, alex)
    alex.dm_closed = True
    await world.slash(sam, "timeout")
    await world.press(sam, s.last_with_buttons(sam), "ret.m30")
    attempts = len([r for r in s.requests if r.method == "POST" and re.fullmatch(CHANNEL_MESSAGES, r.path)])
    await world.dispatcher.run_due()  # the partner notice: Forbidden -> Unreachable, marked in the store
    assert len([r for r in s.requests if r.method == "POST" and re.fullmatch(CHANNEL_MESSAGES, r.path)]) > attempts
    assert await world.store.query("SELECT unreachable FROM users WHERE external_id = ?", (str(alex.id),)) == [(1,)]
    assert s.dms(alex) == [m for m in s.dms(alex) if m.get("_interaction")]  # nothing arrived by DM
    ix = await world.slash(alex, "status")  # in the DM with the bot: the answer itself works
    assert ix.callbacks[0]["data"]["content"].startswith(EN["discord.dm_closed"] + "\n\n")
    again = await world.slash(alex, "status")
    assert EN["discord.dm_closed"] not in again.callbacks[0]["data"]["content"]  # told once
    assert await world.store.query("SELECT unreachable FROM users WHERE external_id = ?", (str(alex.id),)) == [(0,)]


async def test_deliver_to_closed_dms_raises_unreachable(world):
    alex = world.standin.person("alex", dm_closed=True)
    with pytest.raises(Unreachable):
        await world.adapter.messenger.deliver(to(alex), Outgoing("hello"))
    assert alex.id in world.adapter.messenger.dm_closed


@pytest.mark.parametrize(("status", "body", "headers", "wait"), [
    (429, {"message": "You are being rate limited.", "retry_after": 120.0, "global": False},
     {"Via": "1.1 google", "Retry-After": "120"}, 120.0),  # longer than discord.py will sleep: RateLimited
    (429, {"message": "You are being rate limited.", "retry_after": 7.5, "global": False},
     {"Retry-After": "7.5"}, 7.5),  # no Via header (Cloudflare): a plain 429 HTTPException
    (503, {"message": "Service Unavailable", "code": 0}, {}, None),
    (0, {}, {}, None),  # the connection is cut
])
async def test_passing_failures_are_retry_later(world, status, body, headers, wait):
    sam = world.standin.person("sam")
    world.standin.fail("POST", CHANNEL_MESSAGES, status, body, headers)
    with pytest.raises(RetryLater) as caught:
        await world.adapter.messenger.deliver(to(sam), Outgoing("hello"))
    assert caught.value.retry_after == wait
    await world.adapter.messenger.deliver(to(sam), Outgoing("hello"))  # and the next try goes through
    assert world.standin.texts(sam) == ["hello"]


async def test_a_document_is_sent_as_a_file(world):
    sam = world.standin.person("sam")
    out = Outgoing("Everything I have about you.", document=("adempauze.json", b'{"you": 1}'))
    await world.adapter.messenger.deliver(to(sam), out)
    [message] = world.standin.dms(sam)
    assert world.standin.files[int(message["id"])] == [("adempauze.json", b'{"you": 1}')]
    assert message["attachments"][0]["filename"] == "adempauze.json"


async def test_a_known_dm_channel_needs_no_request_to_open_it(world):
    sam = world.standin.person("sam")
    dm = world.standin.dm_channel(sam)
    await world.adapter.messenger.deliver(Recipient(1, "discord", str(sam.id), str(dm)), Outgoing("hi"))
    assert not [r for r in world.standin.requests if r.path == "/users/@me/channels"]
    assert world.standin.texts(sam) == ["hi"]


async def test_nothing_typed_can_ping_anyone(world):
    s = world.standin
    sam, alex = s.person("sam"), s.person("alex")
    alex.global_name = "@everyone <@&1> <@1>"  # a name is typed by a person too
    await pair(world, sam, alex)
    await world.slash(sam, "say", "@here <@1> hello", option="text")
    # the partner's name reaches Sam with its mention syntax taken out (the store strips link-like parts)
    assert not any("@everyone" in t or "<@" in t for t in s.texts(sam))
    assert s.message_bodies and s.mention_violations() == []
    assert world.adapter.client.allowed_mentions is not None
    assert world.adapter.client.allowed_mentions.to_dict() == {"parse": []}


async def test_the_user_ref_carries_the_dm_channel_and_locale(world):
    s = world.standin
    noor = s.person("noor")
    await world.slash(noor, "status", locale="nl")
    ref = UserRef("discord", str(noor.id))
    assert (await world.store.query("SELECT chat_id, locale FROM users WHERE external_id = ?", (ref.external_id,))
            == [(str(s.dm_of[noor.id]), "nl")])


# -- issue 13, finding 2: nothing sleeps inside a send; a notice taken back meanwhile is not sent ----------------


async def test_a_notice_met_by_a_429_goes_back_to_the_database_and_a_danger_signal_cancels_it(world):
    """Bob's partner notice meets a 429 (retry after 2 s, which discord.py would sleep out and retry inside the
    send). For a dispatcher delivery it is RetryLater at once; Ann's danger signal then deletes the row, and
    Bob never gets the notice."""
    s = world.standin
    bob = s.person("bob")
    ann = UserRef("console", "ann", chat_id="ann", name="Ann")
    out = await world.dialogue.handle(ann, event_from_text("/pair"))
    code = re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", out[0].text)
    assert code
    await world.slash(bob, "join", code.group(0), option="code")
    await world.slash(bob, "accept")
    await world.dispatcher.run_due()
    for event in (event_from_text("/timeout"), ChoiceMade("cs.yes"), ChoiceMade("ret.m30")):
        await world.dialogue.handle(ann, event)
    before = len(s.dms(bob))
    s.fail("POST", CHANNEL_MESSAGES, 429, {"message": "You are being rate limited.", "retry_after": 2.0,
                                           "global": False}, {"Via": "1.1 google", "Retry-After": "2"})

    sending = asyncio.create_task(world.dispatcher.run_due())
    await world.within(sending)  # returns at once: no sleep inside the send
    assert await world.store.query("SELECT attempts FROM outbox WHERE tag <> ''") == [(1,)]  # given back
    await world.dialogue.handle(ann, event_from_text("hij sloeg me"))
    world.clock.advance(timedelta(minutes=5))
    await world.dispatcher.run_due()

    assert len(s.dms(bob)) == before and not any("Ann" in t for t in s.texts(bob)[before:])
    assert await world.store.query("SELECT count(*) FROM outbox WHERE tag <> ''") == [(0,)]
