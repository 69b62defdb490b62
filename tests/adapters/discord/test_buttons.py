"""Buttons and the breathing pacer over a real discord.Client: persistent ids, restarts, edits within limits."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.pacer import MIN_EDIT_GAP
from adapters.discord.render import parts, schedule, split_text
from bot.core import breathing
from bot.i18n import catalog
from bot.ports import Frame, Outgoing, UserRef

EN = catalog("en")
SUCCESS, SECONDARY = 3, 2


async def test_a_press_marks_the_choice_at_once_and_the_next_question_follows(world):
    s = world.standin
    sam = s.person("sam")
    await world.slash(sam, "timeout")
    question = s.last_with_buttons(sam)
    ix = await world.press(sam, question, "ret.m30")
    [update] = ix.callbacks
    assert update["type"] == 7  # the acknowledgement is the update of the pressed message
    buttons = s.buttons(s.messages[int(question["id"])])
    assert all(b["disabled"] for b in buttons)
    assert [b["custom_id"] for b in buttons if b["style"] == SUCCESS] == ["ap:ret.m30"]
    assert any(t.startswith(EN["start.solo"].split("{", 1)[0]) for t in s.texts(sam))
    notice = EN["notice.solo"].split("{", 1)[0]
    assert [m["content"].startswith(notice) for m in s.dms(sam)] == [False, False, True, False]  # its own message
    assert len(s.dms(sam)) == 4  # follow-ups in the DM: the start, the message to forward, the next question


async def test_buttons_keep_working_after_a_restart(world):
    s = world.standin
    sam = s.person("sam")
    await world.slash(sam, "timeout")
    question = s.last_with_buttons(sam)
    await world.restart()  # a new discord.Client: no view or message in memory
    assert len(s.identifies) == 2
    before = len(s.dms(sam))
    ix = await world.press(sam, question, "ret.m30")
    assert ix.callbacks[0]["type"] == 7
    assert len(s.dms(sam)) > before
    phase, _ = await world.store.session_of(UserRef("discord", str(sam.id)))
    assert phase not in ("idle", "pause_choose")  # the press after the restart moved the flow on


TOO_LARGE = {"message": "Request entity too large", "code": 40005}


async def test_the_pacer_edits_one_message_at_phase_boundaries(world):
    """When Discord will not take the animated guide (here: too large), the round is the text pacer."""
    s = world.standin
    sam = s.person("sam")
    s.fail("POST", r"/interactions/\d+/[^/]+/callback", 413, TOO_LARGE)
    await world.slash(sam, "breathe")
    await world.within(world.adapter.pacer.join())
    pacer = next(m for m in s.dms(sam) if m["content"].startswith(EN["breathe.round"].split("{", 1)[0]))
    edits = [e for e in s.edits if e[0] == int(pacer["id"])]
    pattern = breathing.PATTERNS[breathing.DEFAULT]
    frames = pattern.cycles * len(pattern.phases)
    assert len(edits) == frames  # one edit per phase boundary, the last one shows "round done"
    assert pacer["content"].endswith(EN["pacer.done"])
    assert world.sleeps.asked == pytest.approx([sec for _ in range(pattern.cycles) for _, sec in pattern.phases],
                                               abs=0.05)
    assert min(world.sleeps.asked) >= MIN_EDIT_GAP - 0.05
    assert [b["custom_id"] for b in s.buttons(pacer)][:2] == ["ap:br.again", "ap:br.next"]
    assert s.files.get(int(pacer["id"])) is None
    [refused, taken] = [r for r in s.requests if r.path.endswith("/callback")]
    assert refused.body["data"].get("attachments") and not taken.body["data"].get("attachments")


async def test_a_press_on_the_pacer_stops_it(world):
    s = world.standin
    sam = s.person("sam")
    world.sleeps.hold()
    await world.slash(sam, "breathe")
    pacer = s.last_with_buttons(sam)
    assert len(world.adapter.pacer.tasks()) == 1
    await world.press(sam, pacer, "br.next")
    await asyncio.sleep(0)
    assert world.adapter.pacer.tasks() == []
    shown = s.messages[int(pacer["id"])]["content"]
    assert shown.startswith(EN["breathe.round"].split("{", 1)[0]) and EN["pacer.inhale"] not in shown


async def test_stop_cancels_running_pacers(world):
    world.sleeps.hold()
    sam = world.standin.person("sam")
    await world.slash(sam, "breathe")
    tasks = world.adapter.pacer.tasks()
    assert tasks
    await world.adapter.stop()
    assert all(t.done() for t in tasks)


def test_short_phases_are_merged_so_no_message_is_edited_faster_than_once_a_second():
    frames = (Frame("In\n1/2", 2.0), Frame("Sip\n1/2", 0.5), Frame("Hold\n1/2", 0.5), Frame("Out\n1/2", 3.0),
              Frame("In\n2/2", 2.0), Frame("Sip\n2/2", 0.4))
    plan = schedule(frames, 1.0)
    assert [(f.text, f.seconds) for f in plan] == [
        ("In\n1/2", 2.0), ("Sip · Hold\n1/2", 1.0), ("Out\n1/2", 3.0), ("In · Sip\n2/2", pytest.approx(2.4)),
    ]
    assert all(f.seconds >= 1.0 for f in plan)


def test_long_text_and_many_buttons_are_split_within_discords_limits():
    text = ("word " * 900).strip()
    choices = tuple((f"c.{i}", str(i)) for i in range(30))
    out = parts(Outgoing(text, choices))
    assert all(len(p.content) <= 2000 for p in out)
    assert "".join(p.content.replace(" ", "") for p in out) == text.replace(" ", "")
    assert [len(p.choices) for p in out if p.choices] == [25, 5]
    assert split_text("short") == ["short"]


async def test_alone_the_message_for_the_partner_is_its_own_dm_and_can_be_reworded(world):
    """Issue 15: the honest message arrives as a DM of its own (easy to forward in Discord), with "In my own
    words"; the Telegram share button is not drawn here. Reworded, it comes back on its own as well."""
    s = world.standin
    sam = s.person("sam")
    await world.slash(sam, "timeout")
    await world.press(sam, s.last_with_buttons(sam), "ret.m30")
    [message] = [m for m in s.dms(sam) if m.get("content", "").startswith("I need a break.")]
    assert "agreed" not in message["content"]
    assert [b["custom_id"] for b in s.buttons(message)] == ["ap:sn.edit"]
    await world.press(sam, message, "sn.edit")
    await world.type_dm(sam, "Too angry to talk now. Back at 21:40, I promise.")
    assert "Too angry to talk now. Back at 21:40, I promise." in [m.get("content") for m in s.dms(sam)]
