"""Patterns (`/patterns`, nl `/patronen`): what a person's past time-outs show, as one message and a chart. Pure.

Only counts, scores and vocabulary ids (a `Fact` carries no free text, nothing of a safety note). Two windows,
the last 30 and the last 90 days, then gentle observations (never a verdict, never a side) and one question
for a calm moment. `chart` gives the figures of the picture the shell draws: the couple's shared counts (both
partners see the same ones, each from their own side) and only the asking person's own tension. Every key is
written out in a `Msg.of(...)` call (or listed in CHART_KEYS), so the catalog tests can find it; `keys()` lists
them for the tests of this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from . import contract
from .chart import Chart
from .effects import Msg
from .feelings import FEELINGS
from .model import Fact, TimeoutStatus

WINDOWS = (30, 90)
"""The windows shown, in days; the observations look at the longest."""

TOP_FEELINGS = 3
MISSED_MIN = 2  # this many time-outs without a return in the window (in a row or not): break versus silence
LATE_MIN = 2  # this many time-outs started late at night (and at least a third of them): "tomorrow morning"
CHART_WEEKS = 13  # the chart's weeks: 91 days, the last one ending now
BUSY_WEEK = 3  # this many time-outs started within 7 days (in the last 30): a note about what sets fights off
BUSY_DAYS = 30
EXTENDED_MIN = 3  # extended this often, and in at least half of the returns: maybe the default break is short
CALMER_MIN = 2  # breathing rounds with both scores before "your tension drops" is said
CALMER_DROP = 10  # ... and the average must drop by at least this many tenths
TENSION = range(11)  # a tension score is 0..10; anything else counts as unknown


@dataclass(frozen=True, slots=True)
class Window:
    """The counts of one window."""

    days: int
    started: int = 0
    by_me: int = 0
    by_partner: int = 0
    extended_by_me: int = 0  # time-outs in which the asking person asked extra time for their own break
    extended_by_partner: int = 0  # ... and in which the partner did, for theirs
    on_time: int = 0
    extended: int = 0
    missed: int = 0
    cancelled: int = 0
    scored: int = 0  # time-outs with both tension scores
    tension_start: int = 0  # sums, over the scored ones
    tension_after: int = 0
    feelings: tuple[tuple[str, int], ...] = ()  # (vocabulary id, times named), most named first


def summary(facts: tuple[Fact, ...], now: datetime, paired: bool, tz: str = "UTC") -> Msg:
    """The `/patterns` message for one person: their facts (own scores and feelings), seen at `now` in `tz`."""
    if not facts:
        return Msg.of("patterns.empty")
    longest = max(WINDOWS)
    recent = _within(facts, now, longest)
    if not recent:
        return Msg.of("patterns.none_recent", days=longest)
    windows = tuple(_window(_within(recent, now, days), days) for days in WINDOWS)
    month, quarter = (_render_window(w, paired) for w in windows)
    notes = _notes(recent, windows[-1], now, tz)
    footer = (Msg.of("patterns.private"),) if paired else ()
    reflect = _reflection(recent, windows[-1], now, tz)
    if notes:
        return Msg.of("patterns.summary_notes", month=month, quarter=quarter, notes=notes, reflect=reflect,
                      footer=footer)
    return Msg.of("patterns.summary", month=month, quarter=quarter, reflect=reflect, footer=footer)


def chart(facts: tuple[Fact, ...], now: datetime, paired: bool, tz: str = "UTC") -> Chart | None:
    """The figures of the `/patterns` picture over the last CHART_WEEKS weeks; None with nothing to draw."""
    span = timedelta(weeks=CHART_WEEKS)
    since = now - span
    shown = tuple(f for f in facts if f.started_at >= since)
    if not shown:
        return None
    weeks = [0] * CHART_WEEKS
    for f in shown:
        age = max(0, (now - f.started_at) // timedelta(weeks=1))  # one dated after now counts for this week
        weeks[max(0, CHART_WEEKS - 1 - age)] += 1
    w = _window(shown, CHART_WEEKS * 7)
    return Chart(
        weeks=tuple(weeks), first_day=contract.local(since, tz).date(),
        on_time=w.on_time, extended=w.extended, missed=w.missed,
        started_by_me=w.by_me, started_by_partner=w.by_partner,
        extended_by_me=w.extended_by_me, extended_by_partner=w.extended_by_partner,
        tension_before=tenths(w.tension_start, w.scored) if w.scored else None,
        tension_after=tenths(w.tension_after, w.scored) if w.scored else None,
        paired=paired,
    )


CHART_KEYS = frozenset({
    "patterns.chart.title", "patterns.chart.caption", "patterns.chart.per_week", "patterns.chart.this_week",
    "patterns.chart.date", "patterns.chart.months", "patterns.chart.returns", "patterns.chart.on_time",
    "patterns.chart.extended", "patterns.chart.missed", "patterns.chart.no_returns", "patterns.chart.who",
    "patterns.chart.started", "patterns.chart.extra", "patterns.chart.you", "patterns.chart.partner",
    "patterns.chart.tension", "patterns.chart.before", "patterns.chart.after", "patterns.chart.no_tension",
    "patterns.chart.footer",
})
"""The labels the shell draws on the chart (with `patterns.decimal` for averages)."""


def keys() -> frozenset[str]:
    """Every catalog key `summary` can emit or the chart draws (the feeling labels live in the main catalogs)."""
    own = {
        "patterns.empty", "patterns.none_recent", "patterns.summary", "patterns.summary_notes", "patterns.private",
        "patterns.window", "patterns.window_empty", "patterns.timeouts", "patterns.timeouts_one",
        "patterns.started", "patterns.started_paired", "patterns.extended_paired", "patterns.returns",
        "patterns.cancelled", "patterns.tension", "patterns.decimal", "patterns.feelings", "patterns.feeling",
        "patterns.list_one", "patterns.list_two", "patterns.list_three",
        "patterns.note.calmer", "patterns.note.busy_week", "patterns.note.extended", "patterns.note.silence",
        "patterns.note.late", "patterns.reflect", "patterns.reflect.return", "patterns.reflect.late",
        "patterns.reflect.trigger", "patterns.reflect.helped",
    }
    return frozenset(own | CHART_KEYS | {f"feeling.{f}" for f in FEELINGS})


# --- counting -------------------------------------------------------------------------------------------


def _within(facts: Sequence[Fact], now: datetime, days: int) -> tuple[Fact, ...]:
    since = now - timedelta(days=days)
    return tuple(f for f in facts if f.started_at >= since)


def _named(fact: Fact) -> str | None:
    """The feeling this time-out counts for: what lay underneath when named, else the first feeling."""
    for candidate in (fact.under, fact.feeling):
        if candidate in FEELINGS:
            return candidate
    return None


def _scores(fact: Fact) -> tuple[int, int] | None:
    """Tension before and after breathing, when both are known."""
    before, after = fact.tension_start, fact.tension_after
    if before is None or after is None or before not in TENSION or after not in TENSION:
        return None
    return before, after


def _window(facts: tuple[Fact, ...], days: int) -> Window:
    scored = [s for s in map(_scores, facts) if s is not None]
    named = Counter(n for n in map(_named, facts) if n is not None)
    top = sorted(named.items(), key=lambda item: (-item[1], FEELINGS.index(item[0])))[:TOP_FEELINGS]
    returned = [f for f in facts if f.status == TimeoutStatus.RETURNED.value]
    return Window(
        days=days,
        started=len(facts),
        by_me=sum(f.started_by_me for f in facts),
        by_partner=sum(not f.started_by_me for f in facts),
        extended_by_me=sum(f.extended_by_me for f in facts),
        extended_by_partner=sum(f.extended_by_partner for f in facts),
        on_time=sum(not f.extended for f in returned),
        extended=sum(f.extended for f in returned),
        missed=sum(f.status == TimeoutStatus.MISSED.value for f in facts),
        cancelled=sum(f.status == TimeoutStatus.CANCELLED.value for f in facts),
        scored=len(scored),
        tension_start=sum(s for s, _ in scored),
        tension_after=sum(a for _, a in scored),
        feelings=tuple(top),
    )


def tenths(total: int, n: int) -> int:
    """The average total / n in tenths, rounded half up (for 0..10 scores: 6.25 -> 63)."""
    return (20 * total + n) // (2 * n)


def late_at_night(facts: Sequence[Fact], tz: str) -> int:
    """How many time-outs started late at night in `tz` (from 21:00 until 05:00, when "tomorrow morning" is
    offered as the return)."""
    return sum(_late(contract.local(f.started_at, tz).time()) for f in facts)


def _late(t: time) -> bool:
    return t >= contract.LATE_FROM or t < contract.EARLY_UNTIL


def busiest_week(facts: Sequence[Fact]) -> int:
    """The most time-outs started within any 7 days."""
    starts = sorted(f.started_at for f in facts)
    best, first = 0, 0
    for last, at in enumerate(starts):
        while at - starts[first] >= timedelta(days=7):
            first += 1
        best = max(best, last - first + 1)
    return best


# --- rendering ------------------------------------------------------------------------------------------


def _decimal(value: int) -> Msg:
    whole, tenth = divmod(value, 10)
    return Msg.of("patterns.decimal", whole=whole, tenth=tenth)


def _list(items: tuple[Msg, ...]) -> Msg:
    if len(items) == 1:
        return Msg.of("patterns.list_one", a=items[0])
    if len(items) == 2:
        return Msg.of("patterns.list_two", a=items[0], b=items[1])
    return Msg.of("patterns.list_three", a=items[0], b=items[1], c=items[2])


def _render_window(w: Window, paired: bool) -> Msg:
    if not w.started:
        return Msg.of("patterns.window", days=w.days, lines=(Msg.of("patterns.window_empty"),))
    count = Msg.of("patterns.timeouts_one" if w.started == 1 else "patterns.timeouts", n=w.started)
    lines = [
        Msg.of("patterns.started_paired", count=count, mine=w.by_me, theirs=w.by_partner)
        if paired
        else Msg.of("patterns.started", count=count)
    ]
    if paired and (w.extended_by_me or w.extended_by_partner):
        lines.append(Msg.of("patterns.extended_paired", mine=w.extended_by_me, theirs=w.extended_by_partner))
    if w.on_time or w.extended or w.missed:
        lines.append(Msg.of("patterns.returns", on_time=w.on_time, extended=w.extended, missed=w.missed))
    if w.cancelled:
        lines.append(Msg.of("patterns.cancelled", n=w.cancelled))
    if w.scored:
        before, after = tenths(w.tension_start, w.scored), tenths(w.tension_after, w.scored)
        lines.append(Msg.of("patterns.tension", before=_decimal(before), after=_decimal(after)))
    if w.feelings:
        named = tuple(Msg.of("patterns.feeling", feeling=Msg.of(f"feeling.{f}"), n=n) for f, n in w.feelings)
        lines.append(Msg.of("patterns.feelings", feelings=_list(named)))
    return Msg.of("patterns.window", days=w.days, lines=tuple(lines))


def _late_many(facts: tuple[Fact, ...], tz: str) -> int:
    """The late-night time-outs when they are a pattern (LATE_MIN and at least a third), else 0."""
    late = late_at_night(facts, tz)
    return late if late >= LATE_MIN and 3 * late >= len(facts) else 0


def _notes(facts: tuple[Fact, ...], w: Window, now: datetime, tz: str) -> tuple[Msg, ...]:
    """Gentle observations over the longest window: an acknowledgement first, help last."""
    notes: list[Msg] = []
    if w.scored >= CALMER_MIN and tenths(w.tension_start, w.scored) - tenths(w.tension_after, w.scored) >= CALMER_DROP:
        notes.append(Msg.of("patterns.note.calmer"))
    busy = busiest_week(_within(facts, now, BUSY_DAYS))
    if busy >= BUSY_WEEK:
        notes.append(Msg.of("patterns.note.busy_week", n=busy))
    returned = w.on_time + w.extended
    if w.extended >= EXTENDED_MIN and 2 * w.extended >= returned:
        notes.append(Msg.of("patterns.note.extended", n=w.extended, total=returned))
    late = _late_many(facts, tz)
    if late:
        notes.append(Msg.of("patterns.note.late", n=late, total=w.started))
    if w.missed >= MISSED_MIN:
        notes.append(Msg.of("patterns.note.silence", n=w.missed, total=w.started, days=w.days))
    return tuple(notes)


def _reflection(facts: tuple[Fact, ...], w: Window, now: datetime, tz: str) -> Msg:
    """One question to think about (or talk about) at a calm moment, fitting what the counts show most."""
    if w.missed >= MISSED_MIN:
        question = Msg.of("patterns.reflect.return")
    elif _late_many(facts, tz):
        question = Msg.of("patterns.reflect.late")
    elif busiest_week(_within(facts, now, BUSY_DAYS)) >= BUSY_WEEK:
        question = Msg.of("patterns.reflect.trigger")
    else:
        question = Msg.of("patterns.reflect.helped")
    return Msg.of("patterns.reflect", question=question)
