"""Plan later (issue 14, point 2): the return plan is offered at a prepare reminder before the return (10 minutes
before, half-way through a short break), or now; it is handed back at the return. The reminder is a durable timer
for each member, honours the quiet hours, and stops after a safety signal, without the other seeing a difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.effects import CancelTimer, StartTimer
from bot.core.events import TimerKind
from bot.core.model import Contract, Phase

from .conftest import Two

SAM, ROBIN = 1, 2
CALM = ("t.8", "br.next", "t.5", "f.angry", "u.hurt", "n.heard")
"""The initiator's calming steps to the waiting menu (no plan yet)."""
CALM_PARTNER = ("p.start", "br.next", "t.5", "f.hurt", "n.heard")


def take(two: Two, uid: int, minutes: int = 30) -> None:
    two.cmd(uid, "timeout")
    two.press(uid, f"ret.m{minutes}")
    for c in CALM:
        two.press(uid, c)
    assert two.phase(uid) is Phase.WAITING


def prepare_timers(two: Two) -> dict[int, datetime]:
    return {t.user: t.at for t in two.timers.values() if t.kind is TimerKind.PREPARE}


def test_after_naming_the_wait_begins_and_the_plan_is_offered_later(two: Two):
    take(two, SAM, 30)
    assert two.keys(SAM)[-2:] == ["plan.later", "waiting.prompt"]
    assert two.choices(SAM)[0] == "w.prepare"  # or now, if they choose
    t0 = two.timeout()
    assert prepare_timers(two) == {SAM: t0.back_at - timedelta(minutes=10), ROBIN: t0.back_at - timedelta(minutes=10)}


def test_the_prepare_reminder_leads_to_the_plan_and_the_plan_comes_back_at_the_return(two: Two):
    take(two, SAM, 30)
    two.wait(timedelta(minutes=19))
    assert "prepare.ask" not in two.all_keys(SAM)
    two.wait(timedelta(minutes=1))
    assert two.all_keys(SAM)[-1] == "prepare.ask" and two.choices(SAM)[:2] == ["pr.go", "pr.later"]
    assert "prepare.ask" not in two.all_keys(ROBIN)  # Robin never joined the calming steps: nothing to prepare
    two.press(SAM, "pr.go")
    assert two.phase(SAM) is Phase.PLAN_OPENER
    two.press(SAM, "op.use")
    two.say(SAM, "who does the dishes")
    two.press(SAM, "pf.overwhelmed")
    two.say(SAM, "I raised my voice")
    assert two.phase(SAM) is Phase.WAITING and two.keys(SAM) == ["plan.card", "waiting.prompt"]
    assert "w.prepare" not in two.choices(SAM)
    two.wait(timedelta(minutes=10))
    two.press(SAM, "r.ready")
    [card] = [m for how, m, _ in two.last[SAM] if m.key == "return.card"]
    lines = dict(card.params)["card"]
    assert [m.key for m in lines] == ["card.opener", "card.topic", "card.perspective", "card.own_part", "card.rule"]


def test_not_now_keeps_what_they_named_for_the_return(two: Two):
    take(two, SAM, 30)
    two.wait(timedelta(minutes=20))
    two.press(SAM, "pr.later")
    assert two.keys(SAM) == ["prepare.later", "waiting.prompt"] and two.phase(SAM) is Phase.WAITING
    two.wait(timedelta(minutes=10))
    two.press(SAM, "r.ready")
    [card] = [m for _, m, _ in two.last[SAM] if m.key == "return.card"]
    lines = dict(card.params)["card"]
    assert [m.key for m in lines] == ["card.opener", "card.rule"]  # the opener from the words they named
    opener = dict(lines[0].params)["text"]
    assert {k: v.key for k, v in opener.params} == {"feeling": "feeling.hurt", "need": "need.heard"}


def test_a_short_break_gets_its_reminder_at_half_time():
    two = Two(contract=Contract(min_break=timedelta(minutes=5)))
    take(two, SAM, 14)
    t = two.timeout()
    assert prepare_timers(two)[SAM] == t.started_at + timedelta(minutes=7)
    two.wait(timedelta(minutes=7))
    assert two.all_keys(SAM)[-1] == "prepare.ask"


def test_both_partners_side_by_side_each_get_their_own_reminder_which_moves_with_the_return(two: Two):
    take(two, SAM, 30)
    for c in CALM_PARTNER:
        two.press(ROBIN, c)
    assert two.phase(ROBIN) is Phase.WAITING
    two.wait(timedelta(minutes=5))
    two.cmd(ROBIN, "timeout")  # a break of Robin's own beside Sam's, ending later
    two.press(ROBIN, "ret.m60")
    t = two.timeout()
    assert t.back_at == t.started_at + timedelta(minutes=65)
    assert prepare_timers(two) == {SAM: t.back_at - timedelta(minutes=10), ROBIN: t.back_at - timedelta(minutes=10)}
    for c in ("t.5", "br.next", "t.3", "f.sad", "n.rest"):
        two.press(ROBIN, c)
    assert two.phase(ROBIN) is Phase.WAITING
    two.wait(timedelta(minutes=50))  # 55 minutes in: both reminders
    assert two.all_keys(SAM)[-1] == "prepare.ask" and two.all_keys(ROBIN)[-1] == "prepare.ask"
    two.press(ROBIN, "pr.go")
    assert two.phase(ROBIN) is Phase.PLAN_OPENER and two.phase(SAM) is Phase.WAITING


def test_ready_early_takes_the_reminder_back(two: Two):
    two = Two(contract=Contract(min_break=timedelta(minutes=5)))
    take(two, SAM, 30)
    two.wait(timedelta(minutes=6))
    two.press(SAM, "w.ready")
    assert SAM not in prepare_timers(two)
    assert any(isinstance(e, CancelTimer) and e.kind is TimerKind.PREPARE for e in two.effects)


def test_the_reminder_honours_the_quiet_hours():
    late = datetime(2026, 11, 20, 22, 5, tzinfo=UTC)  # 23:05 in Amsterdam: the reminder would come at 23:25
    two = Two(now=late)
    take(two, SAM, 30)
    two.wait(timedelta(minutes=20))
    assert "prepare.ask" not in two.all_keys(SAM)
    assert two.phase(SAM) is Phase.WAITING and "w.prepare" in two.choices(SAM)  # now, if they choose
    two.press(SAM, "w.prepare")
    assert two.phase(SAM) is Phase.PLAN_OPENER


def test_a_safety_signal_stops_the_reminder_and_the_other_sees_the_same(two: Two):
    def run(signal: bool) -> Two:
        two = Two()
        take(two, SAM, 30)
        for c in CALM_PARTNER:
            two.press(ROBIN, c)
        two.wait(timedelta(minutes=5))
        if signal:
            two.cmd(SAM, "safety")
            assert SAM not in prepare_timers(two) and ROBIN in prepare_timers(two)
        two.wait(timedelta(hours=2))
        return two

    loud, quiet = run(True), run(False)
    assert "prepare.ask" not in loud.all_keys(SAM)
    assert loud.inbox[ROBIN] == quiet.inbox[ROBIN]
    assert "prepare.ask" in loud.all_keys(ROBIN)


def test_danger_typed_in_the_plan_stops_everything_and_the_other_sees_the_same():
    def run(danger: bool) -> Two:
        two = Two()
        take(two, SAM, 30)
        two.wait(timedelta(minutes=20))
        two.press(SAM, "pr.go")
        two.press(SAM, "op.use")
        if danger:
            two.say(SAM, "hij sloeg me gisteren")
            assert two.phase(SAM) is Phase.SAFETY
            assert not [e for e in two.effects if isinstance(e, StartTimer) and e.user == ROBIN
                        and e.kind is TimerKind.PREPARE and e.at > two.now]
        two.wait(timedelta(hours=3))
        return two

    loud, quiet = run(True), run(False)
    assert loud.inbox[ROBIN] == quiet.inbox[ROBIN]


def test_danger_typed_as_a_feeling_stops_everything(two: Two):
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    for c in ("t.8", "br.next", "t.5"):
        two.press(SAM, c)
    before = list(two.inbox[ROBIN])
    two.say(SAM, "bang dat hij me weer slaat")
    assert two.phase(SAM) is Phase.SAFETY and two.sessions[SAM].plan.feeling is None
    assert two.inbox[ROBIN] == before


def test_a_reminder_held_up_past_its_time_says_nothing(two: Two):
    take(two, SAM, 30)
    from bot.core.events import TimerFired

    t = two.timeout()
    two.now += timedelta(minutes=27)
    two.step(SAM, TimerFired(TimerKind.PREPARE, t.id, t.back_at - timedelta(minutes=10)))
    assert two.last[SAM] == []
