"""Reading what people type: return times ("20 min", "half uur", "morgen 9"), tension scores, commands."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .contract import MORNING, local

_WORDS = {
    "een": 1, "één": 1, "a": 1, "an": 1, "one": 1, "1": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
    "vier": 4, "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "tien": 10, "ten": 10,
    "twintig": 20, "twenty": 20, "dertig": 30, "thirty": 30, "veertig": 40, "forty": 40,
}
_MIN = r"(m|min|mins|minuut|minuten|minute|minutes)"
_HOUR = r"(u|h|hr|hrs|uur|uren|hour|hours)"
_DAY = r"(d|dag|dagen|day|days)"
_WORD_NUMS = "|".join(sorted((w for w in _WORDS if not w.isdigit()), key=len, reverse=True))
_NUM = r"([0-9]{1,5}(?:[.,][0-9]{1,3})?|" + _WORD_NUMS + ")"  # ASCII digits, a few: no "²", no overflow


def fold(text: str) -> str:
    """Lowercase, no accents, single spaces: for matching what people type."""
    t = text.casefold()
    if not t.isascii():  # (ASCII has nothing to decompose and no accents: most of what is typed)
        t = unicodedata.normalize("NFKD", t)
        t = "".join(c for c in t if not unicodedata.combining(c))
    return " ".join(t.replace("’", "'").split())


def _num(s: str) -> float:
    return float(_WORDS[s]) if s in _WORDS else float(s.replace(",", "."))


def parse_duration(text: str) -> timedelta | None:
    """A length of time in Dutch or English, or None."""
    t = fold(text).strip(" .!?")
    t = re.sub(r"^(over|in|nog|for|about|ongeveer|zo'?n)\s+", "", t)
    fixed = {
        "half uur": 30, "halfuur": 30, "een half uur": 30, "half an hour": 30, "half hour": 30,
        "kwartier": 15, "een kwartier": 15, "quarter of an hour": 15, "a quarter of an hour": 15,
        "drie kwartier": 45, "anderhalf uur": 90, "anderhalve uur": 90, "an hour and a half": 90,
        "one and a half hours": 90, "een uurtje": 60, "uurtje": 60, "an hour": 60, "een uur": 60,
    }
    if t in fixed:
        return timedelta(minutes=fixed[t])
    m = re.fullmatch(_NUM + r"\s*" + _MIN, t)
    if m:
        return timedelta(minutes=_num(m.group(1)))
    m = re.fullmatch(_NUM + r"\s*" + _HOUR + r"(?:\s*(?:en|and)?\s*([0-9]{1,4})\s*" + _MIN + r")?", t)
    if m:
        extra = int(m.group(3)) if m.group(3) else 0  # at most four digits: see the pattern
        return timedelta(hours=_num(m.group(1)), minutes=extra)
    m = re.fullmatch(_NUM + r"\s*" + _DAY, t)
    if m:
        return timedelta(days=min(_num(m.group(1)), 30.0))
    m = re.fullmatch(r"([0-9]{1,4})", t)
    if m:
        return timedelta(minutes=int(m.group(1)))
    return None


def parse_clock(text: str, now: datetime, tz: str) -> datetime | None:
    """A time of day ("21:40", "om 22 uur", "tomorrow 9", "morgenochtend") as the next such moment, or None."""
    t = fold(text).strip(" .!?")
    tomorrow = False
    for word in ("morgenochtend", "tomorrow morning"):
        if t == word:
            return _at(now, tz, MORNING, force_tomorrow=True)
    m = re.match(r"^(morgen|tomorrow)\b\s*(?:om|at)?\s*", t)
    if m:
        tomorrow = True
        t = t[m.end():]
    else:
        t = re.sub(r"^(om|at|tot|until|till)\s+", "", t)
    m = re.fullmatch(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*(uur|u|h|am|pm)?", t)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) == "pm" and hour < 12:
        hour += 12
    if m.group(3) == "am" and hour == 12:
        hour = 0
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    if m.group(2) is None and m.group(3) is None and not tomorrow:
        return None  # a bare number is minutes, not a time of day
    return _at(now, tz, time(hour, minute), force_tomorrow=tomorrow)


def _at(now: datetime, tz: str, when: time, *, force_tomorrow: bool) -> datetime:
    here = local(now, tz)
    day = here.date() + timedelta(days=1) if force_tomorrow else here.date()
    at = datetime.combine(day, when, tzinfo=ZoneInfo(tz))
    if at <= here:
        at += timedelta(days=1)
    return at.astimezone(now.tzinfo)


def parse_return(text: str, now: datetime, tz: str) -> datetime | None:
    """When someone wants to come back, from free text; None when it does not read as a time."""
    d = parse_duration(text)
    if d is not None:
        return now + d if d < timedelta(days=30) else now + timedelta(days=30)
    return parse_clock(text, now, tz)


def parse_score(text: str) -> int | None:
    """A tension score 0..10 ("7", "7/10", "zeven"); None otherwise (also when out of range)."""
    t = fold(text).strip(" .!?")
    m = re.fullmatch(r"([0-9]{1,2})(?:\s*/\s*10)?", t)
    if m:
        n = int(m.group(1))
        return n if 0 <= n <= 10 else None
    words = {
        "nul": 0, "zero": 0, "een": 1, "one": 1, "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4,
        "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8,
        "eight": 8, "negen": 9, "nine": 9, "tien": 10, "ten": 10,
    }
    return words.get(t)


def out_of_range_score(text: str) -> bool:
    t = fold(text).strip(" .!?")
    return re.fullmatch(r"-?[0-9]{1,20}(?:\s*/\s*10)?", t) is not None and parse_score(text) is None


def phrase_matches(text: str, phrase: str) -> bool:
    """Does `text` say the signal phrase (case, accents, punctuation and spacing do not matter)?"""
    if not phrase.strip():
        return False

    def squash(s: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", fold(s)).replace("  ", " ").strip()

    a, b = squash(text), squash(phrase)
    return bool(b) and (a == b or a.startswith(b + " ") or a.rstrip() == b)
