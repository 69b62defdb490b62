"""What people type that the flow understands without a button: the signal phrase, "ready"."""

from __future__ import annotations

from ..parse import fold, phrase_matches

DEFAULT_SIGNALS = ("ik neem een time-out", "i'm taking a time-out", "ik neem een time out", "im taking a time out")
READY_WORDS = frozenset({"ready", "klaar", "ja", "yes", "ik ben klaar", "i'm ready", "im ready", "ok", "oke"})


def is_ready_word(text: str) -> bool:
    return fold(text).strip(" .!") in READY_WORDS


def is_signal(text: str, phrase: str) -> bool:
    """The couple's own signal phrase, or one of the default ones."""
    return (bool(phrase) and phrase_matches(text, phrase)) or any(phrase_matches(text, p) for p in DEFAULT_SIGNALS)
