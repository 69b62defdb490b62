"""The figures of the `/patterns` picture, as data: the core counts, the shell draws. No text in here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Chart:
    """What the chart shows one person: the couple's shared counts, and only their own tension scores.

    `weeks` counts time-outs started per week, oldest first; the last week ends now and the first starts on
    `first_day` (the asking person's local date). Tension averages are in tenths (77 is 7.7), None unscored.
    """

    weeks: tuple[int, ...]
    first_day: date
    on_time: int = 0
    extended: int = 0
    missed: int = 0
    started_by_me: int = 0
    started_by_partner: int = 0
    extended_by_me: int = 0
    extended_by_partner: int = 0
    tension_before: int | None = None
    tension_after: int | None = None
    paired: bool = False

    @property
    def total(self) -> int:
        return sum(self.weeks)
