"""Every production path gets the whole danger detector: Telegram, Discord and the console all hand their
events to Dialogue.handle, and Dialogue.handle reads every free text (all of it) before the core judges it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from adempauze_testkit import said

from bot.core.events import TextReceived
from bot.ports import MAX_INPUT, UserRef, event_from_text
from bot.service import clean_event

if TYPE_CHECKING:
    from conftest import Talk

ROOT = Path(__file__).resolve().parent.parent

# Only the full reader catches these: an inflection, a typo in the key verb, a Flemish form, a phrase.
NEEDS_THE_READER = [
    "hij heeft me gisteren weer geslaagen",
    "he choekd me last night",
    "mijne vent heeft mij klop gegeven",
    "ik heb al mijn pillen klaargelegd voor vannacht",
]


def test_the_adapters_reach_the_core_only_through_the_dialogue():
    for path in (ROOT / "adapters").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "step" not in names and "handle_then" not in names, path  # no core step, no store call
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("bot.core.machine", "bot.store")), (path, node.module)


def test_adapters_make_their_text_events_with_event_from_text_or_plain_text():
    # the text events adapters build carry no reading of their own: the Dialogue reads them
    event = event_from_text("he hit me")
    assert isinstance(event, TextReceived) and event.reading == ()


@pytest.mark.parametrize("text", NEEDS_THE_READER)
def test_the_dialogue_reads_every_text(text: str) -> None:
    event = clean_event(TextReceived(text))
    assert isinstance(event, TextReceived) and event.reading  # filled in, whatever the adapter gave


@pytest.mark.parametrize("text", NEEDS_THE_READER)
async def test_a_danger_text_through_the_dialogue_goes_to_safety(talk: Talk, me: UserRef, text: str) -> None:
    await talk.say(me, "/timeout")
    await talk.press(me, "ret.m30")
    out = await talk.say(me, text)
    assert said(out, "nl", "safety.screen"), [o.text for o in out]
    assert await talk.phase(me) == "safety"


async def test_the_whole_text_an_adapter_passes_is_read(talk: Talk, me: UserRef) -> None:
    text = ("we hebben ruzie over de afwas, weer eens. " * 200)[: MAX_INPUT - 20] + " hij sloeg me"
    assert len(text) == MAX_INPUT - 7
    out = await talk.say(me, text)
    assert said(out, "nl", "safety.screen")
