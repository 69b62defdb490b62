"""Danger signals judged from concepts: who does what to whom, with what, when -- no words at all.

Theory of operation
-------------------
The shell (``bot/reader.py``) reads a message into a :data:`Reading`: one entry per token, each the
set of *concepts* that token stands for (``hit``, ``me``, ``he``, ``weapon``, ``not``, ``joke`` ...).
Inflections, typos, Flemish and txt-speak forms, and which language the message is in are all settled
there, from the vocabulary per language (``bot/i18n/<locale>/danger.toml``). What reaches this module
is language-free, so the judgement below is the same for every language and holds no word of any.

Danger is a *combination* of concepts, written as a table (``bot/core/frames.py``, read into
:data:`FRAMES`): a category, a level, and groups of concepts that must all occur close together
("hit|choke|shove  me|us": an act against the person writing). A frame is looked for in a *clause* (a
stretch between commas, "and", "but", "that" ...: the reader marks those as ``,``) or, when it says so, in
the whole sentence (``|``). Each group is one or more concepts separated by ``|``; a group starting with
``!`` blocks the frame when present.

Then the context, all as concepts again:

* negation: a ``not`` just before the frame's words (no new subject in between, no ``stop``, as in
  "won't stop hitting me") cancels it; with a residue ("anymore", "this time", "almost") it stays
  POSSIBLE. Frames that *need* a negation ("not allowed", "won't let me") list ``not`` themselves.
* quoted speech: after a speech verb ("he said ...") where the quote addresses *you*, the speaker's
  "I" is the partner and "you" is the person writing: "he said 'I will kill you'" reads as a threat.
* jokes: a joke marker ("lol", "haha", an emoji) drops frames marked ``idiom`` (kill, murder, die:
  words people use in jest), never a plain act: "he hit me lol" is still violence.
* media ("in the film ...") and long ago ("when I was little ...") drop what happened to others; what
  happened to the writer long ago is asked about, not treated as danger now.

The result is the highest level among the frames that fired, with their categories. When in doubt the
table prefers POSSIBLE over NONE: asking "are you safe?" once too often is cheap, missing danger is not.
Pure, total and fast: a sentence without any frame's first concept costs one set test.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import contains

from .frames import FRAMES_TABLE

__all__ = [
    "FRAMES", "HUNCH", "ORDINARY", "QUIET", "SURE", "Assessment", "Category", "Level", "Reading", "assess", "concepts",
    "explain",
]


class Level(enum.IntEnum):
    NONE = 0
    POSSIBLE = 1
    CLEAR = 2


class Category(enum.StrEnum):
    VIOLENCE = "violence"
    THREAT = "threat"
    WEAPON = "weapon"
    FEAR = "fear"
    CONTROL = "control"
    STALKING = "stalking"
    SEXUAL = "sexual"
    SELF_HARM = "self_harm"
    CHILDREN = "children"


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    categories: frozenset[Category]


Reading = tuple[frozenset[str], ...]
"""A message as the reader saw it: per token, the concepts it stands for; ``|`` ends a sentence and
``,`` a clause. The empty reading is a message with nothing in it."""

SENTENCE = "|"
CLAUSE = ","


_SHORT = {"C": Level.CLEAR, "P": Level.POSSIBLE}


@dataclass(frozen=True, slots=True)
class Frame:
    category: Category
    level: Level
    groups: tuple[frozenset[str], ...]
    blockers: frozenset[str]
    span: int = 6
    sentence: bool = False
    idiom: bool = False
    kids: bool = False
    short: int = 0
    neg_keeps: bool = False
    wide: bool = False
    message: bool = False
    terse: bool = False
    net: bool = False

    @property
    def needs_negation(self) -> bool:
        return any(NOT in g for g in self.groups)


NOT = "not"
WITHOUT = "without"
UNWIND = "unwind"
HUNCH = "hunch"
SURE = "sure"
ORDINARY = "ordinary"
QUIET = "quiet"
"""Marks only the shell adds (``bot/hunch.py``), never a word: the learned model finds the message like
danger (ask, though no frame fired), like an ordinary fight (ask, though a frame said CLEAR), or so plainly
ordinary that a frame's own question is left out (quiet: never for self-harm, never over a CLEAR)."""


def _parse(table: str) -> tuple[Frame, ...]:
    frames: list[Frame] = []
    names: dict[str, str] = {}
    for raw in table.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@"):
            name, group = line.split()
            names[name] = group
            continue
        for name, group in names.items():
            line = line.replace(name, group)
        cat, lvl, *rest = line.split()
        groups: list[frozenset[str]] = []
        blockers: set[str] = set()
        opts: dict[str, object] = {}
        for part in rest:
            if part.startswith("!"):
                blockers.update(part[1:].split("|"))
            elif "=" in part:
                key, value = part.split("=", 1)
                opts[key] = int(value) if value.isdigit() else value
            elif part in ("sentence", "idiom", "kids", "wide", "message", "terse", "net"):
                opts[part] = True
            else:
                groups.append(frozenset(part.split("|")))
        frames.append(
            Frame(
                Category(cat),
                _SHORT[lvl],
                tuple(groups),
                frozenset(blockers),
                span=int(str(opts.get("span", 14 if opts.get("sentence") else 6))),
                sentence=bool(opts.get("sentence", False) or opts.get("message", False) or opts.get("terse", False)),
                idiom=bool(opts.get("idiom", False) or opts.get("net", False)),
                kids=bool(opts.get("kids", False)),
                short=int(str(opts.get("short", 0))),
                neg_keeps=opts.get("neg") == "P",
                wide=bool(opts.get("wide", False)),
                message=bool(opts.get("message", False)),
                terse=bool(opts.get("terse", False)),
                net=bool(opts.get("net", False)),
            )
        )
    return tuple(frames)


FRAMES = _parse(FRAMES_TABLE)


def concepts() -> frozenset[str]:
    """Every concept the frames use (the reader's vocabulary must define each of them)."""
    used = {c for f in FRAMES for g in f.groups for c in g} | {c for f in FRAMES for c in f.blockers}
    return frozenset(used | _CONTEXT)


# Concepts the context rules below use.
_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "we", "us", "our"})
_VICTIM = frozenset({"i", "me", "myself", "we", "us"})
_OBJECT = frozenset({"me", "myself", "us"})  # in a story told, "I" may be the reader; "me" is the writer hurt
_AGENT = frozenset({"he", "partner", "you", "ex"})
_SUBJECTS = frozenset({"he", "i", "we", "you", "partner", "it", "say"})
_CONTEXT = frozenset(
    {NOT, "stop", "residue", "joke", "media", "long_ago", "say", "you", "your", "he", "him", "his", "i", "me",
     "my", "kid", "ex", "partner", "safe_now", "trivial", "without"}
)
# Direct speech: the speaker's "I" is the partner, "you" is the writer.
_SWAP = {"i": "he", "me": "him", "my": "his", "myself": "himself", "you": "me", "your": "my"}

_COMMON = frozenset(
    {"i", "me", "my", "myself", "we", "us", "our", "you", "your", "he", "him", "his", "himself", "partner", "it",
     NOT, "if", "say", "will", "would", "want", "passive", "all", "many", "soon", "again", "repeat", "home", "must",
     "think", "feel", "even", "body", "family", "kid", "give", "make", "do", "let", "allow", "take", "location"}
)
"""Concepts in nearly every sentence: a frame is looked up by a rarer one of its groups."""


def _key_group(frame: Frame) -> frozenset[str]:
    """The group a frame is looked up by: one with no common concept if it has one ("he|partner|ex" holds "he",
    so a frame keyed by it would be tried in nearly every sentence), else the one with the fewest common ones.
    Any group would do for the answer (a frame fires only with all its groups present); this one is the cheapest."""
    return min(frame.groups, key=lambda group: len(group & _COMMON) / len(group))


_BY_HEAD: dict[str, tuple[int, ...]] = {}
for _n, _f in enumerate(FRAMES):
    for _c in _key_group(_f):
        _BY_HEAD[_c] = (*_BY_HEAD.get(_c, ()), _n)
_HEADS = frozenset(_BY_HEAD)
_MESSAGE_FRAMES = frozenset(n for n, f in enumerate(FRAMES) if f.message)
_TERSE_FRAMES = _MESSAGE_FRAMES | frozenset(n for n, f in enumerate(FRAMES) if f.terse)
_HEADS_OF = {
    only: frozenset(c for n in only for c in _key_group(FRAMES[n])) for only in (_MESSAGE_FRAMES, _TERSE_FRAMES)
}
_NOTHING = Assessment(Level.NONE, frozenset())
_NEEDS_NEGATION = tuple(f.needs_negation for f in FRAMES)
_KID_LINKED = frozenset({Category.VIOLENCE, Category.THREAT, Category.WEAPON, Category.FEAR, Category.SEXUAL})


@dataclass(frozen=True, slots=True)
class Fired:
    """A frame that fired in one sentence: its level there, whether children are involved, whether long ago."""

    frame: Frame
    level: Level
    kids: bool
    past: bool
    where: frozenset[int]  # the words it fired on, counted from the start of the message

_TOGETHER = frozenset({Category.VIOLENCE, Category.THREAT, Category.WEAPON, Category.STALKING, Category.FEAR})
"""Two different signals of these add up: "she called 63 times" and "she's watching me" is stalking, clearly."""


def assess(reading: Reading) -> Assessment:
    """Judge one message. Never raises; NONE if and only if no category and no hunch. The shell's learned hunch
    (:data:`HUNCH`) asks about a message no frame reads (POSSIBLE, no category) -- but not where the rules weighed
    danger words and ruled them out (a negation, a joke, a film, a kitchen knife: the rules know those), unless the
    hunch is ``sure`` as well and no setting explains the words (:data:`_CONTEXTS`: "he never hits my face, always
    where no one sees" is a negation the rules cancel and danger all the same; measured on rounds 49-52, unseen by
    both: 4 more clear lines asked, no benign one); its ``sure`` mark makes a frame's own POSSIBLE clear (two
    signals, one from the rules, one learnt), unless the rules lowered it on purpose (a joke, long ago, a residue of
    a negation, or calming down in the same sentence: :func:`_calming`); its ``ordinary`` mark turns a CLEAR into
    a question (POSSIBLE), never into nothing; its ``quiet`` mark (the model all but certain the fight is ordinary)
    leaves out a question the rules alone would ask, unless self-harm is among its categories ("kill myself lol"
    is always asked about, gently)."""
    judged, ruled_out, lowered = _judge(reading)
    marks = reading[-1] if reading else frozenset()
    if HUNCH in marks and judged.level is Level.NONE and (
        not ruled_out or (SURE in marks and all(map(_CONTEXTS.isdisjoint, reading)))
    ):
        return _ASK
    if SURE in marks and judged.level is Level.POSSIBLE and judged.categories and not (lowered or ruled_out):
        return Assessment(Level.CLEAR, judged.categories)
    if ORDINARY in marks and judged.level is Level.CLEAR:
        return Assessment(Level.POSSIBLE, judged.categories)
    if QUIET in marks and judged.level is Level.POSSIBLE and Category.SELF_HARM not in judged.categories:
        return _NOTHING
    return judged


_ASK = Assessment(Level.POSSIBLE, frozenset())
_CONTEXTS = frozenset({"cook", "sport", "media", "toy", "game", "pastime", "job", "profession"})
"""What makes danger words harmless by their setting (a bread knife, a boxing class, a film, a shift on the
ward): where the rules saw one, not even a sure hunch asks past them; past a negation or a residue it may."""


def _judge(reading: Reading) -> tuple[Assessment, bool, bool]:
    """The rules' answer; whether a frame's words were there but the context cancelled it; whether one was
    lowered on purpose."""
    parts, joke, safe_now, ruled_out = _judged(reading)
    lowered = False
    if not parts:
        return _NOTHING, ruled_out, lowered
    level = Level.NONE
    cats: set[Category] = set()
    possible: list[tuple[int, Fired]] = []
    for offset, fired in parts:
        for f in fired:
            if safe_now and f.past:
                ruled_out = lowered = True
                continue
            lv = f.level
            if joke and f.frame.idiom:
                if f.frame.category is not Category.SELF_HARM:
                    ruled_out = True
                    continue
                lv = Level.POSSIBLE  # "kill myself lol" is still asked about, gently
            if lv < f.frame.level or f.past or (lv is Level.POSSIBLE and not lowered and _calming(reading, offset)):
                lowered = True
            level = max(level, lv)
            cats.add(f.frame.category)
            if f.kids:
                cats.add(Category.CHILDREN)
            if lv is Level.POSSIBLE and not f.frame.idiom and not f.past:  # long ago is asked about, never added up
                possible.append((offset, f))
    if not cats:
        return _NOTHING, ruled_out, lowered
    if level is Level.POSSIBLE and _add_up([_placed(offset, f) for offset, f in possible]):
        level = Level.CLEAR
    return Assessment(level, frozenset(cats)), ruled_out, lowered


def _add_up(possible: list[Fired]) -> bool:
    """Two signals on different words, of one category or both of the kinds that add up, are clear."""
    for n, a in enumerate(possible):
        for b in possible[n + 1 :]:
            if a.frame is b.frame or a.where & b.where:
                continue
            same = a.frame.category is b.frame.category
            if same or (a.frame.category in _TOGETHER and b.frame.category in _TOGETHER):
                return True
    return False


def explain(reading: Reading, ruled_out: list[bool] | None = None) -> list[Fired]:
    """The frames that fire, sentence by sentence (``message`` frames across the whole message too);
    ``ruled_out`` gets an entry when a frame's words were there but the context cancelled it."""
    parts, _, _, ruled = _judged(reading)
    if ruled and ruled_out is not None:
        ruled_out.append(True)
    return [_placed(offset, f) for offset, fired in parts for f in fired]


def _placed(offset: int, f: Fired) -> Fired:
    """A frame that fired in a sentence, its words counted from the start of the message."""
    return Fired(f.frame, f.level, f.kids, f.past, frozenset(offset + p for p in f.where)) if offset else f


_Judged = tuple[tuple[Fired, ...], bool, bool, bool]
"""What fired in one sentence (its words counted from the sentence's start); whether it holds a joke marker;
whether it says the writer is safe now; whether the context cancelled a frame whose words were there."""


def _calming(reading: Reading, start: int) -> bool:
    """Whether the sentence from ``start`` says the writer is calming down ("to breathe", "it's quiet up here"): a
    question the rules ask there stays a question -- "on the roof, it's calm here, watching the lights" is asked
    about, not sent to the help screen; "he forced me again. now i just want the breathing exercise" is not
    calmed by its second sentence."""
    for t in reading[start:]:
        if SENTENCE in t:
            return False
        if UNWIND in t:
            return True
    return False


def _judged(reading: Reading) -> tuple[list[tuple[int, tuple[Fired, ...]]], bool, bool, bool]:
    """Per sentence that fired something: its offset and what fired; whether the message holds a joke marker,
    whether it says the writer is safe now, whether the context cancelled a frame whose words were there."""
    parts: list[tuple[int, tuple[Fired, ...]]] = []
    joke = safe_now = ruled = False
    ends = list(compress(count(), map(contains, reading, repeat(SENTENCE))))
    ends.append(len(reading))
    start = sentences = longest = 0
    seen: dict[Reading, _Judged] = {}  # a sentence said again in one message is judged once
    for i in ends:
        if i > start:
            tokens = reading[start:i]
            judged = seen.get(tokens)
            if judged is None:
                judged = seen[tokens] = _sentence(tokens)
            fired, has_joke, has_safe_now, has_ruled = judged
            if fired:
                parts.append((start, fired))
            joke = joke or has_joke
            safe_now = safe_now or has_safe_now
            ruled = ruled or has_ruled
            sentences += 1
            longest = max(longest, i - start)
        if i < len(reading):
            t = reading[i]  # a sentence mark (from the reader: nothing else)
            joke = joke or "joke" in t
            safe_now = safe_now or "safe_now" in t
        start = i + 1
    n = len(reading)
    if sentences > 1 and n <= _SHORT_MESSAGE:
        whole = tuple(_AS_CLAUSE if SENTENCE in t else t for t in reading)
        fired, _, _, has_ruled = _sentence(whole, _TERSE_FRAMES if longest <= _FRAGMENT else _MESSAGE_FRAMES)
        ruled = ruled or has_ruled
        if fired:
            parts.append((0, fired))
    return parts, joke, safe_now, ruled


_AS_CLAUSE = frozenset({CLAUSE})
_SHORT_MESSAGE = 40
"""A message this short is one thought, whatever its full stops (for ``message`` frames)."""
_FRAGMENT = 3
"""Sentences of at most this many tokens are fragments of one thought: "pills. tonight." (``terse`` frames)."""


def _sentence(tokens: Reading, only: frozenset[int] | None = None) -> _Judged:
    """What fires in one sentence (of the ``only`` frames), its words counted from the sentence's start."""
    present = set().union(*tokens)
    joke, safe_now = "joke" in present, "safe_now" in present
    heads = present & (_HEADS_OF[only] if only is not None else _HEADS)
    if not heads:
        return (), joke, safe_now, False
    if len(heads) == 1:
        numbers: Iterable[int] = _BY_HEAD[next(iter(heads))]
    else:
        numbers = sorted({fn for head in heads for fn in _BY_HEAD[head]})
    fired: list[Fired] = []
    ruled: list[bool] = []
    clause_of: list[int] = []  # filled (with the speech read) when a first frame has all its groups here
    here = present
    found: dict[frozenset[str], list[int]] = {}  # a group's positions, once per sentence
    for fn in numbers:
        if only is not None and fn not in only:
            continue
        frame = FRAMES[fn]
        for g in frame.groups:
            if g.isdisjoint(present):
                break
        else:
            if not clause_of:
                spoken = _speech(tokens, present)
                here = present if spoken is tokens else set().union(*spoken)  # the concepts after the speech
                tokens = spoken
                clause = 0
                for t in tokens:
                    if CLAUSE in t:
                        clause += 1
                    clause_of.append(clause)
            hit = _match(fn, frame, tokens, found, clause_of, here, ruled)
            if hit is None:
                continue
            lv, positions = hit
            if "media" in here and not _first_person_with_agent(tokens, clause_of, positions):
                media = [p for p, t in enumerate(tokens) if "media" in t]
                if _media_frames(media, clause_of, positions):
                    ruled.append(True)
                    continue
            past = False
            if "long_ago" in here:
                if not any(_VICTIM & tokens[p] for p in _clause_positions(clause_of, positions)):
                    ruled.append(True)
                    continue
                lv, past = min(lv, Level.POSSIBLE), True
            if "trivial" in here and (frame.idiom or "would" in here):  # "she would shoot me if I bought a guitar"
                if frame.net:
                    ruled.append(True)
                    continue  # "she'll kill me when she sees I forgot the milk": no question at all
                lv = min(lv, Level.POSSIBLE)  # "he'll kill me if I'm late again": asked, not sent to help
            kids = frame.kids or ("kid" in here and frame.category in _KID_LINKED)
            fired.append(Fired(frame, lv, kids, past, frozenset(positions)))
    return tuple(fired), joke, safe_now, bool(ruled)


def _media_frames(media: list[int], clause_of: list[int], positions: tuple[int, ...]) -> bool:
    """A film, game or the news frames what follows it and what shares its clause, not what came before it:
    "he threw the baby on the sofa, he says it was a game" is not a game."""
    scope = set(_clause_positions(clause_of, positions))
    last = max(positions)
    return any(m <= last or m in scope for m in media)


def _clause_positions(clause_of: list[int], positions: tuple[int, ...]) -> list[int]:
    wanted = {clause_of[p] for p in positions}
    return [p for p, c in enumerate(clause_of) if c in wanted]


def _first_person_with_agent(tokens: Reading, clause_of: list[int], positions: tuple[int, ...]) -> bool:
    seen: set[str] = set()
    for p in _clause_positions(clause_of, positions):
        seen |= tokens[p]
    return bool(seen & _OBJECT) and bool(seen & _AGENT)


def _speech(tokens: Reading, present: set[str]) -> Reading:
    """Direct speech of someone else addressing the writer: their "I" is them, their "you" is the writer.
    The one told ("a coworker told me her ex choked her") is the listener, not the one hurt."""
    if "say" not in present:
        return tokens
    out = list(tokens)
    for pos in range(1, len(tokens)):
        if "say" in tokens[pos - 1] and tokens[pos] & _OBJECT and "say" not in tokens[pos]:
            out[pos] = tokens[pos] - _OBJECT
    if not present & {"you", "your"}:
        return tuple(out)
    tokens = tuple(out)
    speaking = False
    for pos, t in enumerate(tokens):
        if "say" in t:
            before = [c for p in range(max(0, pos - 4), pos) for c in tokens[p]]
            speaking = "i" not in before and "we" not in before and _quotes(tokens, pos)
            continue
        if speaking and not t.isdisjoint(_SWAP):
            out[pos] = frozenset(_SWAP.get(c, c) for c in t)
    return tuple(out)


_SPEAKER_WORDS = frozenset({"i", "me", "my", "we", "you", "your"})


def _quotes(tokens: Reading, say: int) -> bool:
    """What follows a speech verb is the speaker's own words when it starts with a person ("he said 'I'll
    ...'", "zei: je gaat ..."), not with a third one ("tell no one, but he dragged me": no quote at all)."""
    for t in tokens[say + 1 : say + 4]:
        if t & _SPEAKER_WORDS:
            return True
        if CLAUSE not in t and t:
            return False
    return False


def _match(
    fn: int, frame: Frame, tokens: Reading, found: dict[frozenset[str], list[int]], clause_of: list[int],
    here: set[str], ruled: list[bool],
) -> tuple[Level, tuple[int, ...]] | None:
    """The frame's level (after negation) and matched positions, or None when it does not fire here.

    ``here``: the sentence's concepts; no blocker or "not" among them, none is looked for around the words."""
    blockers = frame.blockers and not frame.blockers.isdisjoint(here)
    negation = NOT in here and not _NEEDS_NEGATION[fn]
    lists: list[list[int]] = []
    for group in frame.groups:
        where = found.get(group)
        if where is None:
            where = found[group] = [p for p, t in enumerate(tokens) if not group.isdisjoint(t)]
        if not where:
            return None
        lists.append(where)
    span = frame.span
    for anchor in lists[0]:
        clause = clause_of[anchor]
        chosen = [anchor]
        for other in lists[1:]:
            best = -1
            for p in other:
                if abs(p - anchor) > span:
                    continue
                if not frame.sentence and clause_of[p] != clause:
                    continue
                if p in chosen:
                    continue
                if best < 0 or abs(p - anchor) < abs(best - anchor):
                    best = p
            if best < 0:
                break
            chosen.append(best)
        else:
            if frame.short and clause_of.count(clause) > frame.short:
                continue
            if blockers and _blocked(frame, tokens, clause_of, chosen):
                ruled.append(True)
                continue
            level = frame.level
            if negation and _negated(tokens, clause_of, chosen, 4 if len(frame.groups) > 1 else 1):
                if not (frame.neg_keeps or _residue(tokens, clause_of, chosen)):
                    ruled.append(True)
                    continue
                level = Level.POSSIBLE
            return level, tuple(chosen)
    return None


def _blocked(frame: Frame, tokens: Reading, clause_of: list[int], chosen: list[int]) -> bool:
    """A blocker in the frame's clauses (or, for ``wide`` frames, within a few words around them too)."""
    scope = set(_clause_positions(clause_of, tuple(chosen)))
    if frame.wide:
        scope |= set(range(max(0, min(chosen) - _BLOCK_REACH), min(len(tokens), max(chosen) + _BLOCK_REACH + 1)))
    return any(frame.blockers & tokens[p] for p in scope)


_BLOCK_REACH = 10


def _negated(tokens: Reading, clause_of: list[int], chosen: list[int], reach: int) -> bool:
    """A "not" just before one of the frame's words (no new subject in between), or just after the last."""
    first = min(chosen)
    if any("stop" in tokens[p] for p in _clause_positions(clause_of, (first,))):
        return False
    for q in chosen:
        p, steps = q - 1, 0
        while p >= 0 and clause_of[p] == clause_of[q] and steps < reach:
            t = tokens[p]
            if NOT in t and WITHOUT not in t:
                return True
            if t & _SUBJECTS or p in chosen:
                break
            p -= 1
            steps += 1
    last = max(chosen)
    after = last + 1
    return (
        after < len(tokens)
        and clause_of[after] == clause_of[last]
        and NOT in tokens[after]
        and WITHOUT not in tokens[after]
    )


def _residue(tokens: Reading, clause_of: list[int], chosen: list[int]) -> bool:
    return any("residue" in tokens[p] for p in _clause_positions(clause_of, tuple(chosen)))
