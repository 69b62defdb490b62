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

from bot import hunch
from bot.core.danger import CLAUSE, NOT, SENTENCE, Assessment, Reading, assess
from bot.lexicon import (
    FILLER,
    GAP,
    GAP_WORDS,
    MARKERS,
    Lexicon,
    Phrase,
    PhraseIndex,
    cut_runs,
    fold,
    fold_letters,
    lexicon,
)

__all__ = ["assess_text", "fold", "read", "read_words", "warm"]

LANGUAGES = ("nl", "en")

_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf"
_TOKEN = re.compile(rf"[^\W_]+(?:'[^\W_]+)*|[.!?;]+|\n|[,:\"()]|[{_EMOJI}]")
_EMPTY: frozenset[str] = frozenset()
_SENTENCE = frozenset({SENTENCE})
_CLAUSE = frozenset({CLAUSE})
_NOT = frozenset({NOT})
_MEMO_LIMIT = 200_000
_memo: dict[str, dict[str, tuple[frozenset[str], tuple[str, ...], bool]]] = {lang: {} for lang in LANGUAGES}


def tokens(text: str) -> list[str]:
    """The folded words and marks of a text (the same as splitting ``fold(text)``, but runs are cut per word)."""
    toks = _TOKEN.findall(fold_letters(text))
    if len(_cut_memo) > _MEMO_LIMIT:
        _cut_memo.clear()
    get = _cut_memo.get
    return [get(t) or _cut_memo.setdefault(t, cut_runs(t)) for t in toks]


_cut_memo: dict[str, str] = {}


def _language(toks: list[str], hint: str | None) -> tuple[str, ...]:
    counts = dict.fromkeys(LANGUAGES, 0)
    markers = _markers()
    for t in toks[:_LANGUAGE_SAMPLE]:
        for lang in markers.get(t, ()):
            counts[lang] += 1
    best = max(counts.values())
    winners = tuple(lang for lang in LANGUAGES if counts[lang] == best)
    if len(winners) == 1:
        return winners
    if best > 0 and hint in winners:
        return (hint,)
    return winners


_LANGUAGE_SAMPLE = 300
_marker_table: dict[str, tuple[str, ...]] = {}


def _markers() -> dict[str, tuple[str, ...]]:
    if not _marker_table:
        for lang in LANGUAGES:
            lex = lexicon(lang)
            lex.others = tuple(lexicon(other).known for other in LANGUAGES if other != lang)
            for m in lex.markers:
                _marker_table[m] = (*_marker_table.get(m, ()), lang)
    return _marker_table


_Entry = tuple[frozenset[str], tuple[str, ...], bool]  # concepts; phrase keys (surface, lemma); starts a phrase
_NO_KEYS: tuple[str, ...] = ()
_SENTENCE_ENTRY: _Entry = (_SENTENCE, _NO_KEYS, False)
_CLAUSE_ENTRY: _Entry = (_CLAUSE, _NO_KEYS, False)
_NOTHING: _Entry = (_EMPTY, _NO_KEYS, False)
_MANY: _Entry = (frozenset({"many"}), ("#",), False)  # "#" in a phrase stands for a number: "when i was #"
_MANY_FROM = 5  # "20 pills", "63 calls": a number of five or more counts as many


def _entry(lex: Lexicon, token: str) -> _Entry:
    first = token[0]
    if first in ".!?;\n":
        return _NOTHING if token.startswith("..") else _SENTENCE_ENTRY
    if first in ',:"()':
        return _CLAUSE_ENTRY
    if token.isdigit():
        return _MANY if len(token) < 6 and int(token) >= _MANY_FROM else _NOTHING
    w = lex.look_up(token)
    if w is None:
        return _NOTHING
    keys = (token, w.lemma) if w.lemma != token else (token,)
    starts = any(k in lex.idiom_index or k in lex.phrase_index for k in keys)
    return w.concepts, keys, starts


def _read_one(toks: list[str], lex: Lexicon) -> list[frozenset[str]]:
    spelling = lex.spelling
    if spelling:  # Flemish and txt-speak forms as their common spelling ("nie": "niet", "kzal": "ik zal")
        toks = [w for t in toks for w in spelling.get(t, (t,))]
    memo = _memo[lex.locale]
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    get = memo.get
    entries = [get(t) or memo.setdefault(t, _entry(lex, t)) for t in toks]
    out = [e[0] for e in entries]
    starts = [i for i, e in enumerate(entries) if e[2]]
    if starts:
        keys = [e[1] for e in entries]
        present = {k for ks in keys for k in ks}
        viable = lex.viable_firsts(present)  # most common first words start no phrase this text can hold
        starts = [i for i in starts if not viable.isdisjoint(keys[i])]
        used: set[int] = set()
        _phrases(lex.idiom_index, starts, keys, out, used, present)
        _phrases(lex.phrase_index, starts, keys, out, used, present)
    return out


def _phrases(index: PhraseIndex, starts: list[int], keys: list[tuple[str, ...]], out: list[frozenset[str]],
             used: set[int], present: set[str]) -> None:
    """Idioms read as nothing; other phrases add their concept to their first word (and take its negation).

    ``used`` holds the words idioms took: no other phrase may use them. Phrases are found by their first two
    words (or their first word and a gap), so a common first word costs a look-up, not a scan.
    """
    last = len(keys) - 1
    for i in starts:
        if i >= last or i in used:
            continue
        candidates: list[Phrase] = []
        nexts = [i + 1]
        j = i + 1
        while j < last and FILLER in out[j]:  # the second word may come after filler words too
            j += 1
            nexts.append(j)
        for k in keys[i]:
            seconds = index.get(k)
            if seconds is not None:
                for j in nexts:
                    for k2 in keys[j]:
                        candidates.extend(seconds.get(k2, ()))
                candidates.extend(seconds.get(GAP, ()))
        candidates = [ph for ph in candidates if not ph.anchor.isdisjoint(present)]
        if not candidates:
            continue
        if len(candidates) > 1:
            candidates = sorted(set(candidates), key=_longest)
        for phrase in candidates:
            hit = _phrase_at(phrase, keys, out, i)
            if hit is None or used.intersection(hit):
                continue
            if phrase.concepts & MARKERS:  # "when i was a kid": a marker, its words are no one in the story
                out[i] = (out[i] & _CLAUSE) | phrase.concepts
                for p in hit[1:]:
                    out[p] = out[p] & _CLAUSE
                used.update(hit)
                break
            if phrase.concepts:  # several phrases may start at one word ("zei nee": said, and said no)
                out[i] = out[i] | phrase.concepts
                for p in hit:
                    if NOT in out[p]:
                        out[p] = out[p] - _NOT
                continue
            for p in hit:
                out[p] = out[p] & _CLAUSE
            used.update(hit)
            break


def _longest(phrase: Phrase) -> int:
    return -phrase.length


def _phrase_at(phrase: Phrase, keys: list[tuple[str, ...]], out: list[frozenset[str]], start: int) -> list[int] | None:
    """Positions of the phrase's own words when it occurs at ``start``."""
    positions: list[int] = []
    p = start
    gap = False
    n = len(keys)
    for surface, lemma in phrase.items:
        if surface == GAP:
            gap = True
            continue
        limit = p + (GAP_WORDS if gap else 0)
        found = -1
        q = p
        while q < n and q <= limit:
            if SENTENCE in out[q]:
                break
            k = keys[q]
            if surface in k or (lemma and lemma in k):
                found = q
                break
            if FILLER in out[q] and q > start:
                limit += 1  # "hou het echt niet meer vol": a filler word may come between
            q += 1
        if found < 0:
            return None
        positions.append(found)
        p = found + 1
        gap = False
    return positions


def read(text: str, hint: str | None = None) -> Reading:
    """The concepts of a whole message (``hint``: the writer's language, used when the text is no help),
    with the learned hunch's mark when it has one (``bot/hunch.py``)."""
    toks, reading = read_words(text, hint)
    return hunch.mark(hunch.model(), toks, reading)


def read_words(text: str, hint: str | None = None) -> tuple[list[str], Reading]:
    """The folded words of a message and its concepts, as the rules see them (no hunch)."""
    toks = tokens(text)
    if not toks:
        return toks, ()
    langs = _language(toks, hint)  # also tells each lexicon the other languages' words
    if len(langs) == 1:
        return toks, tuple(_read_one(toks, lexicon(langs[0])))
    out: list[frozenset[str]] = []
    for lang in langs:  # no telling the language: read it in each, one after the other, as separate sentences
        if out:
            out.append(_SENTENCE)
        out.extend(_read_one(toks, lexicon(lang)))
    return toks, tuple(out)


def assess_text(text: str, hint: str | None = None) -> Assessment:
    """Read and judge one message: the whole detector, as every production path runs it."""
    return assess(read(text, hint))


def warm() -> None:
    """Build both lexicons now (a few seconds), so the first message is not the one that waits."""
    for lang in LANGUAGES:
        lexicon(lang)
    hunch.model()
