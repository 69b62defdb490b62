"""The danger vocabulary of one language, built once from its data file and simplemma's lemma data.

Theory of operation
-------------------
``bot/i18n/<locale>/danger.toml`` says which words stand for which concept (see its header). This module
turns it into plain lookup tables, once per process:

* ``forms``: every surface form -> :class:`Word` (its lemma and its concepts). Words under ``[lemmas]``
  are expanded to all their inflections by inverting simplemma's form->lemma dictionary ("slaan" also
  gives "sloeg", "geslagen", "slaat"); words under ``[words]`` stand only as written.
* ``squashed``: the same forms with letter runs squashed ("hiit", "slaaat" meet "hit", "slaat").
* a typo index over the content words: a token no dictionary knows is matched to the nearest of them by
  optimal-string-alignment distance (rapidfuzz), one edit for short words, two from eight letters on,
  same first letter. A three-letter token no dictionary knows may stand for a three-letter *act*
  (:data:`SLIP_CONCEPTS`) by two swapped letters ("hti") or one neighbouring key ("hiy"). A token that *is*
  a word ("chocked", a rare word of its own) stands for an act only through a sound-alike spelling of its
  language (``[language] sound_alike``: "ck k"): a real word one edit from an act is too often meant
  ("rapping", "poetsen"), a spelling mix-up hardly ever.
* ``phrases``: multi-word entries by their first word, with "..." gaps. A phrase word written in its base
  form ("kill me") matches every inflection ("killed me"); written inflected ("killing me"), only itself.

Reading a message (``bot/reader.py``) is then dictionary look-ups, with the look-ups of each token
remembered, so the cost of one message is close to the cost of splitting it into words.
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import simplemma
from rapidfuzz import process
from rapidfuzz.distance import OSA
from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

from bot.i18n import LOCALES

__all__ = ["GAP", "Lexicon", "Phrase", "PhraseIndex", "Word", "fold", "lexicon", "vocabulary"]

GAP = "..."
"""In a phrase: up to :data:`GAP_WORDS` other words may come here."""
GAP_WORDS = 4
CLAUSE = ","
FILLER = "filler"
"""Concept of the small words that may stand inside a phrase ("really", "echt", "gewoon")."""
MARKERS = frozenset({"long_ago", "media", "job", "profession", "sport", "joke", "earnest", "discard"})
"""Concepts of context: a phrase of these ("when i was a kid") stands for the marker only, not for its words
("threw away" is discarding, not throwing)."""
SLIP_CONCEPTS = frozenset({"hit", "choke", "shove", "grab", "stab", "shoot", "kill", "abuse", "rape"})
"""The acts a short non-word or a sound-alike spelling may stand for: where a typo matters most."""
COMPOUND_CONCEPTS = frozenset({"weapon", "door", "means", "possession", "injury", "thing", "body", "kid", "media"})
"""Concepts a compound may end in: "jachtgeweer" is a weapon, "badkamerdeur" a door, "horrorfilm" a film."""
POSSESSIVE_CONCEPTS = COMPOUND_CONCEPTS | {"pet", "car"}
"""Concepts a possessive keeps ("my toddler's arms", "the baby's bottle"): a child or a thing, never an act
("let's") and no adult ("my dad's threatening" is "my dad is")."""


@dataclass(frozen=True, slots=True)
class Word:
    lemma: str
    concepts: frozenset[str]


@dataclass(frozen=True, slots=True, eq=False)
class Phrase:
    items: tuple[tuple[str, str], ...]  # (surface, lemma) per word; GAP for a gap
    concepts: frozenset[str]  # empty for an idiom
    length: int  # words, gaps not counted: longer phrases are tried first
    anchor: frozenset[str]  # its longest word, as surface and lemma: a text without it cannot hold the phrase
    number: int = 0  # its place in the data file: of phrases equally long, the earlier is tried first
    words: frozenset[str] = frozenset()  # its words: a sentence without each of them (or its lemma) cannot hold it


class VocabularyError(Exception):
    """A danger vocabulary file is malformed."""


def vocabulary(locale: str) -> dict[str, Any]:
    """The parsed ``danger.toml`` of one language."""
    if locale not in LOCALES:
        raise VocabularyError(f"unknown locale {locale!r}")
    text = resources.files("bot.i18n").joinpath(locale, "danger.toml").read_text("utf-8")
    data = tomllib.loads(fold(text))  # written as people write; read as the reader folds text
    for key, value in data.get("spelling", {}).items():
        if not isinstance(value, str) or not value.strip() or " " in key:
            raise VocabularyError(f"{locale}/danger.toml [spelling] {key}: one word, its spelling as text")
    for table in ("words", "lemmas", "phrases", "idioms"):
        for key, words in data.get(table, {}).items():
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() == w and w for w in words):
                raise VocabularyError(f"{locale}/danger.toml [{table}] {key}: a list of words")
    return data


_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
     "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'}
)
_COMBINING = re.compile(  # accents left over by NFKD, soft hyphens and zero-width characters
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad\u200b-\u200d\u2060\ufeff]"
)
_REPEAT3 = re.compile(r"([^\W\d_])\1{2,}")
_QUOTE_CHARS = re.compile("[" + "".join(chr(c) for c in _QUOTES) + "]")


def fold(text: str) -> str:
    """Lower case, straight quotes, no accents, letter runs of 3+ cut to 2: how text and vocabulary meet."""
    return cut_runs(fold_letters(text))


def fold_letters(text: str) -> str:
    """:func:`fold` without cutting letter runs (the reader cuts them per word, once per distinct word)."""
    if text.isascii():
        return text.lower()
    text = _QUOTE_CHARS.sub(_straight_quote, text)  # a regex finds the rare quote fast; translate is per char
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def cut_runs(text: str) -> str:
    """Letter runs of 3+ cut to 2 ("sooo" -> "soo")."""
    return _REPEAT3.sub(r"\1\1", text)


def _straight_quote(m: re.Match[str]) -> str:
    return str(_QUOTES[ord(m.group())])


def concepts_of(key: str) -> frozenset[str]:
    return frozenset(key.split("+"))


def _squash(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


class Lexicon:
    """Look-up tables for one language (built by :func:`lexicon`)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        data = vocabulary(locale)
        language = data.get("language", {})
        self.markers = frozenset(language.get("markers", ()))
        self.spelling: dict[str, tuple[str, ...]] = {
            k: tuple(v.split()) for k, v in data.get("spelling", {}).items()
        }
        self.foreign: tuple[Lexicon, ...] = ()  # other languages: their words are no typos of ours, read as written
        self.clause_words = frozenset(language.get("clause", ()))
        self.numbers: dict[str, int] = {w: n for n, w in enumerate(language.get("numbers", ())) if w}
        self.sound_alike = tuple(tuple(pair.split()) for pair in language.get("sound_alike", ()))
        self.known: Mapping[str, str] = DEFAULT_DICTIONARY_FACTORY.get_dictionary(locale)
        self.forms: dict[str, Word] = {}
        self.phrases: dict[str, list[Phrase]] = {}
        lemma_concepts: dict[str, set[str]] = {}
        phrase_entries: list[tuple[str, frozenset[str]]] = []
        exact: dict[str, set[str]] = {}
        for key, words in data.get("words", {}).items():
            for w in words:
                if " " in w:
                    phrase_entries.append((w, concepts_of(key)))
                else:
                    exact.setdefault(w, set()).update(concepts_of(key))
        content: set[str] = set()
        for key, words in data.get("lemmas", {}).items():
            for w in words:
                if " " in w:
                    phrase_entries.append((w, concepts_of(key)))
                    continue
                for lemma in {w, self._content_lemma(w)}:
                    lemma_concepts.setdefault(lemma, set()).update(concepts_of(key))
                content.add(w)
        for key, words in data.get("phrases", {}).items():
            for w in words:
                if " " in w:
                    phrase_entries.append((w, concepts_of(key)))
                else:
                    exact.setdefault(w, set()).update(concepts_of(key))
        blank: set[str] = set()  # one-word idioms: the word as written means nothing ("overkill")
        for words in data.get("idioms", {}).values():
            phrase_entries.extend((w, frozenset()) for w in words if " " in w)
            blank.update(w for w in words if " " not in w)
        phrase_lemmas = {self.lemma(p) for entry, _ in phrase_entries for p in entry.split() if p != GAP}
        wanted = set(lemma_concepts) | phrase_lemmas
        found: dict[str, str] = {}
        for form, lemma in self.known.items():
            low = lemma.lower()
            if low in wanted and form.islower():
                found[form] = low
        for lemma in wanted:
            found.setdefault(lemma, lemma)
        for form, lemma in found.items():
            self._add(form, lemma, frozenset(lemma_concepts.get(lemma, ())))
        for w in content:  # the word as written, even when simplemma gives it another lemma
            self._add(w, self.lemma(w), frozenset(lemma_concepts.get(w, ())))
        content |= {f for f, lemma in found.items() if lemma in lemma_concepts}
        for w, exact_concepts in exact.items():
            self._add(w, w, frozenset(exact_concepts))
        for w in blank:
            self.forms[w] = Word(w, frozenset())
        for w in language.get("fillers", ()):
            old = self.forms.get(w)
            self.forms[w] = Word(old.lemma if old else w, (old.concepts if old else frozenset()) | {FILLER})
        for form, word in list(self.forms.items()):  # a phrase word may also be an inflection simplemma knows
            if not word.concepts:
                other = self.forms.get(self.lemma(form))
                if other is not None and other.concepts and other.lemma != word.lemma:
                    self.forms[form] = Word(word.lemma, other.concepts)
        for w in self.clause_words:
            old = self.forms.get(w)
            self.forms[w] = Word(old.lemma if old else w, (old.concepts if old else frozenset()) | {CLAUSE})
        self.idioms: dict[str, list[Phrase]] = {}
        for number, (entry, cs) in enumerate(phrase_entries):
            items = tuple((p, GAP if p == GAP else self._phrase_lemma(p)) for p in entry.split())
            longest = max((it for it in items if it[0] != GAP), key=lambda it: len(it[0]))
            words = frozenset(p for p, lemma in items if p != GAP and lemma in ("", p))  # (the rest: surface or lemma)
            phrase = Phrase(items, cs, sum(1 for p, _ in items if p != GAP), frozenset(longest) - {""}, number, words)
            index = self.phrases if cs else self.idioms
            first_surface, first_lemma = items[0]
            for key in {first_surface, first_lemma} - {""}:
                index.setdefault(key, []).append(phrase)
        for index in (self.phrases, self.idioms):
            for group in index.values():
                group.sort(key=lambda ph: (-ph.length, ph.number))  # the order phrases are tried in
        self.phrase_index = _by_two_words(self.phrases)
        self.idiom_index = _by_two_words(self.idioms)
        anchors: dict[str, set[str]] = {}  # first word -> the anchors of the phrases and idioms it starts
        for index in (self.phrases, self.idioms):
            for first, group in index.items():
                for phrase in group:
                    anchors.setdefault(first, set()).update(phrase.anchor)
        self.anchors_by_first = {first: frozenset(a) for first, a in anchors.items()}
        self.squashed: dict[str, Word] = {}
        for form, word in self.forms.items():
            self.squashed.setdefault(_squash(form), word)
        targets: dict[str, list[str]] = {}
        for form, word in self.forms.items():
            if len(form) >= 4 and word.concepts and form.isalpha() and form in content:
                targets.setdefault(form[0], []).append(form)
        self._targets = targets
        self._short = {f for f, w in self.forms.items() if len(f) == 3 and f in content and w.concepts & SLIP_CONCEPTS}

    def viable_firsts(self, present: set[str]) -> set[str]:
        """The first words of phrases that can occur in a text holding ``present``: their anchor is there too."""
        anchors = self.anchors_by_first
        return {k for k in present if k in anchors and not anchors[k].isdisjoint(present)}

    def _content_lemma(self, word: str) -> str:
        """The lemma whose forms a content word brings in, unless simplemma's guess is far-fetched ("sos": "so")."""
        lemma = self.lemma(word)
        return lemma if len(lemma) >= 3 and lemma[0] == word[0] else word

    def _phrase_lemma(self, word: str) -> str:
        """A phrase word written in its base form matches every inflection; written inflected, only itself."""
        lemma = self.lemma(word)
        return lemma if lemma == word else ""

    def lemma(self, word: str) -> str:
        return str(simplemma.lemmatize(word, lang=self.locale)).lower()

    def _add(self, form: str, lemma: str, cs: frozenset[str]) -> None:
        old = self.forms.get(form)
        self.forms[form] = Word(lemma, cs) if old is None else Word(old.lemma, old.concepts | cs)

    def look_up(self, token: str) -> Word | None:
        """The word a token stands for: as written, without apostrophes, squashed, or as a near-miss."""
        word = self.forms.get(token)
        if word is not None:
            return word
        if "'" in token:
            if token.endswith("'s") and (owner := self.look_up(token[:-2])) is not None:
                kept = owner.concepts & POSSESSIVE_CONCEPTS
                if kept:
                    return Word(owner.lemma, kept)
            word = self.forms.get(token.replace("'", ""))
            if word is not None:
                return word
        if not token.isalpha():
            return None
        word = self.forms.get(self.lemma(token)) or self._compound(token)
        if word is not None:
            return word
        if any(token in other.known for other in self.foreign):  # another language's word: no typo of ours
            return None if token in self.known else self._foreign(token)
        if token in self.known:
            return self._sound_alike(token)
        word = self.squashed.get(_squash(token))
        if word is not None:
            return word
        return self._near_miss(token) or self._sound_alike(token, near=True)

    def _foreign(self, token: str) -> Word | None:
        """A word of another language only, read in that language as written ("ik zit in de garage, he punched
        me"): people switch languages mid-sentence, and the concepts are the same in every language. Exact
        forms only: no near-misses, no phrases."""
        for other in self.foreign:
            word = other.forms.get(token)
            if word is not None and word.concepts:
                return word
        return None

    def _compound(self, token: str) -> Word | None:
        """A compound ending in a word of a compound-friendly concept ("keukenmes", "badkamerdeur")."""
        for cut in range(3, len(token) - 2):
            tail = self.forms.get(token[cut:])
            if tail is not None and tail.concepts & COMPOUND_CONCEPTS:
                return Word(tail.lemma, tail.concepts & COMPOUND_CONCEPTS)
        return None

    def _sound_alike(self, token: str, near: bool = False) -> Word | None:
        """An act written with a sound-alike spelling ("chocked": "choked"; "gewurcht": "gewurgd"), one spot
        at a time; for a token no dictionary knows (``near``) also a near-miss of it ("kikd": "kickd": "kicked")."""
        for written, meant in self.sound_alike:
            at = token.find(written)
            while at >= 0:
                variant = token[:at] + meant + token[at + len(written) :]
                word = self.forms.get(variant) or (self._near_miss(variant) if near else None)
                if word is not None and word.concepts & SLIP_CONCEPTS:
                    return word
                at = token.find(written, at + 1)
        return None

    def _near_miss(self, token: str) -> Word | None:
        if len(token) == 3:
            return self._short_slip(token)
        if len(token) < 4:
            return None
        candidates = self._targets.get(token[0])
        if not candidates:
            return None
        limit = 2 if len(token) >= 8 else 1
        best = process.extractOne(token, candidates, scorer=OSA.distance, score_cutoff=limit)
        if best is None:
            return None
        return self.forms[best[0]]

    def _short_slip(self, token: str) -> Word | None:
        """A three-letter non-word as an act: two letters swapped ("hti") or one key beside ("hiy")."""
        a, b, c = token[0], token[1], token[2]
        swapped = (a + c + b,)
        slipped = (*(a + b + k for k in _NEIGHBOURS.get(c, "")), *(a + k + c for k in _NEIGHBOURS.get(b, "")))
        for guess in (*swapped, *slipped):
            if guess in self._short:
                return self.forms[guess]
        return None


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    ch: "".join(
        other[j] for r2, other in enumerate(_ROWS) if abs(r2 - r) <= 1 for j in range(len(other))
        if abs(j - i) <= 1 and other[j] != ch
    )
    for r, row in enumerate(_ROWS)
    for i, ch in enumerate(row)
}
"""The keys around each key: a finger that slips in a short word lands on one of these."""


PhraseIndex = dict[str, dict[str, list[Phrase]]]
"""first word (surface or lemma) -> second word (surface, lemma or GAP) -> phrases"""


def _by_two_words(by_first: dict[str, list[Phrase]]) -> PhraseIndex:
    index: PhraseIndex = {}
    for first, group in by_first.items():
        for phrase in group:
            surface, lemma = phrase.items[1]
            for second in {surface, lemma} - {""}:
                index.setdefault(first, {}).setdefault(second, []).append(phrase)
    return index


_building = threading.Lock()


@cache
def _built(locale: str) -> Lexicon:
    return Lexicon(locale)


def lexicon(locale: str) -> Lexicon:
    """The lexicon of one language, built on first use (once, whichever thread asks first) and kept."""
    with _building:
        return _built(locale)
