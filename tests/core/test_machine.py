"""The fight flow, event list by event list (h11 style): state and effects after each input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import flow
from bot.core.effects import CancelNotices, CancelTimer, Notify, Pacer, RecordOutcome, SetProfile, StartTimer
from bot.core.events import TimerKind
from bot.core.model import Contract, Person, Phase, TimeoutStatus


def test_timeout_offers_return_times_within_the_contract(d):
    d.cmd("timeout")
    assert d.phase is Phase.PAUSE_CHOOSE
    assert d.said() == ["pause.when"]
    ids = d.choices()
    assert ids[:4] == ["ret.m20", "ret.m30", "ret.m60", "ret.m120"]
    assert "ret.morning" in ids  # 21:10 local is late enough to offer tomorrow morning
    assert "safety" in ids and "go.cancel" in ids


def test_no_morning_offer_in_the_afternoon(make):
    d = make(now=datetime(2026, 11, 20, 13, 0, tzinfo=UTC))
    d.cmd("pauze")
    assert "ret.morning" not in d.choices()


def test_choosing_a_time_starts_the_timeout_and_asks_tension(d):
    d.start(30)
    t = d.state.timeout
    assert t is not None and t.status is TimeoutStatus.RUNNING
    assert t.return_at == d.now + timedelta(minutes=30)
    assert d.phase is Phase.PAUSE_TENSION
    assert d.said() == ["start.solo", "notice.solo", "tension.ask.start"]
    timers = [e for e in d.last if isinstance(e, StartTimer)]
    grace = timedelta(minutes=15)
    assert [(x.kind, x.at) for x in timers] == [
        (TimerKind.PREPARE, t.return_at - timedelta(minutes=10)),
        (TimerKind.RETURN, t.return_at), (TimerKind.REPING, t.return_at + grace),
        (TimerKind.MISSED, t.return_at + 2 * grace)]


def test_solo_start_gives_a_relational_text_to_send(d):
    d.start(30)
    text = d.replies()[1]  # a message of its own, ready to forward
    assert text.msg.key == "notice.solo" and dict(text.msg.params)["time"] == d.state.timeout.return_at
    assert [c.id for c in text.choices] == ["link.share", "sn.edit"]


def test_partner_gets_a_relational_notice_not_the_private_words(couple):
    couple.start(30)
    [n] = couple.notices()
    assert n.to == 2 and n.msg.key == "notice.start" and n.tag == couple.state.timeout.id
    params = dict(n.msg.params)
    assert params["name"] == "Sam" and params["time"] == couple.state.timeout.return_at
    assert couple.said()[0] == "start.told"


def test_contract_without_notice_tells_the_person_to_say_it_themselves(make):
    d = make(partner=Person(2), contract=Contract(notify_partner=False))
    d.start(30)
    assert not d.notices()
    assert d.said()[0] == "start.not_told"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("20 min", 20), ("half uur", 30), ("45", 45), ("1 uur", 60), ("anderhalf uur", 90), ("2h", 120),
     ("an hour", 60), ("drie kwartier", 45), ("1,5 uur", 90)],
)
def test_free_text_return_times(d, text, minutes):
    d.cmd("timeout")
    d.say(text)
    assert d.state.timeout is not None
    assert d.state.timeout.return_at - d.now == timedelta(minutes=minutes)


def test_tomorrow_nine(d):
    d.cmd("timeout")
    d.say("morgen 9")
    assert d.state.timeout.return_at == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # 09:00 Amsterdam


@pytest.mark.parametrize(
    ("text", "key", "nearest"),
    [("5 min", "pause.too_short", 20), ("3 dagen", "pause.too_long", 24 * 60), ("30 uur", "pause.too_long", 24 * 60)],
)
def test_return_time_outside_the_contract_explains_and_offers_the_nearest(d, text, key, nearest):
    d.cmd("timeout")
    d.say(text)
    assert d.phase is Phase.PAUSE_CHOOSE and d.state.timeout is None
    assert d.said() == [key]
    assert d.choices()[0] == f"ret.m{nearest}"
    assert len(d.choices()) == len(set(d.choices())), "no button twice"
    d.press(d.choices()[0])
    assert d.state.timeout.return_at - d.now == timedelta(minutes=nearest)


def test_forged_return_button_is_refused(d):
    d.cmd("timeout")
    d.press("ret.m99999999")
    assert d.phase is Phase.PAUSE_CHOOSE and d.state.timeout is None
    d.press("ret.m5")
    assert d.said() == ["pause.too_short"] and d.state.timeout is None


def test_full_flow_to_waiting_collects_the_private_plan(d):
    d.start()
    d.press("t.8")
    assert d.phase is Phase.BREATHE
    [r] = d.replies()
    assert r.pacer == Pacer("sigh", 7 * 5)  # tension 8: five minutes offered first
    assert {"br.m1", "br.m3"} <= {c.id for c in r.choices} and "br.m5" not in {c.id for c in r.choices}
    d.press("br.p.box")
    assert d.replies()[0].pacer == Pacer("box", 4 * 5) and d.state.session.pattern == "box"
    d.press("br.m1")
    assert d.replies()[0].pacer == Pacer("box", 4) and d.state.session.minutes == 1
    d.press("br.next")
    assert d.phase is Phase.BREATHE_TENSION and d.said() == ["tension.ask.after_was"]
    d.say("5")
    assert d.said()[0] == "tension.change" and d.phase is Phase.NAME_FEELING
    d.press("f.angry")
    assert d.phase is Phase.NAME_UNDER  # anger guards a softer feeling
    d.press("u.hurt")
    d.press("n.heard")
    assert d.phase is Phase.WAITING and d.said() == ["name.need.thanks", "plan.later", "waiting.prompt"]
    assert len(d.messages()) == 1 and d.choices()[0] == "w.prepare"  # the plan comes later, or now if they want
    d.press("w.prepare")
    assert d.phase is Phase.PLAN_OPENER
    opener = dict(d.replies()[0].msg.params)["opener"]
    assert opener.key == "opener.template"
    assert {k: v.key for k, v in opener.params} == {"feeling": "feeling.hurt", "need": "need.heard"}
    d.press("op.use")
    d.say("who does the dishes")
    d.press("pf.overwhelmed")
    d.say("I raised my voice")
    assert d.phase is Phase.WAITING
    assert d.said() == ["plan.card", "waiting.prompt"]
    plan = d.state.session.plan
    assert (plan.tension_start, plan.tension_after, plan.feeling, plan.under, plan.need) == (8, 5, "angry", "hurt",
                                                                                              "heard")
    assert plan.topic == "who does the dishes" and plan.own_part == "I raised my voice"


def test_a_feeling_that_is_not_armour_goes_straight_to_the_need(d):
    d.start()
    for c in ("t.3", "br.next", "skip", "f.sad"):
        d.press(c)
    assert d.phase is Phase.NAME_NEED


def test_every_plan_step_can_be_skipped(d):
    d.start()
    seen = []
    while d.phase is not Phase.WAITING:
        seen.append(d.phase)
        d.press("br.next" if d.phase is Phase.BREATHE else "skip")
    assert seen == [Phase.PAUSE_TENSION, Phase.BREATHE, Phase.BREATHE_TENSION, Phase.NAME_FEELING, Phase.NAME_NEED]
    d.press("w.prepare")
    while d.phase is not Phase.WAITING:
        seen.append(d.phase)
        d.press("skip")
    assert seen[5:] == [Phase.PLAN_OPENER, Phase.PLAN_TOPIC, Phase.PLAN_PERSPECTIVE, Phase.PLAN_OWN_PART]
    card = dict(d.replies()[0].msg.params)["card"]
    assert [m.key for m in card] == ["card.rule"]


def test_long_text_is_clipped_and_said_so(d):
    d.start()
    for c in ("skip", "br.next", "skip", "skip", "skip", "w.prepare", "skip"):
        d.press(c)
    assert d.phase is Phase.PLAN_TOPIC
    d.say("x" * 100_000)
    assert "text.clipped" in d.said()
    assert len(d.state.session.plan.topic) == 280


def test_waiting_status_extend_and_limits(d):
    d.to_waiting()
    d.cmd("status")
    assert d.said() == ["status.running"]
    d.cmd("verleng")
    assert d.said()[0] == "extend.ok"
    assert d.state.timeout.return_at == d.state.timeout.started_at + timedelta(minutes=45)
    assert d.state.timeout.extensions_used == 1
    d.cmd("extend")
    assert d.said()[0] == "extend.none_left" and d.state.timeout.extensions_used == 1


def test_ready_before_the_minimum_says_when(d):
    d.to_waiting()
    d.cmd("ready")
    assert d.said()[0] == "ready.too_soon" and d.phase is Phase.WAITING
    d.now += timedelta(minutes=20)
    d.cmd("klaar")
    assert d.said() == ["return.card", "return.alone"]
    assert d.state.timeout.status is TimeoutStatus.RETURNED and d.phase is Phase.IDLE


def test_second_timeout_while_one_runs(d):
    d.to_waiting()
    d.cmd("timeout")
    assert d.said()[0] == "timeout.already" and d.phase is Phase.WAITING


def test_text_in_waiting_is_not_relayed_but_can_be_kept(couple):
    couple.to_waiting()
    before = len(couple.notices())
    couple.say("you never listen")
    assert couple.said() == ["waiting.keep_ask"]
    couple.press("keep.yes")
    assert couple.state.session.plan.kept == ("you never listen",)
    assert len(couple.notices()) == before
    couple.say("second")
    couple.press("keep.no")
    assert couple.state.session.plan.kept == ("you never listen",)


def test_return_ping_reping_and_missed(d):
    d.to_waiting()
    [prepare, fired] = d.wait(timedelta(minutes=30))
    assert d.said(prepare) == []  # they prepared already: the prepare reminder says nothing
    assert d.phase is Phase.RETURN and d.said(fired) == ["return.ping"]
    assert {"r.ready", "r.more", "safety"} <= {c.id for r in d.replies(fired) for c in r.choices}
    [reping] = d.wait(timedelta(minutes=15))
    assert d.said(reping) == ["return.reping"]
    [missed] = d.wait(timedelta(minutes=15))
    assert d.said(missed) == ["return.missed"]
    assert d.phase is Phase.IDLE and d.state.timeout.status is TimeoutStatus.MISSED
    assert any(isinstance(e, RecordOutcome) and e.outcome == "missed" for e in missed)
    assert d.state.session.plan == type(d.state.session.plan)()  # private words gone


def test_return_ready_gives_the_card_then_after_check_outside_quiet_hours(d):
    d.to_waiting()
    d.wait(timedelta(minutes=30))
    d.press("r.ready")
    assert d.said() == ["return.card", "return.alone"]
    card = dict(d.replies()[0].msg.params)["card"]
    assert [m.key for m in card][-1] == "card.rule"
    after = [e for e in d.last if isinstance(e, StartTimer) and e.kind is TimerKind.AFTER]
    assert after[0].at == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # 07:00 local, not 23:40: quiet hours
    [ask] = d.wait(timedelta(hours=10))
    assert d.said(ask) == ["after.ask"] and d.phase is Phase.AFTER
    d.press("a.good")
    assert d.phase is Phase.IDLE
    assert any(isinstance(e, RecordOutcome) and e.outcome == "good" for e in d.last)


def test_more_time_at_the_return(d):
    d.to_waiting()
    d.wait(timedelta(minutes=30))
    d.press("r.more")
    assert d.phase is Phase.WAITING and d.state.timeout.status is TimeoutStatus.RUNNING
    assert d.state.timeout.return_at == d.now + timedelta(minutes=15)
    assert [d.said(x) for x in d.wait(timedelta(minutes=14))] == [[]]  # prepared already: a silent reminder
    [ping] = d.wait(timedelta(minutes=1))
    assert d.said(ping) == ["return.ping"]


def test_late_timer_after_downtime_says_so_and_does_not_double_ping(d):
    d.to_waiting()
    d.now += timedelta(minutes=50)  # the bot was down past the return and the re-ping; the window is still open
    t = d.state.timeout
    from bot.core.events import TimerFired

    fired = d.send(TimerFired(TimerKind.RETURN, t.id, t.return_at))
    assert d.said(fired) == ["return.late", "return.ping"]
    assert d.send(TimerFired(TimerKind.REPING, t.id, t.return_at + timedelta(minutes=15))) == ()


def test_downtime_past_the_whole_return_closes_it_and_says_why(d):
    d.to_waiting()
    d.now += timedelta(hours=3)  # the bot was down for the whole return window
    t = d.state.timeout
    from bot.core.events import TimerFired

    fired = d.send(TimerFired(TimerKind.RETURN, t.id, t.return_at))
    assert d.said(fired) == ["return.late", "return.missed"]
    assert d.state.timeout.status is TimeoutStatus.MISSED and d.phase is Phase.IDLE
    assert CancelTimer(1, TimerKind.MISSED, t.id) in fired  # told once: the close timer has nothing to add


def test_after_check_too_late_is_dropped(d):
    d.to_waiting()
    d.wait(timedelta(minutes=30))
    d.press("r.ready")
    d.now += timedelta(days=2)
    from bot.core.events import TimerFired

    fx = d.send(TimerFired(TimerKind.AFTER, d.state.timeout.id, d.now - timedelta(days=1)))
    assert fx == () and d.phase is Phase.IDLE and d.state.session.after_for is None


def test_stale_timer_of_an_ended_timeout_does_nothing(d):
    d.to_waiting()
    d.now += timedelta(minutes=25)
    d.cmd("ready")
    from bot.core.events import TimerFired

    fx = d.send(TimerFired(TimerKind.RETURN, d.state.timeout.id, d.now))
    assert fx == () and d.phase is Phase.IDLE


def test_cancel_semantics(couple):
    couple.cmd("timeout")
    couple.cmd("cancel")
    assert couple.phase is Phase.IDLE and couple.state.timeout is None
    couple.start()
    couple.cmd("stop")
    assert couple.phase is Phase.WAITING and couple.said()[0] == "cancel.to_waiting"
    couple.cmd("cancel")
    assert couple.said() == ["cancel.confirm"] and couple.state.timeout.status is TimeoutStatus.RUNNING
    couple.press("w.cancel.yes")
    assert couple.state.timeout.status is TimeoutStatus.CANCELLED and couple.phase is Phase.IDLE
    assert couple.notices()[-1].msg.key == "notice.cancelled"
    cancelled = {e.kind for e in couple.last if isinstance(e, CancelTimer)}
    assert TimerKind.RETURN in cancelled


def test_breathe_from_waiting_returns_to_waiting(d):
    d.to_waiting()
    d.press("w.breathe")
    assert d.phase is Phase.BREATHE
    d.press("br.next")
    assert d.phase is Phase.WAITING and d.said() == ["breathe.done", "waiting.prompt"]


def test_breathe_alone_without_a_timeout(d):
    d.cmd("adem")
    assert d.phase is Phase.BREATHE and d.replies()[0].pacer is not None
    d.cmd("cancel")
    assert d.phase is Phase.IDLE


def test_signal_phrase_starts_a_timeout(d):
    d.say("Ik neem een time-out!")
    assert d.phase is Phase.PAUSE_CHOOSE


def test_custom_signal_phrase(make):
    d = make(contract=Contract(signal_phrase="Pinguïn"))
    d.say("pinguin")
    assert d.phase is Phase.PAUSE_CHOOSE


def test_language_and_timezone(d):
    d.cmd("taal", "nl")
    assert SetProfile(locale="nl") in d.last
    d.cmd("language", "klingon")
    assert d.said() == ["language.ask"]
    d.press("lang.en")
    assert SetProfile(locale="en") in d.last
    d.cmd("timezone", "Europe/London")
    assert SetProfile(tz="Europe/London") in d.last
    d.cmd("timezone", "../../etc/passwd")
    assert d.said() == ["timezone.bad"]


def test_unknown_command_and_empty_text_keep_state(d):
    d.start()
    before = d.state
    d.cmd("frobnicate")
    assert d.said() == ["hint.unknown_command", "tension.ask.start"] and d.state == before
    d.say("   ")
    assert d.said()[0] == "hint.empty" and d.state == before


def test_score_out_of_range(d):
    d.start()
    d.say("11")
    assert d.said() == ["hint.score_range", "tension.ask.start"] and d.phase is Phase.PAUSE_TENSION


def test_safety_button_stops_everything_and_cancels_undelivered_notices(couple):
    couple.start()
    couple.press("safety")
    assert couple.phase is Phase.SAFETY and couple.state.session.safety_hold
    assert CancelNotices(couple.state.timeout.id) in couple.last
    assert not [e for e in couple.last if isinstance(e, Notify)]
    assert couple.said() == ["safety.screen", "safety.partner_sees"]
    # no tells: nothing about the partner's side of the time-out changes
    assert not [e for e in couple.last if isinstance(e, CancelTimer) and e.user == 2]
    assert couple.state.timeout.partner == 2 and 1 in couple.state.timeout.hushed
    # while in SAFETY, commands that would tell the partner do nothing of the kind
    couple.cmd("extend")
    couple.cmd("cancel")
    assert couple.phase is Phase.SAFETY
    assert not [e for e in couple.last if isinstance(e, Notify)]
    couple.press("safety.continue")
    assert couple.phase is Phase.PAUSE_TENSION and not couple.state.session.safety_hold


def test_safety_command_aliases(d):
    for name in ("safety", "veilig"):
        d.cmd(name)
        assert d.phase is Phase.SAFETY


def test_after_not_good_offers_a_way_on_and_safety_is_one_tap(d):
    d.to_waiting()
    d.wait(timedelta(minutes=30))
    d.press("r.ready")
    d.wait(timedelta(hours=10))
    d.press("a.bad")
    assert d.said() == ["after.thanks.bad"] and "safety" in d.choices()
    d.press("safety")
    assert d.phase is Phase.SAFETY


def test_stale_button_is_answered_and_state_kept(d):
    d.to_waiting()
    before = d.state
    d.press("t.8")
    assert d.said()[0] == "hint.stale" and d.state == before
    d.press("x" * 500)
    assert d.said()[0] == "hint.stale" and d.state == before


def test_every_phase_has_a_prompt():
    assert flow.all_phases_prompted()


def test_text_typed_during_breathing_never_restarts_it(d):
    d.start()
    d.press("t.8")
    assert d.phase is Phase.BREATHE
    d.say("ok, en nu?")
    [r] = d.replies()
    assert r.msg.key == "breathe.typed" and r.aside and r.pacer is None and d.phase is Phase.BREATHE
    d.say("stop")
    assert d.phase is Phase.BREATHE_TENSION


@pytest.mark.parametrize(("typed", "key"), [("timeout", "pause.when"), ("Pauze!", "pause.when"),
                                            ("ik neem een time-out", "pause.when"), ("hulp", "help.text"),
                                            ("help", "help.text")])
def test_typed_words_are_understood_outside_a_flow(d, typed, key):
    d.say(typed)
    assert d.said()[0] == key
