"""Telegram update -> who acted and the core event. Pure functions over PTB objects; no I/O."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, User

from bot.core.events import ChoiceMade, Event
from bot.i18n import LOCALES, catalog
from bot.ports import UserRef, event_from_button, event_from_text

from .render import MAX_DATA

PLATFORM = "telegram"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
"""What the bot asks Telegram for; edits of earlier messages are not acted on (the flow has moved on)."""


def user_ref(user: User, chat: Chat) -> UserRef:
    """A Telegram person as the core's UserRef: their id, their private chat, first name, language hint."""
    return UserRef(PLATFORM, str(user.id), chat_id=str(chat.id), name=(user.first_name or "")[:64],
                   locale=user.language_code or "")


def message_event(message: Message) -> Event | None:
    """A private message as a core event: text (or a caption) and /commands; None for a message with no text."""
    text = message.text if message.text is not None else message.caption
    if text is None:
        return None
    return event_from_text(text)


def button_event(query: CallbackQuery) -> ChoiceMade | None:
    """A button press as a ChoiceMade, or None when it is not one of ours to act on (then: a short notice)."""
    data = query.data
    message = query.message
    if not isinstance(data, str) or not data or len(data.encode("utf-8", "replace")) > MAX_DATA \
            or message is None or message.chat.type != Chat.PRIVATE:
        return None
    if message.chat.id != query.from_user.id:  # in a private chat only its own person can press
        return None
    return event_from_button(data)


def is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


def addressed_to(message: Message, username: str) -> bool:
    """A group command meant for this bot: "/cmd" or "/cmd@ourname" (not "/cmd@otherbot")."""
    text = message.text or ""
    if not text.startswith("/"):
        return False
    head = text.split(maxsplit=1)[0]
    _, at, name = head.partition("@")
    return not at or name.casefold() == username.casefold()


def locale_of(user: User | None, default: str) -> str:
    """The language for the adapter's own sentences: the person's Telegram language when we speak it."""
    code = ((user.language_code if user else None) or "")[:2].lower()
    return code if code in LOCALES else default


def say(locale: str, key: str, **params: str) -> str:
    """One of the adapter's own sentences (bot/i18n/<locale>/telegram.toml)."""
    return catalog(locale)[key].format(**params).strip()
