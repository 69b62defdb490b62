"""A learned hunch next to the rules: how much a message looks like the danger in the sets we have seen.

Theory of operation
-------------------
The rules (``bot/core/danger.py``) read danger as combinations of concepts and are right when they fire;
measured blind, they miss about one message in six that holds clear danger, because people keep finding
wordings no rule has seen. A small logistic model over the same message helps with exactly that: it has
seen every line of the tuning sets (``tests/safety/labelled.tsv`` and ``tests/safety/blind_r*.tsv``) and
scores a new message by its words, word pairs, concepts and concept pairs. It never sends anyone straight
to help on its own. It does two things, both as marks the shell adds to the reading for the core to judge:

* ``hunch`` (score >= :data:`ASK_FROM`): the message looks like danger though no rule fired -- the core
  asks "are you safe right now?" (POSSIBLE). One extra question for a benign message is cheap. Where the
  rules read danger words and cancelled them (a negation, a joke, a film), only ``sure`` asks.
* ``sure`` (with ``hunch``, and a second model, trained on clear danger against everything else, scoring
  >= :data:`SURE_FROM`): where a rule fired POSSIBLE of its own accord, two signals now agree and the core
  goes straight to help (CLEAR) -- never where no rule fired at all.
* ``ordinary`` (score < :data:`ORDINARY_BELOW`): it looks like an ordinary fight though a rule fired
  CLEAR -- the core asks instead of going straight to the help screen. Still a question, never silence:
  the model can lower a rule's answer one step, never to nothing.
* ``quiet`` (score < :data:`QUIET_BELOW`; each mark has its own threshold, either may be the higher): a rule fired only
  POSSIBLE and the model is all but certain the fight is ordinary -- the core leaves the question out,
  unless self-harm is among the rule's categories. Most benign questions were the rules' own (someone
  else's past, idioms, films) and this halves them: held out in turn over rounds 13-22 and on round 25,
  a threshold of 0.02 silenced no clear or possible line, 0.05 one "walking on eggshells but she never did
  anything", 0.1 one clear line ("how do i hide that i'm using this? if he sees it he'll go mental").

The ask and ordinary thresholds were first chosen on round 8, a set neither the rules nor the model had seen
then, and the sure one on rounds 9 and 10 with models not trained on them (figures in
``tests/safety/first_contact/README.md``). In stop 25 they were chosen again, held out: rounds 23-38 each
left out of the model's training in turn (2,432 clear, 640 possible, 1,600 benign lines; the rules had seen
them all, so only the comparison between thresholds counts). Asking from 0.6 instead of 0.8 asked about 8 more
clear lines (98.2 -> 98.5 %; among them "last night I wanted to hang myself, I'll try again") and 11 more
possible ones, for 11 more benign questions (11.5 -> 12.2 %); 0.5 added 2 clear lines for 6 more benign
questions. An ordinary threshold of 0.05 instead of 0.01 sent 8 of 35 benign lines less to help (2.2 -> 1.7 %)
and changed no clear line; 0.1 talked one clear line down (and in an earlier stop "he said 'I will kill you'").
The quiet threshold stays at 0.02: at 0.05 it already silenced a clear line ("she leaves the baby alone for
hours when she is angry with me"). The
weights are data (``bot/i18n/hunch.tsv`` and ``bot/i18n/hunch_clear.tsv``), made by
``scripts/train_hunch.py`` from the tuning sets; a test keeps the files in step with the sets.

Why a hand-written scorer and not a library model at run time: what runs is a dictionary look-up per
feature and a sum, the weights are a plain table anyone can read, and neither numpy nor scikit-learn joins
the bot's dependencies. Training is plain stochastic gradient descent on a few thousand lines, deterministic
for a given seed.

Speed (``scripts/bench_safety.py --stages``): a 4,000-character text is about a hundred pieces, and what costs
is the work per piece, not per feature. So a long text's first :data:`_EAGER` pieces are scored one by one (a
text with danger mostly shows it early) and the rest only where an upper bound of the sum could reach the
threshold (:meth:`Model._worth_scoring`: the piece's words exactly, every positive weight of its pairs and
concepts, added up once per text); of an ordinary rant, about one piece in twenty is scored. Sums are compared
with the threshold's log-odds, and a piece within :data:`_MARGIN` of it is scored the exact way, so every
mark is what :meth:`Model.score` would give.

A message of up to :data:`CHUNK` words is scored whole, as the model learnt on single messages. A longer
one is scored sentence by sentence (a run-on sentence in chunks of :data:`CHUNK` words), the highest
counting, and is never marked ``ordinary``: a rant must not add up to danger by its length, and one
dangerous sentence inside it must not be talked down by the ordinary ones around it.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import accumulate, chain, compress, count, pairwise, product, repeat
from operator import and_, contains
from pathlib import Path
from typing import Any, NamedTuple

from bot.core.danger import CLAUSE, HUNCH, ORDINARY, QUIET, SENTENCE, SURE, Reading

__all__ = [
    "ASK_FROM", "CHUNK", "CLEAR_WEIGHTS", "ORDINARY_BELOW", "QUIET_BELOW", "SURE_FROM", "WEIGHTS", "Hunch", "Model",
    "features", "mark", "model", "train",
]

WEIGHTS = Path(__file__).resolve().parent / "i18n" / "hunch.tsv"
"""The danger model: clear or possible danger against benign."""
CLEAR_WEIGHTS = Path(__file__).resolve().parent / "i18n" / "hunch_clear.tsv"
"""The clear model: clear danger against possible and benign (for the ``sure`` mark only)."""
ASK_FROM = 0.6
SURE_FROM = 0.9
ORDINARY_BELOW = 0.05
QUIET_BELOW = 0.02
CHUNK = 60
"""Words per scored chunk: the tuning sets' messages are mostly shorter."""

_BOUNDS = frozenset({CLAUSE, SENTENCE})
_NO_CONCEPTS: frozenset[str] = frozenset()

Feature = tuple[str, ...]
_Key = str | tuple[str, ...]


def features(words: Sequence[str], reading: Reading) -> set[Feature]:
    """What the model looks at: folded words and word pairs, concepts and pairs of neighbouring concepts."""
    out: set[Feature] = set()
    add = out.add
    prev_word = ""
    for w in words:
        add(("w", w))
        if prev_word:
            add(("b", prev_word, w))
        prev_word = w
    prev: frozenset[str] = frozenset()
    for cs in reading:
        if cs & _BOUNDS:
            prev = frozenset()
            continue
        for c in cs:
            add(("c", c))
            for p in prev:
                add(("p", p, c))
        prev = cs
    return out


class Model:
    """Weights per feature and a bias; ``score`` is the probability of danger."""

    def __init__(self, weights: dict[Feature, float], bias: float) -> None:
        self.weights = weights
        self.bias = bias
        self._words: dict[str, float] = {}  # the weights by kind, keyed without the kind (see _sum)
        self._pairs: dict[tuple[str, ...], float] = {}
        self._concepts: dict[str, float] = {}
        self._links: dict[tuple[str, ...], float] = {}
        self._plain: dict[_Key, float] = {}  # words and word pairs in one table (see reaches_any)
        self._concepts_and_links: dict[_Key, float] = {}  # concepts and concept pairs in another
        for f, w in weights.items():
            if len(f) == 2 and f[0] in ("w", "c"):
                (self._words if f[0] == "w" else self._concepts)[f[1]] = w
                (self._plain if f[0] == "w" else self._concepts_and_links)[f[1]] = w
            elif len(f) == 3 and f[0] in ("b", "p"):
                (self._pairs if f[0] == "b" else self._links)[f[1:]] = w
                (self._plain if f[0] == "b" else self._concepts_and_links)[f[1:]] = w
            else:
                raise ValueError(f"not a feature of bot.hunch.features: {f!r}")
        self._pairs_up = {k: w for k, w in self._pairs.items() if w > 0}  # (the bounds of _worth_scoring)
        self._concepts_up = _Memo(lambda cs: sum(max(0.0, self._concepts.get(c, 0.0)) for c in cs) * _valid[cs])
        self._links_up = _Memo(lambda ab: sum(max(0.0, self._links.get(link, 0.0)) for link in product(*ab)))

    def score(self, words: Sequence[str], reading: Reading) -> float:
        z = self.bias + self._sum(words, reading)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def reaches_any(self, pieces: Iterable[tuple[Sequence[str], Reading]], threshold: float) -> bool:
        """Whether any piece's :meth:`score` is at least ``threshold``: the same answer, faster.

        The weights are added up in another order (words and word pairs as one set looked up in one table,
        concepts and their pairs as another, a piece without concepts -- most are -- skipped in one test), and
        compared with the threshold's log-odds. Sums in another order may differ in their last bits, far below
        :data:`_MARGIN`: a piece that close to the threshold is scored the exact way."""
        edge = math.log(threshold / (1.0 - threshold)) - self.bias
        low, high = edge - _MARGIN, edge + _MARGIN
        plain, concepts = self._plain.get, self._concepts_and_links.get
        zero = repeat(0.0)
        for words, reading in pieces:
            feats: set[_Key] = set(words)
            feats.update(pairwise(words))
            z: float = sum(map(plain, feats, zero))
            if any(reading):
                z += sum(map(concepts, _concepts_and_links(reading), zero))
            if z < low:
                continue
            if z > high or self.score(words, reading) >= threshold:
                return True
        return False

    def reaches_in(self, text: _Spans, threshold: float) -> bool:
        """Whether any piece of a long text reaches ``threshold`` (as :meth:`reaches_any` over its pieces): the
        first few pieces one by one (a text with danger mostly shows it early), the rest only where an upper
        bound of their sum (:meth:`_worth_scoring`) could reach the threshold."""
        words, reading, spans = text
        if self.reaches_any([(words[wa:wb], reading[ra:rb]) for wa, wb, ra, rb in spans[:_EAGER]], threshold):
            return True
        if len(spans) <= _EAGER:
            return False
        low = math.log(threshold / (1.0 - threshold)) - self.bias - _MARGIN
        return self.reaches_any([(words[wa:wb], reading[ra:rb]) for wa, wb, ra, rb in
                                 self._worth_scoring(text, spans[_EAGER:], low)], threshold)

    def _worth_scoring(
        self, text: _Spans, spans: list[tuple[int, int, int, int]], low: float
    ) -> list[tuple[int, int, int, int]]:
        """The spans whose sum of weights may reach ``low``, by a bound never below the sum: its distinct words'
        weights exactly, and every positive weight of its word pairs, concepts and concept pairs at every
        occurrence (negative ones not at all). Pairs and concepts are added up once per text (prefix sums,
        each difference within far less than :data:`_MARGIN` of the plain sum)."""
        words, reading, _ = text
        zero = repeat(0.0)
        by_pair = list(accumulate(map(self._pairs_up.get, pairwise(words), zero), initial=0.0))
        up = list(map(self._concepts_up.__getitem__, reading))
        valid = list(map(_valid.__getitem__, reading))
        links = self._links_up
        for r in compress(count(1), map(and_, valid, valid[1:])):
            up[r] += links[reading[r - 1], reading[r]]  # (a pair across a piece's start only raises the bound)
        by_concept = list(accumulate(up, initial=0.0))
        weight = self._words.get
        return [
            (wa, wb, ra, rb) for wa, wb, ra, rb in spans
            if sum(map(weight, set(words[wa:wb]), zero)) + (by_pair[wb - 1] - by_pair[wa])
            + (by_concept[rb] - by_concept[ra]) >= low
        ]

    def _sum(self, words: Sequence[str], reading: Reading) -> float:
        """The weights of :func:`features` summed, without building the features one by one: the same
        words, word pairs, concepts and neighbouring concept pairs, each kind as a set of its own."""
        concepts, links = _concepts_and_links(reading, split=True)
        zero = repeat(0.0)  # (endless: each map below takes from it what it needs)
        return sum(chain(
            map(self._words.get, set(words), zero),
            map(self._pairs.get, set(pairwise(words)), zero),
            map(self._concepts.get, concepts, zero),
            map(self._links.get, links, zero),
        ))


_MARGIN = 1e-7
"""How near a threshold :meth:`Model.quick`'s sum may be before the exact one decides."""


def _concepts_and_links(reading: Reading, split: bool = False) -> Any:
    """The concepts of a reading and the pairs of neighbouring concepts (no pair across a boundary or across a
    word of no concept): one set of both, or (``split``) the two sets."""
    concepts: set[str] = set()
    links: set[tuple[str, str]] = set()
    prev = _NO_CONCEPTS
    for cs in reading:
        if not cs:  # a word of no concept (most are): nothing, and no pair across it
            prev = cs
            continue
        if not cs.isdisjoint(_BOUNDS):
            prev = _NO_CONCEPTS
            continue
        concepts |= cs
        if prev:
            links.update(product(prev, cs))
        prev = cs
    if split:
        return concepts, links
    both: set[_Key] = set(concepts)
    both |= links
    return both


class Hunch(NamedTuple):
    danger: Model
    clear: Model


_ENDS = frozenset(".!?;\n")


class _Memo(dict[Any, Any]):
    """One computation per distinct key, remembered (bounded: the tokens people type are many)."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: Any) -> Any:
        if len(self) > _MEMO_LIMIT:
            self.clear()
        got = self[key] = self._compute(key)
        return got


_MEMO_LIMIT = 100_000
_is_word = _Memo(lambda w: w[0].isalnum())
"""A token that is a word (the model's words), not a mark."""
_is_end = _Memo(lambda w: w[0] in _ENDS and not w.startswith(".."))
"""A token that ends a sentence ("..." does not)."""
_valid = _Memo(lambda cs: bool(cs) and cs.isdisjoint(_BOUNDS))
"""A token's concepts the model counts: not none, not a boundary's."""
_EAGER = 8
"""Pieces of a long text scored one by one before the rest is bounded."""

_Spans = tuple[list[str], Reading, list[tuple[int, int, int, int]]]
"""A long text's words (marks left out), its reading, and its pieces as ranges of both."""


def _spans(words: Sequence[str], reading: Reading, is_word: list[bool] | None = None) -> _Spans:
    """Sentences of words paired with the reading's sentences, in order; long ones cut in chunks (``is_word``:
    which of ``words`` are words, when the caller has it)."""
    if is_word is None:
        is_word = list(map(_is_word.__getitem__, words))
    before = list(accumulate(is_word, initial=0))  # words before each token
    word_ends = list(compress(count(), map(_is_end.__getitem__, words)))
    reading_ends = list(compress(count(), map(contains, reading, repeat(SENTENCE))))
    spans: list[tuple[int, int, int, int]] = []
    w_from = r_from = 0
    for w_end, r_end in zip((*word_ends, len(words)), (*reading_ends, len(reading)), strict=False):
        wa, wb, ra, rb = before[w_from], before[w_end], r_from, r_end
        w_from, r_from = w_end + 1, r_end + 1
        n = wb - wa
        if n <= 0:
            continue
        if n <= CHUNK:
            spans.append((wa, wb, ra, rb))
            continue
        parts = -(-n // CHUNK)
        size = max(0, rb - ra)
        per = -(-size // parts) if size else 0
        for k in range(parts):
            spans.append((wa + k * CHUNK, min(wb, wa + (k + 1) * CHUNK), ra + min(k * per, size),
                          ra + min((k + 1) * per, size)))
    return list(compress(words, is_word)), reading, spans


def _pieces(words: Sequence[str], reading: Reading) -> Iterator[tuple[list[str], Reading]]:
    """Sentences of words paired with the reading's sentences, in order; long ones cut in chunks."""
    text_words, reading, spans = _spans(words, reading)
    for wa, wb, ra, rb in spans:
        yield text_words[wa:wb], reading[ra:rb]


def mark(hunch: Hunch | None, words: Sequence[str], reading: Reading) -> Reading:
    """The reading with the hunch's mark added as a sentence of its own (or unchanged).

    A message of up to :data:`CHUNK` words is scored whole, as the models learnt; it may be marked
    ``hunch`` (and ``sure``) or ``ordinary``. A longer one is marked when any of its sentences looks like
    danger, and never ``ordinary``: one dangerous sentence in a long, ordinary text must not be talked down.
    """
    if hunch is None or not reading:
        return reading
    is_word = list(map(_is_word.__getitem__, words))
    text_words = list(compress(words, is_word))
    if len(text_words) > CHUNK:  # the highest sentence counts: the first at a threshold settles it
        text = _spans(words, reading, is_word)
        if not hunch.danger.reaches_in(text, ASK_FROM):
            return reading
        sure = hunch.clear.reaches_in(text, SURE_FROM)
        return (*reading, _END, _SURE if sure else _HUNCH)
    s = hunch.danger.score(text_words, reading)
    if s >= ASK_FROM:
        c = hunch.clear.score(text_words, reading)
        return (*reading, _END, _SURE if c >= SURE_FROM else _HUNCH)
    if s < ORDINARY_BELOW:  # two thresholds, either may be the higher
        return (*reading, _END, _ORDINARY_QUIET if s < QUIET_BELOW else _ORDINARY)
    return (*reading, _END, _QUIET) if s < QUIET_BELOW else reading


_END = frozenset({SENTENCE})
_HUNCH = frozenset({HUNCH})
_SURE = frozenset({HUNCH, SURE})
_ORDINARY_QUIET = frozenset({ORDINARY, QUIET})
_ORDINARY = frozenset({ORDINARY})
_QUIET = frozenset({QUIET})


# -- the weights as data ----------------------------------------------------------------------------------

_SEP = "\t"


def dump(model: Model, header: Iterable[str]) -> str:
    lines = [f"# {h}" for h in header]
    lines.append(f"bias{_SEP}{model.bias:.6f}")
    for f, w in sorted(model.weights.items(), key=lambda kv: (-abs(kv[1]), kv[0])):
        lines.append(f"{_SEP.join(f)}{_SEP}{w:.6f}")
    return "\n".join(lines) + "\n"


def load(text: str) -> Model:
    weights: dict[Feature, float] = {}
    bias = 0.0
    for raw in text.splitlines():
        if not raw or raw.startswith("#"):
            continue
        *key, value = raw.split(_SEP)
        if key == ["bias"]:
            bias = float(value)
        else:
            weights[tuple(key)] = float(value)
    return Model(weights, bias)


@lru_cache(maxsize=1)
def model() -> Hunch | None:
    """The shipped models, or None when a file is missing (the rules then work alone)."""
    try:
        return Hunch(load(WEIGHTS.read_text("utf-8")), load(CLEAR_WEIGHTS.read_text("utf-8")))
    except FileNotFoundError:
        return None


def fingerprint(paths: Iterable[Path]) -> str:
    """What the model was trained on: one hash over the training sets' names and bytes."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: (p.parent.name, p.name)):
        h.update(f"{p.parent.name}/{p.name}".encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# -- training ----------------------------------------------------------------------------------------------


def train(
    examples: Sequence[tuple[set[Feature], bool]], *, epochs: int = 30, rate: float = 0.2, l2: float = 1e-4,
    seed: int = 1, keep: float = 0.01,
) -> Model:
    """Logistic regression by stochastic gradient descent; weights smaller than ``keep`` are dropped."""
    data = list(examples)
    rnd = random.Random(seed)
    weights: dict[Feature, float] = {}
    bias = 0.0
    for _ in range(epochs):
        rnd.shuffle(data)
        for feats, danger in data:
            z = bias + sum(weights.get(f, 0.0) for f in feats)
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = p - (1.0 if danger else 0.0)
            bias -= rate * g
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (g + l2 * w)
    return Model({f: w for f, w in weights.items() if abs(w) >= keep}, bias)


def examples_of(
    rows: Iterable[tuple[str, str, str, str]], read: object, positive: frozenset[str] = frozenset({"clear", "possible"})
) -> Iterator[tuple[set[Feature], bool]]:
    """(features, label in ``positive``) per labelled row, read as the bot reads (``read(text, lang)`` ->
    words, reading)."""
    for lang, label, _category, text in rows:
        words, reading = read(text, lang)  # type: ignore[operator]
        yield features([w for w in words if w[0].isalnum()], reading), label in positive
