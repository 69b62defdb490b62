"""/patterns with two people, both through the real step (the Two driver): the same shared counts for both, each
seen from their own side; nothing private of the other; nothing of a safety signal (issue 15, point 3)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.chart import Chart
from bot.core.effects import Msg, Reply
from bot.core.model import TimeoutStatus
from bot.i18n import Renderer

from .conftest import Two, msg_keys
from .test_two_properties import START, act, run

SAM, ROBIN = 1, 2


def come_back(two: Two) -> None:
    """Both say they are ready when the return comes."""
    two.press(SAM, "r.ready")
    two.press(ROBIN, "r.ready")


def robin_takes_a_break_and_extends(two: Two) -> None:
    two.cmd(ROBIN, "timeout")
    two.press(ROBIN, "ret.m30")
    for choice in ("t.9", "br.next", "t.3", "f.sad"):
        two.press(ROBIN, choice)
    two.cmd(ROBIN, "extend")


def history(signal: bool) -> Two:
    """Four weeks of a couple: kept, extended, kept, and one where Sam either gives a safety signal or just
    stays silent. Every time-out starts at 21:10 in Amsterdam."""
    two = Two()
    two.take(SAM, 30)  # Sam: tension 8 -> 5, angry, hurt underneath
    two.wait(timedelta(minutes=30))
    come_back(two)
    assert two.timeout().status is TimeoutStatus.RETURNED
    two.wait(timedelta(days=7) - timedelta(minutes=30))
    robin_takes_a_break_and_extends(two)
    two.wait(timedelta(minutes=60))
    come_back(two)
    assert two.timeout().status is TimeoutStatus.RETURNED and two.timeout().extensions_used == 1
    two.wait(timedelta(days=7) - timedelta(minutes=60))
    two.take(SAM, 30)
    two.wait(timedelta(minutes=30))
    come_back(two)
    two.wait(timedelta(days=7) - timedelta(minutes=30))
    two.take(SAM, 30)
    if signal:
        two.press(SAM, "safety")  # private: from now on Sam's silence is all Robin can see
    two.wait(timedelta(minutes=30))
    two.press(ROBIN, "r.ready")
    two.wait(timedelta(minutes=31))
    assert two.timeout().status is TimeoutStatus.MISSED
    two.wait(timedelta(days=1))
    return two


def patterns_of(two: Two, uid: int) -> Reply:
    before = len(two.effects)
    two.cmd(uid, "patterns")
    [reply] = [e for e in two.effects[before:] if isinstance(e, Reply) and e.msg.key.startswith("patterns.")]
    return reply


def chart_of(reply: Reply) -> Chart:
    assert reply.chart is not None
    return reply.chart


def test_both_partners_see_the_same_shared_counts_each_from_their_own_side():
    two = history(signal=False)
    sam, robin = chart_of(patterns_of(two, SAM)), chart_of(patterns_of(two, ROBIN))
    assert sam.weeks == robin.weeks and sum(sam.weeks) == 4
    assert sam.weeks[-4:] == (1, 1, 1, 1)
    assert (sam.on_time, sam.extended, sam.missed) == (robin.on_time, robin.extended, robin.missed) == (2, 1, 1)
    assert (sam.started_by_me, sam.started_by_partner) == (robin.started_by_partner, robin.started_by_me) == (3, 1)
    assert (sam.extended_by_me, sam.extended_by_partner) == (robin.extended_by_partner, robin.extended_by_me)
    assert robin.extended_by_me == 1
    assert sam.paired and robin.paired


def test_each_sees_only_their_own_tension_and_feelings():
    two = history(signal=False)
    sam, robin = patterns_of(two, SAM), patterns_of(two, ROBIN)
    assert (chart_of(sam).tension_before, chart_of(sam).tension_after) == (80, 50)
    assert (chart_of(robin).tension_before, chart_of(robin).tension_after) == (90, 30)
    sams, robins = msg_keys(sam.msg), msg_keys(robin.msg)
    assert "feeling.hurt" in sams and "feeling.sad" not in sams  # what lay underneath counts (see patterns._named)
    assert "feeling.sad" in robins and not {"feeling.angry", "feeling.hurt"} & robins
    nl = Renderer("nl", "Europe/Amsterdam", two.now)
    text = nl.text(robin.msg)
    assert "4 time-outs: 1 door jou, 3 door je partner" in text
    assert "Extra tijd gevraagd: 1× door jou, 0× door je partner" in text
    assert "boos" not in text and "gekwetst" not in text and "Gemiddelde spanning: 9,0 → 3,0" in text


def test_a_safety_signal_leaves_the_partners_patterns_as_silence_would():
    silent, signalled = history(signal=False), history(signal=True)
    assert patterns_of(signalled, ROBIN) == patterns_of(silent, ROBIN)
    signalled.press(SAM, "safety.continue")  # Sam leaves the safety screen (where /patterns waits) first
    sam = patterns_of(signalled, SAM)
    assert chart_of(sam) == chart_of(patterns_of(silent, SAM))  # nothing of it in Sam's own picture either
    assert not [k for k in msg_keys(sam.msg) if "safety" in k or "danger" in k]


def test_late_night_fights_are_noticed_for_both_with_tomorrow_morning():
    two = history(signal=False)  # all four at 21:10 local
    for uid in (SAM, ROBIN):
        keys = msg_keys(patterns_of(two, uid).msg)
        assert "patterns.note.late" in keys
    en = Renderer("en", "Europe/Amsterdam", two.now).text(patterns_of(two, SAM).msg)
    assert "4 of the 4 time-outs started late in the evening or at night" in en and "tomorrow morning" in en


def test_patterns_with_nothing_yet_sends_no_chart():
    two = Two()
    reply = patterns_of(two, SAM)
    assert reply.msg == Msg.of("patterns.empty") and reply.chart is None


# --- random interleavings: the shared counts always mirror ---------------------------------------------------


def asked(two: Two, uid: int) -> Reply | None:
    before = len(two.effects)
    two.cmd(uid, "patterns")
    found = [e for e in two.effects[before:] if isinstance(e, Reply) and e.msg.key.startswith("patterns.")]
    return found[0] if found else None


def shared(c: Chart, mirrored: bool) -> tuple[object, ...]:
    me, them = (c.started_by_partner, c.started_by_me) if mirrored else (c.started_by_me, c.started_by_partner)
    ext_me, ext_them = ((c.extended_by_partner, c.extended_by_me) if mirrored
                        else (c.extended_by_me, c.extended_by_partner))
    return c.weeks, c.first_day, c.on_time, c.extended, c.missed, me, them, ext_me, ext_them


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(START, st.lists(act, max_size=40), st.lists(st.integers(0, 3 * 24 * 60), max_size=3))
def test_after_any_interleaving_both_see_the_same_shared_counts(start, actions, gaps):
    two = Two()
    run(two, start + actions, check=False)
    for gap in gaps:  # more time-outs, days apart
        two.wait(timedelta(minutes=gap))
        run(two, [(1 + gap % 2, "cmd", "timeout"), (1 + gap % 2, "press_id", "ret.m30")], check=False)
    two.wait(timedelta(hours=3))
    for uid in (SAM, ROBIN):  # leave a safety screen, where /patterns waits
        two.press(uid, "safety.continue")
    assume(two.paired)  # once unpaired, each keeps only their own time-outs: nothing shared to compare
    replies = [asked(two, uid) for uid in (SAM, ROBIN)]
    assume(None not in replies)  # someone still on a safety screen: /patterns is not answered there
    sam, robin = (r.chart for r in replies if r is not None)
    if sam is None or robin is None:
        assert sam is None and robin is None
        return
    assert shared(sam, False) == shared(robin, True)
    assert sam.total == len(two.timeouts)


def test_anything_after_the_command_is_ignored_kindly():
    two = history(signal=False)
    plain = patterns_of(two, SAM)
    for arg in ("²", "9" * 20, "x" * 5000, "30 dagen", "\u200b"):
        before = len(two.effects)
        two.cmd(SAM, "patronen", arg)
        got = [e for e in two.effects[before:] if isinstance(e, Reply) and e.msg.key.startswith("patterns.")]
        assert got == [plain], arg
