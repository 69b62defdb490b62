"""What the shell and the adapters share: who someone is on a platform, rendered output, the Messenger port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived

PLATFORMS = ("console", "telegram", "discord")
MAX_INPUT = 4096
"""Longest text taken from any platform; the core keeps far less (see core.model.MAX_TEXT)."""


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person as a platform knows them. `locale` is the platform's language hint, if any."""

    platform: str
    external_id: str
    chat_id: str = ""
    name: str = ""
    locale: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a message goes: a platform and the chat there."""

    user_id: int
    platform: str
    external_id: str
    chat_id: str


@dataclass(frozen=True, slots=True)
class Frame:
    """One moment of the breathing pacer: what to show and for how many seconds."""

    text: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for an adapter: text, buttons (id, label) and an optional pacer animation."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()
    frames: tuple[Frame, ...] = ()
    after_frames: str = ""
    document: tuple[str, bytes] | None = None  # (file name, content), e.g. the /export JSON
    aside: bool = False  # a word on the side: a running breathing animation goes on


class DeliveryError(Exception):
    """Sending failed; the dispatcher decides what next."""


class RetryLater(DeliveryError):
    """A passing failure (429, 5xx, timeout): try again, after `retry_after` seconds when given."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot get messages (blocked the bot, DMs closed, account gone). Do not retry."""


class Messenger(Protocol):
    async def deliver(self, to: Recipient, out: Outgoing) -> None: ...


def event_from_text(text: str) -> Event:
    """A typed line as a core event: "/name args" (with an optional @botname) is a command."""
    text = text[:MAX_INPUT]
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace():
        head, _, arg = stripped[1:].partition(" ")
        name = head.split("@", 1)[0]
        return CommandReceived(name[:64], arg.strip())
    return TextReceived(text)


def event_from_button(data: str) -> ChoiceMade:
    return ChoiceMade(data[:64])
