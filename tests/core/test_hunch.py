"""The learned hunch beside the rules (bot/hunch.py): what it may do to a judgement, and what it may not."""

from __future__ import annotations

import importlib.util
import math
import random
from pathlib import Path
from types import ModuleType

import pytest

from bot import hunch
from bot.core.danger import HUNCH, ORDINARY, QUIET, SENTENCE, SURE, Category, Level, assess
from bot.lexicon import lexicon
from bot.reader import assess_text, read, read_words

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "tests" / "safety"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_hunch = _script("train_hunch")
safety_eval = _script("safety_eval")

_MARK = frozenset({SENTENCE})


def test_the_shipped_weights_were_trained_on_the_sets_and_vocabulary_as_they_are():
    # A tuning set or the vocabulary changed without a retrain: run scripts/train_hunch.py.
    assert train_hunch.main(["train_hunch.py", "--check"]) == 0


def test_the_first_contact_sets_are_never_trained_on():
    names = {p.name for p in train_hunch.training_sets()}
    assert "labelled.tsv" in names and "blind_r1.tsv" in names
    assert not any(p.parent.name == "first_contact" for p in train_hunch.training_sets())
    assert not names & {p.name for p in (SETS / "first_contact").glob("*.tsv")}
    assert "timeout_talk_train.tsv" in names and "timeout_talk_unseen.tsv" not in names  # half kept to measure


def test_a_hunch_asks_about_a_message_no_rule_reads_and_never_sends_it_to_help():
    nothing = read_words("we talked about the weather", "en")[1]
    assert assess(nothing).level is Level.NONE
    assert assess((*nothing, _MARK, frozenset({HUNCH}))).level is Level.POSSIBLE


def test_ordinary_turns_clear_into_a_question_never_into_nothing():
    clear = read_words("he hit me last night", "en")[1]
    assert assess(clear).level is Level.CLEAR
    assert assess((*clear, _MARK, frozenset({ORDINARY}))).level is Level.POSSIBLE
    possible = read_words("i feel so hopeless", "en")[1]
    assert assess(possible).level is Level.POSSIBLE
    assert assess((*possible, _MARK, frozenset({ORDINARY}))).level is Level.POSSIBLE


def test_quiet_leaves_out_a_rules_own_question_but_never_a_clear_one_nor_one_about_self_harm():
    quiet = (_MARK, frozenset({QUIET}))
    grabbed = read_words("he grabbed me", "en")[1]
    assert assess(grabbed).level is Level.POSSIBLE
    assert assess((*grabbed, *quiet)).level is Level.NONE
    clear = read_words("he hit me last night", "en")[1]
    assert assess((*clear, *quiet)).level is Level.CLEAR  # quiet alone never touches a CLEAR
    assert assess((*clear, _MARK, frozenset({ORDINARY, QUIET}))).level is Level.POSSIBLE  # one step, not two
    hopeless = read_words("i feel so hopeless", "en")[1]
    assessed = assess(hopeless)
    assert assessed.level is Level.POSSIBLE and Category.SELF_HARM in assessed.categories
    assert assess((*hopeless, *quiet)).level is Level.POSSIBLE


def test_the_marks_only_count_at_the_end_where_the_shell_puts_them():
    clear = read_words("he hit me last night", "en")[1]
    assert assess((_MARK, frozenset({ORDINARY}), *clear)).level is Level.CLEAR


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_no_word_a_person_types_can_carry_a_mark(locale):
    lex = lexicon(locale)
    for word in lex.forms.values():
        assert not word.concepts & {HUNCH, ORDINARY, QUIET, SURE}
    for text in ("hunch", "ordinary ordinary", "HUNCH ordinary hunch sure quiet"):
        reading = read_words(text, locale)[1]
        assert not any(t & {HUNCH, ORDINARY, QUIET, SURE} for t in reading), text


def test_mark_follows_the_score_thresholds():
    words = ["x"]
    reading = read_words("x", "en")[1] or (frozenset(),)
    loud = hunch.Model({("w", "x"): 10.0}, 0.0)
    quiet = hunch.Model({("w", "x"): -10.0}, 0.0)
    middle = hunch.Model({}, 0.0)  # 0.5: neither mark
    assert hunch.mark(hunch.Hunch(loud, loud), words, reading)[-1] == frozenset({HUNCH, SURE})
    assert hunch.mark(hunch.Hunch(loud, middle), words, reading)[-1] == frozenset({HUNCH})
    assert hunch.mark(hunch.Hunch(loud, quiet), words, reading)[-1] == frozenset({HUNCH})
    assert hunch.mark(hunch.Hunch(quiet, loud), words, reading)[-1] == frozenset({ORDINARY, QUIET})  # sure needs both
    lo, hi = sorted((hunch.ORDINARY_BELOW, hunch.QUIET_BELOW))
    between = hunch.Model({("w", "x"): math.log((lo + hi) / 2 / (1 - (lo + hi) / 2))}, 0.0)  # between the two
    assert lo <= between.score(words, reading) < hi
    only = frozenset({QUIET}) if hunch.QUIET_BELOW > hunch.ORDINARY_BELOW else frozenset({ORDINARY})
    assert hunch.mark(hunch.Hunch(between, loud), words, reading)[-1] == only  # each mark keeps its own threshold
    assert hunch.mark(hunch.Hunch(middle, loud), words, reading) == reading
    assert hunch.mark(None, words, reading) == reading
    assert hunch.mark(hunch.Hunch(loud, loud), [], ()) == ()


def test_sure_makes_a_rules_own_possible_clear_and_nothing_else():
    sure = (_MARK, frozenset({HUNCH, SURE}))
    possible = read_words("he grabbed me", "en")[1]
    assert assess(possible).level is Level.POSSIBLE
    assert assess((*possible, *sure)).level is Level.CLEAR
    nothing = read_words("we talked about the weather", "en")[1]
    assert assess((*nothing, *sure)).level is Level.POSSIBLE  # the model alone only asks
    past = read_words("my ex used to hit me, years ago", "en")[1]  # lowered on purpose by the rules: long ago
    assert assess(past).level is Level.POSSIBLE
    assert assess((*past, *sure)).level is Level.POSSIBLE
    negated = read_words("he didn't hit me", "en")[1]  # ruled out by the rules: one model may not ask ...
    assert assess(negated).level is Level.NONE
    assert assess((*negated, _MARK, frozenset({HUNCH}))).level is Level.NONE
    assert assess((*negated, *sure)).level is Level.POSSIBLE  # ... both may: asked, never more


def test_calming_down_in_the_same_sentence_keeps_a_sure_question_a_question():
    sure = (_MARK, frozenset({HUNCH, SURE}))
    roof = read_words("ik zit op het dak van ons appartement, daar is het rustig, ik kijk naar de lichtjes", "nl")[1]
    assert assess(roof).level is Level.POSSIBLE
    assert assess((*roof, *sure)).level is Level.POSSIBLE  # asked, not sent to the help screen
    plain = read_words("ik zit op het dak van ons appartement", "nl")[1]
    assert assess((*plain, *sure)).level is Level.CLEAR
    # calming down in another sentence does not calm the first one
    forced = read_words("mn man heeft me weer gedwongen. ik wil nu alleen die ademhalingsoefening", "nl")[1]
    assert assess(forced).level is Level.POSSIBLE
    assert assess((*forced, *sure)).level is Level.CLEAR


def test_training_learns_and_is_deterministic():
    rnd = random.Random(3)
    data = []
    for _ in range(200):
        danger = rnd.random() < 0.5
        feats = {("w", "bad" if danger else "good"), ("w", f"noise{rnd.randrange(20)}")}
        data.append((feats, danger))
    a = hunch.train(data, epochs=10)
    b = hunch.train(data, epochs=10)
    assert a.weights == b.weights and a.bias == b.bias
    assert a.score(["bad"], ()) > 0.9 > 0.1 > a.score(["good"], ())


def test_the_fast_sum_is_the_sum_over_the_features_the_model_was_trained_on():
    model = hunch.model()
    assert model is not None
    for path in (SETS / "labelled.tsv", SETS / "blind_r12.tsv"):
        for lang, _label, _cat, text in safety_eval.load(path):
            words, reading = read_words(text, lang)
            ws = [w for w in words if w[0].isalnum()]
            for m in model:
                slow = sum(m.weights.get(f, 0.0) for f in hunch.features(ws, reading))
                assert abs(m._sum(ws, reading) - slow) < 1e-9, text


def test_the_quick_threshold_tests_answer_as_the_score_does_even_at_the_threshold_itself():
    model = hunch.model()
    assert model is not None
    texts = [t for _l, _label, _cat, t in safety_eval.load(SETS / "labelled.tsv")]
    rnd = random.Random(8)
    long_texts = [". ".join(rnd.choice(texts) for _ in range(60)) for _ in range(10)]
    for text in long_texts:
        words, reading = read_words(text)
        long = hunch._spans(words, reading)
        pieces = list(hunch._pieces(words, reading))
        assert len(pieces) == len(long[2]) > hunch._EAGER
        for m in model:
            for threshold in (0.2, hunch.ASK_FROM, hunch.SURE_FROM, 0.99):
                want = any(m.score(ws, rs) >= threshold for ws, rs in pieces)
                assert m.reaches_any(pieces, threshold) is want
                assert m.reaches_in(long, threshold) is want
                late = (long[0], long[1], [*long[2][-1:] * (hunch._EAGER + 1)])  # the bound decides which to score
                assert m.reaches_in(late, threshold) is (m.score(*pieces[-1]) >= threshold)
            for ws, rs in pieces[:5]:  # a threshold on a piece's own score: decided the exact way
                s = m.score(ws, rs)
                assert m.reaches_any([(ws, rs)], s) and not m.reaches_any([(ws, rs)], min(1.0, s + 1e-12))


def test_the_bound_of_a_piece_is_never_below_its_sum():
    model = hunch.model()
    assert model is not None
    texts = [t for _l, _label, _cat, t in safety_eval.load(SETS / "labelled.tsv")]
    rnd = random.Random(9)
    for _ in range(10):
        words, reading = read_words(". ".join(rnd.choice(texts) for _ in range(60)))
        long = hunch._spans(words, reading)
        for m in model:
            for span in long[2]:
                wa, wb, ra, rb = span
                total = m._sum(long[0][wa:wb], reading[ra:rb])
                assert m._worth_scoring(long, [span], total - 1e-9) == [span]


def test_a_weight_of_no_known_kind_is_refused():
    with pytest.raises(ValueError):
        hunch.Model({("x", "y"): 1.0}, 0.0)


def test_weights_survive_the_file_format():
    m = hunch.Model({("w", "a"): 1.5, ("p", "hit", "me"): -0.25, ("b", "x", "y"): 0.125}, -2.0)
    back = hunch.load(hunch.dump(m, ["a header"]))
    assert back.weights == m.weights and back.bias == m.bias


def test_a_long_rant_is_not_danger_by_length_and_danger_inside_it_still_counts():
    rows = safety_eval.load(SETS / "labelled.tsv")
    ordinary = [t for _l, label, cat, t in rows if cat == "none" and _l == "en"]
    rnd = random.Random(5)
    lines = [rnd.choice(ordinary) for _ in range(80)]
    rant = ". ".join(lines)[:4000]
    words, _ = read_words(rant, "en")
    assert len([w for w in words if w[0].isalnum()]) > hunch.CHUNK
    assert read(rant, "en")[-1] != frozenset({ORDINARY})  # a long text is never talked down
    half = len(lines) // 2
    with_danger = ". ".join([*lines[:half], "he put his hands around my neck last night", *lines[half:]])
    assert assess_text(with_danger[:4096], "en").level is Level.CLEAR


STILL_TO_HELP = {
    # a weapon near the partner, which the rules send to help whatever the hobby around it (a gun licence or a
    # safe must not talk a gun down); the benign lines of the tuning sets the hunch does not bring back
    "fight was about him cleaning his rifles on the dining table. hes licensed, they live in a safe, i just want it"
    " done in the garage",
    # the same choice for a hunting weekend: a rifle next to the partner is asked about as danger, hobby or not
    "hes going hunting with his rifle this weekend instead of coming to my mums birthday, typical",
    # his words of an act against the writer ("strangle me"), with "lol": a joke never lowers an act
    "lol he said hed strangle me if i spoiled the finale again. fair",
}


@pytest.mark.parametrize("path", [SETS / "labelled.tsv", *sorted(SETS.glob("blind_r*.tsv"))], ids=lambda p: p.name)
def test_with_the_hunch_every_set_holds_at_least_what_the_rules_hold_and_no_benign_line_goes_to_help(path):
    rules = safety_eval.evaluate(path, rules=True)["all"]
    both = safety_eval.evaluate(path)["all"]
    assert both["clear_recall"] >= rules["clear_recall"]
    assert both["possible_recall"] >= rules["possible_recall"]
    misses = safety_eval.evaluate(path)["misses"]
    to_help = {m["text"] for m in misses if m["label"] == "benign" and m["level"] == "CLEAR"}
    assert to_help <= STILL_TO_HELP, to_help - STILL_TO_HELP
