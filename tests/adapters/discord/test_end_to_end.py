"""End to end: a real discord.Client over real sockets (gateway websocket + REST) to the stand-in on 127.0.0.1.

Login, slash commands, button presses, a partner notice sent by the running Dispatcher as a bot-initiated DM, the
return pings when the (hand-moved) clock reaches the return time, and two dropped connections (one cut, one closed
by the gateway) resumed with every event delivered exactly once. Real SQLite file, real Dialogue and Dispatcher.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta

from adempauze_testkit import code_forms, leaks, secrets_of

from bot.i18n import catalog

EN, NL = catalog("en"), catalog("nl")


def head(cat: dict[str, str], key: str) -> str:
    return cat[key].split("\n", 1)[0].split("{", 1)[0].strip()


async def until(world, condition: Callable[[], bool]) -> None:
    """Wait until the stand-in has received what `condition` looks for (posted messages wake it up)."""
    posted = world.standin.message_posted
    while not condition():
        posted.clear()
        if condition():
            return
        await world.within(posted.wait())


async def test_a_whole_time_out_over_real_sockets(world):
    s = world.standin
    # login: REST (users/@me, the application), then the gateway: IDENTIFY -> READY, with unprivileged intents
    paths = [(r.method, r.path) for r in s.requests]
    assert ("GET", "/users/@me") in paths and ("GET", "/oauth2/applications/@me") in paths
    assert len(s.identifies) == 1 and s.identifies[0]["token"] == "test-token"
    dispatcher = asyncio.create_task(world.dispatcher.run_forever())
    try:
        sam, alex = s.person("sam"), s.person("alex")

        # pairing with slash commands: Sam's Discord is English, Alex's Dutch
        await world.slash(sam, "pair", locale="en-GB")
        code = re.search(r"invite code: (\S+)", s.texts(sam)[-1])
        assert code
        await world.slash(alex, "join", code.group(1), option="code", locale="nl")
        await until(world, lambda: any(t.startswith(head(EN, "pair.joined")) for t in s.texts(sam)))
        # the calm-time question reaches Sam by a DM too: once it is there, the time-out's buttons come last
        await until(world, lambda: any(t.startswith(head(EN, "screen.ask")) for t in s.texts(sam)))

        # Sam takes a time-out: a slash command, then buttons
        await world.slash(sam, "timeout", locale="en-GB")
        await world.press(sam, s.last_with_buttons(sam), "ret.m30", locale="en-GB")

        # the Dispatcher (woken by the Dialogue) tells Alex by a DM the bot starts itself, in Dutch
        dutch = NL["notice.start"].split("{name}", 1)[1].split("{", 1)[0].strip()
        await until(world, lambda: any("Sam" in t and "21:40" in t for t in s.texts(alex)))
        notice = next(m for m in s.dms(alex) if "21:40" in m["content"])
        assert "_interaction" not in notice and notice["content"].startswith("Sam")
        assert dutch and dutch in notice["content"]

        # the connection is cut; while the bot is away Alex presses a button on the notice (if it has one) or
        # asks for the status: the event waits in the session and arrives after the RESUME, once
        await s.drop(abrupt=True)
        if s.buttons(notice):
            first = s.buttons(notice)[0]["custom_id"].removeprefix("ap:")
            ix = await world.handled(s.press(alex, notice, "ap:" + first, locale="nl"))
        else:
            ix = await world.handled(s.slash(alex, "status", locale="nl"))
        await world.within(s.resumed.wait())
        assert len(s.identifies) == 1 and len(s.resumes) == 1  # resumed, not a new session
        assert len(ix.callbacks) == 1

        # the gateway closes the connection (4000) while Sam asks for the status: the same, nothing lost
        await s.drop()
        status = await world.handled(s.slash(sam, "status", locale="en-GB"))
        await world.within(s.resumed.wait())
        assert len(s.resumes) == 2 and len(status.callbacks) == 1
        assert "21:40" in status.callbacks[0]["data"]["content"]

        # 30 minutes later (the clock is moved, nobody sleeps): both get the return ping by DM
        pinged_sam, pinged_alex = len(s.dms(sam)), len(s.dms(alex))
        world.clock.advance(timedelta(minutes=30))
        world.dispatcher.wake()
        await until(world, lambda: len(s.dms(sam)) > pinged_sam and len(s.dms(alex)) > pinged_alex)
        ping = s.last_with_buttons(sam)
        assert "21:40" in ping["content"] and "ap:r.ready" in [b["custom_id"] for b in s.buttons(ping)]
        ready = await world.press(sam, ping, "r.ready", locale="en-GB")
        assert ready.callbacks[0]["type"] == 7

        # every interaction was acknowledged exactly once, each within Discord's 3 seconds
        for interaction in s.interactions.values():
            assert len(interaction.callbacks) == 1, interaction.payload["data"]
            assert interaction.acked_at is not None and interaction.acked_at - interaction.sent_at < 3.0
    finally:
        dispatcher.cancel()
        await asyncio.gather(dispatcher, return_exceptions=True)
    await world.adapter.stop()
    assert world.adapter.client.is_closed()


async def test_patterns_sends_each_partner_the_chart_as_an_attachment(world):
    s = world.standin
    dispatcher = asyncio.create_task(world.dispatcher.run_forever())
    try:
        sam, alex = s.person("sam"), s.person("alex")
        await world.slash(sam, "pair", locale="en-GB")
        code = re.search(r"invite code: (\S+)", s.texts(sam)[-1])
        assert code
        await world.slash(alex, "join", code.group(1), option="code", locale="nl")
        await until(world, lambda: any(t.startswith(head(EN, "pair.joined")) for t in s.texts(sam)))
        await until(world, lambda: any(t.startswith(head(EN, "screen.ask")) for t in s.texts(sam)))
        await world.slash(sam, "timeout", locale="en-GB")
        await world.press(sam, s.last_with_buttons(sam), "ret.m30", locale="en-GB")

        for person, locale, cat in ((sam, "en-GB", EN), (alex, "nl", NL)):
            await world.slash(person, "patterns", locale=locale)
            shown = [m for m in s.messages.values() if m.get("attachments") and int(m["id"]) in s.files
                     and s.interactions[m["_interaction"]].person is person]
            assert len(shown) == 1, shown
            [message] = shown
            [(name, png)] = s.files[int(message["id"])]
            assert name == "adempauze-patterns.png" and png.startswith(b"\x89PNG") and len(png) > 10_000
            assert message["attachments"][0]["description"] == cat["patterns.chart.caption"]
            assert head(cat, "patterns.summary_notes") in message["content"]  # the words go with the picture
        sams, alexs = ([f for m, fs in s.files.items() for f in fs if s.messages[m].get("_interaction")
                        and s.interactions[s.messages[m]["_interaction"]].person is p] for p in (sam, alex))
        assert sams[0][1] != alexs[0][1]  # each in their own language
    finally:
        dispatcher.cancel()
        await asyncio.gather(dispatcher, return_exceptions=True)


async def test_at_debug_the_log_holds_no_text_no_code_and_no_token(debug_log, world):
    """Issue 13, finding 8: discord.py at DEBUG logs every gateway payload (DM text, /say text, /join CODE) and
    request body (the invite code in the bot's reply); on a 429 it logs the webhook URL with the interaction
    token. With the production logging the platform library is floored and what remains is redacted."""
    s = world.standin
    sam, alex = s.person("sam"), s.person("alex")
    dm_text, say_text = "ZEBRA-DM-5151 je luistert nooit", "OKAPI-SAY-6262 ik ben zo moe"
    await world.slash(sam, "pair", locale="en-GB")
    code = re.search(r"invite code: (\S+)", s.texts(sam)[-1])
    assert code
    await world.slash(alex, "join", code.group(1), option="code", locale="nl")
    await world.type_dm(alex, dm_text)
    await world.slash(sam, "say", say_text, option="text", locale="en-GB")
    s.fail("POST", r"/webhooks/\d+/[^/]+", 429, {"message": "You are being rate limited.", "retry_after": 0.01,
                                                "global": False}, {"Via": "1.1 google", "Retry-After": "0.01"})
    await world.slash(sam, "status", locale="en-GB")  # a follow-up meets a 429: discord.py warns with its URL
    await world.dispatcher.run_due()

    logs = debug_log.getvalue()
    assert "DEBUG" in logs, "the run did log"
    tokens = {"test-token", *(ix.token for ix in s.interactions.values())}
    texts = s.texts(sam) + s.texts(alex)
    secrets = tokens | code_forms(code.group(1)) | secrets_of(texts, [dm_text, say_text, "ZEBRA-DM-5151",
                                                                     "OKAPI-SAY-6262"])
    assert leaks(logs, secrets) == []
