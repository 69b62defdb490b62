"""What people type that the flow understands without a button: the signal phrase, "ready"."""

from __future__ import annotations

from ..parse import fold, phrase_matches

DEFAULT_SIGNALS = ("ik neem een time-out", "i'm taking a time-out", "ik neem een time out", "im taking a time out")
READY_WORDS = frozenset({"ready", "klaar", "ja", "yes", "ik ben klaar", "i'm ready", "im ready", "ok", "oke"})
STOP_WORDS = frozenset({"stop", "klaar", "genoeg", "done", "enough", "ok", "oke", "verder", "next", "stoppen"})
"""Typed during breathing: end the round (anything else typed lets the pacer go on)."""
HELP_WORDS = frozenset({"help", "hulp", "help me", "help mij", "wat nu", "what now", "wat kan ik doen"})
TIMEOUT_WORDS = frozenset({"timeout", "time-out", "time out", "timout", "pauze", "pause", "break", "ik wil pauze",
                           "i need a break", "ik heb pauze nodig", "even pauze", "efkes pauze"})


def _plain(text: str) -> str:
    return fold(text).strip(" .!?,")


def is_ready_word(text: str) -> bool:
    return _plain(text) in READY_WORDS


def is_stop_word(text: str) -> bool:
    return _plain(text) in STOP_WORDS


def is_help_word(text: str) -> bool:
    return _plain(text) in HELP_WORDS


def is_timeout_word(text: str) -> bool:
    return _plain(text) in TIMEOUT_WORDS


def is_signal(text: str, phrase: str) -> bool:
    """The couple's own signal phrase, or one of the default ones."""
    return (bool(phrase) and phrase_matches(text, phrase)) or any(phrase_matches(text, p) for p in DEFAULT_SIGNALS)
