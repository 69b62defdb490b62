"""Contract rules: defaults and bounds (SPEC §3), the return times on offer, and checking a wished return."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import Contract

DEFAULT = Contract()

MIN_BREAK_BOUNDS = (timedelta(minutes=10), timedelta(hours=2))
MAX_BREAK_CEILING = timedelta(hours=24)
MAX_EXTENSIONS = 3
SIGNAL_MAX = 60
SENTENCE_MAX = 280
MORNING = time(9, 0)
LATE_FROM = time(21, 0)  # from this local time on, "tomorrow morning" is offered
EARLY_UNTIL = time(5, 0)


class Fit(enum.Enum):
    OK = "ok"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


@dataclass(frozen=True, slots=True)
class Check:
    fit: Fit
    at: datetime  # the wished return, or the nearest allowed one when it does not fit


def local(now: datetime, tz: str) -> datetime:
    return now.astimezone(ZoneInfo(tz))


def morning_after(now: datetime, tz: str) -> datetime:
    """09:00 local on the next morning (today's 09:00 when it is still early night)."""
    return _morning(local(now, tz), now)


def _morning(here: datetime, now: datetime) -> datetime:
    day = here.date() if here.time() < EARLY_UNTIL else here.date() + timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=here.tzinfo).astimezone(now.tzinfo)


def _is_late(here: datetime) -> bool:
    t = here.time()
    return t >= LATE_FROM or t < EARLY_UNTIL


def check_return(contract: Contract, start: datetime, wished: datetime) -> Check:
    """Is `wished` a return time this contract allows for a break started at `start`?"""
    if wished - start < contract.min_break:
        return Check(Fit.TOO_SHORT, start + contract.min_break)
    if wished - start > contract.max_break:
        return Check(Fit.TOO_LONG, start + contract.max_break)
    return Check(Fit.OK, wished)


def offers(contract: Contract, now: datetime, tz: str) -> tuple[tuple[str, timedelta | datetime], ...]:
    """Return times to offer as buttons: (choice id, duration, or the moment for "tomorrow morning")."""
    fixed = _duration_offers(contract.min_break, contract.default_break, contract.max_break)
    here = local(now, tz)
    if not _is_late(here):
        return fixed
    morning = _morning(here, now)
    if contract.min_break <= morning - now <= contract.max_break:
        return (*fixed, ("ret.morning", morning))
    return fixed


@lru_cache(maxsize=64)
def _duration_offers(
    lo: timedelta, usual: timedelta, hi: timedelta
) -> tuple[tuple[str, timedelta | datetime], ...]:
    """The fixed-length offers of a contract (the minimum, the usual break, 1 h, 2 h, within its bounds).
    Cached by the three durations only, not by the contract: that holds the partners' own sentences."""
    minutes = {int(lo.total_seconds() // 60), int(usual.total_seconds() // 60), 60, 120}
    return tuple((f"ret.m{m}", timedelta(minutes=m)) for m in sorted(minutes) if lo <= timedelta(minutes=m) <= hi)


def can_extend(contract: Contract, used: int, started: datetime, return_at: datetime) -> bool:
    return used < contract.extensions and return_at + contract.extension - started <= contract.max_break


def validate(contract: Contract) -> list[str]:
    """Problems with a contract, as catalog keys; empty when it is within all bounds."""
    problems: list[str] = []
    lo, hi = MIN_BREAK_BOUNDS
    if not lo <= contract.min_break <= hi:
        problems.append("contract.bad.min_break")
    if not contract.min_break <= contract.max_break <= MAX_BREAK_CEILING:
        problems.append("contract.bad.max_break")
    if not contract.min_break <= contract.default_break <= contract.max_break:
        problems.append("contract.bad.default_break")
    if not 0 <= contract.extensions <= MAX_EXTENSIONS:
        problems.append("contract.bad.extensions")
    if len(contract.signal_phrase) > SIGNAL_MAX:
        problems.append("contract.bad.signal_phrase")
    if any(len(s) > SENTENCE_MAX for _, s in contract.sentences):
        problems.append("contract.bad.sentence")
    return problems


def in_quiet_hours(contract: Contract, at: datetime, tz: str) -> bool:
    t = local(at, tz)
    m = t.hour * 60 + t.minute
    s, e = contract.quiet_start, contract.quiet_end
    return (s <= m or m < e) if s > e else (s <= m < e)


def after_quiet(contract: Contract, at: datetime, tz: str) -> datetime:
    """`at`, or the end of the quiet hours it falls in (nudges wait; agreed return pings do not)."""
    if not in_quiet_hours(contract, at, tz):
        return at
    here = local(at, tz)
    end = time(contract.quiet_end // 60, contract.quiet_end % 60)
    day = here.date() if here.time() < end else here.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=ZoneInfo(tz)).astimezone(at.tzinfo)
