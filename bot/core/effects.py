"""Outputs of the core, as data: what to say, to whom, what to schedule or cancel. The shell performs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .chart import Chart
from .events import TimerKind
from .model import Contract


@dataclass(frozen=True, slots=True)
class Msg:
    """A sentence by catalog key, rendered in the recipient's language and time zone.

    Params are str, int, aware datetimes (shown as local time), nested Msg, or tuples of Msg (one a line).
    """

    key: str
    params: tuple[tuple[str, str | int | datetime | Msg | tuple[Msg, ...]], ...] = ()

    @staticmethod
    def of(key: str, **params: str | int | datetime | Msg | tuple[Msg, ...]) -> Msg:
        if not params:
            plain = _PLAIN_MSGS.get(key)
            if plain is None:
                plain = _PLAIN_MSGS[key] = Msg(key)
            return plain
        return Msg(key, tuple(sorted(params.items())) if len(params) > 1 else tuple(params.items()))


_PLAIN_MSGS: dict[str, Msg] = {}
"""Messages without parameters, built once per key (keys are catalog constants, so this stays small)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: a stable dotted id (<= 64 bytes) and its label."""

    id: str
    label: Msg


@dataclass(frozen=True, slots=True)
class Pacer:
    """A breathing round for the adapter to animate: pattern id and how many cycles."""

    pattern: str
    cycles: int


@dataclass(frozen=True, slots=True)
class Reply:
    """Say something to the person who acted (or, for a timer, to the person it was for)."""

    msg: Msg
    choices: tuple[Choice, ...] = ()
    pacer: Pacer | None = None
    aside: bool = False  # a word on the side (typed during breathing): the breathing animation goes on
    chart: Chart | None = None  # the /patterns picture, drawn by the shell in the recipient's language


@dataclass(frozen=True, slots=True)
class Notify:
    """Send a message to someone else (the partner) through the outbox."""

    to: int
    msg: Msg
    choices: tuple[Choice, ...] = ()
    tag: str = ""  # the time-out it belongs to, so it can be cancelled before delivery
    expires_at: datetime | None = None
    neutral: bool = False  # the bot's own neutral word (pairing ended): it outlives the sender's /forget
    not_before: datetime | None = None  # a nudge held back until then (the end of the quiet hours)


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Schedule (or move) a timer. Its id is derived, so starting it again is an upsert."""

    user: int
    kind: TimerKind
    timeout_id: str
    at: datetime

    @property
    def id(self) -> str:
        return timer_id(self.timeout_id, self.kind, self.user)


@dataclass(frozen=True, slots=True)
class CancelTimer:
    user: int
    kind: TimerKind
    timeout_id: str

    @property
    def id(self) -> str:
        return timer_id(self.timeout_id, self.kind, self.user)


@dataclass(frozen=True, slots=True)
class CancelNotices:
    """Drop every not yet delivered message tagged with this time-out (to anyone but the actor)."""

    tag: str


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """Remember how a time-out went for one person (for patterns): vocabulary ids only, never free text."""

    timeout_id: str
    user: int
    role: str
    outcome: str | None = None
    tension_start: int | None = None
    tension_after: int | None = None
    feeling: str | None = None
    under: str | None = None
    need: str | None = None


@dataclass(frozen=True, slots=True)
class SetProfile:
    """Change the acting person's profile (None: leave as is)."""

    locale: str | None = None
    tz: str | None = None
    country: str | None = None  # chosen by the person: stored with CountryFrom.PERSON
    consent: bool | None = None
    safety_note: bool | None = None
    safety_plan: str | None = None  # "" erases it
    country_asked: bool = False  # the bot asked where they are (once): an assumed country becomes ASKED


@dataclass(frozen=True, slots=True)
class CreateInvite:
    """Store a single-use invite code (canonical form; the store keeps only its hash), replacing any open one."""

    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JoinFailed:
    """Count a failed join attempt (for the rate limit). Nothing about the code is kept."""


@dataclass(frozen=True, slots=True)
class Pair:
    """Make a couple of the invite's owner and the acting person; use up the invite; propose contract v1."""

    inviter: int
    code: str
    first: Contract
    couple_id: int = 0  # the new couple's id, random (drawn by the shell); 0: the store numbers it


@dataclass(frozen=True, slots=True)
class Unpair:
    """End the acting person's couple at once (its contracts go with it)."""

    couple_id: int


@dataclass(frozen=True, slots=True)
class Propose:
    """A new contract version proposed by the acting person (replaces their own open proposal)."""

    couple_id: int
    version: int
    contract: Contract


@dataclass(frozen=True, slots=True)
class Decide:
    """The open proposal `version` is accepted (it becomes the active contract), rejected or withdrawn."""

    couple_id: int
    version: int
    decision: str  # "accepted" | "rejected" | "withdrawn"


@dataclass(frozen=True, slots=True)
class Forget:
    """Erase everything stored about the acting person (and so end their couple), leaving no trace."""


@dataclass(frozen=True, slots=True)
class Release:
    """A time-out closed: wipe what `user` kept for it (plan, kept messages) and take them out of its steps."""

    user: int
    timeout_id: str


@dataclass(frozen=True, slots=True)
class Export:
    """Hand the acting person everything stored about them, as a JSON file."""


Effect = (
    Reply | Notify | StartTimer | CancelTimer | CancelNotices | RecordOutcome | SetProfile | CreateInvite | JoinFailed
    | Pair | Unpair | Propose | Decide | Forget | Export | Release
)


def timer_id(timeout_id: str, kind: TimerKind, user: int) -> str:
    return f"{timeout_id}:{kind.value}:{user}"
