"""Couples, calmly: pairing, the contract and its proposals. Commands and `ct.*` buttons, any phase outside SAFETY."""

from __future__ import annotations

from datetime import timedelta

from .. import contract, couples, drafts
from ..effects import CancelNotices, Choice, CreateInvite, Decide, JoinFailed, Msg, Notify, Pair, Propose, Reply, Unpair
from ..model import Contract, Phase, evolve
from . import couple
from .build import B, c, dur, enter, in_steps, prompt


def decide_choices(couple_id: int, version: int) -> tuple[Choice, ...]:
    return (_decision("accept", couple_id, version), _decision("reject", couple_id, version))


def cmd_pair(b: B, arg: str) -> None:
    couple = b.ctx.couple
    if couple is not None:
        b.say("pair.already", name=couple.partner.name or "")
        return
    code = couples.normalise_code(b.ctx.fresh_code)
    if code is None:  # the shell draws the code; without one there is nothing to hand out
        b.say("pair.unavailable")
        return
    b.fx.append(CreateInvite(code, b.now + couples.INVITE_TTL))
    b.set(draft=())  # a draft left from an earlier couple has nothing to change in the next one
    # On Telegram the adapter turns this into a deep link t.me/<bot>?start=CODE; other platforms skip it.
    b.say("pair.code", (c(f"link.start.{code}", "choice.pair.link"),), code=couples.show_code(code),
          until=b.now + couples.INVITE_TTL)


def cmd_join(b: B, arg: str) -> None:
    if b.ctx.couple is not None:
        b.say("join.already", name=b.ctx.couple.partner.name or "")
        return
    if not arg.strip():
        b.say("join.how")
        return
    if b.ctx.join_failures >= couples.JOIN_LIMIT:
        b.say("join.slow_down")
        return
    inv = b.ctx.invite
    code = couples.normalise_code(arg)
    if inv is not None and inv.found and inv.owner == b.me:
        b.say("join.own")
        return
    if code is None or inv is None or not inv.found or inv.expired or inv.used or inv.owner_paired \
            or inv.owner is None:
        b.fx.append(JoinFailed())
        b.say("join.bad")  # one answer for every bad code: it tells nothing about which codes exist
        return
    # Both people's own settings (made while alone) are the first proposal; the joiner accepts or rejects it.
    first = drafts.first_contract(inv.settings, inv.owner, b.s.settings, b.me)
    b.fx.append(Pair(inv.owner, code, first, b.ctx.fresh))
    b.set(draft=())
    own = drafts.changes(contract.DEFAULT, first, b.me, inv.owner)
    b.notify(inv.owner, "pair.joined")
    # The inviter sees the first contract too: what their partner is asked to accept.
    b.notify(inv.owner, "contract.first.inviter", lines=contract_lines(first, inv.owner, b.me),
             changes=_changes_msg(drafts.changes(contract.DEFAULT, first, inv.owner, b.me)))
    b.say("join.ok")
    b.say("contract.first", decide_choices(b.ctx.fresh, 1), lines=contract_lines(first, b.me, inv.owner),
          changes=_changes_msg(own))
    from .screening import QUESTION, ask_partner

    b.say("screen.ask", QUESTION)  # each of the two, alone: never shown to the other
    ask_partner(b, inv.owner)


def _changes_msg(lines: tuple[Msg, ...]) -> Msg:
    """"Changed from the standard:" and the lines, or nothing when there are none."""
    return Msg.of("contract.from_own", lines=lines) if lines else Msg.of("contract.no_own")


def contract_lines(k: Contract, me: int, partner: int | None) -> tuple[Msg, ...]:
    """The contract in plain words, one line a field."""
    lines = [
        Msg.of("contract.line.breaks", min=dur(k.min_break), default=dur(k.default_break), max=dur(k.max_break)),
        Msg.of("contract.line.extensions", n=k.extensions, dur=dur(k.extension)) if k.extensions
        else Msg.of("contract.line.no_extensions"),
    ]
    if partner is not None:
        lines.append(Msg.of("contract.line.notify_yes" if k.notify_partner else "contract.line.notify_no"))
    if partner is None:  # alone: one's own signal, not "ours"
        lines.append(Msg.of("contract.line.own_signal", text=k.signal_phrase) if k.signal_phrase
                     else Msg.of("contract.line.own_signal_default"))
    else:
        lines.append(Msg.of("contract.line.signal", text=k.signal_phrase) if k.signal_phrase
                     else Msg.of("contract.line.signal_default"))
    mine, theirs = k.sentence_of(me), (k.sentence_of(partner) if partner is not None else "")
    lines.append(Msg.of("contract.line.my_sentence", text=mine) if mine else Msg.of("contract.line.no_sentence"))
    if theirs:
        lines.append(Msg.of("contract.line.their_sentence", text=theirs))
    if k.rules:
        lines.append(Msg.of("contract.line.rules",
                            rules=tuple(Msg.of(f"contract.rule.{r}") for r in couples.RULES if r in k.rules)))
    quiet = couples.quiet_text(k)
    lines.append(Msg.of("contract.line.quiet", hours=quiet) if quiet else Msg.of("contract.line.no_quiet"))
    return tuple(lines)


GUIDE = c("gd.guide", "choice.guide")
EDIT = c("ct.edit", "choice.contract.edit")


def cmd_contract(b: B, arg: str) -> None:
    couple = b.ctx.couple
    words = arg.split(maxsplit=1)
    if words:
        field = couples.field_of(words[0])
        if field is None or len(words) < 2:
            b.say("contract.usage")
            return
        _change(b, field, words[1])
        return
    if couple is None:
        b.say("contract.solo", (EDIT, GUIDE), lines=contract_lines(b.ctx.contract, b.me, None))
        return
    b.say("contract.show", (EDIT,), version=couple.number,
          lines=contract_lines(couple.contract, b.me, couple.partner.id))
    _show_open(b)


def _show_open(b: B) -> None:
    """The open proposal (with its buttons on it) and this person's unsent draft, each as its own message."""
    couple = b.ctx.couple
    assert couple is not None
    p, partner = couple.proposal, couple.partner.id
    if p is not None:
        diff = drafts.changes(couple.contract, p.contract, b.me, partner)
        if p.by == b.me:
            b.say("contract.proposal.mine", (_decision("withdraw", couple.id, p.version),),
                  name=couple.partner.name or "", lines=diff or (Msg.of("contract.nothing"),))
        else:
            b.say("contract.proposal.theirs", decide_choices(couple.id, p.version), name=couple.partner.name or "",
                  lines=diff or (Msg.of("contract.nothing"),))
    if b.s.draft:
        _say_draft(b, False)


def _decision(verb: str, couple_id: int, version: int) -> Choice:
    return c(couples.decision_id(verb, couple_id, version), f"choice.contract.{verb}")


def _base(b: B) -> Contract:
    """What a draft changes: this person's own open proposal, else the active contract."""
    couple = b.ctx.couple
    assert couple is not None
    p = couple.proposal
    return p.contract if p is not None and p.by == b.me else couple.contract


def _say_draft(b: B, just_changed: bool) -> None:
    couple = b.ctx.couple
    assert couple is not None
    drafted = drafts.apply(_base(b), b.s.draft, b.me)
    diff = drafts.changes(couple.contract, drafted, b.me, couple.partner.id)
    fp = drafts.fingerprint(b.s.draft)  # the buttons name this state of the draft
    b.say("contract.drafted" if just_changed else "contract.draft",
          (c(f"ct.send.{fp}", "choice.contract.send", name=couple.partner.name or ""), EDIT,
           c(f"ct.discard.{fp}", "choice.contract.discard")), lines=diff or (Msg.of("contract.nothing"),))


def _change(b: B, field: str, value: str) -> None:
    """One field changed: alone, in one's own settings at once; in a couple, in one's draft (sent later)."""
    couple = b.ctx.couple
    if couple is None:
        _change_own(b, field, value)
        return
    p = couple.proposal
    if p is not None and p.by != b.me:
        b.say("contract.theirs_open", decide_choices(couple.id, p.version), name=couple.partner.name or "")
        return
    base = _base(b)
    result = couples.change(drafts.apply(base, b.s.draft, b.me), field, value, b.me)
    if isinstance(result, str):
        _refuse(b, result, field)
        return
    b.set(draft=drafts.overrides(base, result, b.me))
    _sentence_hint(b, field, value)
    if not b.s.draft:
        b.say("contract.draft_empty")
        return
    _say_draft(b, True)


def _change_own(b: B, field: str, value: str) -> None:
    if field not in drafts.PERSONAL:
        b.say("contract.solo_notify")
        return
    old = b.ctx.contract
    result = couples.change(old, field, value, b.me)
    if isinstance(result, str):
        _refuse(b, result, field)
        return
    b.set(settings=drafts.overrides(contract.DEFAULT, result, b.me, drafts.PERSONAL))
    _sentence_hint(b, field, value)
    diff = drafts.changes(old, drafts.personal(b.s.settings, b.me), b.me, None)
    b.say("contract.saved_own", (EDIT, GUIDE), lines=diff or (Msg.of("contract.nothing"),))


def _refuse(b: B, key: str, field: str) -> None:
    lo, hi = contract.MIN_BREAK_BOUNDS
    b.say(key, lo=dur(lo), hi=dur(hi), max=dur(contract.MAX_BREAK_CEILING),
          n=contract.MAX_EXTENSIONS, chars=contract.SENTENCE_MAX if field == "sentence" else contract.SIGNAL_MAX)


def _sentence_hint(b: B, field: str, value: str) -> None:
    if field != "sentence":
        return
    missing = couples.sentence_missing(value)
    if missing:
        b.say("sentence.missing", parts=tuple(Msg.of(f"sentence.part.{m}") for m in missing))
    else:
        b.say("sentence.complete")


def _send(b: B) -> None:
    """The draft goes to the partner as one proposal (replacing this person's own open one)."""
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.not_paired")
        return
    if not b.s.draft:
        b.say("contract.no_draft")
        return
    p = couple.proposal
    if p is not None and p.by != b.me:
        b.say("contract.theirs_open", decide_choices(couple.id, p.version), name=couple.partner.name or "")
        return
    result = drafts.apply(_base(b), b.s.draft, b.me)
    b.set(draft=())
    if not drafts.changes(couple.contract, result, b.me, couple.partner.id):
        b.say("contract.draft_empty")
        return
    version = couples.next_version(couple.version, p.version if p else None, couple.last_version)
    b.fx.append(Propose(couple.id, version, result))
    # Only that there is a proposal: its text (a sentence of up to 280 characters) is shown when they ask.
    b.notify(couple.partner.id, "contract.proposed", (c("ct.show", "choice.contract.show"),))
    b.say("contract.sent", (_decision("withdraw", couple.id, version),), name=couple.partner.name or "")


def _decide(b: B, decision: str, version: int | None, couple_id: int | None = None) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.stale" if version is not None else "contract.not_paired")
        return
    p = couple.proposal
    if (version is not None and (p is None or version != p.version)) \
            or (couple_id is not None and couple_id != couple.id):
        b.say("contract.stale")
        return
    if p is None:
        b.say("contract.no_proposal")
        return
    if decision == "withdrawn" and p.by != b.me:
        b.say("contract.not_yours")
        return
    if decision != "withdrawn" and p.by == b.me:
        b.say("contract.own_proposal", name=couple.partner.name or "")
        return
    b.fx.append(Decide(couple.id, p.version, decision))
    n = couple.number + 1
    b.notify(couple.partner.id, f"contract.{decision}.notice", version=n)
    b.say(f"contract.{decision}", version=n)


def on_contract_choice(b: B, cid: str) -> None:
    parts = cid.split(".")
    decided = couples.read_decision(cid)  # names the couple and the version: an old couple's button is stale
    if decided is not None:
        _decide(b, decided[0], decided[2], decided[1])
    elif cid == "ct.show":
        if b.ctx.couple is None:
            cmd_contract(b, "")
            return
        if b.ctx.couple.proposal is None and not b.s.draft:
            b.say("contract.no_proposal")
        _show_open(b)
    elif cid == "ct.edit":
        fields = couples.FIELDS if b.ctx.couple is not None else drafts.PERSONAL
        b.say("contract.pick", tuple(c(f"ct.f.{f}", f"contract.field.{f}") for f in fields))
    elif len(parts) == 3 and parts[1] in ("send", "discard"):
        if not b.s.draft:
            b.say("contract.not_paired" if b.ctx.couple is None else "contract.no_draft")
        elif parts[2] != drafts.fingerprint(b.s.draft):  # the draft changed since this button was shown
            b.say("contract.draft_stale")
            if b.ctx.couple is not None:
                _say_draft(b, False)
        elif parts[1] == "send":
            _send(b)
        else:
            b.say("contract.draft_discarded")
            b.set(draft=())
    elif len(parts) == 3 and parts[1] == "f" and parts[2] in couples.FIELDS:
        field = parts[2]
        if b.ctx.couple is None and field not in drafts.PERSONAL:
            b.say("contract.solo_notify")
        elif field in couples.TEXT_FIELDS:
            resume = b.s.phase if b.s.phase is not Phase.CONTRACT_EDIT else b.s.resume
            enter(b, Phase.CONTRACT_EDIT, editing=field, resume=resume)
        else:
            values = couples.VALUES[field]
            b.say(f"contract.ask.{field}",
                  tuple(c(f"ct.v.{field}.{v}", _value_label(field, v), **_value_params(field, v)) for v in values))
    elif len(parts) >= 4 and parts[1] == "v" and parts[2] in couples.VALUES \
            and ".".join(parts[3:]) in couples.VALUES[parts[2]]:
        field, value = parts[2], ".".join(parts[3:])
        _change(b, field, value if field not in ("min", "default", "max") else f"{value} min")
    else:
        b.say("hint.stale")
        prompt(b)


def _value_label(field: str, value: str) -> str:
    if field in ("min", "default", "max"):
        return "contract.value.duration"
    if field == "rules":
        return f"contract.rule.{value}"
    if field in ("notify", "quiet") and value in ("yes", "no", "off"):
        return f"contract.value.{value}"
    return "contract.value.plain"


def _value_params(field: str, value: str) -> dict[str, str | int | Msg]:
    if field in ("min", "default", "max"):
        return {"dur": dur(timedelta(minutes=int(value)))}
    if _value_label(field, value) == "contract.value.plain":
        return {"text": value}
    return {}


def p_contract_edit(b: B) -> None:
    b.say(f"contract.type.{b.s.editing or 'signal'}", (c("go.cancel", "choice.not_now"),))


def on_contract_edit_text(b: B, text: str) -> bool:
    field = b.s.editing or "signal"
    resume = b.s.resume or Phase.IDLE
    b.set(editing=None, resume=None)
    b.go(resume)
    _change(b, field, text[:contract.SENTENCE_MAX + 1])
    return True


def on_contract_edit_choice(b: B, cid: str) -> bool:
    if cid != "go.cancel":
        return False
    resume = b.s.resume or Phase.IDLE
    b.say("contract.edit_cancelled")
    enter(b, resume, editing=None, resume=None)
    return True


def cmd_accept(b: B, arg: str) -> None:
    _decide(b, "accepted", None)


def cmd_reject(b: B, arg: str) -> None:
    _decide(b, "rejected", None)


def cmd_withdraw(b: B, arg: str) -> None:
    _decide(b, "withdrawn", None)


def on_guide_choice(b: B, cid: str) -> None:
    """The calm-time guide: how to bring time-outs up with one's partner, and an invitation ready to send."""
    from .solo import SHARE

    if cid == "gd.invite":
        b.say("guide.invite.intro")
        b.say("guide.invite", (SHARE,))
        b.say("guide.invite.next", (c("gd.pair", "choice.guide.pair"),) if b.ctx.couple is None else ())
    elif cid == "gd.pair":
        cmd_pair(b, "")
    else:
        b.say("guide.talk", (c("gd.invite", "choice.guide.invite"),))


def cmd_patterns(b: B, arg: str) -> None:
    from .. import patterns

    paired, tz = b.ctx.couple is not None, b.ctx.me.tz
    history = b.ctx.history
    b.fx.append(Reply(patterns.summary(history, b.now, paired, tz), chart=patterns.chart(history, b.now, paired, tz)))


def cmd_unpair(b: B, arg: str) -> None:
    """Ends the pairing at once. A running time-out goes on for the one who stays, or ends for the one leaving.

    The same from every phase (the safety screen included): the other gets the same neutral notice.
    """
    cp = b.ctx.couple
    if cp is None:
        b.say("unpair.none")
        return
    b.fx.append(Unpair(cp.id))
    b.set(draft=())
    t = b.my_timeout()
    if t is not None and t.partner is not None:
        other = cp.partner.id
        couple.disarm(b, t, (other,), *couple.RETURN_KINDS)
        b.fx.append(CancelNotices(t.id))
        left = evolve(t, partner=None, partner_until=None, partner_started=None, ready=t.ready - {t.partner},
                      hushed=frozenset())
        if t.initiator == b.me:
            b.t = left
            couple.schedule(b, left)
        else:
            b.t = left
            couple.disarm(b, t, (b.me,), *couple.RETURN_KINDS)
            b.set(timeout_id=None)
            if b.s.phase in (Phase.WAITING, Phase.RETURN) or in_steps(b.s.phase):
                couple.leave(b)
    # No name in it: this row outlives a /forget (it may wait hours for a platform that is down), and the
    # partner knows who they were paired with.
    b.fx.append(Notify(cp.partner.id, Msg.of("unpair.notice"), neutral=True))
    b.say("unpair.done")
