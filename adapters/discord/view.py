"""Buttons: every choice is a persistent button whose custom_id is `ap:<choice id>`.

The button class is a discord.py `DynamicItem` registered at start-up, so a button works whatever message it is on
and however long ago it was sent, across restarts: the id alone says what was chosen (the core decides whether that
choice still means something). Views are built from these items only, so discord.py keeps no per-message view state.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from adapters.discord.render import MAX_LABEL, PREFIX, TEMPLATE

log = logging.getLogger(__name__)

_TEMPLATE = re.compile(TEMPLATE)


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=_TEMPLATE):
    """A choice as a button; pressing it calls `client.handle_choice(interaction, choice)`."""

    def __init__(
        self, choice: str, label: str = "", *, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False, row: int | None = None,
    ) -> None:
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=(label or choice)[:MAX_LABEL], custom_id=PREFIX + choice, style=style, disabled=disabled, row=row,
        )
        super().__init__(button)
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /,
    ) -> ChoiceButton:
        return cls(match["choice"], str(getattr(item, "label", "") or ""))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handle = getattr(interaction.client, "handle_choice", None)
        if handle is not None:
            await handle(interaction, self.choice)


def is_ours(custom_id: str) -> bool:
    return _TEMPLATE.fullmatch(custom_id) is not None


def choice_view(choices: tuple[tuple[str, str], ...]) -> discord.ui.View | None:
    """A persistent view with one button per choice (at most 25; `render.parts` splits longer lists)."""
    if not choices:
        return None
    view = discord.ui.View(timeout=None)
    for cid, label in choices:
        if not is_ours(PREFIX + cid):
            log.warning("choice id not usable as a Discord button: %r", cid[:80])
            continue
        view.add_item(ChoiceButton(cid, label))
    return view if view.children else None


def marked_view(message: discord.Message | None, pressed: str) -> discord.ui.View | None:
    """The buttons of `message` as they were, all disabled, the pressed one highlighted: the choice is made."""
    if message is None:
        return None
    view = discord.ui.View(timeout=None)
    for row, component in enumerate(message.components):
        for child in getattr(component, "children", ()):
            if not isinstance(child, discord.components.Button) or child.custom_id is None:
                continue
            chosen = child.custom_id == pressed
            style = discord.ButtonStyle.success if chosen else discord.ButtonStyle.secondary
            label = child.label or ""
            if is_ours(child.custom_id):
                view.add_item(ChoiceButton(child.custom_id[len(PREFIX):], label, style=style, disabled=True, row=row))
            else:
                view.add_item(discord.ui.Button(
                    label=label or None, custom_id=child.custom_id, style=style, disabled=True, row=row,
                ))
    view.stop()  # a finished view is only rendered: discord.py keeps nothing of it
    return view if view.children else None
