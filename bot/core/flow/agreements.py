"""Couples, calmly: pairing, the contract and its proposals. Commands and `ct.*` buttons, any phase outside SAFETY."""

from __future__ import annotations

from datetime import timedelta

from .. import contract, couples
from ..effects import CancelNotices, Choice, CreateInvite, Decide, JoinFailed, Msg, Notify, Pair, Propose, Reply, Unpair
from ..model import Contract, Phase, evolve
from . import couple
from .build import B, c, dur, enter, in_steps, prompt


def decide_choices(couple_id: int, version: int) -> tuple[Choice, ...]:
    return (c(couples.decision_id("accept", couple_id, version), "choice.contract.accept"),
            c(couples.decision_id("reject", couple_id, version), "choice.contract.reject"))


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
    first = contract.DEFAULT
    b.fx.append(Pair(inv.owner, code, first, b.ctx.fresh))
    b.notify(inv.owner, "pair.joined")
    b.say("join.ok")
    b.say("contract.first", decide_choices(b.ctx.fresh, 1), lines=contract_lines(first, b.me, None))
    from .screening import QUESTION, ask_partner

    b.say("screen.ask", QUESTION)  # each of the two, alone: never shown to the other
    ask_partner(b, inv.owner)


def contract_lines(k: Contract, me: int, partner: int | None) -> tuple[Msg, ...]:
    """The contract in plain words, one line a field."""
    lines = [
        Msg.of("contract.line.breaks", min=dur(k.min_break), default=dur(k.default_break), max=dur(k.max_break)),
        Msg.of("contract.line.extensions", n=k.extensions, dur=dur(k.extension)) if k.extensions
        else Msg.of("contract.line.no_extensions"),
        Msg.of("contract.line.notify_yes" if k.notify_partner else "contract.line.notify_no"),
        Msg.of("contract.line.signal", text=k.signal_phrase) if k.signal_phrase
        else Msg.of("contract.line.signal_default"),
    ]
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


def cmd_contract(b: B, arg: str) -> None:
    couple = b.ctx.couple
    words = arg.split(maxsplit=1)
    if words:
        field = couples.field_of(words[0])
        if field is None or len(words) < 2:
            b.say("contract.usage")
            return
        _propose_change(b, field, words[1])
        return
    partner = couple.partner.id if couple else None
    if couple is None:
        b.say("contract.solo", lines=contract_lines(b.ctx.contract, b.me, None))
        return
    choices = [c("ct.edit", "choice.contract.edit")]
    p = couple.proposal
    if p is not None and p.by != b.me:
        choices = list(decide_choices(couple.id, p.version))
    elif p is not None:
        choices.append(c(couples.decision_id("withdraw", couple.id, p.version), "choice.contract.withdraw"))
    b.say("contract.show", tuple(choices), version=couple.version,
          lines=contract_lines(couple.contract, b.me, partner))
    if p is not None:
        b.say("contract.proposal.mine" if p.by == b.me else "contract.proposal.theirs",
              name=couple.partner.name or "", lines=contract_lines(p.contract, b.me, partner))


def _propose_change(b: B, field: str, value: str) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.not_paired")
        return
    p = couple.proposal
    if p is not None and p.by != b.me:
        b.say("contract.theirs_open", decide_choices(couple.id, p.version), name=couple.partner.name or "")
        return
    base = p.contract if p is not None else couple.contract
    result = couples.change(base, field, value, b.me)
    if isinstance(result, str):
        lo, hi = contract.MIN_BREAK_BOUNDS
        b.say(result, lo=dur(lo), hi=dur(hi), max=dur(contract.MAX_BREAK_CEILING),
              n=contract.MAX_EXTENSIONS, chars=contract.SENTENCE_MAX if field == "sentence" else contract.SIGNAL_MAX)
        return
    version = couples.next_version(couple.version, p.version if p else None, couple.last_version)
    b.fx.append(Propose(couple.id, version, result))
    if field == "sentence":
        missing = couples.sentence_missing(value)
        if missing:
            b.say("sentence.missing", parts=tuple(Msg.of(f"sentence.part.{m}") for m in missing))
        else:
            b.say("sentence.complete")
    # Only that there is a proposal: its text (a sentence of up to 280 characters) is shown when they ask.
    b.notify(couple.partner.id, "contract.proposed", (c("ct.show", "choice.contract.show"),))
    b.say("contract.sent", (c(couples.decision_id("withdraw", couple.id, version), "choice.contract.withdraw"),),
          name=couple.partner.name or "")


def _decide(b: B, decision: str, version: int | None, couple_id: int | None = None) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.not_paired")
        return
    p = couple.proposal
    if p is None:
        b.say("contract.no_proposal")
        return
    if (version is not None and version != p.version) or (couple_id is not None and couple_id != couple.id):
        b.say("contract.stale")
        return
    if decision == "withdrawn" and p.by != b.me:
        b.say("contract.not_yours")
        return
    if decision != "withdrawn" and p.by == b.me:
        b.say("contract.own_proposal", name=couple.partner.name or "")
        return
    b.fx.append(Decide(couple.id, p.version, decision))
    b.notify(couple.partner.id, f"contract.{decision}.notice")
    b.say(f"contract.{decision}")


def on_contract_choice(b: B, cid: str) -> None:
    parts = cid.split(".")
    decided = couples.read_decision(cid)  # names the couple and the version: an old couple's button is stale
    if decided is not None:
        _decide(b, decided[0], decided[2], decided[1])
    elif cid == "ct.show":
        cmd_contract(b, "")
    elif cid == "ct.edit":
        if b.ctx.couple is None:
            b.say("contract.not_paired")
            return
        b.say("contract.pick", tuple(c(f"ct.f.{f}", f"contract.field.{f}") for f in couples.FIELDS))
    elif len(parts) == 3 and parts[1] == "f" and parts[2] in couples.FIELDS:
        field = parts[2]
        if b.ctx.couple is None:
            b.say("contract.not_paired")
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
        _propose_change(b, field, value if field not in ("min", "default", "max") else f"{value} min")
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
    _propose_change(b, field, text[:contract.SENTENCE_MAX + 1])
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
