"""The Discord adapter: discord.py's Client, slash commands and persistent buttons, translated for the Dialogue.

Theory of operation
-------------------
Inputs: a slash command -> `CommandReceived(name, arg)`; a button -> `ChoiceMade(id)`; `/say text` or a message
typed in the bot's DMs -> `TextReceived` (DM text arrives without the privileged message-content intent; the
intents are only `guilds` and `dm_messages`). Each input becomes one `Dialogue.handle` call; what comes back is
rendered as messages with buttons.

Where replies go: in the bot's DMs, as the interaction's response (then follow-ups). In a server, the flow moves to
the DMs: the replies are sent there and the interaction is answered ephemerally ("I've sent you a DM"). If the DM
fails (DMs closed), the replies are shown ephemerally in the server with a hint how to open DMs. A person whose DM
failed, also in a dispatcher delivery, gets that hint before their next reply.

Acknowledgement: a pressed button is acknowledged at once by updating its message (the choice shows as made, the
buttons are disabled); a command is answered by its first reply, or deferred if the work takes longer than
`ack_budget` (see respond.py). Buttons are `DynamicItem`s, so any `ap:<id>` works after a restart; another id is
answered with a short ephemeral notice.

Nothing a person typed can ping anyone: `AllowedMentions.none()` is the client's default and passed on every send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord import app_commands
from pydantic import SecretStr

from adapters.discord.commands import CatalogTranslator, build_tree
from adapters.discord.messenger import DiscordMessenger, http_trace, post
from adapters.discord.pacer import Monotonic, Pacer, Sleep
from adapters.discord.render import PREFIX, locale_of, parts, say
from adapters.discord.respond import ACK_BUDGET, Responder
from adapters.discord.view import ChoiceButton, is_ours, marked_view
from bot import logsafe
from bot.clock import Clock
from bot.config import Settings
from bot.core.events import Event
from bot.ports import Outgoing, UserRef, event_from_button, event_from_text
from bot.service import Dialogue

log = logging.getLogger(__name__)

PLATFORM = "discord"
STOP_GRACE = 5.0
"""Seconds `stop()` lets interactions in progress finish."""


def intents() -> discord.Intents:
    """Only what the bot needs, nothing privileged: guild basics and DMs (content of DMs comes without the intent)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    return wanted


class AdempauzeClient(discord.Client):
    """discord.py's Client, wired to the adapter; no message or member caches (the bot looks nothing up)."""

    def __init__(self, adapter: DiscordAdapter | None = None, shard: tuple[int, int] | None = None) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here: no warning about it
        sharding: dict[str, Any] = {} if shard is None else {"shard_id": shard[0], "shard_count": shard[1]}
        super().__init__(
            intents=intents(), allowed_mentions=discord.AllowedMentions.none(), max_messages=None,
            member_cache_flags=discord.MemberCacheFlags.none(), chunk_guilds_at_startup=False,
            max_ratelimit_timeout=30.0, http_trace=http_trace(), **sharding,
        )
        self.adapter = adapter
        self.tree = build_tree(self)
        self.tree.error(self._on_tree_error)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ChoiceButton)

    async def handle_command(self, interaction: discord.Interaction[Any], event: Event) -> None:
        if self.adapter is not None:
            await self.adapter.on_interaction(interaction, event)

    async def handle_choice(self, interaction: discord.Interaction[Any], choice: str) -> None:
        if self.adapter is not None:
            await self.adapter.on_interaction(interaction, event_from_button(choice), pressed=choice)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The catch-all: a button that is not ours (an old or foreign custom_id) gets a short notice."""
        if interaction.type is not discord.InteractionType.component or self.adapter is None:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not is_ours(custom_id):
            await self.adapter.on_foreign(interaction)

    async def on_message(self, message: discord.Message) -> None:
        if self.adapter is not None and message.guild is None and not message.author.bot and message.content:
            await self.adapter.on_dm_text(message)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError,
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound) and self.adapter is not None:
            await self.adapter.on_foreign(interaction, "discord.unknown_command")  # removed since discord-sync
            return
        log.error("slash command failed", exc_info=error)


class Activity:
    """Counts inputs being handled and handled: `stop()` drains them; tests wait for them."""

    def __init__(self) -> None:
        self.active = 0
        self.done = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            self.done += 1
            async with self._changed:
                self._changed.notify_all()

    async def wait_done(self, count: int) -> None:
        """Until `count` inputs have been handled in all."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.done >= count)

    async def drain(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.active == 0)


class DiscordAdapter:
    """The running Discord side: `start()` logs in and connects, `.messenger` delivers, `stop()` closes."""

    platform = "discord"

    def __init__(
        self, token: str, dialogue: Dialogue, *, default_locale: str = "nl", sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic, ack_budget: float = ACK_BUDGET, shard: tuple[int, int] | None = None,
    ) -> None:
        self._token = token
        # discord.py logs every gateway payload (DM and /say text, /join CODE) and request body at DEBUG, and
        # URLs with interaction tokens on a 429: floored and redacted (see bot.logsafe)
        self.redact = logsafe.install([token])
        self.dialogue = dialogue
        self.default_locale = default_locale
        self.ack_budget = ack_budget
        self.client = AdempauzeClient(self, shard)
        """One gateway shard of several (`shard`: (id, count), DISCORD_SHARD), or all of them."""
        self.pacer = Pacer(sleep, monotonic)
        self.messenger = DiscordMessenger(self.client, self.pacer)
        self.activity = Activity()
        self._runner: asyncio.Task[None] | None = None

    # -- life cycle ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Log in (raises on a bad token) and connect to the gateway in the background."""
        await self.client.login(self._token)
        self._runner = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        self._runner.add_done_callback(_report_end)

    async def stop(self) -> None:
        """Let interactions in progress finish (briefly), stop the pacers, close the connection."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.activity.drain(), STOP_GRACE)
        await self.pacer.stop()
        await self.client.close()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        logsafe.uninstall(self.redact)

    # -- inputs ----------------------------------------------------------------------------------------------------
    async def on_interaction(self, interaction: discord.Interaction[Any], event: Event, pressed: str = "") -> None:
        """A slash command or a button: to the Dialogue, the replies to the DM (or here, in the DM already)."""
        in_server = interaction.guild_id is not None
        locale = locale_of(interaction.locale.value, self.default_locale)
        responder = Responder(interaction, ephemeral=in_server, budget=self.ack_budget)
        async with self.activity.track():
            try:
                if pressed:
                    await self._mark(responder, interaction, pressed)
                if isinstance(interaction.channel, discord.DMChannel):
                    self.messenger.dm_ids[interaction.user.id] = interaction.channel.id
                outs = await self.dialogue.handle(self._ref(interaction.user, interaction.locale.value), event)
                self._moved_on(interaction.user.id, outs)
                if in_server:
                    await self._via_dm(responder, interaction.user, outs, locale)
                else:
                    hint = self._take_hint(interaction.user.id, locale)
                    await self._respond(responder, interaction.user.id, outs, hint)
            except Exception:
                log.exception("Discord interaction failed")
                with contextlib.suppress(discord.HTTPException):
                    await responder.send({"content": say(locale, "discord.error")})
            finally:
                await responder.finish()

    async def on_dm_text(self, message: discord.Message) -> None:
        """A message typed in the bot's DMs (content is sent to bots in DMs without any privileged intent)."""
        person = message.author.id
        async with self.activity.track():
            self.messenger.dm_ids[person] = message.channel.id
            try:
                outs = await self.dialogue.handle(self._ref(message.author, ""), event_from_text(message.content))
                self._moved_on(person, outs)
                prefix = self._take_hint(person, self.default_locale)
                for i, out in enumerate(outs):
                    await self.messenger.send(message.channel, person, out, prefix if i == 0 else "")
            except Exception:
                log.exception("could not answer a DM")

    async def on_foreign(self, interaction: discord.Interaction[Any], key: str = "discord.stale") -> None:
        """A button (or command) this bot does not know: say so, only to the person who pressed it."""
        locale = locale_of(interaction.locale.value, self.default_locale)
        async with self.activity.track():
            with contextlib.suppress(discord.HTTPException):
                await interaction.response.send_message(say(locale, key), ephemeral=True)

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _moved_on(self, person: int, outs: list[Outgoing]) -> None:
        """A word on the side (typed during breathing) lets the round go on; anything else ends it cleanly."""
        if not outs or not all(o.aside for o in outs):
            self.pacer.cancel_person(person)

    def _ref(self, user: discord.User | discord.Member, locale: str) -> UserRef:
        known = self.messenger.dm_ids.get(user.id)
        # the user's own display name, not a server nickname: the partner sees the same name wherever it comes from
        name = user.global_name or user.name
        return UserRef(PLATFORM, str(user.id), chat_id=str(known) if known else "", name=name[:64], locale=locale)

    def _take_hint(self, person: int, locale: str) -> str:
        """The how-to-open-your-DMs hint, once, for someone whose DM failed."""
        if person in self.messenger.dm_closed:
            self.messenger.dm_closed.discard(person)
            return say(locale, "discord.dm_closed")
        return ""

    async def _mark(self, responder: Responder, interaction: discord.Interaction[Any], pressed: str) -> None:
        message = interaction.message
        keep = self.pacer.cancel_message(message.id) if message is not None else None
        await responder.mark(marked_view(message, PREFIX + pressed), keep)

    async def _respond(self, responder: Responder, person: int, outs: list[Outgoing], prefix: str) -> None:
        for i, out in enumerate(outs):
            for part in parts(out, prefix if i == 0 else ""):
                await post(responder.send, self.pacer, person, part, out)

    async def _via_dm(
        self, responder: Responder, user: discord.User | discord.Member, outs: list[Outgoing], locale: str,
    ) -> None:
        if not outs:
            return
        try:
            channel = await self.messenger.dm_channel(user.id)
            for out in outs:
                await self.messenger.send(channel, user.id, out)
        except discord.Forbidden:
            # DMs closed: the replies here, only for them, with how to open DMs
            self.messenger.dm_closed.discard(user.id)
            await self._respond(responder, user.id, outs, say(locale, "discord.dm_closed"))
            return
        self.messenger.dm_closed.discard(user.id)
        link = getattr(channel, "jump_url", "")
        await responder.send({"content": say(locale, "discord.dm_sent", link=link)})


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord connection ended", exc_info=task.exception())


def build(
    settings: Settings, dialogue: Dialogue, clock: Clock, *, sleep: Sleep = asyncio.sleep,
    monotonic: Monotonic = time.monotonic,
) -> DiscordAdapter:
    """The Discord adapter for `settings.discord_token` (required).

    `clock` is the shell's clock; the adapter needs none of its own (the Dialogue reads it), and the breathing pacer
    runs in real seconds whatever TIME_SCALE says: lungs do not speed up. `sleep` and `monotonic` drive the pacer
    (tests pass instant ones).
    """
    del clock
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN is not set")
    return DiscordAdapter(
        settings.discord_token.get_secret_value(), dialogue, default_locale=settings.default_locale, sleep=sleep,
        monotonic=monotonic, shard=settings.shard,
    )


async def sync_commands(token: str | SecretStr, guild_id: int | None = None) -> list[str]:
    """Upload the slash commands with their Dutch localisations: to one server (instant) or globally.

    Run it after a change of commands (`adempauze discord-sync [--guild ID]`), not on every start.
    Returns the names of the commands Discord now has.
    """
    secret = token.get_secret_value() if isinstance(token, SecretStr) else token
    client = AdempauzeClient()
    async with client:
        await client.login(secret)
        await client.tree.set_translator(CatalogTranslator())
        if guild_id is None:
            synced = await client.tree.sync()
        else:
            guild = discord.Object(guild_id)
            client.tree.copy_global_to(guild=guild)
            synced = await client.tree.sync(guild=guild)
    return [command.name for command in synced]
