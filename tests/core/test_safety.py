"""bot.core.safety: danger detection on the labelled set, normalisation, robustness, helplines."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import safety
from bot.core.safety import Assessment, Category, Level, assess, normalise

ROOT = Path(__file__).resolve().parent.parent.parent
LABELLED = ROOT / "tests" / "safety" / "labelled.tsv"


def _load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("safety_eval", ROOT / "scripts" / "safety_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("safety_eval", module)
    spec.loader.exec_module(module)
    return module


safety_eval = _load_eval()


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return safety_eval.evaluate(LABELLED)


# ------------------------------------------------------------------------------------------------
# The labelled set: goals per language
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_labelled_set_is_big_enough(results, lang):
    n = results[lang]["n"]
    assert sum(n.values()) >= 160
    assert n["benign"] >= 70
    assert n["clear"] >= 40 and n["possible"] >= 20


def test_labelled_set_is_well_formed():
    rows = safety_eval.load(LABELLED)
    allowed = {c.value for c in Category} | {"none"}
    for lang, label, category, text in rows:
        assert lang in ("nl", "en"), text
        assert category in allowed, (category, text)
        assert (category == "none") == (label == "benign"), text
        assert text.strip() == text and text, text
    texts = [r[3] for r in rows]
    assert len(texts) == len(set(texts)), "duplicate lines"
    for category in Category:
        for lang in ("nl", "en"):
            assert any(r[0] == lang and r[2] == category.value for r in rows), (lang, category)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_clear_danger_is_caught(results, lang):
    r = results[lang]
    missed = [m["text"] for m in r["misses"] if m["label"] == "clear" and m["level"] == "NONE"]
    assert r["clear_recall"] == 1.0, missed


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_clear_danger_mostly_goes_straight_to_safety(results, lang):
    assert results[lang]["clear_as_clear"] >= 0.90


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_possible_danger_is_asked_about(results, lang):
    missed = [m["text"] for m in results[lang]["misses"] if m["label"] == "possible"]
    assert results[lang]["possible_recall"] >= 0.95, missed


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_benign_fights_are_left_alone(results, lang):
    r = results[lang]
    flagged = [m["text"] for m in r["misses"] if m["label"] == "benign"]
    assert r["benign_clear"] == 0.0, flagged
    assert r["benign_possible"] <= 0.05, flagged


def test_eval_script_runs(capsys):
    assert safety_eval.main(["safety_eval.py", str(LABELLED)]) == 0
    out = capsys.readouterr().out
    assert "clear>=P" in out and "nl" in out and "en" in out


# Written after the rules, never tuned on before their first run (first contact: 7 of 12 danger
# lines caught, 8 of 8 benign left alone); they now guard against regressions in generalisation.
HELD_OUT = [
    ("nl", "clear", "hij heeft me zo hard tegen mn kaak gemept dat mijn tand los zit"),
    ("nl", "clear", "ik moet van hem altijd mijn locatie delen en als ik dat niet doe wordt hij woest"),
    ("nl", "clear", "eerlijk gezegd zie ik geen reden meer om door te gaan"),
    ("nl", "clear", "ik slaap met mijn kleren aan voor het geval ik moet vluchten"),
    ("nl", "clear", "hij heeft gezegd dat hij mij kapotmaakt als ik ooit aan iemand iets vertel"),
    ("nl", "possible", "hij werd zo ambetant en kwam veel te dicht bij me staan met zijn vuist omhoog"),
    ("nl", "benign", "ik ben het beu dat hij altijd gelijk wil hebben"),
    ("nl", "benign", "we hebben gisteren zo hard geruzied dat ik er hoofdpijn van heb"),
    ("nl", "benign", "hij heeft weer eens niks van zich laten horen en ik ben zo boos"),
    ("nl", "benign", "ik schaam me kapot voor hoe ik tegen haar uitviel"),
    ("en", "clear", "last night he pinned me down and punched me in the ribs"),
    ("en", "clear", "she said if i ever try to take the kids she will end me"),
    ("en", "clear", "i wrote goodbye letters to everyone tonight"),
    ("en", "clear", "he wont take no for an answer in bed and it scares me"),
    ("en", "clear", "he doesn't let me see my own bank account and gives me $20 a week"),
    ("en", "possible", "i sleep in the car some nights because it's calmer than being home with him"),
    ("en", "benign", "i'm so sick of him leaving dirty dishes everywhere"),
    ("en", "benign", "we yelled at each other for an hour and now neither of us is talking"),
    ("en", "benign", "she says i never listen but she interrupts me constantly"),
    ("en", "benign", "honestly this argument is killing me, i just want to sleep"),
]


@pytest.mark.parametrize(("lang", "label", "text"), HELD_OUT)
def test_held_out(lang, label, text):
    level = assess(text).level
    if label == "benign":
        assert level is Level.NONE
    else:
        assert level >= Level.POSSIBLE


# ------------------------------------------------------------------------------------------------
# Specific behaviour
# ------------------------------------------------------------------------------------------------

IDIOMS = [
    "ik word gek van je",
    "this is killing me",
    "you're killing me",
    "ik schiet uit mijn slof",
    "I could kill for a coffee",
    "ik ga dood van de stress",
    "I'm so done with this",
    "ik ontplof bijna",
    "he never listens",
    "ze schreeuwde tegen me",
    "we had a huge fight",
    "I'm furious",
    "my heart is pounding",
    "I want to scream",
    "dat slaat nergens op",
    "ik schrok me dood",
    "ik kan hem wel schieten",
    "she beat me to it",
    "it hit me that we never talk",
    "he jumped the gun",
    "he stabbed me in the back with that comment",
    "ik ben bang dat we uit elkaar groeien",
    "I'm scared he'll leave me",
    "he's so passive aggressive",
    "ze dreigt weer bij haar moeder te gaan slapen",
    "ik ben doodmoe",
    "my back is killing me",
    "Het mes snijdt aan twee kanten",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_of_frustration_are_none(text):
    assert assess(text) == Assessment(Level.NONE, frozenset())


@pytest.mark.parametrize(
    ("text", "level", "category"),
    [
        ("hij sloeg me", Level.CLEAR, Category.VIOLENCE),
        ("Hij SLAAAAT me!!", Level.CLEAR, Category.VIOLENCE),
        ("ze duwde me", Level.CLEAR, Category.VIOLENCE),
        ("ik ben gewurgd", Level.CLEAR, Category.VIOLENCE),
        ("he threatened to kill me", Level.CLEAR, Category.THREAT),
        ("hij zei dat hij me iets aandoet", Level.CLEAR, Category.THREAT),
        ("he pulled a knife", Level.CLEAR, Category.WEAPON),
        ("hij heeft een pistool", Level.CLEAR, Category.WEAPON),
        ("I’m scared of him", Level.CLEAR, Category.FEAR),
        ("im scared of him", Level.CLEAR, Category.FEAR),
        ("ik ben bang voor haar", Level.CLEAR, Category.FEAR),
        ("he locked me in", Level.CLEAR, Category.CONTROL),
        ("hij pakt mijn telefoon af", Level.CLEAR, Category.CONTROL),
        ("ik mag van hem niet naar mijn moeder", Level.CLEAR, Category.CONTROL),
        ("he forced me to have sex", Level.CLEAR, Category.SEXUAL),
        ("ik ben verkracht", Level.CLEAR, Category.SEXUAL),
        ("I want to die", Level.CLEAR, Category.SELF_HARM),
        ("kil myself", Level.CLEAR, Category.SELF_HARM),
        ("I wanna die", Level.CLEAR, Category.SELF_HARM),
        ("ik wil dood gaan", Level.CLEAR, Category.SELF_HARM),
        ("zelfmoort", Level.CLEAR, Category.SELF_HARM),
        ("ik wil er niet meer zijn", Level.CLEAR, Category.SELF_HARM),
        ("mezelf iets aandoen", Level.CLEAR, Category.SELF_HARM),
        ("ik wil er een eind aan maken", Level.CLEAR, Category.SELF_HARM),
        ("I don't want to be here anymore", Level.CLEAR, Category.SELF_HARM),
        ("he hits the kids", Level.CLEAR, Category.CHILDREN),
        ("de kinderen zijn bang", Level.CLEAR, Category.CHILDREN),
        ("hij slaat de kinderen", Level.CLEAR, Category.CHILDREN),
        ("I'm scared", Level.POSSIBLE, Category.FEAR),
        ("ik durf niet naar huis", Level.POSSIBLE, Category.FEAR),
        ("he's getting really aggressive", Level.POSSIBLE, Category.VIOLENCE),
        ("ik kan niet meer", Level.POSSIBLE, Category.SELF_HARM),
        ("I can't do this anymore", Level.POSSIBLE, Category.SELF_HARM),
        ("hij werd handtastelijk", Level.POSSIBLE, Category.VIOLENCE),
    ],
)
def test_examples(text, level, category):
    result = assess(text)
    assert result.level is level, result
    assert category in result.categories, result


def test_children_are_flagged_next_to_violence():
    assert Category.CHILDREN in assess("he hit me in front of the kids").categories
    assert Category.CHILDREN not in assess("he hit me").categories


def test_negation_lowers_but_never_drops():
    assert assess("he didn't hit me this time").level >= Level.POSSIBLE
    assert assess("hij heeft me nooit geslagen").level is Level.POSSIBLE
    assert assess("he wont stop hitting me").level is Level.CLEAR  # "won't stop" is no negation


def test_reaches_words_at_sentence_ends_and_across_noise():
    assert assess("ik kan niet meer. echt").level >= Level.POSSIBLE
    assert assess("hij... sloeg... me 😭😭").level is Level.CLEAR
    assert assess("help me").level >= Level.POSSIBLE
    assert assess("he came at me with a 🔪").level is Level.CLEAR


# ------------------------------------------------------------------------------------------------
# Normalisation
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I\u2019m SCARED", "i'm scared"),
        ("\u201cnee\u201d zei ik", '"nee" zei ik'),
        ("Ik ben ge\u00efrriteerd, \u00e9cht", "ik ben geirriteerd, echt"),
        ("hij   slaaaaat\tme\n\nweer", "hij slaat me weer"),
        ("nooooo", "noo"),
        ("  ", ""),
        ("caf\u0065\u0301", "cafe"),
        ("\uff28\uff25", "he"),
        ("a\u200bb", "ab"),
        ("\u00b4t is goed", "'t is goed"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


# ------------------------------------------------------------------------------------------------
# Robustness
# ------------------------------------------------------------------------------------------------


def _check(result: Assessment) -> None:
    assert isinstance(result, Assessment)
    assert isinstance(result.level, Level)
    assert all(isinstance(c, Category) for c in result.categories)
    assert (result.level is Level.NONE) == (not result.categories)


@given(st.text())
def test_assess_never_raises(text):
    _check(assess(text))


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.text(min_size=2000, max_size=8000))
def test_assess_never_raises_on_long_text(text):
    _check(assess(text))


_VOCAB = sorted({w for row in safety_eval.load(LABELLED) for w in row[3].split()})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=40), st.sampled_from([" ", ", ", ". ", " 😭 "]))
def test_index_agrees_with_brute_force(words, sep):
    text = sep.join(words)
    assert assess(text) == safety._assess_slow(text)


def test_index_agrees_with_brute_force_on_the_labelled_set():
    for row in safety_eval.load(LABELLED):
        assert assess(row[3]) == safety._assess_slow(row[3]), row[3]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "me " * 200_000,
        "hij sloeg me " * 50_000,
        "😭" * 100_000,
        "|" * 100_000,
        "\ud800" * 1000,
        "\x00" * 1000,
        "ik " * 300_000,
        " ".join(["he"] * 100_000),
    ],
)
def test_huge_and_odd_strings(text):
    started = time.perf_counter()
    _check(assess(text))
    assert time.perf_counter() - started < 5.0


def test_fast_enough():
    message = (
        "he came home drunk again and when i said something he grabbed me by the arm and pushed me into "
        "the wall. i'm scared of him and i don't know what to do, he took my phone so i couldn't call "
        "anyone and now he's asleep. i just want to disappear honestly, the kids are upstairs"
    )
    assess(message)
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        assess(message)
    per_call = (time.perf_counter() - started) / runs
    assert per_call < 0.002  # ~0.15 ms on a laptop; a generous bound so only real regressions fail


def test_rules_index_cleanly():
    # Every alternative starts at a word whose first letters are known; a rule starting with an
    # open-ended one- or two-letter prefix (such as "go-bag", where "-" is not a letter) would make
    # every message index every word three times over.
    assert not safety._WANT_P1
    assert not safety._WANT_P2
