"""Keeping the bot token (and message text) out of the logs.

Three layers: httpx/httpcore log every request URL, and a Telegram URL contains the token, so they are set to
WARNING; PTB logs every API call's parameters and results (message text included) at DEBUG, so the `telegram`
logger never goes below INFO; and a Filter on the root handlers rewrites any record that still contains the
token (a URL inside an exception, a future library log line) before it is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[token]"
QUIET = ("httpx", "httpcore")


class Redact(logging.Filter):
    """Replaces secrets in a record's message, exception text and stack text. Never drops a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for s in secrets:
            if not s:
                continue
            variants |= {s, quote(s, safe=""), quote(s)}
            _, colon, secret_part = s.partition(":")
            if colon and len(secret_part) >= 8:  # a Telegram token is "<bot id>:<secret>"; the secret alone
                variants.add(secret_part)
        self.secrets = sorted((v for v in variants if len(v) >= 8), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def quiet_libraries() -> None:
    """httpx/httpcore to WARNING; `telegram` (PTB) no lower than INFO, so API parameters are never logged."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    floor = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    ptb = logging.getLogger("telegram")
    if ptb.level == logging.NOTSET or ptb.level < floor:
        ptb.setLevel(floor)
    # With no retries inside a send, every 429 would be logged here as an ERROR with a traceback; the
    # dispatcher logs the retry it schedules instead.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


def install(secrets: Iterable[str]) -> Redact:
    """Quiet the chatty libraries and put a redacting filter on every root handler; returns the filter."""
    quiet_libraries()
    f = Redact(secrets)
    for h in logging.getLogger().handlers:
        h.addFilter(f)
    return f


def uninstall(f: Redact) -> None:
    for h in logging.getLogger().handlers:
        h.removeFilter(f)
