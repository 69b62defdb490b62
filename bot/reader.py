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

Speed (``scripts/bench_safety.py``; ``scripts/safety_same.py`` checks that a change in how it is computed
leaves every reading and judgement as it was): the text is split on white space, and each stretch ("me,",
"hit.") is split into tokens and looked up once per process and remembered (bounded memos of stretches and
of words, never of sentences: those would keep people's sentences in memory), so reading a word is one
dictionary hit. Each word's entry also holds the phrases it may start, by their second word, so phrases
are tried only where a word is followed by a second word of theirs. Compiling this module, the lexicon, the
hunch and the core's judgement with mypyc was measured (issue 12) and is not worth it: about 1.2x in all
(judgement 1.4x, reading 1.1x, hunch 1.05x), far from the goal, because even uncompiled the interpreter's own
loop is only about a sixth of the time (``perf``); compiled, 87 % is CPython's dictionary, set and iterator
code. What costs is the number of look-ups and sets made, not the Python around them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain, compress, count, islice, repeat
from operator import contains, itemgetter
from typing import Any, cast

from bot import hunch
from bot.core.danger import CLAUSE, NOT, SENTENCE, Assessment, Reading, assess
from bot.lexicon import (
    FILLER,
    GAP,
    GAP_WORDS,
    MARKERS,
    Lexicon,
    Phrase,
    cut_runs,
    fold,
    fold_letters,
    lexicon,
)

__all__ = ["assess_text", "fold", "forget", "read", "read_words", "tokens", "warm"]

LANGUAGES = ("nl", "en")

_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf"
_TOKEN = re.compile(rf"[^\W_]+(?:'[^\W_]+)*|[.!?;]+|\n|[,:\"()]|[{_EMOJI}]")
_EMPTY: frozenset[str] = frozenset()
_SENTENCE = frozenset({SENTENCE})
_CLAUSE = frozenset({CLAUSE})
_NOT = frozenset({NOT})
_MEMO_LIMIT = 200_000
_memo: dict[str, dict[str, _Entry]] = {lang: {} for lang in LANGUAGES}


def tokens(text: str) -> list[str]:
    """The folded words and marks of a text (the same as splitting ``fold(text)``, but runs are cut per word)."""
    return list(chain.from_iterable(map(_tokens_memo.__getitem__, _chunks(text))))


def _chunks(text: str) -> list[str]:
    """The text's folded stretches between white space, with each line break a stretch of its own.

    No token holds white space (but the line break, a token itself), so a text's tokens are its stretches'
    tokens one after the other, and a stretch ("me,", "hit.") is split into tokens once per process.
    """
    lines = fold_letters(text).split("\n")
    if len(lines) == 1:
        return lines[0].split()
    chunks = lines[0].split()
    for line in lines[1:]:
        chunks.append("\n")
        chunks += line.split()
    return chunks


class _Memo(dict[str, Any]):
    """A stretch's (or a word's) tokens or entries, made on first use and remembered: a stretch already seen
    costs one dictionary hit, with no Python call (bounded: emptied when it holds :data:`_MEMO_LIMIT`)."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> Any:
        if len(self) > _MEMO_LIMIT:
            self.clear()
        made = self[key] = self.make(key)
        return made


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(cut_runs(t) for t in _TOKEN.findall(chunk))


_tokens_memo = _Memo(_chunk_tokens)


def _language(chunks: list[str], hint: str | None) -> tuple[str, ...]:
    """The language(s) of a text by its first words (none: the text holds no token at all)."""
    sample = list(islice(chain.from_iterable(map(_tokens_memo.__getitem__, chunks)), _LANGUAGE_SAMPLE))
    return _language_of(sample, hint)


def _language_of(sample: Sequence[str], hint: str | None) -> tuple[str, ...]:
    """The language(s) of a text by its first :data:`_LANGUAGE_SAMPLE` tokens, ``sample``."""
    if not sample:
        return ()
    counts = dict.fromkeys(LANGUAGES, 0)
    for lang in chain.from_iterable(filter(None, map(_markers().get, sample[:_LANGUAGE_SAMPLE]))):
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
            lex.foreign = tuple(lexicon(other) for other in LANGUAGES if other != lang)
            for m in lex.markers:
                _marker_table[m] = (*_marker_table.get(m, ()), lang)
    return _marker_table


_Group = tuple[tuple[Phrase, ...], tuple[frozenset[str], ...]]
"""Phrases in trying order (longest first, then as in the data) and the words each needs."""
_Seconds = Mapping[str, _Group]
_Starts = tuple[_Seconds, AbstractSet[str], bool]
"""The phrases (or idioms) a word may start, by their second word (surface, lemma or GAP), under all its keys;
those second words; whether any has a gap second."""
_Entry = tuple[frozenset[str], tuple[str, ...], _Starts | None, _Starts | None, bool]
"""Per token: its concepts; its phrase keys (surface, lemma); the idioms and the phrases it may start; whether
it starts any."""
_NO_KEYS: tuple[str, ...] = ()
_SENTENCE_ENTRY: _Entry = (_SENTENCE, _NO_KEYS, None, None, False)
_CLAUSE_ENTRY: _Entry = (_CLAUSE, _NO_KEYS, None, None, False)
_NOTHING: _Entry = (_EMPTY, _NO_KEYS, None, None, False)
_MANY_CONCEPTS = frozenset({"many"})
_MANY: _Entry = (_MANY_CONCEPTS, ("#",), None, None, False)  # "#" in a phrase stands for a number: "when i was #"
_FEW: _Entry = (_EMPTY, ("#",), None, None, False)  # "when i was 4" is a number too, just not many
_MANY_FROM = 5  # "20 pills", "63 calls": a number of five or more counts as many


def _entry(lex: Lexicon, token: str) -> _Entry:
    first = token[0]
    if first in ".!?;\n":
        return _NOTHING if token.startswith("..") else _SENTENCE_ENTRY
    if first in ',:"()':
        return _CLAUSE_ENTRY
    if token.isdecimal():  # not isdigit: "𐩀" is a digit that int() refuses
        if len(token) >= 6:  # a phone number, a code: no count
            return _NOTHING
        return _MANY if int(token) >= _MANY_FROM else _FEW
    w = lex.look_up(token)
    number = lex.numbers.get(token)
    if w is None and number is None:
        return _NOTHING
    keys = (token, w.lemma) if w is not None and w.lemma != token else (token,)
    idiom_firsts, phrase_firsts = _firsts(lex)
    idioms = _seconds(idiom_firsts, keys)
    phrases = _seconds(phrase_firsts, keys)
    concepts = w.concepts if w is not None else _EMPTY
    if number is not None:  # "twelve" is a number as "12" is: "when i was #"
        keys = (*keys, "#")
        if number >= _MANY_FROM:
            concepts = concepts | _MANY_CONCEPTS
    return concepts, keys, idioms, phrases, idioms is not None or phrases is not None


def _seconds(firsts: dict[str, _Starts], keys: tuple[str, ...]) -> _Starts | None:
    """What a word may start, under its surface and its lemma (one table of both, made once per word)."""
    one = firsts.get(keys[0])
    if len(keys) == 1:
        return one
    other = firsts.get(keys[1])
    if one is None or other is None:
        return one or other
    table = dict(one[0])
    for second, group in other[0].items():
        mine = table.get(second)
        table[second] = group if mine is None else _group({*mine[0], *group[0]})
    return table, table.keys(), one[2] or other[2]


def _group(phrases: Iterable[Phrase]) -> _Group:
    ordered = tuple(sorted(phrases, key=_order))
    return ordered, tuple(ph.words for ph in ordered)


def _firsts(lex: Lexicon) -> tuple[dict[str, _Starts], dict[str, _Starts]]:
    """Per first word, what it may start: idioms, phrases (built once per lexicon)."""
    got = _firsts_of.get(lex.locale)
    if got is None:
        made = []
        for index in (lex.idiom_index, lex.phrase_index):
            firsts: dict[str, _Starts] = {}
            for first, table in index.items():
                groups = {second: _group(group) for second, group in table.items()}
                firsts[first] = (groups, groups.keys(), GAP in groups)
            made.append(firsts)
        got = _firsts_of[lex.locale] = (made[0], made[1])
    return got


_firsts_of: dict[str, tuple[dict[str, _Starts], dict[str, _Starts]]] = {}


def _reading(chunks: list[str], lex: Lexicon) -> list[frozenset[str]]:
    """A text's concepts in one language."""
    return _read_one(list(chain.from_iterable(map(_parts(lex).__getitem__, chunks))))


def _parts(lex: Lexicon) -> _Memo:
    """The entries of each stretch in one language, remembered per stretch (and per word below it)."""
    memo = _chunk_memo.get(lex.locale)
    if memo is None:
        words = _memo[lex.locale]
        spelling = lex.spelling

        def make(chunk: str) -> tuple[_Entry, ...]:
            if len(words) > _MEMO_LIMIT:
                words.clear()
            toks: Sequence[str] = _tokens_memo[chunk]
            if spelling:  # Flemish and txt-speak forms as their common spelling ("nie": "niet", "kzal": "ik zal")
                toks = [w for t in toks for w in spelling.get(t, (t,))]
            return tuple([words.get(t) or words.setdefault(t, _entry(lex, t)) for t in toks])

        memo = _chunk_memo[lex.locale] = _Memo(make)
    return memo


def _chunk_parts(chunks: list[str], lex: Lexicon) -> list[tuple[_Entry, ...]]:
    """The entries of each stretch in one language."""
    return list(map(_parts(lex).__getitem__, chunks))


_chunk_memo: dict[str, _Memo] = {}


def _read_one(entries: list[_Entry]) -> list[frozenset[str]]:
    out = list(map(_CONCEPTS, entries))
    starts = list(compress(range(len(entries)), map(_STARTS, entries)))
    if starts:
        keys = list(map(_KEYS, entries))
        ends = list(compress(count(), map(contains, out, repeat(SENTENCE))))
        held: dict[int, set[str]] = {}
        used: set[int] = set()
        _phrases(2, entries, starts, keys, out, used, ends, held)
        _phrases(3, entries, starts, keys, out, used, ends, held)
    return out


_CONCEPTS, _KEYS, _STARTS = itemgetter(0), itemgetter(1), itemgetter(4)


def _phrases(slot: int, entries: list[_Entry], starts: list[int], keys: list[tuple[str, ...]],
             out: list[frozenset[str]], used: set[int], ends: list[int], held: dict[int, set[str]]) -> None:
    """Idioms (``slot`` 2) read as nothing; other phrases (3) add their concept to their first word (and take its
    negation).

    ``used`` holds the words idioms took: no other phrase may use them. Phrases are found by their first two
    words (or their first word and a gap), so a common first word costs a look-up, not a scan: only the words
    followed by a second word of theirs (or by a filler word, or that have a gap second) are looked at. Words
    only lose their filler concept while phrases are read, so a word not followed by a filler word now is not
    when its turn comes either. No phrase crosses a sentence mark (``ends``), and a phrase word matches a
    word's surface or lemma, so a phrase is not tried where its sentence does not hold all its words
    (``held``: the words of each sentence looked at, by the number of the mark that ends it).
    """
    last = len(keys) - 1
    table = cast(list[_Starts | None], list(map(itemgetter(slot), entries)))
    todo = [
        i for i in starts
        if i < last and (st := table[i]) is not None
        and (st[2] or FILLER in out[i + 1] or not st[1].isdisjoint(keys[i + 1]))
    ]
    for i in todo:
        if i in used:
            continue
        st = cast(_Starts, table[i])
        seconds = st[0]
        j = i + 1
        groups = [seconds[k] for k in keys[j] if k in seconds]
        while j < last and FILLER in out[j]:  # the second word may come after filler words too
            j += 1
            groups += [seconds[k] for k in keys[j] if k in seconds]
        if st[2]:
            groups.append(seconds[GAP])
        if not groups:
            continue
        b = bisect_right(ends, i)
        here = held.get(b)
        if here is None:
            sentence = keys[ends[b - 1] + 1 if b else 0 : ends[b] if b < len(ends) else None]
            here = held[b] = set(chain.from_iterable(sentence))
        if len(groups) == 1:  # each group is in trying order already (longest first)
            phrases, needs = groups[0]
            candidates = list(compress(phrases, map(here.issuperset, needs)))
        else:
            candidates = sorted(
                {ph for phrases, needs in groups for ph in compress(phrases, map(here.issuperset, needs))}, key=_order
            )
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


def _order(phrase: Phrase) -> tuple[int, int]:
    return -phrase.length, phrase.number


def _phrase_at(phrase: Phrase, keys: list[tuple[str, ...]], out: list[frozenset[str]], start: int) -> list[int] | None:
    """Positions of the phrase's own words when it occurs at ``start`` (its first word is there: it was found
    by it)."""
    positions = [start]
    p = start + 1
    gap = False
    n = len(keys)
    for surface, lemma in phrase.items[1:]:
        if surface == GAP:
            gap = True
            continue
        limit = p + (GAP_WORDS if gap else 0)
        found = -1
        q = p
        while q < n and q <= limit:
            t = out[q]
            if SENTENCE in t:
                break
            k = keys[q]
            if surface in k or (lemma and lemma in k):
                found = q
                break
            if FILLER in t:
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
    chunks = _chunks(text)
    toks = list(chain.from_iterable(map(_tokens_memo.__getitem__, chunks)))
    langs = _language_of(toks, hint)  # (_markers also tells each lexicon the other languages' words)
    if not langs:
        return toks, ()
    if len(langs) == 1:
        return toks, tuple(_reading(chunks, lexicon(langs[0])))
    out: list[frozenset[str]] = []
    for lang in langs:  # no telling the language: read it in each, one after the other, as separate sentences
        if out:
            out.append(_SENTENCE)
        out.extend(_reading(chunks, lexicon(lang)))
    return toks, tuple(out)


def assess_text(text: str, hint: str | None = None) -> Assessment:
    """Read and judge one message: the whole detector, as every production path runs it."""
    return assess(read(text, hint))


def forget() -> None:
    """Empty the memos of looked-up words (the benchmark's cold start: every word pays its full look-up again)."""
    for memos in (_chunk_memo, _memo):
        for memo in memos.values():
            memo.clear()


def warm() -> None:
    """Build both lexicons now (a few seconds), so the first message is not the one that waits."""
    for lang in LANGUAGES:
        _firsts(lexicon(lang))
    hunch.model()
