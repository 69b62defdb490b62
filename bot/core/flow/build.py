"""A step under construction (`B`), the context it may read (`Ctx`), and the small helpers every row uses.

A row of the flow (see table.py) never builds effects by hand: it calls `b.say`, `b.go`, `b.plan`,
`enter(b, phase)` and the couple rules in couple.py. `enter` and `prompt` look the phase up in `ROWS`, which
table.py fills, so modules here can call each other's phases without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from .. import contract
from ..effects import Choice, Effect, Msg, Notify, Pacer, Reply
from ..model import Contract, Couple, Fact, Invite, Person, Phase, Plan, Timeout, evolve

NO_PLAN = Plan()
"""An empty plan (immutable, so one object serves everyone)."""
LOCALES = ("nl", "en")
MAX_KEPT = 5
LATE = timedelta(minutes=5)
"""A timer this much past due was held up (the bot was down): say so."""


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
    unannounced: bool = False  # the partner's notice of this time-out is not delivered yet
    fresh: int = 0  # a random number drawn by the shell: the id of a time-out or couple this step creates
    newcomer: bool = False  # the first thing this person ever sent the bot (no session yet)


class B:
    """A step under construction: the new session and time-out, and the effects so far."""

    __slots__ = ("ctx", "fx", "s", "t")

    def __init__(self, session: Any, timeout: Timeout | None, ctx: Ctx) -> None:
        self.s = session
        self.t = timeout
        self.ctx = ctx
        self.fx: list[Effect] = []

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
        """The open time-out this person is part of, if any (never one past its latest possible end)."""
        t = self.t
        if t is None or self.me not in t.members() or not t.is_open(self.now):
            return None
        return t

    def other(self) -> int | None:
        t = self.t
        if t is None or self.me not in t.members():
            return self.ctx.partner.id if self.ctx.partner else None
        return t.partner if t.initiator == self.me else t.initiator

    def tell_partner(self, key: str, choices: tuple[Choice, ...] = (), **p: object) -> None:
        """A notice to the partner about this time-out: the bot's words, name and times only."""
        to = self.other()
        if to is None or self.t is None:
            return
        params = {"name": self.ctx.me.name or "", **p}
        self.fx.append(Notify(to, Msg.of(key, **params), choices, tag=self.t.id))  # type: ignore[arg-type]

    def notify(self, to: int, key: str, choices: tuple[Choice, ...] = (), **p: object) -> None:
        """A notice to someone else that is not about a time-out (pairing, the contract): a nudge, so it waits
        for the end of the quiet hours, in the recipient's time zone."""
        params = {"name": self.ctx.me.name or "", **p}
        partner = self.ctx.partner
        tz = partner.tz if partner is not None and partner.id == to else self.ctx.me.tz
        at = contract.after_quiet(self.ctx.contract, self.now, tz)
        self.fx.append(Notify(to, Msg.of(key, **params), choices,  # type: ignore[arg-type]
                              not_before=at if at > self.now else None))


# -- the rows ------------------------------------------------------------------------------------------------

Handler = Callable[[B, str], bool]
"""Takes a button id or a text; returns False when the phase does not take it (the caller hints)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One phase of the flow: its question, what it takes, where "skip" goes, the hint for input it refuses."""

    prompt: Callable[[B], None]
    choice: Handler | None = None
    text: Handler | None = None
    skip_to: Phase | None = None
    hint: str = "hint.buttons"
    step: bool = False  # a step of the calming flow inside a running time-out (before the wait)


SAFE_PHASES = frozenset({Phase.SAFETY, Phase.SAFETY_ASK, Phase.SAFETY_PLAN})
"""On the safety path: nothing reaches the partner, no nudges, no de-escalation."""
ROWS: dict[Phase, Row] = {}
"""Filled by table.py: the whole flow, one row a phase."""


def prompt(b: B) -> None:
    ROWS[b.s.phase].prompt(b)


def enter(b: B, phase: Phase, **changes: object) -> None:
    b.go(phase, **changes)
    prompt(b)


def in_steps(phase: Phase) -> bool:
    """Is this phase one of the calming steps inside a running time-out?"""
    row = ROWS.get(phase)
    return row is not None and row.step


# -- choices ---------------------------------------------------------------------------------------------------

_PLAIN: dict[tuple[str, str], Choice] = {}


def c(cid: str, key: str, **p: str | int | datetime | Msg) -> Choice:
    """A button: its id and its label's catalog key. Buttons without parameters are built once."""
    if p:
        return Choice(cid, Msg.of(key, **p))
    plain = _PLAIN.get((cid, key))
    if plain is None:
        plain = _PLAIN[(cid, key)] = Choice(cid, Msg(key))
    return plain


SAFETY_BUTTON = c("safety", "choice.safety")
SKIP = c("skip", "choice.skip")


@cache
def dur(d: timedelta) -> Msg:
    minutes = int(d.total_seconds() // 60)
    if minutes % 60 == 0:
        return Msg.of("dur.hours", n=minutes // 60)
    if minutes > 60:
        return Msg.of("dur.hours_minutes", h=minutes // 60, m=minutes % 60)
    return Msg.of("dur.minutes", n=minutes)


def clip(b: B, text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        b.say("text.clipped", n=limit)
        return text[:limit]
    return text
