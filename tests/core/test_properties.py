"""Properties over random event sequences: never raise, keep the invariants, keep private words private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import flow
from bot.core.effects import Msg, Notify, Reply, StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired
from bot.core.model import Contract, Person, State
from bot.i18n import Renderer
from bot.reader import read

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
ME, PARTNER = Person(1, "en", "Europe/Amsterdam", "NL", "Sam"), Person(2, "nl", "Europe/Amsterdam", "NL", "Robin")
CONTRACT = Contract()
COMMANDS = [*flow.COMMANDS, "frobnicate", "pair", ""]
SECRET = "zebra-secret-words"
TEXTS = ["20 min", "half uur", "morgen 9", "7", "11", f"{SECRET} I felt awful", "ik neem een time-out", "",
         "x" * 5000, "\x00\x1b[31m", "klaar", "Ik ben bang", "hij sloeg me"]

action = st.one_of(
    st.tuples(st.just("cmd"), st.sampled_from(COMMANDS), st.sampled_from(["", "en", "nl", "Europe/London", "??"])),
    st.tuples(st.just("pick"), st.integers(0, 30), st.just("")),
    st.tuples(st.just("press"), st.text(max_size=70), st.just("")),
    st.tuples(st.just("say"), st.sampled_from(TEXTS), st.just("")),
    st.tuples(st.just("say"), st.text(max_size=300), st.just("")),
    st.tuples(st.just("wait"), st.integers(0, 24 * 60), st.just("")),
)

RENDER = {loc: Renderer(loc, "Europe/Amsterdam", T0) for loc in ("nl", "en")}


def strings_in(m: Msg) -> list[str]:
    out = []
    for _, v in m.params:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, Msg):
            out += strings_in(v)
        elif isinstance(v, tuple):
            for x in v:
                out += strings_in(x)
    return out


def check_effects(effects, hold_before: bool, hold_after: bool) -> None:
    for e in effects:
        if isinstance(e, Reply | Notify):
            for r in RENDER.values():  # every key exists in both catalogs and every placeholder is filled
                r.text(e.msg)
                for c in e.choices:
                    r.label(c)
                    assert len(c.id.encode()) <= 64
        if isinstance(e, Notify):
            assert e.to == PARTNER.id
            # the partner never receives the person's own words: only the bot's sentences, a name and times
            assert all(SECRET not in s for s in strings_in(e.msg))
            assert all(s in ("Sam", "") for s in strings_in(e.msg))
            assert not (hold_before and hold_after), "nothing reaches the partner while not safe"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, max_size=40), st.booleans())
def test_random_sequences_keep_the_invariants(actions, paired):
    now = T0
    state = State()
    timers: dict[str, StartTimer] = {}
    last_choices: list[str] = []
    seen_active: set[str] = set()
    for kind, a, b in actions:
        event: Event
        if kind == "cmd":
            event = CommandReceived(str(a), str(b))
        elif kind == "pick":
            event = ChoiceMade(last_choices[int(a) % len(last_choices)] if last_choices else "x")
        elif kind == "press":
            event = ChoiceMade(str(a))
        elif kind == "say":
            event = TextReceived(str(a), read(str(a)))
        else:
            now += timedelta(minutes=int(a))
            due = sorted((t for t in timers.values() if t.user == ME.id and t.at <= now), key=lambda t: t.at)
            if not due:
                continue
            t = due[0]
            del timers[t.id]
            event = TimerFired(t.kind, t.timeout_id, t.at)
        ctx = flow.Ctx(now, ME, PARTNER if paired else None, CONTRACT)
        hold_before = state.session.safety_hold
        result = flow.step(state, event, ctx)
        check_effects(result.effects, hold_before, result.state.session.safety_hold)
        for e in result.effects:
            if isinstance(e, StartTimer):
                timers[e.id] = e
            elif hasattr(e, "kind") and type(e).__name__ == "CancelTimer":
                timers.pop(e.id, None)
        replies = [e for e in result.effects if isinstance(e, Reply)]
        if replies and any(r.choices for r in replies):
            last_choices = [c.id for r in replies for c in r.choices]
        old, new = state.timeout, result.state.timeout
        if old is not None and new is not None and old.id != new.id:
            assert not old.status.active, "at most one active time-out per person"
        t = new
        if t is not None and t.status.active:
            seen_active.add(t.id)
            assert t.started_at + CONTRACT.min_break <= t.return_at <= t.started_at + CONTRACT.max_break
            assert t.extensions_used <= CONTRACT.extensions
        state = result.state
