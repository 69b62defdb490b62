"""Understood when typing (issue 14, point 4): the signal phrase with typos, spacing and Flemish forms, "help",
typed feelings and needs, free text outside any flow, and a newcomer who never sent /start."""

from __future__ import annotations

import ast
import random
import tomllib
from dataclasses import replace
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from bot.core import feelings
from bot.core.flow import words
from bot.core.model import Contract, Phase

SIGNALS = ["ik neem een time-out", "ik neem een timout", "Ik  neem een time out!!", "'k pak efkes nen time-out",
           "k neem ne time-out", "ik neem even een time-out", "IK NEEM EEN TIME-OUT.", "ik neem een tiemout",
           "ik nem een time-out", "timeout", "time-out!", "pauze", "Pauze.", "ik wil pauze", "ik wil een time out",
           "i'm taking a time-out", "im taking a timeout", "ik neem een time-out, sorry"]
NOT_SIGNALS = ["geen pauze", "ik neem een taart", "waarom neem jij altijd een time-out als ik wil praten",
               "ik wil geen time-out", "tijd", "ik neem de hond mee", "pauzeknop kapot", "hallo"]


@pytest.mark.parametrize("text", SIGNALS)
def test_the_signal_and_near_variants_start_a_time_out(d, text):
    d.say(text)
    assert d.phase is Phase.PAUSE_CHOOSE, text


@pytest.mark.parametrize("text", NOT_SIGNALS)
def test_other_words_do_not_start_one(d, text):
    d.say(text)
    assert d.phase is Phase.IDLE, text


@pytest.mark.parametrize("text", ["rood licht", "rod licht", "roodlicht", "Rood, licht!", "rood lichtt"])
def test_the_couples_own_phrase_with_typos(make, text):
    d = make(contract=Contract(signal_phrase="Rood licht"))
    d.say(text)
    assert d.phase is Phase.PAUSE_CHOOSE


def test_a_short_own_phrase_must_be_exact(make):
    d = make(contract=Contract(signal_phrase="rood"))
    d.say("rook")
    assert d.phase is Phase.IDLE
    d.say("Rood!")
    assert d.phase is Phase.PAUSE_CHOOSE


def test_the_rule_is_not_a_list_of_examples():
    """Random typos in the signal phrase are tolerated by length, not because they are listed."""
    rng = random.Random(14)
    phrase = "ik neem een time-out"
    for _ in range(200):
        chars = list(phrase)
        i = rng.randrange(1, len(chars))
        if chars[i] in " -":
            continue
        op = rng.choice(("drop", "swap", "double"))
        if op == "drop":
            del chars[i]
        elif op == "double":
            chars.insert(i, chars[i])
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        assert words.is_signal("".join(chars), ""), "".join(chars)


@settings(max_examples=600, deadline=None)
@given(st.text("abcdeijklnot", max_size=12), st.text("abcdeijklnot", max_size=12), st.integers(0, 4))
def test_the_distance_is_rapidfuzz_osa(a, b, limit):
    """Every limit the rule uses (0-3) and one more: the search keeps to cells within `limit` of the diagonal."""
    assert words.distance(a, b, limit) == min(OSA.distance(a, b), limit + 1)


@pytest.mark.parametrize("phase_steps", [[], ["/timeout", "ret.m30", "t.5"], ["/timeout", "ret.m30", "t.5", "br.next",
                                                                            "t.3"]])
@pytest.mark.parametrize("text", ["help", "hulp", "HULP!", "wat nu?", "Help."])
def test_help_typed_opens_help(d, phase_steps, text):
    for s in phase_steps:
        d.cmd(s[1:]) if s.startswith("/") else d.press(s)
    phase = d.phase
    d.say(text)
    assert "help.text" in d.said() and d.phase is phase


@pytest.mark.parametrize(("text", "fid", "then"), [
    ("kwaad", "angry", Phase.NAME_UNDER), ("triestig", "sad", Phase.NAME_NEED),
    ("ambetant", "frustrated", Phase.NAME_UNDER), ("ik ben zo kwaaad", "angry", Phase.NAME_UNDER),
    ("Verdrietig.", "sad", Phase.NAME_NEED), ("ongerust", "afraid", Phase.NAME_NEED),
    ("furious", "angry", Phase.NAME_UNDER),
    ("ontgoocheld", "disappointed", Phase.NAME_NEED), ("echt bezorgd", "afraid", Phase.NAME_NEED),
])
def test_a_typed_feeling_is_matched_to_the_vocabulary(d, text, fid, then):
    d.start()
    for c in ("t.5", "br.next", "t.3"):
        d.press(c)
    assert d.phase is Phase.NAME_FEELING
    d.say(text)
    assert d.state.session.plan.feeling == fid and d.state.session.plan.feeling_text is None
    assert d.phase is then


def test_a_typed_feeling_in_own_words_is_kept_and_used_in_the_opener(d):
    d.start()
    for c in ("t.5", "br.next", "t.3"):
        d.press(c)
    d.say("alsof ik er niet toe doe")
    assert d.state.session.plan.feeling is None and d.state.session.plan.feeling_text == "alsof ik er niet toe doe"
    d.say("dat je me laat uitpraten")
    plan = d.state.session.plan
    assert plan.need is None and plan.need_text == "dat je me laat uitpraten" and d.phase is Phase.WAITING
    d.press("w.prepare")
    opener = dict(d.replies()[0].msg.params)["opener"]
    assert dict(opener.params) == {"feeling": "alsof ik er niet toe doe", "need": "dat je me laat uitpraten"}


def test_a_typed_need_and_what_lies_under_are_matched(d):
    d.start()
    for c in ("t.5", "br.next", "t.3", "f.angry"):
        d.press(c)
    d.say("eigenlijk gekwetst")
    assert d.state.session.plan.under == "hurt" and d.phase is Phase.NAME_NEED
    d.say("rust")
    assert d.state.session.plan.need == "rest" and d.phase is Phase.WAITING
    d.press("w.prepare")
    opener = dict(d.replies()[0].msg.params)["opener"]
    assert {k: v.key for k, v in opener.params} == {"feeling": "feeling.hurt", "need": "need.rest"}


def test_not_angry_is_not_angry(d):
    d.start()
    for c in ("t.5", "br.next", "t.3"):
        d.press(c)
    d.say("niet boos, wel moe")
    assert d.state.session.plan.feeling is None


def test_free_text_outside_any_flow_gets_the_three_things_that_matter(d):
    d.say("we hadden weer ruzie over de vaat")
    assert d.phase is Phase.IDLE and d.said() == ["idle.hint"]
    assert d.choices() == ["go.timeout", "go.breathe", "safety"]
    d.press("go.breathe")
    assert d.phase is Phase.BREATHE


def test_a_newcomer_is_welcomed_and_still_answered(make):
    d = make()
    d.ctx = lambda: replace(type(d).ctx(d), newcomer=True)  # type: ignore[method-assign]
    d.say("ik neem een time-out")
    assert d.said() == ["welcome.newcomer", "pause.when"] and len(d.messages()) == 2  # the answer comes last
    assert d.phase is Phase.PAUSE_CHOOSE
    d = make()
    d.ctx = lambda: replace(type(d).ctx(d), newcomer=True)  # type: ignore[method-assign]
    d.say("hoi")
    assert d.said() == ["welcome.newcomer", "idle.hint"] and d.choices() == ["go.timeout", "go.breathe", "safety"]
    d = make()
    d.ctx = lambda: replace(type(d).ctx(d), newcomer=True)  # type: ignore[method-assign]
    d.cmd("start")
    assert "welcome.newcomer" not in d.said() and d.said()[0] == "welcome"
    d = make()
    d.ctx = lambda: replace(type(d).ctx(d), newcomer=True)  # type: ignore[method-assign]
    d.cmd("status")  # a command: they know what they ask for, and get just that
    assert d.said() == ["status.none"]


def test_a_newcomer_in_danger_gets_help_first(make):
    d = make()
    d.ctx = lambda: replace(type(d).ctx(d), newcomer=True)  # type: ignore[method-assign]
    d.say("hij sloeg me")
    assert d.phase is Phase.SAFETY


def _data(locale: str) -> dict:
    return tomllib.loads(resources.files("bot").joinpath("i18n", locale, "words.toml").read_text("utf-8"))


def test_the_words_are_data_per_language_and_name_only_known_ids():
    nl, en = _data("nl"), _data("en")
    assert set(nl) == set(en)
    for data in (nl, en):
        assert set(data["feelings"]) == set(feelings.FEELINGS)
        assert set(data["needs"]) == set(feelings.NEEDS)
        for table in ("feelings", "needs"):
            seen: dict[str, str] = {}
            for vid, ws in data[table].items():
                for w in ws:
                    assert seen.setdefault(w, vid) == vid, f"{w} stands for two {table}"
    assert {"kwaad", "triestig", "ambetant"} <= {w for ws in nl["feelings"].values() for w in ws}
    tree = ast.parse(resources.files("bot.core.flow").joinpath("words.py").read_text("utf-8"))
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
               and id(n) not in docs}
    known = {w for d in (nl, en) for v in d.values() if isinstance(v, list) for w in v} - set(nl)  # not its keys
    assert not strings & known, f"words in code: {strings & known}"


def test_while_choosing_the_return_time_the_signal_asks_the_question_again(d):
    d.cmd("timeout")
    d.say("ik neem een timout")
    assert d.phase is Phase.PAUSE_CHOOSE and d.state.timeout is None and d.said()[-1] == "pause.when"
    d.say("20 min")
    assert d.phase is Phase.PAUSE_TENSION and d.state.timeout is not None
