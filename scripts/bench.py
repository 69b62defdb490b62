"""The Adempauze benchmark: how fast the core, the store, the dispatcher are, and how much memory they need.

Usage: scripts/bench [--quick] [--postgres] [--json PATH]   (PATH defaults to bench-results.json, git-ignored)

Figures (each printed as: figure, value, goal, OK/MISS; and written to the JSON under "figures"):

- core.step alone: a full solo time-out (IDLE -> … -> WAITING -> RETURN -> AFTER -> IDLE, with texts, a stale
  button and a breathing break) recorded once, then its (state, event, ctx) inputs replayed; events/s.
- raw sqlite3: the exact statements (and parameters) the store runs for the Dialogue events below, recorded
  once, then replayed on a copy of the same database, one BEGIN IMMEDIATE … COMMIT per event: the limit of
  the machine, for the ratio.
- Dialogue.handle on a real SQLite file (WAL) with many stored couples (20,000 users, sessions, past
  time-outs, pending timers) and with 100 couples: per-event latency p50/p99 and events/s, sequential
  awaits. Couples run the shared time-out flow interleaved, so consecutive events touch different rows.
- Dispatcher: EXPLAIN QUERY PLAN of the store's due-queries (caught with a trace, so they are the ones the
  store really runs) with 100,000 pending timers; time of next_due(); lateness of return pings (delivery
  minus due time, wall ms) with the real SystemClock and Dispatcher.run_forever() and a recording messenger:
  once on a scaled clock (x600: 1,000 couples start time-outs through Dialogue.handle, 2,000 pings falling
  due over ~7 s), once at scale 1 (production) with time-outs inserted directly, a few due each second.
- Memory: peak RSS of a fresh process (this script, --rss-child) that opens the store and handles 1,000
  events, with 100 vs 100,000 stored couples.
- Dialogue.handle at three sizes: 100, 10,000 and 100,000 stored couples (the last on copies of the
  dispatcher database: half the couples in a running time-out, 100,000 pending timers), each with its own raw
  sqlite3 replay and the ratio to it; the store's transaction called directly (no aiosqlite, no rendering)
  and one empty aiosqlite call, to show where the time goes.
- The same events under load: LOAD_LANES (16) couples acting at the same moment (each couple's events in
  order, as the adapters keep them), median of LOAD_RUNS runs on fresh copies; events/s over the wall time and
  the ratio to raw sqlite3. One at a time, the rate is bound by the thread hop (one empty aiosqlite call costs
  more than a whole event's statements on raw sqlite3 here); under load, events that arrive together share a
  hop, which is what the goal of >= 25% of raw sqlite3 is measured on.
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
  Dispatcher.run_due() (claim rate: timers fired through the core per second, and their pings delivered), and
  real-time (scale 1) return ping lateness next to them.

- With --postgres: PostgreSQL (a real server started for the run, fsync on) with the dispatcher database's
  couples copied in: Dialogue.handle one at a time and under load with one process, and under load with two
  processes at once (scripts/bench_postgres.py says how).

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock, SystemClock
from bot.codec import dump_session, load_session
from bot.core import flow
from bot.core.effects import StartTimer
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived, TimerFired, TimerKind
from bot.core.model import Person, Phase, Plan, Role, Session, State
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, Recipient, UserRef
from bot.service import Dialogue
from bot.store import Defaults, Store, connect_pragmas, migrate_sync
from bot.store.sqlite import connection as store_module

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
    rss_events: int
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


FULL = Sizes(2.0, 10_000, 100, 15_000, 100_000, 1_000, 60, 600.0, 8, 3, 1_000, 2_000,
             huge_events=10_000, hop_calls=2_000, ptb_conversations=100_000, ptb_default_users=3,
             ptb_updates_per_user=5, ptb_flush_updates=4, claim_due=5_000, late_pending_seconds=8,
             late_pending_per_second=3)
QUICK = Sizes(0.1, 200, 100, 600, 2_000, 40, 5, 600.0, 2, 3, 200, 100,
              huge_events=600, hop_calls=200, ptb_conversations=2_000, ptb_default_users=2,
              ptb_updates_per_user=5, ptb_flush_updates=3, claim_due=200, late_pending_seconds=2,
              late_pending_per_second=3)

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
    feelings_ = ("angry", "hurt", "sad", "frustrated", "afraid", "lonely")
    needs = ("heard", "seen", "respected", "space", "closeness")
    for k in range(1, plan.couples + 1):
        a, b = members(k)
        created = t_now - 86_400 * rng.randint(30, 400)
        for u in (a, b):
            e = ext_id(u)
            users.append((u, PLATFORM, e, e, f"user{u}", "nl" if u % 3 else "en", TZ, "NL", created))
        couples.append((k, a, b, created))
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
    c.executemany("INSERT INTO sessions (user_id, data, updated_at) VALUES (?, ?, ?)", sessions)
    c.executemany("INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, "
                  "ready, notified, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", timeouts)
    c.executemany("INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, tension_after, "
                  "feeling, under, need, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tmembers)
    c.executemany("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?)", timers)
    c.execute("COMMIT")
    c.execute("PRAGMA journal_mode=WAL")
    c.close()
    return {"users": len(users), "couples": len(couples), "sessions": len(sessions), "timeouts": len(timeouts),
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


def record_statements(path: Path, events: list[tuple[int, Event, Phase]], check: Check) -> list[Statements]:
    """Run the events through the store's own per-event transaction (synchronously, on a copy) and record
    the statements of each; also check the flow goes where it should."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connect_pragmas(conn)
    store = Store(None, str(path), Defaults())  # type: ignore[arg-type]  # no aiosqlite: we call its tx body
    per_event: list[Statements] = []
    for i, (uid, ev, want) in enumerate(events):
        rec = Recorder(conn)
        c: sqlite3.Connection = rec  # type: ignore[assignment]  # duck-typed: execute/executemany

        def body(c: sqlite3.Connection = c, uid: int = uid, ev: Event = ev, i: int = i) -> object:
            return store._handle(c, ref_of(uid), ev, START + timedelta(seconds=i))

        store._tx(c, body)
        per_event.append(rec.log)
        row = conn.execute("SELECT data FROM sessions WHERE user_id = ?", (uid,)).fetchone()
        check.expect(f"couple event {i} user {uid} {ev}", load_session(row[0] if row else None).phase, want)
    conn.close()
    return per_event


def bench_raw(path: Path, per_event: list[Statements]) -> dict[str, float]:
    """Replay the recorded statements, one transaction per event, on a plain sqlite3 connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    connect_pragmas(conn)
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    quiet_gc()
    t = time.perf_counter()
    for stmts in per_event:
        for sql, params in stmts:
            conn.execute(sql, params).fetchall()
    wall = time.perf_counter() - t
    conn.close()
    n_stmts = sum(len(s) for s in per_event)
    return {"raw_sqlite_events_per_s": len(per_event) / wall, "_raw_statements_per_event": n_stmts / len(per_event)}


def bench_store_sync(path: Path, events: list[tuple[int, Event, Phase]]) -> dict[str, float]:
    """The store's own per-event transaction (load, core.step, save) called directly on a sqlite3 connection:
    no aiosqlite hop, no rendering. Between raw sqlite3 and Dialogue.handle, it shows where the time goes."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connect_pragmas(conn)
    store = Store(None, str(path), Defaults())  # type: ignore[arg-type]  # no aiosqlite: we call its tx body
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    quiet_gc()
    t = time.perf_counter()
    for i, (uid, ev, _) in enumerate(events):
        store._handled(conn, ref_of(uid), ev, START + timedelta(seconds=i))
    wall = time.perf_counter() - t
    conn.close()
    return {"store_sync_events_per_s": len(events) / wall}


async def run_dialogue(path: Path, events: list[tuple[int, Event, Phase]]) -> tuple[list[float], float, int]:
    """Dialogue.handle for every event, sequentially; (latencies in s, wall s, replies)."""
    store = await Store.open(path)
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
LOAD_RUNS = 3
"""Under-load runs per size (each on a fresh copy); the median rate is reported: this machine is noisy."""


async def run_dialogue_load(path: Path, events: list[tuple[int, Event, Phase]],
                            lanes: int = LOAD_LANES) -> tuple[list[float], float]:
    """Dialogue.handle with `lanes` couples acting at once: the events split by couple into lanes, each lane
    one couple's events after another (never two of one couple at once, as an adapter keeps them), all lanes
    concurrently. Throughput (events/s over the wall time) and per-event latency under that load."""
    by_lane: list[list[int]] = [[] for _ in range(lanes)]
    for i, (uid, _, _) in enumerate(events):
        by_lane[((uid + 1) // 2) % lanes].append(i)
    store = await Store.open(path)
    try:
        clock = ManualClock(START)
        dlg = Dialogue(store, clock)
        lat: list[float] = []

        async def lane(indexes: list[int]) -> None:
            for i in indexes:
                uid, ev, _ = events[i]
                clock.advance(timedelta(seconds=1))
                t = time.perf_counter()
                await dlg.handle(ref_of(uid), ev)
                lat.append(time.perf_counter() - t)

        await store.query("SELECT count(*) FROM sessions")
        quiet_gc()
        t0 = time.perf_counter()
        await asyncio.gather(*(lane(ix) for ix in by_lane))
        wall = time.perf_counter() - t0
    finally:
        await store.close()
    return lat, wall


def load_figures(prefix: str, base: Path, copy: Path, events: list[tuple[int, Event, Phase]],
                 raw_rate: float) -> dict[str, float]:
    """LOAD_RUNS under-load runs on fresh copies of `base`; the run with the median rate is reported."""
    runs = []
    for _ in range(LOAD_RUNS):
        lat, wall = asyncio.run(run_dialogue_load(copy_db(base, copy), events))
        runs.append((len(lat) / wall, lat))
    copy.unlink(missing_ok=True)
    rate, lat = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    return {f"{prefix}_load_events_per_s": rate, f"{prefix}_load_ratio_to_raw": rate / raw_rate,
            f"{prefix}_load_p50_ms": pct(lat, 0.5) * 1e3, f"{prefix}_load_p99_ms": pct(lat, 0.99) * 1e3}


def handle_figures(prefix: str, lat: list[float], wall: float) -> dict[str, float]:
    return {f"{prefix}_p50_ms": pct(lat, 0.50) * 1e3, f"{prefix}_p99_ms": pct(lat, 0.99) * 1e3,
            f"{prefix}_events_per_s": len(lat) / wall, f"_{prefix}_max_ms": max(lat) * 1e3}


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
    per_event = record_statements(copy_db(base, tmp / "rec.sqlite3"), events, check)
    out |= bench_raw(copy_db(base, tmp / "raw.sqlite3"), per_event)
    out |= bench_store_sync(copy_db(base, tmp / "sync.sqlite3"), events)
    lat, wall, replies = asyncio.run(run_dialogue(base, events))
    if replies < len(events):
        check.mismatches.append(f"only {replies} replies for {len(events)} events")
    out |= handle_figures("handle_big", lat, wall)
    out["handle_big_ratio_to_raw"] = out["handle_big_events_per_s"] / out["raw_sqlite_events_per_s"]
    out |= load_figures("handle_big", base, tmp / "load.sqlite3", events, out["raw_sqlite_events_per_s"])
    details["handle_big_events"] = len(events)
    # 100 couples, the same number of events (each couple runs the flow several times)
    small = SeedPlan(sizes.small_couples, active_pct=10, after_pct=5)
    spath = tmp / "small.sqlite3"
    details["seed_small"] = seed(spath, small, START)
    sevents = schedule(small.idle_couples(), len(events))
    small_stmts = record_statements(copy_db(spath, tmp / "small_rec.sqlite3"), sevents, check)
    out["raw_sqlite_small_events_per_s"] = bench_raw(copy_db(spath, tmp / "small_raw.sqlite3"),
                                                     small_stmts)["raw_sqlite_events_per_s"]
    lat, wall, _ = asyncio.run(run_dialogue(spath, sevents))
    out |= handle_figures("handle_small", lat, wall)
    out["handle_small_ratio_to_raw"] = out["handle_small_events_per_s"] / out["raw_sqlite_small_events_per_s"]
    out |= load_figures("handle_small", spath, tmp / "load.sqlite3", sevents, out["raw_sqlite_small_events_per_s"])
    out["handle_p50_big_over_small"] = out["handle_big_p50_ms"] / out["handle_small_p50_ms"]
    details["handle_small_events"] = len(sevents)
    out |= asyncio.run(hop_cost(spath, sizes.hop_calls))
    for name in ("rec", "raw", "sync", "small_rec", "small_raw"):
        (tmp / f"{name}.sqlite3").unlink(missing_ok=True)
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


def bench_huge(tmp: Path, sizes: Sizes, check: Check, details: dict[str, Any], dpath: Path) -> dict[str, float]:
    """Dialogue.handle (and the raw replay) on copies of the dispatcher database: dispatch_couples couples,
    half of them in a running time-out (100,000 pending timers at full size)."""
    plan = SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0)
    idle = plan.idle_couples()
    random.Random(11).shuffle(idle)
    events = schedule(idle, sizes.huge_events)
    per_event = record_statements(copy_db(dpath, tmp / "huge_rec.sqlite3"), events, check)
    (tmp / "huge_rec.sqlite3").unlink()
    raw = bench_raw(copy_db(dpath, tmp / "huge_raw.sqlite3"), per_event)
    (tmp / "huge_raw.sqlite3").unlink()
    hpath = copy_db(dpath, tmp / "huge.sqlite3")
    lat, wall, replies = asyncio.run(run_dialogue(hpath, events))
    hpath.unlink()
    if replies < len(events):
        check.mismatches.append(f"only {replies} replies for {len(events)} events (huge)")
    out = {"raw_sqlite_huge_events_per_s": raw["raw_sqlite_events_per_s"]} | handle_figures("handle_huge", lat, wall)
    out["handle_huge_ratio_to_raw"] = out["handle_huge_events_per_s"] / out["raw_sqlite_huge_events_per_s"]
    out["handle_huge_mean_ms"] = 1e3 / out["handle_huge_events_per_s"]
    out |= load_figures("handle_huge", dpath, tmp / "huge.sqlite3", events, out["raw_sqlite_huge_events_per_s"])
    details["handle_huge_events"] = len(events)
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


async def run_lateness(path: Path, sizes: Sizes, couples: Sequence[int]) -> dict[str, Any]:
    scale = sizes.late_scale
    clock = SystemClock(scale=scale)
    t0, m0 = time.time(), time.monotonic()  # the clock's own origin, read again (µs apart) for exact times
    store = await Store.open(path)
    messenger = RecordingMessenger()
    dispatcher = Dispatcher(store, {PLATFORM: messenger}, clock)
    dlg = Dialogue(store, clock, on_scheduled=dispatcher.wake)
    task = asyncio.create_task(dispatcher.run_forever())
    try:
        n = len(couples)
        for i, k in enumerate(couples):
            a, _ = members(k)
            minutes = 20 + (i * sizes.late_spread_min) // max(1, n)
            await dlg.handle(ref_of(a), cmd("timeout"))
            await dlg.handle(ref_of(a), ch(f"ret.m{minutes}"))
        setup_wall = time.monotonic() - m0
        rows = await store.query(
            "SELECT initiator, partner, return_at FROM timeouts WHERE status IN ('running', 'returning')")
        due: dict[int, float] = {}
        for ini, par, ret in rows:
            wall_due = m0 + (ret - t0) / scale
            due[ini] = due[par] = wall_due
        last = max(due.values(), default=time.monotonic())
        await _until_pinged(messenger, due, last + 3.0)
    finally:
        await _stop(task, store)
    first = _first_pings(messenger)
    late = [(first[u] - due[u]) * 1e3 for u in due if u in first]
    return {"late_ms": late, "expected": len(due), "setup_wall_s": setup_wall, "scale": scale,
            "span_s": (last - min(due.values(), default=last))}


def bench_lateness(tmp: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    plan = SeedPlan(max(sizes.late_couples, 100), active_pct=0, after_pct=0, past_avg=2)
    path = tmp / "late.sqlite3"
    seed(path, plan, datetime.now(UTC))
    couples = plan.idle_couples()[: sizes.late_couples]
    r = asyncio.run(run_lateness(path, sizes, couples))
    late = r["late_ms"]
    details["lateness"] = {"pings_expected": r["expected"], "pings_delivered": len(late), "scale": r["scale"],
                           "due_spread_wall_s": round(r["span_s"], 2), "setup_wall_s": round(r["setup_wall_s"], 2),
                           "min_ms": min(late, default=float("nan"))}
    return {"timer_lateness_p50_ms": pct(late, 0.5), "timer_lateness_p99_ms": pct(late, 0.99),
            "_timer_lateness_max_ms": max(late, default=float("nan")),
            "timer_pings_delivered_ratio": len(late) / max(1, r["expected"])}


async def run_lateness_realtime(
    path: Path, seconds: int, per_second: int, couples: Sequence[int] | None = None
) -> dict[str, Any]:
    """Scale 1 (production): time-outs inserted directly (a real one lasts >= 20 minutes), `per_second` of
    them due in each of the next `seconds` wall seconds (due times are whole seconds, as in the store);
    the real Dispatcher.run_forever() delivers the pings. Light load on purpose: this is about waking up."""
    n_timeouts = seconds * per_second
    clock = SystemClock()
    t0, m0 = time.time(), time.monotonic()
    base = int(t0)
    c = sqlite3.connect(path, isolation_level=None)
    rows, timers, due = [], [], {}
    ks = list(couples[:n_timeouts]) if couples is not None else list(range(1, n_timeouts + 1))
    for i, k in enumerate(ks):
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
    task = asyncio.create_task(Dispatcher(store, {PLATFORM: messenger}, clock).run_forever())
    try:
        await _until_pinged(messenger, due, max(due.values()) + 2.5)
    finally:
        await _stop(task, store)
    first = _first_pings(messenger)
    return {"late_ms": [(first[u] - due[u]) * 1e3 for u in due if u in first], "expected": len(due)}


def bench_lateness_realtime(tmp: Path, sizes: Sizes, details: dict[str, Any]) -> dict[str, float]:
    plan = SeedPlan(max(sizes.late_rt_seconds * sizes.late_rt_per_second, 100), active_pct=0, after_pct=0,
                    past_avg=2)
    path = tmp / "late_rt.sqlite3"
    seed(path, plan, datetime.now(UTC))
    r = asyncio.run(run_lateness_realtime(path, sizes.late_rt_seconds, sizes.late_rt_per_second))
    late = r["late_ms"]
    details["lateness_realtime"] = {"pings_expected": r["expected"], "pings_delivered": len(late), "scale": 1.0,
                                    "min_ms": min(late, default=float("nan")),
                                    "max_ms": max(late, default=float("nan"))}
    return {"timer_lateness_rt_p50_ms": pct(late, 0.5), "timer_lateness_rt_p99_ms": pct(late, 0.99),
            "timer_rt_pings_delivered_ratio": len(late) / max(1, r["expected"])}


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
    lr = asyncio.run(run_lateness_realtime(lpath, sizes.late_pending_seconds, sizes.late_pending_per_second, idle))
    lpath.unlink()
    late = lr["late_ms"]
    details["lateness_pending"] = {"pings_expected": lr["expected"], "pings_delivered": len(late),
                                   "pending_timers": r["pending"], "max_ms": max(late, default=float("nan"))}
    return {"claim_timers_per_s": r["fired"] / r["wall_s"], "claim_pings_per_s": r["delivered"] / r["wall_s"],
            "timer_lateness_pending_p50_ms": pct(late, 0.5), "timer_lateness_pending_p99_ms": pct(late, 0.99),
            "timer_pending_pings_delivered_ratio": len(late) / max(1, lr["expected"])}


# --------------------------------------------------------------------------------------------------------
# 6. memory: a fresh process per database size


async def rss_child(path: Path, n_events: int, couples: int) -> dict[str, int]:
    plan = SeedPlan(couples, active_pct=50, after_pct=0)
    rng = random.Random(3)
    want = min(-(-n_events // len(COUPLE_FLOW)), len(range(1, couples + 1)) // 2)
    pick: set[int] = set()
    while len(pick) < want:  # random idle couples, spread over the whole file (no big lists: this is RSS)
        k = rng.randint(1, couples)
        if plan.idle(k):
            pick.add(k)
    events = schedule(sorted(pick), n_events, group=len(pick))[:n_events]
    before = rss_kb()
    store = await Store.open(path)
    try:
        clock = ManualClock(START)
        dlg = Dialogue(store, clock)
        for uid, ev, _ in events:
            clock.advance(timedelta(seconds=1))
            await dlg.handle(ref_of(uid), ev)
    finally:
        await store.close()
    cur, peak = rss_kb()
    return {"rss_kb": cur, "hwm_kb": peak, "before_kb": before[0], "events": len(events)}


def bench_rss(tmp: Path, sizes: Sizes, details: dict[str, Any], big_path: Path) -> dict[str, float]:
    small = tmp / "rss_small.sqlite3"
    seed(small, SeedPlan(100, active_pct=50, after_pct=0), START)
    res = {}
    for name, path, n in (("small", small, 100), ("big", big_path, sizes.dispatch_couples)):
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(path), "--rss-couples", str(n),
             "--rss-events", str(sizes.rss_events)],
            capture_output=True, text=True, timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"rss child failed:\n{proc.stderr}")
        res[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    details["rss"] = res
    s, b = res["small"]["hwm_kb"] / 1024, res["big"]["hwm_kb"] / 1024
    return {"rss_small_mb": s, "rss_big_mb": b, "rss_delta_mb": b - s}


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
    """The Dialogue.handle rows of one database size: raw sqlite3, one at a time, under load."""
    return [
        Fig(raw_key, f"raw sqlite3, one event's statements ({couples} couples)", "ev/s"),
        Fig(f"{prefix}_p50_ms", f"Dialogue.handle p50 ({couples} couples)", "ms", lambda v: v <= 1.0, "<= 1"),
        Fig(f"{prefix}_p99_ms", f"Dialogue.handle p99 ({couples} couples)", "ms", lambda v: v <= 5.0, "<= 5"),
        Fig(f"{prefix}_events_per_s", f"Dialogue.handle rate ({couples} couples)", "ev/s",
            lambda v: v >= 2_000, ">= 2,000"),
        Fig(f"{prefix}_ratio_to_raw", "  ratio to raw sqlite3 (one at a time: bound by the thread hop)", "x"),
        Fig(f"{prefix}_load_events_per_s", f"Dialogue.handle rate, {LOAD_LANES} couples at once ({couples} couples)",
            "ev/s"),
        Fig(f"{prefix}_load_ratio_to_raw", "  ratio to raw sqlite3 (under load)", "x", lambda v: v >= 0.25,
            ">= 0.25"),
        Fig(f"{prefix}_load_p99_ms", "  p99 under that load", "ms"),
    ]


def figures(s: Sizes) -> list[Fig]:
    big, small, disp = f"{s.big_couples:,}", f"{s.small_couples:,}", f"{s.dispatch_couples:,}"
    ptb = f"{s.ptb_conversations:,}"
    return [
        Fig("core_step_events_per_s", "core.step alone (1 core)", "ev/s", lambda v: v >= 50_000, ">= 50,000"),
        *handle_figs("handle_big", "raw_sqlite_events_per_s", big),
        Fig("store_sync_events_per_s", f"  the store's transaction alone, no aiosqlite, no rendering ({big})",
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
        Fig("timer_lateness_p50_ms", f"return ping lateness p50 (clock x{s.late_scale:g})", "ms"),
        Fig("timer_lateness_p99_ms", f"return ping lateness p99 (clock x{s.late_scale:g})", "ms",
            lambda v: v <= 100.0, "<= 100"),
        Fig("timer_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("timer_lateness_rt_p50_ms", "return ping lateness p50, real time (scale 1)", "ms"),
        Fig("timer_lateness_rt_p99_ms", "return ping lateness p99, real time (scale 1)", "ms",
            lambda v: v <= 100.0, "<= 100"),
        Fig("timer_rt_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("claim_timers_per_s", "dispatcher: due timers claimed per s (pending timers below)", "/s"),
        Fig("claim_pings_per_s", "  their pings delivered per s (same run)", "/s"),
        Fig("timer_lateness_pending_p50_ms", "return ping lateness p50, real time, next to the pending timers",
            "ms"),
        Fig("timer_lateness_pending_p99_ms", "return ping lateness p99, real time, next to the pending timers",
            "ms", lambda v: v <= 100.0, "<= 100"),
        Fig("timer_pending_pings_delivered_ratio", "  pings delivered / expected", "", lambda v: v == 1.0, "= 1"),
        Fig("rss_small_mb", f"peak RSS, {s.rss_events:,} events, {small} couples", "MB"),
        Fig("rss_big_mb", f"peak RSS, {s.rss_events:,} events, {disp} couples", "MB"),
        Fig("rss_delta_mb", "  difference", "MB", lambda v: v <= 10.0, "<= 10"),
    ]


FIGURE_KEYS = [
    "core_step_events_per_s", "raw_sqlite_events_per_s", "handle_big_p50_ms", "handle_big_p99_ms",
    "handle_big_events_per_s", "handle_big_ratio_to_raw", "handle_small_p50_ms", "handle_small_p99_ms",
    "handle_small_events_per_s", "handle_p50_big_over_small", "next_due_index_seek", "next_due_ms",
    "timer_lateness_p50_ms", "timer_lateness_p99_ms", "timer_pings_delivered_ratio", "timer_lateness_rt_p50_ms",
    "timer_lateness_rt_p99_ms", "timer_rt_pings_delivered_ratio", "rss_small_mb",
    "rss_big_mb", "rss_delta_mb",
    # added with issue 7
    "raw_sqlite_small_events_per_s", "handle_small_ratio_to_raw", "raw_sqlite_huge_events_per_s",
    "handle_huge_p50_ms", "handle_huge_p99_ms", "handle_huge_events_per_s", "handle_huge_ratio_to_raw",
    "handle_p50_huge_over_small", "handle_huge_mean_ms", "aiosqlite_hop_p50_ms", "store_sync_events_per_s",
    "ptb_in_memory_ms_per_update", "ptb_default_ms_per_update", "ptb_default_dumps_per_update",
    "ptb_default_stall_s", "ptb_flush_ms_per_update", "ptb_pickle_mb", "ptb_default_over_handle",
    "ptb_flush_over_handle", "claim_timers_per_s", "claim_pings_per_s", "timer_lateness_pending_p50_ms",
    "timer_lateness_pending_p99_ms", "timer_pending_pings_delivered_ratio",
    "handle_big_load_events_per_s", "handle_big_load_ratio_to_raw", "handle_big_load_p50_ms", "handle_big_load_p99_ms",
    "handle_small_load_events_per_s", "handle_small_load_ratio_to_raw", "handle_small_load_p50_ms",
    "handle_small_load_p99_ms", "handle_huge_load_events_per_s", "handle_huge_load_ratio_to_raw",
    "handle_huge_load_p50_ms", "handle_huge_load_p99_ms",
]


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
        Fig("pg1_p50_ms", f"PostgreSQL, 1 process: Dialogue.handle p50 ({disp} couples)", "ms"),
        Fig("pg1_p99_ms", f"PostgreSQL, 1 process: Dialogue.handle p99 ({disp} couples)", "ms",
            lambda v: v <= 10.0, "<= 10"),
        Fig("pg1_events_per_s", "PostgreSQL, 1 process: rate, one at a time", "ev/s"),
        Fig("pg1_load_events_per_s", f"PostgreSQL, 1 process: rate, {LOAD_LANES} couples at once", "ev/s"),
        Fig("pg1_load_p99_ms", "  p99 under that load", "ms", lambda v: v <= 10.0, "<= 10"),
        Fig("pg2_load_events_per_s", f"PostgreSQL, 2 processes: rate, {LOAD_LANES} couples at once each", "ev/s"),
        Fig("pg2_over_pg1", "  2 processes over 1 (under load)", "x", lambda v: v >= 1.5, ">= 1.5"),
        Fig("pg2_machine_busy_share", "  all CPUs busy meanwhile (share; other work on the machine too)", "x"),
        Fig("pg2_server_cores_used", "  the server's own CPU meanwhile (cores)", "x"),
    ]


def table(figs: list[Fig], vals: dict[str, float], pending_timers: int) -> tuple[str, dict[str, bool | None]]:
    rows = []
    verdicts: dict[str, bool | None] = {}
    for f in figs:
        v = vals.get(f.key, float("nan"))
        label = f.label.replace("(pending timers below)", f"({pending_timers:,} pending timers)")
        ok = None if f.goal is None else (v == v and f.goal(v))
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
    ap.add_argument("--rss-child", help=argparse.SUPPRESS)
    ap.add_argument("--rss-couples", type=int, default=100, help=argparse.SUPPRESS)
    ap.add_argument("--rss-events", type=int, default=1000, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    store_module.SYNCHRONOUS = args.synchronous

    if args.rss_child:
        res = asyncio.run(rss_child(Path(args.rss_child), args.rss_events, args.rss_couples))
        print(json.dumps(res))
        return 0

    sizes = QUICK if args.quick else FULL
    check = Check()
    vals: dict[str, float] = {}
    details: dict[str, Any] = {}
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="adempauze-bench-", dir=args.tmp) as td:
        tmp = Path(td)
        with stage("core.step", timings):
            vals |= bench_core(sizes, check)
        with stage("store: raw sqlite3 and Dialogue.handle", timings):
            vals |= bench_store(tmp, sizes, check, details)
        with stage("dispatcher: query plans and next_due()", timings):
            dplan = SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0)
            dpath = tmp / "dispatch.sqlite3"
            t = time.perf_counter()
            details["seed_dispatch"] = seed(dpath, dplan, START)
            log(f"  seeded {dplan.couples:,} couples in {time.perf_counter() - t:.1f}s")
            vals |= asyncio.run(bench_next_due(dpath, sizes, details))
        with stage(f"store: Dialogue.handle with {sizes.dispatch_couples:,} couples", timings):
            vals |= bench_huge(tmp, sizes, check, details, dpath)
            vals["handle_p50_huge_over_small"] = vals["handle_huge_p50_ms"] / vals["handle_small_p50_ms"]
        with stage(f"PTB ConversationHandler + PicklePersistence, {sizes.ptb_conversations:,} conversations",
                   timings):
            vals |= bench_ptb(tmp, sizes, details)
            vals["ptb_default_over_handle"] = vals["ptb_default_ms_per_update"] / vals["handle_huge_mean_ms"]
            vals["ptb_flush_over_handle"] = vals["ptb_flush_ms_per_update"] / vals["handle_huge_mean_ms"]
        with stage("dispatcher: claim rate and lateness next to the pending timers", timings):
            vals |= bench_pending(tmp, sizes, details, dpath)
        with stage("dispatcher: return ping lateness (SystemClock, run_forever)", timings):
            vals |= bench_lateness(tmp, sizes, details)
        with stage("dispatcher: return ping lateness in real time (scale 1)", timings):
            vals |= bench_lateness_realtime(tmp, sizes, details)
        with stage("memory (fresh processes)", timings):
            vals |= bench_rss(tmp, sizes, details, dpath)
        if args.postgres:
            with stage(f"PostgreSQL: Dialogue.handle with {sizes.dispatch_couples:,} couples, 1 and 2 processes",
                       timings):
                import bench_postgres  # scripts/ is on the path: this script's folder

                pg = bench_postgres.run(args.quick)
                details["postgres"] = {k: v for k, v in pg.items() if not k.startswith("pg")}
                vals |= {k: v for k, v in pg.items() if k.startswith("pg")}
    total = time.perf_counter() - t_all

    figs = figures(sizes) + (postgres_figures(sizes) if args.postgres else [])
    text, verdicts = table(figs, vals, int(details.get("pending_timers", 0)))
    print(f"Adempauze benchmark{' (quick sizes)' if args.quick else ''}, synchronous={args.synchronous} — "
          f"Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, {total:.0f}s")
    print(text)
    print("\nquery plans of the store's due-queries:")
    for sql, plan in details.get("query_plans", {}).items():
        print(f"  {sql}\n    -> " + "\n    -> ".join(plan))
    if check.mismatches:
        print("\nWARNING: the scripted flows did not go as expected (bench/core out of step):", file=sys.stderr)
        for m in check.mismatches:
            print(f"  {m}", file=sys.stderr)

    result = {
        "figures": {k: vals[k] for k in FIGURE_KEYS} | {f.key: vals[f.key] for f in postgres_figures(sizes)
                                                         if f.key in vals},
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
