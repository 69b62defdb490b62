"""/patterns: counts per window, gentle observations, and every key rendering in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import patterns
from bot.core.effects import Msg
from bot.core.feelings import FEELINGS
from bot.core.model import Fact, TimeoutStatus
from bot.i18n import LOCALES, Renderer, catalog, placeholders

NOW = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
RENDER = {loc: Renderer(loc, "Europe/Amsterdam", NOW) for loc in LOCALES}


def fact(days: float, status: str = "returned", *, mine: bool = True, extended: bool = False,
         before: int | None = None, after: int | None = None, feeling: str | None = None,
         under: str | None = None, ext_me: bool = False, ext_partner: bool = False) -> Fact:
    return Fact(NOW - timedelta(days=days), mine, status, extended, None, before, after, feeling, under,
                ext_me, ext_partner)


def walk(msg: Msg) -> list[Msg]:
    """The message and every message nested in it."""
    out = [msg]
    for _, v in msg.params:
        if isinstance(v, Msg):
            out += walk(v)
        elif isinstance(v, tuple):
            for m in v:
                out += walk(m)
    return out


def emitted(msg: Msg) -> set[str]:
    return {m.key for m in walk(msg)}


def params(msg: Msg) -> dict[str, object]:
    return dict(msg.params)


def window(msg: Msg, days: int) -> Msg:
    [found] = [m for m in walk(msg) if m.key == "patterns.window" and params(m)["days"] == days]
    return found


def line(win: Msg, key: str) -> Msg | None:
    lines = params(win)["lines"]
    assert isinstance(lines, tuple)
    return next((m for m in lines if m.key == key), None)


def counts(win: Msg, key: str) -> dict[str, object]:
    found = line(win, key)
    assert found is not None, key
    return params(found)


def started(win: Msg) -> object:
    found = line(win, "patterns.started") or line(win, "patterns.started_paired")
    assert found is not None
    count = params(found)["count"]
    assert isinstance(count, Msg)
    return params(count)["n"]


def notes(msg: Msg) -> set[str]:
    return {m.key for m in walk(msg) if m.key.startswith("patterns.note.")}


def render_both(msg: Msg) -> dict[str, str]:
    return {loc: r.text(msg) for loc, r in RENDER.items()}


# --- counts ---------------------------------------------------------------------------------------------


def test_windows_count_facts_at_10_40_and_100_days():
    msg = patterns.summary((fact(10), fact(40), fact(100)), NOW, paired=False)
    assert started(window(msg, 30)) == 1
    assert started(window(msg, 90)) == 2
    text = render_both(msg)["en"]
    assert "Last 30 days:\n• 1 time-out\n" in text
    assert "Last 90 days:\n• 2 time-outs\n" in text


def test_an_empty_window_says_so():
    msg = patterns.summary((fact(40),), NOW, paired=True)
    assert line(window(msg, 30), "patterns.window_empty") is not None
    assert started(window(msg, 90)) == 1


def test_started_by_me_and_by_the_partner():
    facts = (fact(1), fact(2), fact(3, mine=False), fact(50, mine=False))
    msg = patterns.summary(facts, NOW, paired=True)
    month = counts(window(msg, 30), "patterns.started_paired")
    quarter = counts(window(msg, 90), "patterns.started_paired")
    assert (month["mine"], month["theirs"], quarter["mine"], quarter["theirs"]) == (2, 1, 2, 2)
    assert "• 4 time-outs: 2 started by you, 2 by your partner" in render_both(msg)["en"]
    assert "2 door jou, 1 door je partner" in render_both(msg)["nl"]
    assert "Je gevoelens ziet alleen jij." in render_both(msg)["nl"]


def test_not_paired_hides_the_partner_counts():
    facts = (fact(1), fact(2, mine=False))
    msg = patterns.summary(facts, NOW, paired=False)
    keys = emitted(msg)
    assert "patterns.started_paired" not in keys and "patterns.private" not in keys
    assert counts(window(msg, 30), "patterns.started")
    assert started(window(msg, 30)) == 2
    for text in render_both(msg).values():
        counts_only = text.split("What I notice")[0].split("Wat me opvalt")[0]
        assert "partner" not in counts_only.split("For a calm moment")[0].split("Voor een rustig moment")[0]


def test_returns_on_time_extended_missed_and_cancelled_apart():
    facts = (
        fact(1), fact(2), fact(3, extended=True), fact(4, "missed"), fact(5, "missed", extended=True),
        fact(6, "cancelled"), fact(7, "running"), fact(60, "returned", extended=True),
    )
    msg = patterns.summary(facts, NOW, paired=True)
    assert counts(window(msg, 30), "patterns.returns") == {"on_time": 2, "extended": 1, "missed": 2}
    assert counts(window(msg, 30), "patterns.cancelled") == {"n": 1}
    assert counts(window(msg, 90), "patterns.returns") == {"on_time": 2, "extended": 2, "missed": 2}
    assert started(window(msg, 30)) == 7
    assert "• Terugkomen: 2 op tijd, 1 na verlengen, 2 gemist\n• Eerder gestopt: 1" in render_both(msg)["nl"]


def test_no_return_line_when_nothing_has_returned_or_missed_yet():
    msg = patterns.summary((fact(1, "running"),), NOW, paired=True)
    assert "patterns.returns" not in emitted(msg) and "patterns.cancelled" not in emitted(msg)


# --- tension --------------------------------------------------------------------------------------------


def test_tension_average_uses_only_time_outs_with_both_scores():
    facts = (fact(1, before=7, after=3), fact(2, before=8, after=3), fact(3, before=8, after=4),
             fact(4, before=10), fact(5, after=0), fact(6, before=11, after=2))
    msg = patterns.summary(facts, NOW, paired=False)
    tension = counts(window(msg, 30), "patterns.tension")
    assert tension == {"before": Msg.of("patterns.decimal", whole=7, tenth=7),
                       "after": Msg.of("patterns.decimal", whole=3, tenth=3)}
    texts = render_both(msg)
    assert "7,7 → 3,3" in texts["nl"] and "7.7 → 3.3" in texts["en"]


def test_tension_rounds_half_up_to_one_decimal():
    assert patterns.tenths(25, 4) == 63  # 6.25
    assert patterns.tenths(13, 2) == 65  # 6.5
    assert patterns.tenths(10, 3) == 33
    assert patterns.tenths(0, 5) == 0


def test_no_tension_line_without_both_scores():
    msg = patterns.summary((fact(1, before=8), fact(2, after=2)), NOW, paired=False)
    assert "patterns.tension" not in emitted(msg)


def test_dropping_tension_is_acknowledged():
    calm = (fact(1, before=8, after=4), fact(8, before=7, after=5))
    assert "patterns.note.calmer" in notes(patterns.summary(calm, NOW, paired=False))
    flat = (fact(1, before=8, after=8), fact(8, before=7, after=6))
    assert "patterns.note.calmer" not in notes(patterns.summary(flat, NOW, paired=False))
    once = (fact(1, before=9, after=2),)
    assert "patterns.note.calmer" not in notes(patterns.summary(once, NOW, paired=False))


# --- feelings -------------------------------------------------------------------------------------------


def test_top_three_feelings_with_under_winning():
    facts = (
        fact(1, feeling="angry", under="hurt"), fact(2, feeling="angry", under="hurt"),
        fact(3, feeling="angry"), fact(4, feeling="lonely"), fact(5, feeling="frustrated", under="lonely"),
        fact(6, feeling="sad"), fact(7, feeling="not-a-feeling"), fact(8, feeling="angry", under="bogus"),
    )
    msg = patterns.summary(facts, NOW, paired=False)
    shown = [params(m) for m in walk(window(msg, 30)) if m.key == "patterns.feeling"]
    assert [(p["feeling"], p["n"]) for p in shown] == [
        (Msg.of("feeling.angry"), 2), (Msg.of("feeling.hurt"), 2), (Msg.of("feeling.lonely"), 2)]
    assert "feeling.frustrated" not in emitted(msg) and "feeling.sad" not in emitted(msg)
    texts = render_both(msg)
    assert "boos (2×), gekwetst (2×) en eenzaam (2×)" in texts["nl"]
    assert "angry (2×), hurt (2×) and lonely (2×)" in texts["en"]


def test_one_and_two_feelings_read_as_a_list():
    one = patterns.summary((fact(1, feeling="afraid"),), NOW, paired=False)
    assert "Wat je het vaakst noemde: bang (1×)" in render_both(one)["nl"]
    two = patterns.summary((fact(1, feeling="afraid"), fact(2, feeling="sad"), fact(3, feeling="sad")), NOW, False)
    assert "sad (2×) and afraid (1×)" in render_both(two)["en"]


# --- observations ---------------------------------------------------------------------------------------


def test_missed_returns_are_counted_in_the_window_not_only_in_a_row():
    # weeks 3 and 5 missed, returns kept in between and since: still seen
    facts = (fact(1), fact(10), fact(18, "missed"), fact(25), fact(33, "missed"), fact(40))
    msg = patterns.summary(facts, NOW, paired=True)
    [note] = [m for m in walk(msg) if m.key == "patterns.note.silence"]
    assert params(note) == {"n": 2, "total": 6, "days": 90}
    texts = render_both(msg)
    assert "Van de 6 time-outs in de afgelopen 90 dagen eindigden er 2 zonder terugkomen." in texts["nl"]
    assert "2 of the 6 time-outs in the last 90 days ended without coming back." in texts["en"]
    assert "relatietherapeut" in texts["nl"] and "huisarts" in texts["nl"] and "/afspraken" in texts["nl"]
    assert "couples therapist" in texts["en"] and "silence" in texts["en"]


def test_silence_note_needs_two_missed_returns_within_90_days():
    cases = [
        (fact(1), fact(2, "missed"), fact(3), fact(4)),  # only one
        (fact(1, "missed"), fact(95, "missed"), fact(120, "missed")),  # the others are older than 90 days
        (fact(1, "cancelled"), fact(2, "cancelled"), fact(3, "running")),  # ended early or still running
    ]
    for facts in cases:
        assert "patterns.note.silence" not in notes(patterns.summary(facts, NOW, paired=True)), facts


def test_a_running_time_out_does_not_hide_the_missed_ones():
    facts = (fact(0.01, "running"), fact(1, "missed"), fact(2, "missed"), fact(3, "missed"), fact(4, "missed"))
    msg = patterns.summary(facts, NOW, paired=True)
    [note] = [m for m in walk(msg) if m.key == "patterns.note.silence"]
    assert params(note) == {"n": 4, "total": 5, "days": 90}


# --- who starts, who extends -------------------------------------------------------------------------------


def test_who_asked_extra_time_is_shown_to_a_couple():
    facts = (fact(1, extended=True, ext_me=True), fact(2, mine=False, extended=True, ext_partner=True),
             fact(3, mine=False, extended=True, ext_me=True, ext_partner=True), fact(50, extended=True, ext_me=True))
    msg = patterns.summary(facts, NOW, paired=True)
    assert counts(window(msg, 30), "patterns.extended_paired") == {"mine": 2, "theirs": 2}
    assert counts(window(msg, 90), "patterns.extended_paired") == {"mine": 3, "theirs": 2}
    assert "• Extra time asked: 3× by you, 2× by your partner" in render_both(msg)["en"]
    assert "• Extra tijd gevraagd: 3× door jou, 2× door je partner" in render_both(msg)["nl"]
    alone = patterns.summary(facts, NOW, paired=False)
    assert "patterns.extended_paired" not in emitted(alone)
    none = patterns.summary((fact(1), fact(2, mine=False)), NOW, paired=True)
    assert "patterns.extended_paired" not in emitted(none)


# --- late at night --------------------------------------------------------------------------------------

AMS = "Europe/Amsterdam"


def at_local(day: int, hh: int, mm: int = 0, status: str = "returned") -> Fact:
    """A time-out started `day` days ago at hh:mm Amsterdam time (NOW is 21:10 there, in winter: UTC+1)."""
    base = datetime(2026, 11, 20, hh, mm, tzinfo=timezone(timedelta(hours=1)))
    return Fact(base - timedelta(days=day), True, status, False)


def test_fights_late_at_night_are_noticed_with_tomorrow_morning_as_the_return():
    facts = (at_local(2, 23, 30), at_local(9, 22, 15), at_local(16, 1, 40), at_local(20, 18), at_local(30, 12))
    assert patterns.late_at_night(facts, AMS) == 3
    msg = patterns.summary(facts, NOW, paired=True, tz=AMS)
    [note] = [m for m in walk(msg) if m.key == "patterns.note.late"]
    assert params(note) == {"n": 3, "total": 5}
    texts = render_both(msg)
    assert "morgenochtend" in texts["nl"] and "tomorrow morning" in texts["en"]
    assert "For a calm moment:\nWhat could you agree for fights late at night?" in texts["en"]


def test_late_is_local_time_and_needs_a_pattern():
    evening_utc = (at_local(2, 20, 30), at_local(9, 20, 45), at_local(16, 20))  # 20:xx in Amsterdam
    assert patterns.late_at_night(evening_utc, AMS) == 0
    assert patterns.late_at_night(evening_utc, "Asia/Tokyo") == 3  # the same moments: 04:xx in Tokyo
    assert "patterns.note.late" not in notes(patterns.summary(evening_utc, NOW, paired=True, tz=AMS))
    once = (at_local(2, 23), at_local(5, 12), at_local(9, 13))
    assert "patterns.note.late" not in notes(patterns.summary(once, NOW, paired=True, tz=AMS))
    few = (at_local(2, 23), at_local(3, 23), *(at_local(d, 12) for d in range(4, 12)))  # 2 of 10
    assert "patterns.note.late" not in notes(patterns.summary(few, NOW, paired=True, tz=AMS))
    edge = (at_local(2, 21, 0), at_local(3, 4, 59), at_local(4, 5, 0))
    assert patterns.late_at_night(edge, AMS) == 2


# --- a question for a calm moment ---------------------------------------------------------------------------


def reflection(msg: Msg) -> str:
    [r] = [m for m in walk(msg) if m.key == "patterns.reflect"]
    question = params(r)["question"]
    assert isinstance(question, Msg)
    return question.key


def test_every_overview_ends_with_a_question_for_a_calm_moment_that_fits():
    assert reflection(patterns.summary((fact(3),), NOW, True)) == "patterns.reflect.helped"
    busy = (fact(20), fact(22), fact(26.5))
    assert reflection(patterns.summary(busy, NOW, True)) == "patterns.reflect.trigger"
    late = (at_local(2, 23, 30), at_local(9, 22, 15))
    assert reflection(patterns.summary(late, NOW, True, AMS)) == "patterns.reflect.late"
    missed = (*late, fact(3, "missed"), fact(4, "missed"))
    assert reflection(patterns.summary(missed, NOW, True, AMS)) == "patterns.reflect.return"
    texts = render_both(patterns.summary((fact(3),), NOW, True))
    assert texts["nl"].rstrip().endswith("Je gevoelens ziet alleen jij.")
    assert "Voor een rustig moment:\nWat hielp je de vorige keer het meest om rustig te worden?" in texts["nl"]


def test_several_time_outs_in_a_week_get_a_kind_note():
    busy = (fact(20), fact(22), fact(26.5))
    msg = patterns.summary(busy, NOW, paired=True)
    assert "patterns.note.busy_week" in notes(msg)
    assert "In één week waren er 3 time-outs." in render_both(msg)["nl"]
    spread = (fact(1), fact(9), fact(17), fact(25))
    assert "patterns.note.busy_week" not in notes(patterns.summary(spread, NOW, paired=True))
    assert patterns.busiest_week(busy) == 3


def test_often_extended_points_at_the_default_break():
    often = (fact(1, extended=True), fact(5, extended=True), fact(40, extended=True), fact(50))
    msg = patterns.summary(often, NOW, paired=True)
    [note] = [m for m in walk(msg) if m.key == "patterns.note.extended"]
    assert params(note) == {"n": 3, "total": 4}
    assert "/contract" in render_both(msg)["en"]
    seldom = (fact(1, extended=True), fact(5, extended=True), fact(40, extended=True), fact(50), fact(60), fact(70),
              fact(80))
    assert "patterns.note.extended" not in notes(patterns.summary(seldom, NOW, paired=True))


def test_a_quiet_history_has_no_notes():
    msg = patterns.summary((fact(3), fact(40)), NOW, paired=True)
    assert msg.key == "patterns.summary" and not notes(msg)


# --- nothing yet ----------------------------------------------------------------------------------------


def test_no_facts_gives_the_nothing_yet_message():
    msg = patterns.summary((), NOW, paired=True)
    assert msg == Msg.of("patterns.empty")
    texts = render_both(msg)
    assert texts["nl"].startswith("Nog niets") and texts["en"].startswith("Nothing")


def test_only_old_facts_say_nothing_recent():
    msg = patterns.summary((fact(100), fact(200)), NOW, paired=False)
    assert msg == Msg.of("patterns.none_recent", days=90)
    assert "90" in render_both(msg)["nl"]


# --- keys and catalogs ----------------------------------------------------------------------------------

SCENARIOS = (
    (),
    (fact(100),),
    (fact(1),),
    (fact(1, "missed"), fact(2, "missed"), fact(3, "missed"), fact(4, "cancelled"), fact(5, extended=True),
     fact(6, extended=True), fact(7, extended=True), fact(8, before=9, after=3, feeling="angry", under="afraid"),
     fact(9, before=8, after=2, feeling="lonely"), fact(40, feeling="hurt"), fact(41, mine=False, feeling="sad")),
)


def test_every_emitted_key_is_listed_in_keys():
    for facts in SCENARIOS:
        for paired in (False, True):
            assert emitted(patterns.summary(facts, NOW, paired)) <= patterns.keys()


def test_every_listed_key_is_in_both_catalogs_with_the_same_placeholders():
    nl, en = catalog("nl"), catalog("en")
    for key in sorted(patterns.keys()):
        assert key in nl and key in en, key
        assert placeholders(nl[key]) == placeholders(en[key]), key
    own = {k for k in en if k.startswith("patterns.")} | {k for k in nl if k.startswith("patterns.")}
    assert own <= patterns.keys(), own - patterns.keys()


def test_every_scenario_renders_in_both_languages():
    for facts in SCENARIOS:
        for paired in (False, True):
            for text in render_both(patterns.summary(facts, NOW, paired)).values():
                assert text and "{" not in text


# --- property -------------------------------------------------------------------------------------------

NAIVE = NOW.replace(tzinfo=None)  # hypothesis bounds are naive; the zones make the values aware
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7, minutes=-30))])
STATUSES = st.sampled_from([*(s.value for s in TimeoutStatus), "weird", ""])
WORDS = st.one_of(st.none(), st.sampled_from([*FEELINGS, "nonsense", ""]))
SCORES = st.one_of(st.none(), st.integers(-5, 15))

facts_st = st.builds(
    Fact,
    started_at=st.datetimes(NAIVE - timedelta(days=400), NAIVE + timedelta(days=40), timezones=ZONES),
    started_by_me=st.booleans(),
    status=STATUSES,
    extended=st.booleans(),
    outcome=st.one_of(st.none(), st.sampled_from(["good", "so_so", "not_good", "not_safe"])),
    tension_start=SCORES,
    tension_after=SCORES,
    feeling=WORDS,
    under=WORDS,
    extended_by_me=st.booleans(),
    extended_by_partner=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(facts_st, max_size=25).map(tuple), st.booleans())
def test_random_histories_never_raise_and_always_render(facts, paired):
    msg = patterns.summary(facts, NOW, paired, "America/St_Johns")
    assert emitted(msg) <= patterns.keys()
    for text in render_both(msg).values():
        assert text.strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(facts_st, max_size=40).map(tuple), st.booleans())
def test_random_histories_give_a_chart_whose_counts_add_up(facts, paired):
    c = patterns.chart(facts, NOW, paired, "Pacific/Chatham")
    shown = [f for f in facts if f.started_at >= NOW - timedelta(weeks=patterns.CHART_WEEKS)]
    if not shown:
        assert c is None
        return
    assert c is not None and len(c.weeks) == patterns.CHART_WEEKS and c.total == len(shown)
    assert c.started_by_me + c.started_by_partner == c.total
    assert c.on_time + c.extended + c.missed <= c.total
    assert c.extended_by_me <= c.total and c.extended_by_partner <= c.total
    assert (c.tension_before is None) == (c.tension_after is None)
    for t in (c.tension_before, c.tension_after):
        assert t is None or 0 <= t <= 100
