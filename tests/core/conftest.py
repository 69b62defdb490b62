"""A small driver for the pure core: feed events, move the clock, look at state and effects."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import flow
from bot.core.effects import Effect, Msg, Notify, Reply, StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired
from bot.core.model import Contract, Person, Phase, State
from bot.reader import read

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)  # 21:10 in Amsterdam


class Driver:
    def __init__(self, me: Person | None = None, partner: Person | None = None, contract: Contract | None = None,
                 now: datetime = T0) -> None:
        self.me = me or Person(1, "en", "Europe/Amsterdam", "NL", "Sam", consented=True)
        self.partner = partner
        self.contract = contract or Contract()
        self.now = now
        self.state = State()
        self.log: list[Effect] = []
        self.last: tuple[Effect, ...] = ()

    couple = None
    invite = None
    join_failures = 0
    fresh_code = ""
    fresh = 0
    history: tuple = ()

    def ctx(self) -> flow.Ctx:
        if self.couple is not None:
            return flow.Ctx(self.now, self.me, self.couple.partner, self.couple.contract, self.couple, self.invite,
                               self.join_failures, self.fresh_code, self.history, fresh=self.fresh)
        return flow.Ctx(self.now, self.me, self.partner, self.contract, None, self.invite, self.join_failures,
                           self.fresh_code, self.history, fresh=self.fresh)

    def send(self, event: Event) -> tuple[Effect, ...]:
        result = flow.step(self.state, event, self.ctx())
        self.state = result.state
        self.last = result.effects
        self.log.extend(result.effects)
        return result.effects

    def cmd(self, name: str, arg: str = "") -> tuple[Effect, ...]:
        return self.send(CommandReceived(name, arg))

    def press(self, choice: str) -> tuple[Effect, ...]:
        return self.send(ChoiceMade(choice))

    def say(self, text: str) -> tuple[Effect, ...]:
        return self.send(TextReceived(text, read(text)))  # read as the service reads every text

    def wait(self, span: timedelta) -> list[tuple[Effect, ...]]:
        """Move the clock and fire, in due order, every timer started for this person that is now due."""
        self.now += span
        fired = []
        while True:
            due = self.pending_timers()
            ready = sorted((t for t in due.values() if t.at <= self.now), key=lambda t: t.at)
            if not ready:
                return fired
            t = ready[0]
            self._done.add((t.id, t.at))
            fired.append(self.send(TimerFired(t.kind, t.timeout_id, t.at)))

    _done: set[tuple[str, datetime]]

    def pending_timers(self) -> dict[str, StartTimer]:
        if not hasattr(self, "_done"):
            self._done = set()
        timers: dict[str, StartTimer] = {}
        from bot.core.effects import CancelTimer

        for fx in self.log:
            if isinstance(fx, StartTimer) and fx.user == self.me.id:
                timers[fx.id] = fx
            elif isinstance(fx, CancelTimer):
                timers.pop(fx.id, None)
        return {k: v for k, v in timers.items() if (k, v.at) not in self._done}

    @property
    def phase(self) -> Phase:
        return self.state.session.phase

    def replies(self, effects: tuple[Effect, ...] | None = None) -> list[Reply]:
        """The replies, a joined message (a thanks and the next question in one) read as its parts."""
        return [p for e in (self.last if effects is None else effects) if isinstance(e, Reply) for p in parts(e)]

    def messages(self, effects: tuple[Effect, ...] | None = None) -> list[Reply]:
        """The replies as sent: one per message the person gets."""
        return [e for e in (self.last if effects is None else effects) if isinstance(e, Reply)]

    def said(self, effects: tuple[Effect, ...] | None = None) -> list[str]:
        return [r.msg.key for r in self.replies(effects)]

    def choices(self) -> list[str]:
        return [c.id for r in self.replies() for c in r.choices]

    def notices(self) -> list[Notify]:
        return [e for e in self.log if isinstance(e, Notify)]

    def start(self, minutes: int = 30) -> None:
        self.cmd("timeout")
        self.press(f"ret.m{minutes}")

    def to_waiting(self) -> None:
        self.start()
        for c in ("t.8", "br.next", "t.5", "f.angry", "u.hurt", "n.heard", "w.prepare", "op.use"):
            self.press(c)
        self.say("the dishes")
        self.press("pf.hurt")
        self.press("own.voice")
        assert self.phase is Phase.WAITING


def parts(r: Reply) -> list[Reply]:
    """A joined reply as the replies it joins: all but the last ask nothing."""
    if r.msg.key != "joined":
        return [r]
    p = dict(r.msg.params)
    first, then = p["first"], p["then"]
    assert isinstance(first, Msg) and isinstance(then, Msg)
    return [*parts(Reply(first)), *parts(Reply(then, r.choices, r.pacer))]


def msg_keys(m: Msg) -> set[str]:
    out = {m.key}
    for _, v in m.params:
        if isinstance(v, Msg):
            out |= msg_keys(v)
        elif isinstance(v, tuple):
            for x in v:
                out |= msg_keys(x)
    return out


@pytest.fixture
def d() -> Driver:
    return Driver()


@pytest.fixture
def couple() -> Driver:
    return Driver(partner=Person(2, "nl", "Europe/Amsterdam", "NL", "Robin"))


__all__ = ["T0", "Driver", "Two", "msg_keys", "replace"]


@pytest.fixture
def make() -> type[Driver]:
    return Driver


class Two:
    """Two people, one couple, the real step for both (h11's ConnectionPair idea).

    A fake of what the store does around `flow.step`: each person's own session, the couple's shared
    time-out records, durable timers, and delivery (a partner notice lands in the other's inbox at once).
    Nothing is copied from one person to the other by hand.
    """

    def __init__(self, contract: Contract | None = None, now: datetime = T0, paired: bool = True) -> None:
        from bot.core.model import Session

        self.people = {1: Person(1, "en", "Europe/Amsterdam", "NL", "Sam", consented=True),
                       2: Person(2, "nl", "Europe/Amsterdam", "NL", "Robin", consented=True)}
        self.sessions = {1: Session(), 2: Session()}
        self.timeouts: dict[str, object] = {}
        self.timers: dict[str, StartTimer] = {}
        self.inbox: dict[int, list[tuple[str, Msg, tuple[str, ...]]]] = {1: [], 2: []}
        self.last: dict[int, list[tuple[str, Msg, tuple[str, ...]]]] = {1: [], 2: []}
        self.contract = contract or Contract()
        self.now = now
        self.paired = paired
        self.effects: list[Effect] = []
        # the couple's contract rows, as the store keeps them: the active one, the open proposal, the numbers
        self.couple_id = 7
        self.revision = 1 if paired else 0
        self.number = 1 if paired else 0  # accepted change sets so far
        self.proposal = None
        self.last_revision = self.revision
        self.invites: dict[str, int] = {}  # code -> owner

    # -- who is who -----------------------------------------------------------------------------------
    def ctx(self, uid: int) -> flow.Ctx:
        from bot.core.model import Couple

        other = self.people[3 - uid]
        if not self.paired:
            return flow.Ctx(self.now, self.people[uid], None, Contract(), invite=self._invite, fresh=self.fresh,
                            fresh_code=self._code, history=self.history(uid))
        couple = Couple(self.couple_id, other, self.contract, self.revision, self.proposal, self.last_revision,
                        self.number)
        return flow.Ctx(self.now, self.people[uid], other, self.contract, couple, fresh=self.fresh,
                        history=self.history(uid))

    _invite = None
    fresh = 0
    _code = ""
    _codes = 0

    def code_of(self, uid: int) -> str:
        """The invite code `uid` was given last (as /pair showed it)."""
        from bot.core import couples

        return couples.show_code(next(c for c, owner in reversed(self.invites.items()) if owner == uid))

    def _find_invite(self, event: Event):
        """What the store finds for a typed code (/join CODE): its owner and the owner's own settings."""
        from bot.core import couples
        from bot.core.model import Invite

        if not isinstance(event, CommandReceived) or event.name not in ("join", "doemee"):
            return None
        owner = self.invites.get(couples.normalise_code(event.arg) or "")
        if owner is None:
            return Invite(False)
        return Invite(True, owner, settings=self.sessions[owner].settings)

    def history(self, uid: int) -> tuple:
        """What the store reads for /patterns (store._HISTORY_SQL): this person's time-outs of the last 90 days,
        oldest first, the shared record seen from their side, with only their own recorded answers."""
        from bot.core.effects import RecordOutcome
        from bot.core.model import Fact

        own: dict[str, dict[str, object]] = {}
        for e in self.effects:
            if isinstance(e, RecordOutcome) and e.user == uid:
                row = own.setdefault(e.timeout_id, {})
                for name in ("outcome", "tension_start", "tension_after", "feeling", "under"):
                    if getattr(e, name) is not None:
                        row[name] = getattr(e, name)
        facts = []
        for t in sorted(self.timeouts.values(), key=lambda t: t.started_at):  # type: ignore[attr-defined]
            if uid not in (t.initiator, t.partner) or t.started_at < self.now - timedelta(days=90):  # type: ignore
                continue
            mine = t.initiator == uid  # type: ignore[attr-defined]
            ext, p_ext = t.extensions_used > 0, t.partner_extensions > 0  # type: ignore[attr-defined]
            r = own.get(t.id, {})  # type: ignore[attr-defined]
            facts.append(Fact(t.started_at, mine, t.status.value, ext or p_ext, r.get("outcome"),  # type: ignore
                              r.get("tension_start"), r.get("tension_after"), r.get("feeling"), r.get("under"),
                              ext if mine else p_ext, p_ext if mine else ext))
        return tuple(facts)

    def active(self, uid: int):
        """What the store finds for a person: their newest open time-out."""
        mine = [t for t in self.timeouts.values() if uid in t.members() and t.status.active  # type: ignore[attr-defined]
                and self.now < t.open_until]  # type: ignore[attr-defined]
        return max(mine, key=lambda t: t.started_at) if mine else None  # type: ignore[attr-defined]

    # -- acting ---------------------------------------------------------------------------------------
    def step(self, uid: int, event: Event) -> list[tuple[str, Msg, tuple[str, ...]]]:
        from bot.core import flow
        from bot.core.effects import CancelTimer, Release, Unpair
        from bot.core.model import State

        s = self.sessions[uid]
        if isinstance(event, TimerFired):
            t = self.timeouts.get(event.timeout_id)
        else:
            t = self.active(uid) or (self.timeouts.get(s.timeout_id) if s.timeout_id else None)
        self._invite = self._find_invite(event)
        if (isinstance(event, CommandReceived) and event.name in ("pair", "koppel")) \
                or (isinstance(event, ChoiceMade) and event.choice == "gd.pair"):
            from bot.core import couples

            self._codes += 1
            self._code = couples.new_code(self._codes.to_bytes(8, "big"))  # the shell draws it at random
        self.fresh = 8 if not self.paired else 0  # the id of a couple made in this step
        res = flow.step(State(s, t), event, self.ctx(uid))  # type: ignore[arg-type]
        self.sessions[uid] = res.state.session
        if res.state.timeout is not None:
            self.timeouts[res.state.timeout.id] = res.state.timeout
        self.last = {1: [], 2: []}
        for e in res.effects:
            self.effects.append(e)
            if isinstance(e, Reply):
                for part in parts(e):
                    self._deliver(uid, "reply", part.msg, part.choices)
            elif isinstance(e, Notify):
                self._deliver(e.to, "notice", e.msg, e.choices)
            elif isinstance(e, StartTimer):
                self.timers[e.id] = e
            elif isinstance(e, CancelTimer):
                self.timers.pop(e.id, None)
            elif isinstance(e, Release):
                self.sessions[e.user] = flow.released(self.sessions[e.user], e.timeout_id)
            elif isinstance(e, Unpair):
                self.paired = False
            else:
                self._contract_rows(uid, e)
        return self.last[uid]

    def _contract_rows(self, uid: int, e: Effect) -> None:
        """Pairing and the contract's proposals, as the store's contract rows do them."""
        from bot.core.effects import CreateInvite, Decide, Pair, Propose
        from bot.core.model import Proposal

        if isinstance(e, CreateInvite):
            self.invites[e.code] = uid
        elif isinstance(e, Pair):
            self.invites.pop(e.code, None)
            self.paired, self.couple_id = True, e.couple_id or 7
            self.contract, self.revision, self.number = Contract(), 0, 0
            self.proposal, self.last_revision = Proposal(1, e.inviter, e.first), 1
        elif isinstance(e, Propose):
            assert self.proposal is None or self.proposal.by == uid, "a proposal over the partner's open one"
            assert e.version > self.last_revision, "a revision number used twice"
            self.proposal, self.last_revision = Proposal(e.version, uid, e.contract), e.version
        elif isinstance(e, Decide):
            p = self.proposal
            assert p is not None and p.version == e.version, "a decision on a proposal that is not open"
            assert (p.by == uid) == (e.decision == "withdrawn"), "the wrong partner decided"
            if e.decision == "accepted":
                self.contract, self.revision, self.number = p.contract, p.version, self.number + 1
            self.proposal = None

    def _deliver(self, to: int, how: str, msg: Msg, choices) -> None:
        item = (how, msg, tuple(c.id for c in choices))
        self.inbox[to].append(item)
        self.last[to].append(item)

    def cmd(self, uid: int, name: str, arg: str = ""):
        return self.step(uid, CommandReceived(name, arg))

    def press(self, uid: int, choice: str):
        return self.step(uid, ChoiceMade(choice))

    def say(self, uid: int, text: str):
        return self.step(uid, TextReceived(text, read(text)))

    def wait(self, span: timedelta) -> None:
        """Move the clock, firing every due timer in due order (ties by id), as the dispatcher would."""
        end = self.now + span
        while True:
            due = sorted((t for t in self.timers.values() if t.at <= end), key=lambda t: (t.at, t.id))
            if not due:
                break
            t = due[0]
            del self.timers[t.id]
            self.now = max(self.now, t.at)
            self.step(t.user, TimerFired(t.kind, t.timeout_id, t.at))
        self.now = end

    # -- looking --------------------------------------------------------------------------------------
    def keys(self, uid: int, items=None) -> list[str]:
        return [m.key for _, m, _ in (self.last[uid] if items is None else items)]

    def all_keys(self, uid: int) -> list[str]:
        return [m.key for _, m, _ in self.inbox[uid]]

    def choices(self, uid: int) -> list[str]:
        """The buttons of the last message to `uid` that had any."""
        for _, _, ids in reversed(self.inbox[uid]):
            if ids:
                return list(ids)
        return []

    def phase(self, uid: int) -> Phase:
        return self.sessions[uid].phase

    def timeout(self):
        return max(self.timeouts.values(), key=lambda t: t.started_at) if self.timeouts else None  # type: ignore

    def take(self, uid: int, minutes: int = 30) -> None:
        """`uid` starts a time-out and goes through the calming steps to the wait, by buttons only."""
        self.cmd(uid, "timeout")
        self.press(uid, f"ret.m{minutes}")
        for choice in ("t.8", "br.next", "t.5", "f.angry", "u.hurt", "n.heard", "w.prepare", "op.use", "skip",
                       "pf.hurt", "skip"):
            self.press(uid, choice)


@pytest.fixture
def two() -> Two:
    return Two()
