"""The fight flow: one person's dialogue through a time-out, as a pure function.

Theory of operation
-------------------
`step(state, event, ctx)` takes what one person's dialogue looks like now (their `Session` and the
`Timeout` they are in), one input `Event` (a command, a button, a text, a timer that came due) and the
context (`now`, who they are, their partner, the contract) and returns the new state plus a tuple of
effects: replies to the person, notices to the partner, timers to start or cancel, facts to record.

The flow for one time-out:

    IDLE -> PAUSE_CHOOSE (return time) -> PAUSE_TENSION (0-10) -> BREATHE -> BREATHE_TENSION
         -> NAME_FEELING -> [NAME_UNDER] -> NAME_NEED -> PLAN_OPENER -> PLAN_TOPIC -> PLAN_PERSPECTIVE
         -> PLAN_OWN_PART -> WAITING -> RETURN -> IDLE (after-check pending) -> AFTER -> IDLE

The time-out starts (partner notice, return timers) as soon as the return time is chosen; everything after
that is for the person themselves and can be skipped. The return timer interrupts whatever step they are in.
The first time, CONSENT comes before anything personal is kept ("keep nothing" skips to breathing and the
wait). Beside the flow: SAFETY_ASK / SAFETY (reachable from everywhere), CHECK (the private check, which
keeps nothing), and CONTRACT_EDIT (typing a contract text). Pairing, the contract and its proposals are
commands and `ct.*` buttons that work in any phase outside SAFETY; the store resolves invite codes, the
couple and the history into `Ctx` before the step, so the core never does I/O.

Dispatch order, which is also the priority order: timers; safety (a danger signal in any text, the
"I don't feel safe" button, /safety) which overrides everything; global commands; then the transition table
`TABLE[(phase, event type)]`. Input the table does not take is answered with a short hint and the current
question again: user input never raises and never loses state. Only broken invariants raise.

Three rules are enforced here, in one place, rather than in each handler:
- while a person is in SAFETY (or being asked whether they are safe) no effect addresses the partner, and
  after any safety signal the partner is out of that time-out for good (see _leave_partner_out);
- at most NOTICE_LIMIT notices per hour go from one person to their partner (_limit_notices);
- no free text of a person is ever put in a message to someone else (notices carry only the bot's words,
  the person's name, a time, and the contract sentence they wrote for exactly that purpose).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import breathing, contract, couples, feelings, safety
from .effects import (
    CancelNotices,
    CancelTimer,
    Choice,
    CreateInvite,
    Decide,
    Effect,
    Export,
    Forget,
    JoinFailed,
    Msg,
    Notify,
    Pacer,
    Pair,
    Propose,
    RecordOutcome,
    Reply,
    SetProfile,
    StartTimer,
    Unpair,
)
from .events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired, TimerKind
from .model import (
    MAX_TEXT,
    Contract,
    Couple,
    Fact,
    Invite,
    Person,
    Phase,
    Plan,
    Role,
    State,
    Timeout,
    TimeoutStatus,
    evolve,
)
from .parse import fold, out_of_range_score, parse_return, parse_score, phrase_matches

NO_PLAN = Plan()
"""An empty plan (immutable, so one object serves everyone)."""
GRACE = timedelta(minutes=15)
"""How long a return ping waits before one re-ping, and the re-ping before the return counts as missed."""
AFTER_DELAY = timedelta(hours=2)
"""When to ask "how did the conversation go?" after coming back."""
LATE = timedelta(minutes=5)
"""A timer this much past due was held up (the bot was down): say so."""
AFTER_STALE = timedelta(hours=12)
MAX_KEPT = 5
LOCALES = ("nl", "en")

COMMANDS: dict[str, str] = {
    **dict.fromkeys(("timeout", "pauze", "pause", "time_out"), "timeout"),
    **dict.fromkeys(("breathe", "adem", "ademen"), "breathe"),
    **dict.fromkeys(("status",), "status"),
    **dict.fromkeys(("extend", "verleng", "verlengen"), "extend"),
    **dict.fromkeys(("ready", "klaar", "terug"), "ready"),
    **dict.fromkeys(("cancel", "stop", "annuleer", "annuleren"), "cancel"),
    **dict.fromkeys(("skip", "overslaan"), "skip"),
    **dict.fromkeys(("safety", "veilig", "sos"), "safety"),
    **dict.fromkeys(("help", "hulp"), "help"),
    **dict.fromkeys(("start",), "start"),
    **dict.fromkeys(("language", "taal"), "language"),
    **dict.fromkeys(("timezone", "tijdzone"), "timezone"),
    **dict.fromkeys(("pair", "koppel", "koppelen", "invite", "uitnodigen"), "pair"),
    **dict.fromkeys(("join", "doemee", "meedoen"), "join"),
    **dict.fromkeys(("unpair", "ontkoppel", "ontkoppelen"), "unpair"),
    **dict.fromkeys(("contract", "afspraken", "afspraak"), "contract"),
    **dict.fromkeys(("accept", "akkoord", "accepteer"), "accept"),
    **dict.fromkeys(("reject", "afwijzen", "wijsaf"), "reject"),
    **dict.fromkeys(("withdraw", "intrekken", "trekin"), "withdraw"),
    **dict.fromkeys(("patterns", "patronen"), "patterns"),
    **dict.fromkeys(("country", "land"), "country"),
    **dict.fromkeys(("check", "toets", "checkin"), "check"),
    **dict.fromkeys(("export", "exporteer", "mijngegevens"), "export"),
    **dict.fromkeys(("forget", "vergeet", "wis"), "forget"),
}
"""Every command name people may type (Dutch aliases included), to its one canonical name."""

SAFE_IN_SAFETY = frozenset({"help", "language", "timezone", "safety", "forget", "export", "unpair", "country"})
"""Commands that work while someone is in SAFETY: help, settings, and the ways out (erase, unpair)."""

DEFAULT_SIGNALS = ("ik neem een time-out", "i'm taking a time-out", "ik neem een time out", "im taking a time out")


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a step may know besides the state: the time, who acts, their partner and their contract."""

    now: datetime
    me: Person
    partner: Person | None = None
    contract: Contract = contract.DEFAULT
    couple: Couple | None = None  # the couple with its proposal; partner and contract above mirror it
    invite: Invite | None = None  # for /join and /start CODE: what the shell found for the code
    join_failures: int = 0  # failed joins by this person in the last JOIN_WINDOW
    fresh_code: str = ""  # for /pair: a new random invite code drawn by the shell
    history: tuple[Fact, ...] = ()  # for /patterns: this person's time-outs of the last 90 days


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    effects: tuple[Effect, ...]


class _B:
    """A step under construction: the new session and time-out, and the effects so far."""

    __slots__ = ("ctx", "fx", "s", "t")

    def __init__(self, state: State, ctx: Ctx) -> None:
        self.s = state.session
        self.t = state.timeout
        self.ctx = ctx
        self.fx: list[Effect] = []

    # -- small verbs -------------------------------------------------------------------------------------
    def say(self, key: str, choices: tuple[Choice, ...] = (), pacer: Pacer | None = None, **p: object) -> None:
        self.fx.append(Reply(Msg.of(key, **p), choices, pacer))  # type: ignore[arg-type]

    def go(self, phase: Phase, **changes: object) -> None:
        self.set(phase=phase, **changes)

    def set(self, **changes: Any) -> None:
        self.s = evolve(self.s, **changes)

    def plan(self, **changes: object) -> None:
        self.set(plan=evolve(self.s.plan, **changes))

    @property
    def now(self) -> datetime:
        return self.ctx.now

    @property
    def me(self) -> int:
        return self.ctx.me.id

    def my_timeout(self) -> Timeout | None:
        """The active time-out this person is part of, if any."""
        t = self.t
        if t is None or not t.status.active or self.me not in (t.initiator, t.partner):
            return None
        return t

    def other(self) -> int | None:
        t = self.t
        if t is None:
            return self.ctx.partner.id if self.ctx.partner else None
        return t.partner if t.initiator == self.me else t.initiator

    def tell_partner(self, key: str, choices: tuple[Choice, ...] = (), **p: object) -> None:
        """A notice to the partner about this time-out: the bot's words, name and times only."""
        to = self.other()
        if to is None or self.t is None:
            return
        params = {"name": self.ctx.me.name or "", **p}
        self.fx.append(Notify(to, Msg.of(key, **params), choices, tag=self.t.id))  # type: ignore[arg-type]


# -- choices ------------------------------------------------------------------------------------------------

_PLAIN: dict[tuple[str, str], Choice] = {}


def _c(cid: str, key: str, **p: str | int | datetime | Msg) -> Choice:
    if p:
        return Choice(cid, Msg.of(key, **p))
    plain = _PLAIN.get((cid, key))  # buttons without parameters are built once (ids come from constants)
    if plain is None:
        plain = _PLAIN[(cid, key)] = Choice(cid, Msg(key))
    return plain


SAFETY_BUTTON = _c("safety", "choice.safety")
SKIP = _c("skip", "choice.skip")


@cache
def _dur(d: timedelta) -> Msg:
    minutes = int(d.total_seconds() // 60)
    if minutes % 60 == 0:
        return Msg.of("dur.hours", n=minutes // 60)
    if minutes > 60:
        return Msg.of("dur.hours_minutes", h=minutes // 60, m=minutes % 60)
    return Msg.of("dur.minutes", n=minutes)


@cache
def _scores(prefix: str = "t") -> tuple[Choice, ...]:
    return tuple(_c(f"{prefix}.{i}", "choice.number", n=i) for i in range(11))


# The buttons that never change, built once.
_SCORE_IDS = frozenset(str(i) for i in range(11))
IDLE_CHOICES = (_c("go.timeout", "choice.timeout"), _c("go.breathe", "choice.breathe"), _c("go.help", "choice.help"))
SCORE_CHOICES = (*_scores(), SKIP, SAFETY_BUTTON)
FEELING_CHOICES = (*(_c(f"f.{f}", f"feeling.{f}") for f in feelings.FEELINGS), SKIP, SAFETY_BUTTON)
UNDER_CHOICES = (*(_c(f"u.{f}", f"feeling.{f}") for f in feelings.UNDER), _c("u.none", "choice.under.none"),
                 SKIP, SAFETY_BUTTON)
NEED_CHOICES = (*(_c(f"n.{n}", f"need.{n}") for n in feelings.NEEDS), SKIP, SAFETY_BUTTON)
PERSPECTIVE_CHOICES = (*(_c(f"pf.{f}", f"feeling.{f}") for f in feelings.FEELINGS), SKIP, SAFETY_BUTTON)
OWN_CHOICES = (*(_c(f"own.{o}", f"own.{o}") for o in feelings.OWN_PARTS), SKIP, SAFETY_BUTTON)


# -- prompts: the question of each phase, asked on entry and again after a hint ---------------------------

def _prompt(b: _B) -> None:
    PROMPTS[b.s.phase](b)


def _p_idle(b: _B) -> None:
    b.say("idle.prompt", IDLE_CHOICES)


def _return_choices(b: _B) -> tuple[Choice, ...]:
    out = []
    for cid, d in contract.offers(b.ctx.contract, b.now, b.ctx.me.tz):
        if isinstance(d, datetime):
            out.append(_c(cid, "choice.ret.morning", time=d))
        else:
            out.append(_duration_choice(cid, d, d == b.ctx.contract.default_break))
    return (*out, _c("go.cancel", "choice.not_now"), SAFETY_BUTTON)


@cache
def _duration_choice(cid: str, d: timedelta, usual: bool) -> Choice:
    return _c(cid, "choice.ret.default" if usual else "choice.ret.plain", dur=_dur(d))


def _p_pause_choose(b: _B) -> None:
    c = b.ctx.contract
    b.say("pause.when", _return_choices(b), min=_dur(c.min_break), max=_dur(c.max_break))


def _p_tension(b: _B) -> None:
    b.say("tension.ask.start", SCORE_CHOICES)


@cache
def _breathe_choices(current: str) -> tuple[Choice, ...]:
    others = tuple(_c(f"br.p.{p}", f"pattern.{p}.name") for p in breathing.PATTERNS if p != current)
    return (_c("br.again", "choice.breathe_again"), _c("br.next", "choice.breathe_next"), *others,
            SAFETY_BUTTON)


def _p_breathe(b: _B) -> None:
    pattern = breathing.PATTERNS[b.s.pattern]
    b.say("breathe.round", _breathe_choices(b.s.pattern), Pacer(pattern.id, pattern.cycles),
          pattern=Msg.of(f"pattern.{pattern.id}.name"), how=Msg.of(f"pattern.{pattern.id}.how"))


def _p_breathe_tension(b: _B) -> None:
    before = b.s.plan.tension_start
    if before is None:
        b.say("tension.ask.after", SCORE_CHOICES)
    else:
        b.say("tension.ask.after_was", SCORE_CHOICES, before=before)


def _p_feeling(b: _B) -> None:
    b.say("name.feeling.ask", FEELING_CHOICES)


def _p_under(b: _B) -> None:
    b.say("name.under.ask", UNDER_CHOICES,
          feeling=Msg.of(f"feeling.{b.s.plan.feeling or 'angry'}"))


def _p_need(b: _B) -> None:
    b.say("name.need.ask", NEED_CHOICES)


def _opener(plan: Plan) -> Msg:
    f = plan.under if plan.under and plan.under != "none" else plan.feeling
    feeling = Msg.of(f"feeling.{f}") if f else Msg.of("opener.gap")
    if not plan.need:
        return Msg.of("opener.template_open", feeling=feeling)
    return Msg.of("opener.template", feeling=feeling, need=Msg.of(f"need.{plan.need}"))


def _p_opener(b: _B) -> None:
    b.say("plan.opener.ask", (_c("op.use", "choice.opener.use"), SKIP, SAFETY_BUTTON),
          opener=_opener(b.s.plan))


def _p_topic(b: _B) -> None:
    b.say("plan.topic.ask", (SKIP, SAFETY_BUTTON))


def _p_perspective(b: _B) -> None:
    b.say("plan.perspective.ask", PERSPECTIVE_CHOICES)


def _p_own_part(b: _B) -> None:
    b.say("plan.own.ask", OWN_CHOICES)


def _waiting_choices(b: _B) -> tuple[Choice, ...]:
    t = b.my_timeout()
    return _waiting_set(b.ctx.contract.extension if t is not None and _can_extend(b, t) else None)


@cache
def _waiting_set(extension: timedelta | None) -> tuple[Choice, ...]:
    """The buttons while a break runs; with "N min more" only while an extension is left (a handful of sets)."""
    out = [_c("w.breathe", "choice.breathe"), _c("w.selfcare", "choice.selfcare"), _c("w.status", "choice.status")]
    if extension is not None:
        out.append(_c("w.extend", "choice.extend", dur=_dur(extension)))
    out += [_c("w.ready", "choice.ready_early"), _c("w.cancel", "choice.end_break"), SAFETY_BUTTON]
    return tuple(out)


def _can_extend(b: _B, t: Timeout) -> bool:
    base = max(t.return_at, b.now)
    return contract.can_extend(b.ctx.contract, t.extensions_used, t.started_at, base)


def _p_waiting(b: _B) -> None:
    t = b.my_timeout()
    if t is None:  # the time-out ended while this person was elsewhere: its private words go with it
        b.go(Phase.IDLE, plan=NO_PLAN, pending=None)
        _p_idle(b)
        return
    b.say("waiting.prompt", _waiting_choices(b), time=t.return_at)


def _return_ping_choices(b: _B) -> tuple[Choice, ...]:
    t = b.my_timeout()
    more: tuple[Choice, ...] = ()
    if t is not None and _can_extend(b, t):
        more = (_c("r.more", "choice.more_time", dur=_dur(b.ctx.contract.extension)),)
    return (_c("r.ready", "choice.ready"), *more, SAFETY_BUTTON)


def _p_return(b: _B) -> None:
    t = b.t
    b.say("return.ping", _return_ping_choices(b), time=t.return_at if t else b.now)


def _p_after(b: _B) -> None:
    b.say("after.ask", (_c("a.good", "choice.after.good"), _c("a.soso", "choice.after.soso"),
                        _c("a.bad", "choice.after.bad"), SAFETY_BUTTON))


def _p_safety_ask(b: _B) -> None:
    b.say("safety.ask", (_c("sa.yes", "choice.safe.yes"), _c("sa.no", "choice.safe.no"),
                         _c("sa.skip", "choice.safe.skip")))


def _p_safety(b: _B) -> None:
    country = b.ctx.me.country
    options = [_c("safety.continue", "choice.safe.continue"), _c("fg.ask", "choice.forget")]
    if b.ctx.couple is not None:
        options.append(_c("safety.unpair", "choice.unpair"))
    b.say("safety.screen", tuple(options), emergency=safety.emergency_number(country), resources=_help_lines(country))


def _help_lines(country: str) -> tuple[Msg, ...]:
    """The helplines of a country (what each is for, when it is open), then the international directory."""
    lines = [
        Msg.of("safety.resource", name=Msg.of(f"help.{r.id}.name"), what=Msg.of(f"help.{r.id}.what"),
               reach=r.phone or r.url)
        for r in safety.resources_for(country)
        if not r.id.endswith(".emergency")  # the screen names the emergency number itself
    ]
    if country.upper() in safety.COUNTRIES:
        lines.append(Msg.of("safety.directory"))
    return tuple(lines)


PROMPTS: dict[Phase, Callable[[_B], None]] = {
    Phase.IDLE: _p_idle,
    Phase.PAUSE_CHOOSE: _p_pause_choose,
    Phase.PAUSE_TENSION: _p_tension,
    Phase.BREATHE: _p_breathe,
    Phase.BREATHE_TENSION: _p_breathe_tension,
    Phase.NAME_FEELING: _p_feeling,
    Phase.NAME_UNDER: _p_under,
    Phase.NAME_NEED: _p_need,
    Phase.PLAN_OPENER: _p_opener,
    Phase.PLAN_TOPIC: _p_topic,
    Phase.PLAN_PERSPECTIVE: _p_perspective,
    Phase.PLAN_OWN_PART: _p_own_part,
    Phase.WAITING: _p_waiting,
    Phase.RETURN: _p_return,
    Phase.AFTER: _p_after,
    Phase.SAFETY_ASK: _p_safety_ask,
    Phase.SAFETY: _p_safety,
}

FLOW = (Phase.PAUSE_TENSION, Phase.BREATHE, Phase.BREATHE_TENSION, Phase.NAME_FEELING, Phase.NAME_UNDER,
        Phase.NAME_NEED, Phase.PLAN_OPENER, Phase.PLAN_TOPIC, Phase.PLAN_PERSPECTIVE, Phase.PLAN_OWN_PART)
"""The steps a person goes through during a running time-out, before WAITING."""


def _enter(b: _B, phase: Phase, **changes: object) -> None:
    b.go(phase, **changes)
    _prompt(b)


# -- starting, changing and ending a time-out ------------------------------------------------------------

def _clip(b: _B, text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        b.say("text.clipped", n=MAX_TEXT)
        return text[:MAX_TEXT]
    return text


def _arm(b: _B, t: Timeout, who: tuple[int | None, ...], kind: TimerKind, at: datetime) -> None:
    for u in who:
        if u is not None:
            b.fx.append(StartTimer(u, kind, t.id, at))


def _disarm(b: _B, t: Timeout, who: tuple[int | None, ...], *kinds: TimerKind) -> None:
    for u in who:
        if u is not None:
            b.fx.extend(CancelTimer(u, k, t.id) for k in kinds)


def _start(b: _B, at: datetime) -> None:
    """The return time is chosen: the time-out starts now (or merges into the partner's)."""
    ctx = b.ctx
    running = b.t if b.t is not None and b.t.status is TimeoutStatus.RUNNING else None
    if running is not None and b.me in (running.initiator, running.partner):
        # Both asked for a break at once: one time-out, the earlier return time.
        merged = min(running.return_at, at)
        b.t = evolve(running, return_at=merged)
        b.set(timeout_id=running.id, role=Role.INITIATOR, plan=NO_PLAN, keep=True)
        if merged != running.return_at:
            _arm(b, b.t, (running.initiator, running.partner), TimerKind.RETURN, merged)
            b.tell_partner("notice.merged", time=merged)
        b.say("start.merged", time=merged)
        _enter_flow(b, Phase.PAUSE_TENSION)
        return
    if b.s.after_for is not None:
        b.fx.append(CancelTimer(b.me, TimerKind.AFTER, b.s.after_for))
    tid = f"{ctx.me.id}-{int(b.now.timestamp() * 1000)}"
    partner = ctx.partner.id if ctx.partner else None
    b.t = Timeout(tid, ctx.me.id, partner, b.now, at)
    b.set(timeout_id=tid, role=Role.INITIATOR, plan=NO_PLAN, after_for=None, pending=None, keep=True)
    _arm(b, b.t, (b.me, partner), TimerKind.RETURN, at)
    sentence = ctx.contract.sentence_of(b.me)
    if partner is not None and ctx.contract.notify_partner:
        b.t = evolve(b.t, notified=True)
        b.tell_partner("notice.start", (_c("p.start", "choice.partner.start"),), time=at,
                       sentence=sentence or Msg.of("notice.no_sentence"))
        b.say("start.told", time=at)
    else:
        b.say("start.solo" if partner is None else "start.not_told", time=at, text=Msg.of("notice.solo", time=at))
    _enter_flow(b, Phase.PAUSE_TENSION)


def _end(b: _B, status: TimeoutStatus) -> None:
    t = b.t
    assert t is not None
    b.t = evolve(t, status=status, ended_at=b.now)
    _disarm(b, t, (t.initiator, t.partner), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)


def _record(b: _B, outcome: str | None) -> None:
    if b.t is None:
        return
    p = b.s.plan if b.s.keep else NO_PLAN
    b.fx.append(RecordOutcome(b.t.id, b.me, b.s.role.value, outcome, p.tension_start, p.tension_after,
                              p.feeling, p.under, p.need))


def _ready(b: _B) -> None:
    """This person is ready to talk again (at or after the return time, or early after the minimum)."""
    t = b.t
    assert t is not None
    card = _card(b.s.plan)
    t = evolve(t, ready=t.ready | {b.me})
    b.t = t
    members = {u for u in (t.initiator, t.partner) if u is not None}
    if members <= t.ready:  # _end cancels everyone's return timers
        _end(b, TimeoutStatus.RETURNED)
        b.tell_partner("notice.both_ready")
        b.say("return.card", card=card)
    else:
        _disarm(b, t, (b.me,), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
        if t.status is TimeoutStatus.RUNNING:  # early: bring the partner's return forward to now
            b.t = evolve(t, status=TimeoutStatus.RETURNING)
            _arm(b, t, (b.other(),), TimerKind.RETURN, b.now)
        b.say("return.card", card=card)
        b.say("return.wait_partner")
    _record(b, None)
    after = contract.after_quiet(b.ctx.contract, b.now + AFTER_DELAY, b.ctx.me.tz)
    b.fx.append(StartTimer(b.me, TimerKind.AFTER, t.id, after))
    b.go(Phase.IDLE, plan=NO_PLAN, after_for=t.id, pending=None, resume=None)


def _card(p: Plan) -> tuple[Msg, ...]:
    """The private plan card: what this person prepared, shown back to them only."""
    lines: list[Msg] = []
    opener = p.opener
    if opener == "":  # they chose the suggested opener
        lines.append(Msg.of("card.opener", text=_opener(p)))
    elif opener:
        lines.append(Msg.of("card.opener", text=opener))
    if p.topic:
        lines.append(Msg.of("card.topic", text=p.topic))
    if p.perspective:
        persp = _vocab(p.perspective, "pf.", feelings.FEELINGS, "feeling")
        lines.append(Msg.of("card.perspective", text=persp))
    if p.own_part:
        own = _vocab(p.own_part, "own.", feelings.OWN_PARTS, "own")
        lines.append(Msg.of("card.own_part", text=own))
    lines.extend(Msg.of("card.kept", text=k) for k in p.kept)
    lines.append(Msg.of("card.rule"))
    return tuple(lines)


def _vocab(value: str, prefix: str, vocab: tuple[str, ...], family: str) -> Msg | str:
    """A stored answer: a vocabulary choice (rendered in the reader's language) or the person's own words."""
    word = value.removeprefix(prefix)
    return Msg.of(f"{family}.{word}") if value.startswith(prefix) and word in vocab else value


# -- safety ---------------------------------------------------------------------------------------------

def _to_safety(b: _B) -> None:
    """Stop everything: no word to the partner, no nudges; show help. Reversible only by the person."""
    if b.s.phase not in (Phase.SAFETY, Phase.SAFETY_ASK):
        resume: Phase = b.s.phase
        if resume is Phase.BREATHE and b.s.resume is not None:
            resume = b.s.resume
        b.set(resume=resume)
    _leave_partner_out(b)
    t = b.my_timeout()
    if t is not None:
        _disarm(b, t, (b.me,), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
    if b.s.after_for is not None:
        b.fx.append(CancelTimer(b.me, TimerKind.AFTER, b.s.after_for))
    _enter(b, Phase.SAFETY, safety_hold=True, pending=None)


def _ask_safe(b: _B) -> None:
    if b.s.phase not in (Phase.SAFETY, Phase.SAFETY_ASK):
        b.set(resume=b.s.phase)
    _leave_partner_out(b)
    _enter(b, Phase.SAFETY_ASK, safety_hold=True, pending=None)


def _leave_partner_out(b: _B) -> None:
    """After any safety signal the partner is out of this time-out, for good: an undelivered notice is
    cancelled, their reminders stop, and nothing about it (not even a return ping) ever reaches them.
    If the person continues ("I'm safe"), the time-out goes on for them alone."""
    t = b.my_timeout()
    if t is None or t.partner is None:
        return
    other = b.other()
    b.fx.append(CancelNotices(t.id))
    _disarm(b, t, (other,), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
    if b.me == t.initiator:
        b.t = evolve(t, partner=None, ready=t.ready - {t.partner})
    else:  # the one left behind steps out; the other's time-out goes on as it was
        b.t = evolve(t, partner=None, ready=t.ready - {b.me})
        b.set(timeout_id=None)


def _continue(b: _B) -> None:
    """'I'm safe, continue': back where they were. Cancelled notices stay cancelled; the partner stays out."""
    resume = b.s.resume or Phase.IDLE
    b.set(safety_hold=False, resume=None)
    t = b.my_timeout()
    if t is not None and t.status is TimeoutStatus.RUNNING:
        _arm(b, t, (b.me,), TimerKind.RETURN, max(t.return_at, b.now))
    elif resume in (Phase.RETURN,) and t is not None:
        _arm(b, t, (b.me,), TimerKind.REPING, b.now + GRACE)
    if t is None and resume in (*FLOW, Phase.WAITING, Phase.RETURN):
        resume = Phase.IDLE
    b.say("safety.continued")
    _enter(b, resume)


# -- global commands ------------------------------------------------------------------------------------

def _cmd_timeout(b: _B) -> None:
    t = b.my_timeout()
    if t is not None and (b.s.timeout_id == t.id or t.status is TimeoutStatus.RETURNING):
        b.say("timeout.already", time=t.return_at)
        _prompt(b)
        return
    _enter(b, Phase.PAUSE_CHOOSE, resume=None, pending=None)


def _cmd_breathe(b: _B) -> None:
    if b.s.phase is Phase.BREATHE:
        _prompt(b)
        return
    _enter(b, Phase.BREATHE, resume=b.s.phase, rounds=0)


def _cmd_status(b: _B) -> None:
    t = b.my_timeout()
    if t is None:
        b.say("status.none")
        return
    left = max(timedelta(0), t.return_at - b.now)
    b.say("status.running", time=t.return_at, left=_dur(timedelta(minutes=-(-left.total_seconds() // 60))))


def _cmd_extend(b: _B) -> None:
    t = b.my_timeout()
    if t is None:
        b.say("extend.no_timeout")
        _prompt(b)
        return
    c = b.ctx.contract
    if not _can_extend(b, t):
        b.say("extend.none_left", n=c.extensions, max=_dur(c.max_break))
        _prompt(b)
        return
    at = max(t.return_at, b.now) + c.extension
    b.t = evolve(t, return_at=at, extensions_used=t.extensions_used + 1, status=TimeoutStatus.RUNNING)
    _disarm(b, t, (t.initiator, t.partner), TimerKind.REPING, TimerKind.MISSED)
    _arm(b, b.t, (t.initiator, t.partner), TimerKind.RETURN, at)
    b.tell_partner("notice.extended", time=at)
    b.say("extend.ok", time=at)
    if b.s.phase is Phase.RETURN:
        _enter(b, Phase.WAITING)
    else:
        _prompt(b)


def _cmd_ready(b: _B) -> None:
    t = b.my_timeout()
    if t is None:
        b.say("ready.no_timeout")
        _prompt(b)
        return
    earliest = t.started_at + b.ctx.contract.min_break
    if t.status is TimeoutStatus.RUNNING and b.now < earliest:
        b.say("ready.too_soon", time=earliest, min=_dur(b.ctx.contract.min_break))
        _prompt(b)
        return
    if t.status is TimeoutStatus.RUNNING:
        b.tell_partner("notice.ready_early")
    _ready(b)


def _cmd_cancel(b: _B) -> None:
    phase = b.s.phase
    t = b.my_timeout()
    if phase is Phase.BREATHE and b.s.resume is not None:
        _enter(b, b.s.resume, resume=None)
    elif phase is Phase.PAUSE_CHOOSE:
        b.say("cancel.not_started")
        _enter(b, Phase.WAITING if t is not None else Phase.IDLE)
    elif phase in FLOW and t is not None:
        b.say("cancel.to_waiting")
        _enter(b, Phase.WAITING)
    elif phase is Phase.WAITING and t is not None:
        b.say("cancel.confirm", (_c("w.cancel.yes", "choice.end_break_yes"), _c("w.keep", "choice.keep_break")),
              time=t.return_at)
    elif phase is Phase.AFTER:
        b.say("after.skipped")
        _enter(b, Phase.IDLE, after_for=None)
    else:
        b.say("cancel.nothing")
        _prompt(b)


def _end_break(b: _B) -> None:
    t = b.my_timeout()
    if t is None:
        _enter(b, Phase.IDLE)
        return
    _end(b, TimeoutStatus.CANCELLED)
    b.tell_partner("notice.cancelled")
    _record(b, "cancelled")
    b.say("cancel.done")
    _enter(b, Phase.IDLE, plan=NO_PLAN, pending=None)


def _cmd_help(b: _B) -> None:
    b.say("help.text", emergency=safety.emergency_number(b.ctx.me.country))
    _prompt(b)


def _cmd_start(b: _B, arg: str = "") -> None:
    if arg.strip():  # a deep link: /start CODE joins a couple
        _cmd_join(b, arg)
        return
    if b.ctx.me.consented:
        b.say("welcome", emergency=safety.emergency_number(b.ctx.me.country))
    else:  # onboarding asks for explicit consent before anything personal is kept
        b.say("welcome", emergency=safety.emergency_number(b.ctx.me.country))
        b.say("consent.onboarding", (_c("cs.yes", "choice.consent.yes"), _c("cs.no", "choice.consent.no")))
        return
    _prompt(b)


def _cmd_language(b: _B, arg: str) -> None:
    want = fold(arg)[:2]
    if want not in LOCALES:
        b.say("language.ask", (_c("lang.nl", "language.nl"), _c("lang.en", "language.en")))
        return
    _set_language(b, want)


def _set_language(b: _B, locale: str) -> None:
    b.fx.append(SetProfile(locale=locale))
    b.say("language.set", lang=Msg.of(f"language.{locale}"))


def _cmd_timezone(b: _B, arg: str) -> None:
    name = arg.strip()
    try:
        if not name or len(name) > 64 or ".." in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        b.say("timezone.bad", example="Europe/Amsterdam", current=b.ctx.me.tz)
        return
    b.fx.append(SetProfile(tz=name))
    b.say("timezone.set", tz=name)


def _command(b: _B, ev: CommandReceived) -> None:
    name = COMMANDS.get(ev.name) or COMMANDS.get(fold(ev.name))  # most commands come exactly as listed
    if name is None:
        b.say("hint.unknown_command", name=ev.name[:32])
        _prompt(b)
        return
    if b.s.phase is Phase.SAFETY and name not in SAFE_IN_SAFETY:
        b.say("safety.still", (_c("safety.continue", "choice.safe.continue"),))
        return
    if b.s.phase is Phase.SAFETY_ASK and name not in SAFE_IN_SAFETY:
        b.say("hint.answer_first")
        _prompt(b)
        return
    if name == "safety":
        _to_safety(b)
    elif name == "timeout":
        _cmd_timeout(b)
    elif name == "breathe":
        _cmd_breathe(b)
    elif name == "status":
        _cmd_status(b)
    elif name == "extend":
        _cmd_extend(b)
    elif name == "ready":
        _cmd_ready(b)
    elif name == "cancel":
        _cmd_cancel(b)
    elif name == "skip":
        if not _skip(b):
            b.say("hint.cannot_skip")
            _prompt(b)
    elif name == "help":
        _cmd_help(b)
    elif name == "start":
        _cmd_start(b, ev.arg)
    elif name == "language":
        _cmd_language(b, ev.arg)
    elif name == "timezone":
        _cmd_timezone(b, ev.arg)
    elif name in COUPLE_COMMANDS:
        COUPLE_COMMANDS[name](b, ev.arg)


# -- couples: pairing, the contract, patterns ----------------------------------------------------------------

def _limit_notices(b: _B, effects: tuple[Effect, ...]) -> tuple[Effect, ...]:
    """At most NOTICE_LIMIT notices to the partner per NOTICE_WINDOW: the bot is no way to flood someone."""
    now = int(b.now.timestamp())
    recent = [t for t in b.s.notices if now - t < couples.NOTICE_WINDOW.total_seconds()]
    kept: list[Effect] = []
    dropped = False
    for e in effects:
        if isinstance(e, Notify):
            if len(recent) >= couples.NOTICE_LIMIT:
                dropped = True
                continue
            recent.append(now)
        kept.append(e)
    b.set(notices=tuple(recent))
    if dropped:
        kept.append(Reply(Msg.of("notices.limited")))
    return tuple(kept)


def _notify(b: _B, to: int, key: str, choices: tuple[Choice, ...] = (), **p: object) -> None:
    """A notice to someone else that is not about a time-out (pairing, the contract)."""
    params = {"name": b.ctx.me.name or "", **p}
    b.fx.append(Notify(to, Msg.of(key, **params), choices))  # type: ignore[arg-type]


def _decide_choices(version: int) -> tuple[Choice, ...]:
    return (_c(f"ct.accept.{version}", "choice.contract.accept"), _c(f"ct.reject.{version}", "choice.contract.reject"))


def _cmd_pair(b: _B, arg: str) -> None:
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
    b.say("pair.code", (_c(f"link.start.{code}", "choice.pair.link"),), code=couples.show_code(code),
          until=b.now + couples.INVITE_TTL)


def _cmd_join(b: _B, arg: str) -> None:
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
    b.fx.append(Pair(inv.owner, code, first))
    _notify(b, inv.owner, "pair.joined")
    b.say("join.ok")
    b.say("contract.first", _decide_choices(1), lines=_contract_lines(first, b.me, None))


def _cmd_unpair(b: _B, arg: str) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("unpair.none")
        return
    b.fx.append(Unpair(couple.id))
    t = b.my_timeout()
    if t is not None and t.partner is not None:  # a running time-out goes on for one, or ends for the one leaving
        other = couple.partner.id
        _disarm(b, t, (other,), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
        b.fx.append(CancelNotices(t.id))
        if t.initiator == b.me:
            b.t = evolve(t, partner=None)
        else:
            b.t = evolve(t, partner=None)
            _disarm(b, t, (b.me,), TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
            b.set(timeout_id=None, plan=NO_PLAN)
            if b.s.phase in (*FLOW, Phase.WAITING, Phase.RETURN):
                b.go(Phase.IDLE)
    b.fx.append(Notify(couple.partner.id, Msg.of("unpair.notice", name=b.ctx.me.name or ""), neutral=True))
    b.say("unpair.done")


def _contract_lines(c: Contract, me: int, partner: int | None) -> tuple[Msg, ...]:
    """The contract in plain words, one line a field."""
    lines = [
        Msg.of("contract.line.breaks", min=_dur(c.min_break), default=_dur(c.default_break), max=_dur(c.max_break)),
        Msg.of("contract.line.extensions", n=c.extensions, dur=_dur(c.extension)) if c.extensions
        else Msg.of("contract.line.no_extensions"),
        Msg.of("contract.line.notify_yes" if c.notify_partner else "contract.line.notify_no"),
        Msg.of("contract.line.signal", text=c.signal_phrase) if c.signal_phrase
        else Msg.of("contract.line.signal_default"),
    ]
    mine, theirs = c.sentence_of(me), (c.sentence_of(partner) if partner is not None else "")
    lines.append(Msg.of("contract.line.my_sentence", text=mine) if mine else Msg.of("contract.line.no_sentence"))
    if theirs:
        lines.append(Msg.of("contract.line.their_sentence", text=theirs))
    if c.rules:
        lines.append(Msg.of("contract.line.rules",
                            rules=tuple(Msg.of(f"contract.rule.{r}") for r in couples.RULES if r in c.rules)))
    quiet = couples.quiet_text(c)
    lines.append(Msg.of("contract.line.quiet", hours=quiet) if quiet else Msg.of("contract.line.no_quiet"))
    return tuple(lines)


def _cmd_contract(b: _B, arg: str) -> None:
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
        b.say("contract.solo", lines=_contract_lines(b.ctx.contract, b.me, None))
        return
    choices = [_c("ct.edit", "choice.contract.edit")]
    p = couple.proposal
    if p is not None and p.by != b.me:
        choices = list(_decide_choices(p.version))
    elif p is not None:
        choices.append(_c(f"ct.withdraw.{p.version}", "choice.contract.withdraw"))
    b.say("contract.show", tuple(choices), version=couple.version,
          lines=_contract_lines(couple.contract, b.me, partner))
    if p is not None:
        b.say("contract.proposal.mine" if p.by == b.me else "contract.proposal.theirs",
              name=couple.partner.name or "", lines=_contract_lines(p.contract, b.me, partner))


def _propose_change(b: _B, field: str, value: str) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.not_paired")
        return
    p = couple.proposal
    if p is not None and p.by != b.me:
        b.say("contract.theirs_open", _decide_choices(p.version), name=couple.partner.name or "")
        return
    base = p.contract if p is not None else couple.contract
    result = couples.change(base, field, value, b.me)
    if isinstance(result, str):
        lo, hi = contract.MIN_BREAK_BOUNDS
        b.say(result, lo=_dur(lo), hi=_dur(hi), max=_dur(contract.MAX_BREAK_CEILING),
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
    lines = _contract_lines(result, couple.partner.id, b.me)
    _notify(b, couple.partner.id, "contract.proposed", _decide_choices(version), lines=lines)
    b.say("contract.sent", (_c(f"ct.withdraw.{version}", "choice.contract.withdraw"),), name=couple.partner.name or "")


def _decide(b: _B, decision: str, version: int | None) -> None:
    couple = b.ctx.couple
    if couple is None:
        b.say("contract.not_paired")
        return
    p = couple.proposal
    if p is None:
        b.say("contract.no_proposal")
        return
    if version is not None and version != p.version:
        b.say("contract.stale")
        return
    if decision == "withdrawn" and p.by != b.me:
        b.say("contract.not_yours")
        return
    if decision != "withdrawn" and p.by == b.me:
        b.say("contract.own_proposal", name=couple.partner.name or "")
        return
    b.fx.append(Decide(couple.id, p.version, decision))
    _notify(b, couple.partner.id, f"contract.{decision}.notice")
    b.say(f"contract.{decision}")


def _contract_choice(b: _B, c: str) -> None:
    parts = c.split(".")
    if len(parts) == 3 and parts[1] in ("accept", "reject", "withdraw") and parts[2].isdigit() and len(parts[2]) < 9:
        decision = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}[parts[1]]
        _decide(b, decision, int(parts[2]))
    elif c == "ct.edit":
        if b.ctx.couple is None:
            b.say("contract.not_paired")
            return
        b.say("contract.pick", tuple(_c(f"ct.f.{f}", f"contract.field.{f}") for f in couples.FIELDS))
    elif len(parts) == 3 and parts[1] == "f" and parts[2] in couples.FIELDS:
        field = parts[2]
        if b.ctx.couple is None:
            b.say("contract.not_paired")
        elif field in couples.TEXT_FIELDS:
            resume = b.s.phase if b.s.phase is not Phase.CONTRACT_EDIT else b.s.resume
            _enter(b, Phase.CONTRACT_EDIT, editing=field, resume=resume)
        else:
            values = couples.VALUES[field]
            b.say(f"contract.ask.{field}",
                  tuple(_c(f"ct.v.{field}.{v}", _value_label(field, v), **_value_params(field, v)) for v in values))
    elif len(parts) >= 4 and parts[1] == "v" and parts[2] in couples.VALUES \
            and ".".join(parts[3:]) in couples.VALUES[parts[2]]:
        field, value = parts[2], ".".join(parts[3:])
        _propose_change(b, field, value if field not in ("min", "default", "max") else f"{value} min")
    else:
        b.say("hint.stale")
        _prompt(b)


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
        return {"dur": _dur(timedelta(minutes=int(value)))}
    if _value_label(field, value) == "contract.value.plain":
        return {"text": value}
    return {}


def _p_contract_edit(b: _B) -> None:
    b.say(f"contract.type.{b.s.editing or 'signal'}", (_c("go.cancel", "choice.not_now"),))


def _contract_edit_text(b: _B, text: str) -> bool:
    field = b.s.editing or "signal"
    resume = b.s.resume or Phase.IDLE
    b.set(editing=None, resume=None)
    b.go(resume)
    _propose_change(b, field, text[:contract.SENTENCE_MAX + 1])
    return True


def _contract_edit_choice(b: _B, c: str) -> bool:
    if c != "go.cancel":
        return False
    resume = b.s.resume or Phase.IDLE
    b.say("contract.edit_cancelled")
    _enter(b, resume, editing=None, resume=None)
    return True


def _cmd_accept(b: _B, arg: str) -> None:
    _decide(b, "accepted", None)


def _cmd_reject(b: _B, arg: str) -> None:
    _decide(b, "rejected", None)


def _cmd_withdraw(b: _B, arg: str) -> None:
    _decide(b, "withdrawn", None)


def _cmd_patterns(b: _B, arg: str) -> None:
    from . import patterns

    b.fx.append(Reply(patterns.summary(b.ctx.history, b.now, b.ctx.couple is not None)))


# -- privacy and the private check ----------------------------------------------------------------------------

CHECK_QUESTIONS = 5
CHECK_CHOICES = {q: tuple(_c(f"ck.{q}.{a}", f"check.a{q}.{a}") for a in range(3)) for q in range(1, 6)}


def _enter_flow(b: _B, phase: Phase, **changes: object) -> None:
    """Enter a step of the time-out flow; the first time, ask whether the bot may keep what they feel."""
    if not b.ctx.me.consented and b.s.keep:
        changes.pop("resume", None)
        _enter(b, Phase.CONSENT, resume=phase, **changes)
    else:
        _enter(b, phase, **changes)


def _p_consent(b: _B) -> None:
    b.say("consent.ask", (_c("cs.yes", "choice.consent.yes"), _c("cs.no", "choice.consent.no"), SAFETY_BUTTON))


def _consent_choice(b: _B, c: str) -> bool:
    if c not in ("cs.yes", "cs.no"):
        return False
    resume = b.s.resume or Phase.IDLE
    if c == "cs.yes":
        b.fx.append(SetProfile(consent=True))
        b.say("consent.thanks")
        _enter(b, resume, resume=None)
    else:
        b.say("consent.declined")
        # without consent: breathing (nothing kept), then straight to the wait
        nxt = Phase.BREATHE if resume in (Phase.PAUSE_TENSION, Phase.BREATHE) else resume
        _enter(b, nxt, resume=None, keep=False, rounds=0)
    return True


def _cmd_check(b: _B, arg: str) -> None:
    resume = b.s.phase if b.s.phase is not Phase.CHECK else b.s.resume
    b.say("check.intro")
    _enter(b, Phase.CHECK, answers=(), resume=resume)


def _p_check(b: _B) -> None:
    q = len(b.s.answers) + 1
    b.say(f"check.q{q}", (*CHECK_CHOICES[q], _c("ck.stop", "choice.check.stop"), SAFETY_BUTTON), n=q,
          total=CHECK_QUESTIONS)


def _check_choice(b: _B, c: str) -> bool:
    resume = b.s.resume or Phase.IDLE
    if c == "ck.stop":
        b.say("check.stopped")
        _enter(b, resume, answers=(), resume=None)
        return True
    q = len(b.s.answers) + 1
    parts = c.split(".")
    if len(parts) != 3 or parts[0] != "ck" or parts[1] != str(q) or parts[2] not in ("0", "1", "2"):
        return False
    answers = (*b.s.answers, int(parts[2]))
    if len(answers) < CHECK_QUESTIONS:
        _enter(b, Phase.CHECK, answers=answers)
        return True
    severe = answers[3] == 2 or answers[4] == 2  # walking on eggshells, boundaries not respected
    total = sum(answers)
    if severe or total >= 6:
        b.say("check.result.unsafe", emergency=safety.emergency_number(b.ctx.me.country),
              resources=_help_lines(b.ctx.me.country))
    elif total >= 3:
        b.say("check.result.mixed")
    else:
        b.say("check.result.noise")
    b.say("check.private")
    b.go(resume, answers=(), resume=None)  # the answers are gone: nothing of the check is kept
    if resume is not Phase.IDLE:
        _prompt(b)
    return True


def _cmd_country(b: _B, arg: str) -> None:
    code = arg.strip().upper()
    code = {"UK": "GB", "EN": "GB", "VK": "GB", "USA": "US", "VS": "US", "BELGIE": "BE", "NEDERLAND": "NL"}.get(
        code, code)
    if len(code) == 2 and code.isascii() and code.isalpha():
        b.fx.append(SetProfile(country=code))
        b.say("country.set", country=code, emergency=safety.emergency_number(code))
        return
    b.say("country.ask", tuple(_c(f"co.{c}", f"country.{c.lower()}") for c in safety.COUNTRIES))


def _country_choice(b: _B, c: str) -> bool:
    if c.startswith("co.") and c[3:] in safety.COUNTRIES:
        _cmd_country(b, c[3:])
        return True
    return False


def _cmd_export(b: _B, arg: str) -> None:
    b.fx.append(Export())
    b.say("export.ready")


def _cmd_forget(b: _B, arg: str) -> None:
    b.say("forget.confirm", (_c("fg.yes", "choice.forget.yes"), _c("fg.no", "choice.forget.no")))


def _forget_choice(b: _B, c: str) -> bool:
    if c == "fg.ask":
        _cmd_forget(b, "")
    elif c == "fg.no":
        b.say("forget.kept")
        _prompt(b)
    elif c == "fg.yes":
        if b.ctx.couple is not None:
            _cmd_unpair(b, "")
            b.fx[:] = [e for e in b.fx if not (isinstance(e, Reply) and e.msg.key == "unpair.done")]
        t = b.my_timeout()
        if t is not None:
            b.fx.append(CancelNotices(t.id))
            _end(b, TimeoutStatus.CANCELLED)
        b.say("forget.done")
        b.fx.append(Forget())  # last: nothing may be written about this person after it
    elif c == "safety.unpair":
        _cmd_unpair(b, "")
    else:
        return False
    return True


COUPLE_COMMANDS: dict[str, Callable[[_B, str], None]] = {
    "pair": _cmd_pair,
    "join": _cmd_join,
    "unpair": _cmd_unpair,
    "contract": _cmd_contract,
    "accept": _cmd_accept,
    "reject": _cmd_reject,
    "withdraw": _cmd_withdraw,
    "patterns": _cmd_patterns,
    "check": _cmd_check,
    "country": _cmd_country,
    "export": _cmd_export,
    "forget": _cmd_forget,
}


# -- the transition table: (phase, input) -> handler; a handler returns False when it does not take it ----

Handler = Callable[[_B, str], bool]
NEXT_AFTER_SKIP: dict[Phase, Phase] = {
    Phase.PAUSE_TENSION: Phase.BREATHE,
    Phase.BREATHE_TENSION: Phase.NAME_FEELING,
    Phase.NAME_FEELING: Phase.NAME_NEED,
    Phase.NAME_UNDER: Phase.NAME_NEED,
    Phase.NAME_NEED: Phase.PLAN_OPENER,
    Phase.PLAN_OPENER: Phase.PLAN_TOPIC,
    Phase.PLAN_TOPIC: Phase.PLAN_PERSPECTIVE,
    Phase.PLAN_PERSPECTIVE: Phase.PLAN_OWN_PART,
    Phase.PLAN_OWN_PART: Phase.WAITING,
}


def _skip(b: _B) -> bool:
    nxt = NEXT_AFTER_SKIP.get(b.s.phase)
    if nxt is None:
        return False
    _advance(b, nxt)
    return True


def _advance(b: _B, nxt: Phase) -> None:
    if not b.s.keep and nxt in FLOW and nxt is not Phase.BREATHE:
        _enter(b, Phase.WAITING)  # they chose to keep nothing: no scores, feelings or plans
        return
    if nxt is Phase.BREATHE:
        _enter(b, nxt, rounds=0, resume=None)
    elif nxt is Phase.WAITING:
        b.say("plan.card", card=_card(b.s.plan))
        _enter(b, nxt)
    else:
        _enter(b, nxt)


def _idle_choice(b: _B, c: str) -> bool:
    if c == "go.timeout":
        _cmd_timeout(b)
    elif c == "go.breathe":
        _cmd_breathe(b)
    elif c == "go.help":
        _cmd_help(b)
    elif c == "p.start":
        t = b.t
        if t is None or not t.status.active or t.partner != b.me:
            b.say("partner.over")
            _prompt(b)
            return True
        b.set(timeout_id=t.id, role=Role.PARTNER, plan=NO_PLAN, keep=True)
        b.say("partner.intro", time=t.return_at)
        _enter_flow(b, Phase.BREATHE, rounds=0, resume=None)
    else:
        return False
    return True


def _idle_text(b: _B, text: str) -> bool:
    b.say("idle.hint")
    _prompt(b)
    return True


def _choose_choice(b: _B, c: str) -> bool:
    if c == "go.cancel":
        _cmd_cancel(b)
        return True
    if c == "ret.morning":
        at = contract.morning_after(b.now, b.ctx.me.tz)
    elif c.startswith("ret.m") and c[5:].isdigit() and len(c) <= 10:
        at = b.now + timedelta(minutes=int(c[5:]))
    else:
        return False
    return _choose(b, at)


def _choose(b: _B, at: datetime) -> bool:
    check = contract.check_return(b.ctx.contract, b.now, at)
    if check.fit is not contract.Fit.OK:
        c = b.ctx.contract
        near = check.at
        minutes = round((near - b.now).total_seconds() / 60)
        nearest = _c(f"ret.m{minutes}", "choice.ret.at", time=near)
        others = tuple(x for x in _return_choices(b) if x.id != nearest.id)
        b.say(f"pause.{check.fit.value}", (nearest, *others),
              min=_dur(c.min_break), max=_dur(c.max_break), time=near)
        return True
    _start(b, at)
    return True


def _choose_text(b: _B, text: str) -> bool:
    at = parse_return(text, b.now, b.ctx.me.tz)
    if at is None:
        return False
    return _choose(b, at)


def _score_choice(b: _B, c: str) -> bool:
    if not c.startswith("t.") or c[2:] not in _SCORE_IDS:
        return False
    return _score(b, int(c[2:]))


def _score_text(b: _B, text: str) -> bool:
    n = parse_score(text)
    if n is None:
        if out_of_range_score(text):
            b.say("hint.score_range")
            _prompt(b)
            return True
        return False
    return _score(b, n)


def _score(b: _B, n: int) -> bool:
    if b.s.phase is Phase.PAUSE_TENSION:
        b.plan(tension_start=n)
        _advance(b, Phase.BREATHE)
    else:
        before = b.s.plan.tension_start
        b.plan(tension_after=n)
        if before is not None:
            b.say("tension.change" if n < before else "tension.same", before=before, after=n)
        _advance(b, Phase.NAME_FEELING)
    return True


def _breathe_choice(b: _B, c: str) -> bool:
    if c == "br.again":
        b.set(rounds=b.s.rounds + 1)
        _prompt(b)
    elif c.startswith("br.p.") and c[5:] in breathing.PATTERNS:
        b.set(pattern=c[5:], rounds=b.s.rounds + 1)
        _prompt(b)
    elif c == "br.next":
        if b.s.resume is not None:  # a breathing break from elsewhere: go back there
            b.say("breathe.done")
            _enter(b, b.s.resume, resume=None)
        else:
            _advance(b, Phase.BREATHE_TENSION)
    else:
        return False
    return True


def _feeling_choice(b: _B, c: str) -> bool:
    if c.startswith("f.") and c[2:] in feelings.FEELINGS:
        return _feeling(b, c[2:], None)
    return False


def _feeling_text(b: _B, text: str) -> bool:
    return _feeling(b, None, _clip(b, text))


def _feeling(b: _B, fid: str | None, own: str | None) -> bool:
    b.plan(feeling=fid, feeling_text=own)
    if fid in feelings.ARMOUR:
        _enter(b, Phase.NAME_UNDER)
    else:
        b.say("name.feeling.thanks")
        _enter(b, Phase.NAME_NEED)
    return True


def _under_choice(b: _B, c: str) -> bool:
    if c == "u.none" or (c.startswith("u.") and c[2:] in feelings.UNDER):
        b.plan(under=c[2:])
        b.say("name.under.thanks")
        _enter(b, Phase.NAME_NEED)
        return True
    return False


def _under_text(b: _B, text: str) -> bool:
    b.plan(feeling_text=_clip(b, text))
    _enter(b, Phase.NAME_NEED)
    return True


def _need_choice(b: _B, c: str) -> bool:
    if c.startswith("n.") and c[2:] in feelings.NEEDS:
        b.plan(need=c[2:])
        _enter(b, Phase.PLAN_OPENER)
        return True
    return False


def _need_text(b: _B, text: str) -> bool:
    _clip(b, text)  # own words for the need are welcome but not kept: the opener uses the vocabulary
    b.say("name.need.thanks")
    _enter(b, Phase.PLAN_OPENER)
    return True


def _opener_choice(b: _B, c: str) -> bool:
    if c != "op.use":
        return False
    b.plan(opener="")  # marks "use the suggested one": rendered from the named words at the return
    _enter(b, Phase.PLAN_TOPIC)
    return True


def _opener_text(b: _B, text: str) -> bool:
    b.plan(opener=_clip(b, text))
    _enter(b, Phase.PLAN_TOPIC)
    return True


def _topic_text(b: _B, text: str) -> bool:
    b.plan(topic=_clip(b, text))
    _enter(b, Phase.PLAN_PERSPECTIVE)
    return True


def _perspective_choice(b: _B, c: str) -> bool:
    if c.startswith("pf.") and c[3:] in feelings.FEELINGS:
        b.plan(perspective=c)
        _enter(b, Phase.PLAN_OWN_PART)
        return True
    return False


def _perspective_text(b: _B, text: str) -> bool:
    b.plan(perspective=_clip(b, text))
    _enter(b, Phase.PLAN_OWN_PART)
    return True


def _own_choice(b: _B, c: str) -> bool:
    if c.startswith("own.") and c[4:] in feelings.OWN_PARTS:
        b.plan(own_part=c)
        _advance(b, Phase.WAITING)
        return True
    return False


def _own_text(b: _B, text: str) -> bool:
    b.plan(own_part=_clip(b, text))
    _advance(b, Phase.WAITING)
    return True


def _waiting_choice(b: _B, c: str) -> bool:
    if c == "w.breathe":
        _cmd_breathe(b)
    elif c == "w.selfcare":
        b.say("selfcare", items=tuple(Msg.of(f"selfcare.{s}") for s in feelings.SELF_CARE))
        _prompt(b)
    elif c == "w.status":
        _cmd_status(b)
    elif c == "w.extend":
        _cmd_extend(b)
    elif c == "w.ready":
        _cmd_ready(b)
    elif c == "w.cancel":
        _cmd_cancel(b)
    elif c == "w.cancel.yes":
        _end_break(b)
    elif c == "w.keep":
        b.say("cancel.kept")
        _prompt(b)
    elif c in ("keep.yes", "keep.no") and b.s.pending is not None:
        if c == "keep.yes" and len(b.s.plan.kept) < MAX_KEPT:
            b.plan(kept=(*b.s.plan.kept, b.s.pending))
            b.say("waiting.kept")
        elif c == "keep.yes":
            b.say("waiting.kept_full", n=MAX_KEPT)
        else:
            b.say("waiting.not_kept")
        b.set(pending=None)
        _prompt(b)
    else:
        return False
    return True


def _waiting_text(b: _B, text: str) -> bool:
    if not b.s.keep:
        b.say("waiting.not_relayed")
        return True
    b.set(pending=_clip(b, text))
    b.say("waiting.keep_ask", (_c("keep.yes", "choice.keep.yes"), _c("keep.no", "choice.keep.no")))
    return True


def _return_choice(b: _B, c: str) -> bool:
    if c == "r.ready":
        _ready(b)
    elif c == "r.more":
        _cmd_extend(b)
    else:
        return False
    return True


READY_WORDS = frozenset({"ready", "klaar", "ja", "yes", "ik ben klaar", "i'm ready", "im ready", "ok", "oke"})


def _return_text(b: _B, text: str) -> bool:
    if fold(text).strip(" .!") in READY_WORDS:
        _ready(b)
        return True
    return False


def _after_choice(b: _B, c: str) -> bool:
    outcomes = {"a.good": "good", "a.soso": "so_so", "a.bad": "not_good"}
    if c not in outcomes:
        return False
    tid = b.s.after_for
    if tid is not None:
        b.fx.append(RecordOutcome(tid, b.me, b.s.role.value, outcomes[c]))
    b.set(after_for=None)
    if c == "a.bad":
        b.say("after.thanks.bad")
        b.set(resume=Phase.IDLE)
        _enter(b, Phase.SAFETY_ASK, safety_hold=True)
        return True
    b.say(f"after.thanks.{outcomes[c]}")
    b.go(Phase.IDLE)
    return True


def _safety_ask_choice(b: _B, c: str) -> bool:
    if c == "sa.yes":
        _continue(b)
    elif c in ("sa.no", "sa.skip"):
        _to_safety(b)
    else:
        return False
    return True


def _safety_choice(b: _B, c: str) -> bool:
    if c == "safety.continue":
        _continue(b)
        return True
    return False


def _safety_text(b: _B, text: str) -> bool:
    b.say("safety.still", (_c("safety.continue", "choice.safe.continue"),))
    return True


def _lang_choice(b: _B, c: str) -> bool:
    if c in ("lang.nl", "lang.en"):
        _set_language(b, c[5:])
        return True
    return False


C, T = ChoiceMade, TextReceived
TABLE: dict[tuple[Phase, type], Handler] = {
    (Phase.IDLE, C): _idle_choice,
    (Phase.IDLE, T): _idle_text,
    (Phase.PAUSE_CHOOSE, C): _choose_choice,
    (Phase.PAUSE_CHOOSE, T): _choose_text,
    (Phase.PAUSE_TENSION, C): _score_choice,
    (Phase.PAUSE_TENSION, T): _score_text,
    (Phase.BREATHE, C): _breathe_choice,
    (Phase.BREATHE_TENSION, C): _score_choice,
    (Phase.BREATHE_TENSION, T): _score_text,
    (Phase.NAME_FEELING, C): _feeling_choice,
    (Phase.NAME_FEELING, T): _feeling_text,
    (Phase.NAME_UNDER, C): _under_choice,
    (Phase.NAME_UNDER, T): _under_text,
    (Phase.NAME_NEED, C): _need_choice,
    (Phase.NAME_NEED, T): _need_text,
    (Phase.PLAN_OPENER, C): _opener_choice,
    (Phase.PLAN_OPENER, T): _opener_text,
    (Phase.PLAN_TOPIC, T): _topic_text,
    (Phase.PLAN_PERSPECTIVE, C): _perspective_choice,
    (Phase.PLAN_PERSPECTIVE, T): _perspective_text,
    (Phase.PLAN_OWN_PART, C): _own_choice,
    (Phase.PLAN_OWN_PART, T): _own_text,
    (Phase.WAITING, C): _waiting_choice,
    (Phase.WAITING, T): _waiting_text,
    (Phase.RETURN, C): _return_choice,
    (Phase.RETURN, T): _return_text,
    (Phase.AFTER, C): _after_choice,
    (Phase.SAFETY_ASK, C): _safety_ask_choice,
    (Phase.SAFETY, C): _safety_choice,
    (Phase.SAFETY, T): _safety_text,
    (Phase.CONTRACT_EDIT, C): _contract_edit_choice,
    (Phase.CONTRACT_EDIT, T): _contract_edit_text,
}


# -- timers ---------------------------------------------------------------------------------------------

def _timer(b: _B, ev: TimerFired) -> None:
    late = b.now - ev.due > LATE
    if ev.kind is TimerKind.AFTER:
        if b.s.after_for != ev.timeout_id:
            return
        if b.s.phase is not Phase.IDLE or b.now - ev.due > AFTER_STALE:
            b.set(after_for=None)  # too late, or busy with something new: let it go
            return
        _enter(b, Phase.AFTER)
        return
    t = b.t
    if t is None or t.id != ev.timeout_id or not t.status.active or b.me not in (t.initiator, t.partner):
        return  # a timer of a time-out that has ended or moved on: nothing to do
    if b.s.phase in (Phase.SAFETY, Phase.SAFETY_ASK):
        return
    if ev.kind is TimerKind.RETURN:
        if b.me in t.ready or b.s.phase is Phase.RETURN:
            return
        b.t = evolve(t, status=TimeoutStatus.RETURNING)
        role = b.s.role if b.s.timeout_id == t.id else (Role.PARTNER if b.me == t.partner else Role.INITIATOR)
        b.set(timeout_id=t.id, role=role, resume=None, pending=None)
        if late:
            b.say("return.late", time=t.return_at)
        _enter(b, Phase.RETURN)
        _arm(b, t, (b.me,), TimerKind.REPING, max(t.return_at, b.now) + GRACE)
    elif ev.kind is TimerKind.REPING:
        if b.s.phase is not Phase.RETURN or b.me in t.ready:
            return
        if late and b.now - ev.due > GRACE:  # held up past the whole grace period: do not ping twice at once
            _arm(b, t, (b.me,), TimerKind.MISSED, b.now + GRACE)
            return
        b.say("return.reping", _return_ping_choices(b), time=t.return_at)
        _arm(b, t, (b.me,), TimerKind.MISSED, b.now + GRACE)
    elif ev.kind is TimerKind.MISSED:
        if b.s.phase is not Phase.RETURN or b.me in t.ready:
            return
        _record(b, "missed")
        if b.other() in t.ready:  # the other came back and waited: tell them, gently
            b.tell_partner("notice.partner_missed")
        _end(b, TimeoutStatus.MISSED)
        b.say("return.missed")
        b.go(Phase.IDLE, plan=NO_PLAN, pending=None, after_for=None)


# -- the entry point ------------------------------------------------------------------------------------

def step(state: State, event: Event, ctx: Ctx) -> Step:
    """One input in, the new state and the effects out. Pure; never raises on user input."""
    b = _B(state, ctx)
    if isinstance(event, TimerFired):
        _timer(b, event)
    elif isinstance(event, CommandReceived):
        _command(b, event)
    elif isinstance(event, ChoiceMade):
        _choice(b, event.choice)
    else:
        _text(b, event.text)
    effects = tuple(b.fx)
    if b.s.safety_hold:  # rule 1: while not safe, nothing at all reaches the partner
        effects = tuple(e for e in effects if not isinstance(e, Notify))
    elif any(isinstance(e, Notify) for e in effects):
        effects = _limit_notices(b, effects)
    return Step(State(b.s, b.t), effects)


def _choice(b: _B, c: str) -> None:
    c = c[:64]
    if c == "safety" and b.s.phase is not Phase.SAFETY:
        _to_safety(b)
        return
    if _lang_choice(b, c):
        return
    if c.startswith("ct.") and b.s.phase not in (Phase.SAFETY, Phase.SAFETY_ASK):
        _contract_choice(b, c)
        return
    if c in ("cs.yes", "cs.no") and b.s.phase is not Phase.CONSENT:  # from the welcome
        if c == "cs.yes":
            b.fx.append(SetProfile(consent=True))
        b.say("consent.thanks" if c == "cs.yes" else "consent.later")
        _prompt(b)
        return
    if (c.startswith(("fg.", "co.")) or c == "safety.unpair") and (_forget_choice(b, c) or _country_choice(b, c)):
        return
    handler = TABLE.get((b.s.phase, ChoiceMade))
    if c == "skip" and b.s.phase in NEXT_AFTER_SKIP:
        _skip(b)
        return
    if handler is None or not handler(b, c):
        b.say("hint.stale")
        _prompt(b)


def _text(b: _B, raw: str) -> None:
    text = raw.strip()
    if not text:
        b.say("hint.empty")
        _prompt(b)
        return
    level = safety.assess(text[:4000]).level
    if level is safety.Level.CLEAR and b.s.phase is not Phase.SAFETY:
        _to_safety(b)
        return
    if level is safety.Level.POSSIBLE and b.s.phase not in (Phase.SAFETY, Phase.SAFETY_ASK):
        _ask_safe(b)
        return
    if b.s.phase in (Phase.IDLE, Phase.PAUSE_CHOOSE) and _is_signal(b, text):
        if b.s.phase is Phase.IDLE:
            _cmd_timeout(b)
        else:
            _prompt(b)
        return
    handler = TABLE.get((b.s.phase, TextReceived))
    if handler is None or not handler(b, text[: MAX_TEXT * 20]):
        b.say(HINTS.get(b.s.phase, "hint.buttons"))
        _prompt(b)


def _is_signal(b: _B, text: str) -> bool:
    phrase = b.ctx.contract.signal_phrase
    return (bool(phrase) and phrase_matches(text, phrase)) or any(phrase_matches(text, p) for p in DEFAULT_SIGNALS)


HINTS: dict[Phase, str] = {
    Phase.PAUSE_CHOOSE: "hint.when",
    Phase.PAUSE_TENSION: "hint.score",
    Phase.BREATHE_TENSION: "hint.score",
    Phase.SAFETY_ASK: "hint.buttons",
}


PROMPTS[Phase.CONTRACT_EDIT] = _p_contract_edit
PROMPTS[Phase.CONSENT] = _p_consent
PROMPTS[Phase.CHECK] = _p_check
TABLE[(Phase.CONSENT, ChoiceMade)] = _consent_choice
TABLE[(Phase.CHECK, ChoiceMade)] = _check_choice


def all_phases_prompted() -> bool:
    """Every phase has a prompt (checked by the tests)."""
    return set(PROMPTS) == set(Phase)
