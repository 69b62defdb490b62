"""The danger detector: the shell's reading (bot/reader.py) and the core's judgement (bot/core/danger.py),
on the labelled sets and on the behaviour the concepts promise; the data files; helplines."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import lexicon as lexicon_module
from bot.core import danger
from bot.core.danger import Assessment, Category, Level, assess
from bot.lexicon import GAP, vocabulary
from bot.reader import assess_text, fold, read_words

ROOT = Path(__file__).resolve().parent.parent.parent
SETS = ROOT / "tests" / "safety"
LABELLED = SETS / "labelled.tsv"
TUNING = sorted(SETS.glob("blind_r*.tsv"))  # blind sets after their first contact, kept as tuning sets


def _load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("safety_eval", ROOT / "scripts" / "safety_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("safety_eval", module)
    spec.loader.exec_module(module)
    return module


safety_eval = _load_eval()


def level(text: str) -> Level:
    return assess_text(text).level


def cats(text: str) -> frozenset[Category]:
    return assess_text(text).categories


# ------------------------------------------------------------------------------------------------
# The labelled set (and the blind sets once seen): the goals
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[LABELLED, *TUNING], ids=lambda p: p.name)
def results(request: pytest.FixtureRequest) -> dict[str, Any]:
    r = dict(safety_eval.evaluate(request.param, rules=True))
    r["holds"] = HOLDS.get(request.param.name, HOLDS["*"])
    return r


# What each set holds with the rules alone: clear asked, clear straight to help, per category (asked, help),
# benign asked at most, benign sent to help at most (0 on every set before round 8; with the hunch, 0 on all).
# The sets after round 5 hold less than the older ones: what they still miss is listed in each round's report.
HOLDS: dict[str, tuple[float, float, float, float, float, float]] = {
    "*": (1.0, 0.98, 0.95, 0.94, 0.035, 0.0),
    "blind_r2.tsv": (1.0, 0.98, 0.95, 0.94, 0.045, 0.0),
    "blind_r5.tsv": (0.98, 0.96, 0.93, 0.93, 0.05, 0.0),
    "blind_r6.tsv": (0.99, 0.98, 0.94, 0.93, 0.05, 0.0),
    # rounds 7 to 10 were tuned for one pass each: what the rules alone still miss (self-harm written
    # sideways, stalking and sexual coercion in new words) is what the learned hunch is for (test_hunch.py:
    # with it no benign line of any set goes to help); guarded here so the rules can only get better
    "blind_r7.tsv": (0.91, 0.86, 0.73, 0.64, 0.055, 0.0),
    "blind_r8.tsv": (0.91, 0.82, 0.76, 0.65, 0.115, 0.023),  # stop 25: "hit me with the" is no idiom before a thing
    "blind_r9.tsv": (0.89, 0.74, 0.76, 0.40, 0.09, 0.066),
    "blind_r10.tsv": (0.95, 0.83, 0.81, 0.68, 0.10, 0.023),
    "blind_r11.tsv": (0.82, 0.71, 0.56, 0.46, 0.056, 0.056),
    "blind_r12.tsv": (0.81, 0.68, 0.68, 0.43, 0.192, 0.096),
    "blind_r13.tsv": (0.92, 0.83, 0.80, 0.73, 0.146, 0.02),
    "blind_r14.tsv": (0.90, 0.81, 0.73, 0.62, 0.116, 0.053),  # stop 27: a colleague stalked: asked, not help
    "blind_r15.tsv": (0.96, 0.89, 0.90, 0.73, 0.145, 0.028),
    "blind_r16.tsv": (0.94, 0.81, 0.80, 0.50, 0.154, 0.039),
    "blind_r17.tsv": (0.84, 0.76, 0.57, 0.42, 0.182, 0.104),
    "blind_r18.tsv": (0.86, 0.78, 0.66, 0.46, 0.105, 0.084),
    # rounds 19-20: moved up for the hunch only (the rules were not changed for them)
    "blind_r19.tsv": (0.84, 0.70, 0.71, 0.33, 0.157, 0.108),
    "blind_r20.tsv": (0.88, 0.77, 0.75, 0.57, 0.114, 0.076),
    # rounds 21-22: one short rules pass (words for concepts the frames already had) and the hunch retrained
    "blind_r21.tsv": (0.90, 0.75, 0.71, 0.57, 0.129, 0.07),
    "blind_r22.tsv": (0.88, 0.75, 0.81, 0.53, 0.06, 0.06),
    # rounds 23-24: met once (tests/safety/first_contact/), then one rules pass and the hunch retrained
    "blind_r23.tsv": (0.96, 0.91, 0.87, 0.75, 0.09, 0.01),
    "blind_r24.tsv": (0.98, 0.93, 0.92, 0.64, 0.19, 0.06),
    # rounds 25-26: met once, then one short rules pass and the hunch retrained
    "blind_r25.tsv": (0.82, 0.68, 0.58, 0.41, 0.18, 0.08),
    "blind_r26.tsv": (0.89, 0.76, 0.75, 0.50, 0.11, 0.12),
    # rounds 27-28: met once as shipped, then one short rules pass and the hunch retrained
    "blind_r27.tsv": (0.83, 0.71, 0.75, 0.54, 0.10, 0.06),  # stop 25: one line from help down to a question
    "blind_r28.tsv": (0.84, 0.72, 0.68, 0.50, 0.13, 0.08),  # stop 25: one line from help down to a question
    # rounds 29-30: met once as shipped at the end of stop 24, then one short rules pass and the hunch retrained
    "blind_r29.tsv": (0.86, 0.75, 0.68, 0.56, 0.13, 0.06),
    "blind_r30.tsv": (0.90, 0.76, 0.62, 0.57, 0.12, 0.05),  # stop 25: one line from help down to a question
    # rounds 31-34: 31-32 met once as shipped at the end of stop 24, 33-34 as shipped and again after the
    # rules pass for 31-32; then one short rules pass over all four and the hunch retrained
    "blind_r31.tsv": (0.96, 0.82, 0.91, 0.57, 0.12, 0.05),
    "blind_r32.tsv": (0.94, 0.85, 0.81, 0.68, 0.12, 0.06),  # a bedroom was read as sex: that path is gone
    "blind_r33.tsv": (0.96, 0.84, 0.87, 0.64, 0.06, 0.03),
    "blind_r34.tsv": (0.91, 0.82, 0.78, 0.71, 0.10, 0.05),
    # rounds 35-36: met once after rounds 31-34 (stop 25), then one short rules pass and the hunch retrained
    "blind_r35.tsv": (0.95, 0.87, 0.79, 0.75, 0.11, 0.05),
    "blind_r36.tsv": (0.94, 0.90, 0.85, 0.78, 0.04, 0.11),
    # rounds 37-38: met once after rounds 31-36 (stop 25), then one short rules pass and the hunch retrained
    "blind_r37.tsv": (0.98, 0.91, 0.93, 0.85, 0.16, 0.05),
    "blind_r38.tsv": (0.97, 0.89, 0.92, 0.83, 0.04, 0.08),
    # rounds 39-42: met once after rounds 31-38 (39-40 again with the thresholds of stop 25), then one rules
    # pass and the hunch retrained
    "blind_r39.tsv": (0.96, 0.86, 0.91, 0.71, 0.05, 0.07),
    "blind_r40.tsv": (0.97, 0.83, 0.92, 0.64, 0.03, 0.04),
    "blind_r41.tsv": (0.97, 0.92, 0.91, 0.81, 0.10, 0.03),
    "blind_r42.tsv": (0.97, 0.88, 0.92, 0.78, 0.09, 0.11),
    # rounds 43-44: met once after rounds 31-42, then one rules pass and the hunch retrained
    "blind_r43.tsv": (0.96, 0.88, 0.85, 0.71, 0.13, 0.07),
    "blind_r44.tsv": (0.98, 0.84, 0.92, 0.64, 0.10, 0.06),
    # rounds 45-46: met once after rounds 31-44, then one rules pass and the hunch retrained
    "blind_r45.tsv": (0.98, 0.88, 0.92, 0.75, 0.06, 0.05),
    "blind_r46.tsv": (0.96, 0.85, 0.78, 0.71, 0.10, 0.04),
    # rounds 47-48: met once after rounds 31-46 and half the time-out talk, then one rules pass, hunch retrained
    "blind_r47.tsv": (0.96, 0.83, 0.87, 0.64, 0.06, 0.07),
    "blind_r48.tsv": (0.98, 0.90, 0.92, 0.71, 0.07, 0.02),
    # rounds 49-54: 49-52 met once at the end of stop 25, 53-54 as shipped then (stop 26); then one rules pass
    # over all six (words of the other language read as written, "sure" asks past a cancelled frame) and the
    # hunch retrained
    "blind_r49.tsv": (0.97, 0.92, 0.93, 0.81, 0.16, 0.05),
    "blind_r50.tsv": (0.96, 0.91, 0.85, 0.71, 0.19, 0.11),
    "blind_r51.tsv": (0.98, 0.94, 0.93, 0.85, 0.13, 0.06),
    "blind_r52.tsv": (0.95, 0.84, 0.85, 0.57, 0.10, 0.01),
    "blind_r53.tsv": (1.0, 0.96, 1.0, 0.92, 0.16, 0.07),
    "blind_r54.tsv": (0.97, 0.90, 0.87, 0.68, 0.21, 0.10),
    # rounds 55-56: met once after rounds 49-54 (stop 26), then one rules pass and the hunch retrained
    "blind_r55.tsv": (0.99, 0.97, 0.93, 0.92, 0.18, 0.06),
    "blind_r56.tsv": (0.98, 0.97, 0.92, 0.85, 0.12, 0.03),
    # rounds 57-58: met once after rounds 49-56 (stop 26), then one rules pass and the hunch retrained
    "blind_r57.tsv": (0.98, 0.90, 0.93, 0.78, 0.07, 0.01),
    "blind_r58.tsv": (0.95, 0.91, 0.87, 0.81, 0.27, 0.14),
    # rounds 59-60: met once after rounds 49-58 (stop 26), then one rules pass and the hunch retrained
    "blind_r59.tsv": (0.98, 0.93, 0.92, 0.78, 0.15, 0.04),
    "blind_r60.tsv": (0.98, 0.96, 0.87, 0.85, 0.13, 0.05),
    # rounds 61-62: met once after rounds 49-60 (stop 26), then one rules pass and the hunch retrained
    "blind_r61.tsv": (1.0, 0.99, 1.0, 0.93, 0.05, 0.0),
    "blind_r62.tsv": (0.97, 0.93, 0.85, 0.78, 0.12, 0.01),
    # rounds 63-64: met once after rounds 49-62 (stop 26), then one rules pass and the hunch retrained
    "blind_r63.tsv": (0.99, 0.95, 0.93, 0.85, 0.12, 0.06),
    "blind_r64.tsv": (0.99, 0.91, 0.93, 0.71, 0.16, 0.04),
    # rounds 65-66: 66 met once after rounds 49-64, 65 after a rules pass for 66 (stop 26); then one rules pass
    # for 65 and the hunch retrained
    "blind_r65.tsv": (1.0, 0.96, 1.0, 0.85, 0.08, 0.03),
    "blind_r66.tsv": (1.0, 0.94, 1.0, 0.78, 0.21, 0.05),
    # rounds 67-68: met once after rounds 49-66 (stop 26), then one rules pass and the hunch retrained
    "blind_r67.tsv": (0.98, 0.92, 0.93, 0.81, 0.10, 0.04),
    "blind_r68.tsv": (0.99, 0.95, 0.93, 0.81, 0.28, 0.07),
    # rounds 69-70: met once as shipped at the end of rounds 49-68 (stop 26), then one rules pass, hunch retrained
    "blind_r69.tsv": (1.0, 0.96, 1.0, 0.85, 0.18, 0.06),
    "blind_r70.tsv": (0.98, 0.93, 0.92, 0.78, 0.24, 0.04),
    # rounds 71-72: met once after rounds 49-70 (stop 26), then one rules pass and the hunch retrained
    "blind_r71.tsv": (0.99, 0.95, 0.93, 0.85, 0.16, 0.07),
    "blind_r72.tsv": (0.96, 0.94, 0.87, 0.78, 0.16, 0.02),
    # rounds 73-74: met once after rounds 49-72 (stop 26), then one rules pass and the hunch retrained
    "blind_r73.tsv": (0.98, 0.96, 0.92, 0.87, 0.13, 0.04),
    "blind_r74.tsv": (0.96, 0.94, 0.87, 0.87, 0.17, 0.11),
    # rounds 75-76: met once as shipped at the end of stop 26, then one rules pass (stop 27) and the hunch retrained
    "blind_r75.tsv": (0.94, 0.86, 0.85, 0.78, 0.10, 0.01),
    "blind_r76.tsv": (0.96, 0.91, 0.85, 0.85, 0.11, 0.03),
    # rounds 77-78: met once after rounds 75-76 (stop 27), then one rules pass and the hunch retrained
    "blind_r77.tsv": (0.97, 0.92, 0.87, 0.78, 0.15, 0.02),
    "blind_r78.tsv": (0.97, 0.94, 0.85, 0.78, 0.10, 0.02),
    # rounds 79-82: met once (79-80 after rounds 75-78, 81-82 after fewer questions about others), then one rules
    # pass (stop 27) and the hunch retrained
    "blind_r79.tsv": (0.98, 0.95, 0.87, 0.81, 0.10, 0.05),
    "blind_r80.tsv": (0.97, 0.89, 0.85, 0.64, 0.08, 0.04),
    "blind_r81.tsv": (0.99, 0.94, 0.93, 0.85, 0.10, 0.02),
    "blind_r82.tsv": (0.96, 0.91, 0.92, 0.71, 0.11, 0.06),
}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My uncle took his own life when I was twelve.", "en"),
        ("My uncle took his own life when I was 12.", "en"),
        ("my dad hit my mum when i was 4", "en"),
        ("toen ik twaalf was sloeg mijn vader mijn moeder", "nl"),
    ],
)
def test_a_number_written_out_or_small_dates_what_happened_as_digits_do(text, lang):
    """ "when i was #" is long ago whether the age is "12", "twelve" or "4": someone else's past is no danger now."""
    assert assess_text(text, lang).level is Level.NONE


@pytest.mark.parametrize(
    "text", ["ik heb \U00010A40 pillen", "\U00010A40\U00010A41 times", "x \u2460 y", "when i was \U0001D7DA", "\u0663"]
)
def test_any_digit_a_person_types_is_read_without_a_crash(text):
    """str.isdigit is true for digits int() refuses (Kharosthi, circled): the reader must not trip over them."""
    assert assess_text(text, "en").level in (Level.NONE, Level.POSSIBLE, Level.CLEAR)


def test_a_number_word_counts_as_many_as_its_digits():
    assert "many" in read_words("she called twenty times", "en")[1][2]
    assert "many" in read_words("she called 20 times", "en")[1][2]
    assert "many" not in read_words("she called 3 times", "en")[1][2]
    assert read_words("call 0612345678", "en")[1][1] == frozenset()  # a phone number is no count


def test_labelled_set_is_well_formed():
    for path in (LABELLED, *TUNING):
        rows = safety_eval.load(path)
        allowed = {c.value for c in Category} | {"none", "idiom", "media", "past_other"}
        for lang, label, category, text in rows:
            assert lang in ("nl", "en"), text
            assert category in allowed, (category, text)
            assert (category in ("none", "idiom", "media", "past_other")) == (label == "benign"), text
            assert text.strip() == text and text, text
    rows = safety_eval.load(LABELLED)
    assert len({r[3] for r in rows}) == len(rows), "duplicate lines"
    for category in Category:
        for lang in ("nl", "en"):
            assert any(r[0] == lang and r[2] == category.value for r in rows), (lang, category)


# The blind sets, once seen, guard what tuning reached on them with the rules alone (the fixture above reads
# without the learned hunch; tests/core/test_hunch.py checks the two together). After round 4: every clear
# line of every set at least asked about, 98 % of them straight to help, every category at 100 % asked, no
# benign line sent to help, at most 3.2 % asked; the labelled set holds the goals themselves.


def test_every_clear_danger_is_at_least_asked_about(results):
    missed = [m["text"] for m in results["misses"] if m["label"] == "clear" and m["level"] == "NONE"]
    assert results["all"]["clear_recall"] >= results["holds"][0], missed


def test_clear_danger_mostly_goes_straight_to_safety(results):
    assert results["all"]["clear_as_clear"] >= results["holds"][1]


def test_every_category_is_caught(results):
    for name, s in results["category"].items():
        if s["n"]["clear"]:
            assert s["clear_recall"] >= results["holds"][2], name
            assert s["clear_as_clear"] >= results["holds"][3], name


def test_benign_fights_are_left_alone(results):
    flagged = [m["text"] for m in results["misses"] if m["label"] == "benign"]
    assert results["all"]["benign_clear"] <= results["holds"][5], flagged
    assert results["all"]["benign_possible"] <= results["holds"][4], flagged


def test_the_labelled_set_holds_the_goals_exactly():
    r = safety_eval.evaluate(LABELLED)["all"]
    assert r["clear_recall"] == 1.0
    assert r["clear_as_clear"] >= 0.99
    assert r["possible_recall"] >= 0.95
    assert r["benign_clear"] == 0.0
    assert r["benign_possible"] <= 0.01


def test_eval_script_prints_languages_and_categories(capsys):
    assert safety_eval.main(["safety_eval.py", str(LABELLED)]) == 0
    out = capsys.readouterr().out
    assert "clear>=P" in out and "\nnl " in out and "\nen " in out
    for category in Category:
        assert f"\n{category.value} " in out


# ------------------------------------------------------------------------------------------------
# Concepts in combination
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "category"),
    [
        # who + act + target
        ("he hit me", Level.CLEAR, Category.VIOLENCE),
        ("hij sloeg me", Level.CLEAR, Category.VIOLENCE),
        ("ze heeft me gisteren in elkaar geslagen", Level.CLEAR, Category.VIOLENCE),
        ("he grabbed me by the throat", Level.CLEAR, Category.VIOLENCE),
        ("he grabbed me", Level.POSSIBLE, Category.VIOLENCE),
        ("he punched a hole in the wall", Level.POSSIBLE, Category.VIOLENCE),
        ("i got kicked in the ribs", Level.CLEAR, Category.VIOLENCE),
        ("ik ben geschopt", Level.CLEAR, Category.VIOLENCE),
        # threats, with or without the word "threaten"
        ("he threatened to kill me", Level.CLEAR, Category.THREAT),
        ("als ik wegga maakt hij me af", Level.CLEAR, Category.THREAT),
        ("if i leave he will hurt me", Level.CLEAR, Category.THREAT),
        ("hij dreigt de kinderen af te pakken", Level.CLEAR, Category.THREAT),
        # weapons
        ("he pulled a knife on me", Level.CLEAR, Category.WEAPON),
        ("hij heeft een pistool in huis", Level.CLEAR, Category.WEAPON),
        ("there is a knife under his pillow", Level.CLEAR, Category.WEAPON),
        # fear
        ("im scared of him", Level.CLEAR, Category.FEAR),
        ("ik heb schrik van hem", Level.CLEAR, Category.FEAR),
        ("ik ben bang", Level.POSSIBLE, Category.FEAR),
        ("i don't feel safe at home", Level.CLEAR, Category.FEAR),
        # control and stalking
        ("he locked me in the bedroom", Level.CLEAR, Category.CONTROL),
        ("ik mag van hem niet naar mijn moeder", Level.CLEAR, Category.CONTROL),
        ("hij pakt mijn telefoon af", Level.CLEAR, Category.CONTROL),
        ("he follows me everywhere", Level.CLEAR, Category.STALKING),
        ("hij heeft een tracker onder mijn auto gehangen", Level.CLEAR, Category.STALKING),
        ("my ex keeps showing up outside my work", Level.CLEAR, Category.STALKING),
        # sexual coercion
        ("he forced me to have sex", Level.CLEAR, Category.SEXUAL),
        ("ik zei nee maar hij ging gewoon door", Level.CLEAR, Category.SEXUAL),
        # self-harm: wishes, means and time, goodbyes
        ("i want to die", Level.CLEAR, Category.SELF_HARM),
        ("ik wil er niet meer zijn", Level.CLEAR, Category.SELF_HARM),
        ("i'm going to take all my pills tonight", Level.CLEAR, Category.SELF_HARM),
        ("ik heb afscheidsbrieven geschreven voor iedereen", Level.CLEAR, Category.SELF_HARM),
        ("i've been giving my stuff away, i won't need it", Level.CLEAR, Category.SELF_HARM),
        ("ik kan niet meer", Level.POSSIBLE, Category.SELF_HARM),
        # children
        ("he hits the kids", Level.CLEAR, Category.CHILDREN),
        ("de kinderen zijn bang van hem", Level.CLEAR, Category.CHILDREN),
    ],
)
def test_concepts_combine(text, expected, category):
    result = assess_text(text)
    assert result.level is expected, (text, result)
    assert category in result.categories, (text, result)


@pytest.mark.parametrize(
    "text",
    [
        "ik word gek van je", "this is killing me", "you're killing me with these excuses",
        "I could kill for a coffee", "ik ga dood van de stress", "ik schiet bijna uit mijn slof",
        "she beat me to it", "it hit me that we never talk", "he jumped the gun", "he stabbed me in the back",
        "ik ben bang dat we uit elkaar groeien", "I'm scared he'll leave me", "he's so passive aggressive",
        "ze dreigt weer bij haar moeder te gaan slapen", "he's threatening to cancel our holiday",
        "het mes snijdt aan twee kanten", "dat slaat nergens op", "hij heeft de deur dichtgeslagen",
        "he follows me on instagram", "i need to track the package", "she hit me with the silent treatment",
        "we're cutting the cake tonight", "i cut the bread with the big knife",
    ],
)
def test_idioms_and_hard_negatives_are_nothing(text):
    assert assess_text(text) == Assessment(Level.NONE, frozenset()), text


def test_negation_cancels_an_act_but_not_a_residue():
    assert level("he didn't hit me") is Level.NONE
    assert level("hij heeft me nooit geslagen") is Level.NONE
    assert level("he doesn't hit me anymore") is Level.POSSIBLE
    assert level("I can't believe he hit me") is Level.CLEAR  # the "not" belongs to another subject
    assert level("he wont stop hitting me") is Level.CLEAR  # "won't stop" is no negation
    assert level("he won't let me leave") is Level.CLEAR  # this frame needs its negation
    assert assess(read_words("i'm not scared of him")[1]).level is Level.NONE  # the rules: a negation
    assert level("i'm not scared of him") <= Level.POSSIBLE  # the hunch may still ask, gently; never help


def test_jokes_lower_idioms_never_acts():
    assert level("i'm gonna kill him lol") is Level.NONE
    assert level("my wife is going to kill me lol") is Level.NONE
    assert level("he hit me lol") is Level.CLEAR
    assert level("hij sloeg me haha") is Level.CLEAR


def test_quoted_speech_turns_the_speakers_words_round():
    assert level("he said 'I will kill you'") is Level.CLEAR
    assert level("hij zei: ik maak je af") is Level.CLEAR
    assert level("he texted me: you'll regret this") >= Level.POSSIBLE
    assert level("I said I will kill you") is not Level.CLEAR  # the writer's own words


def test_typos_in_the_key_word():
    for text in ("he hiit me", "he choekd me", "he stragled me", "hij slooeg me", "hij heeft me gewurg",
                 "kil myself tbh", "ik wil zelfmoort plegen"):
        assert level(text) is Level.CLEAR, text


def test_flemish_and_txt_forms():
    for text in ("mijne vent heeft mij gisteren nog klop gegeven", "ge moet weten dat hij mij al geslagen heeft",
                 "k wil dood gaan echt waar", "ik heb schrik van hem", "hes hitting me rn pls",
                 "he kicks me when hes drunk smh"):
        assert level(text) is Level.CLEAR, text


def test_media_and_long_ago_are_not_danger_now():
    assert level("in the movie he strangles his wife") is Level.NONE
    assert level("we watched a documentary about a man who shot his neighbour") is Level.NONE
    assert level("my grandfather used to hit my grandmother, years ago") is Level.NONE
    assert level("my ex hit me years ago") is Level.POSSIBLE  # the writer's own past: asked about


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # reproductive coercion: contraception + sabotage (off, holes, thrown away), or secretly
        ("she threw away my birth control pills so i'd get pregnant", Category.SEXUAL),
        ("he keeps hiding my pills because he wants another baby", Category.SEXUAL),
        ("hij prikt gaatjes in de condooms omdat hij een kind wil", Category.SEXUAL),
        # letting it happen or he gets angry; owed, while I sleep
        ("i just let it happen otherwise he gets really angry", Category.SEXUAL),
        ("hij doet het gewoon terwijl ik lig te slapen", Category.SEXUAL),
        # account intrusion by the partner; a hidden camera
        ("my ex keeps logging into my facebook and reading my messages", Category.STALKING),
        ("hij heeft mijn mail gehackt en leest alles", Category.STALKING),
        ("hij heeft stiekem een camera in de slaapkamer gezet", Category.STALKING),
        # at a dangerous place now; terse means and time; settling affairs and goodbye; engine running
        ("ik sta op het dak", Category.SELF_HARM),
        ("rope. tonight. sorry", Category.SELF_HARM),
        ("my will is done, the dog goes to my sister. bye everyone", Category.SELF_HARM),
        ("alles is geregeld, mijn testament ligt in de la. vaarwel", Category.SELF_HARM),
        ("sitting in the car in the garage with the engine running", Category.SELF_HARM),
        # fear of his reaction, of sleeping next to him, shaking at his arrival, not daring to go home
        ("i'm scared he'll lose it again tonight", Category.FEAR),
        ("ik durf niet naast hem te slapen", Category.FEAR),
        ("ik begin te trillen als ik zijn auto op de oprit hoor", Category.FEAR),
        ("ik durf niet meer naar huis", Category.FEAR),
        # a future act threatened: next time he won't miss, burning my things; a lighter to my hair
        ("she threw a glass at me and said next time she wont miss", Category.THREAT),
        ("he said he'll torch my house if i leave", Category.THREAT),
        ("hij hield een aansteker bij mijn haar", Category.WEAPON),
        # the children: reckless driving with them, "you'll lose the kids"
        ("hij reed als een gek met de kinderen achterin", Category.CHILDREN),
        ("he said i'll lose the kids one way or another", Category.THREAT),
        # round 6: a game given as the excuse comes after the act, so it is no game
        ("she shook the baby hard and then said it was just a game", Category.CHILDREN),
        # locked in "without" food: a without is not a negation of the act
        ("hij sloot me op in de kelder zonder telefoon", Category.CONTROL),
        # aids and medicine withheld or given back only on conditions
        ("she hid my inhaler after the fight and laughed", Category.CONTROL),
        ("ze geeft mijn medicijnen pas terug als ik sorry zeg", Category.CONTROL),
        # not eating for days; hanging as a plan or as a threat to make someone stay
        ("ik heb al drie dagen niks gegeten, ik verdien het niet", Category.SELF_HARM),
        ("she says she'll hang herself if i leave her", Category.THREAT),
        # blows had, with no subject; the promise to hunt someone down
        ("vorige week weer een klap gehad, ik zeg er niks van", Category.VIOLENCE),
        ("he texted: wherever you are, i'll find you", Category.THREAT),
        # giving in and lying still; going on when it hurts; his password habit
        ("i just give in and lie there until it's over", Category.SEXUAL),
        ("ze gaat door ook als ik zeg dat het pijn doet", Category.SEXUAL),
        ("he knows my password and reads all my messages", Category.STALKING),
        # exposing someone as a threat; a threat to a pet
        ("hij gaat het aan iedereen vertellen als ik niet terugkom", Category.THREAT),
        ("she said she would drown the puppy", Category.THREAT),
    ],
)
def test_concepts_found_in_the_blind_rounds_hold_for_new_wordings(text, category):
    result = assess_text(text)
    assert result.level is Level.CLEAR, (text, result)
    assert category in result.categories, (text, result)


@pytest.mark.parametrize(
    "text",
    [
        "we ran out of condoms and argued about whose turn it was to buy them",
        "he threw away my old shoes without asking and i'm annoyed",
        "she logged into my netflix and watched the finale without me",
        "he logged into his work email on my laptop and forgot to log out",
        "standing on the balcony having a smoke to calm down",
        "we're standing on the bridge arguing about which restaurant",
        "ik sta op het balkon een sigaretje te roken om af te koelen",
        "next time i won't miss the bus, i swear",
        "het testament van mijn oma zorgt voor ruzie in de familie",
        "i cant go home yet, traffic is insane",
        "were fighting about money again, he spent 300 on golf clubs",
        "the news said a man stabbed his wife in our town, it freaked me out",
        "we watched a movie where he strangles her and i couldnt sleep",
        "i'd rather die than go to his office party lol",
        "got my pills. tonight we talk about the budget",
        "everything is sorted for the party. bye for now",
        "alles is geregeld voor het feest. doei",
        "het nieuws over die vrouw die werd vermoord maakte me bang",
        # a kill idiom over something trivial is at most a question, never the help screen
        "he's going to kill me when he finds out i forgot the milk again",
        "ze vermoordt me als ik de afwas weer vergeet",
        # the listener of a story is not its victim; an idiom before a film
        "my sister told me her boyfriend hit her years ago, we talked about it all night",
        "we buried the hatchet and watched a film after",
        "he's dead to me until he says sorry lol",
        "ik draai hem de nek om als hij weer te laat is",
    ],
)
def test_new_concepts_leave_ordinary_fights_out_of_the_help_screen(text):
    assert assess_text(text).level is not Level.CLEAR, text


def test_typos_in_short_acts_and_sound_alike_spellings():
    for text in ("he hti me", "he hiy me", "my boyfriend chocked me", "my boyfriend smaked me", "he kikd me",
                 "hij heeft me gewurcht"):
        assert level(text) is Level.CLEAR, text
    for text in ("i'm rapping with him tonight", "we zijn samen onze tanden aan het poetsen"):
        assert level(text) is Level.NONE, text  # a real word one letter from an act stays itself


@pytest.mark.parametrize("text", [
    "wat moet ik doen als hij na de time-out nog steeds niet wil praten?",  # "doen" + "niet wil" was coercion
    "zit nu op het trapje buiten zoals je zei, ff diep ademen, hij ruimt binnen op",  # "trapje" is no kick
    "oke ik zit in de slaapkamer, hij in de living. en nu?",  # "zit" is not "zat" (drunk)
    "what do i do if she still won't talk after the break?",
])
def test_time_out_talk_is_left_alone_by_the_rules(text):
    assert assess(read_words(text)[1]).level is Level.NONE, text


@pytest.mark.parametrize("text", [
    "he hit me with the remote", "she hit me with her shoe", "he hit me with his belt", "hit me with an ashtray",
])
def test_hit_me_with_a_thing_is_violence(text):  # "hit me with the silent treatment" is an idiom; a thing is not
    assert level(text) is Level.CLEAR, text


@pytest.mark.parametrize("text", [
    "ok im on the stairs, timer on, what now", "oke zit op de trap, timer loopt. wat nu",
    "sitting in the car in the driveway listening to music, feeling a bit better",
    "hoeveel minuten moet ik minimaal wegblijven voor het werkt?", "hit me with your best calming exercise bot",
])
def test_time_out_talk_is_not_asked_about(text):  # with the hunch: what the bot hears most, mid time-out
    assert level(text) is Level.NONE, text


def test_a_possessive_keeps_a_child_or_a_thing_never_an_adult_or_an_act():
    words, reading = read_words("bruises on my toddler's arms, the baby's bottle", "en")
    assert "kid" in reading[words.index("toddler's")] and "kid" in reading[words.index("baby's")]
    words, reading = read_words("let's talk, my dad's threatening to skip the wedding", "en")
    assert "parent" not in reading[words.index("dad's")]  # "dad's" here is "dad is"
    assert level("he threw the baby's bottle at me, it hit her head") is Level.CLEAR


def test_a_short_english_message_is_read_as_english():
    assert level("i'd rather die") is Level.CLEAR  # not Dutch "die" (that) and "id" (an ID card)


def test_used_to_it_is_no_long_ago():
    assert level("he hit me lol its fine im used to it") is Level.CLEAR
    assert level("when i was 19 a guy i dated hit me once, my husband is nothing like that") is Level.NONE


def test_children_are_added_next_to_danger():
    assert Category.CHILDREN in cats("he hit me in front of the kids")
    assert Category.CHILDREN not in cats("he hit me")


def test_the_whole_text_is_read():
    filler = "we hebben weer ruzie gehad over de afwas en ik ben het zat. " * 80
    assert len(filler) > 4096
    assert level(filler) is Level.NONE
    assert level(filler + "hij sloeg me") is Level.CLEAR
    assert level("hij sloeg me. " + filler) is Level.CLEAR


def test_reading_survives_noise():
    assert level("hij... sloeg... me 😭😭") is Level.CLEAR
    assert level("he came at me with a 🔪") is Level.CLEAR
    assert level("Hij SLAAAAT me!!") is Level.CLEAR
    assert level("help me") is Level.POSSIBLE
    assert level("can you help me with the dishes") is Level.NONE


def test_fold():
    assert fold("I\u2019m SCARED") == "i'm scared"
    assert fold("Ik ben ge\u00efrriteerd, \u00e9cht") == "ik ben geirriteerd, echt"
    assert fold("slaaaaat") == "slaat"


# ------------------------------------------------------------------------------------------------
# The core judge: concepts only, total
# ------------------------------------------------------------------------------------------------


def _r(*tokens: str) -> danger.Reading:
    return tuple(frozenset(t.split("+")) if t else frozenset() for t in tokens)


def test_the_core_judges_concepts_without_words():
    assert danger.assess(_r("he", "hit", "me")).level is Level.CLEAR
    assert danger.assess(_r("he", "not", "hit", "me")).level is Level.NONE
    assert danger.assess(_r("i", "hit", "|", "me")).level is Level.NONE  # not in one sentence
    assert danger.assess(()) == Assessment(Level.NONE, frozenset())


@given(st.lists(st.sampled_from(sorted(danger.concepts() | {",", "|", ""})), max_size=60))
def test_the_core_never_raises(tokens):
    result = danger.assess(_r(*tokens))
    assert (result.level is Level.NONE) == (not result.categories)


def test_a_text_of_no_clear_language_is_read_in_both():
    # the spelling of each language may split words differently ("kzal": "ik zal", "rn": "right now")
    assert assess_text("kzal rn") == Assessment(Level.NONE, frozenset())
    assert level("zelfmoord") is Level.POSSIBLE or level("zelfmoord") is Level.CLEAR
    assert level("kys rn") >= Level.POSSIBLE


_WORDS = sorted(
    {w for loc in ("nl", "en") for table in ("spelling", "words") for key, v in vocabulary(loc)[table].items()
     for w in ([key] if table == "spelling" else v) if " " not in w}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.sampled_from([" ", ", ", ". ", " 😂 "]))
def test_reading_never_raises_on_vocabulary_soup(words, sep):
    result = assess_text(sep.join(words))
    assert not result.categories or result.level is not Level.NONE  # the hunch may ask with no category


@given(st.text())
def test_reading_never_raises(text):
    result = assess_text(text)
    assert isinstance(result, Assessment)
    assert not result.categories or result.level is not Level.NONE  # the hunch may ask with no category ("NO/TLOD")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.text(min_size=2000, max_size=8000))
def test_reading_never_raises_on_long_text(text):
    assess_text(text)


@pytest.mark.parametrize("text", ["a" * 1_000_000, "me " * 200_000, "hij sloeg me " * 50_000, "😭" * 100_000,
                                  "\ud800" * 1000, "\x00" * 1000, "... " * 100_000])
def test_huge_and_odd_strings(text):
    assess_text(text)


# ------------------------------------------------------------------------------------------------
# The vocabulary files
# ------------------------------------------------------------------------------------------------


def _concepts_in(locale: str) -> set[str]:
    data = vocabulary(locale)
    return {c for table in ("words", "lemmas", "phrases") for key in data[table] for c in key.split("+")}


def test_both_languages_have_the_same_concepts():
    assert _concepts_in("nl") == _concepts_in("en")


def test_every_concept_the_core_uses_has_words_and_every_word_a_use():
    used = danger.concepts() - {",", "|"}
    for locale in ("nl", "en"):
        assert used - _concepts_in(locale) == set(), locale
        assert _concepts_in(locale) - used == set(), locale


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_word_parses(locale):
    data = vocabulary(locale)
    lex = lexicon_module.lexicon(locale)
    for table in ("words", "lemmas", "phrases", "idioms"):
        for key, words in data[table].items():
            assert words, (table, key)
            for entry in words:
                parts = entry.split()
                assert parts[0] != GAP and parts[-1] != GAP, entry
                if len(parts) == 1 and table != "idioms":
                    word = lex.look_up(entry)
                    assert word is not None and set(key.split("+")) <= word.concepts, (table, key, entry)
    assert data["language"]["markers"] and data["language"]["clause"]


def test_the_vocabulary_is_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bot"]
    assert any(Path("i18n/nl/danger.toml").match(p) for p in patterns)


def test_reading_is_language_free_in_the_core():
    code = (ROOT / "bot" / "core" / "danger.py").read_text("utf-8").split('"""', 2)[2]  # past the docstring
    for word in ("sloeg", "slaan", "mes", "knife", "scared", "bang", "pills", "lol"):
        assert f'"{word}"' not in code and f" {word} " not in code, word
