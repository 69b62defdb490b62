"""Reading a message into concepts: the shell half of the danger detector.

Theory of operation
-------------------
Design choice (issue 12): words are normalised *here, in the shell*, and the core judges concepts only.
``read(text)`` returns a :data:`bot.core.danger.Reading` -- per token the set of concepts it stands for --
and ``bot/service.py`` puts it into every ``TextReceived`` event before the core sees it. Why here and not
as tables inside the core: the lemma data (simplemma, ~370,000 Dutch forms) and edit distance (rapidfuzz,
compiled code) are libraries the core may not import, the data is large and compressed in the library's own
format, and what the core then receives is language-free: ``bot/core/danger.py`` holds no word of any
language, so a new language is one folder of data and no code. The core stays pure, fast and testable on
concept lists.

Steps: fold (lower case, accents and curly quotes straightened, 3+ repeated letters cut to 2), split into
words and punctuation, pick the language (which vocabulary's marker words occur most; both when it is a
tie), look every word up (:meth:`bot.lexicon.Lexicon.look_up`: forms, squashed forms, near-misses),
replace phrases and idioms, and mark sentence (``|``) and clause (``,``) boundaries. The whole text is read.
Each distinct token is looked up once per process and remembered (a bounded memo), so reading is about
one dictionary hit per word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.core.danger import CLAUSE, NOT, SENTENCE, Assessment, Reading, assess
from bot.lexicon import GAP, GAP_WORDS, Lexicon, Phrase, Word, lexicon

__all__ = ["assess_text", "read", "warm"]

LANGUAGES = ("nl", "en")

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
     "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'}
)
_REPEAT3 = re.compile(r"([^\W\d_])\1{2,}")
_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf"
_TOKEN = re.compile(rf"[^\W_]+(?:'[^\W_]+)*|[.!?;]+|\n|[,:\"()]|[{_EMOJI}]")
_EMPTY: frozenset[str] = frozenset()
_SENTENCE = frozenset({SENTENCE})
_CLAUSE = frozenset({CLAUSE})
_NOT = frozenset({NOT})
_MEMO_LIMIT = 200_000
_memo: dict[str, dict[str, Word | None]] = {lang: {} for lang in LANGUAGES}


def fold(text: str) -> str:
    """Lower case, straight quotes, no accents, letter runs of 3+ cut to 2."""
    if text.isascii():
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text.translate(_QUOTES).casefold())
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _REPEAT3.sub(r"\1\1", folded)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _language(toks: Iterable[str], hint: str | None) -> tuple[str, ...]:
    counts = dict.fromkeys(LANGUAGES, 0)
    lexicons = {lang: lexicon(lang) for lang in LANGUAGES}
    for t in toks:
        for lang, lex in lexicons.items():
            if t in lex.markers:
                counts[lang] += 1
    best = max(counts.values())
    winners = tuple(lang for lang in LANGUAGES if counts[lang] == best)
    if len(winners) == 1:
        return winners
    if best > 0 and hint in winners:
        return (hint,)
    return winners


def _look_up(lex: Lexicon, token: str) -> Word | None:
    memo = _memo[lex.locale]
    try:
        return memo[token]
    except KeyError:
        pass
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    word = memo[token] = lex.look_up(token)
    return word


def _boundary(token: str) -> frozenset[str] | None:
    first = token[0]
    if first in ".!?;\n":
        return _EMPTY if token.startswith("..") else _SENTENCE
    if first in ',:"()':
        return _CLAUSE
    return None


def _read_one(toks: list[str], lex: Lexicon) -> list[frozenset[str]]:
    words: list[Word | None] = []
    out: list[frozenset[str]] = []
    for t in toks:
        b = _boundary(t)
        if b is not None:
            words.append(None)
            out.append(b)
            continue
        w = _look_up(lex, t)
        words.append(w)
        out.append(w.concepts if w is not None else _EMPTY)
    _phrases(lex.idioms, toks, words, out)
    _phrases(lex.phrases, toks, words, out)
    return out


def _phrases(phrases: dict[str, list[Phrase]], toks: list[str], words: list[Word | None],
             out: list[frozenset[str]]) -> None:
    """Idioms read as nothing; other phrases add their concept to their first word (and take its negation)."""
    used: set[int] = set()
    for i, w in enumerate(words):
        if i in used or w is None:
            continue
        group = phrases.get(toks[i]) or phrases.get(w.lemma)
        for phrase in group or ():
            hit = _phrase_at(phrase, toks, words, out, i)
            if hit is None:
                continue
            if phrase.concepts:
                out[i] = out[i] | phrase.concepts
                for p in hit:
                    if NOT in out[p]:
                        out[p] = out[p] - _NOT
            else:
                for p in hit:
                    out[p] = out[p] & _CLAUSE
                used.update(hit)
            break


def _phrase_at(
    phrase: Phrase, toks: list[str], words: list[Word | None], out: list[frozenset[str]], start: int
) -> list[int] | None:
    """Positions of the phrase's own words when it occurs at ``start``."""
    positions: list[int] = []
    p = start
    gap = False
    for surface, lemma in phrase.items:
        if surface == GAP:
            gap = True
            continue
        limit = p + (GAP_WORDS if gap else 0)
        found = -1
        q = p
        while q < len(toks) and q <= limit:
            if SENTENCE in out[q]:
                break
            w = words[q]
            if toks[q] == surface or (lemma and w is not None and w.lemma == lemma):
                found = q
                break
            q += 1
        if found < 0:
            return None
        positions.append(found)
        p = found + 1
        gap = False
    return positions


def read(text: str, hint: str | None = None) -> Reading:
    """The concepts of a whole message (``hint``: the writer's language, used when the text is no help)."""
    toks = tokens(text)
    if not toks:
        return ()
    langs = _language(toks, hint)
    if len(langs) == 1:
        return tuple(_read_one(toks, lexicon(langs[0])))
    readings = [_read_one(toks, lexicon(lang)) for lang in langs]
    return tuple(frozenset().union(*parts) for parts in zip(*readings, strict=True))


def assess_text(text: str, hint: str | None = None) -> Assessment:
    """Read and judge one message: the whole detector, as every production path runs it."""
    return assess(read(text, hint))


def warm() -> None:
    """Build both lexicons now (a few seconds), so the first message is not the one that waits."""
    for lang in LANGUAGES:
        lexicon(lang)
