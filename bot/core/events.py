"""Inputs to the core, in the past tense: something a person did, or a timer that came due."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .danger import Reading


class TimerKind(enum.StrEnum):
    RETURN = "return"  # the agreed return time
    REPING = "reping"  # one more ping after the grace period
    MISSED = "missed"  # nobody answered: the return counts as missed
    AFTER = "after"  # "how did the conversation go?"
    PREPARE = "prepare"  # before the return: "shall we get ready for the talk?"


@dataclass(frozen=True, slots=True)
class CommandReceived:
    """A /command, already stripped of '/' and any @botname; `arg` is the rest of the line."""

    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class ChoiceMade:
    """A button or numbered option; `choice` is the dotted id the core gave it (may be stale or forged)."""

    choice: str


@dataclass(frozen=True, slots=True)
class TextReceived:
    """Free text. `reading` is the text as the shell read it for danger signals (bot/reader.py); the service
    always fills it in, whatever the adapter gave. Empty means nothing was read."""

    text: str
    reading: Reading = ()


@dataclass(frozen=True, slots=True)
class TimerFired:
    kind: TimerKind
    timeout_id: str
    due: datetime


Event = CommandReceived | ChoiceMade | TextReceived | TimerFired
