"""The one clock of the shell. Real time, optionally scaled (TIME_SCALE), or moved by hand (console, tests)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def wall_seconds(self, span: timedelta) -> float:
        """How many real seconds to sleep for `span` of clock time."""
        ...

    def wall_until(self, at: datetime) -> float:
        """How many real seconds until the clock shows `at` (0 when it already does)."""
        ...


class SystemClock:
    """Real time; with `scale` > 1 clock time runs faster (60: a minute per second) from the start moment, or from
    `origin` (unix seconds: the moment the scaled clock showed real time), so that several processes given the
    same origin show the same time (TIME_ORIGIN)."""

    def __init__(self, scale: float = 1.0, origin: float | None = None) -> None:
        self.scale = scale
        wall = time.time()
        self._t0 = wall if origin is None else origin + (wall - origin) * scale
        self._m0 = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._m0) * self.scale
        return datetime.fromtimestamp(self._t0 + elapsed, UTC).replace(microsecond=0)

    def wall_seconds(self, span: timedelta) -> float:
        return max(0.0, span.total_seconds() / self.scale)

    def wall_until(self, at: datetime) -> float:
        # exact, not from the whole-second now(): a sleep computed from a truncated now overshoots by up to 1 s
        exact = self._t0 + (time.monotonic() - self._m0) * self.scale
        return max(0.0, (at.timestamp() - exact) / self.scale)


class ManualClock:
    """A clock that only moves when told to: the console's `!wait`, and every test."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def advance(self, span: timedelta) -> datetime:
        self._now += span
        return self._now

    def catch_up(self, at: datetime) -> datetime:
        """Move forward to `at` if that is later (never back): another console moved the shared clock."""
        self._now = max(self._now, at.astimezone(UTC).replace(microsecond=0))
        return self._now

    def wall_seconds(self, span: timedelta) -> float:
        return max(0.0, span.total_seconds())

    def wall_until(self, at: datetime) -> float:
        return max(0.0, (at - self._now).total_seconds())
