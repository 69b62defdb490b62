"""Couples in the core: pairing, the contract and its proposals, partner notices, authorization, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import couples
from bot.core.effects import CreateInvite, Decide, JoinFailed, Notify, Pair, Propose, Reply, StartTimer, Unpair
from bot.core.events import TimerKind
from bot.core.model import Contract, Couple, Invite, Person, Phase, Proposal, TimeoutStatus

SAM, ROBIN = Person(1, "en", name="Sam", consented=True), Person(2, "nl", name="Robin", consented=True)


def paired(make, me=SAM, partner=ROBIN, contract=None, proposal=None, version=1):
    d = make(me=me)
    d.couple = Couple(7, partner, contract or Contract(), version, proposal)
    return d


def effects_of(d, kind):
    return [e for e in d.last if isinstance(e, kind)]


# -- codes ---------------------------------------------------------------------------------------------------

def test_codes_are_readable_and_normalised():
    code = couples.new_code(bytes(range(8)))
    assert len(code) == 12 and set(code) <= set(couples.ALPHABET)
    shown = couples.show_code(code)
    assert shown.count("-") == 2
    assert couples.normalise_code(shown.lower()) == code
    assert couples.normalise_code(" " + shown.replace("-", " ") + " ") == code
    assert couples.normalise_code("OOOO-IIII-LLLL") == "000011111111"
    assert couples.normalise_code("short") is None
    assert couples.normalise_code("UUUU-UUUU-UUUU") is None  # U is not in the alphabet


def test_codes_carry_at_least_40_bits():
    assert len(couples.ALPHABET) ** couples.CODE_LEN >= 2**40
    assert len({couples.new_code(i.to_bytes(8, "big")) for i in range(1000)}) == 1000


# -- pairing ------------------------------------------------------------------------------------------------

def test_pair_hands_out_a_code_valid_24h(make):
    d = make(me=SAM)
    d.fresh_code = couples.new_code(b"12345678")
    d.cmd("pair")
    [inv] = effects_of(d, CreateInvite)
    assert inv.code == d.fresh_code and inv.expires_at == d.now + timedelta(hours=24)
    assert d.said() == ["pair.code"]
    assert dict(d.replies()[0].msg.params)["code"] == couples.show_code(inv.code)


def test_pair_when_already_paired(make):
    d = paired(make)
    d.fresh_code = couples.new_code(b"12345678")
    d.cmd("koppel")
    assert d.said() == ["pair.already"] and not effects_of(d, CreateInvite)


def test_join_with_a_good_code_pairs_and_proposes_v1(make):
    d = make(me=ROBIN)
    d.fresh = 4242  # the new couple's id, drawn by the shell
    code = couples.new_code(b"abcdefgh")
    d.invite = Invite(True, owner=1)
    d.cmd("join", couples.show_code(code))
    [pair] = effects_of(d, Pair)
    assert pair.inviter == 1 and pair.code == code and pair.first == Contract() and pair.couple_id == 4242
    assert [(n.to, n.msg.key) for n in effects_of(d, Notify)] == [
        (1, "pair.joined"), (1, "contract.first.inviter"), (1, "screen.ask")]  # the inviter sees it too
    assert d.said() == ["join.ok", "contract.first", "screen.ask"]  # each asked alone, in their own chat
    assert [c.id for c in d.replies()[1].choices] == ["ct.accept.4242.1", "ct.reject.4242.1"]


def test_deep_link_start_joins(make):
    d = make(me=ROBIN)
    d.invite = Invite(True, owner=1)
    d.cmd("start", couples.new_code(b"abcdefgh"))
    assert effects_of(d, Pair)


@pytest.mark.parametrize(
    "invite",
    [None, Invite(False), Invite(True, owner=1, expired=True), Invite(True, owner=1, used=True),
     Invite(True, owner=1, owner_paired=True)],
    ids=["malformed", "unknown", "expired", "used", "owner-paired"],
)
def test_bad_codes_get_one_neutral_answer_and_count(make, invite):
    d = make(me=ROBIN)
    d.invite = invite
    d.cmd("join", "ZZZZ-ZZZZ-ZZZZ" if invite is not None else "nonsense")
    assert d.said() == ["join.bad"] and effects_of(d, JoinFailed) and not effects_of(d, Pair)


def test_own_code(make):
    d = make(me=SAM)
    d.invite = Invite(True, owner=1)
    d.cmd("join", couples.new_code(b"abcdefgh"))
    assert d.said() == ["join.own"] and not effects_of(d, Pair)


def test_join_is_rate_limited(make):
    d = make(me=ROBIN)
    d.invite = Invite(True, owner=1)
    d.join_failures = couples.JOIN_LIMIT
    d.cmd("join", couples.new_code(b"abcdefgh"))
    assert d.said() == ["join.slow_down"] and not effects_of(d, Pair)


def test_join_when_already_paired(make):
    d = paired(make)
    d.invite = Invite(True, owner=3)
    d.cmd("join", couples.new_code(b"abcdefgh"))
    assert d.said() == ["join.already"] and not effects_of(d, Pair)


def test_unpair_tells_the_other_kindly_without_reasons(make):
    d = paired(make)
    d.cmd("unpair")
    assert effects_of(d, Unpair) == [Unpair(7)]
    [n] = effects_of(d, Notify)
    assert n.to == 2 and n.msg.key == "unpair.notice" and n.msg.params == ()


def test_unpair_during_a_timeout_lets_the_break_go_on_alone(make):
    d = paired(make)
    d.start()
    d.cmd("ontkoppel")
    assert d.state.timeout.partner is None and d.state.timeout.status is TimeoutStatus.RUNNING
    assert d.phase is Phase.PAUSE_TENSION


def test_unpair_when_not_paired(make):
    d = make()
    d.cmd("unpair")
    assert d.said() == ["unpair.none"] and not d.notices()


# -- the contract ---------------------------------------------------------------------------------------------

def send(d) -> None:
    """Press the "send" button under the draft as shown (it names that state of the draft)."""
    d.press(next(i for i in d.choices() if i.startswith("ct.send.")))


def test_contract_show_solo_and_paired(make):
    d = make()
    d.cmd("afspraken")
    assert d.said() == ["contract.solo"] and [c.id for c in d.replies()[0].choices] == ["ct.edit", "gd.guide"]
    d = paired(make)
    d.cmd("contract")
    assert d.said() == ["contract.show"] and [c.id for c in d.replies()[0].choices] == ["ct.edit"]


def test_propose_by_subcommand_needs_the_other_to_accept(make):
    d = paired(make)
    d.cmd("contract", "min 30")
    assert d.said() == ["contract.drafted"] and not effects_of(d, Propose) and not effects_of(d, Notify)
    send(d)
    [p] = effects_of(d, Propose)
    assert p.version == 2 and p.contract.min_break == timedelta(minutes=30)
    assert p.contract.default_break == timedelta(minutes=30)  # the usual break moved up with the minimum
    [n] = effects_of(d, Notify)
    assert n.to == 2 and n.msg.key == "contract.proposed"
    assert [c.id for c in n.choices] == ["ct.show"] and n.msg.params == (("name", "Sam"),)  # no contract text
    # the proposer cannot accept their own proposal
    d.couple = Couple(7, ROBIN, Contract(), 1, Proposal(2, 1, p.contract))
    d.press("ct.accept.7.2")
    assert d.said() == ["contract.own_proposal"] and not effects_of(d, Decide)


def test_the_other_accepts_and_rejects(make):
    proposal = Proposal(2, 1, Contract(min_break=timedelta(minutes=30), default_break=timedelta(minutes=30)))
    d = paired(make, me=ROBIN, partner=SAM, proposal=proposal)
    d.press("ct.accept.7.2")
    assert effects_of(d, Decide) == [Decide(7, 2, "accepted")]
    assert [n.msg.key for n in effects_of(d, Notify)] == ["contract.accepted.notice"]
    d.cmd("reject")
    assert effects_of(d, Decide) == [Decide(7, 2, "rejected")]


def test_stale_proposal_button(make):
    d = paired(make, me=ROBIN, partner=SAM, proposal=Proposal(3, 1, Contract()))
    d.press("ct.accept.7.2")
    assert d.said() == ["contract.stale"] and not effects_of(d, Decide)


def test_a_button_of_another_couple_is_stale_even_with_the_same_version(make):
    """Issue 13, finding 5: versions start at 1 for every couple, so a decision button names its couple too.
    An accept button kept from an earlier pairing (couple 7) does nothing to the new couple's (8) proposal."""
    d = make(me=ROBIN)
    d.couple = Couple(8, SAM, Contract(), 0, Proposal(1, 1, Contract()))
    for old in ("ct.accept.7.1", "ct.reject.7.1", "ct.accept.1", "ct.reject.1", "ct.accept.²", "ct.accept.8.1²"):
        d.press(old)
        assert d.said()[0] in ("contract.stale", "hint.stale"), old
        assert not effects_of(d, Decide), old
    d.press("ct.accept.8.1")
    assert effects_of(d, Decide) == [Decide(8, 1, "accepted")]


def test_withdraw_only_own(make):
    d = paired(make, me=ROBIN, partner=SAM, proposal=Proposal(3, 1, Contract()))
    d.cmd("withdraw")
    assert d.said() == ["contract.not_yours"]
    d = paired(make, proposal=Proposal(3, 1, Contract()))
    d.press("ct.withdraw.7.3")
    assert effects_of(d, Decide) == [Decide(7, 3, "withdrawn")]


def test_a_partner_proposal_must_be_answered_first(make):
    d = paired(make, proposal=Proposal(3, 2, Contract()))
    d.cmd("contract", "max 4h")
    assert d.said() == ["contract.theirs_open"] and not effects_of(d, Propose)


@pytest.mark.parametrize(
    ("args", "key"),
    [("min 5", "contract.bad.min_break"), ("min 3h", "contract.bad.min_break"),
     ("max 30 uur", "contract.bad.max_break"),
     ("extensions 9", "contract.bad.extensions"), ("extensions x", "contract.bad.extensions"),
     ("notify misschien", "contract.bad.notify"), ("quiet later", "contract.bad.quiet"),
     ("signal " + "x" * 61, "contract.bad.signal_phrase"), ("min soon", "contract.bad.duration")],
)
def test_bounds_are_enforced_with_a_clear_message(make, args, key):
    d = paired(make)
    d.cmd("contract", args)
    assert d.said() == [key] and not effects_of(d, Propose)


def test_edit_by_buttons(make):
    d = paired(make)
    d.press("ct.edit")
    assert "ct.f.min" in d.choices()
    d.press("ct.f.max")
    assert "ct.v.max.240" in d.choices()
    d.press("ct.v.max.240")
    send(d)
    [p] = effects_of(d, Propose)
    assert p.contract.max_break == timedelta(hours=4)
    d.press("ct.v.max.999")  # forged
    assert d.said()[0] == "hint.stale"


def test_own_sentence_is_checked_for_the_three_parts_but_not_forced(make):
    d = paired(make)
    d.press("ct.f.sentence")
    assert d.phase is Phase.CONTRACT_EDIT
    d.say("Ik moet even weg.")
    missing = [r for r in d.replies() if r.msg.key == "sentence.missing"]
    send(d)
    [p] = effects_of(d, Propose)
    assert p.contract.sentence_of(1) == "Ik moet even weg."
    parts = [m.key for m in dict(missing[0].msg.params)["parts"]]
    assert parts == ["sentence.part.acknowledgement", "sentence.part.return"]
    assert d.phase is Phase.IDLE
    d.cmd("contract", "zin Ik neem even een time-out. Het is geen nee tegen jou. Over een half uur ben ik terug.")
    assert "sentence.complete" in d.said()


def test_signal_phrase_from_the_contract_starts_a_timeout(make):
    d = paired(make, contract=Contract(signal_phrase="Rode vlag"))
    d.say("rode vlag!!")
    assert d.phase is Phase.PAUSE_CHOOSE


def test_contract_buttons_alone_change_own_settings(make):
    d = make()
    d.press("ct.edit")
    assert d.said() == ["contract.pick"] and "ct.f.notify" not in d.choices()  # no partner to notify
    d.press("ct.f.notify")
    assert d.said() == ["contract.solo_notify"]
    d.press("ct.accept.7.1")
    assert d.said() == ["contract.stale"] and not effects_of(d, Decide)
    d.press("ct.send.0123456789")
    assert d.said() == ["contract.not_paired"] and not effects_of(d, Propose)


# -- the partner's side and the return together -------------------------------------------------------------

def test_notice_carries_the_initiators_own_sentence(make):
    c = Contract(sentences=((1, "Ik ben even weg, ik hou van je, om tien uur ben ik terug."),))
    d = paired(make, contract=c)
    d.start()
    [n] = d.notices()
    assert dict(n.msg.params)["sentence"] == c.sentence_of(1)


@pytest.mark.parametrize("action", ["extend", "ready", "cancel"])
def test_initiator_actions_are_told_to_the_partner(make, action):
    d = paired(make)
    d.to_waiting()
    before = len(d.notices())
    if action == "ready":
        d.now += timedelta(minutes=25)
        d.cmd("ready")
        key = "notice.ready_early"
    elif action == "extend":
        d.cmd("extend")
        key = "notice.extended"
    else:
        d.cmd("cancel")
        d.press("w.cancel.yes")
        key = "notice.cancelled"
    assert [n.msg.key for n in d.notices()[before:]] == [key]
    params = dict(d.notices()[-1].msg.params)
    assert set(params) <= {"name", "time"}


def test_early_ready_brings_the_partners_return_forward(make):
    d = paired(make)
    d.to_waiting()
    d.now += timedelta(minutes=25)
    d.cmd("ready")
    moved = [e for e in d.last if isinstance(e, StartTimer) and e.user == 2 and e.kind is TimerKind.RETURN]
    assert moved and moved[0].at == d.now
    assert d.said() == ["return.card", "return.wait_partner"]


def test_partner_notices_are_rate_limited(make):
    d = paired(make)
    sent = 0
    for _ in range(couples.NOTICE_LIMIT + 2):
        d.cmd("contract", "min 30")
        send(d)
        sent += len(effects_of(d, Notify))
    assert sent <= couples.NOTICE_LIMIT
    assert any(isinstance(e, Reply) and e.msg.key == "notices.limited" for e in d.log)
    d.now += timedelta(hours=1, minutes=1)
    d.cmd("contract", "min 30")
    send(d)
    assert effects_of(d, Notify)


def evolve_ready(t, user, ready=False):
    from bot.core.model import evolve

    return evolve(t, ready=t.ready | {user}) if ready else t


def timer(t, user):
    from bot.core.events import TimerFired

    return TimerFired(TimerKind.RETURN, t.id, t.return_at)


@pytest.mark.parametrize("text", ["Kijk op www.example.com", "zie https://x.y", "vraag @robin_bot", "t.me/foo",
                                  "ga naar evil.nl"])
def test_texts_for_the_partner_hold_no_links_or_mentions(make, text):
    d = paired(make)
    d.cmd("contract", f"zin {text}")
    assert d.said() == ["contract.bad.link"] and not effects_of(d, Propose)
    assert couples.without_links(f"Sam {text}").startswith("Sam")
    assert not couples.has_link(couples.without_links(f"Sam {text}"))
