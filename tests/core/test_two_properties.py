"""Both partners at once: random interleavings of their commands, buttons (the ones offered, and mutations of
them), texts and timers, through the real step. Invariants of issue 11, and a differential test for tells."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived
from bot.core.flow.build import NO_PLAN
from bot.core.model import Contract, TimeoutStatus
from bot.reader import read

from .conftest import Two

COMMANDS = ["timeout", "pauze", "status", "extend", "ready", "klaar", "cancel", "stop", "breathe", "skip",
            "help", "safety", "check", "frobnicate"]
TEXTS = ["20 min", "morgen 9", "7", "11", "ik voel me zo alleen", "ik neem een time-out", "klaar", "x" * 5000,
         "ik ben bang", "hij sloeg me", "²", "9" * 20, "waarom doe je dit nou", "'k pak efkes nen time-out", "kwaad",
         "hulp", "triestig"]
STARTS = frozenset({"timeout", "pauze"})

IDS = ["r.ready", "r.talking", "r.more", "w.ready", "w.cancel", "w.cancel.yes", "w.extend", "w.breathe", "keep.yes",
       "p.start", "br.next", "t.3", "again", "ret.m20", "ret.m60", "go.timeout", "safety.continue", "sa.yes",
       "w.prepare", "pr.go", "pr.later", "op.use", "so.walk", "so.again", "so.on", "br.m5", "t.9"]
act = st.one_of(
    st.tuples(st.sampled_from([1, 2]), st.just("press_id"), st.sampled_from(IDS)),
    st.tuples(st.sampled_from([1, 2]), st.just("press_id"), st.sampled_from(IDS)),
    st.tuples(st.sampled_from([1, 2]), st.just("cmd"), st.sampled_from(COMMANDS)),
    st.tuples(st.sampled_from([1, 2]), st.just("pick"), st.integers(0, 40)),
    st.tuples(st.sampled_from([1, 2]), st.just("mutate"), st.integers(0, 40)),
    st.tuples(st.sampled_from([1, 2]), st.just("say"), st.sampled_from(TEXTS)),
    st.tuples(st.just(0), st.just("wait"), st.integers(0, 200)),
    st.tuples(st.just(0), st.just("wait"), st.integers(0, 20)),
)
START = st.sampled_from([1, 2]).map(lambda who: [(who, "cmd", "timeout"), (who, "press_id", "ret.m30")])
"""Most runs begin with a time-out, so that both partners act inside one."""
MUTATIONS = (lambda c: c + "x", lambda c: c.replace("3", "²"), lambda c: c[:-1], lambda c: c + "9" * 20,
             lambda c: "ct.accept.²", lambda c: "ret.m" + "9" * 12)


def event_for(two: Two, who: int, kind: str, arg: object) -> Event | None:
    if kind == "cmd":
        return CommandReceived(str(arg))
    if kind == "press_id":
        return ChoiceMade(str(arg))
    if kind == "say":
        return TextReceived(str(arg), read(str(arg)))
    offered = two.choices(who)
    if not offered:
        return None
    choice = offered[int(arg) % len(offered)]  # type: ignore[call-overload]
    if kind == "mutate":
        choice = MUTATIONS[int(arg) % len(MUTATIONS)](choice)  # type: ignore[call-overload]
    return ChoiceMade(choice)


def run(two: Two, actions: list[tuple[int, str, object]], check: bool = True) -> None:
    if check:
        watch_prepare(two)
    for who, kind, arg in actions:
        if kind == "wait":
            two.wait(timedelta(minutes=int(arg)))  # type: ignore[call-overload]
            if check:
                closed_words_are_gone(two)
            continue
        ev = event_for(two, who, kind, arg)
        if ev is None:
            continue
        before = {t.id: t for t in two.timeouts.values()}
        two.step(who, ev)
        if check:
            after = {t.id: t for t in two.timeouts.values()}
            nobody_changes_the_others_break(two, who, before, after)
            closed_words_are_gone(two)
            within_the_contract(two)


def watch_prepare(two: Two) -> None:
    """The prepare reminder (a timer of each member) never speaks after a safety signal, on the safety screen,
    or to someone not waiting in that time-out; it only ever offers the plan."""
    from bot.core.events import TimerFired, TimerKind
    from bot.core.flow.build import SAFE_PHASES
    from bot.core.model import Phase

    step = two.step

    def checked(uid: int, event: Event):  # type: ignore[no-untyped-def]
        before = two.sessions[uid]
        t = two.timeouts.get(event.timeout_id) if isinstance(event, TimerFired) else None
        out = step(uid, event)
        if isinstance(event, TimerFired) and event.kind is TimerKind.PREPARE:
            keys = [m.key for _, m, _ in out]
            assert keys in ([], ["prepare.ask"]), keys
            if keys:
                assert t is not None and uid not in t.hushed and before.phase not in SAFE_PHASES
                assert before.phase is Phase.WAITING and before.timeout_id == t.id and not before.plan.prepared
                assert two.sessions[uid] == before  # it only asks: nothing changes until they answer
        return out

    two.step = checked  # type: ignore[method-assign]


def nobody_changes_the_others_break(two: Two, who: int, before: dict, after: dict) -> None:
    for tid, old in before.items():
        new = after[tid]
        if who == old.partner:  # the one left behind never moves, extends or ends the initiator's break
            assert (new.return_at, new.extensions_used) == (old.return_at, old.extensions_used)
            if old.status is TimeoutStatus.RUNNING and two.now < old.return_at:
                assert new.status.active or new.partner is None, "the partner ended the other's break"
        if who == old.initiator and new.partner is not None:
            assert (new.partner_until, new.partner_extensions) == (old.partner_until, old.partner_extensions)


def closed_words_are_gone(two: Two) -> None:
    for t in two.timeouts.values():
        if t.status.active:
            continue
        for s in two.sessions.values():
            if s.timeout_id == t.id:
                assert s.plan == NO_PLAN and s.pending is None, "private words outlived their time-out"


def within_the_contract(two: Two) -> None:
    k = two.contract
    for t in two.timeouts.values():
        assert t.started_at + k.min_break <= t.return_at or t.status is not TimeoutStatus.RUNNING \
            or t.extensions_used or t.return_at <= t.started_at + k.min_break  # ended early after the minimum
        assert t.return_at <= t.started_at + k.max_break + k.extensions * k.extension
        assert t.extensions_used <= k.extensions and t.partner_extensions <= k.extensions


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(START, st.lists(act, max_size=45), st.booleans())
def test_random_interleavings_of_both_partners_keep_the_couple_rules(start, actions, paired):
    two = Two(paired=paired)
    run(two, start + actions)
    # every time-out closes by its latest possible end, and a new one can start for both
    two.wait(timedelta(days=3))
    assert not [t for t in two.timeouts.values() if t.status.active and two.now >= t.open_until]
    assert all(two.active(u) is None for u in (1, 2))
    for who in (1, 2):
        if two.phase(who).value in ("safety", "safety.ask"):
            two.press(who, "safety.continue" if two.phase(who).value == "safety" else "sa.yes")
        two.cmd(who, "cancel")
        two.cmd(who, "timeout")
        assert two.keys(who) == ["pause.when"], (who, two.keys(who))
        two.cmd(who, "cancel")
    closed_words_are_gone(two)


def _silent_after(actions: list[tuple[int, str, object]], who: int) -> list[tuple[int, str, object]]:
    return [a for a in actions if a[0] != who]


def _no_new_breaks(actions: list[tuple[int, str, object]], who: int) -> list[tuple[int, str, object]]:
    """After the signal the person may do anything about this time-out, but starts no new one (a new
    time-out is a new act the other is told of, signal or not)."""
    out = []
    for a in actions:
        if a[0] == who and ((a[1] == "cmd" and a[2] in STARTS) or (a[1] == "say" and "time-out" in str(a[2]))
                            or a[1] in ("pick", "mutate") or a[2] in ("again", "go.timeout", "ret.m20", "ret.m60")):
            continue
        out.append(a)
    return out


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(START, st.lists(act, max_size=20), st.lists(act, max_size=30), st.sampled_from([1, 2]),
       st.sampled_from(["press", "say", "ask"]), st.lists(st.sampled_from(
           ["safety.continue", "sa.yes", "r.ready", "r.talking", "w.ready", "w.cancel", "w.cancel.yes", "w.extend",
            "r.more", "keep.yes", "br.next", "t.3", "fg.no", "w.prepare", "pr.go", "pr.later", "so.on"]), max_size=8))
def test_a_safety_signal_looks_to_the_other_exactly_like_silence(start, before, after, who, how, presses):
    """The same interleaving twice: once the person gives a safety signal and goes on acting on the time-out,
    once they simply stop answering. The other person must receive exactly the same messages."""
    other = 3 - who
    tail = _no_new_breaks(after, who)
    signal: list[tuple[int, str, object]] = [(who, "cmd", "safety")] if how == "press" else \
        [(who, "say", "hij sloeg me")] if how == "say" else [(who, "say", "ik ben bang")]
    extra: list[tuple[int, str, object]] = [(who, "press_id", p) for p in presses]

    def play(acts: list[tuple[int, str, object]], two: Two) -> None:
        run(two, acts, check=False)

    loud, quiet = Two(), Two()
    play(start + before, loud)
    play(start + before, quiet)
    mixed = signal + [x for pair in zip(extra, tail, strict=False) for x in pair] + tail[len(extra):] \
        + extra[len(tail):]
    play(mixed, loud)
    play(_silent_after(tail, who), quiet)
    loud.wait(timedelta(days=2))
    quiet.wait(timedelta(days=2))
    assert loud.inbox[other] == quiet.inbox[other]


def test_a_long_two_person_run_with_every_button_never_raises():
    """A longer deterministic sweep: both press every button they are offered, in turn, with time moving."""
    two = Two(contract=Contract(extensions=2))
    for rnd in range(60):
        for who in (1, 2):
            offered = two.choices(who) or ["go.timeout"]
            two.press(who, offered[rnd % len(offered)])
        two.wait(timedelta(minutes=7))
    two.wait(timedelta(days=2))
    assert all(not t.status.active for t in two.timeouts.values())
