"""Two people in one time-out, both through the real step (the Two driver): each bullet of issue 11."""

from __future__ import annotations

from datetime import timedelta

from bot.core.model import Phase, TimeoutStatus

from .conftest import Two

SAM, ROBIN = 1, 2


def test_a_return_always_ends_even_when_the_other_stays_silent(two: Two):
    two.take(SAM, 30)
    start = two.now
    two.wait(timedelta(minutes=30))
    assert two.all_keys(SAM)[-1] == "return.ping" and "return.ping" in two.all_keys(ROBIN)
    two.press(SAM, "r.ready")
    assert "return.wait_partner" in two.keys(SAM)
    two.wait(timedelta(minutes=31))  # Robin says nothing (they are already talking face to face)
    t = two.timeout()
    assert t.status is TimeoutStatus.MISSED and t.ended_at <= start + timedelta(minutes=60)
    assert two.all_keys(SAM)[-1] == "return.partner_missed"
    assert two.all_keys(ROBIN)[-1] == "return.missed"
    two.cmd(SAM, "status")
    assert two.keys(SAM) == ["status.none"]
    two.cmd(SAM, "pauze")
    assert two.keys(SAM) == ["pause.when"] and two.phase(SAM) is Phase.PAUSE_CHOOSE


def test_nothing_is_open_past_its_latest_end_even_without_timers(two: Two):
    two.take(SAM, 30)
    two.timers.clear()  # lost timers (a restore, a bug): the time-out still counts as over at its end
    two.now += timedelta(hours=3)
    two.cmd(SAM, "timeout")
    assert two.keys(SAM) == ["pause.when"]
    two.press(SAM, "ret.m30")
    assert two.timeout().status is TimeoutStatus.RUNNING and two.timeout().started_at == two.now


def test_the_partner_also_taking_a_break_never_shortens_the_other(two: Two):
    two.take(SAM, 120)
    sam_return = two.timeout().return_at
    two.wait(timedelta(minutes=5))
    two.cmd(ROBIN, "timeout")
    assert two.keys(ROBIN) == ["pause.when_beside"]
    two.press(ROBIN, "ret.m20")
    t = two.timeout()
    assert t.return_at == sam_return and t.back_at == sam_return
    assert two.all_keys(SAM)[-1] == "notice.beside"
    two.wait(timedelta(minutes=25))
    assert "return.ping" not in two.all_keys(SAM)  # Sam's break runs on
    two.wait(timedelta(minutes=90))
    assert two.all_keys(SAM)[-1] == "return.ping"


def test_a_later_break_of_the_partner_moves_the_couples_return_later(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=1))
    two.cmd(ROBIN, "timeout")
    two.press(ROBIN, "ret.m60")
    t = two.timeout()
    assert two.keys(ROBIN)[0] == "start.merged" and t.back_at == two.now + timedelta(minutes=60)
    assert t.return_at == t.started_at + timedelta(minutes=30)  # Sam's own break is untouched
    two.wait(timedelta(minutes=59))
    assert "return.ping" not in two.all_keys(SAM)
    two.wait(timedelta(minutes=1))
    assert two.all_keys(SAM)[-1] == "return.ping" and "return.ping" in two.all_keys(ROBIN)


def test_the_partners_early_ready_is_kept_and_never_pulls_the_return(two: Two):
    two.take(SAM, 120)
    sam_return = two.timeout().return_at
    two.wait(timedelta(minutes=10))
    two.cmd(ROBIN, "ready")
    assert "ready.kept" in two.keys(ROBIN) and two.keys(SAM) == []  # Sam is not disturbed
    assert two.timeout().return_at == sam_return and two.timeout().status is TimeoutStatus.RUNNING
    two.wait(timedelta(minutes=109))
    assert "return.ping" not in two.all_keys(SAM)
    two.wait(timedelta(minutes=1))
    assert two.all_keys(SAM)[-1] == "return.ping_ready"  # "Robin is ready when you are"
    two.press(SAM, "r.ready")
    assert two.keys(SAM)[-1] == "return.together" and two.keys(ROBIN) == ["notice.both_ready"]
    assert two.timeout().status is TimeoutStatus.RETURNED


def test_the_partner_cannot_end_extend_or_move_the_others_break(two: Two):
    two.take(SAM, 120)
    sam_return = two.timeout().return_at
    two.wait(timedelta(minutes=2))
    two.press(ROBIN, "p.start")
    two.cmd(ROBIN, "cancel")  # leaves the breathing
    two.cmd(ROBIN, "cancel")  # and the waiting menu: ends Robin's own flow only
    two.cmd(ROBIN, "stop")
    two.cmd(ROBIN, "extend")
    assert two.keys(ROBIN)[0] == "extend.not_yours"
    for forged in ("w.cancel.yes", "w.extend", "r.more", "r.talking", "w.cancel"):
        two.press(ROBIN, forged)
    t = two.timeout()
    assert t.status is TimeoutStatus.RUNNING and t.return_at == sam_return and t.extensions_used == 0
    assert not [k for k in two.all_keys(SAM)[-3:] if k.startswith("notice.")]
    two.cmd(SAM, "extend")
    assert two.timeout().extensions_used == 1 and two.all_keys(ROBIN)[-1] == "notice.extended"


def test_the_partners_waiting_menu_has_no_controls_over_the_others_break(two: Two):
    two.take(SAM, 60)
    two.say(ROBIN, "waarom doe je dit nou weer")
    assert two.keys(ROBIN) == ["waiting.partner_keep_ask"]  # their own support, not the generic menu
    two.press(ROBIN, "keep.yes")
    menu = two.choices(ROBIN)
    assert "w.cancel" not in menu and "w.extend" not in menu and "go.timeout" in menu


def test_a_safety_signal_is_no_tell(two: Two):
    two.take(SAM, 30)
    two.cmd(ROBIN, "status")
    before = two.last[ROBIN]
    two.press(SAM, "safety")
    assert two.keys(SAM) == ["safety.screen", "safety.partner_sees"] and two.keys(ROBIN) == []
    two.cmd(ROBIN, "status")
    assert two.last[ROBIN] == before
    two.cmd(ROBIN, "ready")
    assert "ready.kept" in two.keys(ROBIN)
    two.wait(timedelta(minutes=30))
    assert two.all_keys(ROBIN)[-1] == "return.ping_waiting"  # Robin still gets the return, as with silence
    two.wait(timedelta(minutes=31))
    assert two.timeout().status is TimeoutStatus.MISSED and two.all_keys(ROBIN)[-1] == "return.partner_missed"
    assert two.phase(SAM) is Phase.SAFETY  # no nudge reached Sam on the safety screen


def test_unpair_from_the_safety_screen_sends_the_same_notice_as_anywhere(two: Two):
    other = Two()
    for d in (two, other):
        d.take(SAM, 30)
    two.press(SAM, "safety")
    two.press(SAM, "safety.unpair")
    other.cmd(SAM, "unpair")
    assert two.last[ROBIN] == other.last[ROBIN] and two.keys(ROBIN) == ["unpair.notice"]


def test_the_partners_false_alarm_never_cancels_the_others_return(two: Two):
    two.take(SAM, 30)
    two.press(ROBIN, "safety")
    two.press(ROBIN, "safety.continue")
    two.wait(timedelta(minutes=30))
    assert two.all_keys(SAM)[-1] == "return.ping"


def test_after_a_missed_return_the_next_timeout_pings_both(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=61))
    assert two.timeout().status is TimeoutStatus.MISSED
    two.take(SAM, 30)
    assert two.all_keys(ROBIN)[-1] == "notice.start"
    two.wait(timedelta(minutes=30))
    assert two.all_keys(ROBIN)[-1] == "return.ping" and two.all_keys(SAM)[-1] == "return.ping"


def test_a_late_ready_gets_a_kind_answer(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=46))  # the re-ping came; still open
    two.press(SAM, "r.ready")
    assert two.keys(SAM)[0] == "return.card"
    two.wait(timedelta(minutes=30))
    two.press(ROBIN, "r.ready")  # after the close
    assert two.keys(ROBIN) == ["return.too_late"]


def test_both_members_private_words_go_when_it_closes(two: Two):
    two.take(SAM, 60)
    two.say(ROBIN, "ik wil dat je luistert")
    two.press(ROBIN, "keep.yes")
    assert two.sessions[ROBIN].plan.kept
    two.wait(timedelta(minutes=20))
    two.press(SAM, "w.cancel")
    two.press(SAM, "w.cancel.yes")
    assert two.timeout().status is TimeoutStatus.CANCELLED
    assert not two.sessions[ROBIN].plan.kept and two.sessions[ROBIN].pending is None
    assert two.all_keys(ROBIN)[-1] == "notice.cancelled"


def test_im_safe_continue_goes_back_where_they_were(two: Two):
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    two.press(SAM, "t.8")
    two.press(SAM, "safety")
    two.press(SAM, "safety.continue")
    assert two.keys(SAM)[0] == "safety.continued" and two.phase(SAM) is Phase.BREATHE
    two.cmd(SAM, "safety")
    two.cmd(SAM, "cancel")  # not allowed in SAFETY
    two.press(SAM, "safety.continue")
    assert two.phase(SAM) is Phase.BREATHE


def test_the_return_together_and_another_break(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=30))
    two.press(ROBIN, "r.ready")
    two.press(SAM, "r.ready")
    assert two.keys(SAM)[-1] == "return.together" and "again" in two.choices(SAM)
    assert "again" in two.choices(ROBIN)
    two.press(ROBIN, "again")
    assert two.phase(ROBIN) is Phase.PAUSE_CHOOSE
    two.press(ROBIN, "ret.m30")
    assert two.timeout().initiator == ROBIN and two.all_keys(SAM)[-1] == "notice.start"


def test_we_are_already_talking_closes_it_for_both(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=30))
    two.press(ROBIN, "r.talking")
    assert two.timeout().status is TimeoutStatus.RETURNED
    assert two.keys(ROBIN) == ["return.talking"] and two.keys(SAM) == ["notice.talking"]
    two.wait(timedelta(minutes=40))
    assert "return.reping" not in two.all_keys(SAM) and "return.missed" not in two.all_keys(SAM)


def test_after_not_good_offers_a_way_on(two: Two):
    two.take(SAM, 30)
    two.wait(timedelta(minutes=30))
    two.press(SAM, "r.ready")
    two.press(ROBIN, "r.ready")
    two.wait(timedelta(hours=10))
    assert two.phase(SAM) is Phase.AFTER and two.phase(ROBIN) is Phase.AFTER
    two.press(SAM, "a.bad")
    assert set(two.choices(SAM)) >= {"ab.later", "ab.repair", "ab.help", "safety"}
    two.press(SAM, "ab.repair")
    assert two.keys(SAM) == ["after.repair"]


def test_the_one_left_behind_gets_own_parts_that_fit_the_pursuer(two: Two):
    two.take(SAM, 60)
    two.press(ROBIN, "p.start")
    for choice in ("br.next", "t.5", "f.hurt", "n.heard", "w.prepare", "op.use", "skip", "skip"):
        two.press(ROBIN, choice)
    assert "own.texted" in two.choices(ROBIN) and "own.followed" in two.choices(ROBIN)


def test_numbers_never_raise(two: Two):
    two.cmd(SAM, "timeout")
    for forged in ("ret.m²", "ret.m99999", "ret.m" + "9" * 20, "ct.accept.²", "t.²"):
        two.press(SAM, forged)
    two.say(SAM, "1440000000001 min")
    two.say(SAM, "9" * 20)
    assert two.phase(SAM) is Phase.PAUSE_CHOOSE
    for arg in ("max 99999999999999999999 min", "extensions ²", "min ²"):
        two.cmd(SAM, "contract", arg)


def _paired_by_code(two: Two) -> None:
    """Sam invites, Robin joins with the code: the real steps of both."""
    two.paired = False
    two.cmd(SAM, "pair")
    two.cmd(ROBIN, "join", two.code_of(SAM))
    assert two.paired


def test_the_calm_time_question_is_asked_of_each_alone_and_a_yes_tells_nobody(two: Two):
    _paired_by_code(two)
    assert "screen.ask" in two.keys(ROBIN) and "screen.ask" in two.all_keys(SAM)
    two.press(SAM, "sq.no")
    before = list(two.inbox[SAM])
    two.press(ROBIN, "sq.yes")
    assert two.keys(ROBIN) == ["screen.yes"] and {"sq.note", "sq.stay", "safety.unpair"} <= set(two.choices(ROBIN))
    two.press(ROBIN, "sq.note")
    assert two.keys(ROBIN) == ["screen.note_kept"]
    assert two.inbox[SAM] == before  # Sam learns nothing of the question, the answer or the note
    from bot.core.effects import SetProfile

    assert SetProfile(consent=True, safety_note=True) in two.effects


def test_with_a_safety_note_the_bot_asks_sooner_and_drops_the_own_part(two: Two):
    from dataclasses import replace as r

    two.people[ROBIN] = r(two.people[ROBIN], safety_note=True)
    two.cmd(ROBIN, "timeout")
    two.press(ROBIN, "ret.m30")
    assert two.phase(ROBIN) is Phase.SAFETY_ASK and two.all_keys(SAM)[-1] == "notice.start"  # notice still goes
    assert ROBIN not in two.timeout().hushed  # asking is not a signal
    two.press(ROBIN, "sa.yes")
    assert two.phase(ROBIN) is Phase.PAUSE_TENSION
    for choice in ("t.8", "br.next", "t.5", "f.hurt", "n.heard", "op.use", "skip", "pf.hurt"):
        two.press(ROBIN, choice)
    assert two.phase(ROBIN) is Phase.WAITING  # no "what was your part"
    two.wait(timedelta(minutes=61))
    assert two.all_keys(ROBIN)[-1] == "return.missed_note"  # no "reach out" nudge


def test_a_private_safety_plan_is_kept_and_shown_on_the_safety_screen(two: Two):
    from dataclasses import replace as r

    from bot.core.effects import SetProfile

    two.cmd(SAM, "veilig")
    two.press(SAM, "sp.edit")
    assert two.phase(SAM) is Phase.SAFETY_PLAN
    two.say(SAM, "als hij gaat drinken\nnaar mijn zus\nbel Anne")  # danger words here are the plan itself
    assert two.phase(SAM) is Phase.SAFETY and two.keys(SAM) == ["safety.plan.saved"]
    saved = [e for e in two.effects if isinstance(e, SetProfile) and e.safety_plan]
    assert saved[-1].safety_plan == "als hij gaat drinken\nnaar mijn zus\nbel Anne"
    two.people[SAM] = r(two.people[SAM], safety_plan=saved[-1].safety_plan)
    two.press(SAM, "safety.continue")
    two.cmd(SAM, "safety")
    assert two.keys(SAM)[:2] == ["safety.screen", "safety.plan.show"] and two.all_keys(ROBIN) == []
