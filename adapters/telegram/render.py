"""Outgoing -> Telegram: plain text, inline keyboards laid out for a phone, documents, photos; errors -> port errors.

Text is always sent without a parse mode and without link previews: what a person typed (a time-out sentence
that reaches the partner) can never become markup, and a link in it never unfolds into a preview card.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import quote

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.ports import DeliveryError, Picture, RetryLater, Unreachable

MAX_TEXT = 4096
"""Telegram's longest message text."""
MAX_DATA = 64
"""Telegram's longest callback_data, in bytes."""
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

Choices = Sequence[tuple[str, str]]


def usable(choices: Choices) -> list[tuple[str, str]]:
    """The choices Telegram can carry: callback data 1–64 bytes and a label. Others are not rendered."""
    return [(cid, label) for cid, label in choices if 0 < len(cid.encode()) <= MAX_DATA and label.strip()]


def per_row(longest: int) -> int:
    """How many buttons fit side by side on a phone when the longest label has this many characters."""
    return 3 if longest <= 9 else 2 if longest <= 15 else 1


def layout(choices: Choices) -> list[list[tuple[str, str]]]:
    """Rows of buttons: a run of number labels (a 0–10 score) in one or two rows, short labels 2–3 a row."""
    items = usable(choices)
    rows: list[list[tuple[str, str]]] = []
    row: list[tuple[str, str]] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][1].strip().isdigit():
            j += 1
        if j - i >= 4:  # a scale: all of it in one row, or two balanced rows
            if row:
                rows.append(row)
                row = []
            run = items[i:j]
            width = len(run) if len(run) <= 6 else math.ceil(len(run) / 2)
            rows.extend(run[k : k + width] for k in range(0, len(run), width))
            i = j
            continue
        item = items[i]
        longest = max(len(label) for _, label in [*row, item])
        if row and len(row) >= per_row(longest):
            rows.append(row)
            row = []
        row.append(item)
        i += 1
    if row:
        rows.append(row)
    return rows


LINK_START = "link.start."
"""A choice id the core uses for an invite: on Telegram a URL button t.me/<bot>?start=<code> (a deep link)."""


LINK_SHARE = "link.share"
"""A choice id the core uses for a message meant to be passed on (alone: the message for one's partner): on
Telegram a URL button to t.me/share/url carrying that message's text, so the person picks the chat to send it to.
(A URL button needs no inline mode, which switch_inline_query would.)"""
SHARE_URL = "https://t.me/share/url?url="


def share_url(text: str) -> str:
    """Telegram's share link for a text: it opens the chat picker with the text ready to send."""
    return SHARE_URL + quote(text, safe="")


def keyboard(choices: Choices, bot_username: str = "", text: str = "") -> InlineKeyboardMarkup | None:
    rows = layout([(cid, label) for cid, label in choices if not cid.startswith("link.")])
    links = [
        [InlineKeyboardButton(label, url=f"https://t.me/{bot_username}?start={cid[len(LINK_START):]}")]
        for cid, label in choices
        if cid.startswith(LINK_START) and bot_username and cid[len(LINK_START):].isalnum()
    ] + [[InlineKeyboardButton(label, url=share_url(text))] for cid, label in choices
         if cid == LINK_SHARE and text.strip()]
    buttons = [[InlineKeyboardButton(label, callback_data=cid) for cid, label in r] for r in rows] + links
    return InlineKeyboardMarkup(buttons) if buttons else None


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text at line breaks (or hard, for one very long line) into pieces Telegram accepts."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


async def send_text(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Send plain text (in pieces when long); the keyboard goes on the last piece. Returns the last message."""
    pieces = chunks(text)
    last: Message | None = None
    for n, piece in enumerate(pieces, 1):
        last = await bot.send_message(
            chat_id, piece, reply_markup=markup if n == len(pieces) else None, link_preview_options=NO_PREVIEW
        )
    return last


async def send_document(bot: Bot, chat_id: int, document: tuple[str, bytes]) -> None:
    name, content = document
    await bot.send_document(chat_id, InputFile(content, filename=name))


async def send_picture(bot: Bot, chat_id: int, picture: Picture) -> None:
    """A picture as a photo, its caption under it (Telegram allows 1024 characters there)."""
    await bot.send_photo(chat_id, InputFile(picture.png, filename=picture.name), caption=picture.caption[:1024])


def classify(error: TelegramError) -> DeliveryError:
    """A PTB error as the dispatcher's port error: retry later, unreachable, or a plain failure."""
    if isinstance(error, RetryAfter):
        return RetryLater("telegram: 429 too many requests", retry_after=retry_after_seconds(error))
    if isinstance(error, Forbidden):  # blocked by the user, user deactivated, no right to write
        return Unreachable("telegram: forbidden")
    if isinstance(error, ChatMigrated):
        return Unreachable("telegram: chat migrated")
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: test it first
        if "chat not found" in error.message.lower() or "user not found" in error.message.lower():
            return Unreachable("telegram: chat not found")
        return DeliveryError("telegram: bad request")
    if isinstance(error, InvalidToken):
        return DeliveryError("telegram: invalid token")
    if isinstance(error, NetworkError):  # TimedOut, 5xx, connection errors
        return RetryLater(f"telegram: {type(error).__name__}")
    return DeliveryError(f"telegram: {type(error).__name__}")


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (read without PTB's int-vs-timedelta deprecation warning)."""
    td = getattr(error, "_retry_after", None)
    if isinstance(td, timedelta):
        return td.total_seconds()
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
