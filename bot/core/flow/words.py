"""What people type that the flow understands without a button: the signal phrase, "ready", "stop", "help",
a feeling or a need in their own words.

The words are data, one file per language (bot/i18n/<locale>/words.toml); both languages are understood
whatever the person's language is, since people mix them. One rule reads all of them:

1. *Normalise*: fold (lowercase, no accents), punctuation to spaces, spoken and Flemish forms to the
   written one (`[forms]`: 'k -> ik, nen -> een, efkes -> even, pak -> neem), small filler words out.
2. *Compare compactly*: spaces and hyphens do not count ("time out" = "time-out" = "timeout").
3. *Allow typos by length*: an optimal-string-alignment distance (the one rapidfuzz's `OSA` computes; written
   out here because the core imports only the standard library) of at most one edit for 5-8 letters, two for
   9-15, three from 16 on; short words must be exact. A phrase may stand anywhere in a short message.

So "ik neem een timout", "Ik  neem een time out!!" and "'k pak efkes nen time-out" all say "ik neem een
time-out", without any of them being listed.

A short answer ("ready", "stop") may start with yes-words (`yes`): "ja, ik ben klaar", "ok klaar", "yes, I'm
ready" are the ready phrase after a yes, and a yes alone is ready. A "not" in the answer ("ja, nog niet") is
never a ready or stop phrase that has none.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..parse import fold

LOCALES = ("nl", "en")
MAX_WORDS = 12
"""A message longer than this is not a signal phrase or a one-word answer: it is something they are saying."""
_PUNCT = re.compile(r"[^\w' ]+")


@dataclass(frozen=True, slots=True)
class Words:
    signals: tuple[str, ...]
    timeout: tuple[str, ...]
    negation: frozenset[str]
    ready: tuple[str, ...]
    yes: frozenset[str]
    stop: tuple[str, ...]
    help: tuple[str, ...]
    fillers: frozenset[str]
    forms: dict[str, str]
    feelings: tuple[tuple[str, str], ...]  # (compact words, id), in file order
    needs: tuple[tuple[str, str], ...]
    read: dict[str, tuple[str, ...]]
    """Every phrase and word above, already normalised (`tokens`): they are read once, not on every message."""


@cache
def words() -> Words:
    """Both languages' words, merged (people mix languages, and a couple may not share one)."""
    data = [tomllib.loads(resources.files("bot").joinpath("i18n", loc, "words.toml").read_text("utf-8"))
            for loc in LOCALES]
    forms: dict[str, str] = {}
    fillers: set[str] = set()
    for d in data:
        forms.update({fold(k): fold(v) for k, v in d.get("forms", {}).items()})
        fillers |= {fold(w) for w in d.get("fillers", ())}

    def phrases(key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fold(w) for d in data for w in d.get(key, ())))

    def vocab(key: str) -> tuple[tuple[str, str], ...]:
        out = []
        for d in data:
            for vid, ws in d.get(key, {}).items():
                out += [(w, vid) for w in ws]
        return tuple(out)

    w = Words(phrases("signals"), phrases("timeout"), frozenset(phrases("negation")), phrases("ready"),
              frozenset(phrases("yes")), phrases("stop"), phrases("help"), frozenset(fillers), forms,
              vocab("feelings"), vocab("needs"), {})
    for group in (w.signals, w.timeout, w.ready, w.stop, w.help, w.negation, w.yes):
        for phrase in group:
            w.read[phrase] = _tokens_with(w, phrase)
    for word, _vid in (*w.feelings, *w.needs):
        w.read[word] = _tokens_with(w, word)
    return w


# -- the one rule ----------------------------------------------------------------------------------------

def tokens(text: str) -> tuple[str, ...]:
    """The words of `text`, normalised: folded, forms replaced, fillers out."""
    return _tokens_with(words(), text)


def _phrase(phrase: str) -> tuple[str, ...]:
    """A phrase's words: read once for the data's own phrases; a couple's own phrase is read each time (it is
    theirs, and kept nowhere but in their contract)."""
    w = words()
    found = w.read.get(phrase)
    return found if found is not None else _tokens_with(w, phrase)


def _tokens_with(w: Words, text: str) -> tuple[str, ...]:
    out = []
    for tok in _PUNCT.sub(" ", fold(text).replace("-", " ")).split():
        tok = tok.strip("'") if tok not in w.forms else tok
        tok = w.forms.get(tok, tok)
        if tok and tok not in w.fillers:
            out.append(tok)
    return tuple(out)


def _compact(toks: tuple[str, ...]) -> str:
    return "".join(toks).replace("'", "")


def allowed(n: int) -> int:
    """How many typos a phrase of `n` letters tolerates."""
    return 0 if n < 5 else 1 if n < 9 else 2 if n < 16 else 3


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits, with adjacent swaps), or limit + 1 once it is beyond.

    Only the cells within `limit` of the diagonal are worked out: a cell (i, j) costs at least |i - j| (that
    many letters inserted or deleted), so one farther out is beyond the limit whatever it is, and stands as
    limit + 1 (exactly what it would count for in the full table: an answer within the limit never passes
    through it, and a row whose cells all exceed the limit ends the search)."""
    n, m = len(a), len(b)
    if abs(n - m) > limit:
        return limit + 1
    over = limit + 1
    prev2: list[int] = []
    prev = [j if j <= limit else over for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [over] * (m + 1)
        if i <= limit:
            cur[0] = i
        lo, hi = max(1, i - limit), min(m, i + limit)
        ai = a[i - 1]
        best = cur[0]
        for j in range(lo, hi + 1):
            v = prev[j - 1] + (ai != b[j - 1])
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1] and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            cur[j] = v if v < over else over
            if v < best:
                best = v
        if best > limit:
            return over
        prev2, prev = prev, cur
    return min(prev[-1], over)


def near(a: str, b: str) -> bool:
    """Is `a` the phrase `b`, give or take a few typos (same first letter)?"""
    return a == b or (bool(b) and _near(a, b, b[0], allowed(len(b))))


def _too_far(a: str, b: str, limit: int) -> bool:
    """A cheap proof that `a` is more than `limit` edits from `b`: by their letter counts. An insertion or a
    deletion changes the counts' difference by one letter, a substitution by two, a swap not at all, so the
    distance is at least half that difference. False: no proof (the distance may still be beyond)."""
    have: dict[str, int] = {}
    for ch in b:
        have[ch] = have.get(ch, 0) + 1
    common = 0
    for ch in a:
        k = have.get(ch, 0)
        if k:
            common += 1
            have[ch] = k - 1
    return len(a) + len(b) - 2 * common > 2 * limit


def _near(a: str, b: str, first: str, limit: int) -> bool:
    """`near(a, b)`, given b's first letter and `allowed(len(b))`: the cheap refusals first (first letter,
    length, letter counts), the distance only for what passes them."""
    if a == b:
        return True
    if not a or a[0] != first or limit == 0 or abs(len(a) - len(b)) > limit or _too_far(a, b, limit):
        return False
    return distance(a, b, limit) <= limit


Windows = dict[int, tuple[str, ...]]
"""A message's runs of `size` words, compacted, by size: made once per message, not once per phrase."""


def says(text: str, phrase: str, *, anywhere: bool = True) -> bool:
    """Does `text` say `phrase` (by the rule above)? `anywhere`: it may stand inside a short message."""
    return _says(tokens(text), phrase, anywhere=anywhere)


def _says(toks: tuple[str, ...], phrase: str, *, anywhere: bool, windows: Windows | None = None) -> bool:
    """`windows`: the message's compacted runs of words so far (filled in as needed), shared by the phrases
    one message is compared with."""
    ptoks = _phrase(phrase)
    target = _compact(ptoks)
    if not target:
        return False
    if not toks or len(toks) > MAX_WORDS:
        return False
    if windows is None:
        windows = {}
    first, limit = target[0], allowed(len(target))
    whole = windows.get(0)
    if whole is None:
        whole = windows[0] = (_compact(toks),)
    if _near(whole[0], target, first, limit):
        return True
    if not anywhere:
        return False
    n = len(ptoks)
    for size in range(max(1, n - 1), n + 2):
        runs = windows.get(size)
        if runs is None:
            runs = windows[size] = tuple(_compact(toks[i:i + size]) for i in range(0, len(toks) - size + 1))
        for run in runs:
            if _near(run, target, first, limit):
                return True
    return False


def _exactly(text: str, phrases: tuple[str, ...]) -> bool:
    toks = tokens(text)  # once, not once per phrase
    windows: Windows = {}
    return any(_says(toks, p, anywhere=False, windows=windows) for p in phrases)


# -- what the flow asks ----------------------------------------------------------------------------------

def is_signal(text: str, phrase: str) -> bool:
    """The couple's own signal phrase, one of the default ones, or a short "time-out" without a "not"."""
    toks = tokens(text)  # once, not once per phrase
    windows: Windows = {}  # and its runs of words once, not once per phrase
    if phrase.strip() and _says(toks, phrase, anywhere=True, windows=windows):
        return True
    if any(_says(toks, p, anywhere=True, windows=windows) for p in words().signals):
        return True
    return _is_timeout(toks, windows)


def is_timeout_word(text: str) -> bool:
    """A short message asking for a pause: "timeout", "pauze!", "ik wil een time out" (not "geen pauze")."""
    return _is_timeout(tokens(text))


def _is_timeout(toks: tuple[str, ...], windows: Windows | None = None) -> bool:
    w = words()
    if not toks or len(toks) > 5 or any(t in w.negation for t in toks):
        return False
    windows = {} if windows is None else windows
    return any(_says(toks, k, anywhere=True, windows=windows) for k in w.timeout)


def _answer(text: str, phrases: tuple[str, ...], *, yes_alone: bool) -> bool:
    """A short answer that is one of `phrases`, whole or after leading yes-words; `yes_alone`: a yes is enough."""
    w = words()
    toks = tokens(text)
    if not toks or len(toks) > MAX_WORDS:
        return False
    if yes_alone and all(t in w.yes for t in toks):
        return True
    rest = toks
    while len(rest) > 1 and rest[0] in w.yes:
        rest = rest[1:]
    negated = any(t in w.negation for t in rest)
    return any(_says(rest, p, anywhere=False) or _says(toks, p, anywhere=False) for p in phrases
               if not negated or any(t in w.negation for t in _phrase(p)))


def is_ready_word(text: str) -> bool:
    """At the return: "klaar", "ik ben terug", "ja, ik ben klaar", "jep" (not "ja, nog niet")."""
    return _answer(text, words().ready, yes_alone=True)


def is_stop_word(text: str) -> bool:
    """Typed during breathing: end the round ("stop", "ok klaar", "'t is goed"; a yes alone is not a stop)."""
    return _answer(text, words().stop, yes_alone=False)


def is_help_word(text: str) -> bool:
    return _exactly(text, words().help)


def _match(text: str, vocab: tuple[tuple[str, str], ...], ids: tuple[str, ...]) -> str | None:
    """The vocabulary id a typed answer names (the first one in the text), or None: then it is their own words."""
    toks = tokens(text)
    if not toks or len(toks) > MAX_WORDS:
        return None
    negation = words().negation
    best: tuple[int, str] | None = None
    for word, vid in vocab:
        if vid not in ids:
            continue
        wt = _phrase(word)
        target = _compact(wt)
        for i in range(len(toks) - len(wt) + 1):
            if near(_compact(toks[i:i + len(wt)]), target):
                if i > 0 and toks[i - 1] in negation and wt[0] not in negation:
                    continue  # "niet boos": not this one
                if best is None or i < best[0]:
                    best = (i, vid)
                break
    return best[1] if best else None


def feeling_of(text: str, ids: tuple[str, ...]) -> str | None:
    return _match(text, words().feelings, ids)


def need_of(text: str, ids: tuple[str, ...]) -> str | None:
    return _match(text, words().needs, ids)
