"""SAFETY and SAFETY_ASK: stop the de-escalation at once, show help, and keep the partner out of it.

Reachable from every phase: a danger signal in any text, the "I don't feel safe" button, /safety. The
partner sees nothing of it (couple.hush); the person is told, in one line, what the partner will see.
"""

from __future__ import annotations

from .. import countries
from ..effects import Choice, Msg, SetProfile
from ..model import CountryFrom, Person, Phase, TimeoutStatus
from . import couple
from .build import SAFE_PHASES, B, c, enter, in_steps

CONTINUE = c("safety.continue", "choice.safe.continue")


def to_safety(b: B) -> None:
    """Stop everything: no word to the partner, no nudges; show help. Reversible only by the person."""
    if b.s.phase not in SAFE_PHASES:
        resume: Phase = b.s.phase
        if resume is Phase.BREATHE and b.s.resume is not None:
            resume = b.s.resume
        b.set(resume=resume)
    couple.hush(b)
    enter(b, Phase.SAFETY, safety_hold=True, pending=None)


def ask_safe(b: B) -> None:
    if b.s.phase not in SAFE_PHASES:
        b.set(resume=b.s.phase)
    couple.hush(b)
    enter(b, Phase.SAFETY_ASK, safety_hold=True, pending=None)


def ask_sooner(b: B, then: Phase) -> None:
    """For someone with a safety note: "are you safe right now?" before the calming steps. Asking is not a
    signal: nothing changes for the partner unless they answer no."""
    enter(b, Phase.SAFETY_ASK, resume=then)


def p_safety_ask(b: B) -> None:
    b.say("safety.ask", (c("sa.yes", "choice.safe.yes"), c("sa.no", "choice.safe.no"),
                         c("sa.skip", "choice.safe.skip")))


def p_safety(b: B) -> None:
    me = b.ctx.me
    options = [CONTINUE, c("sp.edit", "choice.safety_plan"), c("fg.ask", "choice.forget")]
    if b.ctx.couple is not None:
        options.append(c("safety.unpair", "choice.unpair"))
    ask = me.country_from is CountryFrom.ASSUMED  # only a language was known: ask once, here, in private
    b.say("safety.screen", tuple(options), emergency=emergency_lines(me, buttons_follow=ask),
          resources=help_lines(me.country))
    if me.safety_plan:
        b.say("safety.plan.show", text=me.safety_plan)
    partner = b.ctx.partner
    if partner is not None:
        t = b.my_timeout()
        if t is not None and t.partner is not None:
            b.say("safety.partner_sees", name=partner.name or "", time=t.back_at)
        else:
            b.say("safety.partner_told_nothing", name=partner.name or "")
    if ask:
        b.say("country.ask", country_buttons())
        b.fx.append(SetProfile(country_asked=True))


def help_lines(country: str) -> tuple[Msg, ...]:
    """The helplines of a country (what each is for, when it is open), then the international directory."""
    return countries.help_lines(country)


def emergency_lines(me: Person, buttons_follow: bool = False) -> tuple[Msg, ...]:
    """The emergency number for the person's country (never an unconfirmed one), and which country that is;
    `buttons_follow`: the country buttons come right after (the where-line may then say to tap one)."""
    assumed = me.country_from in (CountryFrom.ASSUMED, CountryFrom.ASKED)
    return countries.call_line(me.country), countries.where_line(me.country, assumed, buttons_follow)


def country_buttons() -> tuple[Choice, ...]:
    """Where is this person? The countries offered as buttons; any other is typed after /country."""
    return tuple(c(f"co.{k}", countries.name_key(k)) for k in countries.ASK_BUTTONS)


def resume(b: B) -> None:
    """'I'm safe, continue': back where they were. The partner still sees only what silence would show."""
    where = b.s.resume or Phase.IDLE
    b.set(safety_hold=False, resume=None)
    t = b.my_timeout()
    if where in (Phase.WAITING, Phase.RETURN) or in_steps(where):
        if t is None:
            where = Phase.IDLE
        elif t.status is TimeoutStatus.RETURNING and b.me not in t.ready:
            where = Phase.RETURN
        elif t.status is TimeoutStatus.RETURNING:
            where = Phase.IDLE
    if where is Phase.IDLE:
        b.say("safety.continued_idle")
    else:
        b.say("safety.continued")
    enter(b, where)


def on_safety_ask_choice(b: B, cid: str) -> bool:
    if cid == "sa.yes":
        resume(b)
    elif cid in ("sa.no", "sa.skip"):
        to_safety(b)
    else:
        return False
    return True


def on_safety_choice(b: B, cid: str) -> bool:
    if cid == "safety.continue":
        resume(b)
        return True
    return on_safety_choice_plan(b, cid)


def on_safety_text(b: B, text: str) -> bool:
    b.say("safety.still", (CONTINUE,))
    return True


# -- the private safety plan -------------------------------------------------------------------------------

PLAN_MAX = 1000


def on_safety_choice_plan(b: B, cid: str) -> bool:
    if cid != "sp.edit":
        return False
    enter(b, Phase.SAFETY_PLAN)
    return True


def p_safety_plan(b: B) -> None:
    options = [c("sp.back", "choice.back")]
    if b.ctx.me.safety_plan:
        options.insert(0, c("sp.delete", "choice.safety_plan.delete"))
    b.say("safety.plan.ask", tuple(options), n=PLAN_MAX)


def on_safety_plan_text(b: B, text: str) -> bool:
    plan = "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())[:PLAN_MAX]
    b.fx.append(SetProfile(safety_plan=plan))
    b.go(Phase.SAFETY)
    b.say("safety.plan.saved", (CONTINUE, c("sp.edit", "choice.safety_plan")), text=plan)
    return True


def on_safety_plan_choice(b: B, cid: str) -> bool:
    if cid == "sp.delete":
        b.fx.append(SetProfile(safety_plan=""))
        b.go(Phase.SAFETY)
        b.say("safety.plan.deleted", (CONTINUE,))
    elif cid == "sp.back":
        enter(b, Phase.SAFETY)
    else:
        return False
    return True
