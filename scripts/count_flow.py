"""Count the bot's messages and the person's taps from /timeout to the waiting menu, through the real core.

    python scripts/count_flow.py            # the path of someone who answers every question
    python scripts/count_flow.py --prepare  # and the plan, from the prepare reminder to the plan card
    python scripts/count_flow.py --json     # the figures as JSON (the plan included)

One person in a couple types /timeout and then answers what the bot asks, always with the first fitting
button (a typed answer only where a step takes only text): a 30-minute break, tension 8, one round of breathing,
then tension 5 ("calmer") or 8 ("still high"), angry -> hurt underneath, need: to be heard, and whatever else the
flow asks before the waiting menu. `--prepare` also counts the plan, which now comes later: from the
prepare reminder before the return to the plan card (an older flow, which plans before the wait, has none).
Each `Reply` is one message (a breathing round is one message the adapter animates); each button pressed is one
tap; each typed answer is one typed message. The figures are the issue-14
"messages and taps from /timeout to the waiting menu", reproducible on any commit.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import flow
from bot.core.effects import Reply, StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired, TimerKind
from bot.core.model import Person, Phase, State
from bot.reader import read

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
PREFER = {  # per phase, the buttons this person presses, best first (ids of older and newer flows alike)
    "pause.choose": ("ret.m30",),
    "pause.tension": ("t.8",),
    "breathe": ("br.next",),
    "soothe": ("so.on",),
    "name.feeling": ("f.angry",),
    "name.under": ("u.hurt",),
    "name.need": ("n.heard",),
    "plan.opener": ("op.use",),
    "plan.perspective": ("pf.hurt",),
    "plan.own_part": ("own.voice",),
    "waiting": ("pr.go",),
    "consent": ("cs.yes",),
}
TYPED = {"plan.topic": "the dishes"}


@dataclass
class Count:
    messages: int = 0
    taps: int = 0
    typed: int = 0


def walk(after_score: int = 5, prepare: bool = False) -> Count:
    me = Person(1, "en", "Europe/Amsterdam", "NL", "Sam", consented=True)
    partner = Person(2, "nl", "Europe/Amsterdam", "NL", "Robin", consented=True)
    state = State()
    n = Count()

    timers: dict[str, StartTimer] = {}
    now = T0

    def send(ev: Event) -> list[Reply]:
        nonlocal state
        res = flow.step(state, ev, flow.Ctx(now, me, partner))
        state = res.state
        replies = [e for e in res.effects if isinstance(e, Reply)]
        timers.update({e.kind.value: e for e in res.effects if isinstance(e, StartTimer)})
        n.messages += len(replies)
        return replies

    last = send(CommandReceived("timeout"))
    reminded = False
    for _ in range(40):
        phase = state.session.phase
        if phase is Phase.WAITING and (not prepare or state.session.plan.prepared):
            return n
        if phase is Phase.WAITING and not reminded:  # the prepare reminder comes: from here on, count the plan
            reminded = True
            n = Count()
            due = timers["prepare"]
            now = due.at
            last = send(TimerFired(TimerKind.PREPARE, due.timeout_id, due.at))
            if not last:
                raise SystemExit("no prepare reminder (an older flow plans before the wait)")
            continue
        if phase.value in TYPED:
            n.typed += 1
            text = TYPED[phase.value]
            last = send(TextReceived(text, read(text)))
            continue
        offered = [c.id for r in last for c in r.choices]
        prefer = (f"t.{after_score}",) if phase is Phase.BREATHE_TENSION else PREFER.get(phase.value, ())
        pick = next((p for p in prefer if p in offered), None) or next(
            (c for c in offered if c not in ("safety", "skip")), None)
        if pick is None:
            raise SystemExit(f"stuck in {phase.value}: no button offered")
        n.taps += 1
        last = send(ChoiceMade(pick))
    raise SystemExit("no waiting menu after 40 answers")


def main() -> None:
    calmer, high = walk(5), walk(8)
    plan = walk(5, prepare=True) if "--prepare" in sys.argv or "--json" in sys.argv else None
    if "--json" in sys.argv:
        print(json.dumps({"calmer": calmer.__dict__, "still_high": high.__dict__,
                          "prepare": plan.__dict__ if plan else None}))
        return
    for name, c in (("calmer after breathing", calmer), ("still high after breathing", high)):
        print(f"{name}: {c.messages} messages, {c.taps} taps, {c.typed} typed, /timeout to the waiting menu")
    if plan is not None:
        print(f"the plan, later: {plan.messages} messages, {plan.taps} taps, {plan.typed} typed, from the prepare "
              "reminder to the plan card")


if __name__ == "__main__":
    main()
