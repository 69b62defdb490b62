"""The Dutch/Flemish editor's review of the typed words (issue 14, point 5): bugs it found in
bot/i18n/nl/words.toml and bot/core/flow/words.py, each shown through the flow or the one rule."""

from __future__ import annotations

import pytest

from bot.core import feelings
from bot.core.flow import words
from bot.core.model import Phase


def _typed_feeling(d, text: str) -> str | None:
    d.start()
    for c in ("t.5", "br.next", "t.3"):
        d.press(c)
    assert d.phase is Phase.NAME_FEELING
    d.say(text)
    return d.state.session.plan.feeling


@pytest.mark.parametrize(("text", "fid"), [
    ("gewoon alleen boos", "angry"),  # "alleen" = only, not lonely
    ("ik ben alleen maar gekwetst", "hurt"),
    ("ik zat te wachten en voelde me eenzaam", "lonely"),  # "zat" = sat, not fed up
    ("nie boos, verdrietig", "sad"),  # Flemish/SMS "nie" is a "niet"
    ("ni kwaad maar triest", "sad"),
])
def test_a_typed_feeling_is_not_misread(d, text, fid):
    assert _typed_feeling(d, text) == fid, text


@pytest.mark.parametrize(("text", "fid"), [
    ("ik voel me zo alleen", "lonely"), ("ik sta er alleen voor", "lonely"), ("in de steek gelaten", "lonely"),
    ("ik ben het zat", "frustrated"), ("spuugzat", "frustrated"), ("kotsbeu", "frustrated"),
    ("triest", "sad"), ("overprikkeld", "overwhelmed"), ("stress", "overwhelmed"),
    ("ik kan niet meer", "overwhelmed"), ("paniek", "afraid"), ("beledigd", "hurt"), ("onbegrepen", "unseen"),
    ("wanhopig", "powerless"), ("ik baal ervan", "disappointed"), ("schuldgevoel", "ashamed"),
])
def test_the_reviewers_feeling_words_are_understood(text, fid):
    assert words.feeling_of(text, feelings.FEELINGS) == fid, text


@pytest.mark.parametrize(("text", "nid"), [
    ("ik heb begrip nodig", "heard"), ("dat je me ziet", "seen"), ("knuffelen", "closeness"),
    ("duidelijkheid", "honesty"), ("met rust gelaten worden", "space"), ("vertrouwen", "safe"),
    ("samenwerken", "teamwork"), ("serieus genomen", "respected"),
])
def test_the_reviewers_need_words_are_understood(text, nid):
    assert words.need_of(text, feelings.NEEDS) == nid, text


@pytest.mark.parametrize("text", ["nie nu pauze", "ni pauze", "gene time-out", "genen pauze"])
def test_a_flemish_no_does_not_start_a_time_out(d, text):
    d.say(text)
    assert d.phase is Phase.IDLE, text


@pytest.mark.parametrize("text", ["time-outje", "pauzeke", "pauzetje", "'k wil e pauzeke"])
def test_a_diminutive_asks_for_a_time_out(d, text):
    d.say(text)
    assert d.phase is Phase.PAUSE_CHOOSE, text


@pytest.mark.parametrize("text", ["ja, ik ben klaar", "ja klaar", "Ja hoor", "okee", "jep", "ik ben terug",
                                  "ik ben zover", "oké, ik ben er", "yes, I'm ready", "yep", "ok klaar!"])
def test_ready_inside_a_short_answer(text):
    assert words.is_ready_word(text), text


@pytest.mark.parametrize("text", ["nee", "nee, nog niet", "ja maar nog niet", "ik ben nog niet klaar", "nie klaar",
                                  "ok, niet klaar", "ja, ik weet het niet", "jammer"])
def test_not_ready_stays_not_ready(text):
    assert not words.is_ready_word(text), text


def test_a_leading_yes_is_a_rule_not_a_list():
    """Any yes-word before any ready phrase, without the combination being written anywhere."""
    data = words.words()
    assert not [p for p in data.ready + data.stop if words.tokens(p)[0] in data.yes and len(words.tokens(p)) > 1]
    for yes in data.yes:
        for phrase in data.ready:
            assert words.is_ready_word(f"{yes}, {phrase}"), (yes, phrase)
        for phrase in data.stop:
            assert words.is_stop_word(f"{yes} {phrase}!"), (yes, phrase)
    assert not words.is_stop_word("ja")  # a yes alone does not end the breathing


@pytest.mark.parametrize("text", ["'t is goed", "ja, ik ben klaar", "okee", "ik stop", "hou op", "genoeg zo"])
def test_typed_during_breathing_ends_the_round(d, text):
    d.start()
    d.press("t.5")
    assert d.phase is Phase.BREATHE
    d.say(text)
    assert d.phase is not Phase.BREATHE, text


@pytest.mark.parametrize("text", ["wa moet ik doen", "wat moet ik doen?", "hoe werkt dit"])
def test_help_in_flemish_and_plain_questions(d, text):
    d.say(text)
    assert "help.text" in d.said(), text
