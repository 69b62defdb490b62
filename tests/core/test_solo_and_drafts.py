"""Issue 15, points 1 and 2, as event lists through the real step of both people (the Two driver).

1. Alone: an honest message for the partner, on its own and ready to forward, put in one's own words once;
   one's own settings without pairing, which become the first proposal when pairing; the calm-time guide.
2. The contract as a draft: changes collected in one draft, a proposal that shows each change, Accept/Reject on
   the proposal itself, /contract showing the active version and the open proposal apart, the first contract
   seen by both, version numbers one up per accepted change set, and stale buttons that say so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core import drafts
from bot.core.effects import Msg, Pair, Propose
from bot.core.model import Contract, Phase
from bot.i18n import Renderer

from .conftest import T0, Two, msg_keys

SAM, ROBIN = 1, 2
MIN = timedelta(minutes=1)


def text(msg: Msg, locale: str = "en", now: datetime = T0) -> str:
    return Renderer(locale, "Europe/Amsterdam", now).text(msg)


def last(two: Two, uid: int, key: str) -> tuple[Msg, tuple[str, ...]]:
    """The newest message `uid` got with this key, and its buttons."""
    return next((m, ids) for _, m, ids in reversed(two.inbox[uid]) if m.key == key)


def send(two: Two, uid: int) -> None:
    """Press the "send" button under `uid`'s draft as last shown (it names that state of the draft)."""
    two.press(uid, next(i for i in two.choices(uid) if i.startswith("ct.send.")))


def alone() -> Two:
    return Two(paired=False)


# -- 1. alone: the message for one's partner --------------------------------------------------------------------

def test_alone_the_message_says_what_is_true_and_comes_on_its_own():
    two = alone()
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    assert two.keys(SAM)[:2] == ["start.solo", "notice.solo"]
    msg, ids = last(two, SAM, "notice.solo")
    assert ids == ("link.share", "sn.edit")  # its own message: a share button, and "in my own words"
    assert text(msg) == "I need a break. This is not a no to you; I'll be back at 21:40 to talk."
    nl = text(msg, "nl")
    assert "21:40" in nl and "geen nee" in nl
    for locale in ("en", "nl"):  # no agreement is claimed that does not exist
        said = text(msg, locale).lower()
        assert "agreed" not in said and "afgesproken" not in said and "afspraak" not in said
    assert two.phase(SAM) is Phase.PAUSE_TENSION  # and the calming steps go on


def test_late_at_night_the_message_names_tomorrow_plainly():
    two = Two(paired=False, now=datetime(2026, 11, 20, 22, 30, tzinfo=UTC))  # 23:30 in Amsterdam
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.morning")
    msg, _ = last(two, SAM, "notice.solo_later")
    assert text(msg, now=two.now) == "I need a break. This is not a no to you; I'll be back tomorrow 09:00 to talk."


def test_the_message_can_be_put_in_own_words_once_and_the_words_are_not_kept():
    two = alone()
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    two.press(SAM, "sn.edit")
    assert two.phase(SAM) is Phase.NOTICE_EDIT and two.keys(SAM) == ["solo.edit_ask"]
    words = "Ik ben te boos om nu te praten. Ik loop even een rondje, om 21:40 ben ik terug."
    two.say(SAM, words)
    assert two.keys(SAM)[:2] == ["solo.edit_ready", "notice.own_words"]
    msg, ids = last(two, SAM, "notice.own_words")
    assert text(msg) == words and ids == ("link.share",)  # ready to forward, and no second edit
    assert two.phase(SAM) is Phase.PAUSE_TENSION  # back where they were
    assert words not in repr(two.sessions[SAM]) and words not in repr(two.timeout())  # not kept anywhere
    two.press(SAM, "sn.edit")  # the first message's button again
    assert two.keys(SAM)[0] == "solo.edit_once" and two.phase(SAM) is Phase.PAUSE_TENSION


def test_own_words_without_a_time_get_a_tip_and_a_link_is_refused():
    two = alone()
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    two.press(SAM, "sn.edit")
    two.say(SAM, "kijk op evil.example.com")
    assert two.keys(SAM) == ["contract.bad.link"] and two.phase(SAM) is Phase.NOTICE_EDIT
    two.say(SAM, "x" * 400)
    assert two.keys(SAM) == ["solo.edit_long"] and two.phase(SAM) is Phase.NOTICE_EDIT
    two.say(SAM, "Ik heb even rust nodig.")
    assert "solo.edit_add_time" in two.keys(SAM)


def test_not_now_keeps_the_message_and_the_edit_for_later():
    two = alone()
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    two.press(SAM, "sn.edit")
    two.press(SAM, "go.cancel")
    assert two.keys(SAM)[0] == "solo.edit_kept" and two.phase(SAM) is Phase.PAUSE_TENSION
    two.press(SAM, "sn.edit")
    assert two.phase(SAM) is Phase.NOTICE_EDIT


def test_after_the_break_the_edit_button_says_it_is_over():
    two = alone()
    two.take(SAM)
    two.wait(timedelta(hours=2))
    two.press(SAM, "sn.edit")
    assert two.keys(SAM)[0] == "solo.edit_over"


def test_a_danger_signal_while_rewording_goes_to_safety():
    two = alone()
    two.cmd(SAM, "timeout")
    two.press(SAM, "ret.m30")
    two.press(SAM, "sn.edit")
    two.say(SAM, "hij sloeg me")
    assert two.phase(SAM) is Phase.SAFETY


def test_alone_typed_text_during_the_break_is_not_a_message_for_a_partner():
    two = alone()
    two.take(SAM)
    assert two.phase(SAM) is Phase.WAITING
    two.say(SAM, "waarom doet ze dit nou")
    assert two.keys(SAM) == ["waiting.solo_keep_ask"]
    two.cmd(SAM, "cancel")
    two.press(SAM, "w.cancel.yes")
    two.say(SAM, "ik snap het niet")  # outside any flow: a hint, never "shall I pass it on"
    assert two.keys(SAM)[0] == "idle.hint"
    assert not [e for e in two.effects if type(e).__name__ == "Notify"]  # nothing to anyone, ever


# -- 1. alone: own settings -------------------------------------------------------------------------------------

def test_own_settings_work_without_pairing_and_hold_for_the_break():
    two = alone()
    two.cmd(SAM, "afspraken", "min 45")
    assert two.keys(SAM) == ["contract.saved_own"]
    msg, ids = last(two, SAM, "contract.saved_own")
    assert "Shortest break: 20 min → 45 min" in text(msg) and "Usual break: 30 min → 45 min" in text(msg)
    assert "gd.guide" in ids
    two.cmd(SAM, "contract", "zin Ik stop even, het is geen nee tegen jou, straks praten we verder.")
    two.cmd(SAM, "contract", "quiet 22-08")
    two.cmd(SAM, "timeout")
    offered = two.choices(SAM)
    assert "ret.m20" not in offered and "ret.m45" in offered  # the own minimum holds
    two.press(SAM, "ret.m45")
    msg, _ = last(two, SAM, "notice.solo_own")
    assert text(msg) == "Ik stop even, het is geen nee tegen jou, straks praten we verder.\n(I'll be back at 21:55.)"
    two.cmd(SAM, "contract")
    shown = text(last(two, SAM, "contract.solo")[0])
    assert "at least 45 min" in shown and "22:00–08:00" in shown and "notice" not in shown.lower()


def test_own_settings_are_checked_like_the_contract_and_notify_is_for_couples():
    two = alone()
    two.cmd(SAM, "contract", "min 5")
    assert two.keys(SAM) == ["contract.bad.min_break"] and two.sessions[SAM].settings == ()
    two.cmd(SAM, "contract", "notify no")
    assert two.keys(SAM) == ["contract.solo_notify"]
    two.press(SAM, "ct.f.min")
    two.press(SAM, "ct.v.min.30")
    assert drafts.personal(two.sessions[SAM].settings, SAM).min_break == 30 * MIN
    two.cmd(SAM, "contract", "min 20")  # back to the standard: nothing of its own is kept
    assert two.sessions[SAM].settings == ()


def test_own_settings_of_both_become_the_first_proposal_and_both_see_it():
    two = alone()
    two.cmd(SAM, "contract", "min 45")
    two.cmd(SAM, "contract", "zin Ik neem even afstand, het is geen nee, over een uur ben ik terug.")
    two.cmd(ROBIN, "contract", "min 15")  # both set it: the inviter's holds
    two.cmd(ROBIN, "contract", "quiet 22-07")
    two.cmd(SAM, "pair")
    two.cmd(ROBIN, "join", two.code_of(SAM))
    [pair] = [e for e in two.effects if isinstance(e, Pair)]
    first = pair.first
    assert first.min_break == 45 * MIN and (first.quiet_start, first.quiet_end) == (22 * 60, 7 * 60)
    assert first.sentence_of(SAM).startswith("Ik neem even afstand")
    # Robin, who joined, decides on it; Sam, who invited, sees it too (issue 15: not only "Robin accepts")
    msg, ids = last(two, ROBIN, "contract.first")
    assert ids == ("ct.accept.8.1", "ct.reject.8.1")
    assert "Kortste time-out: 20 min → 45 min" in text(msg, "nl")
    seen, _ = last(two, SAM, "contract.first.inviter")
    assert "at least 45 min" in text(seen) and "Ik neem even afstand" in text(seen)
    two.press(ROBIN, "ct.accept.8.1")
    assert two.number == 1 and two.contract == first
    accepted, _ = last(two, SAM, "contract.accepted.notice")
    assert "(version 1)" in text(accepted)
    # paired, the couple's contract holds, not one's own settings
    two.cmd(ROBIN, "timeout")
    assert "ret.m15" not in two.choices(ROBIN) and "ret.m45" in two.choices(ROBIN)


def test_the_calm_time_guide_and_a_ready_invitation():
    two = alone()
    two.cmd(SAM, "contract")
    two.press(SAM, "gd.guide")
    msg, ids = last(two, SAM, "guide.talk")
    said = text(msg)
    assert "too angry to talk" in said and "until the time we name" in said and ids == ("gd.invite",)
    two.press(SAM, "gd.invite")
    assert two.keys(SAM) == ["guide.invite.intro", "guide.invite", "guide.invite.next"]
    invitation, ids = last(two, SAM, "guide.invite")
    assert ids == ("link.share",) and "try it with me" in text(invitation)
    two.press(SAM, "gd.pair")
    assert two.keys(SAM) == ["pair.code"] and two.invites


# -- 2. the contract as a draft ------------------------------------------------------------------------------------

def test_changes_collect_in_one_draft_and_go_as_one_proposal():
    two = Two()
    two.cmd(SAM, "contract", "min 45")
    two.press(SAM, "ct.f.extensions")
    two.press(SAM, "ct.v.extensions.2")
    assert not [e for e in two.effects if isinstance(e, Propose)] and two.inbox[ROBIN] == []  # nothing sent yet
    msg, ids = last(two, SAM, "contract.drafted")
    assert ids[0].startswith("ct.send.") and ids[1] == "ct.edit" and ids[2].startswith("ct.discard.")
    assert "Shortest break: 20 min → 45 min" in text(msg) and "Extra time, how often: 1 → 2" in text(msg)
    send(two, SAM)
    [p] = [e for e in two.effects if isinstance(e, Propose)]
    assert p.contract.min_break == 45 * MIN and p.contract.extensions == 2
    assert two.keys(ROBIN) == ["contract.proposed"] and two.sessions[SAM].draft == ()
    # Robin opens it: each change in words, and Accept/Reject on the proposal itself
    two.press(ROBIN, "ct.show")
    msg, ids = last(two, ROBIN, "contract.proposal.theirs")
    assert ids == (f"ct.accept.7.{p.version}", f"ct.reject.7.{p.version}")
    assert "Kortste time-out: 20 min → 45 min" in text(msg, "nl") and "1 → 2" in text(msg, "nl")
    two.press(ROBIN, ids[0])
    assert two.contract == p.contract and two.number == 2  # one up, for two changed fields


def test_contract_shows_the_active_version_and_the_open_proposal_apart():
    two = Two()
    two.cmd(SAM, "contract", "max 4h")
    send(two, SAM)
    two.cmd(ROBIN, "contract")
    assert two.keys(ROBIN) == ["contract.show", "contract.proposal.theirs"]
    active, ids = two.last[ROBIN][0][1], two.last[ROBIN][0][2]
    assert ids == ("ct.edit",) and "versie 1" in text(active, "nl") and "24 uur" in text(active, "nl")
    _, decide = two.last[ROBIN][1][1], two.last[ROBIN][1][2]
    assert decide == (f"ct.accept.7.{two.proposal.version}", f"ct.reject.7.{two.proposal.version}")
    two.cmd(SAM, "contract", "min 30")  # the author's next draft, beside the sent proposal
    two.cmd(SAM, "contract")
    assert two.keys(SAM) == ["contract.show", "contract.proposal.mine", "contract.draft"]
    assert two.last[SAM][1][2] == (f"ct.withdraw.7.{two.proposal.version}",)
    draft = text(two.last[SAM][2][1])
    assert "Longest break: 24 h → 4 h" in draft and "Shortest break: 20 min → 30 min" in draft


def test_version_numbers_count_one_up_per_accepted_change_set():
    two = Two()
    numbers = [two.number]
    for change in ("min 30", "extensions 2", "quiet 22-07"):
        two.cmd(SAM, "contract", change)
        send(two, SAM)
        two.cmd(ROBIN, "reject")  # a rejected set counts for nothing
        two.cmd(SAM, "contract", change)
        send(two, SAM)
        two.cmd(ROBIN, "accept")
        numbers.append(two.number)
        assert f"(version {two.number})" in text(last(two, SAM, "contract.accepted.notice")[0])
    assert numbers == [1, 2, 3, 4]
    two.cmd(SAM, "contract")
    assert "(version 4)" in text(two.last[SAM][0][1])


def test_a_stale_button_says_so_and_decides_nothing():
    two = Two()
    two.cmd(SAM, "contract", "min 30")
    send(two, SAM)
    two.press(ROBIN, "ct.show")
    _, old = last(two, ROBIN, "contract.proposal.theirs")
    two.cmd(SAM, "contract", "max 2h")  # Sam adds to it and sends again: a new proposal
    send(two, SAM)
    two.press(ROBIN, old[0])
    assert two.keys(ROBIN) == ["contract.stale"] and two.number == 1
    two.press(ROBIN, "ct.show")
    _, new = last(two, ROBIN, "contract.proposal.theirs")
    assert new != old
    two.press(ROBIN, new[0])
    assert two.number == 2 and two.contract.max_break == timedelta(hours=2) and two.contract.min_break == 30 * MIN
    two.press(ROBIN, new[0])  # the same button once more, after it was used
    assert two.keys(ROBIN) == ["contract.stale"] and two.number == 2
    two.press(SAM, "ct.send.0123456789")  # nothing drafted
    assert two.keys(SAM) == ["contract.no_draft"]


def test_an_old_send_button_of_a_changed_draft_says_so_and_sends_nothing():
    two = Two()
    two.cmd(SAM, "contract", "min 30")
    old = two.choices(SAM)[0]
    two.cmd(SAM, "contract", "max 2h")
    two.press(SAM, old)
    assert two.keys(SAM) == ["contract.draft_stale", "contract.draft"] and two.proposal is None
    send(two, SAM)
    assert two.proposal is not None and two.proposal.contract.max_break == timedelta(hours=2)


def test_a_draft_keeps_only_its_own_fields_when_the_other_change_is_accepted_first():
    two = Two()
    two.cmd(SAM, "contract", "quiet 22-07")  # Sam's draft, not sent
    two.cmd(ROBIN, "contract", "extensions 3")
    send(two, ROBIN)
    two.cmd(SAM, "accept")
    assert two.contract.extensions == 3
    two.cmd(SAM, "contract")  # the draft is still there, over the new contract
    assert two.keys(SAM)[-1] == "contract.draft"
    send(two, SAM)
    two.cmd(ROBIN, "accept")
    assert two.contract.extensions == 3 and two.contract.quiet_start == 22 * 60 and two.number == 3


def test_a_draft_cannot_be_sent_over_the_partners_open_proposal_and_can_be_thrown_away():
    two = Two()
    two.cmd(ROBIN, "contract", "min 30")
    send(two, ROBIN)
    two.cmd(SAM, "contract", "max 2h")
    assert two.keys(SAM) == ["contract.theirs_open"]
    two.cmd(ROBIN, "contract", "min 30")  # the same as her open proposal: the draft stays empty
    assert two.keys(ROBIN) == ["contract.draft_empty"]
    two.cmd(ROBIN, "contract", "max 2h")
    two.press(ROBIN, next(i for i in two.choices(ROBIN) if i.startswith("ct.discard.")))
    assert two.keys(ROBIN) == ["contract.draft_discarded"] and two.sessions[ROBIN].draft == ()


def test_the_proposal_shows_sentences_as_whose_they_are():
    two = Two(contract=Contract())
    two.cmd(SAM, "contract", "zin Ik neem even pauze, het is geen nee, om tien uur ben ik terug.")
    send(two, SAM)
    two.press(ROBIN, "ct.show")
    msg, _ = last(two, ROBIN, "contract.proposal.theirs")
    assert "contract.change.their_sentence" in msg_keys(msg) and "contract.change.my_sentence" not in msg_keys(msg)
