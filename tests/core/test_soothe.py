"""Soothe first (issue 14, point 1): breathing for 1, 3 or 5 minutes, more soothing while the tension stays high,
naming the feeling after breathing, and never more than one question at a time."""

from __future__ import annotations

import pytest

from bot.core import flow
from bot.core.effects import Pacer, Reply
from bot.core.model import Person, Phase

from .conftest import Two


def _pacer(d) -> Pacer:
    [p] = [r.pacer for r in d.replies() if r.pacer is not None]
    return p


@pytest.mark.parametrize(("score", "minutes"), [("t.0", 1), ("t.3", 1), ("t.5", 3), ("t.7", 3), ("t.8", 5),
                                                ("t.10", 5)])
def test_breathing_length_is_offered_from_the_tension_score(d, score, minutes):
    d.start()
    d.press(score)
    assert d.phase is Phase.BREATHE
    assert _pacer(d) == Pacer("sigh", 7 * minutes)
    offered = {c.id for r in d.replies() for c in r.choices}
    assert offered >= {f"br.m{m}" for m in (1, 3, 5) if m != minutes} and f"br.m{minutes}" not in offered
    assert "br.next" in offered and "safety" in offered  # a way out from the first second


def test_another_length_is_one_tap_and_is_kept_for_the_next_round(d):
    d.start()
    d.press("t.9")
    d.press("br.m3")
    assert _pacer(d) == Pacer("sigh", 21) and d.phase is Phase.BREATHE
    d.press("br.again")
    assert _pacer(d) == Pacer("sigh", 21)
    d.press("br.p.slow")
    assert _pacer(d) == Pacer("slow", 15)


def test_the_one_left_behind_breathes_a_minute_first(two: Two):
    two.take(1, 60)
    two.press(2, "p.start")
    assert two.phase(2) is Phase.BREATHE
    assert any(isinstance(e, Reply) and e.pacer == Pacer("sigh", 7) for e in two.effects[-3:])


def test_still_high_after_breathing_soothes_before_anything_else(d):
    d.start()
    for c in ("t.8", "br.next"):
        d.press(c)
    d.press("t.8")
    assert d.phase is Phase.SOOTHE
    assert d.said() == ["tension.same", "soothe.ask"] and len(d.messages()) == 1
    assert d.choices() == ["so.again", "so.walk", "so.water", "so.write", "so.on", "safety"]
    d.press("so.walk")
    assert d.phase is Phase.SOOTHE and d.said() == ["soothe.tip.walk", "soothe.more"] and len(d.messages()) == 1
    d.press("so.water")
    assert d.said() == ["soothe.tip.water", "soothe.more"]
    d.press("so.again")
    assert d.phase is Phase.BREATHE and _pacer(d) == Pacer("sigh", 35)
    d.press("br.next")
    d.press("t.4")
    assert d.phase is Phase.NAME_FEELING  # calmer now: naming the feeling follows the breathing
    assert d.said() == ["tension.change", "name.feeling.ask"]


def test_a_typed_score_or_ok_in_soothe_moves_on_when_calmer(d):
    d.start()
    for c in ("t.9", "br.next", "t.9"):
        d.press(c)
    d.say("8")
    assert d.phase is Phase.SOOTHE and d.said() == ["soothe.more"]
    d.say("4")
    assert d.phase is Phase.NAME_FEELING and d.state.session.plan.tension_after == 4
    d2 = type(d)()
    d2.start()
    for c in ("t.9", "br.next", "t.9"):
        d2.press(c)
    d2.say("oké")
    assert d2.phase is Phase.NAME_FEELING
    d2 = type(d)()
    d2.start()
    for c in ("t.9", "br.next", "t.9", "so.on"):
        d2.press(c)
    assert d2.phase is Phase.NAME_FEELING


def test_calmer_after_breathing_goes_straight_to_naming(d):
    d.start()
    for c in ("t.8", "br.next", "t.6"):
        d.press(c)
    assert d.phase is Phase.NAME_FEELING


def test_soothe_can_be_skipped_and_keeps_nothing_when_they_keep_nothing(make):
    d = make(me=Person(1, "en", name="Sam", consented=False))
    d.start()
    d.press("cs.no")
    assert d.phase is Phase.BREATHE
    d.press("br.next")
    assert d.phase is Phase.WAITING  # keeping nothing: no scores, so no soothe step either
    d = make()
    d.start()
    for c in ("t.8", "br.next", "t.8", "skip"):
        d.press(c)
    assert d.phase is Phase.NAME_FEELING


def test_typed_during_breathing_never_restarts_it(d):
    d.start()
    d.press("t.5")
    for text in ("ok, en nu?", "help", "hulp", "waarom duurt dit zo lang"):
        fx = d.say(text)
        assert d.phase is Phase.BREATHE
        assert all(r.aside and r.pacer is None for r in d.messages(fx)), text  # the pacer goes on
    d.say("klaar")
    assert d.phase is Phase.BREATHE_TENSION


@pytest.mark.parametrize("after", ["t.5", "t.8"])
def test_never_more_than_one_question_at_a_time(d, after):
    """Every answer on the way to the waiting menu gets one message with buttons at most (one tap asked). The
    message to forward to a partner who is not on the bot carries its own tools (share, own words), not a
    question, and is left out."""
    d.cmd("timeout")
    path = ["ret.m30", "t.8", "br.next", after, "so.on", "f.angry", "u.hurt", "n.heard"]
    for c in path:
        if c == "so.on" and d.phase is not Phase.SOOTHE:
            continue
        fx = d.press(c)
        asking = [r for r in d.messages(fx) if r.choices and r.msg.key not in flow.ALONE]
        assert len(asking) <= 1, (c, d.said(fx))
    assert d.phase is Phase.WAITING


def test_a_danger_signal_typed_while_soothing_stops_everything(two: Two):
    two.cmd(1, "timeout")
    two.press(1, "ret.m30")
    for c in ("t.9", "br.next", "t.9"):
        two.press(1, c)
    assert two.phase(1) is Phase.SOOTHE
    before = list(two.inbox[2])
    two.say(1, "hij sloeg me")
    assert two.phase(1) is Phase.SAFETY and two.inbox[2] == before
    assert 1 in two.timeout().hushed
