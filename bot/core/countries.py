"""Countries: every ISO 3166-1 country's emergency numbers, the helplines where we have them, and reading a
country a person names.

Theory of operation
-------------------
The knowledge is data beside the catalogs, read once at import (like the catalogs, through
importlib.resources), and every function here is pure:

* ``bot/i18n/emergency_numbers.tsv``  one row per ISO 3166-1 alpha-2 code: police, ambulance, a number that
  also works, whether it was confirmed, and the source (the file's header lists the sources and the date).
* ``bot/i18n/helplines.toml``         per country, the helplines in the order shown (id, phone, url).
* ``bot/i18n/<locale>/countries.toml`` the country names as shown; they are catalog texts (``country.jp``).
* ``bot/i18n/<locale>/country_aliases.tsv``  other names people type ("UK", "VK", "Holland", "Bonaire").

A number is shown as fact only when its row is confirmed. Otherwise the person is told plainly that there is
no confirmed number and pointed to findahelpline.com: the bot never guesses an emergency number.

``parse`` reads what someone typed after /country (nl /land): an alpha-2 or alpha-3 code, or a name or alias
in any language we have, folded for case, accents, punctuation and a leading article ("the Netherlands",
"België", "verenigd koninkrijk"). Anything else is None, so the caller can refuse it kindly.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.core.effects import Msg

__all__ = [
    "ASK_BUTTONS",
    "CODES",
    "HELPLINE_COUNTRIES",
    "Emergency",
    "Helpline",
    "call_line",
    "emergency",
    "help_lines",
    "helplines",
    "is_country",
    "name_key",
    "parse",
    "region_of",
    "row",
    "where_line",
]

DIRECTORY = "https://findahelpline.com"


@dataclass(frozen=True, slots=True)
class Emergency:
    """The emergency numbers of one country. Shown to a person only when `confirmed`."""

    code: str
    alpha3: str
    police: str
    ambulance: str
    also: str  # another number reaching the same services from any phone; "" when none was confirmed
    confirmed: bool
    source: str


@dataclass(frozen=True, slots=True)
class Helpline:
    """A helpline: its catalog texts are help.<id>.name and help.<id>.what."""

    id: str
    phone: str
    url: str


def _data() -> Any:
    return resources.files("bot").joinpath("i18n")


def _load_numbers() -> dict[str, Emergency]:
    out: dict[str, Emergency] = {}
    for line in _data().joinpath("emergency_numbers.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = (line.split("\t") + [""] * 7)[:7]
        code, alpha3, police, ambulance, also, confirmed, source = (c.strip() for c in cells)
        if code in out or confirmed not in ("yes", "no"):
            raise ValueError(f"emergency_numbers.tsv: bad row {line!r}")
        out[code] = Emergency(code, alpha3, police, ambulance, also, confirmed == "yes", source)
    return out


def _load_helplines() -> dict[str, tuple[Helpline, ...]]:
    table = tomllib.loads(_data().joinpath("helplines.toml").read_text("utf-8"))
    return {code: tuple(Helpline(h["id"], h.get("phone", ""), h.get("url", "")) for h in lines)
            for code, lines in table.items()}


_NUMBERS = _load_numbers()
_HELPLINES = _load_helplines()
_FALLBACK = (Helpline("intl.findahelpline", "", DIRECTORY),)

CODES: frozenset[str] = frozenset(_NUMBERS)
"""Every ISO 3166-1 alpha-2 code."""
HELPLINE_COUNTRIES: tuple[str, ...] = tuple(_HELPLINES)
"""The countries with helplines of their own, in the order of the data file."""
ASK_BUTTONS: tuple[str, ...] = ("NL", "BE", "SR", "GB", "US")
"""The countries offered as buttons when the bot asks where someone is; any other is typed after /country."""

_ARTICLES = ("the ", "de ", "het ")


def fold(text: str) -> str:
    """A name as compared: no accents, no case, punctuation as spaces, no leading article."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text.replace("'", "").replace("’", ""))
    text = " ".join(text.split())
    for article in _ARTICLES:
        if text.startswith(article):
            text = text[len(article):]
    return text


def _load_names() -> dict[str, str]:
    names: dict[str, str] = {}

    def add(name: str, code: str, where: str) -> None:
        key = fold(name)
        if key and names.setdefault(key, code) != code:
            raise ValueError(f"{where}: {name!r} names both {names[key]} and {code}")

    for e in _NUMBERS.values():
        add(e.alpha3, e.code, "emergency_numbers.tsv")
    for folder in sorted(_data().iterdir(), key=lambda f: f.name):
        shown = folder.joinpath("countries.toml")
        if not shown.is_file():
            continue
        for key, name in tomllib.loads(shown.read_text("utf-8")).items():
            add(name, key.removeprefix("country.").upper(), f"{folder.name}/countries.toml")
        for line in folder.joinpath("country_aliases.tsv").read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                code, *aliases = line.split("\t")
                for alias in aliases:
                    add(alias, code, f"{folder.name}/country_aliases.tsv")
    return names


_NAMES = _load_names()


def is_country(code: str) -> bool:
    return code in CODES


def parse(text: str) -> str | None:
    """The alpha-2 code of the country someone typed (code or name, Dutch or English), or None."""
    raw = text.strip()
    if len(raw) == 2 and raw.isascii() and raw.upper() in CODES:
        return raw.upper()
    if len(raw) > 80:
        return None
    return _NAMES.get(fold(raw))


def region_of(locale: str) -> str | None:
    """The country a platform locale names ("en-US" -> US, "nl_BE" -> BE), if it names a real one."""
    parts = locale.replace("_", "-").split("-")
    region = parts[1].upper() if len(parts) > 1 else ""
    return region if region in CODES else None


def row(code: str) -> Emergency | None:
    """The table row of a country, confirmed or not (for checks and tests; never show it unconfirmed)."""
    return _NUMBERS.get(code.strip().upper())


def emergency(code: str) -> Emergency | None:
    """The confirmed emergency numbers of a country; None when it has none that were confirmed."""
    e = _NUMBERS.get(code.strip().upper())
    return e if e is not None and e.confirmed and e.police and e.ambulance else None


def helplines(code: str) -> tuple[Helpline, ...]:
    """The helplines of a country, or the international directory where we have none."""
    return _HELPLINES.get(code.strip().upper(), _FALLBACK)


def name_key(code: str) -> str:
    return f"country.{code.lower()}"


# -- what the person reads (catalog keys; rendered in their own language) ----------------------------------

def _dial(e: Emergency) -> str | Msg:
    if e.police == e.ambulance:
        return Msg.of("dial.one_also", number=e.police, also=e.also) if e.also else e.police
    if e.also:
        return Msg.of("dial.split_also", police=e.police, ambulance=e.ambulance, also=e.also)
    return Msg.of("dial.split", police=e.police, ambulance=e.ambulance)


def call_line(code: str) -> Msg:
    """"In danger right now? Call 110 for the police or 119 for an ambulance." or: no confirmed number."""
    e = emergency(code)
    return Msg.of("emergency.call", dial=_dial(e)) if e is not None else Msg.of("emergency.unknown")


def where_line(code: str, assumed: bool, buttons_follow: bool = False) -> Msg:
    """Which country the numbers are for, and how to choose another: "Country: Japan. Somewhere else? …".
    Only where the country buttons follow (the question asked once) does it say to tap one."""
    country = Msg.of(name_key(code))
    if not assumed:
        return Msg.of("emergency.where", country=country)
    if buttons_follow:
        return Msg.of("emergency.where_assumed_ask", country=country)
    return Msg.of("emergency.where_assumed", country=country)


def help_lines(code: str) -> tuple[Msg, ...]:
    """The helplines of a country (what each is for, when it is open), then the international directory."""
    found = helplines(code)
    lines = [
        Msg.of("safety.resource", name=Msg.of(f"help.{h.id}.name"), what=Msg.of(f"help.{h.id}.what"),
               reach=h.phone or h.url)
        for h in found
    ]
    if found is not _FALLBACK:
        lines.append(Msg.of("safety.directory"))
    return tuple(lines)
