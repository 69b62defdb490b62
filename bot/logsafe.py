"""Keeping message text, invite codes and tokens out of the logs, whatever LOG_LEVEL says.

Two layers. First, the platform libraries are floored: at DEBUG they write everything they send and receive
(python-telegram-bot every API call's parameters and results; discord.py every gateway payload, so DM and
`/say` text and `/join CODE`, and every request body, so the invite codes in the bot's replies; httpx every
request URL, and a Telegram URL holds the bot token; aiosqlite every call it runs). So `telegram`, `discord`,
`aiohttp`, `websockets` and `aiosqlite` never go below INFO, and `httpx`/`httpcore` not below WARNING.
Second, a Filter on the root handlers rewrites any record that still holds a secret before it is written:
the tokens the adapters register, Discord interaction tokens and session ids, invite codes in either form
(a URL inside an exception, a warning a library logs on a 429, a future library log line).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[token]"
FLOORS = {
    "httpx": logging.WARNING, "httpcore": logging.WARNING,
    "telegram": logging.INFO, "discord": logging.INFO, "aiohttp": logging.INFO, "websockets": logging.INFO,
    "aiosqlite": logging.INFO,
}
"""The lowest level each platform library may log at (higher when LOG_LEVEL is higher)."""
PATTERNS = (
    # a Discord interaction (or webhook) token in a URL: /webhooks/<application id>/<token>/…
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?'\"]+"), r"\1" + REDACTED),
    (re.compile(r"(['\"]token['\"]\s*:\s*['\"])[^'\"]+"), r"\1" + REDACTED),  # a token in a payload
    (re.compile(r"(Session ID:?\s*)\S+", re.IGNORECASE), r"\1[session]"),
    (re.compile(r"(['\"]session_id['\"]\s*:\s*['\"])[^'\"]+"), r"\1[session]"),
    (re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}(?![0-9A-Za-z])"), "[code]"),
    (re.compile(r"(start=)[0-9A-Za-z]{12}\b"), r"\1[code]"),  # a Telegram deep link
    (re.compile(r"(Bot |Bearer )[A-Za-z0-9_.:\-]{20,}"), r"\1" + REDACTED),  # an Authorization header
)


class Redact(logging.Filter):
    """Replaces secrets in a record's message, exception text and stack text. Never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
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
        for pattern, replacement in PATTERNS:
            text = pattern.sub(replacement, text)
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


def floor_libraries() -> None:
    """Each library in FLOORS no lower than its floor (nor than the root's level)."""
    root = logging.getLogger().getEffectiveLevel()
    for name, lowest in FLOORS.items():
        logger = logging.getLogger(name)
        floor = max(lowest, root)
        if logger.level == logging.NOTSET or logger.level < floor:
            logger.setLevel(floor)


def install(secrets: Iterable[str] = ()) -> Redact:
    """Floor the chatty libraries and put a redacting filter on every root handler; returns the filter."""
    floor_libraries()
    f = Redact(secrets)
    for h in logging.getLogger().handlers:
        h.addFilter(f)
    return f


def uninstall(f: Redact) -> None:
    for h in logging.getLogger().handlers:
        h.removeFilter(f)


def where(e: BaseException) -> str:
    """Where an exception was raised (file:line), without its message (which may carry what someone typed)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb is not None else "?"
