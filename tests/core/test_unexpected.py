"""Every phase x every unexpected input: a kind hint, the question again, and the state kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.events import ChoiceMade, CommandReceived, TextReceived
from bot.core.model import Contract, Couple, Person, Phase

WAIT = ["/timeout", "ret.m30", "skip", "br.next", "skip", "skip", "skip"]
"""To the waiting menu, skipping what can be skipped (the plan comes later: "w.prepare")."""
RECIPES: dict[Phase, list[str]] = {
    Phase.IDLE: [],
    Phase.PAUSE_CHOOSE: ["/timeout"],
    Phase.PAUSE_TENSION: ["/timeout", "ret.m30"],
    Phase.BREATHE: ["/timeout", "ret.m30", "t.8"],
    Phase.BREATHE_TENSION: ["/timeout", "ret.m30", "t.8", "br.next"],
    Phase.NAME_FEELING: ["/timeout", "ret.m30", "t.8", "br.next", "t.5"],
    Phase.NAME_UNDER: ["/timeout", "ret.m30", "t.8", "br.next", "t.5", "f.angry"],
    Phase.NAME_NEED: ["/timeout", "ret.m30", "t.8", "br.next", "t.5", "f.angry", "u.hurt"],
    Phase.SOOTHE: ["/timeout", "ret.m30", "t.8", "br.next", "t.8"],
    Phase.PLAN_OPENER: [*WAIT, "w.prepare"],
    Phase.PLAN_TOPIC: [*WAIT, "w.prepare", "op.use"],
    Phase.PLAN_PERSPECTIVE: [*WAIT, "w.prepare", "skip", "skip"],
    Phase.PLAN_OWN_PART: [*WAIT, "w.prepare", "skip", "skip", "skip"],
    Phase.WAITING: WAIT,
    Phase.RETURN: [*WAIT, "!wait 30"],
    Phase.AFTER: [*WAIT, "!wait 30", "r.ready", "!wait 600"],
    Phase.SAFETY_ASK: ["/timeout", "ret.m30", "skip", "br.next", "!say ik ben bang"],
    Phase.SAFETY: ["/timeout", "ret.m30", "safety"],
    Phase.SAFETY_PLAN: ["/timeout", "ret.m30", "safety", "sp.edit"],
    Phase.CONTRACT_EDIT: ["!paired", "ct.f.signal"],
    Phase.CONSENT: ["!unconsented", "/timeout", "ret.m30"],
    Phase.CHECK: ["/check", "ck.1.0"],
    Phase.NOTICE_EDIT: ["/timeout", "ret.m30", "sn.edit"],
}
TEXT_IS_UNEXPECTED = {Phase.RETURN, Phase.AFTER, Phase.SAFETY_ASK, Phase.IDLE, Phase.SAFETY,
                      Phase.CONSENT, Phase.CHECK}


def reach(d, phase: Phase) -> None:
    for step in RECIPES[phase]:
        if step.startswith("/"):
            d.cmd(step[1:])
        elif step == "!unconsented":
            d.me = Person(1, "en", name="Sam", consented=False)
        elif step == "!paired":
            d.couple = Couple(7, Person(2, name="Robin"), Contract(), 1)
        elif step.startswith("!say "):
            d.say(step[5:])
        elif step.startswith("!wait "):
            d.wait(timedelta(minutes=int(step.split()[1])))
        else:
            d.press(step)
    assert d.phase is phase


def test_recipes_cover_every_phase():
    assert set(RECIPES) == set(Phase)


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize(
    "event",
    [ChoiceMade("zzz"), ChoiceMade(""), ChoiceMade("ret.m"), ChoiceMade("t.99"), ChoiceMade("f.evil"),
     ChoiceMade("br.p.nope"), ChoiceMade("\x00" * 70), CommandReceived("frobnicate"), TextReceived("blah blah"),
     TextReceived("")],
    ids=lambda e: type(e).__name__ + ":" + repr(getattr(e, "choice", getattr(e, "name", getattr(e, "text", ""))))[:12],
)
def test_unexpected_input_keeps_the_state(d, phase, event):
    reach(d, phase)
    if isinstance(event, TextReceived) and event.text and phase not in TEXT_IS_UNEXPECTED:
        pytest.skip("free text is an answer in this phase")
    before = d.state
    effects = d.send(event)
    assert d.state == before
    assert d.replies(effects), "every input gets an answer"
    assert all(r.msg.key.startswith(("hint.", "idle.", "safety.")) or r.msg.key for r in d.replies(effects))
    assert d.replies(effects)[0].msg.key.startswith(("hint.", "idle.hint", "safety.still"))
