"""Answering one interaction within Discord's 3 seconds, however long the work takes.

The first message goes out as the interaction's response when the work is quick (one round trip). If nothing has
been sent after `budget` seconds, the interaction is deferred (a "thinking…" placeholder for a command; a silent
acknowledgement for a button), and what follows fills the placeholder or comes as follow-up messages. A lock keeps
the deferral and a response from crossing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from adapters.discord.render import NO_MENTIONS

log = logging.getLogger(__name__)

ACK_BUDGET = 2.0
"""Seconds of work before an interaction is deferred (Discord drops it after 3)."""


class Responder:
    """Sends the replies to one interaction, ephemeral in a server, and makes sure it is acknowledged in time."""

    def __init__(self, interaction: discord.Interaction[Any], *, ephemeral: bool, budget: float = ACK_BUDGET) -> None:
        self.interaction = interaction
        self.ephemeral = ephemeral
        self.component = interaction.type is discord.InteractionType.component
        self.sent = 0
        self._lock = asyncio.Lock()
        self._placeholder = False  # deferred with "thinking…", to be filled by the first message
        self._defer_task: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(max(0.0, budget), self._defer_soon)

    def _defer_soon(self) -> None:
        self._defer_task = asyncio.create_task(self._defer())

    async def _defer(self) -> None:
        async with self._lock:
            if self.interaction.response.is_done():
                return
            try:
                if self.component:
                    await self.interaction.response.defer()
                else:
                    await self.interaction.response.defer(ephemeral=self.ephemeral, thinking=True)
                    self._placeholder = True
            except discord.HTTPException as e:
                log.warning("could not defer an interaction: %s", e.status)

    async def mark(self, view: discord.ui.View | None, content: str | None = None) -> None:
        """Update the message whose button was pressed (the choice shows as made); acknowledges at once."""
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if view is not None:
            kwargs["view"] = view
        if content is not None:
            kwargs["content"] = content
        async with self._lock:
            if not self.interaction.response.is_done():
                await self.interaction.response.edit_message(**kwargs)
            else:
                await self.interaction.edit_original_response(**kwargs)

    async def send(self, kwargs: dict[str, Any]) -> discord.InteractionMessage | discord.WebhookMessage:
        """Send one message (discord.py keyword arguments); returns it, for the pacer to edit."""
        async with self._lock:
            self.sent += 1
            response = self.interaction.response
            if not response.is_done():
                callback = await response.send_message(ephemeral=self.ephemeral, **kwargs)
                message = callback.resource
                if not isinstance(message, discord.InteractionMessage):
                    message = await self.interaction.original_response()
                return message
            if self._placeholder:
                self._placeholder = False
                kwargs = dict(kwargs)
                upload = kwargs.pop("file", None)
                if upload is not None:
                    kwargs["attachments"] = [upload]
                return await self.interaction.edit_original_response(**kwargs)
            return await self.interaction.followup.send(ephemeral=self.ephemeral, wait=True, **kwargs)

    async def finish(self) -> None:
        """After the work: stop the deferral timer; an interaction that got no message is closed quietly."""
        self._timer.cancel()
        if self._defer_task is not None:
            await asyncio.gather(self._defer_task, return_exceptions=True)
        async with self._lock:
            try:
                if not self.interaction.response.is_done():
                    if self.component:
                        await self.interaction.response.defer()
                        return
                    await self.interaction.response.defer(ephemeral=True, thinking=True)
                    self._placeholder = True
                if self._placeholder:
                    await self.interaction.delete_original_response()
                    self._placeholder = False
            except discord.HTTPException as e:
                log.warning("could not close an interaction: %s", e.status)

