"""Breathing patterns as data: named phases with their seconds, and how many cycles make a round."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    phases: tuple[tuple[str, float], ...]  # (phase key: inhale | top_up | hold | exhale, seconds)
    cycles: int  # cycles in one round of about a minute

    @property
    def cycle_seconds(self) -> float:
        return sum(s for _, s in self.phases)


PATTERNS: dict[str, Pattern] = {
    # Cyclic sighing: a full breath in through the nose, a second short sip on top, a long slow breath out.
    "sigh": Pattern("sigh", (("inhale", 2.0), ("top_up", 1.0), ("exhale", 6.0)), 7),
    "box": Pattern("box", (("inhale", 4.0), ("hold", 4.0), ("exhale", 4.0), ("hold", 4.0)), 4),
    "478": Pattern("478", (("inhale", 4.0), ("hold", 7.0), ("exhale", 8.0)), 3),
    "slow": Pattern("slow", (("inhale", 5.5), ("exhale", 5.5)), 5),
}
DEFAULT = "sigh"
PHASE_KEYS = ("inhale", "top_up", "hold", "exhale")

LENGTHS = (1, 3, 5)
"""How many minutes a breathing round may last: one of these, chosen by the person."""
BY_TENSION = ((8, 5), (5, 3), (0, 1))
"""The length offered first, from the tension score: (at least this score, minutes)."""


def minutes_for(tension: int | None) -> int:
    """The breathing length offered first for a tension score (one minute when there is none)."""
    if tension is None:
        return LENGTHS[0]
    return next(m for score, m in BY_TENSION if tension >= score)
