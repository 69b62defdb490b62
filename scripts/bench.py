"""The Adempauze benchmark: how fast the core, the store, the dispatcher are, and how much memory they need.

Usage: scripts/bench [--quick] [--postgres] [--json PATH]   (PATH defaults to bench-results.json, git-ignored)

Figures (each printed as: figure, value, goal, OK/MISS; and written to the JSON under "figures"):

- core.step alone: a full solo time-out (IDLE -> … -> WAITING -> RETURN -> AFTER -> IDLE, with texts, a stale
  button and a breathing break) recorded once, then its (state, event, ctx) inputs replayed; events/s.
- raw sqlite3: the exact statements (and parameters) the store runs for the Dialogue events below, recorded
  once, then replayed on a copy of the same database, one BEGIN IMMEDIATE … COMMIT per event: the limit of
  the machine, for the ratio. Its checkpoints are the store's too: on a thread of their own, every
  CHECKPOINT_EVERY commits (bot.store.sqlite.checkpointer), not inside a commit. It does the WAL truncation
  (PRAGMA wal_checkpoint(TRUNCATE), two fsyncs) the store owes after an event that erased private text (a
  time-out's end: once per couple flow here) as the store does it: coalesced, at most one per
  WAL_ERASED_WITHIN (1 s) of the replay's wall time, done at the first event after it is due (the store does it
  on a timer: the same work, in the same stretch). Before December 2026 the store truncated right after every
  erasing event and the replay did the same; before that the recording left it out, so raw sqlite3 did less
  than the store. Those fsyncs make raw sqlite3 (and the store) depend on the disk, which other work on a
  shared machine also uses: beside it, the same replay without any truncation
  (raw sqlite3 doing less than the store), and the ratios to both.
- Dialogue.handle on a real SQLite file (WAL) at three sizes: 100, 10,000 (sessions, past time-outs, pending
  timers) and 100,000 stored couples (copies of the dispatcher database: half the couples in a running
  time-out, 100,000 pending timers). Couples run the shared time-out flow interleaved, so consecutive events
  touch different rows. Every size in BOTH regimes, with the SAME goals (p50 <= 1 ms, p99 <= 5 ms,
  >= 2,000 events/s, and the ratio to raw sqlite3: >= 0.25 one at a time, >= 0.35 under load):
  one event at a time (each awaited before the next), and under load (LOAD_LANES = 16 couples acting at the
  same moment, each couple's events in order, as the adapters keep them). Raw sqlite3, one at a time and under
  load each run RUNS (3) times on fresh copies, interleaved (raw, one, load, raw, …) so that each side sees the
  same machine; every figure is the median of its RUNS runs, ratios are medians over medians, and the runs'
  rates are in the JSON (details.<size>). Beside them the store's transaction called directly (no thread, no
  rendering) and one empty call to the store's thread (the hop), to show where the time goes.
- Dispatcher: EXPLAIN QUERY PLAN of the store's due-queries (caught with a trace, so they are the ones the
  store really runs) with 100,000 pending timers; time of next_due(); lateness of return pings (delivery
  minus due time, wall ms) with the real SystemClock and Dispatcher.run_forever() and a recording messenger,
  always WHILE other couples' events arrive through Dialogue.handle at a steady rate (feed_per_s, 300/s: ten
  times what one Telegram bot may send; the same store and event loop; the rate reached and those events'
  p99 are reported): once on a scaled clock (x600: 1,000 couples start time-outs through Dialogue.handle,
  2,000 pings falling due over ~7 s), once at scale 1 (production) with time-outs inserted directly, a few due
  each second, and once at scale 1 next to the 100,000 pending timers.
- Memory: peak RSS of a fresh process (this script, --rss-child) that opens the store and handles two events
  for each of rss_touch (8,000) couples in a running time-out, spread at random over the file: 8,000 couples
  are more than any cache holds (CACHES below: 2,048 parsed sessions = 1,024 couples, 1,024 time-outs, 512
  contracts; every seeded couple has its own accepted contract text). With 100 stored couples (the same
  number of events, going round their 50 busy couples) vs 100,000; and the growth of RSS over the last three
  quarters of the big run, when the caches are full.
- The usual alternative: python-telegram-bot's ConversationHandler (persistent) with PicklePersistence
  holding 100,000 conversations and their user_data (the fields our session holds), real Update objects
  through a real Application (requests answered in-process; the handlers do not send, as Dialogue.handle does
  not). Twice: PTB's defaults (update_interval=60, on_flush=False: the updates, then the one persistence run the
  interval job makes; it rewrites the whole file once per changed conversation, user_data and chat_data entry,
  on the event loop), and flush per update (on_flush=True, update_persistence() + flush() after each update:
  one whole-file write per update, what durability per update costs, and still not crash-safe: the file is
  rewritten in place). Compared per update with Dialogue.handle's mean cost at 100,000 couples (durable: one
  committed transaction per event).
- Dispatcher with 100,000 pending timers: a ManualClock moved to where 5,000 of them are due, one
  Dispatcher.run_due() (claim rate: timers fired through the core per second, and their pings delivered).

- With --postgres: PostgreSQL (a real server started for the run, fsync on) with the dispatcher database's
  couples copied in, the very events of the 100,000-couple SQLite figures: one process one at a time and
  under load, two processes one at a time each and under load (scripts/bench_postgres.py says how), RUNS
  runs of each, medians; then one table with SQLite, PostgreSQL with 1 process and with 2 side by side.

The raw-sqlite3 recording calls the store's own transaction body (Store._tx/_handle) on a recording
connection, and the plan check traces the store's connection: a bench may look inside; the bot never does.
Speed is never asserted in tests: tests/test_bench_smoke.py only runs `--quick` and checks the JSON shape.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock, SystemClock
from bot.codec import dump_contract, dump_session, load_session
from bot.core import flow
from bot.core.contract import DEFAULT as DEFAULT_CONTRACT
from bot.core.effects import StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired, TimerKind
from bot.core.model import Person, Phase, Plan, Role, Session, State
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, Recipient, UserRef
from bot.service import Dialogue
from bot.store import Defaults, Store, connect_pragmas, migrate_sync
from bot.store.sqlite import connection as store_module
from bot.store.sqlite.checkpointer import AUTOCHECKPOINT_NET, CHECKPOINT_EVERY, Checkpointer
from bot.store.sqlite.connection import checkpoint_truncate
from bot.store.sqlite.rows import contract_of, timeout_from
from bot.store.sqlite.store import WAL_ERASED_WITHIN

START = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)
"""The (manual) clock start of the store benchmarks: a Monday evening, outside the quiet hours."""
PLATFORM = "telegram"
TZ = "Europe/Amsterdam"
OUTCOMES = ("returned", "returned", "returned", "missed", "cancelled")

# --------------------------------------------------------------------------------------------------------
# sizes

@dataclass(frozen=True)
class Sizes:
    core_seconds: float  # time spent replaying core.step (per repeat: 5 repeats)
    big_couples: int  # the "large" store benchmark
    small_couples: int
    handle_events: int  # Dialogue events per store benchmark
    dispatch_couples: int  # couples in the dispatcher / memory database (half of them in a time-out)
    late_couples: int  # time-outs whose return pings are timed (two pings each)
    late_spread_min: int  # return times spread over 20 .. 20+spread clock minutes
    late_scale: float  # SystemClock scale for the lateness run
    late_rt_seconds: int  # the same at scale 1, over this many wall seconds: time-outs inserted directly,
    late_rt_per_second: int  # this many falling due each second (two pings each)
    next_due_calls: int
    huge_events: int  # Dialogue events on the dispatcher database (dispatch_couples couples)
    hop_calls: int  # empty aiosqlite round trips timed (the fixed cost of one awaited call)
    ptb_conversations: int  # conversations held by PicklePersistence (the same as dispatch_couples)
    ptb_default_users: int  # people who each send ptb_updates_per_user updates in one update_interval
    ptb_updates_per_user: int
    ptb_flush_updates: int  # updates timed with a flush after each (the durable configuration)
    claim_due: int  # timers made due at once out of the pending ones (claim rate)
    late_pending_seconds: int  # real-time lateness next to all the pending timers: this many seconds,
    late_pending_per_second: int  # this many time-outs due in each
    feed_per_s: int  # events arriving through Dialogue.handle (other couples) while ping lateness is timed
    rss_touch: int  # couples touched (two events each) in the memory runs: more than any cache holds


FULL = Sizes(2.0, 10_000, 100, 15_000, 100_000, 1_000, 60, 600.0, 8, 3, 2_000,
             huge_events=10_000, hop_calls=2_000, ptb_conversations=100_000, ptb_default_users=3,
             ptb_updates_per_user=5, ptb_flush_updates=4, claim_due=5_000, late_pending_seconds=8,
             late_pending_per_second=3, feed_per_s=300, rss_touch=8_000)
QUICK = Sizes(0.1, 200, 100, 600, 2_000, 40, 5, 600.0, 2, 3, 100,
              huge_events=600, hop_calls=200, ptb_conversations=2_000, ptb_default_users=2,
              ptb_updates_per_user=5, ptb_flush_updates=3, claim_due=200, late_pending_seconds=2,
              late_pending_per_second=3, feed_per_s=100, rss_touch=300)

# --------------------------------------------------------------------------------------------------------
# the flows


def cmd(name: str, arg: str = "") -> Event:
    return CommandReceived(name, arg)


def ch(choice: str) -> Event:
    return ChoiceMade(choice)


def tx(text: str) -> Event:
    return TextReceived(text)


P = Phase
SOLO_FLOW: list[tuple[Event | TimerKind, Phase]] = [
    (cmd("timeout"), P.PAUSE_CHOOSE),
    (ch("ret.m30"), P.PAUSE_TENSION),
    (ch("t.8"), P.BREATHE),
    (ch("br.next"), P.BREATHE_TENSION),
    (ch("t.5"), P.NAME_FEELING),
    (ch("f.angry"), P.NAME_UNDER),
    (ch("u.hurt"), P.NAME_NEED),
    (ch("n.heard"), P.WAITING),  # the plan comes later (the prepare reminder), or now:
    (ch("w.prepare"), P.PLAN_OPENER),
    (ch("op.use"), P.PLAN_TOPIC),
    (tx("De vakantieplanning, en dat ik me niet gehoord voel"), P.PLAN_PERSPECTIVE),
    (ch("pf.hurt"), P.PLAN_OWN_PART),
    (ch("own.voice"), P.WAITING),
    (tx("Ik wil dat we dit samen oplossen, ik hou van je"), P.WAITING),
    (ch("keep.yes"), P.WAITING),
    (ch("w.selfcare"), P.WAITING),
    (ch("w.status"), P.WAITING),
    (tx("Sorry dat ik wegliep zonder iets te zeggen"), P.WAITING),
    (ch("keep.no"), P.WAITING),
    (ch("t.3"), P.WAITING),  # a stale button from earlier: a hint and the question again
    (ch("w.breathe"), P.BREATHE),
    (ch("br.again"), P.BREATHE),
    (ch("br.next"), P.WAITING),
    (cmd("status"), P.WAITING),
    (TimerKind.RETURN, P.RETURN),
    (ch("r.ready"), P.IDLE),
    (TimerKind.AFTER, P.AFTER),
    (ch("a.good"), P.IDLE),
]
"""A full solo time-out from IDLE, with the phase each input should lead to."""

A, B = 0, 1
COUPLE_FLOW: list[tuple[int, Event, Phase]] = [
    (A, cmd("timeout"), P.PAUSE_CHOOSE),
    (A, ch("ret.m30"), P.PAUSE_TENSION),  # the time-out starts: notice to B, two return timers
    (B, ch("p.start"), P.BREATHE),
    (A, ch("t.8"), P.BREATHE),
    (A, ch("br.next"), P.BREATHE_TENSION),
    (B, ch("br.next"), P.BREATHE_TENSION),
    (A, ch("t.5"), P.NAME_FEELING),
    (B, ch("t.6"), P.NAME_FEELING),
    (A, ch("f.angry"), P.NAME_UNDER),
    (B, ch("f.hurt"), P.NAME_NEED),
    (A, ch("u.hurt"), P.NAME_NEED),
    (B, ch("n.seen"), P.WAITING),
    (A, ch("n.heard"), P.WAITING),
    (B, ch("w.prepare"), P.PLAN_OPENER),
    (A, ch("w.prepare"), P.PLAN_OPENER),
    (B, ch("op.use"), P.PLAN_TOPIC),
    (A, ch("op.use"), P.PLAN_TOPIC),
    (B, tx("Wie op doordeweekse dagen de afwas doet"), P.PLAN_PERSPECTIVE),
    (A, tx("The holiday planning, and that I don't feel heard"), P.PLAN_PERSPECTIVE),
    (B, ch("pf.angry"), P.PLAN_OWN_PART),
    (A, ch("pf.hurt"), P.PLAN_OWN_PART),
    (B, ch("own.voice"), P.WAITING),
    (A, ch("own.voice"), P.WAITING),
    (A, tx("I want us to figure this out together"), P.WAITING),
    (A, ch("keep.yes"), P.WAITING),
    (B, ch("w.selfcare"), P.WAITING),
    (A, ch("w.status"), P.WAITING),
    (B, ch("t.3"), P.WAITING),  # stale button
    (A, ch("w.breathe"), P.BREATHE),
    (A, ch("br.next"), P.WAITING),
    (A, ch("w.cancel"), P.WAITING),
    (A, ch("w.cancel.yes"), P.IDLE),  # ends the time-out: notice to B, outcome recorded
    (B, cmd("cancel"), P.IDLE),
]
"""One couple's time-out through Dialogue.handle (no timers: they are the dispatcher's). Ends with both IDLE,
so it can be run again."""


# --------------------------------------------------------------------------------------------------------
# small helpers


def warm_up() -> None:
    """What a bot process does once, at its first typed message, before any timing: the reader loads its
    dictionaries (bot.lexicon, a few seconds per language here). Timed, it would land in one run's figures."""
    from bot.reader import read

    read("De vakantieplanning, en dat ik me niet gehoord voel", "nl")
    read("The holiday planning, and that I don't feel heard", "en")


def quiet_gc() -> None:
    """Before a timed part: collect, then freeze everything alive (recorded statements, seeded data, the other
    runs' leftovers) so the collector does not walk the bench's own objects again during the timing. Done the
    same way before every timed part, the raw sqlite3 replay and PTB included."""
    gc.collect()
    gc.freeze()


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB."""
    cur = peak = 0
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    if not peak:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cur = cur or peak
    return cur, peak


def ext_id(uid: int) -> str:
    return str(1_000_000_000 + uid)


def ref_of(uid: int) -> UserRef:
    """The platform's view of a seeded user (same chat id and name as stored: no profile update per event)."""
    e = ext_id(uid)
    return UserRef(PLATFORM, e, e, f"user{uid}")


def members(couple: int) -> tuple[int, int]:
    return 2 * couple - 1, 2 * couple


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------
# seeding: plain sqlite3 executemany against the migrated file


@dataclass(frozen=True)
class SeedPlan:
    couples: int
    active_pct: int  # couples k with k % 100 < active_pct are in a running time-out (two return timers)
    after_pct: int  # the next after_pct have just come back (two "how did it go?" timers pending)
    past_avg: float = 4.0  # past time-outs per couple, on average

    def idle(self, k: int) -> bool:
        return k % 100 >= self.active_pct + self.after_pct

    def idle_couples(self) -> list[int]:
        return [k for k in range(1, self.couples + 1) if self.idle(k)]


def seed(path: Path, plan: SeedPlan, now: datetime) -> dict[str, int]:
    """A migrated database with `plan.couples` couples; returns row counts."""
    rng = random.Random(plan.couples)
    t_now = int(now.timestamp())
    c = sqlite3.connect(path, isolation_level=None)
    migrate_sync(c)
    c.execute("PRAGMA journal_mode=OFF")
    c.execute("PRAGMA synchronous=OFF")
    idle_json = dump_session(Session())
    mark = "@tid@"  # session JSON templates: dump once, put each time-out id in (ids are digits and '-')
    waiting_a = dump_session(Session(P.WAITING, mark, Role.INITIATOR, Plan(
        7, 4, "angry", None, "hurt", "heard", "", "De vakantie", "pf.hurt", "own.voice", ("Ik hou van je",))))
    breathing_b = dump_session(Session(P.BREATHE, mark, Role.PARTNER, Plan(6)))
    after_a = dump_session(Session(after_for=mark))
    after_b = dump_session(Session(after_for=mark, role=Role.PARTNER))
    users: list[tuple[Any, ...]] = []
    couples: list[tuple[Any, ...]] = []
    sessions: list[tuple[Any, ...]] = []
    timeouts: list[tuple[Any, ...]] = []
    tmembers: list[tuple[Any, ...]] = []
    timers: list[tuple[Any, ...]] = []
    contracts: list[tuple[Any, ...]] = []
    feelings_ = ("angry", "hurt", "sad", "frustrated", "afraid", "lonely")
    needs = ("heard", "seen", "respected", "space", "closeness")
    for k in range(1, plan.couples + 1):
        a, b = members(k)
        created = t_now - 86_400 * rng.randint(30, 400)
        for u in (a, b):
            e = ext_id(u)
            users.append((u, PLATFORM, e, e, f"user{u}", "nl" if u % 3 else "en", TZ, "NL", created))
        couples.append((k, a, b, created))
        # every real couple has a contract (v1 is proposed at pairing); these are accepted, each with the
        # partners' own sentences, so no two are the same text (the store caches parsed contracts by text)
        contracts.append((k, 1, "active", a, dump_contract(replace(DEFAULT_CONTRACT, sentences=(
            (a, f"Ik heb even tijd nodig, ik kom terug ({k})"), (b, f"I need a moment, I will come back ({k})")))),
            created, created))
        sa = sb = idle_json
        n_past = rng.randint(0, int(2 * plan.past_avg))
        for j in range(n_past):
            started = rng.randint(created, t_now - 86_400)
            ini = a if j % 2 == 0 else b
            tid = f"{ini}-{started * 1000 + j}"
            out = rng.choice(OUTCOMES)
            ret = started + 60 * rng.choice((20, 30, 60, 120))
            timeouts.append((tid, ini, b if ini == a else a, started, ret, rng.randint(0, 1), out,
                             f"{a},{b}" if out == "returned" else "", 1, ret + 300))
            for u in (a, b):
                tmembers.append((tid, u, "initiator" if u == ini else "partner", out if out != "returned" else "good",
                                 rng.randint(3, 10), rng.randint(0, 7), rng.choice(feelings_), None,
                                 rng.choice(needs), ret + 300))
        slot = k % 100
        if slot < plan.active_pct:  # in a running time-out, the initiator planning, the partner waiting
            started = t_now - rng.randint(60, 1200)
            ret = t_now + rng.randint(600, 86_000)
            tid = f"{a}-{started * 1000}"
            timeouts.append((tid, a, b, started, ret, 0, "running", "", 1, None))
            timers += [(f"{tid}:return:{a}", a, "return", tid, ret), (f"{tid}:return:{b}", b, "return", tid, ret)]
            sa, sb = waiting_a.replace(mark, tid), breathing_b.replace(mark, tid)
        elif slot < plan.active_pct + plan.after_pct:  # came back; "how did it go?" pending
            started = t_now - rng.randint(3600, 5400)
            ret = started + 1800
            tid = f"{a}-{started * 1000}"
            timeouts.append((tid, a, b, started, ret, 0, "returned", f"{a},{b}", 1, ret))
            after = t_now + rng.randint(60, 7200)
            timers += [(f"{tid}:after:{a}", a, "after", tid, after), (f"{tid}:after:{b}", b, "after", tid, after)]
            sa, sb = after_a.replace(mark, tid), after_b.replace(mark, tid)
        sessions += [(a, sa, t_now - 60), (b, sb, t_now - 60)]
    c.execute("BEGIN")
    c.executemany("INSERT INTO users (id, platform, external_id, chat_id, name, locale, tz, country, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", users)
    c.execute("UPDATE users SET consent_at = created_at")  # these people agreed at onboarding
    c.executemany("INSERT INTO couples (id, a, b, created_at) VALUES (?, ?, ?, ?)", couples)
    c.executemany("INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at, decided_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", contracts)
    c.executemany("INSERT INTO sessions (user_id, data, updated_at) VALUES (?, ?, ?)", sessions)
    c.executemany("INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, "
                  "ready, notified, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", timeouts)
    c.executemany("INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, tension_after, "
                  "feeling, under, need, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tmembers)
    c.executemany("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?)", timers)
    c.execute("COMMIT")
    c.execute("PRAGMA journal_mode=WAL")
    c.close()
    return {"users": len(users), "couples": len(couples), "contracts": len(contracts), "sessions": len(sessions),
            "timeouts": len(timeouts),
            "timeout_members": len(tmembers), "timers": len(timers)}


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


# --------------------------------------------------------------------------------------------------------
# 1. core.step alone


@dataclass
class Check:
    """Did the scripted flows go where they should? A mismatch means the bench measures the wrong path."""

    mismatches: list[str] = field(default_factory=list)

    def expect(self, where: str, got: Phase, want: Phase) -> None:
        if got is not want and len(self.mismatches) < 20:
            self.mismatches.append(f"{where}: in {got.value}, expected {want.value}")


def record_solo_flow(check: Check) -> list[tuple[State, Event, flow.Ctx]]:
    """Run SOLO_FLOW once through the core; return every step's inputs for replay."""
    me = Person(1, "nl", TZ, "NL", "Sam", consented=True)
    state, now = State(), START
    timers: dict[TimerKind, tuple[str, datetime]] = {}
    inputs: list[tuple[State, Event, flow.Ctx]] = []
    for i, (spec, want) in enumerate(SOLO_FLOW):
        if isinstance(spec, TimerKind):
            tid, due = timers[spec]
            now = max(now, due)
            ev: Event = TimerFired(spec, tid, due)
        else:
            now += timedelta(seconds=30)
            ev = spec
        ctx = flow.Ctx(now, me)
        result = flow.step(state, ev, ctx)
        inputs.append((state, ev, ctx))
        for fx in result.effects:
            if isinstance(fx, StartTimer):
                timers[fx.kind] = (fx.timeout_id, fx.at)
        state = result.state
        check.expect(f"solo step {i} {ev}", state.session.phase, want)
    return inputs


def bench_core(sizes: Sizes, check: Check) -> dict[str, float]:
    inputs = record_solo_flow(check)
    step = flow.step
    n = len(inputs)
    # calibrate: how many flow replays fill core_seconds
    t = time.perf_counter()
    for s, e, c in inputs:
        step(s, e, c)
    one = max(1e-6, time.perf_counter() - t)
    reps = max(1, int(sizes.core_seconds / one))
    rates = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            for s, e, c in inputs:
                step(s, e, c)
        rates.append(reps * n / (time.perf_counter() - t))
    return {"core_step_events_per_s": statistics.median(rates), "_core_best": max(rates), "_core_flow_len": n}


# --------------------------------------------------------------------------------------------------------
# the Dialogue schedule: couples interleaved, one clock second per event


def schedule(couples: Sequence[int], n_events: int, group: int = 50) -> list[tuple[int, Event, Phase]]:
    """(user id, event, expected phase), about `n_events` of them: groups of `group` couples each run the whole
    COUPLE_FLOW, interleaved step by step (so consecutive events touch different rows). Whole groups only, so
    every couple that starts a time-out also ends it; couples are reused (flow again) when there are few."""
    size = min(group, len(couples))
    groups = max(1, round(n_events / (len(COUPLE_FLOW) * size)))
    out: list[tuple[int, Event, Phase]] = []
    for gi in range(groups):
        grp = [couples[(gi * size + j) % len(couples)] for j in range(size)]
        for who, ev, want in COUPLE_FLOW:
            out += [(members(k)[who], ev, want) for k in grp]
    return out


class Recorder:
    """A sqlite3 connection stand-in that runs and records every statement (sql, params) of one event."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.log: list[tuple[str, tuple[Any, ...]]] = []

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        self.log.append((sql, tuple(params)))
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, seq: Any) -> sqlite3.Cursor:
        rows = [tuple(r) for r in seq]
        for r in rows:
            self.log.append((sql, r))
        return self.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction


Statements = list[tuple[str, tuple[Any, ...]]]


def record_statements(path: Path, events: list[tuple[int, Event, Phase]],
                      check: Check) -> tuple[list[Statements], list[bool]]:
    """Run the events through the store's own per-event work (synchronously, on a copy: its transaction, and
    what follows it) and record the statements of each, and whether it owed a WAL truncation (it erased
    private text: `bench_raw` does those as the store does, coalesced); also check the flow goes where it
    should."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connect_pragmas(conn)
    store = Store(None, str(path), Defaults())  # type: ignore[arg-type]  # no aiosqlite: we call its tx body
    per_event: list[Statements] = []
    erasing: list[bool] = []
    for i, (uid, ev, want) in enumerate(events):
        rec = Recorder(conn)
        c: sqlite3.Connection = rec  # type: ignore[assignment]  # duck-typed: execute/executemany

        store._handled(c, ref_of(uid), ev, START + timedelta(seconds=i))  # the transaction, and what follows it
        per_event.append(rec.log)
        erasing.append(store.wal_owed)
        store._wal_owed, store._wal_due = False, None  # each event's own debt: the replay pays it as the store does
        row = conn.execute("SELECT data FROM sessions WHERE user_id = ?", (uid,)).fetchone()
        check.expect(f"couple event {i} user {uid} {ev}", load_session(row[0] if row else None).phase, want)
    conn.close()
    return per_event, erasing


def bench_raw(path: Path, per_event: list[Statements], erasing: Sequence[bool] = ()) -> tuple[float, int]:
    """Replay the recorded statements, one transaction per event, on a plain sqlite3 connection, and the WAL
    truncations owed by the events marked `erasing`, coalesced as the store does (the first event after one is
    due, WAL_ERASED_WITHIN after the first erasure since the last); (events/s, truncations)."""
    conn = sqlite3.connect(path, isolation_level=None)
    connect_pragmas(conn)
    conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_NET}")  # checkpoints as the store has them:
    checkpoints = Checkpointer(str(path))  # on a thread of their own, every CHECKPOINT_EVERY commits
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    quiet_gc()
    due: float | None = None
    truncations = 0
    t = time.perf_counter()
    for i, stmts in enumerate(per_event):
        if due is not None and time.perf_counter() >= due:
            with checkpoints.lock:
                checkpoint_truncate(conn)
            due, truncations = None, truncations + 1
        for sql, params in stmts:
            conn.execute(sql, params).fetchall()
        if (i + 1) % CHECKPOINT_EVERY == 0:
            checkpoints.poke()
        checkpoints.catch_up(conn)  # as the store does after each commit: the WAL starts over when long
        if due is None and erasing and erasing[i]:
            due = time.perf_counter() + WAL_ERASED_WITHIN
    wall = time.perf_counter() - t
    checkpoints.close()
    conn.close()
    return len(per_event) / wall, truncations


def bench_store_sync(path: Path, events: list[tuple[int, Event, Phase]]) -> float:
    """The store's own per-event transaction (load, core.step, save) called directly on a sqlite3 connection:
    no thread, no rendering. Between raw sqlite3 and Dialogue.handle, it shows where the time goes; events/s."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connect_pragmas(conn)
    store = Store(None, str(path), Defaults())  # type: ignore[arg-type]  # no thread: we call its tx body
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    quiet_gc()
    t = time.perf_counter()
    for i, (uid, ev, _) in enumerate(events):
        store._handled(conn, ref_of(uid), ev, START + timedelta(seconds=i))
    wall = time.perf_counter() - t
    conn.close()
    return len(events) / wall


def time_service(store: Store, spans: list[float]) -> None:
    """Record each event's service time in `spans`: from its first statement (after BEGIN IMMEDIATE, on the
    loop or the thread) to its rendered replies (after the COMMIT), without the time it waited for its turn
    or for the loop to hand the result back. Under load an event's latency is this plus the queue before it;
    there events settled together share one transaction (SqliteStore._batch), so an event's span also holds
    the events after it in its batch, up to the COMMIT they share (it is not answered before that).
    (A bench may look inside: it wraps the instance's own methods; about 1 us per event.)"""
    handle, handle_then = store._handle, store.handle_then
    start = [0.0]  # one event at a time runs its transaction: the loop's and the thread's never overlap

    def timed_handle(*args: Any, **kwargs: Any) -> Any:
        start[0] = time.perf_counter()
        return handle(*args, **kwargs)

    async def timed_handle_then(ref: UserRef, event: Event, now: datetime, then: Callable[[Any], Any]) -> Any:
        def timed(done: Any) -> Any:
            out = then(done)
            spans.append(time.perf_counter() - start[0])
            return out

        return await handle_then(ref, event, now, timed)

    store._handle = timed_handle  # type: ignore[method-assign]
    store.handle_then = timed_handle_then  # type: ignore[method-assign]


async def run_dialogue(path: Path, events: list[tuple[int, Event, Phase]],
                       service: list[float] | None = None) -> tuple[list[float], float, int]:
    """Dialogue.handle for every event, one at a time (each awaited before the next); (latencies, wall, replies).
    With `service`: each event's service time there too (`time_service`)."""
    store = await Store.open(path)
    if service is not None:
        time_service(store, service)
    try:
        clock = ManualClock(START)
        dlg = Dialogue(store, clock)
        lat: list[float] = []
        replies = 0
        await store.query("SELECT count(*) FROM sessions")
        quiet_gc()
        t0 = time.perf_counter()
        for i, (uid, ev, _) in enumerate(events):
            if i:
                clock.advance(timedelta(seconds=1))
            ref = ref_of(uid)
            t = time.perf_counter()
            out = await dlg.handle(ref, ev)
            lat.append(time.perf_counter() - t)
            replies += len(out)
        wall = time.perf_counter() - t0
    finally:
        await store.close()
    return lat, wall, replies


LOAD_LANES = 16
"""Couples acting at the same moment in the under-load runs."""
RUNS = 3
"""Runs of EVERY side of a comparison (raw sqlite3, Dialogue.handle one at a time, under load), each on a fresh
copy of the same database, interleaved (raw, one, load, raw, one, load, …) so that each side sees the same
machine; medians against medians. This machine is shared and noisy: the spread is in the JSON."""


def lanes_of(events: Sequence[tuple[int, Event, Phase]], lanes: int = LOAD_LANES) -> list[list[int]]:
    """The events split by couple into `lanes` lanes (indexes, in order): one couple's events never overlap."""
    by_lane: list[list[int]] = [[] for _ in range(lanes)]
    for i, (uid, _, _) in enumerate(events):
        by_lane[((uid + 1) // 2) % lanes].append(i)
    return by_lane


async def run_dialogue_load(path: Path, events: list[tuple[int, Event, Phase]], lanes: int = LOAD_LANES,
                            service: list[float] | None = None) -> tuple[list[float], float, int]:
    """Dialogue.handle with `lanes` couples acting at once: the events split by couple into lanes, each lane
    one couple's events after another (never two of one couple at once, as an adapter keeps them), all lanes
    concurrently. Throughput (events/s over the wall time) and per-event latency under that load: with `lanes`
    events always in flight and one writer, each waits for the ones before it, so latency is mostly queueing
    (Little's law: mean latency = lanes / rate); `service` gets each event's own service time."""
    store = await Store.open(path)
    if service is not None:
        time_service(store, service)
    try:
        clock = ManualClock(START)
        dlg = Dialogue(store, clock)
        lat: list[float] = []
        replies = 0

        async def lane(indexes: list[int]) -> None:
            nonlocal replies
            for i in indexes:
                uid, ev, _ = events[i]
                clock.advance(timedelta(seconds=1))
                t = time.perf_counter()
                out = await dlg.handle(ref_of(uid), ev)
                lat.append(time.perf_counter() - t)
                replies += len(out)  # after the await: `replies += len(await …)` reads it before

        await store.query("SELECT count(*) FROM sessions")
        quiet_gc()
        t0 = time.perf_counter()
        await asyncio.gather(*(lane(ix) for ix in lanes_of(events, lanes)))
        wall = time.perf_counter() - t0
    finally:
        await store.close()
    return lat, wall, replies


def summary(runs: list[tuple[list[float], float]]) -> dict[str, Any]:
    """The median over runs of each figure (rate, p50, p99), and the spread of the rates."""
    rates = [len(lat) / wall for lat, wall in runs]
    return {"events_per_s": statistics.median(rates),
            "p50_ms": statistics.median(pct(lat, 0.5) * 1e3 for lat, _ in runs),
            "p99_ms": statistics.median(pct(lat, 0.99) * 1e3 for lat, _ in runs),
            "max_ms": max(max(lat) for lat, _ in runs) * 1e3, "rates": sorted(round(r) for r in rates)}


def regimes(prefix: str, raw_key: str, base: Path, tmp: Path, events: list[tuple[int, Event, Phase]],
            check: Check, details: dict[str, Any]) -> dict[str, float]:
    """raw sqlite3, Dialogue.handle one at a time and under load on `base` (never changed: every run on a fresh
    copy), RUNS runs each, interleaved; medians, and the ratios of the medians."""
    per_event, erasing = record_statements(copy_db(base, tmp / f"{prefix}_rec.sqlite3"), events, check)
    (tmp / f"{prefix}_rec.sqlite3").unlink()
    copy = tmp / f"{prefix}_run.sqlite3"
    light = [[st for st in stmts if not st[0].startswith("PRAGMA")] for stmts in per_event]
    raw: list[float] = []
    raw_light: list[float] = []
    truncations: list[int] = []
    one: list[tuple[list[float], float]] = []
    load: list[tuple[list[float], float]] = []
    service_one: list[list[float]] = []
    service_load: list[list[float]] = []
    for _ in range(RUNS):
        rate, done = bench_raw(copy_db(base, copy), per_event, erasing)
        raw.append(rate)
        truncations.append(done)
        raw_light.append(bench_raw(copy_db(base, copy), light)[0])
        service_one.append([])
        lat, wall, replies = asyncio.run(run_dialogue(copy_db(base, copy), events, service_one[-1]))
        one.append((lat, wall))
        service_load.append([])
        lat, wall, replies_load = asyncio.run(run_dialogue_load(copy_db(base, copy), events,
                                                                service=service_load[-1]))
        load.append((lat, wall))
        if min(replies, replies_load) < len(events):
            check.mismatches.append(f"{prefix}: only {min(replies, replies_load)} replies for {len(events)} events")
    copy.unlink(missing_ok=True)
    raw_rate, light_rate = statistics.median(raw), statistics.median(raw_light)
    s1, sl = summary(one), summary(load)
    for summ, spans in ((s1, service_one), (sl, service_load)):
        summ["service_p50_ms"] = statistics.median(pct(x, 0.5) * 1e3 for x in spans)
        summ["service_p99_ms"] = statistics.median(pct(x, 0.99) * 1e3 for x in spans)
    sl["littles_law_mean_ms"] = LOAD_LANES / sl["events_per_s"] * 1e3  # the queue's own arithmetic
    details[prefix] = {"events": len(events), "runs": RUNS, "raw_rates": sorted(round(r) for r in raw),
                       "raw_without_truncation_rates": sorted(round(r) for r in raw_light),
                       "erasing_events": sum(erasing),
                       "raw_truncations": truncations,
                       "truncations_in_statements": sum(1 for stmts in per_event for st in stmts
                                                        if "wal_checkpoint" in st[0]),
                       "one_at_a_time": s1, "under_load": sl,
                       "statements_per_event": sum(map(len, per_event)) / len(per_event)}
    return {raw_key: raw_rate,
            f"{prefix}_p50_ms": s1["p50_ms"], f"{prefix}_p99_ms": s1["p99_ms"],
            f"{prefix}_events_per_s": s1["events_per_s"], f"{prefix}_ratio_to_raw": s1["events_per_s"] / raw_rate,
            f"{prefix}_load_p50_ms": sl["p50_ms"], f"{prefix}_load_p99_ms": sl["p99_ms"],
            f"{prefix}_service_p99_ms": s1["service_p99_ms"], f"{prefix}_load_service_p99_ms": sl["service_p99_ms"],
            f"{prefix}_load_littles_ms": sl["littles_law_mean_ms"],
            f"{prefix}_load_events_per_s": sl["events_per_s"],
            f"{prefix}_load_ratio_to_raw": sl["events_per_s"] / raw_rate,
            f"{prefix}_raw_light_events_per_s": light_rate,
            f"{prefix}_ratio_to_raw_light": s1["events_per_s"] / light_rate,
            f"{prefix}_load_ratio_to_raw_light": sl["events_per_s"] / light_rate,
            f"_{prefix}_max_ms": s1["max_ms"], f"_{prefix}_load_max_ms": sl["max_ms"]}


def bench_store(tmp: Path, sizes: Sizes, check: Check, details: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    # many couples
    plan = SeedPlan(sizes.big_couples, active_pct=10, after_pct=5)
    t = time.perf_counter()
    base = tmp / "big.sqlite3"
    details["seed_big"] = seed(base, plan, START)
    log(f"  seeded {plan.couples:,} couples in {time.perf_counter() - t:.1f}s")
    rng = random.Random(7)
    idle = plan.idle_couples()
    rng.shuffle(idle)
    events = schedule(idle, sizes.handle_events)
    out |= regimes("handle_big", "raw_sqlite_events_per_s", base, tmp, events, check, details)
    out["_raw_statements_per_event"] = details["handle_big"]["statements_per_event"]
    sync = [bench_store_sync(copy_db(base, tmp / "sync.sqlite3"), events) for _ in range(RUNS)]
    (tmp / "sync.sqlite3").unlink()
    out["store_sync_events_per_s"] = statistics.median(sync)
    # 100 couples, the same number of events (each couple runs the flow several times)
    small = SeedPlan(sizes.small_couples, active_pct=10, after_pct=5)
    spath = tmp / "small.sqlite3"
    details["seed_small"] = seed(spath, small, START)
    sevents = schedule(small.idle_couples(), len(events))
    out |= regimes("handle_small", "raw_sqlite_small_events_per_s", spath, tmp, sevents, check, details)
    out["handle_p50_big_over_small"] = out["handle_big_p50_ms"] / out["handle_small_p50_ms"]
    out |= asyncio.run(hop_cost(spath, sizes.hop_calls))
    return out


async def _nothing_hop(store: Store) -> None:
    await store._run(lambda c: None)


async def hop_cost(path: Path, n: int) -> dict[str, float]:
    """The fixed cost of one awaited call to the store's thread: an empty function run there."""
    store = await Store.open(path)
    try:
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            await _nothing_hop(store)
            lat.append(time.perf_counter() - t)
    finally:
        await store.close()
    return {"aiosqlite_hop_p50_ms": pct(lat, 0.5) * 1e3, "_aiosqlite_hop_mean_ms": statistics.fmean(lat) * 1e3}


def huge_schedule(sizes: Sizes, n: int) -> list[tuple[int, Event, Phase]]:
    """The events of the dispatch_couples-size figures (SQLite and PostgreSQL alike): idle couples, shuffled."""
    idle = SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0).idle_couples()
    random.Random(11).shuffle(idle)
    return schedule(idle, n)


def bench_huge(tmp: Path, sizes: Sizes, check: Check, details: dict[str, Any], dpath: Path) -> dict[str, float]:
    """Dialogue.handle (and the raw replay) on copies of the dispatcher database: dispatch_couples couples,
    half of them in a running time-out (100,000 pending timers at full size)."""
    events = huge_schedule(sizes, sizes.huge_events)
    out = regimes("handle_huge", "raw_sqlite_huge_events_per_s", dpath, tmp, events, check, details)
    out["handle_huge_mean_ms"] = 1e3 / out["handle_huge_events_per_s"]
    return out


# --------------------------------------------------------------------------------------------------------
# 4. dispatcher: query plans and next_due with many pending timers


async def bench_next_due(path: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    store = await Store.open(path)
    try:
        n_timers = (await store.query("SELECT count(*) FROM timers"))[0][0]
        details["pending_timers"] = n_timers
        # The statements the store really runs for next_due / fire_due / due_outbox, caught by a trace.
        seen: list[str] = []
        await store._run(lambda c: c.set_trace_callback(seen.append))
        await store.next_due()
        await store.fire_due(START - timedelta(days=365))  # nothing that old: reads only
        await store.due_outbox(START - timedelta(days=365))
        await store._run(lambda c: c.set_trace_callback(None))
        plans: dict[str, list[str]] = {}
        for sql in dict.fromkeys(s.strip() for s in seen):
            if sql.upper().startswith("SELECT"):
                rows = await store.query("EXPLAIN QUERY PLAN " + sql)
                plans[sql] = [r[-1] for r in rows]
        details["query_plans"] = plans
        flat = [step for p in plans.values() for step in p]
        seek = bool(flat) and not any(s.startswith("SCAN") for s in flat) and all(
            "INDEX" in s or "PRIMARY KEY" in s for s in flat)
        lat = []
        for _ in range(sizes.next_due_calls):
            t = time.perf_counter()
            await store.next_due()
            lat.append(time.perf_counter() - t)
    finally:
        await store.close()
    # the two min() seeks alone, without the thread hop
    conn = sqlite3.connect(path)
    raw = []
    for _ in range(sizes.next_due_calls):
        t = time.perf_counter()
        conn.execute("SELECT min(due_at) FROM timers").fetchone()
        conn.execute("SELECT min(due_at) FROM outbox").fetchone()
        raw.append(time.perf_counter() - t)
    conn.close()
    return {"next_due_index_seek": 1.0 if seek else 0.0, "next_due_ms": pct(lat, 0.5) * 1e3,
            "_next_due_p99_ms": pct(lat, 0.99) * 1e3, "_next_due_raw_us": pct(raw, 0.5) * 1e6}


# --------------------------------------------------------------------------------------------------------
# 5. timer lateness: real SystemClock (scaled), real Dispatcher.run_forever(), a recording messenger


class RecordingMessenger:
    def __init__(self) -> None:
        self.got: list[tuple[int, float, tuple[str, ...]]] = []

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.got.append((to.user_id, time.monotonic(), tuple(cid for cid, _ in out.choices)))


async def _until_pinged(messenger: RecordingMessenger, due: dict[int, float], deadline: float) -> None:
    """Wait (bounded) until everyone in `due` got a return ping (a message with the "ready" button)."""
    while time.monotonic() < deadline:
        if len({u for u, _, c in messenger.got if "r.ready" in c}) >= len(due):
            return
        await asyncio.sleep(0.05)


async def _stop(task: asyncio.Task[None], store: Store) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await store.close()


def _first_pings(messenger: RecordingMessenger) -> dict[int, float]:
    """When each person got their first return ping (monotonic seconds)."""
    first: dict[int, float] = {}
    for u, at, choices in messenger.got:
        if "r.ready" in choices and u not in first:
            first[u] = at
    return first


class Feeder:
    """Events arriving at a steady rate through Dialogue.handle while pings fall due: the i-th event arrives at
    start + i / rate (each awaited: one couple's events in order), the schedule run again from the top when
    it ends (every flow ends idle). Its figures: the rate reached and the latency of those events."""

    def __init__(self, dlg: Dialogue, events: list[tuple[int, Event, Phase]], rate: float) -> None:
        self.dlg, self.events, self.rate = dlg, events, rate
        self.lat: list[float] = []
        self.wall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        t0 = time.monotonic()
        try:
            for i in range(10**9):
                wait = t0 + i / self.rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                uid, ev, _ = self.events[i % len(self.events)]
                t = time.perf_counter()
                await self.dlg.handle(ref_of(uid), ev)
                self.lat.append(time.perf_counter() - t)
        finally:
            self.wall = time.monotonic() - t0

    async def stop(self) -> dict[str, float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return {"events": len(self.lat), "events_per_s": len(self.lat) / max(1e-9, self.wall),
                "p50_ms": pct(self.lat, 0.5) * 1e3, "p99_ms": pct(self.lat, 0.99) * 1e3}


FEED_COUPLES = 400
"""Couples (other than the timed ones) whose events arrive while the pings are timed."""


async def run_lateness(path: Path, sizes: Sizes, couples: Sequence[int], feed: Sequence[int]) -> dict[str, Any]:
    scale = sizes.late_scale
    clock = SystemClock(scale=scale)
    t0, m0 = time.time(), time.monotonic()  # the clock's own origin, read again (µs apart) for exact times
    store = await Store.open(path)
    messenger = RecordingMessenger()
    dispatcher = Dispatcher(store, {PLATFORM: messenger}, clock)
    dlg = Dialogue(store, clock, on_scheduled=dispatcher.wake)
    task = asyncio.create_task(dispatcher.run_forever())
    feeder = Feeder(dlg, schedule(feed, sizes.feed_per_s * 20), sizes.feed_per_s)
    try:
        n = len(couples)
        for i, k in enumerate(couples):
            a, _ = members(k)
            minutes = 20 + (i * sizes.late_spread_min) // max(1, n)
            await dlg.handle(ref_of(a), cmd("timeout"))
            await dlg.handle(ref_of(a), ch(f"ret.m{minutes}"))
        setup_wall = time.monotonic() - m0
        feeder.start()
        rows = await store.query(
            "SELECT initiator, partner, return_at FROM timeouts WHERE status IN ('running', 'returning') "
            f"AND initiator IN ({','.join(str(members(k)[0]) for k in couples)})")
        due: dict[int, float] = {}
        for ini, par, ret in rows:
            wall_due = m0 + (ret - t0) / scale
            due[ini] = due[par] = wall_due
        last = max(due.values(), default=time.monotonic())
        await _until_pinged(messenger, due, last + 3.0)
    finally:
        fed = await feeder.stop()
        await _stop(task, store)
    first = _first_pings(messenger)
    late = [(first[u] - due[u]) * 1e3 for u in due if u in first]
    return {"late_ms": late, "expected": len(due), "setup_wall_s": setup_wall, "scale": scale,
            "span_s": (last - min(due.values(), default=last)), "feed": fed}


def bench_lateness(tmp: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    plan = SeedPlan(sizes.late_couples + FEED_COUPLES, active_pct=0, after_pct=0, past_avg=2)
    path = tmp / "late.sqlite3"
    seed(path, plan, datetime.now(UTC))
    idle = plan.idle_couples()
    couples, feed = idle[: sizes.late_couples], idle[sizes.late_couples:]
    r = asyncio.run(run_lateness(path, sizes, couples, feed))
    late = r["late_ms"]
    details["lateness"] = {"pings_expected": r["expected"], "pings_delivered": len(late), "scale": r["scale"],
                           "due_spread_wall_s": round(r["span_s"], 2), "setup_wall_s": round(r["setup_wall_s"], 2),
                           "min_ms": min(late, default=float("nan")), "events_arriving": r["feed"]}
    return {"timer_lateness_p50_ms": pct(late, 0.5), "timer_lateness_p99_ms": pct(late, 0.99),
            "_timer_lateness_max_ms": max(late, default=float("nan")),
            "timer_pings_delivered_ratio": len(late) / max(1, r["expected"]),
            "timer_feed_events_per_s": r["feed"]["events_per_s"], "timer_feed_p99_ms": r["feed"]["p99_ms"]}


async def run_lateness_realtime(
    path: Path, seconds: int, per_second: int, couples: Sequence[int], feed: Sequence[int], feed_per_s: float,
) -> dict[str, Any]:
    """Scale 1 (production): time-outs inserted directly (a real one lasts >= 20 minutes), `per_second` of
    them due in each of the next `seconds` wall seconds (due times are whole seconds, as in the store);
    the real Dispatcher.run_forever() delivers the pings, while other couples' events arrive through
    Dialogue.handle at `feed_per_s` (the same store, the same event loop)."""
    n_timeouts = seconds * per_second
    clock = SystemClock()
    t0, m0 = time.time(), time.monotonic()
    base = int(t0)
    c = sqlite3.connect(path, isolation_level=None)
    rows, timers, due = [], [], {}
    for i, k in enumerate(couples[:n_timeouts]):
        a, b = members(k)
        ret = base + 2 + i // per_second
        tid = f"{a}-{base * 1000}"
        rows.append((tid, a, b, ret - 1800, ret, 0, "running", "", 1, None))
        timers += [(f"{tid}:return:{u}", u, "return", tid, ret) for u in (a, b)]
        due[a] = due[b] = m0 + (ret - t0)
    c.execute("BEGIN")
    c.executemany("INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, "
                  "ready, notified, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    c.executemany("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?)", timers)
    c.execute("COMMIT")
    c.close()
    store = await Store.open(path)
    messenger = RecordingMessenger()
    dispatcher = Dispatcher(store, {PLATFORM: messenger}, clock)
    task = asyncio.create_task(dispatcher.run_forever())
    feeder = Feeder(Dialogue(store, clock, on_scheduled=dispatcher.wake),
                    schedule(feed, int(feed_per_s * (seconds + 5))), feed_per_s)
    feeder.start()
    try:
        await _until_pinged(messenger, due, max(due.values()) + 2.5)
    finally:
        fed = await feeder.stop()
        await _stop(task, store)
    first = _first_pings(messenger)
    return {"late_ms": [(first[u] - due[u]) * 1e3 for u in due if u in first], "expected": len(due), "feed": fed}


def bench_lateness_realtime(tmp: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    n = sizes.late_rt_seconds * sizes.late_rt_per_second
    plan = SeedPlan(n + FEED_COUPLES, active_pct=0, after_pct=0, past_avg=2)
    path = tmp / "late_rt.sqlite3"
    seed(path, plan, datetime.now(UTC))
    idle = plan.idle_couples()
    r = asyncio.run(run_lateness_realtime(path, sizes.late_rt_seconds, sizes.late_rt_per_second, idle[:n],
                                          idle[n:], sizes.feed_per_s))
    late = r["late_ms"]
    details["lateness_realtime"] = {"pings_expected": r["expected"], "pings_delivered": len(late), "scale": 1.0,
                                    "min_ms": min(late, default=float("nan")),
                                    "max_ms": max(late, default=float("nan")), "events_arriving": r["feed"]}
    return {"timer_lateness_rt_p50_ms": pct(late, 0.5), "timer_lateness_rt_p99_ms": pct(late, 0.99),
            "timer_rt_pings_delivered_ratio": len(late) / max(1, r["expected"]),
            "timer_rt_feed_events_per_s": r["feed"]["events_per_s"], "timer_rt_feed_p99_ms": r["feed"]["p99_ms"]}


# --------------------------------------------------------------------------------------------------------
# 7. the usual alternative: python-telegram-bot's ConversationHandler with PicklePersistence


PTB_FLOW: list[tuple[str, str]] = [
    ("command", "/timeout"), ("button", "ret.m30"), ("button", "t.8"), ("button", "br.next"),
    ("text", "De vakantieplanning, en dat ik me niet gehoord voel"),
]
"""What one person sends in the PTB bot: the start of a time-out (the same kinds of updates as ours)."""
PTB_FIRST_USER = 5_000_000_000


def ptb_seed(path: Path, conversations: int) -> None:
    """A PicklePersistence file (PTB's own layout) holding `conversations` people in the middle of a time-out,
    each with the same fields our session holds in user_data."""
    import pickle

    waiting = 4  # the state number of WAITING in ptb_application()
    user_data = {
        PTB_FIRST_USER + i: {
            "phase": "waiting", "timeout_id": f"{i}-1741021200000", "return_at": 1741023000, "role": "initiator",
            "tension_start": 7, "tension_after": 4, "feeling": "angry", "under": "hurt", "need": "heard",
            "opener": "use", "topic": "De vakantieplanning", "perspective": "pf.hurt", "own_part": "own.voice",
            "kept": ["Ik hou van je"],
        }
        for i in range(conversations)
    }
    data = {
        "conversations": {"timeout": {(uid, uid): waiting for uid in user_data}},
        "user_data": user_data, "chat_data": {}, "bot_data": {}, "callback_data": None,
    }
    with path.open("wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)


def ptb_application(path: Path, on_flush: bool) -> tuple[Any, Any]:
    """A real PTB Application with a persistent ConversationHandler over `path`; requests never leave the process
    (getMe is answered locally, and the handlers do not send: only framework and persistence are measured)."""
    import warnings

    from telegram.ext import (
        Application,
        CallbackQueryHandler,
        CommandHandler,
        ConversationHandler,
        MessageHandler,
        PicklePersistence,
        filters,
    )
    from telegram.request import BaseRequest

    class NoNetwork(BaseRequest):
        @property
        def read_timeout(self) -> float | None:
            return 1.0

        async def initialize(self) -> None:
            return None

        async def shutdown(self) -> None:
            return None

        async def do_request(self, url: str, method: str, request_data: Any = None, read_timeout: Any = None,
                             write_timeout: Any = None, connect_timeout: Any = None,
                             pool_timeout: Any = None) -> tuple[int, bytes]:
            me = {"id": 4242, "is_bot": True, "first_name": "Adempauze", "username": "adempauze_bot",
                  "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
            result: Any = me if url.endswith("/getMe") else True
            return 200, json.dumps({"ok": True, "result": result}).encode()

    class CountingPersistence(PicklePersistence):  # type: ignore[type-arg]
        __slots__ = ("dumps",)

        def _dump_singlefile(self) -> None:
            self.dumps = getattr(self, "dumps", 0) + 1
            super()._dump_singlefile()

    choose, tension, breathe, topic, waiting = range(5)

    async def start(update: Any, context: Any) -> int:
        context.user_data.update(phase="choose", timeout_id=f"{update.effective_user.id}-1", kept=[])
        return choose

    async def chosen(update: Any, context: Any) -> int:
        context.user_data.update(phase="tension", return_at=1741023000)
        return tension

    async def tension_(update: Any, context: Any) -> int:
        context.user_data.update(phase="breathe", tension_start=int(update.callback_query.data[2:]))
        return breathe

    async def breathed(update: Any, context: Any) -> int:
        context.user_data.update(phase="topic")
        return topic

    async def topic_(update: Any, context: Any) -> int:
        context.user_data.update(phase="waiting", topic=update.message.text[:300])
        return waiting

    async def cancel(update: Any, context: Any) -> int:
        context.user_data.clear()
        return int(ConversationHandler.END)

    persistence = CountingPersistence(path, on_flush=on_flush)  # update_interval: PTB's default, 60 s
    app = (Application.builder().token("4242:bench").request(NoNetwork()).get_updates_request(NoNetwork())
           .persistence(persistence).updater(None).build())
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # per_message=False with button handlers: what the examples do
        app.add_handler(ConversationHandler(
            entry_points=[CommandHandler("timeout", start)],
            states={choose: [CallbackQueryHandler(chosen)], tension: [CallbackQueryHandler(tension_)],
                    breathe: [CallbackQueryHandler(breathed)], topic: [MessageHandler(text, topic_)],
                    waiting: [MessageHandler(text, topic_)]},
            fallbacks=[CommandHandler("cancel", cancel)], name="timeout", persistent=True,
        ))
    return app, persistence


def ptb_updates(bot: Any, first: int, users: int) -> list[Any]:
    """Real Update objects (Update.de_json of Bot API JSON) for `users` people, each running PTB_FLOW;
    interleaved like the Dialogue schedule."""
    from telegram import Update

    out = []
    n = 0
    for step, (kind, value) in enumerate(PTB_FLOW):
        for j in range(users):
            uid = first + j
            n += 1
            person = {"id": uid, "is_bot": False, "first_name": f"user{uid}", "language_code": "nl"}
            chat = {"id": uid, "type": "private", "first_name": f"user{uid}"}
            message = {"message_id": 100 + step, "date": 1741021200 + n, "chat": chat, "from": person, "text": value}
            if kind == "command":
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value)}]
            if kind == "button":
                bot_msg = {"message_id": 99 + step, "date": 1741021200, "chat": chat, "text": "…",
                           "from": {"id": 4242, "is_bot": True, "first_name": "Adempauze"}}
                payload = {"update_id": n, "callback_query": {"id": str(n), "from": person, "chat_instance": "c",
                                                              "data": value, "message": bot_msg}}
            else:
                payload = {"update_id": n, "message": message}
            out.append(Update.de_json(payload, bot))
    return out


async def run_ptb(path: Path, on_flush: bool, users: int) -> dict[str, float]:
    """Process the updates of `users` people through the Application. on_flush=False (PTB's defaults): the
    updates, then one Application.update_persistence() as the 60 s job runs it. on_flush=True: after every update,
    update_persistence() and flush() (one file write per update: what durability per update costs)."""
    app, persistence = ptb_application(path, on_flush)
    t = time.perf_counter()
    await app.initialize()
    load_s = time.perf_counter() - t
    updates = ptb_updates(app.bot, PTB_FIRST_USER + 10_000_000, users)
    quiet_gc()
    persistence.dumps = 0
    t0 = time.perf_counter()
    per_update = []
    for up in updates:
        t = time.perf_counter()
        await app.process_update(up)
        if on_flush:
            await app.update_persistence()
            await persistence.flush()
        per_update.append(time.perf_counter() - t)
    t1 = time.perf_counter()
    if not on_flush:
        await app.update_persistence()
    t2 = time.perf_counter()
    states = app._conversation_handler_conversations["timeout"]
    reached = sum(1 for j in range(users) if states.get((PTB_FIRST_USER + 10_000_000 + j,) * 2) == 4)
    # No app.shutdown(): it would write the whole file once more, outside what is measured.
    return {"n": len(updates), "ms_per_update": (t2 - t0) / len(updates) * 1e3,
            "in_memory_ms_per_update": ((t1 - t0) if not on_flush else 0.0) / len(updates) * 1e3,
            "dumps": persistence.dumps, "stall_s": t2 - t1, "max_update_ms": max(per_update) * 1e3,
            "load_s": load_s, "reached_waiting": reached, "users": users}


def bench_ptb(tmp: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    seed_path = tmp / "ptb_seed.pickle"
    t = time.perf_counter()
    ptb_seed(seed_path, sizes.ptb_conversations)
    log(f"  pickled {sizes.ptb_conversations:,} conversations in {time.perf_counter() - t:.1f}s")
    default = asyncio.run(run_ptb(copy_db(seed_path, tmp / "ptb_default.pickle"), False, sizes.ptb_default_users))
    users = max(1, -(-sizes.ptb_flush_updates // len(PTB_FLOW)))
    flush_path = copy_db(seed_path, tmp / "ptb_flush.pickle")
    flush = asyncio.run(run_ptb(flush_path, True, users))
    for r in (default, flush):
        if r["reached_waiting"] != r["users"]:
            raise RuntimeError(f"PTB flow did not reach WAITING: {r}")
    details["ptb"] = {"default": default, "flush_per_update": flush, "pickle_mb": seed_path.stat().st_size / 1e6,
                      "conversations": sizes.ptb_conversations,
                      "note": "handlers do not send (network excluded on both sides); the pickle holds "
                              f"{sizes.ptb_conversations:,} conversations and their user_data (our session fields)"}
    return {
        "ptb_default_ms_per_update": default["ms_per_update"],
        "ptb_default_dumps_per_update": default["dumps"] / default["n"],
        "ptb_default_stall_s": default["stall_s"],
        "ptb_in_memory_ms_per_update": default["in_memory_ms_per_update"],
        "ptb_flush_ms_per_update": flush["ms_per_update"],
        "ptb_pickle_mb": seed_path.stat().st_size / 1e6,
    }


# --------------------------------------------------------------------------------------------------------
# 8. dispatcher under 100,000 pending timers: claim rate, and real-time lateness next to them


class CountingMessenger:
    def __init__(self) -> None:
        self.n = 0

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.n += 1


async def run_claim(path: Path, n_due: int) -> dict[str, Any]:
    """Move a ManualClock to where `n_due` of the pending timers are due; one Dispatcher.run_due() claims them
    (each: a core step in its own transaction, the ping queued) and delivers the pings."""
    store = await Store.open(path)
    try:
        pending = (await store.query("SELECT count(*) FROM timers"))[0][0]
        due_at = (await store.query("SELECT due_at FROM timers ORDER BY due_at LIMIT 1 OFFSET ?",
                                    (max(0, min(n_due, pending) - 1),)))[0][0]
        clock = ManualClock(datetime.fromtimestamp(due_at, UTC))
        messenger = CountingMessenger()
        dispatcher = Dispatcher(store, {PLATFORM: messenger}, clock)
        quiet_gc()
        t = time.perf_counter()
        done = await dispatcher.run_due()
        wall = time.perf_counter() - t
        left = (await store.query("SELECT count(*) FROM timers"))[0][0]
    finally:
        await store.close()
    fired = done - messenger.n
    return {"pending": pending, "fired": fired, "delivered": messenger.n, "wall_s": wall, "left": left}


def bench_pending(tmp: Path, sizes: Sizes, details: dict[str, Any], dpath: Path) -> dict[str, float]:
    cpath = copy_db(dpath, tmp / "claim.sqlite3")
    r = asyncio.run(run_claim(cpath, sizes.claim_due))
    cpath.unlink()
    details["claim"] = r
    plan = SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0)
    lpath = copy_db(dpath, tmp / "late_pending.sqlite3")
    c = sqlite3.connect(lpath, isolation_level=None)  # the pending timers were seeded around START: move them
    c.execute("UPDATE timers SET due_at = due_at + ?", (int(time.time()) - int(START.timestamp()),))  # to now
    c.close()
    idle = plan.idle_couples()
    n = sizes.late_pending_seconds * sizes.late_pending_per_second
    lr = asyncio.run(run_lateness_realtime(lpath, sizes.late_pending_seconds, sizes.late_pending_per_second,
                                           idle[:n], idle[n:n + FEED_COUPLES], sizes.feed_per_s))
    lpath.unlink()
    late = lr["late_ms"]
    details["lateness_pending"] = {"pings_expected": lr["expected"], "pings_delivered": len(late),
                                   "pending_timers": r["pending"], "max_ms": max(late, default=float("nan")),
                                   "events_arriving": lr["feed"]}
    return {"claim_timers_per_s": r["fired"] / r["wall_s"], "claim_pings_per_s": r["delivered"] / r["wall_s"],
            "timer_lateness_pending_p50_ms": pct(late, 0.5), "timer_lateness_pending_p99_ms": pct(late, 0.99),
            "timer_pending_pings_delivered_ratio": len(late) / max(1, lr["expected"]),
            "timer_pending_feed_events_per_s": lr["feed"]["events_per_s"],
            "timer_pending_feed_p99_ms": lr["feed"]["p99_ms"]}


# --------------------------------------------------------------------------------------------------------
# 6. memory: a fresh process per database size


CACHES = {
    "sessions (bot/store/sqlite/store.py SESSIONS_CACHED: parsed sessions by their stored text)": 2048,
    "time-outs (bot/store/sqlite/rows.py timeout_from: rows -> Timeout)": 1024,
    "contracts (bot/store/sqlite/rows.py contract_of: stored text -> Contract)": 512,
    "display names (bot/store/sqlite/rows.py shown_of: platform name -> name shown)": 2048,
    "breathing pacer frames (bot/service.py _frames: per language and pattern)": 64,
    "contract bounds (bot/core/contract.py)": 64,
    "statements (PostgreSQL: bot/store/postgres/connection.py translate; sqlite3's own statement cache)": 1024,
}
"""The bounded caches of the store and the service, with their sizes (entries). The memory run touches more
couples than the largest one holds (two sessions, a time-out and a contract per couple). Not per couple:
the reader's memo of typed words (bot/reader.py, up to 200,000 words per language), SQLite's page cache."""


def touch_events(couples: int, touch: int) -> list[tuple[int, Event, Phase]]:
    """Two events for each of `touch` couples in a running time-out (the initiator asks the status, the
    partner goes on breathing: their sessions, their time-out and their contract are read), spread at random
    over the whole file; with fewer such couples than `touch`, they come round again."""
    plan = SeedPlan(couples, active_pct=50, after_pct=0)
    busy = [k for k in range(1, couples + 1) if not plan.idle(k)]
    random.Random(3).shuffle(busy)
    out: list[tuple[int, Event, Phase]] = []
    for i in range(touch):
        a, b = members(busy[i % len(busy)])
        out += [(a, ch("w.status"), P.WAITING), (b, ch("br.next"), P.BREATHE_TENSION)]
    return out


async def rss_child(path: Path, couples: int, touch: int) -> dict[str, Any]:
    events = touch_events(couples, touch)
    before = rss_kb()
    store = await Store.open(path)
    quarter: tuple[int, int] = (0, 0)
    try:
        clock = ManualClock(START)
        dlg = Dialogue(store, clock)
        for i, (uid, ev, _) in enumerate(events):
            if i == len(events) // 4:
                gc.collect()
                quarter = rss_kb()
            clock.advance(timedelta(seconds=1))
            await dlg.handle(ref_of(uid), ev)
        gc.collect()
        cur, peak = rss_kb()
        cached = {"sessions": len(store._sessions), "timeouts": timeout_from.cache_info().currsize,
                  "contracts": contract_of.cache_info().currsize}
    finally:
        await store.close()
    return {"rss_kb": cur, "hwm_kb": peak, "before_kb": before[0], "quarter_kb": quarter[0], "events": len(events),
            "couples_touched": len({(u + 1) // 2 for u, _, _ in events}), "cached": cached}


def bench_rss(tmp: Path, sizes: Sizes, details: dict[str, Any], big_path: Path) -> dict[str, float]:
    small = tmp / "rss_small.sqlite3"
    seed(small, SeedPlan(100, active_pct=50, after_pct=0), START)
    res = {}
    for name, path, n in (("small", small, 100), ("big", big_path, sizes.dispatch_couples)):
        copy = copy_db(path, tmp / "rss.sqlite3")
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(copy), "--rss-couples", str(n),
             "--rss-touch", str(sizes.rss_touch)],
            capture_output=True, text=True, timeout=600, check=False)
        copy.unlink()
        if proc.returncode != 0:
            raise RuntimeError(f"rss child failed:\n{proc.stderr}")
        res[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    details["rss"] = res | {"caches": CACHES}
    s, b = res["small"]["hwm_kb"] / 1024, res["big"]["hwm_kb"] / 1024
    big = res["big"]
    return {"rss_small_mb": s, "rss_big_mb": b, "rss_delta_mb": b - s,
            "rss_touched_couples": float(big["couples_touched"]),
            "rss_growth_after_quarter_mb": (big["rss_kb"] - big["quarter_kb"]) / 1024}


# --------------------------------------------------------------------------------------------------------
# report


@dataclass(frozen=True)
class Fig:
    key: str
    label: str
    unit: str
    goal: Callable[[float], bool] | None = None
    goal_text: str = ""


def handle_figs(prefix: str, raw_key: str, couples: str) -> list[Fig]:
    """The Dialogue.handle rows of one database size: raw sqlite3, then both regimes with the same goals."""
    rows = [Fig(raw_key, f"raw sqlite3, one event's statements ({couples} couples; median of {RUNS})", "ev/s"),
            Fig(f"{prefix}_raw_light_events_per_s", "  the same without any WAL truncation (raw does less)", "ev/s")]
    for key, regime in ((prefix, "one at a time"), (f"{prefix}_load", f"{LOAD_LANES} couples at once")):
        ratio_goal = 0.25 if key == prefix else 0.35
        light = f"{prefix}_ratio_to_raw_light" if key == prefix else f"{prefix}_load_ratio_to_raw_light"
        rows += [
            Fig(f"{key}_p50_ms", f"Dialogue.handle p50, {regime} ({couples} couples)", "ms",
                lambda v: v <= 1.0, "<= 1"),
            Fig(f"{key}_p99_ms", f"  p99, {regime}", "ms", lambda v: v <= 5.0, "<= 5"),
            Fig(f"{key}_service_p99_ms", "    of which service alone: p99 (first statement to rendered reply)", "ms"),
            Fig(f"{key}_events_per_s", f"  rate, {regime}", "ev/s", lambda v: v >= 2_000, ">= 2,000"),
            Fig(f"{key}_ratio_to_raw", f"  ratio to raw sqlite3, {regime}", "x",
                lambda v, g=ratio_goal: v >= g, f">= {ratio_goal:.2f}"),
            Fig(light, f"  ratio to raw sqlite3 without any WAL truncation, {regime}", "x",
                lambda v, g=ratio_goal: v >= g, f">= {ratio_goal:.2f}"),
        ]
        if key != prefix:
            rows.insert(-3, Fig(f"{key}_littles_ms", f"    mean wait in the queue of {LOAD_LANES} (Little's law: "
                                                     f"{LOAD_LANES} / rate)", "ms"))
    return rows


def figures(s: Sizes) -> list[Fig]:
    big, small, disp = f"{s.big_couples:,}", f"{s.small_couples:,}", f"{s.dispatch_couples:,}"
    ptb = f"{s.ptb_conversations:,}"
    feed = f"{s.feed_per_s} events/s arriving"
    return [
        Fig("core_step_events_per_s", "core.step alone (1 core)", "ev/s", lambda v: v >= 50_000, ">= 50,000"),
        *handle_figs("handle_big", "raw_sqlite_events_per_s", big),
        Fig("store_sync_events_per_s", f"  the store's transaction alone, no thread, no rendering ({big})",
            "ev/s"),
        *handle_figs("handle_small", "raw_sqlite_small_events_per_s", small),
        Fig("handle_p50_big_over_small", "  p50 big / p50 small (flat ~ 1)", "x"),
        *handle_figs("handle_huge", "raw_sqlite_huge_events_per_s", disp),
        Fig("handle_p50_huge_over_small", f"  p50 {disp} / p50 {small} couples (flat ~ 1)", "x",
            lambda v: v <= 1.5, "<= 1.5"),
        Fig("aiosqlite_hop_p50_ms", "one empty call on the store's thread (the hop) p50", "ms"),
        Fig("handle_huge_mean_ms", f"Dialogue.handle mean cost per event ({disp} couples)", "ms"),
        Fig("ptb_in_memory_ms_per_update", f"PTB ConversationHandler, in memory only ({ptb} conv.)", "ms"),
        Fig("ptb_default_ms_per_update", f"PTB + PicklePersistence, defaults ({ptb} conv.), per update", "ms"),
        Fig("ptb_default_dumps_per_update", "  whole-file writes per update (defaults)", ""),
        Fig("ptb_default_stall_s", "  event loop blocked by one 60 s persistence run", "s"),
        Fig("ptb_flush_ms_per_update", f"PTB + PicklePersistence, flush per update ({ptb} conv.)", "ms"),
        Fig("ptb_pickle_mb", "  pickle file size", "MB"),
        Fig("ptb_default_over_handle", "  PTB defaults / Dialogue.handle, per update", "x",
            lambda v: v >= 50.0, ">= 50"),
        Fig("ptb_flush_over_handle", "  PTB flush per update / Dialogue.handle, per update", "x",
            lambda v: v >= 50.0, ">= 50"),
        Fig("next_due_index_seek", "due-queries use index seeks (1 = yes)", "", lambda v: v == 1.0, "= 1"),
        Fig("next_due_ms", "next_due() p50 (pending timers below)", "ms"),
        Fig("timer_lateness_p50_ms", f"return ping lateness p50 (clock x{s.late_scale:g}, {feed})", "ms"),
        Fig("timer_lateness_p99_ms", f"return ping lateness p99 (clock x{s.late_scale:g}, {feed})", "ms",
            lambda v: v <= 100.0, "<= 100"),
        Fig("timer_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("timer_feed_events_per_s", "  events that arrived meanwhile, rate reached", "ev/s"),
        Fig("timer_feed_p99_ms", "  their Dialogue.handle p99", "ms", lambda v: v <= 5.0, "<= 5"),
        Fig("timer_lateness_rt_p50_ms", f"return ping lateness p50, real time (scale 1, {feed})", "ms"),
        Fig("timer_lateness_rt_p99_ms", f"return ping lateness p99, real time (scale 1, {feed})", "ms",
            lambda v: v <= 100.0, "<= 100"),
        Fig("timer_rt_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("timer_rt_feed_events_per_s", "  events that arrived meanwhile, rate reached", "ev/s"),
        Fig("timer_rt_feed_p99_ms", "  their Dialogue.handle p99", "ms", lambda v: v <= 5.0, "<= 5"),
        Fig("claim_timers_per_s", "dispatcher: due timers claimed per s (pending timers below)", "/s"),
        Fig("claim_pings_per_s", "  their pings delivered per s (same run)", "/s"),
        Fig("timer_lateness_pending_p50_ms", f"return ping lateness p50, real time, pending timers below, {feed}",
            "ms"),
        Fig("timer_lateness_pending_p99_ms", f"return ping lateness p99, real time, pending timers below, {feed}",
            "ms", lambda v: v <= 100.0, "<= 100"),
        Fig("timer_pending_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("timer_pending_feed_events_per_s", "  events that arrived meanwhile, rate reached", "ev/s"),
        Fig("timer_pending_feed_p99_ms", "  their Dialogue.handle p99", "ms", lambda v: v <= 5.0, "<= 5"),
        Fig("rss_small_mb", f"peak RSS, {2 * s.rss_touch:,} events, {small} couples stored", "MB"),
        Fig("rss_big_mb", f"peak RSS, {2 * s.rss_touch:,} events, {disp} couples stored", "MB"),
        Fig("rss_touched_couples", "  couples touched (largest cache: 2,048 sessions = 1,024 couples)", ""),
        Fig("rss_delta_mb", "  difference", "MB", lambda v: v <= 10.0, "<= 10"),
        Fig("rss_growth_after_quarter_mb", "  RSS growth over the last 3/4 of the events (caches full)", "MB"),
    ]


FIGURE_KEYS = [f.key for f in figures(QUICK)]
PARTS = ("core", "store", "huge", "ptb", "dispatch", "memory", "postgres")
"""What --only may choose (postgres also with --postgres)."""
"""Every SQLite figure, in the order of the table (the JSON's "figures"; tests/test_bench_smoke.py)."""


def fmt(v: float) -> str:
    if v != v:  # NaN
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def postgres_figures(s: Sizes) -> list[Fig]:
    """scripts/bench_postgres.py's rows (`--postgres`): PostgreSQL next to the SQLite rows above."""
    disp = f"{s.dispatch_couples:,}"
    return [
        Fig("pg1_p50_ms", f"PostgreSQL, 1 process, one at a time: Dialogue.handle p50 ({disp} couples)", "ms"),
        Fig("pg1_p99_ms", "  p99, one at a time", "ms", lambda v: v <= 10.0, "<= 10"),
        Fig("pg1_events_per_s", "  rate, one at a time", "ev/s"),
        Fig("pg1_round_trips", "  round trips to the server per event", "x"),
        Fig("pg1_service_p99_ms", "  its transaction on the store's thread (service time): p99", "ms"),
        Fig("pg1_client_cpu_ms", "  CPU per event: the bot's process (all its threads)", "ms"),
        Fig("pg1_server_cpu_ms", "  CPU per event: the server (all its processes)", "ms"),
        Fig("pg1_load_p50_ms", f"PostgreSQL, 1 process, {LOAD_LANES} couples at once: p50", "ms"),
        Fig("pg1_load_p99_ms", f"  p99, {LOAD_LANES} couples at once", "ms", lambda v: v <= 10.0, "<= 10"),
        Fig("pg1_load_events_per_s", f"  rate, {LOAD_LANES} couples at once", "ev/s"),
        Fig("pg1_load_service_p50_ms", "  of that, the service time (its transaction on the thread): p50", "ms"),
        Fig("pg1_load_service_p99_ms", "  service time p99 (the rest of the p99 is waiting: queueing)", "ms"),
        Fig("pg1_load_client_cpu_ms", "  CPU per event: the bot's process", "ms"),
        Fig("pg1_load_server_cpu_ms", "  CPU per event: the server", "ms"),
        Fig("pg1_load_machine_busy_share", "  all CPUs busy meanwhile (share; other work on the machine too)", "x"),
        Fig("pg_cpu_ceiling_events_per_s", "  the CPU ceiling: cores / (bot + server CPU per event)", "ev/s"),
        Fig("pg_cpu_ceiling_over_pg1", "  that ceiling over one process under load: the most a 2nd could add", "x"),
        Fig("pg2_events_per_s", "PostgreSQL, 2 processes, one at a time each: rate together", "ev/s"),
        Fig("pg2_p99_ms", "  p99", "ms"),
        Fig("pg2_over_pg1_one", "  2 processes over 1 (one at a time)", "x"),
        Fig("pg2_load_events_per_s", f"PostgreSQL, 2 processes, {LOAD_LANES} couples at once each: rate", "ev/s"),
        Fig("pg2_load_p99_ms", "  p99", "ms"),
        Fig("pg2_over_pg1", "  2 processes over 1 (under load)", "x", lambda v: v >= 1.5, ">= 1.5"),
        Fig("pg2_machine_busy_share", "  all CPUs busy meanwhile (share; other work on the machine too)", "x"),
        Fig("pg2_server_cores_used", "  the server's own CPU meanwhile (cores)", "x"),
        Fig("pg2_load_client_cpu_ms", "  CPU per event: the two bot processes", "ms"),
        Fig("pg2_load_server_cpu_ms", "  CPU per event: the server", "ms"),
    ]


def side_by_side(vals: dict[str, float], s: Sizes) -> str:
    """SQLite, PostgreSQL with 1 process and with 2, at the same size, both regimes, one table."""
    cols = (("SQLite", "handle_huge"), ("PG 1 process", "pg1"), ("PG 2 processes", "pg2"))
    rows = [("one at a time: events/s", "_events_per_s"), ("  p50 ms", "_p50_ms"), ("  p99 ms", "_p99_ms"),
            (f"{LOAD_LANES} couples at once (each process): events/s", "_load_events_per_s"),
            ("  p50 ms", "_load_p50_ms"), ("  p99 ms", "_load_p99_ms")]
    head = [f"{s.dispatch_couples:,} couples, median of {RUNS} runs", *(c for c, _ in cols)]
    body = [[label, *(fmt(vals.get(p + suffix, float("nan"))) for _, p in cols)] for label, suffix in rows]
    w = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(f"{x:<{w[0]}}" if i == 0 else f"{x:>{w[i]}}" for i, x in enumerate(r)) for r in [head, *body]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def table(figs: list[Fig], vals: dict[str, float], pending_timers: int,
          partial: bool = False) -> tuple[str, dict[str, bool | None]]:
    rows = []
    verdicts: dict[str, bool | None] = {}
    for f in figs:
        v = vals.get(f.key, float("nan"))
        label = f.label.replace("(pending timers below)", f"({pending_timers:,} pending timers)")
        ok = None if f.goal is None or (v != v and partial) else (v == v and f.goal(v))  # NaN: not measured
        verdicts[f.key] = ok
        mark = "" if ok is None else ("OK" if ok else "MISS")
        rows.append((label, f"{fmt(v)} {f.unit}".strip(), f.goal_text or "-", mark))
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    head = f"{'figure':<{w[0]}}  {'value':>{w[1]}}  {'goal':<{w[2]}}  "
    lines = [head, "-" * (len(head) + 4)]
    lines += [f"{a:<{w[0]}}  {b:>{w[1]}}  {c:<{w[2]}}  {d}" for a, b, c, d in rows]
    return "\n".join(lines), verdicts


# --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    log(f"- {name} …")
    t = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - t, 2)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run of a few seconds)")
    ap.add_argument("--json", default="bench-results.json", help="where to write the results (default: %(default)s)")
    ap.add_argument("--tmp", help="folder for the benchmark databases (default: a fresh temporary folder)")
    ap.add_argument("--synchronous", choices=("FULL", "NORMAL"), default=store_module.SYNCHRONOUS,
                    help="PRAGMA synchronous of every store connection (default: the store's, %(default)s)")
    ap.add_argument("--postgres", action="store_true",
                    help="also PostgreSQL, 1 and 2 processes (scripts/bench_postgres.py; Debian's postgresql)")
    ap.add_argument("--only", default="", help="only these parts, comma-separated: core, store (100 and "
                    "10,000 couples), huge (100,000), ptb, dispatch, memory, postgres (default: all)")
    ap.add_argument("--rss-child", help=argparse.SUPPRESS)
    ap.add_argument("--rss-couples", type=int, default=100, help=argparse.SUPPRESS)
    ap.add_argument("--rss-touch", type=int, default=1000, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    store_module.SYNCHRONOUS = args.synchronous

    if args.rss_child:
        res = asyncio.run(rss_child(Path(args.rss_child), args.rss_couples, args.rss_touch))
        print(json.dumps(res))
        return 0

    sizes = QUICK if args.quick else FULL
    check = Check()
    vals: dict[str, float] = {}
    details: dict[str, Any] = {}
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    load_before = os.getloadavg()
    parts = {p.strip() for p in args.only.split(",") if p.strip()} or set(PARTS)
    if args.postgres:
        parts.add("postgres")
    elif not args.only:
        parts.discard("postgres")
    if unknown := parts - set(PARTS):
        ap.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    nan = float("nan")
    t = time.perf_counter()
    warm_up()
    details["reader_warm_up_s"] = round(time.perf_counter() - t, 2)
    with tempfile.TemporaryDirectory(prefix="adempauze-bench-", dir=args.tmp) as td:
        tmp = Path(td)
        if "core" in parts:
            with stage("core.step", timings):
                vals |= bench_core(sizes, check)
        if "store" in parts:
            with stage("store: raw sqlite3 and Dialogue.handle", timings):
                vals |= bench_store(tmp, sizes, check, details)
        dpath = tmp / "dispatch.sqlite3"
        if parts & {"huge", "ptb", "dispatch", "memory"}:
            with stage("dispatcher: query plans and next_due()", timings):
                dplan = SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0)
                t = time.perf_counter()
                details["seed_dispatch"] = seed(dpath, dplan, START)
                log(f"  seeded {dplan.couples:,} couples in {time.perf_counter() - t:.1f}s")
                vals |= asyncio.run(bench_next_due(dpath, sizes, details))
        if "huge" in parts:
            with stage(f"store: Dialogue.handle with {sizes.dispatch_couples:,} couples", timings):
                vals |= bench_huge(tmp, sizes, check, details, dpath)
                vals["handle_p50_huge_over_small"] = vals["handle_huge_p50_ms"] / vals.get("handle_small_p50_ms", nan)
        if "ptb" in parts:
            with stage(f"PTB ConversationHandler + PicklePersistence, {sizes.ptb_conversations:,} conversations",
                       timings):
                vals |= bench_ptb(tmp, sizes, details)
                mean = vals.get("handle_huge_mean_ms", nan)
                vals["ptb_default_over_handle"] = vals["ptb_default_ms_per_update"] / mean
                vals["ptb_flush_over_handle"] = vals["ptb_flush_ms_per_update"] / mean
        if "dispatch" in parts:
            with stage("dispatcher: claim rate and lateness next to the pending timers", timings):
                vals |= bench_pending(tmp, sizes, details, dpath)
            with stage("dispatcher: return ping lateness (SystemClock, run_forever)", timings):
                vals |= bench_lateness(tmp, sizes, details)
            with stage("dispatcher: return ping lateness in real time (scale 1)", timings):
                vals |= bench_lateness_realtime(tmp, sizes, details)
        if "memory" in parts:
            with stage("memory (fresh processes)", timings):
                vals |= bench_rss(tmp, sizes, details, dpath)
        if "postgres" in parts:
            with stage(f"PostgreSQL: Dialogue.handle with {sizes.dispatch_couples:,} couples, 1 and 2 processes",
                       timings):
                import bench_postgres  # scripts/ is on the path: this script's folder

                pg = bench_postgres.run(args.quick)
                details["postgres"] = {k: v for k, v in pg.items() if not k.startswith("pg")}
                vals |= {k: v for k, v in pg.items() if k.startswith("pg")}
    total = time.perf_counter() - t_all

    figs = [f for f in figures(sizes) if f.key in vals] + [f for f in postgres_figures(sizes) if f.key in vals]
    text, verdicts = table(figs, vals, int(details.get("pending_timers", 0)), partial=bool(args.only))
    print(f"Adempauze benchmark{' (quick sizes)' if args.quick else ''}, synchronous={args.synchronous} — "
          f"Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, {total:.0f}s; load average before "
          f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(text)
    print("\nside by side (scripts/bench --postgres for the PostgreSQL columns):")
    print(side_by_side(vals, sizes))
    print("\nquery plans of the store's due-queries:")
    for sql, plan in details.get("query_plans", {}).items():
        print(f"  {sql}\n    -> " + "\n    -> ".join(plan))
    if check.mismatches:
        print("\nWARNING: the scripted flows did not go as expected (bench/core out of step):", file=sys.stderr)
        for m in check.mismatches:
            print(f"  {m}", file=sys.stderr)

    result = {
        "parts": sorted(parts),
        "figures": {k: vals[k] for k in FIGURE_KEYS if k in vals} | {f.key: vals[f.key] for f in postgres_figures(sizes)
                                                         if f.key in vals},
        "side_by_side": side_by_side(vals, sizes).splitlines(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "ok": verdicts,
        "goals": {f.key: f.goal_text for f in figs if f.goal_text},
        "extra": {k.lstrip("_"): v for k, v in vals.items() if k.startswith("_")},
        "details": details,
        "flow_mismatches": check.mismatches,
        "quick": args.quick,
        "synchronous": args.synchronous,
        "sizes": sizes.__dict__,
        "stage_seconds": timings,
        "total_seconds": round(total, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
    }
    Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n", "utf-8")
    print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
