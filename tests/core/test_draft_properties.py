"""The contract as a draft, both partners at once: random interleavings of changes, sending, showing, accepting,
rejecting, withdrawing and old or forged buttons, through the real step of both (the Two driver keeps the
contract rows as the store does, and refuses a decision on anything but the open proposal by the right one)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import contract
from bot.core.effects import Decide, Propose
from bot.core.events import ChoiceMade, CommandReceived, Event

from .conftest import Two

CHANGES = ["min 30", "min 45", "max 4h", "extensions 2", "extensions 0", "quiet 22-07", "quiet off", "notify no",
           "zin Ik stop even, het is geen nee, om tien uur ben ik terug.", "signal rode vlag", "min 5", "max ²"]
COMMANDS = ["accept", "reject", "withdraw", "akkoord", "contract"]
IDS = ["ct.send", "ct.send.0123456789", "ct.show", "ct.discard", "ct.edit", "ct.f.min", "ct.v.min.30",
       "ct.v.rules.alcohol",
       "ct.accept.7.1", "ct.accept.7.2", "ct.reject.7.3", "ct.withdraw.7.2", "ct.accept.8.2", "ct.accept.²"]

PROPOSE = st.tuples(st.sampled_from([1, 2]), st.sampled_from(CHANGES[:10])).map(
    lambda p: [(p[0], "change", p[1]), (p[0], "send", 0)])
"""A change and its sending, back to back: so that many runs have proposals to decide on."""
DECIDE = st.tuples(st.sampled_from([1, 2]), st.just("cmd"), st.sampled_from(["accept", "accept", "reject"])).map(
    lambda a: [a])
act = st.one_of(
    PROPOSE, PROPOSE, DECIDE, DECIDE,
    st.tuples(st.sampled_from([1, 2]), st.just("change"), st.sampled_from(CHANGES)).map(lambda a: [a]),
    st.tuples(st.sampled_from([1, 2]), st.just("cmd"), st.sampled_from(COMMANDS)).map(lambda a: [a]),
    st.tuples(st.sampled_from([1, 2]), st.just("press"), st.sampled_from(IDS)).map(lambda a: [a]),
    st.tuples(st.sampled_from([1, 2]), st.just("pick"), st.integers(0, 20)).map(lambda a: [a]),
    st.tuples(st.sampled_from([1, 2]), st.just("old"), st.integers(0, 200)).map(lambda a: [a]),
)


def event_for(two: Two, who: int, kind: str, arg: object, seen: list[str]) -> Event | None:
    if kind == "change":
        return CommandReceived("contract", str(arg))
    if kind == "cmd":
        return CommandReceived(str(arg))
    if kind == "press":
        return ChoiceMade(str(arg))
    if kind == "old":  # any decision button shown to anyone earlier
        return ChoiceMade(seen[int(arg) % len(seen)]) if seen else None  # type: ignore[call-overload]
    offered = two.choices(who)
    if kind == "send":  # the send button under the draft as last shown to them, if any
        return ChoiceMade(next((i for i in offered if i.startswith("ct.send.")), "ct.send.0123456789"))
    return ChoiceMade(offered[int(arg) % len(offered)]) if offered else None  # type: ignore[call-overload]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(act, min_size=6, max_size=30).map(lambda groups: [a for g in groups for a in g]))
def test_any_interleaving_counts_one_per_accepted_set_and_accepts_only_what_was_open(actions):
    two = Two()
    seen: list[str] = []  # every decision button shown so far: to press again later, stale or not
    for who, kind, arg in actions:
        ev = event_for(two, who, kind, arg, seen)
        if ev is None:
            continue
        before_number, before_contract, before_proposal = two.number, two.contract, two.proposal
        n = len(two.effects)
        got = two.step(who, ev)  # the driver asserts: no decision but on the open proposal, by the right one
        assert got, "every input gets an answer"
        new = two.effects[n:]
        decided = [e for e in new if isinstance(e, Decide)]
        accepted = [e for e in decided if e.decision == "accepted"]
        assert two.number == before_number + len(accepted)  # one up per accepted change set, never otherwise
        assert len(decided) <= 1 and len([e for e in new if isinstance(e, Propose)]) <= 1
        if accepted:
            assert before_proposal is not None and before_proposal.by != who
            assert accepted[0].version == before_proposal.version and two.contract == before_proposal.contract
            assert not contract.validate(two.contract)
        else:
            assert two.contract == before_contract  # nothing holds without the other's yes
        if isinstance(ev, ChoiceMade) and ev.choice.startswith(("ct.accept.", "ct.reject.", "ct.withdraw.")):
            open_id = before_proposal.version if before_proposal is not None else None
            named = ev.choice.rsplit(".", 1)[-1]
            if not ev.choice.startswith(f"ct.{ev.choice.split('.')[1]}.7.") or named != str(open_id):
                assert not decided and two.keys(who)[0] in ("contract.stale", "hint.stale")  # a stale button says so
        for _, _, ids in two.inbox[1] + two.inbox[2]:
            seen.extend(i for i in ids if i.startswith(("ct.accept.", "ct.reject.", "ct.withdraw.")) and i not in seen)
        for uid in (1, 2):  # a draft never reaches the other: only a sent proposal does
            assert all("draft" not in m.key for how, m, _ in two.inbox[uid] if how == "notice")
