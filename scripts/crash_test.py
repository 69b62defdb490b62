"""Crash test: SIGKILL the bot at random moments; no promised ping may be lost, none sent twice unless in flight.

Usage: scripts/crash_test [--quick] [--seed N] [--json PATH] [--keep DIR] [--backend sqlite|postgres] [--processes N]

With `--backend postgres` the database is a real PostgreSQL server started for the run (tests/lib/pg_server.py,
on 127.0.0.1), and `--processes N` runs N bots on it at once, each attached (they share timers and outbox rows
by locks and leases); each kill takes one of them at random, the others keep serving, and the killed one is
started again after a pause. Then also: every ping that fell due while another process lived went out within
5 s of being due (a killed process's claims go to the others when its lease runs out).

1. Seeds a SQLite file (the real migrations) with many couples in a running time-out whose return times fall
   due over the run, plus solo people who keep the database busy with writes.
2. Runs the bot as a subprocess (`--child`: the real Store, Dialogue and Dispatcher.run_forever() on a
   SystemClock(scale) that continues from one shared origin across restarts) against a local platform
   stand-in: a Messenger that appends each delivery as one JSON line (user, message key, outbox row,
   incarnation, wall time) to a file and fsyncs it, as a platform would acknowledge it. Meanwhile the child's
   load task sends /timeout and /cancel for the solo people through Dialogue.handle.
3. Kills it with SIGKILL at random moments (some during start-up), checks a copy of the database file with
   `PRAGMA quick_check` after each kill, and restarts it after a random pause.
4. At the end checks, and exits non-zero when one fails:
   - no timer lost: every person got their return ping, and every time-out ended (missed: nobody answers here),
     no timer or outbox row is left over;
   - nothing delivered twice, except rows that were in flight at a kill (sent, not yet settled): a repeated
     copy must be of the same outbox row, its first copy sent by an incarnation that was then killed, before
     that kill, and the repeat from another incarnation (reported: how many, at most per kill);
   - `PRAGMA integrity_check` = ok on the final file (and quick_check after every kill);
   - every return ping that fell due while the bot was down went out within 5 s of the restart (spawn).
5. For comparison: PTB's PicklePersistence killed while it writes its file (which it rewrites whole, in place)
   leaves a file that cannot be loaded again.

SIGKILL loses nothing SQLite has committed (the OS keeps the written pages); synchronous=NORMAL in WAL mode
only risks the last transactions on power loss, which this test does not simulate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.codec import dump_session, load_payload  # noqa: E402
from bot.core.events import CommandReceived  # noqa: E402
from bot.core.model import Phase, Plan, Role, Session  # noqa: E402
from bot.dispatch import Dispatcher  # noqa: E402
from bot.ports import Outgoing, Recipient, UserRef  # noqa: E402
from bot.service import Dialogue  # noqa: E402
from bot.store import OutboxRow, migrate_sync, open_store  # noqa: E402
from bot.store.postgres.connection import Connection as PgConnection  # noqa: E402
from bot.store.postgres.connection import migrate as pg_migrate  # noqa: E402

TAKEOVER_LIMIT_S = 5.0
"""With several processes: a ping due while another process lives goes out within this long of being due."""

PLATFORM = "telegram"
TZ = "Europe/Amsterdam"
ORIGIN_CLOCK = int(datetime(2025, 3, 3, 17, 0, tzinfo=UTC).timestamp())
"""Clock time at the shared origin: a Monday evening (no quiet hours in play)."""
RESTART_LIMIT_S = 5.0
STARTUP_KILLS = 0.15
"""The share of kills aimed at start-up (store opening, recovery) rather than at a running bot."""


@dataclass(frozen=True)
class Sizes:
    couples: int
    solo: int  # people sending /timeout, /cancel all the time (write load during the kills)
    kills: int
    scale: float  # clock seconds per wall second
    first_due_s: float  # wall seconds after the origin of the first return
    spread_s: float  # return times spread over this many wall seconds
    max_down_s: float  # random pause before a restart
    load_gap_s: float  # pause between two load events
    latency_s: float  # the stand-in's round trip per message (on average)
    pickle_conversations: int
    pickle_kills: int


FULL = Sizes(couples=1_500, solo=200, kills=28, scale=60.0, first_due_s=3.0, spread_s=85.0, max_down_s=1.5,
             load_gap_s=0.01, latency_s=0.02, pickle_conversations=100_000, pickle_kills=3)
QUICK = Sizes(couples=150, solo=40, kills=6, scale=600.0, first_due_s=1.0, spread_s=5.0, max_down_s=0.4,
              load_gap_s=0.01, latency_s=0.02, pickle_conversations=20_000, pickle_kills=2)
RETURN_KEYS = frozenset({"return.ping", "return.ping_ready", "return.ping_waiting", "return.late"})
"""What tells a person their return has come: the ping, or (down past the whole return window) the late note."""
GRACE_CLOCK_S = 15 * 60  # core.flow.GRACE: reping after the return, missed after the reping


# --------------------------------------------------------------------------------------------------------
# the child: the bot against a local platform stand-in


ROW: ContextVar[OutboxRow | None] = ContextVar("row", default=None)


class ResumedClock(SystemClock):
    """SystemClock(scale) whose time continues from one origin shared by every incarnation."""

    def __init__(self, scale: float, origin_wall: float, origin_clock: float) -> None:
        super().__init__(scale)
        self._t0 = origin_clock + (time.time() - origin_wall) * scale
        self._m0 = time.monotonic()


class TracingDispatcher(Dispatcher):
    """The real Dispatcher; it only lets the messenger see which outbox row it is delivering."""

    async def _send(self, row: OutboxRow, now: datetime) -> str:
        token = ROW.set(row)
        try:
            return await super()._send(row, now)
        finally:
            ROW.reset(token)


def parts(msg: Any) -> list[str]:
    """The keys of what one message says: a joined one ("late" + the ping) holds several."""
    if msg.key != "joined":
        return [msg.key]
    p = dict(msg.params)
    return parts(p["first"]) + parts(p["then"])


def append_line(fd: int, record: dict[str, Any]) -> None:
    os.write(fd, (json.dumps(record, separators=(",", ":")) + "\n").encode())  # one write: whole line or none
    os.fsync(fd)


class StandIn:
    """The platform: a message counts as delivered once its line is written and fsynced. Like a real API it
    takes a round trip: half of it before the message arrives, half for the answer to come back."""

    def __init__(self, fd: int, incarnation: int, latency: float) -> None:
        self.fd = fd
        self.inc = incarnation
        self.latency = latency
        self.rng = random.Random()

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        row = ROW.get()
        keys = parts(load_payload(row.payload)[0]) if row is not None else ["?"]
        trip = self.latency * self.rng.uniform(0.5, 1.5)
        await asyncio.sleep(trip / 2)
        append_line(self.fd, {"t": "d", "inc": self.inc, "user": to.user_id, "key": keys[-1], "keys": keys,
                              "row": row.id if row else None, "wall": time.time()})
        await asyncio.sleep(trip / 2)


async def load(dialogue: Dialogue, first: int, n: int, gap: float) -> None:
    rng = random.Random()
    while n:
        uid = first + rng.randrange(n)
        ref = UserRef(PLATFORM, str(uid), str(uid), f"solo{uid}")
        await dialogue.handle(ref, CommandReceived("timeout"))
        await dialogue.handle(ref, CommandReceived("cancel"))
        await asyncio.sleep(gap)


async def child(args: argparse.Namespace) -> int:
    clock = ResumedClock(args.scale, args.origin_wall, args.origin_clock)
    store = await open_store(args.child)
    if args.shared:  # one of several processes on the database: claims and leases
        await store.attach("bot", [PLATFORM], exclusive=frozenset())
    fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    dispatcher = TracingDispatcher(store, {PLATFORM: StandIn(fd, args.inc, args.latency)}, clock)
    dialogue = Dialogue(store, clock, on_scheduled=dispatcher.wake)
    append_line(fd, {"t": "ready", "inc": args.inc, "wall": time.time()})
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    tasks = [asyncio.create_task(dispatcher.run_forever()),
             asyncio.create_task(load(dialogue, args.solo_first, args.solo, args.load_gap))]
    await stop.wait()
    for t in tasks:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await t
    await store.close()
    os.close(fd)
    return 0


# --------------------------------------------------------------------------------------------------------
# seeding


@dataclass
class Seeded:
    users: dict[int, int] = field(default_factory=dict)  # user -> return_at (clock seconds)
    couples: dict[int, tuple[int, int]] = field(default_factory=dict)  # couple -> (a, b)
    timeouts: list[str] = field(default_factory=list)
    solo_first: int = 0


def seed(path: Path | str, plan: Sizes, rng: random.Random) -> Seeded:
    postgres = str(path).startswith("postgresql://")
    c: Any = PgConnection.connect(str(path)) if postgres else sqlite3.connect(path, isolation_level=None)
    if postgres:
        pg_migrate(c)
    else:
        migrate_sync(c)
    out = Seeded()
    users, couples, sessions, timeouts, timers = [], [], [], [], []
    mark = "@tid@"
    waiting_a = dump_session(Session(Phase.WAITING, mark, Role.INITIATOR, Plan(7, 4, "angry")))
    breathing_b = dump_session(Session(Phase.BREATHE, mark, Role.PARTNER, Plan(6)))
    created = ORIGIN_CLOCK - 86_400 * 30
    for k in range(1, plan.couples + 1):
        a, b = 2 * k - 1, 2 * k
        for u in (a, b):
            users.append((u, PLATFORM, str(u), str(u), f"user{u}", "nl", TZ, "NL", created, created))
        couples.append((k, a, b, created))
        due_wall = plan.first_due_s + plan.spread_s * rng.random()
        ret = ORIGIN_CLOCK + int(due_wall * plan.scale)
        tid = f"{a}-{(ret - 1800) * 1000}"
        timeouts.append((tid, a, b, ret - 1800, ret, 0, "running", "", 1, None))
        timers += [(f"{tid}:return:{a}", a, "return", tid, ret), (f"{tid}:return:{b}", b, "return", tid, ret)]
        sessions += [(a, waiting_a.replace(mark, tid), ORIGIN_CLOCK - 60),
                     (b, breathing_b.replace(mark, tid), ORIGIN_CLOCK - 60)]
        out.users[a] = out.users[b] = ret
        out.couples[k] = (a, b)
        out.timeouts.append(tid)
    out.solo_first = 2 * plan.couples + 1
    for u in range(out.solo_first, out.solo_first + plan.solo):
        users.append((u, PLATFORM, str(u), str(u), f"solo{u}", "nl", TZ, "NL", created, created))
        sessions.append((u, dump_session(Session()), ORIGIN_CLOCK - 60))
    c.execute("BEGIN")
    c.executemany("INSERT INTO users (id, platform, external_id, chat_id, name, locale, tz, country, created_at, "
                  "consent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", users)
    c.executemany("INSERT INTO couples (id, a, b, created_at) VALUES (?, ?, ?, ?)", couples)
    c.executemany("INSERT INTO sessions (user_id, data, updated_at) VALUES (?, ?, ?)", sessions)
    c.executemany("INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, "
                  "ready, notified, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", timeouts)
    c.executemany("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?)", timers)
    if postgres:  # ids given above: the identity sequences continue after them
        for table in ("users", "couples"):
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    c.execute("COMMIT")
    if not postgres:
        c.execute("PRAGMA journal_mode=WAL")
    c.close()
    return out


# --------------------------------------------------------------------------------------------------------
# the parent: kill, restart, check


class Log:
    """Reads the stand-in's JSON lines as they are appended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.rest = b""
        self.records: list[dict[str, Any]] = []
        self.return_pings: set[int] = set()
        self.missed: set[int] = set()
        self.ready: dict[int, float] = {}

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        for line in lines:
            if not line.strip():
                continue
            r = json.loads(line)
            self.records.append(r)
            if r["t"] == "ready":
                self.ready[r["inc"]] = r["wall"]
            if r["t"] == "d" and RETURN_KEYS.intersection(r["keys"]):
                self.return_pings.add(r["user"])
            if r["t"] == "d" and "return.missed" in r["keys"]:
                self.missed.add(r["user"])


@dataclass
class Incarnation:
    inc: int
    spawned: float
    proc: subprocess.Popen[bytes]
    killed: float | None = None
    ready: float | None = None
    slot: int = 0  # which of the processes (--processes) it was


def spawn(inc: int, db: Path | str, log: Path, plan: Sizes, origin_wall: float, seeded: Seeded,
          shared: bool = False) -> Incarnation:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(db), "--log", str(log),
           "--inc", str(inc), "--scale", str(plan.scale), "--origin-wall", repr(origin_wall),
           "--origin-clock", str(ORIGIN_CLOCK), "--solo-first", str(seeded.solo_first), "--solo", str(plan.solo),
           "--load-gap", str(plan.load_gap_s), "--latency", str(plan.latency_s)] + (["--shared"] if shared else [])
    t = time.time()
    with (log.parent / f"child-{inc}.stderr").open("wb") as err:  # a file: a full pipe would stall the child
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    return Incarnation(inc, t, proc)


def stderr_of(work: Path, inc: int) -> str:
    p = work / f"child-{inc}.stderr"
    return f"[incarnation {inc}] " + p.read_text("utf-8", "replace")[-1500:] if p.exists() and p.stat().st_size else ""


def quick_check_copy(db: Path, scratch: Path) -> str:
    """quick_check of a copy of the files as a kill left them (the real file stays as the next start finds it)."""
    scratch.mkdir(exist_ok=True)
    copy = scratch / "copy.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{copy}{suffix}").unlink()
    shutil.copyfile(db, copy)
    if Path(f"{db}-wal").exists():
        shutil.copyfile(f"{db}-wal", f"{copy}-wal")
    c = sqlite3.connect(copy)
    try:
        return str(c.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        c.close()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))] if s else float("nan")


def run(plan: Sizes, rng: random.Random, work: Path, url: str | None = None, processes: int = 1) -> dict[str, Any]:
    """Seed, then kill and restart the bot `plan.kills` times: one of `processes` bots each time (a random one),
    the others serving on. `url`: a PostgreSQL database instead of the SQLite file in `work`."""
    db: Path | str = url or work / "bot.sqlite3"
    log_path = work / "deliveries.jsonl"
    seeded = seed(db, plan, rng)
    origin_wall = time.time() + 0.3
    horizon = plan.first_due_s + plan.spread_s + 2 * GRACE_CLOCK_S / plan.scale  # the last missed notice
    end = origin_wall + horizon
    log = Log(log_path)
    incs: list[Incarnation] = []
    checks: list[str] = []
    shared = url is not None
    startup = 0.7  # seconds, refined as the run goes
    alive: dict[int, Incarnation] = {}

    def start(slot: int) -> Incarnation:
        inc = spawn(len(incs), db, log_path, plan, origin_wall, seeded, shared)
        inc.slot = slot
        incs.append(inc)
        alive[slot] = inc
        return inc

    def watch() -> None:
        for other in alive.values():
            if other.proc.poll() is not None:
                raise RuntimeError(f"the bot died on its own:\n{stderr_of(work, other.inc)}")
        log.poll()

    for slot in range(processes):
        start(slot)
    for i in range(plan.kills):
        slot = rng.randrange(processes)
        cur = alive[slot]
        young = time.time() - cur.spawned < 0.3 and cur.inc not in log.ready
        if young and rng.random() < STARTUP_KILLS * (processes if processes > 1 else 1):
            at = cur.spawned + rng.uniform(0.05, 0.6)  # while it opens the store (or imports)
        else:
            while cur.inc not in log.ready:
                watch()
                time.sleep(0.01)
            startup = 0.8 * startup + 0.2 * (log.ready[cur.inc] - cur.spawned)
            per_kill = (end - time.time()) / (plan.kills - i) - (startup + plan.max_down_s / 2) / processes
            at = time.time() + rng.uniform(0.02, 2 * max(0.1, per_kill))  # spreads the kills over the run
        while time.time() < at:
            watch()
            time.sleep(min(0.01, max(0.0, at - time.time())))
        cur.proc.send_signal(signal.SIGKILL)
        cur.killed = time.time()
        cur.proc.wait()
        del alive[slot]
        if url is None:
            checks.append(quick_check_copy(work / "bot.sqlite3", work / "scratch"))
        pause = rng.uniform(0.0, plan.max_down_s)
        until = time.time() + pause
        while time.time() < until:
            watch()
            time.sleep(0.01)
        start(slot)
    deadline = origin_wall + horizon + 30.0
    couples_missed = 0
    while time.time() < deadline:
        log.poll()
        couples_missed = sum(1 for a, b in seeded.couples.values() if a in log.missed or b in log.missed)
        if len(log.return_pings) == len(seeded.users) and couples_missed == len(seeded.couples):
            break
        if any(x.proc.poll() is not None for x in alive.values()):
            break
        time.sleep(0.1)
    # rows a process killed near the end had claimed go out once its lease has run out: give them that long
    settle_by = time.time() + (4.0 + 2.0 if url else 0.0)
    while time.time() < settle_by and _outbox_left(db):
        time.sleep(0.2)
    time.sleep(1.0)  # a late duplicate would show now
    for last in alive.values():
        last.proc.send_signal(signal.SIGTERM)
    for last in alive.values():
        try:
            last.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            last.proc.kill()
            last.proc.wait()
    stderr_tail = "\n".join(stderr_of(work, i.inc) for i in incs)[-3000:]
    log.poll()
    return analyse(plan, seeded, log, incs, checks, db, origin_wall, stderr_tail, processes)


def _outbox_left(db: Path | str) -> int:
    c: Any = PgConnection.connect(str(db)) if str(db).startswith("postgresql://") else sqlite3.connect(db)
    try:
        return int(c.execute("SELECT count(*) FROM outbox").fetchone()[0])
    finally:
        c.close()


def _final_rows(db: Path | str, seeded: Seeded) -> tuple[list[str], dict[str, int], int, int]:
    """(integrity check, seeded time-outs by status, timers left of the couples, outbox rows left)."""
    if str(db).startswith("postgresql://"):
        c: Any = PgConnection.connect(str(db))
        integrity = ["n/a (PostgreSQL)"]
        status_sql = "SELECT status, count(*) FROM timeouts WHERE id = ANY(?) GROUP BY status"
        ids: Any = seeded.timeouts
    else:
        c = sqlite3.connect(db)
        integrity = [str(r[0]) for r in c.execute("PRAGMA integrity_check").fetchall()]
        status_sql = ("SELECT status, count(*) FROM timeouts WHERE id IN (SELECT value FROM json_each(?)) "
                      "GROUP BY status")
        ids = json.dumps(seeded.timeouts)
    try:
        status = {str(k): int(v) for k, v in c.execute(status_sql, (ids,)).fetchall()}
        left_timers = c.execute("SELECT count(*) FROM timers WHERE user_id < ?", (seeded.solo_first,)).fetchone()[0]
        left_outbox = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        c.close()
    return integrity, status, int(left_timers), int(left_outbox)


def analyse(plan: Sizes, seeded: Seeded, log: Log, incs: list[Incarnation], checks: list[str], db: Path | str,
            origin_wall: float, stderr_tail: str, processes: int = 1) -> dict[str, Any]:
    failures: list[str] = []
    for r in log.records:
        if r["t"] == "ready":
            incs[r["inc"]].ready = r["wall"]
    deliveries = [r for r in log.records if r["t"] == "d"]
    by_key: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in deliveries:
        by_key[(r["user"], r["key"])].append(r)

    # 1. no timer lost
    lost = sorted(u for u in seeded.users if u not in log.return_pings)
    if lost:
        failures.append(f"{len(lost)} return pings never delivered (timer lost), e.g. users {lost[:5]}")
    no_end = [k for k, (a, b) in seeded.couples.items() if a not in log.missed and b not in log.missed]
    if no_end:
        failures.append(f"{len(no_end)} time-outs never told anyone the return was missed, e.g. couples {no_end[:5]}")
    integrity, status, left_timers, left_outbox = _final_rows(db, seeded)
    if integrity[0] not in ("ok", "n/a (PostgreSQL)"):
        failures.append(f"integrity_check: {integrity[:3]}")
    bad_checks = [x for x in checks if x != "ok"]
    if bad_checks:
        failures.append(f"quick_check after a kill: {bad_checks[:3]}")
    if status != {"missed": len(seeded.timeouts)}:
        failures.append(f"seeded time-outs did not all end as missed: {status}")
    if left_timers or left_outbox:
        failures.append(f"left over: {left_timers} timers, {left_outbox} outbox rows")

    # 2. duplicates only of a row in flight at a kill: the same outbox row, its first copy sent by an incarnation
    #    before that one was killed (sent, not yet settled), the repeat by another one
    killed = {i.inc: i.killed for i in incs if i.killed is not None}
    extra = 0
    per_kill: dict[int, int] = defaultdict(int)
    for (user, key), copies in by_key.items():
        for prev, nxt in itertools.pairwise(copies):
            at = killed.get(prev["inc"])
            if prev["row"] != nxt["row"]:
                failures.append(f"user {user} got {key!r} twice from two outbox rows {prev['row']}, {nxt['row']} "
                                "(made twice: not a delivery in flight)")
            elif prev["inc"] == nxt["inc"] or at is None or prev["wall"] > at:
                failures.append(f"user {user} got {key!r} (row {nxt['row']}) again from incarnation {nxt['inc']} "
                                "without a kill of the sender after the first copy")
            else:
                extra += 1
                per_kill[prev["inc"]] += 1

    # 3. pings that were due before the process that sent them was started (due while the bot was down, or
    #    left unsent by a killed one): out within RESTART_LIMIT_S of that restart (its spawn, start-up included)
    first_ping = {r["user"]: r for r in reversed(deliveries) if RETURN_KEYS.intersection(r["keys"])}
    after_restart: list[float] = []
    up_late: list[float] = []
    for user, ret in seeded.users.items():
        due = origin_wall + (ret - ORIGIN_CLOCK) / plan.scale
        got = first_ping.get(user)
        if got is None:
            continue
        inc = incs[got["inc"]]
        if got["inc"] > 0 and due < (inc.ready or inc.spawned):
            after_restart.append(got["wall"] - inc.spawned)
        else:
            up_late.append((got["wall"] - due) * 1e3)
    # 4. several processes: a ping due while another one lived went out within TAKEOVER_LIMIT_S of being due
    #    (the killed one's claims are the others' when its lease has run out)
    #    or of the last kill between its due time and its delivery, when a kill held it up
    takeover: list[float] = []
    if processes > 1:
        kill_times = sorted(i.killed for i in incs if i.killed is not None)
        for user, ret in seeded.users.items():
            due = origin_wall + (ret - ORIGIN_CLOCK) / plan.scale
            got = first_ping.get(user)
            lives = [i for i in incs if (i.ready or 1e18) <= due < (i.killed or 1e18)]
            if got is not None and lives:
                since = max([due] + [k for k in kill_times if due <= k <= got["wall"]])
                takeover.append(got["wall"] - since)
        late = [x for x in takeover if x > TAKEOVER_LIMIT_S]
        if late:
            failures.append(f"{len(late)} pings due while another process lived went out more than "
                            f"{TAKEOVER_LIMIT_S:g}s after they were due or after the kill that held them up "
                            f"(max {max(late):.1f}s)")
        after_restart = []  # one process down is not a restart of the bot: the others serve
    slow = [x for x in after_restart if x > RESTART_LIMIT_S]
    if slow:
        failures.append(f"{len(slow)} pings due before a restart took more than {RESTART_LIMIT_S:g}s after the "
                        f"restart (max {max(slow):.1f}s)")

    pings = sum(1 for (_, k) in by_key if k in ("return.ping", "return.reping"))
    if plan is FULL and (pings < 3_000 or len(killed) < (25 if processes == 1 else 20)):
        failures.append(f"too small a run: {pings} pings, {len(killed)} kills")
    startup = [i.ready - i.spawned for i in incs if i.ready is not None]
    return {
        "ok": not failures,
        "failures": failures,
        "kills": len(killed),
        "kills_before_ready": sum(1 for i in incs if i.killed is not None and i.ready is None),
        "couples": len(seeded.couples),
        "return_pings_expected": len(seeded.users),
        "return_pings_delivered": len(log.return_pings),
        "pings_delivered_unique": pings,
        "repings": sum(1 for (_, k) in by_key if k == "return.reping"),
        "missed_notices": sum(1 for (_, k) in by_key if k == "return.missed"),
        "late_notices": sum(1 for (_, k) in by_key if k == "return.late"),
        "deliveries_total": len(deliveries),
        "resent_after_kill": extra,
        "resent_max_per_kill": max(per_kill.values(), default=0),
        "kills_with_resends": len(per_kill),
        "pings_due_while_down": len(after_restart),
        "due_while_down_max_s_after_restart": round(max(after_restart, default=0.0), 2),
        "ping_lateness_up_p50_ms": round(pct(up_late, 0.5), 1),
        "ping_lateness_up_p99_ms": round(pct(up_late, 0.99), 1),
        "startup_p50_s": round(statistics.median(startup), 2) if startup else None,
        "integrity_check": integrity[0] if integrity else None,
        "quick_checks_ok": f"{len(checks) - len(bad_checks)}/{len(checks)}",
        "time_outs": status,
        "child_stderr_tail": stderr_tail if failures else "",
        "processes": processes,
        "kills_mid_load": sum(1 for i in incs if i.killed is not None and i.ready is not None),
        "pings_due_while_another_lived": len(takeover),
        "takeover_max_s": round(max(takeover, default=0.0), 2),
        "takeover_p99_s": round(pct(takeover, 0.99), 2) if takeover else None,
    }


# --------------------------------------------------------------------------------------------------------
# the comparison: PicklePersistence killed mid-write


def pickle_seed(path: Path, n: int) -> None:
    import pickle

    user_data = {10_000_000 + i: {"phase": "waiting", "timeout_id": f"{i}-1", "return_at": 1741023000,
                                  "feeling": "angry", "need": "heard", "topic": "De vakantieplanning"}
                 for i in range(n)}
    data = {"conversations": {"timeout": {(u, u): 4 for u in user_data}}, "user_data": user_data,
            "chat_data": {}, "bot_data": {}, "callback_data": None}
    with path.open("wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)


def _persistence(path: Path) -> Any:
    from telegram.ext import ExtBot, PicklePersistence

    p = PicklePersistence(path)
    p.set_bot(ExtBot("4242:crash-test"))
    return p


async def pickle_child(path: Path) -> int:
    """Load the file, then do what a PTB bot does on every persistence run: update a conversation (which
    rewrites the whole file in place, on_flush=False being PTB's default), again and again."""
    p = _persistence(path)
    await p.get_user_data()
    await p.get_conversations("timeout")
    print("loaded", flush=True)
    i = 0
    while True:
        i += 1
        await p.update_conversation("timeout", (i, i), 1)


async def try_load(path: Path) -> str:
    p = _persistence(path)
    try:
        await p.get_conversations("timeout")
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return ""


def pickle_demo(plan: Sizes, rng: random.Random, work: Path) -> dict[str, Any]:
    path = work / "ptb.pickle"
    pickle_seed(path, plan.pickle_conversations)
    full = path.stat().st_size
    results = []
    for _ in range(plan.pickle_kills):
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--pickle-child", str(path)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"loaded":
            raise RuntimeError(f"pickle child failed: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        size = path.stat().st_size
        error = asyncio.run(try_load(path))
        results.append({"size": size, "load_error": error[:160]})
        pickle_seed(path, plan.pickle_conversations)  # the next round starts from a good file
    return {"conversations": plan.pickle_conversations, "full_size": full, "runs": results,
            "unloadable": sum(1 for r in results if r["load_error"])}


# --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer couples and kills (about 20 s)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random; printed)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    ap.add_argument("--no-pickle", action="store_true", help="skip the PicklePersistence comparison")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite",
                    help="postgres: a real PostgreSQL server started for the run (Debian's postgresql package)")
    ap.add_argument("--processes", type=int, default=1, help="bots on the database at once (postgres only)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--shared", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--pickle-child", help=argparse.SUPPRESS)
    for name, kind in (("--log", str), ("--inc", int), ("--scale", float), ("--origin-wall", float),
                       ("--origin-clock", float), ("--solo-first", int), ("--solo", int), ("--load-gap", float),
                       ("--latency", float)):
        ap.add_argument(name, type=kind, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return asyncio.run(child(args))
    if args.pickle_child:
        return asyncio.run(pickle_child(Path(args.pickle_child)))

    plan = QUICK if args.quick else FULL
    seed_ = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed_)
    started = time.time()
    with contextlib.ExitStack() as stack:
        if args.keep:
            work = Path(args.keep)
            work.mkdir(parents=True, exist_ok=True)
            for f in work.iterdir():
                if f.is_file():
                    f.unlink()
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="adempauze-crash-")))
        print(f"crash test{' (quick)' if args.quick else ''}: seed {seed_}, {plan.couples:,} couples, "
              f"{plan.kills} kills, clock x{plan.scale:g}, {args.backend}, {args.processes} process(es)",
              file=sys.stderr, flush=True)
        if args.processes > 1 and args.backend != "postgres":
            ap.error("--processes N needs --backend postgres (several bots on one SQLite file share no timers)")
        url = None
        if args.backend == "postgres":
            sys.path.insert(0, str(ROOT / "tests" / "lib"))
            import pg_server  # the tests' server: initdb and pg_ctl in a temporary folder, on 127.0.0.1

            server = stack.enter_context(pg_server.running())
            server.admin("CREATE DATABASE crash")
            url = server.url("crash")
        result = run(plan, rng, work, url, args.processes)
        result["pickle"] = None if args.no_pickle or url else pickle_demo(plan, rng, work)
    result |= {"seed": seed_, "quick": args.quick, "seconds": round(time.time() - started, 1),
               "backend": args.backend}

    r = result
    print(f"Adempauze crash test{' (quick)' if args.quick else ''} — seed {seed_}, {r['seconds']:.0f}s")
    print(f"  SIGKILLs                          {r['kills']} ({r['kills_before_ready']} during start-up)")
    print(f"  return pings delivered / expected {r['return_pings_delivered']:,} / {r['return_pings_expected']:,}")
    print(f"  pings (return + reping), unique   {r['pings_delivered_unique']:,}")
    print(f"  time-outs ended as missed         {r['time_outs'].get('missed', 0):,} / {r['couples']:,}")
    print(f"  deliveries, all                   {r['deliveries_total']:,}")
    print(f"  re-sent after a kill (in flight)  {r['resent_after_kill']} (at most {r['resent_max_per_kill']} "
          f"at one kill; {r['kills_with_resends']} kills had any)")
    print(f"  due before a restart: sent within {r['due_while_down_max_s_after_restart']}s of the restart "
          f"({r['pings_due_while_down']} pings; limit {RESTART_LIMIT_S:g}s; start-up p50 {r['startup_p50_s']}s)")
    print(f"  lateness while up p50 / p99       {r['ping_lateness_up_p50_ms']} / {r['ping_lateness_up_p99_ms']} ms")
    print(f"  integrity_check                   {r['integrity_check']} (quick_check after each kill: "
          f"{r['quick_checks_ok']} ok)")
    if r["processes"] > 1:
        print(f"  processes / kills mid-load        {r['processes']} / {r['kills_mid_load']}")
        print(f"  due while another process lived  {r['pings_due_while_another_lived']} pings, out within "
              f"{r['takeover_max_s']}s of due or of the kill that held them up (p99 {r['takeover_p99_s']}s; "
              f"limit {TAKEOVER_LIMIT_S:g}s)")
    if r["pickle"]:
        p = r["pickle"]
        print(f"  PicklePersistence killed mid-write: {p['unloadable']}/{len(p['runs'])} files unloadable "
              f"({p['conversations']:,} conversations, {p['full_size'] / 1e6:.1f} MB whole); e.g. "
              f"{next((x['load_error'] for x in p['runs'] if x['load_error']), '-')}")
    print("  RESULT: " + ("OK" if r["ok"] else "FAILED"))
    for f in r["failures"]:
        print(f"    - {f}")
    if r["failures"] and r["child_stderr_tail"]:
        print(r["child_stderr_tail"], file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n", "utf-8")
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
