"""Dialogue.handle on a real file: a whole solo time-out, languages and time zones, and bad input answered kindly."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from adempauze_testkit import ids, marker, said

from bot.clock import ManualClock
from bot.codec import load_session, session_fields, ts
from bot.core.events import ChoiceMade, TextReceived
from bot.core.model import MAX_TEXT
from bot.ports import UserRef, event_from_text
from bot.store import Store

if TYPE_CHECKING:
    from conftest import Talk





async def snapshot(store: Store) -> tuple[Any, ...]:
    """Everything an event could change for anyone."""
    return (
        await store.query("SELECT user_id, data FROM sessions ORDER BY user_id"),
        await store.query("SELECT * FROM timeouts ORDER BY id"),
        await store.query("SELECT * FROM timers ORDER BY id"),
        await store.query("SELECT user_id, payload, due_at FROM outbox ORDER BY id"),
        await store.query("SELECT id, locale, tz FROM users ORDER BY id"),
    )


async def session_data(store: Store, who: UserRef) -> dict[str, Any]:
    rows = await store.query(
        "SELECT s.data FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.external_id = ?", (who.external_id,)
    )
    return session_fields(load_session(rows[0][0]))


# -- the whole flow --------------------------------------------------------------------------------------


async def test_a_whole_solo_time_out_in_dutch(talk: Talk, store: Store, me: UserRef, recorder: Any) -> None:
    out = await talk.say(me, "/timeout")
    assert said(out, "nl", "pause.when") and "20 min" in out[-1].text and "24 uur" in out[-1].text
    assert ids(out)[:5] == ["ret.m20", "ret.m30", "ret.m60", "ret.m120", "ret.morning"]
    assert "safety" in ids(out)
    assert await talk.phase(me) == "pause.choose"

    out = await talk.press(me, "ret.m30")
    assert said(out, "nl", "start.solo") and "tot 21:40" in out[0].text
    assert said(out, "nl", "notice.solo") and out[1].text.startswith("Ik heb even een pauze nodig.")
    assert ids(out)[:2] == ["link.share", "sn.edit"]  # the message for the partner: its own, ready to forward
    assert said(out, "nl", "tension.ask.start") and ids(out)[2:13] == [f"t.{i}" for i in range(11)]

    out = await talk.press(me, "t.8")
    assert await talk.phase(me) == "breathe"
    pacer = out[-1]
    assert pacer.frames and pacer.after_frames and "Adem in" in pacer.frames[0].text
    assert {"br.again", "br.next"} <= set(ids(out))

    out = await talk.press(me, "br.next")
    assert "8" in out[-1].text and await talk.phase(me) == "breathe.tension"
    out = await talk.press(me, "t.5")
    assert any("8" in o.text and "5" in o.text for o in out) and said(out, "nl", "tension.change")
    assert await talk.phase(me) == "name.feeling"

    await talk.press(me, "f.angry")
    assert await talk.phase(me) == "name.under"  # anger: look underneath
    await talk.press(me, "u.unseen")
    assert await talk.phase(me) == "name.need"
    out = await talk.press(me, "n.seen")
    assert await talk.phase(me) == "waiting" and len(out) == 1  # the thanks, "later", and the waiting menu in one
    assert "21:30" in out[0].text and "21:40" in out[0].text and ids(out)[0] == "w.prepare"
    out = await talk.press(me, "w.prepare")  # now, instead of at the prepare reminder at 21:30
    assert await talk.phase(me) == "plan.opener"
    assert "niet gezien" in out[-1].text and "gezien worden" in out[-1].text  # the I-language opener
    await talk.press(me, "op.use")
    await talk.say(me, "Wie de afwas doet")
    await talk.press(me, "pf.overwhelmed")
    out = await talk.press(me, "own.voice")

    assert await talk.phase(me) == "waiting"
    card = next(o.text for o in out if marker("nl", "plan.card") in o.text)
    for bit in ("Wie de afwas doet", "overspoeld", "Ik ging harder praten", "niet gezien"):
        assert bit in card
    assert said(out, "nl", "waiting.prompt") and "21:40" in out[-1].text
    # Alone: nobody else was written to, nothing was sent.
    assert await store.query("SELECT count(*) FROM outbox") == [(0,)]
    assert recorder.sent == []
    # Patterns keep vocabulary only: no free text in the database outside the person's own session.
    assert await store.query("SELECT count(*) FROM timeout_members") == [(0,)]


async def test_english_for_a_person_whose_platform_says_en(
    talk: Talk, store: Store, person: Callable[..., UserRef]
) -> None:
    ann = person("ann", locale="en-GB")
    out = await talk.say(ann, "/timeout")
    assert said(out, "en", "pause.when") and not said(out, "nl", "pause.when")
    labels = dict(out[-1].choices)
    assert labels["ret.m60"] != "1 uur" and labels["ret.morning"].startswith("tomorrow")  # labels too
    out = await talk.press(ann, "ret.m30")
    assert said(out, "en", "start.solo") and "21:40" in out[0].text
    assert await store.query("SELECT locale FROM users WHERE external_id = 'ann'") == [("en",)]


async def test_an_unknown_platform_locale_falls_back_to_dutch(talk: Talk, person: Callable[..., UserRef]) -> None:
    out = await talk.say(person("zoe", locale="fr-FR"), "/timeout")
    assert said(out, "nl", "pause.when")


async def test_times_are_shown_in_the_persons_time_zone(talk: Talk, store: Store, me: UserRef) -> None:
    await talk.say(me, "/timeout")
    out = await talk.press(me, "ret.m30")  # 20:40 UTC
    assert "21:40" in out[0].text and "20:40" not in out[0].text

    out = await talk.say(me, "/timezone Europe/London")
    assert said(out, "nl", "timezone.set")
    out = await talk.say(me, "/status")
    assert "20:40" in out[0].text and "21:40" not in out[0].text
    assert await store.query("SELECT tz FROM users WHERE external_id = 'sam'") == [("Europe/London",)]

    out = await talk.say(me, "/timezone Mars/Olympus")
    assert said(out, "nl", "timezone.bad")
    assert await store.query("SELECT tz FROM users WHERE external_id = 'sam'") == [("Europe/London",)]


async def test_language_command_switches_at_once_and_keeps_the_flow(talk: Talk, store: Store, me: UserRef) -> None:
    await talk.say(me, "/timeout")
    await talk.press(me, "ret.m30")
    out = await talk.say(me, "/language en")
    assert said(out, "en", "language.set")  # the confirmation itself is already in the new language
    assert await talk.phase(me) == "pause.tension"
    out = await talk.say(me, "/status")
    assert said(out, "en", "status.running") and "21:40" in out[0].text
    assert await store.query("SELECT locale FROM users WHERE external_id = 'sam'") == [("en",)]

    out = await talk.say(me, "/taal")  # no argument: asks, with buttons
    assert {"lang.nl", "lang.en"} <= set(ids(out))
    out = await talk.press(me, "lang.nl")
    assert said(out, "nl", "language.set")
    assert await talk.phase(me) == "pause.tension"


# -- bad input: answered kindly, state kept ----------------------------------------------------------------


async def _in_pause_choose(talk: Talk, me: UserRef) -> None:
    await talk.say(me, "/timeout")


async def _in_pause_tension(talk: Talk, me: UserRef) -> None:
    await talk.say(me, "/timeout")
    await talk.press(me, "ret.m30")


BAD_INPUT = [
    pytest.param(_in_pause_choose, TextReceived(""), "hint.empty", id="empty"),
    pytest.param(_in_pause_choose, TextReceived(" \n\t "), "hint.empty", id="blank"),
    pytest.param(_in_pause_choose, TextReceived("x" * 100_000), "hint.when", id="100k-chars"),
    pytest.param(_in_pause_choose, "/bestaatniet", "hint.unknown_command", id="unknown-command"),
    pytest.param(_in_pause_choose, ChoiceMade("ret.m99999999"), "hint.stale", id="forged-return"),
    pytest.param(_in_pause_choose, ChoiceMade("x" * 500), "hint.stale", id="forged-500"),
    pytest.param(_in_pause_choose, ChoiceMade("t.5"), "hint.stale", id="button-of-another-step"),
    pytest.param(_in_pause_tension, "11", "hint.score_range", id="score-11"),
    pytest.param(_in_pause_tension, "-3", "hint.score_range", id="score-minus-3"),
    pytest.param(_in_pause_tension, "banaan", "hint.score", id="score-word"),
    pytest.param(_in_pause_tension, ChoiceMade("t.11"), "hint.stale", id="forged-score"),
    pytest.param(_in_pause_tension, "/timeout", "timeout.already", id="second-timeout"),
    pytest.param(_in_pause_tension, "/extend", None, id="extend-in-flow"),
]


@pytest.mark.parametrize(("setup", "event", "key"), BAD_INPUT)
async def test_bad_input_is_answered_kindly_and_keeps_the_state(
    talk: Talk, store: Store, me: UserRef, setup: Callable[..., Any], event: Any, key: str | None
) -> None:
    await setup(talk, me)
    before = await snapshot(store)
    phase = await talk.phase(me)

    out = await (talk.say(me, event) if isinstance(event, str) else talk.send(me, event))

    assert out and all(o.text.strip() for o in out)
    if key is not None:
        assert said(out, "nl", key), [o.text for o in out]
        assert out[-1].choices, "the question is asked again, with its buttons"
        assert await snapshot(store) == before
    assert await talk.phase(me) == phase


async def test_a_long_answer_is_clipped_not_refused(talk: Talk, store: Store, me: UserRef) -> None:
    await talk.say(me, "/timeout")
    for c in ("ret.m30", "skip", "br.next", "skip", "skip", "skip", "w.prepare", "skip"):
        await talk.press(me, c)
    assert await talk.phase(me) == "plan.topic"

    out = await talk.send(me, TextReceived("afwas " * 20_000))

    assert said(out, "nl", "text.clipped")
    assert await talk.phase(me) == "plan.perspective"
    topic = (await session_data(store, me))["plan"]["topic"]
    assert len(topic) == MAX_TEXT and topic.startswith("afwas afwas")


async def test_a_return_time_that_is_too_short_explains_and_offers_the_nearest(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock
) -> None:
    await talk.say(me, "/timeout")
    before = await snapshot(store)

    out = await talk.say(me, "5 min")

    assert said(out, "nl", "pause.too_short") and "20 min" in out[0].text and "21:30" in out[0].text
    first_id, first_label = out[0].choices[0]
    assert first_id == "ret.m20" and "21:30" in first_label
    assert await snapshot(store) == before and await talk.phase(me) == "pause.choose"

    out = await talk.press(me, first_id)
    assert said(out, "nl", "start.solo")
    assert await store.query("SELECT return_at FROM timeouts") == [(ts(clock.now()) + 20 * 60,)]


async def test_a_return_time_that_is_too_long_explains_and_offers_the_nearest(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock
) -> None:
    await talk.say(me, "/timeout")
    out = await talk.say(me, "30 uur")
    assert said(out, "nl", "pause.too_long") and "24 uur" in out[0].text
    first_id, first_label = out[0].choices[0]
    assert first_id == "ret.m1440" and "morgen 21:10" in first_label
    await talk.press(me, first_id)
    assert await store.query("SELECT return_at FROM timeouts") == [(ts(clock.now() + timedelta(hours=24)),)]


async def test_a_return_in_days_is_explained_as_too_long(talk: Talk, me: UserRef) -> None:
    await talk.say(me, "/timeout")
    out = await talk.say(me, "3 dagen")
    assert said(out, "nl", "pause.too_long")


async def test_extend_twice_with_one_extension_allowed(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock
) -> None:
    await talk.to_waiting(me)
    t0 = ts(clock.now())

    out = await talk.say(me, "/extend")
    assert said(out, "nl", "extend.ok") and "21:55" in out[0].text
    out = await talk.say(me, "/verleng")
    assert said(out, "nl", "extend.none_left")

    assert await store.query("SELECT return_at, extensions_used FROM timeouts") == [(t0 + 45 * 60, 1)]
    assert sorted(await store.query("SELECT kind, due_at FROM timers")) == [
        ("missed", t0 + 75 * 60), ("prepare", t0 + 35 * 60), ("reping", t0 + 60 * 60), ("return", t0 + 45 * 60)]
    assert await talk.phase(me) == "waiting"


async def test_ready_before_the_minimum_is_refused_kindly(
    talk: Talk, store: Store, me: UserRef, clock: ManualClock
) -> None:
    await talk.to_waiting(me)
    clock.advance(timedelta(minutes=5))
    before = await snapshot(store)

    out = await talk.say(me, "/ready")

    assert said(out, "nl", "ready.too_soon") and "21:30" in out[0].text
    assert await snapshot(store) == before and await talk.phase(me) == "waiting"

    clock.advance(timedelta(minutes=15))  # 20 minutes in: allowed now
    out = await talk.say(me, "/klaar")
    assert said(out, "nl", "return.card")
    assert await store.query("SELECT status FROM timeouts") == [("returned",)]
    assert await store.query("SELECT kind FROM timers") == [("after",)]


async def test_a_second_timeout_while_one_runs_keeps_the_first(talk: Talk, store: Store, me: UserRef) -> None:
    await talk.to_waiting(me)
    before = await snapshot(store)

    out = await talk.say(me, "/pauze")

    assert said(out, "nl", "timeout.already") and "21:40" in out[0].text
    assert await snapshot(store) == before and await talk.phase(me) == "waiting"


async def test_two_people_never_see_each_others_state(
    talk: Talk, store: Store, person: Callable[..., UserRef], clock: ManualClock
) -> None:
    sam, ann = person("sam"), person("ann", locale="en")
    await talk.to_waiting(sam)
    await talk.say(sam, "Ik wil hem zeggen dat hij nooit luistert")  # kept privately, pending

    out = await talk.say(ann, "/status")
    assert said(out, "en", "status.none")
    assert await talk.phase(ann) == "idle"

    await talk.say(ann, "/timeout")
    await talk.press(ann, "ret.m60")
    assert "22:10" in (await talk.say(ann, "/status"))[0].text
    assert "21:40" in (await talk.say(sam, "/status"))[0].text
    assert await talk.phase(sam) == "waiting" and await talk.phase(ann) == "pause.tension"

    rows = await store.query("SELECT u.external_id, t.return_at FROM timeouts t JOIN users u ON u.id = t.initiator")
    assert sorted(rows) == [("ann", ts(clock.now()) + 3600), ("sam", ts(clock.now()) + 1800)]
    assert "luistert" not in json.dumps(await session_data(store, ann))
    # A button from sam's screen pressed by ann only touches ann.
    before_sam = await session_data(store, sam)
    await talk.press(ann, "keep.yes")
    assert await session_data(store, sam) == before_sam


async def test_a_stray_error_in_the_step_is_answered_kindly_and_keeps_the_state(
    talk: Talk, store: Store, me: UserRef, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken invariant (simulated: nothing real raises any more) must not lose the state or leak text."""
    from bot.core import flow

    await talk.to_waiting(me)
    before = await store.query("SELECT data FROM sessions")

    def broken(*args: object) -> None:
        raise ValueError("invalid literal for int(): 'SECRET-TYPED-TEXT'")

    monkeypatch.setattr(flow, "step", broken)
    out = await talk.say(me, "SECRET-TYPED-TEXT")
    assert said(out, "nl", "error.step")
    assert await store.query("SELECT data FROM sessions") == before
    assert "SECRET-TYPED-TEXT" not in caplog.text and "ValueError" in caplog.text


async def test_a_newcomer_who_writes_before_start_is_welcomed_and_answered(
    talk: Talk, store: Store, person: Callable[..., UserRef]
) -> None:
    """Issue 14: the first words someone ever sends get a welcome first, then the answer to what they wrote (the
    last message, with its buttons); only the first time, and not for a command."""
    new = person("nieuw")
    out = await talk.dialogue.handle(new, event_from_text("'k pak efkes nen time-out"))
    assert len(out) == 2 and said(out[:1], "nl", "welcome.newcomer") and not out[0].choices
    assert said(out[1:], "nl", "pause.when") and ids(out[1:])[0].startswith("ret.m")
    out = await talk.dialogue.handle(new, event_from_text("/stop"))
    out = await talk.dialogue.handle(new, event_from_text("hoi"))
    assert not said(out, "nl", "welcome.newcomer") and ids(out) == ["go.timeout", "go.breathe", "safety"]
    other = person("ander")
    out = await talk.dialogue.handle(other, event_from_text("/status"))
    assert not said(out, "nl", "welcome.newcomer") and said(out, "nl", "status.none")


async def test_alone_the_reworded_message_is_sent_back_and_never_stored(
    talk: Talk, store: Store, me: UserRef, db_path: Path
) -> None:
    """Issue 15: once per time-out the message for the partner can be put in one's own words; those words are
    in the reply only: no row and no byte of the database file (or its WAL) holds them."""
    await talk.say(me, "/timeout")
    await talk.press(me, "ret.m30")
    out = await talk.press(me, "sn.edit")
    assert said(out, "nl", "solo.edit_ask") and await talk.phase(me) == "notice.edit"
    words = "ZEBRA-REWORD-4711 ik ben te boos om te praten, om 21:40 ben ik terug"
    out = await talk.say(me, words)
    assert said(out, "nl", "solo.edit_ready") and words in [o.text for o in out]
    assert ids(out)[:1] == ["link.share"] and await talk.phase(me) == "pause.tension"
    assert said(await talk.press(me, "sn.edit"), "nl", "solo.edit_once")
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        if path.exists():
            assert b"ZEBRA-REWORD" not in path.read_bytes(), path
    out = await talk.say(me, "/timeout")  # still on the break: the message is not offered again
    assert not said(out, "nl", "notice.solo")
