"""The breathing guide on Discord, over a real discord.Client and real sockets: the round's message carries the GIF,
its text and its buttons from the first second, lasts exactly the pattern's seconds, and ends on "round done"; a
word typed on the side lets it go on, "stop" ends it on a clean last frame; two partners breathing get the same
guide, drawn once (Discord has no file id: the cached bytes are uploaded again)."""

from __future__ import annotations

import asyncio
import re

from bot.core import breathing
from bot.i18n import catalog
from bot.media import breathing_gif

EN, NL = catalog("en"), catalog("nl")


def round_text(cat: dict[str, str], pattern: str = "sigh", minutes: int = 1) -> str:
    """The round's text: /breathe outside a time-out has no tension score, so it offers one minute first."""
    return cat["breathe.round"].format(pattern=cat[f"pattern.{pattern}.name"], how=cat[f"pattern.{pattern}.how"],
                                       dur=cat["dur.minutes"].format(n=minutes))


def guides(world, person) -> list[dict]:
    return [m for m in world.standin.dms(person) if world.standin.files.get(int(m["id"]))]


async def test_the_round_is_one_message_with_the_guide_its_text_and_its_buttons(world):
    s = world.standin
    sam = s.person("sam")
    world.sleeps.hold()
    await world.slash(sam, "breathe")
    [guide] = guides(world, sam)
    [(name, data)] = s.files[int(guide["id"])]
    assert name == "adem-sigh-en.gif" and data == breathing_gif.animation("sigh", "en").data
    assert guide["content"] == round_text(EN)  # no text frame under it: the guide is the pacer
    assert [b["custom_id"] for b in s.buttons(guide)][:2] == ["ap:br.again", "ap:br.next"]  # from the first second
    world.sleeps.release()
    await world.within(world.adapter.pacer.join())
    sigh = breathing.PATTERNS["sigh"]
    assert world.sleeps.asked == [sigh.cycles * sigh.cycle_seconds]  # exactly 63 s, one wait, one edit
    shown = s.messages[int(guide["id"])]
    assert shown["content"] == f"{round_text(EN)}\n\n{EN['pacer.done']}"
    assert "ap:br.next" in [b["custom_id"] for b in s.buttons(shown)]
    assert [e for e in s.edits if e[0] == int(guide["id"])] == [(int(guide["id"]), shown["content"], s.edits[-1][2])]


async def test_typing_lets_it_go_on_and_stop_ends_it_on_a_clean_last_frame(world):
    s = world.standin
    sam = s.person("sam")
    world.sleeps.hold()
    await world.slash(sam, "breathe", locale="nl")
    [guide] = guides(world, sam)
    await world.type_dm(sam, "ok, en nu?")
    assert len(world.adapter.pacer.tasks()) == 1 and s.edits == []
    assert len(guides(world, sam)) == 1  # never restarted
    await world.type_dm(sam, "stop")
    assert world.adapter.pacer.tasks() == []
    await world.within(world.adapter.pacer.settled())
    shown = s.messages[int(guide["id"])]
    assert shown["content"] == round_text(NL) and s.buttons(shown) == []  # the flow moved on: no stale buttons
    assert s.files[int(guide["id"])]  # the guide itself stays in the history
    world.sleeps.release()


async def test_a_command_during_the_round_ends_it_on_a_clean_last_frame(world):
    s = world.standin
    sam = s.person("sam")
    world.sleeps.hold()
    await world.slash(sam, "breathe")
    [guide] = guides(world, sam)
    await world.slash(sam, "status")
    assert world.adapter.pacer.tasks() == []
    await world.within(world.adapter.pacer.settled())
    shown = s.messages[int(guide["id"])]
    assert shown["content"] == round_text(EN) and s.buttons(shown) == []
    world.sleeps.release()


async def test_two_partners_breathing_get_the_guide_drawn_once(world):
    """End to end: Sam and Alex pair, then both breathe (Dutch); Alex's guide is the same bytes, not drawn again.
    Another pattern is its own guide."""
    s = world.standin
    dispatcher = asyncio.create_task(world.dispatcher.run_forever())
    try:
        sam, alex = s.person("sam"), s.person("alex")
        await world.slash(sam, "pair", locale="nl")
        code = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", s.texts(sam)[-1])
        assert code
        await world.slash(alex, "join", code.group(1), option="code", locale="nl")
        before = breathing_gif.renders
        await world.slash(sam, "breathe", locale="nl")
        after_sam = breathing_gif.renders
        assert after_sam - before <= 1  # drawn now, or already by an earlier test in this process
        await world.slash(alex, "breathe", locale="nl")
        await world.within(world.adapter.pacer.join())
        [a], [b] = guides(world, sam), guides(world, alex)
        assert s.files[int(a["id"])] == s.files[int(b["id"])]
        assert breathing_gif.renders == after_sam  # Alex's is the same guide, not drawn again
        await world.press(alex, s.last_with_buttons(alex), "br.p.box", locale="nl")
        await world.within(world.adapter.pacer.join())
        box = guides(world, alex)[-1]
        assert s.files[int(box["id"])][0][0] == "adem-box-nl.gif"
    finally:
        dispatcher.cancel()
        await asyncio.gather(dispatcher, return_exceptions=True)
