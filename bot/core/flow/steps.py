"""The steps of the fight flow: each phase's question (`p_*`) and what it takes (`on_*`). Wired in table.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from .. import breathing, contract, feelings
from ..effects import Choice, Msg, Pacer, RecordOutcome, Reply
from ..model import MAX_TEXT, Phase, Plan, Role, TimeoutStatus
from ..parse import out_of_range_score, parse_return, parse_score
from . import couple
from .build import MAX_KEPT, NO_PLAN, SAFETY_BUTTON, SKIP, B, c, clip, dur, enter, prompt

# -- the buttons that never change, built once ----------------------------------------------------------

_SCORE_IDS = frozenset(str(i) for i in range(11))
IDLE_CHOICES = (c("go.timeout", "choice.timeout"), c("go.breathe", "choice.breathe"), c("go.help", "choice.help"),
                SAFETY_BUTTON)
THREE_CHOICES = (c("go.timeout", "choice.timeout"), c("go.breathe", "choice.breathe"), SAFETY_BUTTON)
"""Free text outside any flow: the three things that matter (a time-out, a breath, not feeling safe)."""
SOOTHE_CHOICES = (c("so.again", "choice.soothe.again"),
                  *(c(f"so.{x}", f"choice.soothe.{x}") for x in feelings.SOOTHING),
                  c("so.on", "choice.soothe.on"), SAFETY_BUTTON)
STILL_HIGH = 7
"""A tension score after breathing from this on is still high: more soothing comes before anything else."""
PREPARE_CHOICES = (c("pr.go", "choice.prepare.go"), c("pr.later", "choice.prepare.later"), SAFETY_BUTTON)
SCORE_CHOICES = (*(c(f"t.{i}", "choice.number", n=i) for i in range(11)), SKIP, SAFETY_BUTTON)
FEELING_CHOICES = (*(c(f"f.{f}", f"feeling.{f}") for f in feelings.FEELINGS), SKIP, SAFETY_BUTTON)
UNDER_CHOICES = (*(c(f"u.{f}", f"feeling.{f}") for f in feelings.UNDER), c("u.none", "choice.under.none"),
                 SKIP, SAFETY_BUTTON)
NEED_CHOICES = (*(c(f"n.{n}", f"need.{n}") for n in feelings.NEEDS), SKIP, SAFETY_BUTTON)
PERSPECTIVE_CHOICES = (*(c(f"pf.{f}", f"feeling.{f}") for f in feelings.FEELINGS), SKIP, SAFETY_BUTTON)
OWN_CHOICES = {
    Role.INITIATOR: (*(c(f"own.{o}", f"own.{o}") for o in feelings.OWN_PARTS), SKIP, SAFETY_BUTTON),
    Role.PARTNER: (*(c(f"own.{o}", f"own.{o}") for o in feelings.OWN_PARTS_PURSUER), SKIP, SAFETY_BUTTON),
}
KEEP_CHOICES = (c("keep.yes", "choice.keep.yes"), c("keep.no", "choice.keep.no"), c("w.breathe", "choice.breathe"),
                SAFETY_BUTTON)


def own_parts(role: Role) -> tuple[str, ...]:
    return feelings.OWN_PARTS_PURSUER if role is Role.PARTNER else feelings.OWN_PARTS


# -- IDLE -----------------------------------------------------------------------------------------------

def p_idle(b: B) -> None:
    b.say("idle.prompt", IDLE_CHOICES)


def on_idle_choice(b: B, cid: str) -> bool:
    from .commands import run

    if cid == "go.timeout":
        run(b, "timeout", "")
    elif cid == "go.breathe":
        run(b, "breathe", "")
    elif cid == "go.help":
        run(b, "help", "")
    elif cid == "p.start":
        t = b.my_timeout()
        if t is None or t.partner != b.me:
            b.say("partner.over")
            prompt(b)
            return True
        b.set(timeout_id=t.id, role=Role.PARTNER, plan=NO_PLAN, keep=True)
        b.say("partner.intro", time=t.back_at)
        if b.ctx.me.safety_note:
            from .safety_screen import ask_sooner

            ask_sooner(b, Phase.BREATHE)
            return True
        enter_flow(b, Phase.BREATHE, rounds=0, resume=None)
    else:
        return False
    return True


def on_idle_text(b: B, text: str) -> bool:
    from .commands import run
    from .words import is_help_word, is_timeout_word

    if is_timeout_word(text):
        run(b, "timeout", "")
        return True
    if is_help_word(text):
        run(b, "help", "")
        return True
    t = b.my_timeout()
    if t is not None and b.me == t.partner and not couple.running_own(t, b.me, b.now):
        # the one left behind wrote something while the other's break runs: their own support, not a menu
        b.set(timeout_id=t.id, role=Role.PARTNER, phase=Phase.WAITING)
        return on_waiting_text(b, text)
    b.say("idle.hint", THREE_CHOICES)
    return True


# -- PAUSE: choose the return time --------------------------------------------------------------------------

def return_choices(b: B) -> tuple[Choice, ...]:
    out = []
    for cid, d in contract.offers(b.ctx.contract, b.now, b.ctx.me.tz):
        if isinstance(d, datetime):
            out.append(c(cid, "choice.ret.morning", time=d))
        else:
            out.append(_duration_choice(cid, d, d == b.ctx.contract.default_break))
    return (*out, c("go.cancel", "choice.not_now"), SAFETY_BUTTON)


@cache
def _duration_choice(cid: str, d: timedelta, usual: bool) -> Choice:
    return c(cid, "choice.ret.default" if usual else "choice.ret.plain", dur=dur(d))


def p_pause_choose(b: B) -> None:
    k = b.ctx.contract
    t = b.my_timeout()
    if t is not None and t.partner == b.me and t.status is TimeoutStatus.RUNNING:
        b.say("pause.when_beside", return_choices(b), min=dur(k.min_break), max=dur(k.max_break),
              time=t.return_at)
        return
    b.say("pause.when", return_choices(b), min=dur(k.min_break), max=dur(k.max_break))


MAX_MINUTES = 7 * 24 * 60


def on_choose_choice(b: B, cid: str) -> bool:
    if cid == "go.cancel":
        from .commands import run

        run(b, "cancel", "")
        return True
    if cid == "ret.morning":
        at = contract.morning_after(b.now, b.ctx.me.tz)
    elif cid.startswith("ret.m") and cid[5:].isascii() and cid[5:].isdigit() and len(cid) <= 10 \
            and int(cid[5:]) <= MAX_MINUTES:
        at = b.now + timedelta(minutes=int(cid[5:]))
    else:
        return False
    return choose(b, at)


def choose(b: B, at: datetime) -> bool:
    check = contract.check_return(b.ctx.contract, b.now, at)
    if check.fit is not contract.Fit.OK:
        k = b.ctx.contract
        near = check.at
        minutes = round((near - b.now).total_seconds() / 60)
        nearest = c(f"ret.m{minutes}", "choice.ret.at", time=near)
        others = tuple(x for x in return_choices(b) if x.id != nearest.id)
        b.say(f"pause.{check.fit.value}", (nearest, *others), min=dur(k.min_break), max=dur(k.max_break), time=near)
        return True
    couple.start(b, at)
    if b.ctx.me.safety_note:  # their own note: ask first whether they are safe right now
        from .safety_screen import ask_sooner

        ask_sooner(b, Phase.PAUSE_TENSION)
        return True
    enter_flow(b, Phase.PAUSE_TENSION)
    return True


def on_choose_text(b: B, text: str) -> bool:
    at = parse_return(text, b.now, b.ctx.me.tz)
    if at is None:
        return False
    return choose(b, at)


# -- tension scores ---------------------------------------------------------------------------------------

def p_tension(b: B) -> None:
    b.say("tension.ask.start", SCORE_CHOICES)


def p_breathe_tension(b: B) -> None:
    before = b.s.plan.tension_start
    if before is None:
        b.say("tension.ask.after", SCORE_CHOICES)
    else:
        b.say("tension.ask.after_was", SCORE_CHOICES, before=before)


def on_score_choice(b: B, cid: str) -> bool:
    if not cid.startswith("t.") or cid[2:] not in _SCORE_IDS:
        return False
    return _score(b, int(cid[2:]))


def on_score_text(b: B, text: str) -> bool:
    n = parse_score(text)
    if n is None:
        if out_of_range_score(text):
            b.say("hint.score_range")
            prompt(b)
            return True
        return False
    return _score(b, n)


def _score(b: B, n: int) -> bool:
    if b.s.phase is Phase.PAUSE_TENSION:
        b.plan(tension_start=n)
        advance(b, Phase.BREATHE)
    else:
        before = b.s.plan.tension_start
        b.plan(tension_after=n)
        if before is not None:
            b.say("tension.change" if n < before else "tension.same", before=before, after=n)
        advance(b, Phase.SOOTHE if n >= STILL_HIGH else Phase.NAME_FEELING)
    return True


# -- BREATHE ----------------------------------------------------------------------------------------------

@cache
def _breathe_choices(current: str, minutes: int) -> tuple[Choice, ...]:
    lengths = tuple(c(f"br.m{m}", "choice.breathe_minutes", dur=dur(timedelta(minutes=m)))
                    for m in breathing.LENGTHS if m != minutes)
    others = tuple(c(f"br.p.{p}", f"pattern.{p}.name") for p in breathing.PATTERNS if p != current)
    return (c("br.again", "choice.breathe_again"), c("br.next", "choice.breathe_next"), *lengths, *others,
            SAFETY_BUTTON)


def breath_minutes(b: B) -> int:
    """This round's length: chosen, or offered from the tension score."""
    return b.s.minutes if b.s.minutes in breathing.LENGTHS else breathing.minutes_for(b.s.plan.tension_start)


def p_breathe(b: B) -> None:
    pattern = breathing.PATTERNS[b.s.pattern]
    minutes = breath_minutes(b)
    b.say("breathe.round", _breathe_choices(b.s.pattern, minutes), Pacer(pattern.id, pattern.cycles * minutes),
          pattern=Msg.of(f"pattern.{pattern.id}.name"), how=Msg.of(f"pattern.{pattern.id}.how"),
          dur=dur(timedelta(minutes=minutes)))


def on_breathe_text(b: B, text: str) -> bool:
    """Typed during breathing: never a restart. "stop"/"klaar" ends the round; anything else, a short word
    and the pacer goes on."""
    from .words import is_stop_word

    if is_stop_word(text):
        return on_breathe_choice(b, "br.next")
    b.fx.append(Reply(Msg.of("breathe.typed"), aside=True))
    return True


def on_breathe_choice(b: B, cid: str) -> bool:
    if cid == "br.again":
        b.set(rounds=b.s.rounds + 1)
        prompt(b)
    elif cid.startswith("br.p.") and cid[5:] in breathing.PATTERNS:
        b.set(pattern=cid[5:], rounds=b.s.rounds + 1)
        prompt(b)
    elif cid in _LENGTH_IDS:
        b.set(minutes=_LENGTH_IDS[cid], rounds=b.s.rounds + 1)
        prompt(b)
    elif cid == "br.next":
        if b.s.resume is not None:  # a breathing break from elsewhere: go back there
            b.say("breathe.done")
            enter(b, b.s.resume, resume=None)
        else:
            advance(b, Phase.BREATHE_TENSION)
    else:
        return False
    return True


_LENGTH_IDS = {f"br.m{m}": m for m in breathing.LENGTHS}


# -- SOOTHE: still tense after breathing ------------------------------------------------------------------

def p_soothe(b: B) -> None:
    b.say("soothe.ask", SOOTHE_CHOICES)


def on_soothe_choice(b: B, cid: str) -> bool:
    if cid == "so.again":
        b.set(rounds=b.s.rounds + 1)
        enter(b, Phase.BREATHE, resume=None)
    elif cid.startswith("so.") and cid[3:] in feelings.SOOTHING:
        b.say(f"soothe.tip.{cid[3:]}")
        b.say("soothe.more", SOOTHE_CHOICES)
    elif cid == "so.on":
        advance(b, Phase.NAME_FEELING)
    else:
        return False
    return True


def on_soothe_text(b: B, text: str) -> bool:
    """A typed score says how it is now; "ok"/"klaar" goes on; anything else, the choices again."""
    from .words import is_ready_word, is_stop_word

    n = parse_score(text)
    if n is not None:
        b.plan(tension_after=n)
        if n < STILL_HIGH:
            advance(b, Phase.NAME_FEELING)
        else:
            b.say("soothe.more", SOOTHE_CHOICES)
        return True
    if is_stop_word(text) or is_ready_word(text):
        advance(b, Phase.NAME_FEELING)
        return True
    return False


# -- NAME ------------------------------------------------------------------------------------------------

def p_feeling(b: B) -> None:
    b.say("name.feeling.ask", FEELING_CHOICES)


def p_under(b: B) -> None:
    b.say("name.under.ask", UNDER_CHOICES, feeling=Msg.of(f"feeling.{b.s.plan.feeling or 'angry'}"))


def p_need(b: B) -> None:
    b.say("name.need.ask", NEED_CHOICES)


def on_feeling_choice(b: B, cid: str) -> bool:
    if cid.startswith("f.") and cid[2:] in feelings.FEELINGS:
        return _feeling(b, cid[2:], None)
    return False


def on_feeling_text(b: B, text: str) -> bool:
    """A typed feeling: the vocabulary word it names ("kwaad" is angry, "triestig" sad), or their own words."""
    from .words import feeling_of

    fid = feeling_of(text, feelings.FEELINGS)
    if fid is not None:
        return _feeling(b, fid, None)
    return _feeling(b, None, clip(b, text, MAX_TEXT))


def _feeling(b: B, fid: str | None, own: str | None) -> bool:
    b.plan(feeling=fid, feeling_text=own)
    if fid in feelings.ARMOUR:
        enter(b, Phase.NAME_UNDER)
    else:
        b.say("name.feeling.thanks")
        enter(b, Phase.NAME_NEED)
    return True


def on_under_choice(b: B, cid: str) -> bool:
    if cid == "u.none" or (cid.startswith("u.") and cid[2:] in feelings.UNDER):
        b.plan(under=cid[2:])
        b.say("name.under.thanks")
        enter(b, Phase.NAME_NEED)
        return True
    return False


def on_under_text(b: B, text: str) -> bool:
    from .words import feeling_of

    fid = feeling_of(text, feelings.UNDER)
    if fid is not None:
        return on_under_choice(b, f"u.{fid}")
    b.plan(under=None, feeling_text=clip(b, text, MAX_TEXT))
    b.say("name.under.thanks")
    enter(b, Phase.NAME_NEED)
    return True


def on_need_choice(b: B, cid: str) -> bool:
    if cid.startswith("n.") and cid[2:] in feelings.NEEDS:
        b.plan(need=cid[2:], need_text=None)
        b.say("name.need.thanks")
        advance(b, Phase.WAITING)
        return True
    return False


def on_need_text(b: B, text: str) -> bool:
    """A typed need: the vocabulary word it names, or kept in their own words for the opener."""
    from .words import need_of

    nid = need_of(text, feelings.NEEDS)
    if nid is not None:
        return on_need_choice(b, f"n.{nid}")
    b.plan(need=None, need_text=clip(b, text, MAX_TEXT))
    b.say("name.need.thanks")
    advance(b, Phase.WAITING)
    return True


# -- PLAN -------------------------------------------------------------------------------------------------

def opener(plan: Plan) -> Msg:
    """The suggested first sentence, from what they named: vocabulary words, or their own words."""
    feeling: Msg | str = Msg.of("opener.gap")
    if plan.under and plan.under != "none":
        feeling = Msg.of(f"feeling.{plan.under}")
    elif plan.feeling_text:  # their own words, typed for the feeling or for what lies under it
        feeling = plan.feeling_text
    elif plan.feeling:
        feeling = Msg.of(f"feeling.{plan.feeling}")
    need: Msg | str | None = Msg.of(f"need.{plan.need}") if plan.need else plan.need_text
    if not need:
        return Msg.of("opener.template_open", feeling=feeling)
    return Msg.of("opener.template", feeling=feeling, need=need)


def prepare(b: B) -> None:
    """Get ready for the talk: the plan's steps (opener, one topic, their side, your part), now."""
    b.plan(prepared=True)
    enter(b, Phase.PLAN_OPENER)


def p_opener(b: B) -> None:
    b.say("plan.opener.ask", (c("op.use", "choice.opener.use"), SKIP, SAFETY_BUTTON), opener=opener(b.s.plan))


def p_topic(b: B) -> None:
    b.say("plan.topic.ask", (SKIP, SAFETY_BUTTON))


def p_perspective(b: B) -> None:
    b.say("plan.perspective.ask", PERSPECTIVE_CHOICES)


def p_own_part(b: B) -> None:
    b.say("plan.own.ask", OWN_CHOICES[b.s.role])


def on_opener_choice(b: B, cid: str) -> bool:
    if cid != "op.use":
        return False
    b.plan(opener="")  # marks "use the suggested one": rendered from the named words at the return
    enter(b, Phase.PLAN_TOPIC)
    return True


def on_opener_text(b: B, text: str) -> bool:
    b.plan(opener=clip(b, text, MAX_TEXT))
    enter(b, Phase.PLAN_TOPIC)
    return True


def on_topic_text(b: B, text: str) -> bool:
    b.plan(topic=clip(b, text, MAX_TEXT))
    enter(b, Phase.PLAN_PERSPECTIVE)
    return True


def on_perspective_choice(b: B, cid: str) -> bool:
    if cid.startswith("pf.") and cid[3:] in feelings.FEELINGS:
        b.plan(perspective=cid)
        advance(b, Phase.PLAN_OWN_PART)
        return True
    return False


def on_perspective_text(b: B, text: str) -> bool:
    b.plan(perspective=clip(b, text, MAX_TEXT))
    advance(b, Phase.PLAN_OWN_PART)
    return True


def on_own_choice(b: B, cid: str) -> bool:
    if cid.startswith("own.") and cid[4:] in own_parts(b.s.role):
        b.plan(own_part=cid)
        advance(b, Phase.WAITING)
        return True
    return False


def on_own_text(b: B, text: str) -> bool:
    b.plan(own_part=clip(b, text, MAX_TEXT))
    advance(b, Phase.WAITING)
    return True


def card(p: Plan, role: Role = Role.INITIATOR) -> tuple[Msg, ...]:
    """The private plan card: what this person prepared, shown back to them only."""
    lines: list[Msg] = []
    named = p.feeling or p.feeling_text or p.need or p.need_text
    if p.opener == "" or (p.opener is None and not p.prepared and named):  # the suggested opener
        lines.append(Msg.of("card.opener", text=opener(p)))
    elif p.opener:
        lines.append(Msg.of("card.opener", text=p.opener))
    if p.topic:
        lines.append(Msg.of("card.topic", text=p.topic))
    if p.perspective:
        lines.append(Msg.of("card.perspective", text=_vocab(p.perspective, "pf.", feelings.FEELINGS, "feeling")))
    if p.own_part:
        lines.append(Msg.of("card.own_part", text=_vocab(p.own_part, "own.", own_parts(role), "own")))
    lines.extend(Msg.of("card.kept", text=k) for k in p.kept)
    lines.append(Msg.of("card.rule"))
    return tuple(lines)


def _vocab(value: str, prefix: str, vocab: tuple[str, ...], family: str) -> Msg | str:
    """A stored answer: a vocabulary choice (rendered in the reader's language) or the person's own words."""
    word = value.removeprefix(prefix)
    return Msg.of(f"{family}.{word}") if value.startswith(prefix) and word in vocab else value


# -- moving through the steps -------------------------------------------------------------------------------

def enter_flow(b: B, phase: Phase, **changes: object) -> None:
    """Enter a step of the time-out flow; the first time, ask whether the bot may keep what they feel."""
    if not b.ctx.me.consented and b.s.keep:
        changes.pop("resume", None)
        enter(b, Phase.CONSENT, resume=phase, **changes)
    else:
        enter(b, phase, **changes)


def advance(b: B, nxt: Phase) -> None:
    from .build import in_steps

    if nxt is Phase.PLAN_OWN_PART and b.ctx.me.safety_note:
        nxt = Phase.WAITING  # with a safety note, "what was your part" is not asked
    if not b.s.keep and in_steps(nxt) and nxt is not Phase.BREATHE:
        enter(b, Phase.WAITING)  # they chose to keep nothing: no scores, feelings or plans
        return
    if nxt is Phase.BREATHE:
        enter(b, nxt, rounds=0, resume=None)
    elif nxt is Phase.WAITING and b.s.plan.prepared:
        b.say("plan.card", card=card(b.s.plan, b.s.role))
        enter(b, nxt)
    elif nxt is Phase.WAITING:
        t = b.my_timeout()
        if t is not None and b.s.keep and b.me not in t.hushed:  # the plan comes later, before the return
            at = couple.prepare_at(t)
            if at > b.now:
                b.say("plan.later", time=at)
            else:
                b.say("plan.later_now", back=t.back_at)
        enter(b, nxt)
    else:
        enter(b, nxt)


# -- WAITING ----------------------------------------------------------------------------------------------

@cache
def _waiting_set(owner: bool, extension: timedelta | None, prepare: bool = False) -> tuple[Choice, ...]:
    """The buttons while a break runs. The one left behind gets no controls over the other's break."""
    out = [c("w.prepare", "choice.prepare.now")] if prepare else []
    out += [c("w.breathe", "choice.breathe"), c("w.selfcare", "choice.selfcare"), c("w.status", "choice.status")]
    if extension is not None:
        out.append(c("w.extend", "choice.extend", dur=dur(extension)))
    if owner:
        out += [c("w.ready", "choice.ready_early"), c("w.cancel", "choice.end_break")]
    else:
        out += [c("w.ready", "choice.ready_partner"), c("go.timeout", "choice.own_break")]
    out.append(SAFETY_BUTTON)
    return tuple(out)


def p_waiting(b: B) -> None:
    t = b.my_timeout()
    if t is None:  # the time-out ended while this person was elsewhere: its private words go with it
        couple.leave(b)
        p_idle(b)
        return
    owner = couple.running_own(t, b.me, b.now)
    ext = b.ctx.contract.extension if owner and couple.can_extend(b, t) else None
    ready = b.s.keep and not b.s.plan.prepared and b.s.timeout_id == t.id and b.me not in t.hushed \
        and t.status is TimeoutStatus.RUNNING
    if owner:
        b.say("waiting.prompt", _waiting_set(True, ext, ready), time=t.back_at)
    else:
        b.say("waiting.partner", _waiting_set(False, None, ready), name=_name(b), time=t.back_at)


def _name(b: B) -> str:
    return b.ctx.partner.name if b.ctx.partner is not None else ""


def on_waiting_choice(b: B, cid: str) -> bool:
    from .commands import run

    if cid == "w.breathe":
        run(b, "breathe", "")
    elif cid in ("w.prepare", "pr.go"):
        t = b.my_timeout()
        if t is None or b.s.plan.prepared or not b.s.keep or b.s.timeout_id != t.id:
            b.say("prepare.done")
            prompt(b)
        else:
            prepare(b)
    elif cid == "pr.later":
        b.say("prepare.later")
        prompt(b)
    elif cid == "w.selfcare":
        b.say("selfcare", items=tuple(Msg.of(f"selfcare.{s}") for s in feelings.SELF_CARE))
        prompt(b)
    elif cid in ("w.status", "w.extend", "w.ready", "w.cancel"):
        run(b, {"w.status": "status", "w.extend": "extend", "w.ready": "ready", "w.cancel": "cancel"}[cid], "")
    elif cid == "w.cancel.yes":
        t = b.my_timeout()
        back = t.back_at if t is not None else b.now
        b.say(couple.end_own(b), time=back, name=_name(b))
        prompt(b)
    elif cid == "w.keep":
        b.say("cancel.kept")
        prompt(b)
    elif cid in ("keep.yes", "keep.no") and b.s.pending is not None:
        if cid == "keep.yes" and len(b.s.plan.kept) < MAX_KEPT:
            b.plan(kept=(*b.s.plan.kept, b.s.pending))
            b.say("waiting.kept")
        elif cid == "keep.yes":
            b.say("waiting.kept_full", n=MAX_KEPT)
        else:
            b.say("waiting.not_kept")
        b.set(pending=None)
        prompt(b)
    else:
        return False
    return True


def on_waiting_text(b: B, text: str) -> bool:
    t = b.my_timeout()
    left_behind = t is not None and not couple.running_own(t, b.me, b.now)
    if not b.s.keep:
        b.say("waiting.not_relayed" if b.ctx.partner is not None else "waiting.solo_not_kept")
        return True
    b.set(pending=clip(b, text, MAX_TEXT))
    if left_behind and t is not None:
        b.say("waiting.partner_keep_ask", KEEP_CHOICES, name=_name(b), time=t.back_at)
    else:  # alone, nobody on the bot to pass it to: a note for oneself, nothing more
        b.say("waiting.keep_ask" if b.ctx.partner is not None else "waiting.solo_keep_ask", KEEP_CHOICES[:2])
    return True


# -- RETURN -----------------------------------------------------------------------------------------------

def return_choices_for(b: B) -> tuple[Choice, ...]:
    t = b.my_timeout()
    more: tuple[Choice, ...] = ()
    if t is not None and couple.can_extend(b, t):
        more = (c("r.more", "choice.more_time", dur=dur(b.ctx.contract.extension)),)
    return (c("r.ready", "choice.ready"), *more, c("r.talking", "choice.talking"), SAFETY_BUTTON)


def p_return(b: B) -> None:
    t = b.my_timeout()
    if t is None:
        couple.leave(b)
        p_idle(b)
        return
    other = b.other()
    if other is not None and other in t.ready:
        b.say("return.ping_ready", return_choices_for(b), time=t.back_at, name=_name(b))
    else:
        b.say("return.ping", return_choices_for(b), time=t.back_at)


def on_return_choice(b: B, cid: str) -> bool:
    from .commands import run

    if cid == "r.ready":
        run(b, "ready", "")
    elif cid == "r.more":
        run(b, "extend", "")
    elif cid == "r.talking":
        if not couple.talking(b):
            b.say("hint.stale")
            prompt(b)
    else:
        return False
    return True


def on_return_text(b: B, text: str) -> bool:
    from .commands import run
    from .words import is_ready_word

    if is_ready_word(text):
        run(b, "ready", "")
        return True
    return False


# -- AFTER ------------------------------------------------------------------------------------------------

AFTER_BAD = (c("ab.later", "choice.after.later"), c("ab.repair", "choice.after.repair"),
             c("ab.help", "choice.after.help"), SAFETY_BUTTON)
AFTER_BAD_NOTE = (c("ab.help", "choice.after.help"), SAFETY_BUTTON)
"""With a safety note: no nudge to reach out or repair; help and the safety button."""


def p_after(b: B) -> None:
    b.say("after.ask", (c("a.good", "choice.after.good"), c("a.soso", "choice.after.soso"),
                        c("a.bad", "choice.after.bad"), SAFETY_BUTTON))


def on_after_choice(b: B, cid: str) -> bool:
    outcomes = {"a.good": "good", "a.soso": "so_so", "a.bad": "not_good"}
    if cid not in outcomes:
        return False
    tid = b.s.after_for
    if tid is not None:
        b.fx.append(RecordOutcome(tid, b.me, b.s.role.value, outcomes[cid]))
    b.set(after_for=None)
    if cid == "a.bad":
        b.say("after.thanks.bad", AFTER_BAD_NOTE if b.ctx.me.safety_note else AFTER_BAD)
        b.go(Phase.IDLE)
        return True
    b.say(f"after.thanks.{outcomes[cid]}")
    b.go(Phase.IDLE)
    return True


def on_after_bad(b: B, cid: str) -> bool:
    """After "not good": another talk at a set time, a repair attempt, or couples help (any phase)."""
    if cid == "ab.later":
        b.say("after.later")
    elif cid == "ab.repair":
        b.say("after.repair")
    elif cid == "ab.help":
        b.say("after.help")
    else:
        return False
    return True
