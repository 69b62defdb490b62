"""Rendering for Discord: an `Outgoing` as message parts (content, buttons, file), and the adapter's own notices.

No wording lives here: the Dialogue's text comes rendered, and the adapter's few sentences are `discord.*` keys in
the catalogs. Discord's limits shape the parts: 2,000 characters a message, 25 buttons (5 rows of 5), 80 characters
a label, 100 a custom_id.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import discord

from bot.config import LOCALES
from bot.i18n import catalog
from bot.ports import Frame, Outgoing, Picture

MAX_CONTENT = 2000
PACER_ROOM = 200
"""Characters kept free in a pacer message for the breathing frame under its text."""
MAX_BUTTONS = 25
MAX_LABEL = 80
PREFIX = "ap:"
CHOICE_ID = r"[!-~]{1,64}"
"""A choice id as the core makes them (dotted lowercase), loosely: printable ASCII without spaces, at most 64."""
TEMPLATE = rf"{PREFIX}(?P<choice>{CHOICE_ID})"
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class Part:
    """One Discord message of an Outgoing. `pacer` marks the message the breathing pacer animates."""

    content: str
    choices: tuple[tuple[str, str], ...] = ()
    document: tuple[str, bytes] | None = None
    pacer: bool = False
    image: Picture | None = None


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Text in pieces of at most `limit` characters, cut at a paragraph, a line or a space where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return pieces


def parts(out: Outgoing, prefix: str = "") -> list[Part]:
    """The messages an Outgoing becomes, in order; `prefix` (a notice) goes before its text."""
    text = f"{prefix}\n\n{out.text}" if prefix and out.text else prefix or out.text
    texts = split_text(text, MAX_CONTENT - PACER_ROOM if out.frames else MAX_CONTENT)
    choices = tuple(c for c in out.choices if not c[0].startswith("link."))  # Telegram deep links: not here
    groups = [choices[i : i + MAX_BUTTONS] for i in range(0, len(choices), MAX_BUTTONS)] or [()]
    result = [Part(t) for t in texts[:-1]]
    result.append(Part(texts[-1], groups[0], out.document, pacer=bool(out.frames)))
    if out.image is not None:  # the picture with the first message: it is what the text is about
        result[0] = replace(result[0], image=out.image)
    result.extend(Part("", g) for g in groups[1:])
    return result


def file_of(document: tuple[str, bytes] | None, image: Picture | None = None) -> discord.File | None:
    """A fresh upload for a document or a picture (a discord.File is used up once sent); a picture's caption is
    its alt text."""
    if image is not None:
        return discord.File(io.BytesIO(image.png), filename=image.name, description=image.caption[:1024])
    if document is None:
        return None
    name, content = document
    return discord.File(io.BytesIO(content), filename=name)


# -- the breathing pacer's frames ---------------------------------------------------------------------------------

def schedule(frames: tuple[Frame, ...], min_gap: float) -> list[Frame]:
    """Frames merged so that none is shown for less than `min_gap` seconds (one message edit per frame)."""
    merged: list[Frame] = []
    pending: list[Frame] = []
    for frame in frames:
        pending.append(frame)
        if sum(f.seconds for f in pending) >= min_gap:
            merged.append(_merge(pending))
            pending = []
    if pending:
        merged[-1:] = [_merge(merged[-1:] + pending)]
    return merged


def _merge(frames: list[Frame]) -> Frame:
    if len(frames) == 1:
        return frames[0]
    heads = [f.text.split("\n", 1)[0] for f in frames]
    tail = frames[0].text.split("\n", 1)[1] if "\n" in frames[0].text else ""
    text = " · ".join(heads) + (f"\n{tail}" if tail else "")
    return Frame(text, sum(f.seconds for f in frames))


def with_frame(base: str, frame_text: str) -> str:
    """A pacer message: the reply's text with the current frame under it."""
    text = f"{base}\n\n{frame_text}" if base and frame_text else base or frame_text
    return text[:MAX_CONTENT]


# -- the adapter's own sentences -----------------------------------------------------------------------------------

def locale_of(discord_locale: str, default: str) -> str:
    """Our language for a Discord locale ("nl", "en-US", "en-GB", …); anything else: the default."""
    short = discord_locale[:2].lower()
    return short if short in LOCALES else default


def say(locale: str, key: str, **params: str) -> str:
    """One of the adapter's own sentences (`discord.*` keys) in `locale`."""
    return catalog(locale)[key].format_map(params).strip()
