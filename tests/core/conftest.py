"""A small driver for the pure core: feed events, move the clock, look at state and effects."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import machine
from bot.core.effects import Effect, Msg, Notify, Reply, StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired
from bot.core.model import Contract, Person, Phase, State

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
    history: tuple = ()

    def ctx(self) -> machine.Ctx:
        if self.couple is not None:
            return machine.Ctx(self.now, self.me, self.couple.partner, self.couple.contract, self.couple, self.invite,
                               self.join_failures, self.fresh_code, self.history)
        return machine.Ctx(self.now, self.me, self.partner, self.contract, None, self.invite, self.join_failures,
                           self.fresh_code, self.history)

    def send(self, event: Event) -> tuple[Effect, ...]:
        result = machine.step(self.state, event, self.ctx())
        self.state = result.state
        self.last = result.effects
        self.log.extend(result.effects)
        return result.effects

    def cmd(self, name: str, arg: str = "") -> tuple[Effect, ...]:
        return self.send(CommandReceived(name, arg))

    def press(self, choice: str) -> tuple[Effect, ...]:
        return self.send(ChoiceMade(choice))

    def say(self, text: str) -> tuple[Effect, ...]:
        return self.send(TextReceived(text))

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
        for c in ("t.8", "br.next", "t.5", "f.angry", "u.hurt", "n.heard", "op.use"):
            self.press(c)
        self.say("the dishes")
        self.press("pf.hurt")
        self.press("own.voice")
        assert self.phase is Phase.WAITING


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


__all__ = ["T0", "Driver", "msg_keys", "replace"]


@pytest.fixture
def make() -> type[Driver]:
    return Driver
