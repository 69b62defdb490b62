"""The fight flow: one person's step through a time-out, as a pure function.

Theory of operation
-------------------
`step(state, event, ctx)` takes one person's `Session`, the `Timeout` they are in, one input `Event` (a
command, a button, a text, a timer that came due) and the context (`now`, who they are, their partner, the
contract), and returns the new state plus a tuple of effects: replies, notices to the partner, timers to
start or cancel, facts to record. It never raises on user input and never reads a clock.

The package, one idea a module:

- `table.py`    the flow as data: one `Row` a phase (question, what it takes, where "skip" goes, hint);
- `steps.py`    the questions and answers of each calming step (pause, tension, breathe, name, plan,
                wait, return, after);
- `couple.py`   the couple rules: who owns which break, side-by-side breaks, a return that always ends,
                and no tells after a safety signal;
- `timers.py`   the return ping, the re-ping, the close and the after-check;
- `commands.py` every /command in one registry, with which work in SAFETY;
- `safety_screen.py`, `agreements.py` (pairing, the contract), `privacy.py` (consent, check, country,
  export, forget), `words.py` (typed words the flow understands), `build.py` (the step under construction).

Dispatch order, which is also the priority order: timers; safety (a danger signal in any text, the
"I don't feel safe" button, /safety) which overrides everything; commands; buttons that work everywhere;
then the phase's row. Input a row does not take is answered with a short hint and the question again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import countries, drafts, safety
from ..effects import Effect, Msg, Reply, SetProfile
from ..events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired
from ..model import GRACE, Phase, Session, State, evolve
from . import couple, table
from .build import LOCALES, NO_PLAN, ROWS, SAFE_PHASES, B, Ctx, in_steps, prompt
from .commands import ALIASES, REGISTRY, SAFE_IN_SAFETY, on_command, run, set_language
from .privacy import SETTINGS_BUTTONS, on_country_choice, on_forget_choice
from .safety_screen import ask_safe, to_safety
from .screening import on_screen_choice
from .steps import on_after_bad
from .timers import on_timer
from .words import is_help_word, is_signal

__all__ = ["ALIASES", "GRACE", "LOCALES", "REGISTRY", "SAFE_IN_SAFETY", "Ctx", "Step", "step"]

COMMANDS = ALIASES
"""Every command name people may type, to its canonical name (kept under this name for the adapters)."""
all_phases_prompted = table.all_phases_prompted


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    effects: tuple[Effect, ...]


def step(state: State, event: Event, ctx: Ctx) -> Step:
    """One input in, the new state and the effects out. Pure; never raises on user input."""
    if ctx.couple is None and ctx.partner is None and state.session.settings:
        # alone: their own settings are their contract (in a couple, the couple's contract holds)
        ctx = replace(ctx, contract=drafts.personal(state.session.settings, ctx.me.id))
    b = B(state.session, state.timeout, ctx)
    if ctx.newcomer and isinstance(event, TextReceived):
        welcome(b)  # first contact in their own words, not /start: a welcome, and then the answer to what they said
    if isinstance(event, TimerFired):
        on_timer(b, event)
    elif isinstance(event, CommandReceived):
        on_command(b, event)
    elif isinstance(event, ChoiceMade):
        _choice(b, event.choice)
    else:
        _text(b, event.text, event.reading)
    effects = couple.screen(b, tuple(b.fx), b.s.safety_hold)
    return Step(State(b.s, b.t), joined(effects))


def welcome(b: B) -> None:
    from .. import countries

    b.say("welcome.newcomer", emergency=countries.call_line(b.ctx.me.country))


ALONE = frozenset({
    "welcome.newcomer",
    *("notice.solo", "notice.solo_later", "notice.solo_own", "notice.solo_own_later", "notice.own_words"),
    "guide.invite",
})
"""Replies that stay a message of their own: the welcome comes first, and the answer to what they wrote is the
message they read last; the message for a partner who is not on the bot is one to forward, nothing else in it."""


def joined(effects: tuple[Effect, ...]) -> tuple[Effect, ...]:
    """Fewer messages: a reply that asks nothing (a thanks, a "your break has started") goes in one message
    with the reply after it (the next question), instead of arriving as two."""
    if sum(isinstance(e, Reply) for e in effects) < 2:
        return effects
    out: list[Effect] = []
    lead: int | None = None  # where in `out` the last reply that asks nothing is
    for e in effects:
        if not isinstance(e, Reply) or e.aside:
            out.append(e)
            continue
        if lead is not None and e.msg.key not in ALONE:
            first = out[lead]
            assert isinstance(first, Reply)
            e = Reply(Msg.of("joined", first=first.msg, then=e.msg), e.choices, e.pacer)
            out[lead] = e
            at = lead
        else:
            out.append(e)
            at = len(out) - 1
        lead = at if not e.choices and e.pacer is None and e.msg.key not in ALONE else None
    return tuple(out)


def released(session: Session, timeout_id: str) -> Session:
    """`session` once the time-out `timeout_id` closed: its private words gone, out of its steps."""
    if session.timeout_id != timeout_id:
        return session
    phase = session.phase
    inside = phase in (Phase.WAITING, Phase.RETURN, Phase.PAUSE_CHOOSE) or in_steps(phase)
    return evolve(session, timeout_id=None, plan=NO_PLAN, pending=None,
                  phase=Phase.IDLE if inside else phase, resume=None if inside else session.resume)


def _choice(b: B, cid: str) -> None:
    cid = cid[:64]
    phase = b.s.phase
    if cid == "safety" and phase not in (Phase.SAFETY, Phase.SAFETY_PLAN):
        to_safety(b)
        return
    if cid in ("lang.nl", "lang.en"):
        set_language(b, cid[5:])
        return
    if cid in SETTINGS_BUTTONS:  # from /settings: the same question as /language or /country alone
        run(b, SETTINGS_BUTTONS[cid], "")
        return
    unsafe = phase in SAFE_PHASES
    if cid.startswith("ct.") and not unsafe:
        from .agreements import on_contract_choice

        on_contract_choice(b, cid)
        return
    if cid == "sn.edit" and not unsafe:
        from .solo import on_choice

        on_choice(b, cid)
        return
    if cid.startswith("gd.") and not unsafe:
        from .agreements import on_guide_choice

        on_guide_choice(b, cid)
        return
    if cid in ("cs.yes", "cs.no") and phase is not Phase.CONSENT:  # from the welcome
        if cid == "cs.yes":
            b.fx.append(SetProfile(consent=True))
        b.say("consent.thanks" if cid == "cs.yes" else "consent.later")
        prompt(b)
        return
    if (cid.startswith(("fg.", "co.")) or cid == "safety.unpair") and (on_forget_choice(b, cid)
                                                                        or on_country_choice(b, cid)):
        return
    if not unsafe and _anywhere(b, cid):
        return
    row = ROWS[phase]
    if cid == "skip" and row.skip_to is not None:
        run(b, "skip", "")
        return
    if row.choice is None or not row.choice(b, cid):
        b.say("hint.stale")
        prompt(b)


def _anywhere(b: B, cid: str) -> bool:
    """Buttons that mean the same in every phase: the return's answers, another break, after a bad talk."""
    from ..model import TimeoutStatus

    if cid == "again":
        run(b, "timeout", "")
        return True
    if on_after_bad(b, cid):
        return True
    if cid.startswith("sq.") and on_screen_choice(b, cid):
        return True
    if b.s.phase is Phase.RETURN:
        return False
    t = b.my_timeout()
    if cid == "r.ready":
        if t is None:
            b.say("return.too_late", (couple.again_choice(),),
                  name=b.ctx.partner.name if b.ctx.partner else "")
        else:
            run(b, "ready", "")
        return True
    if cid == "r.talking":
        if t is None or t.status is not TimeoutStatus.RETURNING or not couple.talking(b):
            b.say("return.too_late", (couple.again_choice(),),
                  name=b.ctx.partner.name if b.ctx.partner else "")
        return True
    return False


def _text(b: B, raw: str, reading: safety.Reading = ()) -> None:
    text = raw.strip()
    if not text:
        b.say("hint.empty")
        prompt(b)
        return
    level = safety.assess(reading).level
    phase = b.s.phase
    if level is safety.Level.CLEAR and phase not in (Phase.SAFETY, Phase.SAFETY_PLAN):
        to_safety(b)
        return
    if level is safety.Level.POSSIBLE and phase not in SAFE_PHASES:
        ask_safe(b)
        return
    if phase not in SAFE_PHASES and phase not in (Phase.CONTRACT_EDIT, Phase.PLAN_TOPIC) and is_help_word(text):
        if phase is Phase.BREATHE:  # a word on the side: the breathing goes on
            b.fx.append(Reply(Msg.of("help.text", emergency=countries.call_line(b.ctx.me.country)), aside=True))
        else:
            run(b, "help", "")
        return
    if phase in (Phase.IDLE, Phase.WAITING) and is_signal(text, b.ctx.contract.signal_phrase):
        run(b, "timeout", "")  # (while choosing the return time, "20 min pauze" is a return time)
        return
    row = ROWS[phase]
    if row.text is None or not row.text(b, text[:4096]):
        b.say(row.hint)
        prompt(b)
