"""Domain objects of the core: who, which phase, which time-out, which contract. All frozen."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

_T = TypeVar("_T")

MAX_TEXT = 280
"""Longest free text the bot keeps (feelings, openers, topics, kept messages)."""
GRACE = timedelta(minutes=15)
"""How long a return ping waits before one re-ping, and the re-ping before the return counts as missed."""


def evolve(obj: _T, **changes: Any) -> _T:
    """`dataclasses.replace` for the frozen state classes here (Session, Plan, Timeout), without its overhead.

    They keep their fields in a plain __dict__ (no __slots__) so that a changed copy is one dict merge.
    """
    if not changes.keys() <= obj.__dict__.keys():
        raise TypeError(f"{type(obj).__name__} has no field(s) {sorted(changes.keys() - obj.__dict__.keys())}")
    new = object.__new__(type(obj))
    object.__setattr__(new, "__dict__", {**obj.__dict__, **changes})
    return new


class Phase(enum.StrEnum):
    """Where one person is in the fight flow."""

    IDLE = "idle"
    PAUSE_CHOOSE = "pause.choose"  # choosing the return time
    PAUSE_TENSION = "pause.tension"
    BREATHE = "breathe"
    BREATHE_TENSION = "breathe.tension"
    SOOTHE = "soothe"  # still tense after breathing: more calming before anything else
    NAME_FEELING = "name.feeling"
    NAME_UNDER = "name.under"
    NAME_NEED = "name.need"
    PLAN_OPENER = "plan.opener"
    PLAN_TOPIC = "plan.topic"
    PLAN_PERSPECTIVE = "plan.perspective"
    PLAN_OWN_PART = "plan.own_part"
    WAITING = "waiting"
    RETURN = "return"
    AFTER = "after"
    SAFETY_ASK = "safety.ask"
    SAFETY = "safety"
    SAFETY_PLAN = "safety.plan"  # writing one's own safety plan, from the safety screen
    CONTRACT_EDIT = "contract.edit"  # typing a contract value (signal phrase, own sentence)
    CONSENT = "consent"  # may the bot keep what this person feels and plans?
    CHECK = "check"  # the private check: incident or pattern, repair, self-trust, adjusting, boundaries
    NOTICE_EDIT = "notice.edit"  # alone: putting the message for one's partner in one's own words (once)


class Role(enum.StrEnum):
    """How a person is in a time-out: the one who asked for it, or the one left behind."""

    INITIATOR = "initiator"
    PARTNER = "partner"


class TimeoutStatus(enum.StrEnum):
    RUNNING = "running"  # the break runs
    RETURNING = "returning"  # the return time has come; waiting for both to be ready
    RETURNED = "returned"  # they came back (on time, early or after an extension)
    MISSED = "missed"  # nobody answered the return pings
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (TimeoutStatus.RUNNING, TimeoutStatus.RETURNING)


class Outcome(enum.StrEnum):
    GOOD = "good"
    SO_SO = "so_so"
    NOT_GOOD = "not_good"
    NOT_SAFE = "not_safe"


class CountryFrom(enum.StrEnum):
    """Where a person's country came from: it decides whether the bot asks once where they are."""

    PERSON = "person"  # they chose it (/country, nl /land)
    PLATFORM = "platform"  # the platform named a region (a Discord locale such as en-US)
    ASSUMED = "assumed"  # only a language was known: the deployment's DEFAULT_COUNTRY; not asked yet
    ASKED = "asked"  # assumed, and asked once (at the first safety screen); not asked again


@dataclass(frozen=True, slots=True)
class Person:
    """What the core needs to know about someone: internal id, language, time zone, country, name."""

    id: int
    locale: str = "nl"
    tz: str = "Europe/Amsterdam"
    country: str = "NL"
    name: str = ""
    consented: bool = False  # agreed that the bot keeps what they feel and plan (GDPR art. 9), until erased
    safety_note: bool = False  # their own private note: their partner has hurt, threatened or frightened them
    safety_plan: str = ""  # their own safety plan (warning signs, a safe place, people to call): only for them
    country_from: CountryFrom = CountryFrom.PERSON


@dataclass(frozen=True, slots=True)
class Contract:
    """The time-out contract of a couple (or the defaults for someone alone). See contract.py for rules."""

    min_break: timedelta = timedelta(minutes=20)
    default_break: timedelta = timedelta(minutes=30)
    max_break: timedelta = timedelta(hours=24)
    extensions: int = 1
    extension: timedelta = timedelta(minutes=15)
    notify_partner: bool = True
    signal_phrase: str = ""
    sentences: tuple[tuple[int, str], ...] = ()  # (user id, own time-out sentence)
    rules: frozenset[str] = frozenset({"alcohol", "driving", "others", "say_when"})
    quiet_start: int = 23 * 60  # minutes after local midnight
    quiet_end: int = 7 * 60

    def sentence_of(self, user_id: int) -> str:
        return next((s for uid, s in self.sentences if uid == user_id), "")


@dataclass(frozen=True)
class Timeout:
    """One time-out: shared by a couple, or one person's alone.

    Each break in it belongs to the one who took it: `return_at` (and `extensions_used`) to the initiator;
    `partner_until` (and `partner_started`, `partner_extensions`) to the partner when they took a break of
    their own beside it. The couple comes back together at `back_at`, the later of the two: nobody's break is
    ever shortened by the other. `hushed` holds who gave a safety signal in it: from then on nothing they do
    changes what the other sees (see flow/couple.py, "no tells").
    """

    id: str
    initiator: int
    partner: int | None
    started_at: datetime
    return_at: datetime
    extensions_used: int = 0
    status: TimeoutStatus = TimeoutStatus.RUNNING
    ready: frozenset[int] = frozenset()
    notified: bool = False  # a notice to the partner was queued
    ended_at: datetime | None = None
    partner_started: datetime | None = None
    partner_until: datetime | None = None
    partner_extensions: int = 0
    hushed: frozenset[int] = frozenset()

    @property
    def back_at(self) -> datetime:
        """When the couple comes back together: the later end of the breaks in this time-out."""
        p = self.partner_until
        return self.return_at if p is None or p <= self.return_at else p

    @property
    def open_until(self) -> datetime:
        """The latest moment this time-out can still be open: the return, one re-ping, then it closes."""
        return self.back_at + 2 * GRACE

    def members(self) -> tuple[int, ...]:
        return (self.initiator,) if self.partner is None else (self.initiator, self.partner)

    def is_open(self, now: datetime) -> bool:
        return self.status.active and now < self.open_until


@dataclass(frozen=True)
class Plan:
    """What one person named and planned during a time-out. Private: never leaves this person."""

    tension_start: int | None = None
    tension_after: int | None = None
    feeling: str | None = None  # vocabulary id
    feeling_text: str | None = None  # own words
    under: str | None = None
    need: str | None = None
    opener: str | None = None
    topic: str | None = None
    perspective: str | None = None  # vocabulary id or own words
    own_part: str | None = None  # vocabulary id or own words
    kept: tuple[str, ...] = ()  # messages meant for the partner, kept for the return
    need_text: str | None = None  # own words for the need
    prepared: bool = False  # they started getting ready for the talk (the plan), now or at the prepare reminder


@dataclass(frozen=True)
class Session:
    """One person's place in the flow. Persisted as one row per person."""

    phase: Phase = Phase.IDLE
    timeout_id: str | None = None
    role: Role = Role.INITIATOR
    plan: Plan = field(default_factory=Plan)
    pattern: str = "sigh"
    rounds: int = 0
    resume: Phase | None = None  # where SAFETY / SAFETY_ASK / a breathing break go back to
    pending: str | None = None  # text waiting for "keep it for the return?"
    after_for: str | None = None  # time-out whose "how did it go?" is still to come
    safety_hold: bool = False  # in SAFETY: the partner gets nothing until the user continues
    editing: str | None = None  # the contract field being typed in CONTRACT_EDIT
    notices: tuple[int, ...] = ()  # unix seconds of recent notices to the partner (rate limit)
    keep: bool = True  # False: this person chose that nothing they feel or plan is kept
    answers: tuple[int, ...] = ()  # the private check's answers so far (never stored beyond the check)
    minutes: int = 0  # how long a breathing round lasts (1, 3 or 5); 0: from the tension score
    settings: tuple[tuple[str, str | int], ...] = ()  # own settings, alone: changed fields (core/drafts.py)
    draft: tuple[tuple[str, str | int], ...] = ()  # contract changes not sent to the partner yet (core/drafts.py)
    reworded: str | None = None  # the time-out whose message for the partner was put in own words (once)


@dataclass(frozen=True, slots=True)
class State:
    """What one step sees and changes: the acting person's session and the time-out they are in."""

    session: Session = field(default_factory=Session)
    timeout: Timeout | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A contract change one partner proposed; it holds only when the other accepts."""

    version: int
    by: int
    contract: Contract


@dataclass(frozen=True, slots=True)
class Couple:
    """The couple a person is in, as the store found it for this step."""

    id: int
    partner: Person
    contract: Contract  # the active version (the defaults until the first is accepted)
    version: int = 0  # the active version's row (0: defaults); a revision id, never shown (see `number`)
    proposal: Proposal | None = None
    last_version: int = 0  # the highest version ever proposed: numbers are never reused
    number: int = 0  # the active contract as people count it: one more for every accepted change set


@dataclass(frozen=True, slots=True)
class Invite:
    """What the shell found for an invite code someone typed. The code itself never enters the core."""

    found: bool
    owner: int | None = None
    expired: bool = False
    used: bool = False
    owner_paired: bool = False
    settings: tuple[tuple[str, str | int], ...] = ()  # the owner's own settings: part of the first contract


@dataclass(frozen=True, slots=True)
class Fact:
    """One past time-out as patterns see it: counts, scores and vocabulary ids of the asking person only."""

    started_at: datetime
    started_by_me: bool
    status: str  # TimeoutStatus value
    extended: bool
    outcome: str | None = None  # the asking person's answer to "how did it go?"
    tension_start: int | None = None
    tension_after: int | None = None
    feeling: str | None = None
    under: str | None = None
    extended_by_me: bool = False  # the asking person asked extra time for their own break in it
    extended_by_partner: bool = False  # the partner did, for theirs (a shared count: both see it)
