"""Stored session text: compact (only what differs from a fresh session), and every older row still loads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.codec import dump_session, load_session, session_fields
from bot.core.model import Phase, Plan, Role, Session

_text = st.none() | st.text(max_size=30)
plans = st.builds(
    Plan, st.none() | st.integers(0, 10), st.none() | st.integers(0, 10), _text, _text, _text, _text, _text,
    _text, _text, _text, st.lists(st.text(max_size=20), max_size=3).map(tuple), _text, st.booleans(),
)
sessions = st.builds(
    Session, st.sampled_from(Phase), st.none() | st.text(max_size=20), st.sampled_from(Role), plans,
    st.sampled_from(("sigh", "box", "478")), st.integers(0, 9), st.none() | st.sampled_from(Phase), _text,
    _text, st.booleans(), _text, st.lists(st.integers(0, 2**40), max_size=8).map(tuple), st.booleans(),
    st.lists(st.integers(0, 10), max_size=6).map(tuple), st.sampled_from((0, 1, 3, 5)),
)


@given(sessions)
def test_a_session_comes_back_as_it_went_in(s: Session) -> None:
    assert load_session(dump_session(s)) == s


def test_a_fresh_session_is_two_characters_and_a_busy_one_only_its_own_fields() -> None:
    assert dump_session(Session()) == "{}"
    busy = Session(Phase.BREATHE, "7-1", Role.PARTNER, Plan(6))
    assert dump_session(busy) == '{"phase":"breathe","timeout_id":"7-1","role":"partner","plan":{"tension_start":6}}'


def test_a_row_written_before_the_compact_form_loads_the_same() -> None:
    """The long form (every field, lists for tuples) that version 0.1 wrote, and unknown keys, still load."""
    old = (
        '{"phase":"waiting","timeout_id":"3-1709","role":"initiator","plan":{"tension_start":7,"tension_after":4,'
        '"feeling":"angry","feeling_text":null,"under":"hurt","need":"heard","opener":"","topic":"De vakantie",'
        '"perspective":"pf.hurt","own_part":"own.voice","kept":["Ik hou van je"]},"pattern":"sigh","rounds":0,'
        '"resume":null,"pending":null,"after_for":null,"safety_hold":false,"editing":null,"notices":[1709],'
        '"keep":true,"answers":[2,3],"gone_field":1}'
    )
    s = load_session(old)
    assert s == Session(
        Phase.WAITING, "3-1709", Role.INITIATOR,
        Plan(7, 4, "angry", None, "hurt", "heard", "", "De vakantie", "pf.hurt", "own.voice", ("Ik hou van je",)),
        notices=(1709,), answers=(2, 3),
    )
    assert load_session(dump_session(s)) == s


def test_an_export_shows_every_field_even_the_defaults() -> None:
    fields = session_fields(Session())
    assert fields["phase"] == "idle" and fields["plan"]["topic"] is None and fields["answers"] == ()
