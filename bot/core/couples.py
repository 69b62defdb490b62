"""Couples, pure: invite codes, contract fields and their values, and the check of a time-out sentence.

Invite codes are 12 characters of Crockford's base32 (60 bits): no I, L, O or U, so they read aloud
and type without confusion, and a typed O or I/L is read as 0 or 1. Shown as XXXX-XXXX-XXXX; stored only
as a hash (by the store). The same 12 characters are a valid Telegram deep-link payload.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import timedelta

from . import contract as rules
from .model import Contract
from .parse import fold, parse_duration

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LEN = 12
INVITE_TTL = timedelta(hours=24)
JOIN_LIMIT = 5
"""Failed joins allowed per person within JOIN_WINDOW (the store counts them)."""
JOIN_WINDOW = timedelta(minutes=10)
NOTICE_LIMIT = 8
"""Notices one person may send their partner within NOTICE_WINDOW: the bot is no tool to flood someone."""
NOTICE_WINDOW = timedelta(hours=1)

RULES = ("alcohol", "driving", "others", "say_when")
FIELDS = ("min", "default", "max", "extensions", "notify", "signal", "sentence", "rules", "quiet")
TEXT_FIELDS = frozenset({"signal", "sentence"})
VALUES: dict[str, tuple[str, ...]] = {
    "min": ("10", "15", "20", "30", "45", "60", "90", "120"),
    "default": ("20", "30", "45", "60", "90", "120"),
    "max": ("60", "120", "240", "480", "720", "1440"),
    "extensions": ("0", "1", "2", "3"),
    "notify": ("yes", "no"),
    "rules": RULES,
    "quiet": ("22-07", "23-07", "00-08", "off"),
}
"""The values offered as buttons per field (minutes for the breaks). Typed values may be anything in bounds."""
ALIASES = {
    "min": "min", "minimum": "min", "default": "default", "standaard": "default", "gewoon": "default",
    "max": "max", "maximum": "max", "extensions": "extensions", "verlengingen": "extensions",
    "verlenging": "extensions", "extend": "extensions", "notify": "notify", "melden": "notify",
    "bericht": "notify", "signal": "signal", "signaal": "signal", "zin": "sentence", "sentence": "sentence",
    "rules": "rules", "regels": "rules", "quiet": "quiet", "stil": "quiet", "rust": "quiet",
}


def new_code(random: bytes) -> str:
    """A fresh invite code from at least 8 random bytes (the shell draws them)."""
    n = int.from_bytes(random[:8], "big")
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(CODE_LEN))


def normalise_code(text: str) -> str | None:
    """A typed code (any case, spaces, dashes, O for 0, I/L for 1) in canonical form, or None."""
    t = re.sub(r"[\s\-_.]", "", text.upper()).translate(str.maketrans("OIL", "011"))
    if len(t) != CODE_LEN or any(ch not in ALPHABET for ch in t):
        return None
    return t


def show_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def minutes(d: timedelta) -> int:
    return int(d.total_seconds() // 60)


def field_of(word: str) -> str | None:
    return ALIASES.get(fold(word))


def change(c: Contract, field: str, value: str, me: int) -> Contract | str:
    """The contract with one field changed, or the catalog key of why that value cannot be."""
    v = value.strip()
    new: Contract
    if field in ("min", "default", "max"):
        d = parse_duration(v)
        if d is None or d <= timedelta(0):
            return "contract.bad.duration"
        if field == "min":
            new = replace(c, min_break=d, default_break=max(c.default_break, d))
        elif field == "default":
            new = replace(c, default_break=d)
        else:
            new = replace(c, max_break=d, default_break=min(c.default_break, d))
    elif field == "extensions":
        if not (v.isascii() and v.isdigit() and len(v) <= 2):  # "²" is a digit to str.isdigit
            return "contract.bad.extensions"
        new = replace(c, extensions=int(v))
    elif field == "notify":
        yes = fold(v) in ("yes", "ja", "y", "j", "on", "aan", "true")
        no = fold(v) in ("no", "nee", "n", "off", "uit", "false")
        if not (yes or no):
            return "contract.bad.notify"
        new = replace(c, notify_partner=yes)
    elif field in TEXT_FIELDS:
        # This text reaches the partner. Its length is checked before anything is matched (a 4,096-character
        # text costs no regex time); then no invisible characters, no links, no @mentions.
        text = " ".join(visible(v).split())
        if len(text) > (rules.SIGNAL_MAX if field == "signal" else rules.SENTENCE_MAX):
            return f"contract.bad.{'signal_phrase' if field == 'signal' else 'sentence'}"
        if has_link(text):
            return "contract.bad.link"
        if field == "signal":
            new = replace(c, signal_phrase=text)
        else:
            others = tuple((u, s) for u, s in c.sentences if u != me)
            new = replace(c, sentences=(*others, (me, text)) if text else others)
    elif field == "rules":
        if v not in RULES:
            return "contract.bad.rules"
        new = replace(c, rules=c.rules ^ {v})  # a button toggles one rule
    elif field == "quiet":
        quiet = parse_quiet(v)
        if quiet is None:
            return "contract.bad.quiet"
        new = replace(c, quiet_start=quiet[0], quiet_end=quiet[1])
    else:
        return "contract.bad.field"
    problems = rules.validate(new)
    return problems[0] if problems else new


_LINK = re.compile(
    # Every alternative can only start where a token starts (the look-behinds), and no part can run into
    # the next: the search is linear in the text, also for thousands of "a-a-a-…" or "a.a.a.…".
    r"(?<![\w+.-])[a-z][a-z0-9+.-]{0,20}://\S*"  # any scheme: https://, tg://, discord://, …
    r"|(?<![\w.-])(?:mailto|tel|sms|tg|callto|skype|whatsapp|viber|javascript|data|file):\S*"
    r"|(?<![\w.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"  # any domain, any script, any top-level domain
    r"\.(?:xn--[a-z0-9-]{1,59}|[^\W\d_]{2,63})(?![\w-])(?:[/?#:]\S*)?"
    r"|(?<![\w@])@[a-z0-9_]{3,}"  # an @mention (Telegram usernames are at least 5, Discord names 2+)
    r"|<[@#][!&]?\d{1,24}>",  # a Discord user, role or channel mention
    re.IGNORECASE,
)
_DOTS = str.maketrans({"。": ".", "｡": ".", "．": ".", "︒": "."})
"""Full stops that browsers and chat apps read as the dot of a domain (NFKC leaves some of them)."""
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
"""Unicode categories shown as nothing (or as a line break): controls, format characters (bidi overrides like
U+202E, zero-width spaces and joiners), private use, lone surrogates, line and paragraph separators."""
_BREAKS = frozenset({"Cc", "Zl", "Zp"})
"""Of those, the ones that separate words (they become a space; the others simply go)."""
NAME_MAX = 64


def visible(text: str) -> str:
    """The text without invisible characters (line breaks become spaces): nothing in it can reorder, hide or
    split what the partner reads."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch if (cat := unicodedata.category(ch)) not in _INVISIBLE else " " if cat in _BREAKS else "" for ch in text
    )


def _comparable(text: str) -> str:
    """What a link check looks at: compatibility forms folded (fullwidth letters and dots become ASCII), odd
    full stops as dots, invisible characters gone (so "evil" + U+200B + ".com" is "evil.com")."""
    if text.isascii() and text.isprintable():
        return text
    return visible(unicodedata.normalize("NFKC", text).translate(_DOTS))


def has_link(text: str) -> bool:
    """Does a text hold a link, a domain (any top-level domain, any script) or an @mention, as chat apps would
    make it clickable? Linear in the length of the text."""
    return _LINK.search(_comparable(text)) is not None


def without_links(text: str) -> str:
    """A text with anything link-like taken out."""
    return " ".join(_LINK.sub(" ", _comparable(text)).split())


def display_name(name: str) -> str:
    """A platform display name as the partner will see it: visible characters only, nothing link-like, short.
    Cut before anything is matched: a name of 64 k characters costs no more than one of 256."""
    return without_links(name[: NAME_MAX * 4])[:NAME_MAX].strip()


def parse_quiet(v: str) -> tuple[int, int] | None:
    """ "23-07", "23:00-07:00", "off" (no quiet hours) -> (start, end) in minutes after midnight."""
    t = fold(v)
    if t in ("off", "uit", "geen", "none"):
        return (0, 0)
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*-\s*(\d{1,2})(?:[:.](\d{2}))?", t)
    if not m:
        return None
    h1, m1, h2, m2 = int(m.group(1)), int(m.group(2) or 0), int(m.group(3)), int(m.group(4) or 0)
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        return None
    return (h1 * 60 + m1, h2 * 60 + m2)


_BOUNDARY = re.compile(
    r"\b(time-?out|pauze|break|pause|even weg|ruimte|space|afstand|stop|adem|breathe|tot rust|calm down|"
    r"kan (nu )?niet|can'?t (right )?now|need (a )?(moment|minute)|heb .* nodig)\b"
)
_ACK = re.compile(
    r"\b(niet tegen jou|geen nee|not a no|not against you|belangrijk|matters|hou van je|love you|ik hoor je|"
    r"i hear you|begrijp|understand|wil (er|het) (wel )?over praten|want to talk|je bent belangrijk|care)\b"
)
_RETURN = re.compile(
    r"\b(terug|back|return|kom (er )?op terug|straks|later|over \d+|in \d+|om \d|at \d|\d{1,2}[:.]\d{2}|"
    r"minuten|minutes|uur|hour|morgen|tomorrow)\b"
)


def sentence_missing(text: str) -> tuple[str, ...]:
    """Which of the three parts of a relational no a time-out sentence seems to lack (boundary,
    acknowledgement, return). A hint for the writer, never a gate."""
    t = fold(" ".join(text.split())[: rules.SENTENCE_MAX * 2])
    missing = []
    if not _BOUNDARY.search(t):
        missing.append("boundary")
    if not _ACK.search(t):
        missing.append("acknowledgement")
    if not _RETURN.search(t):
        missing.append("return")
    return tuple(missing)


DECISIONS = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}
_DECISION = re.compile(r"ct\.(accept|reject|withdraw)\.([0-9]{1,18})\.([0-9]{1,9})")


def decision_id(verb: str, couple_id: int, version: int) -> str:
    """The button that accepts, rejects or withdraws one proposal: it names the couple and the version, because
    versions start at 1 for every couple (and couple ids are random), so an old pairing's button is stale."""
    return f"ct.{verb}.{couple_id}.{version}"


def read_decision(choice: str) -> tuple[str, int, int] | None:
    """(decision, couple id, version) of a decision button, or None (a malformed or an old-style id)."""
    m = _DECISION.fullmatch(choice)
    return (DECISIONS[m.group(1)], int(m.group(2)), int(m.group(3))) if m else None


def next_version(active: int, proposed: int | None, last: int = 0) -> int:
    """Version numbers only go up, so a button of an old (rejected, withdrawn) proposal stays stale."""
    return max(active, proposed or 0, last) + 1


def quiet_text(c: Contract) -> str:
    if c.quiet_start == c.quiet_end:
        return ""
    return f"{c.quiet_start // 60:02d}:{c.quiet_start % 60:02d}–{c.quiet_end // 60:02d}:{c.quiet_end % 60:02d}"
