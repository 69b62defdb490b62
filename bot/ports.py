"""What the shell and the adapters share: who someone is on a platform, rendered output, the Messenger port."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
class Breath:
    """The breathing round an Outgoing paces, for adapters that can show it as an animation (bot/media)."""

    pattern: str
    locale: str


@dataclass(frozen=True, slots=True)
class Picture:
    """An image to show (the /patterns chart): a PNG, its file name, and a caption that also serves as alt text."""

    name: str
    png: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for an adapter: text, buttons (id, label), an optional pacer animation, file or picture."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()
    frames: tuple[Frame, ...] = ()
    after_frames: str = ""
    document: tuple[str, bytes] | None = None  # (file name, content), e.g. the /export JSON
    image: Picture | None = None  # shown before the text: a photo on Telegram, an attachment on Discord
    aside: bool = False  # a word on the side: a running breathing animation goes on
    breath: Breath | None = None  # with frames: the round as an animation; the frames are its text fallback


class DeliveryError(Exception):
    """Sending failed; the dispatcher decides what next."""


class RetryLater(DeliveryError):
    """A passing failure (429, 5xx, timeout): try again, after `retry_after` seconds when given."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot get messages (blocked the bot, DMs closed, account gone). Do not retry."""


class Withdrawn(DeliveryError):
    """Found at the last look before the platform call, nothing sent: the message is no longer wanted (its
    outbox row is gone: cancelled after a safety signal, an unpairing, a /forget), or not now (`hold`: its
    recipient is on the safety screen)."""

    def __init__(self, reason: str, hold: bool = False) -> None:
        super().__init__(reason)
        self.hold = hold


class Messenger(Protocol):
    async def deliver(self, to: Recipient, out: Outgoing) -> None: ...


class Gate:
    """The last look at one outbox delivery, taken right before each platform request that would send it.

    The dispatcher opens one around `Messenger.deliver` (see `delivering`); an adapter that can wait inside a
    send (a rate limiter, a library's own 429 handling) calls `before_platform_call()` right before the request
    goes out, so a message taken back while it waited is not sent. Once the platform took a first part, the
    rest of that message goes unchecked (half a message would be worse than a whole one)."""

    def __init__(self, look: Callable[[], Awaitable[str]]) -> None:
        self._look = look
        self.started = False

    async def check(self) -> None:
        """Raises Withdrawn unless the message is still wanted now ("send")."""
        if self.started:
            return
        verdict = await self._look()
        if verdict != "send":
            raise Withdrawn(f"outbox row {verdict}", hold=verdict == "held")

    def sent(self) -> None:
        self.started = True


_GATE: ContextVar[Gate | None] = ContextVar("adempauze_delivery_gate", default=None)


@contextmanager
def delivering(gate: Gate) -> Iterator[Gate]:
    """Everything awaited inside (the messenger, tasks it starts) sees this gate."""
    token = _GATE.set(gate)
    try:
        yield gate
    finally:
        _GATE.reset(token)


async def before_platform_call() -> None:
    """For adapters: the last look, right before a request that sends; raises Withdrawn. A no-op outside an
    outbox delivery (a reply to the person acting)."""
    gate = _GATE.get()
    if gate is not None:
        await gate.check()


def platform_call_done() -> None:
    """For adapters: the platform accepted a request of this delivery."""
    gate = _GATE.get()
    if gate is not None:
        gate.sent()


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
