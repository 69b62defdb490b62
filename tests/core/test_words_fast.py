"""The quick refusals in the typed-phrase rule (bot.core.flow.words: first letter, length, letter counts, and a
message's runs of words made once) decide exactly as the plain rule did: the plain rule is kept here as the
reference and both are run on the data's own phrases, typo'd, inside longer messages, and on other texts."""

from __future__ import annotations

import random

from bot.core.flow import words as w


def _plain_says(toks: tuple[str, ...], phrase: str, *, anywhere: bool) -> bool:
    """The rule as it was: every run of words compacted again for every phrase, `near` on each."""
    ptoks = w._phrase(phrase)
    target = w._compact(ptoks)
    if not target or not toks or len(toks) > w.MAX_WORDS:
        return False
    if w.near(w._compact(toks), target):
        return True
    if not anywhere:
        return False
    n = len(ptoks)
    return any(w.near(w._compact(toks[i:i + size]), target)
               for size in range(max(1, n - 1), n + 2) for i in range(0, len(toks) - size + 1))


def _plain_is_signal(text: str, phrase: str) -> bool:
    toks = w.tokens(text)
    if phrase.strip() and _plain_says(toks, phrase, anywhere=True):
        return True
    if any(_plain_says(toks, p, anywhere=True) for p in w.words().signals):
        return True
    ws = w.words()
    if not toks or len(toks) > 5 or any(t in ws.negation for t in toks):
        return False
    return any(_plain_says(toks, k, anywhere=True) for k in ws.timeout)


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(0, 4)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        op = rng.randrange(4)
        if op == 0:
            del chars[i]
        elif op == 1:
            chars.insert(i, rng.choice("aeiouklmnprst -'"))
        elif op == 2:
            chars[i] = rng.choice("aeiouklmnprst")
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _texts() -> list[str]:
    ws = w.words()
    phrases = [*ws.signals, *ws.timeout, *ws.ready, *ws.stop, *ws.help, *(p for p, _ in ws.feelings)]
    rng = random.Random(16)
    around = ["", "ik wil ", "sorry ", "ok ", "nee ", "I really ", "niet ", "please ", "ja, "]
    after = ["", " nu", " now", " please", " oké", " want ik ben boos", " and I mean it"]
    out = ["I want us to figure this out together", "The holiday planning, and that I don't feel heard",
           "Wie op doordeweekse dagen de afwas doet", "timeout", "time out!!", "'k pak efkes nen time-out",
           "geen pauze", "pauze", "", "   ", "a b c d e f g h i j k l m", "ikneemeentimeout"]
    for p in phrases:
        for _ in range(6):
            out.append(rng.choice(around) + _typo(rng, p) + rng.choice(after))
    return out


def test_is_signal_decides_as_the_plain_rule() -> None:
    own = ["", "Ik neem een time-out", "rode kaart", "I need a breather", "stop even"]
    checked = matched = 0
    for text in _texts():
        for phrase in own:
            want = _plain_is_signal(text, phrase)
            assert w.is_signal(text, phrase) is want, (text, phrase)
            checked += 1
            matched += want
    assert checked > 1_000 and 0 < matched < checked  # both answers were met


def test_the_short_answers_decide_as_the_plain_rule() -> None:
    ws = w.words()
    for text in _texts():
        toks = w.tokens(text)
        assert w.is_help_word(text) is any(_plain_says(toks, p, anywhere=False) for p in ws.help), text
        assert w.is_timeout_word(text) is (
            bool(toks) and len(toks) <= 5 and not any(t in ws.negation for t in toks)
            and any(_plain_says(toks, k, anywhere=True) for k in ws.timeout)), text


def test_letter_counts_never_refuse_what_is_within_reach() -> None:
    rng = random.Random(7)
    for _ in range(3_000):
        b = "".join(rng.choice("abcdeik'") for _ in range(rng.randint(1, 18)))
        a = _typo(rng, b)
        limit = w.allowed(len(b))
        if w._too_far(a, b, limit):
            assert w.distance(a, b, limit) > limit, (a, b)
