"""Consent, the private check, country, export and forget in the core."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.effects import CancelNotices, Export, Forget, Msg, Notify, RecordOutcome, SetProfile, Unpair
from bot.core.model import Contract, Couple, Person, Phase, Plan, TimeoutStatus

NEW = Person(1, "nl", name="Sam", consented=False)
ROBIN = Person(2, "nl", name="Robin", consented=True)


def test_the_first_time_out_asks_consent_before_anything_personal(make):
    d = make(me=NEW)
    d.start()
    assert d.phase is Phase.CONSENT and d.said()[-1] == "consent.ask"
    assert d.state.timeout is not None  # the break itself is not held up
    d.press("cs.yes")
    assert SetProfile(consent=True) in d.last
    assert d.phase is Phase.PAUSE_TENSION


def test_keep_nothing_means_breathing_then_the_wait_and_nothing_stored(make):
    d = make(me=NEW)
    d.start()
    d.press("cs.no")
    assert d.phase is Phase.BREATHE and not d.state.session.keep
    d.press("br.next")
    assert d.phase is Phase.WAITING and d.state.session.plan == Plan()
    d.say("you never listen")
    assert d.said() == ["waiting.solo_not_kept"] and d.state.session.pending is None
    d.now += timedelta(minutes=25)
    d.cmd("ready")
    [rec] = [e for e in d.last if isinstance(e, RecordOutcome)]
    assert (rec.tension_start, rec.feeling, rec.need) == (None, None, None)


def test_consent_at_onboarding(make):
    d = make(me=NEW)
    d.cmd("start")
    assert d.said() == ["welcome", "consent.onboarding"]
    d.press("cs.yes")
    assert SetProfile(consent=True) in d.last


def test_partner_flow_asks_consent_too(make):
    from bot.core.model import State

    a = make(me=ROBIN, partner=NEW)
    a.start()
    b = make(me=NEW, partner=ROBIN)
    b.state = State(timeout=a.state.timeout)
    b.press("p.start")
    assert b.phase is Phase.CONSENT
    b.press("cs.yes")
    assert b.phase is Phase.BREATHE


ALL_CALM = ["ck.1.0", "ck.2.0", "ck.3.0", "ck.4.0", "ck.5.1"]
MIXED = ["ck.1.1", "ck.2.1", "ck.3.1", "ck.4.0", "ck.5.0"]
EGGSHELLS = ["ck.1.0", "ck.2.0", "ck.3.0", "ck.4.2", "ck.5.0"]


@pytest.mark.parametrize(("answers", "result"), [(ALL_CALM, "check.result.noise"), (MIXED, "check.result.mixed"),
                                                 (EGGSHELLS, "check.result.unsafe")])
def test_the_private_check(d, answers, result):
    d.cmd("check")
    assert d.phase is Phase.CHECK and d.said() == ["check.intro", "check.q1"]
    for a in answers:
        d.press(a)
    assert d.said()[:2] == [result, "check.private"]
    assert d.phase is Phase.IDLE and d.state.session.answers == ()
    assert not d.notices() and not [e for e in d.log if isinstance(e, RecordOutcome)]


def test_check_refuses_an_answer_to_another_question_and_can_stop(d):
    d.cmd("check")
    d.press("ck.3.2")  # not the question being asked
    assert d.said()[0] == "hint.stale" and d.state.session.answers == ()
    d.press("ck.1.2")
    d.press("ck.stop")
    assert d.said()[0] == "check.stopped" and d.phase is Phase.IDLE and d.state.session.answers == ()


def test_unsafe_check_shows_help_for_the_country(make):
    d = make(me=Person(1, "en", country="GB", consented=True))
    d.cmd("check")
    for a in EGGSHELLS:
        d.press(a)
    params = dict(d.replies()[0].msg.params)
    call, where = params["emergency"]
    assert call == Msg.of("emergency.call", dial=Msg.of("dial.one_also", number="999", also="112"))
    assert where == Msg.of("emergency.where", country=Msg.of("country.gb"))
    assert any("gb.samaritans" in m.params[2][1].key for m in params["resources"] if m.params)


@pytest.mark.parametrize(("arg", "country"), [("be", "BE"), ("UK", "GB"), ("us", "US"), ("de", "DE"),
                                             ("Japan", "JP"), ("België", "BE"), ("verenigd koninkrijk", "GB")])
def test_country(d, arg, country):
    d.cmd("land", arg)
    assert SetProfile(country=country) in d.last


def test_country_without_an_argument_offers_buttons(d):
    d.cmd("country")
    assert d.choices() == ["co.NL", "co.BE", "co.SR", "co.GB", "co.US"]
    d.press("co.BE")
    assert SetProfile(country="BE") in d.last


def test_export(d):
    d.cmd("export")
    assert Export() in d.last


def test_forget_asks_once_then_erases_last(make):
    d = make()
    d.couple = Couple(7, ROBIN, Contract(), 1)
    d.start()
    d.cmd("vergeet")
    assert d.said() == ["forget.confirm"] and not [e for e in d.last if isinstance(e, Forget)]
    d.press("fg.no")
    assert d.said()[0] == "forget.kept"
    d.press("fg.yes")
    assert isinstance(d.last[-1], Forget), "nothing may be written after the erase"
    assert Unpair(7) in d.last and CancelNotices(d.state.timeout.id) in d.last
    assert [n.msg.key for n in d.last if isinstance(n, Notify)] == ["unpair.notice"]
    assert d.state.timeout.status is TimeoutStatus.CANCELLED


def test_forget_from_safety_tells_the_partner_only_what_forget_says_everywhere(make):
    d = make()
    d.couple = Couple(7, ROBIN, Contract(), 1)
    d.start()
    d.press("safety")
    assert "fg.ask" in d.choices() and "safety.unpair" in d.choices()
    d.press("fg.ask")
    d.press("fg.yes")
    assert isinstance(d.last[-1], Forget)
    assert [e.msg.key for e in d.last if isinstance(e, Notify)] == ["unpair.notice"]  # the same as from anywhere


def test_safety_screen_lists_helplines_and_the_directory(make):
    d = make(me=Person(1, "nl", country="NL", consented=True))
    d.cmd("veilig")
    params = dict(d.replies()[0].msg.params)
    assert params["emergency"][0] == Msg.of("emergency.call", dial="112")
    keys = [m.key for m in params["resources"]]
    assert keys[-1] == "safety.directory" and keys.count("safety.resource") >= 2
