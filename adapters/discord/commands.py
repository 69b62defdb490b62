"""The slash commands: `bot.menu` as discord.py app commands, with Dutch names and descriptions.

Canonical (English) names are what Discord sends back, whatever the user's language; Dutch names and all
descriptions come from the catalogs through an `app_commands.Translator`, so they are uploaded with
`adempauze discord-sync` and Discord shows each user their own language. Commands work in servers and in the bot's
DMs. Each callback only hands the command to `client.handle_command(interaction, event)`.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.core.events import CommandReceived, Event, TextReceived
from bot.i18n import catalog
from bot.menu import MENU
from bot.ports import MAX_INPUT

SAY = "say"
"""The extra command for free text from a server (in a DM, people simply type)."""
OPTIONS = {"join": "code", "contract": "change", "language": "language", "timezone": "zone", "country": "country"}
"""The one optional text option of each command that takes an argument: its canonical name."""
SAY_OPTION = "text"
MAX_OPTION = 1000
CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True)
INSTALLS = app_commands.AppInstallationType(guild=True)


class CatalogTranslator(app_commands.Translator):
    """Dutch for `nl` from the catalogs (names carry their Dutch form, descriptions their catalog key)."""

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.dutch:
            return None
        if "nl" in string.extras:
            return str(string.extras["nl"])
        key = string.extras.get("key")
        return catalog("nl").get(key) if isinstance(key, str) else None


async def _hand_over(interaction: discord.Interaction[Any], event: Event) -> None:
    handle = getattr(interaction.client, "handle_command", None)
    if handle is not None:
        await handle(interaction, event)


def _plain(name: str) -> Any:
    async def command(interaction: discord.Interaction[discord.Client]) -> None:
        await _hand_over(interaction, CommandReceived(name))

    return command


def _with_option(name: str, option: str) -> Any:
    async def command(
        interaction: discord.Interaction[discord.Client],
        value: app_commands.Range[str, 1, MAX_OPTION] | None = None,
    ) -> None:
        await _hand_over(interaction, CommandReceived(name, (value or "").strip()[:MAX_INPUT]))

    return _option(command, option)


def _say() -> Any:
    async def command(
        interaction: discord.Interaction[discord.Client], value: app_commands.Range[str, 1, MAX_OPTION],
    ) -> None:
        await _hand_over(interaction, TextReceived(value[:MAX_INPUT]))

    return _option(command, SAY_OPTION)


def _option(command: Any, option: str) -> Any:
    en = catalog("en")
    key = f"discord.option.{option}"
    command = app_commands.rename(value=locale_str(option, key=f"{key}.name"))(command)
    return app_commands.describe(value=locale_str(en[f"{key}.about"], key=f"{key}.about"))(command)


def commands() -> list[app_commands.Command[Any, Any, None]]:
    """Every slash command, in menu order, then /say."""
    en = catalog("en")
    out: list[app_commands.Command[Any, Any, None]] = []
    for entry in MENU:
        callback = _with_option(entry.name, OPTIONS[entry.name]) if entry.takes_arg else _plain(entry.name)
        out.append(app_commands.Command(
            name=locale_str(entry.name, nl=entry.nl),
            description=locale_str(en[entry.description_key], key=entry.description_key),
            callback=callback, allowed_contexts=CONTEXTS, allowed_installs=INSTALLS,
        ))
    out.append(app_commands.Command(
        name=locale_str(SAY, key="discord.say.name"),
        description=locale_str(en["discord.say.about"], key="discord.say.about"),
        callback=_say(), allowed_contexts=CONTEXTS, allowed_installs=INSTALLS,
    ))
    return out


def build_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    for command in commands():
        tree.add_command(command)
    return tree
