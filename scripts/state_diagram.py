"""Generate the Mermaid state diagram of the fight flow by exploring the real core, and put it in the README.

    python scripts/state_diagram.py          # rewrite the diagram in README.md
    python scripts/state_diagram.py --check  # exit 1 when README.md is out of date (a test runs this)

It starts from IDLE and presses every button the core offers, sends the commands, and fires the timers it
starts, breadth first, recording which phase led to which. So the picture is what the code does.
"""

from __future__ import annotations

import sys
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core import machine
from bot.core.effects import CancelTimer, Reply, StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TimerFired
from bot.core.model import Person, Phase, State

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- state-diagram:start -->", "<!-- state-diagram:end -->"
COMMANDS = ("timeout", "extend", "ready", "cancel")
LABELS = {"ChoiceMade": "", "CommandReceived": "/", "TimerFired": "⏰ "}


def explore(limit: int = 4000) -> set[tuple[str, str, str]]:
    t0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
    me = Person(1, "en")
    edges: set[tuple[str, str, str]] = set()
    seen: set[tuple[object, ...]] = set()
    queue: deque[tuple[State, datetime, tuple[str, ...], dict[str, StartTimer]]] = deque(
        [(State(), t0, (), {})]
    )
    while queue and len(seen) < limit:
        state, now, choices, timers = queue.popleft()
        s, t = state.session, state.timeout
        key = (s.phase, s.resume, t.status if t else None, s.after_for is not None, s.safety_hold, choices,
               tuple(sorted(x.kind.value for x in timers.values())))
        if key in seen:
            continue
        seen.add(key)
        events: list[Event] = [ChoiceMade(c) for c in choices if c != "safety"]
        if s.phase is Phase.WAITING or s.phase is Phase.PAUSE_TENSION:
            events.append(ChoiceMade("safety"))
        events += [CommandReceived(c) for c in COMMANDS]
        events += [TimerFired(t.kind, t.timeout_id, t.at) for t in timers.values()]
        for ev in events:
            at = max(now, ev.due) if isinstance(ev, TimerFired) else now
            if isinstance(ev, CommandReceived) and ev.name == "ready":
                at = now + timedelta(minutes=25)
            res = machine.step(state, ev, machine.Ctx(at, me))
            new_timers = dict(timers)
            if isinstance(ev, TimerFired):
                new_timers = {k: v for k, v in new_timers.items() if v.kind is not ev.kind}
            for e in res.effects:
                if isinstance(e, StartTimer):
                    new_timers[e.id] = e
                elif isinstance(e, CancelTimer):
                    new_timers.pop(e.id, None)
            a, b = state.session.phase, res.state.session.phase
            if a is not b:
                name = (ev.choice if isinstance(ev, ChoiceMade)
                        else ev.name if isinstance(ev, CommandReceived) else ev.kind.value)
                edges.add((a.value, b.value, LABELS[type(ev).__name__] + str(name)))
            nxt = tuple(c.id for e in res.effects if isinstance(e, Reply) for c in e.choices)
            queue.append((res.state, at, nxt or choices, new_timers))
    return edges


def mermaid(edges: set[tuple[str, str, str]]) -> str:
    def node(p: str) -> str:
        return p.replace(".", "_")

    grouped: dict[tuple[str, str], list[str]] = {}
    for a, b, label in sorted(edges):
        grouped.setdefault((a, b), []).append(label)
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> idle"]
    for (a, b), labels in sorted(grouped.items(), key=lambda kv: (list(Phase).index(Phase(kv[0][0])), kv[0][1])):
        shown = ", ".join(labels[:3]) + (", …" if len(labels) > 3 else "")
        lines.append(f"    {node(a)} --> {node(b)}: {shown}")
    lines.append("    note right of safety: from every state: /safety, the 'I don't feel safe' button, a danger signal")
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    block = f"{START}\n{mermaid(explore())}\n{END}"
    text = README.read_text("utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + block + tail
    if "--check" in argv:
        if new != text:
            print("README.md's state diagram is out of date: run python scripts/state_diagram.py")
            return 1
        return 0
    README.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
