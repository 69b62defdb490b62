"""The catalogs: every sentence a person reads, per language, and rendering a core `Msg` into text.

Catalogs are TOML files under `bot/i18n/<locale>/`; all files of a locale are merged into one flat
mapping of dotted keys. A missing key or placeholder is an error, never a silent fallback.
"""

from __future__ import annotations

import string
import tomllib
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.effects import Choice, Msg

LOCALES = ("nl", "en")
VOCABULARIES = frozenset({"danger.toml", "words.toml"})
"""Files beside the catalogs that hold words to understand, not sentences to say (read by bot/lexicon.py)."""


class CatalogError(Exception):
    """A catalog is broken: a duplicate or missing key, or a bad placeholder."""


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str], source: str) -> None:
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            _flatten(key, v, out, source)
        elif isinstance(v, str):
            if key in out:
                raise CatalogError(f"{source}: duplicate key {key}")
            out[key] = v
        else:
            raise CatalogError(f"{source}: {key} is not text")


@cache
def catalog(locale: str) -> dict[str, str]:
    """All sentences of one language, by key."""
    if locale not in LOCALES:
        raise CatalogError(f"unknown locale {locale!r}")
    out: dict[str, str] = {}
    folder = resources.files("bot.i18n").joinpath(locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name not in VOCABULARIES:
            _flatten("", tomllib.loads(entry.read_text("utf-8")), out, f"{locale}/{entry.name}")
    return out


_PLAIN: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
"""Texts without parameters, as shown, per language: the catalog's own words (nothing a person typed)."""


def _plain(locale: str, key: str) -> str:
    template = catalog(locale).get(key)
    if template is None:
        raise CatalogError(f"{locale}: no text for {key}")
    text = _PLAIN[locale][key] = template.format_map({}).strip()
    return text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Renderer:
    """Turns `Msg` into text for one recipient: their language, their time zone, relative to `now`."""

    __slots__ = ("locale", "now", "plain", "texts", "tz")

    def __init__(self, locale: str, tz: str, now: datetime) -> None:
        self.locale = locale if locale in LOCALES else "nl"
        self.texts = catalog(self.locale)
        self.plain = _PLAIN[self.locale]
        self.tz = ZoneInfo(tz)
        self.now = now

    def text(self, msg: Msg) -> str:
        if not msg.params:  # most texts and nearly every button label: catalog text only, kept once rendered
            return self.plain.get(msg.key) or _plain(self.locale, msg.key)
        return self._render(msg).strip()

    def _render(self, msg: Msg) -> str:
        template = self.texts.get(msg.key)
        if template is None:
            raise CatalogError(f"{self.locale}: no text for {msg.key}")
        values = {name: self._value(v) for name, v in msg.params}
        return template.format_map(values)

    def label(self, choice: Choice) -> str:
        return self.text(choice.label)

    def _value(self, v: object) -> str:
        if isinstance(v, Msg):
            return self._render(v)
        if isinstance(v, tuple):
            return "\n".join(self._render(m) for m in v)
        if isinstance(v, datetime):
            return self.time(v)
        return str(v)

    def time(self, at: datetime) -> str:
        """A moment as the recipient reads it: "21:40", "tomorrow 09:00", or with its date."""
        here = at.astimezone(self.tz)
        today = self.now.astimezone(self.tz).date()
        hm = here.strftime("%H:%M")
        days = (here.date() - today).days
        if days == 0:
            return self.texts["time.today"].format(hm=hm)
        if days == 1:
            return self.texts["time.tomorrow"].format(hm=hm)
        return self.texts["time.later"].format(hm=hm, date=here.strftime("%d-%m"))
