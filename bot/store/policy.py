"""The store's rules that hold on every backend: windows, leases, ids, what counts as private."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.core import couples
from bot.core.model import Plan, Session

HISTORY = timedelta(days=90)
"""How far back /patterns looks."""
HISTORY_MAX = 1000
"""At most this many past time-outs are read for /patterns (the newest)."""
JOIN_FAILURES_KEPT = timedelta(days=1)
DECISIONS = ("accepted", "rejected", "withdrawn")

LEASE = timedelta(seconds=10)
"""How long a process counts as alive after its last heartbeat (wall clock). Its claims hold as long: a
killed process's outbox rows are taken over by another at most this long after it stopped beating."""
HEARTBEAT = LEASE / 4
EXCLUSIVE = frozenset({"telegram", "discord"})
"""Platforms only one process per file may serve: Telegram hands each update to a single poller (a second
one gets 409 Conflict), and a second Discord gateway session with the same token gets every event twice."""
WHY_EXCLUSIVE = {
    "telegram": "Telegram gives each update to one poller only, so a second one would answer nobody or twice.",
    "discord": "a second Discord connection with the same token would get every interaction twice.",
}


def new_id() -> int:
    """A random id for a new time-out or couple: 53 bits (exact in JSON and JavaScript too), never 0."""
    return secrets.randbelow(2**53 - 1) + 1


def code_hash(code: str) -> str:
    """What is stored for an invite code: sha256 hex of its canonical form. The code itself is never stored."""
    return hashlib.sha256((couples.normalise_code(code) or code).encode()).hexdigest()


LIVE_AFTER = timedelta(days=2)
"""How long after its end a time-out's id may still be used (an after-check, a late message)."""


def is_private(s: Session) -> bool:
    """Does this dialogue hold private free text (or answers) that must not outlive PRIVATE_KEPT?"""
    plan = s.plan
    return (plan is not _EMPTY_PLAN and plan != _EMPTY_PLAN) or s.pending is not None or bool(s.answers)


_EMPTY_PLAN = Plan()


def shown_name(name: str) -> str:
    """A platform display name as the partner will see it: short, visible characters, nothing link-like."""
    return couples.display_name(name)


PRIVATE_KEPT = timedelta(days=7)
"""Private free text older than this is wiped even when its time-out never ended properly."""

