"""Keeping the bot token (and message text) out of the logs, for Telegram: the shared floors and redaction of
bot.logsafe (httpx to WARNING: a Telegram URL holds the token; `telegram` no lower than INFO: PTB logs every
API call's parameters and results at DEBUG), with the token registered, and PTB's rate limiter silenced: it
never retries here, so it would log every 429 as an ERROR; the dispatcher logs the retry it schedules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.logsafe import REDACTED, Redact, floor_libraries, uninstall

__all__ = ["REDACTED", "Redact", "install", "quiet_libraries", "uninstall"]


def quiet_libraries() -> None:
    floor_libraries()
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


def install(secrets: Iterable[str]) -> Redact:
    """Quiet the chatty libraries and put a redacting filter on every root handler; returns the filter."""
    quiet_libraries()
    f = Redact(secrets)
    for h in logging.getLogger().handlers:
        h.addFilter(f)
    return f
