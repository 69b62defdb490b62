"""The breathing guide on Telegram: an animation (bot/media's GIF) uploaded once, then sent by its file_id.

Telegram keeps every file a bot uploaded and answers the upload with a `file_id` the bot may send again, to any
chat, without uploading it again. So the first sendAnimation of a guide (a pattern in a language) uploads the
GIF, and every later one, for this person or their partner, sends only the file_id. The ids are kept in memory,
keyed by the rendering's key (pattern, language, hash of the bytes): a restart uploads each guide once more
(at most four patterns × two languages, about 100 KB each), which costs less than a table that would have to
outlive renderings and token changes. A file_id Telegram no longer accepts is dropped and the GIF uploaded again.
One lock per guide: two people starting the same guide at once share one upload.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest

from bot.media import breathing_gif
from bot.ports import Breath

log = logging.getLogger(__name__)

MAX_CAPTION = 1024
"""Telegram's longest caption."""


class Animations:
    """Sends breathing guides; `file_ids` maps a rendering's key to what Telegram gave back for it."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.file_ids: dict[str, str] = {}
        self.uploads = 0
        self._locks: dict[str, asyncio.Lock] = {}

    async def send(
        self, chat_id: int, breath: Breath, caption: str, markup: InlineKeyboardMarkup | None
    ) -> tuple[Message, float]:
        """Send the guide with its caption and buttons; returns the message and the length of one cycle."""
        anim = await breathing_gif.load(breath.pattern, breath.locale)
        lock = self._locks.setdefault(anim.key, asyncio.Lock())
        async with lock:
            file_id = self.file_ids.get(anim.key)
            if file_id is not None:
                try:
                    return await self._send(chat_id, file_id, anim, caption, markup), anim.seconds
                except BadRequest as e:  # the id is no longer good (or never was): upload once more
                    log.info("animation file id refused (%s); uploading again", type(e).__name__)
                    self.file_ids.pop(anim.key, None)
            upload = InputFile(anim.data, filename=anim.filename, attach=True)
            message = await self._send(chat_id, upload, anim, caption, markup)
            self.uploads += 1
            sent = message.animation or message.document
            if sent is not None:
                self.file_ids[anim.key] = sent.file_id
            return message, anim.seconds

    async def _send(
        self, chat_id: int, animation: str | InputFile, anim: breathing_gif.Animation, caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        return await self.bot.send_animation(
            chat_id, animation, duration=round(anim.seconds), width=anim.width, height=anim.height,
            caption=caption or None, reply_markup=markup,
        )
