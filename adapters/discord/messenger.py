"""The Discord Messenger: what the dispatcher sends (partner notices, return pings) goes out as a DM.

Errors are translated for the dispatcher: DMs closed or the account gone -> `Unreachable` (and the person is
remembered, so the adapter can tell them how to open their DMs the next time they use a command); 429 -> `RetryLater`
with Discord's retry_after; 5xx, timeouts and connection errors -> `RetryLater`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord

from adapters.discord.pacer import Edit, Pacer
from adapters.discord.render import NO_MENTIONS, Part, file_of, parts
from adapters.discord.view import choice_view
from bot.media import breathing_gif
from bot.ports import Frame, Outgoing, Recipient, RetryLater, Unreachable, before_platform_call, platform_call_done

log = logging.getLogger(__name__)

UNREACHABLE_CODES = frozenset({50007, 50033, 10013})
"""Discord's JSON error codes for: cannot send messages to this user, invalid recipient, unknown user."""
NOT_CONNECTED_RETRY = 5.0
RETRIED_INSIDE = frozenset({429, 500, 502, 504, 524})
"""Answers discord.py would sleep on and retry inside the send; for a dispatcher delivery they are RetryLater."""
_MESSAGE_POST = re.compile(r"/channels/\d+/messages$")
_DELIVERING: ContextVar[bool] = ContextVar("adempauze_discord_delivering", default=False)


def http_trace() -> aiohttp.TraceConfig:
    """aiohttp hooks on every request discord.py makes, for dispatcher deliveries: the outbox row's last look
    right before each request (after any wait in discord.py's rate-limit buckets), and no sleeping or retrying
    inside the send: a 429 or 5xx goes back to the dispatcher as RetryLater (the row back to the database).
    Replies to the person acting are left to discord.py's own handling."""

    async def start(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any) -> None:
        if _DELIVERING.get() and params.method == "POST":  # not the pacer's edits (PATCH) of a sent message
            await before_platform_call()

    async def end(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any) -> None:
        if not _DELIVERING.get() or params.method != "POST":
            return
        status = params.response.status
        if status in RETRIED_INSIDE:
            raise RetryLater(f"Discord answered {status}", _retry_after_header(params.response.headers))
        if status < 300 and _MESSAGE_POST.search(params.url.path):
            platform_call_done()  # a part is out: the rest of this message goes unchecked

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(start)
    trace.on_request_end.append(end)
    return trace


def _retry_after_header(headers: Any) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None


class DiscordMessenger:
    """Sends Outgoing messages to a person's DM channel; the same code serves the adapter's own DM replies."""

    def __init__(self, client: discord.Client, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer
        self.dm_ids: dict[int, int] = {}
        """person's Discord id -> their DM channel id, as learnt from interactions and created channels."""
        self.dm_closed: set[int] = set()
        """People whose DM failed since they last heard about it (in memory: a restart forgets, at worst one hint)."""

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        """The Messenger port: one message to one person, by DM."""
        if not to.external_id.isdigit():
            raise Unreachable(f"not a Discord user id: {to.external_id[:24]!r}")
        if self.client.user is None or self.client.is_closed():
            raise RetryLater("the Discord client is not logged in", NOT_CONNECTED_RETRY)
        person = int(to.external_id)
        token = _DELIVERING.set(True)
        try:
            channel = await self.dm_channel(person, to.chat_id)
            await self.send(channel, person, out)
        except discord.Forbidden as e:
            self.dm_closed.add(person)
            raise Unreachable("DMs closed (403)") from e
        except discord.NotFound as e:
            raise Unreachable("DM channel or user not found (404)") from e
        except discord.RateLimited as e:
            raise RetryLater("rate limited", e.retry_after) from e
        except discord.HTTPException as e:
            if e.code in UNREACHABLE_CODES:
                self.dm_closed.add(person)
                raise Unreachable(f"Discord error {e.code}") from e
            if e.status == 429:
                raise RetryLater("rate limited", _retry_after(e)) from e
            if e.status >= 500:
                raise RetryLater(f"Discord answered {e.status}") from e
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise RetryLater(type(e).__name__) from e
        finally:
            _DELIVERING.reset(token)
        self.dm_closed.discard(person)

    async def dm_channel(self, person: int, chat_id: str = "") -> discord.abc.Messageable:
        """The person's DM channel: known ids need no request; otherwise Discord opens (or returns) it."""
        known = int(chat_id) if chat_id.isdigit() else self.dm_ids.get(person)
        if known:
            return self.client.get_partial_messageable(known, type=discord.ChannelType.private)
        channel = await self.client.create_dm(discord.Object(person))
        self.dm_ids[person] = channel.id
        return channel

    async def send(self, channel: discord.abc.Messageable, person: int, out: Outgoing, prefix: str = "") -> None:
        """Post an Outgoing in a channel (as many messages as Discord's limits need); start its pacer."""

        async def send_one(kwargs: dict[str, Any]) -> discord.Message:
            return await channel.send(**kwargs)

        for part in parts(out, prefix):
            await post(send_one, self.pacer, person, part, out)


Send = Callable[[dict[str, Any]], Awaitable[discord.Message | discord.InteractionMessage | discord.WebhookMessage]]
UPLOAD_REFUSED = frozenset({400, 413})
"""Discord's answers to an attachment it will not take (too large, a bad request): the round goes on as text."""


async def post(send: Send, pacer: Pacer, person: int, part: Part, out: Outgoing) -> None:
    """Send one part; a breathing round goes out as the animated guide (the GIF attached, the text and buttons
    on it from the first second) and is paced for its length, or as the text pacer when the upload is refused.

    Discord has no file id to send again, and an attachment's CDN address is signed and expires (and would tie the
    partner's message to this one's): every guide is a fresh upload of the bytes drawn once (bot/media)."""
    if part.pacer and out.breath is not None:
        anim = await breathing_gif.load(out.breath.pattern, out.breath.locale)
        kwargs = message_kwargs(part, pacer, out, animated=True)
        kwargs["file"] = discord.File(io.BytesIO(anim.data), filename=anim.filename)
        try:
            message = await send(kwargs)
        except discord.HTTPException as e:
            if e.status not in UPLOAD_REFUSED or isinstance(e, discord.Forbidden):
                raise
            log.info("breathing animation not taken (%s); the text pacer instead", e.status)
        else:
            seconds = sum(f.seconds for f in out.frames) or anim.seconds
            pacer.start(person, message.id, editor(message), part.content, (Frame("", seconds),), out.after_frames)
            return
    message = await send(message_kwargs(part, pacer, out))
    if part.pacer:
        pacer.start(person, message.id, editor(message), part.content, out.frames, out.after_frames)


def message_kwargs(part: Part, pacer: Pacer, out: Outgoing, animated: bool = False) -> dict[str, Any]:
    """Keyword arguments for discord.py's send methods: content, buttons, file; never a mention. A pacer message
    shows its first frame under the text (not when the animated guide is attached: that is the pacer)."""
    content = pacer.first(part.content, out.frames) if part.pacer and not animated else part.content
    kwargs: dict[str, Any] = {"content": content or None, "allowed_mentions": NO_MENTIONS}
    view = choice_view(part.choices)
    if view is not None:
        kwargs["view"] = view
    upload = file_of(part.document, part.image)
    if upload is not None:
        kwargs["file"] = upload
    return kwargs


def editor(message: discord.Message | discord.InteractionMessage | discord.WebhookMessage) -> Edit:
    """An edit function for the pacer: new content, the buttons (unless told) and mentions left as they are."""

    async def edit(content: str, *, buttons: bool = True) -> None:
        if buttons:
            await message.edit(content=content, allowed_mentions=NO_MENTIONS)
        else:
            await message.edit(content=content, allowed_mentions=NO_MENTIONS, view=None)

    return edit


def _retry_after(e: discord.HTTPException) -> float | None:
    return _retry_after_header(e.response.headers)
