"""Crash test: SIGKILL the bot at random moments; no promised ping may be lost, none sent twice unless in flight.

Usage: scripts/crash_test [--quick] [--seed N] [--json PATH] [--keep DIR]

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
   - nothing delivered twice, except rows that were in flight at a kill (sent, not yet settled): each extra
     copy must come from a later incarnation than the one killed (reported: how many, at most per kill);
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
from bot.store import OutboxRow, Store, migrate_sync  # noqa: E402

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
    store = await Store.open(args.child)
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


def seed(path: Path, plan: Sizes, rng: random.Random) -> Seeded:
    c = sqlite3.connect(path, isolation_level=None)
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
    c.execute("COMMIT")
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


def spawn(inc: int, db: Path, log: Path, plan: Sizes, origin_wall: float, seeded: Seeded) -> Incarnation:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(db), "--log", str(log),
           "--inc", str(inc), "--scale", str(plan.scale), "--origin-wall", repr(origin_wall),
           "--origin-clock", str(ORIGIN_CLOCK), "--solo-first", str(seeded.solo_first), "--solo", str(plan.solo),
           "--load-gap", str(plan.load_gap_s), "--latency", str(plan.latency_s)]
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


def run(plan: Sizes, rng: random.Random, work: Path) -> dict[str, Any]:
    db, log_path = work / "bot.sqlite3", work / "deliveries.jsonl"
    seeded = seed(db, plan, rng)
    origin_wall = time.time() + 0.3
    horizon = plan.first_due_s + plan.spread_s + 2 * GRACE_CLOCK_S / plan.scale  # the last missed notice
    end = origin_wall + horizon
    log = Log(log_path)
    incs: list[Incarnation] = []
    checks: list[str] = []
    startup = 0.7  # seconds, refined as the run goes
    for i in range(plan.kills):
        cur = spawn(i, db, log_path, plan, origin_wall, seeded)
        incs.append(cur)
        if rng.random() < STARTUP_KILLS:
            at = time.time() + rng.uniform(0.05, 0.6)  # while it opens the store (or imports)
        else:
            while i not in log.ready:
                if cur.proc.poll() is not None:
                    raise RuntimeError(f"the bot died on its own:\n{stderr_of(work, i)}")
                time.sleep(0.01)
                log.poll()
            startup = 0.8 * startup + 0.2 * (time.time() - cur.spawned)
            per_kill = (end - time.time()) / (plan.kills - i) - startup - plan.max_down_s / 2
            at = time.time() + rng.uniform(0.02, 2 * max(0.1, per_kill))  # spreads the kills over the run
        while time.time() < at:
            if cur.proc.poll() is not None:
                raise RuntimeError(f"the bot died on its own:\n{stderr_of(work, i)}")
            time.sleep(min(0.01, max(0.0, at - time.time())))
            log.poll()
        cur.proc.send_signal(signal.SIGKILL)
        cur.killed = time.time()
        cur.proc.wait()
        checks.append(quick_check_copy(db, work / "scratch"))
        time.sleep(rng.uniform(0.0, plan.max_down_s))
    last = spawn(plan.kills, db, log_path, plan, origin_wall, seeded)
    incs.append(last)
    deadline = origin_wall + horizon + 30.0
    couples_missed = 0
    while time.time() < deadline:
        log.poll()
        couples_missed = sum(1 for a, b in seeded.couples.values() if a in log.missed or b in log.missed)
        if len(log.return_pings) == len(seeded.users) and couples_missed == len(seeded.couples):
            break
        if last.proc.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(1.0)  # a late duplicate would show now
    last.proc.send_signal(signal.SIGTERM)
    try:
        last.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        last.proc.kill()
        last.proc.wait()
    stderr_tail = "\n".join(stderr_of(work, i.inc) for i in incs)[-3000:]
    log.poll()
    return analyse(plan, seeded, log, incs, checks, db, origin_wall, stderr_tail)


def analyse(plan: Sizes, seeded: Seeded, log: Log, incs: list[Incarnation], checks: list[str], db: Path,
            origin_wall: float, stderr_tail: str) -> dict[str, Any]:
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
    c = sqlite3.connect(db)
    try:
        integrity = [str(r[0]) for r in c.execute("PRAGMA integrity_check").fetchall()]
        status = dict(c.execute("SELECT status, count(*) FROM timeouts WHERE id IN (SELECT value FROM "
                                "json_each(?)) GROUP BY status", (json.dumps(seeded.timeouts),)).fetchall())
        left_timers = c.execute("SELECT count(*) FROM timers WHERE user_id < ?", (seeded.solo_first,)).fetchone()[0]
        left_outbox = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        c.close()
    if integrity != ["ok"]:
        failures.append(f"integrity_check: {integrity[:3]}")
    bad_checks = [x for x in checks if x != "ok"]
    if bad_checks:
        failures.append(f"quick_check after a kill: {bad_checks[:3]}")
    if status != {"missed": len(seeded.timeouts)}:
        failures.append(f"seeded time-outs did not all end as missed: {status}")
    if left_timers or left_outbox:
        failures.append(f"left over: {left_timers} timers, {left_outbox} outbox rows")

    # 2. duplicates only across a kill
    killed = {i.inc for i in incs if i.killed is not None}
    extra = 0
    per_kill: dict[int, int] = defaultdict(int)
    for (user, key), copies in by_key.items():
        for prev, nxt in itertools.pairwise(copies):
            if prev["inc"] == nxt["inc"] or prev["inc"] not in killed:
                failures.append(f"user {user} got {key!r} twice from incarnation {nxt['inc']} (no kill between)")
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
    slow = [x for x in after_restart if x > RESTART_LIMIT_S]
    if slow:
        failures.append(f"{len(slow)} pings due before a restart took more than {RESTART_LIMIT_S:g}s after the "
                        f"restart (max {max(slow):.1f}s)")

    pings = sum(1 for (_, k) in by_key if k in ("return.ping", "return.reping"))
    if plan is FULL and (pings < 3_000 or len(killed) < 25):
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
    ap.add_argument("--child", help=argparse.SUPPRESS)
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
              f"{plan.kills} kills, clock x{plan.scale:g}", file=sys.stderr, flush=True)
        result = run(plan, rng, work)
        result["pickle"] = None if args.no_pickle else pickle_demo(plan, rng, work)
    result |= {"seed": seed_, "quick": args.quick, "seconds": round(time.time() - started, 1)}

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
