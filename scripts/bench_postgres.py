"""The PostgreSQL half of the bench: Dialogue.handle on a real PostgreSQL server (fsync on, the server's
defaults) with 100,000 stored couples, one process and two, next to the SQLite figures of scripts/bench.

Usage: scripts/bench --postgres  (or python scripts/bench_postgres.py [--quick] [--json PATH])

- seeding: bench.seed's SQLite database (the same couples, sessions, past time-outs, pending timers) copied into
  a migrated PostgreSQL database with COPY, then ANALYZE;
- one process, one event at a time: the same interleaved couple flow as bench.py's Dialogue.handle figures;
  p50/p99 latency and events/s (median of RUNS runs);
- one process under load: LOAD_LANES couples acting at once (bench.run_dialogue_load's lanes);
- two processes, one event at a time each and under load: two subprocesses (this script, --load-child), each
  with its own store on the same database and half of the couples, started together; events/s = all events /
  the wall time until both are done.
- beside one process's figures in both regimes: the round trips to the server per event, the CPU per event of
  the bot's process (all its threads) and of the server (all its processes), and each event's service time (its
  transaction on a store thread): under load an event's latency is its service time plus its wait behind the
  other events in flight (LOAD_LANES of them: queueing);
Every regime RUNS times on a fresh copy of the database, interleaved (one, load, two one, two load, one, …);
each figure is the median over the runs (bench.summary). Beside two processes under load, what the machine's
CPUs did meanwhile (/proc/stat: busy share of all cores; the server's own processes' share): with 2 cores, the
server and two clients compete for the same two.
The server runs on this machine, shared with other work: the figures are medians and the noise is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "scripts", ROOT / "tests" / "lib"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import bench  # noqa: E402
import pg_server  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.service import Dialogue  # noqa: E402
from bot.store.postgres.connection import Connection, migrate  # noqa: E402
from bot.store.postgres.store import PostgresStore  # noqa: E402

RUNS = 3
TABLES = ("users", "couples", "contracts", "sessions", "timeouts", "timeout_members", "timers")


def copy_into(sqlite_path: Path, url: str) -> dict[str, int]:
    """Every seeded row of the SQLite bench database into the migrated PostgreSQL one (COPY), then ANALYZE."""
    src = sqlite3.connect(sqlite_path)
    pg = Connection.connect(url)
    migrate(pg)
    counts = {}
    for table in TABLES:
        cur = src.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        with pg.raw.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            n = 0
            for row in cur:
                copy.write_row(row)
                n += 1
        counts[table] = n
    for table in ("users", "couples"):
        pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    pg.raw.execute(b"ANALYZE")
    pg.close()
    src.close()
    return counts


class Meter:
    """What one single-process run cost: CPU seconds of this process (all its threads) and of the server (every
    process of it: the connection's backend, the WAL writer, …), the round trips to the server per event (what
    the store's connection counts), and each event's time on the store's thread
    (its transaction: the service time; what an event waits beyond it under load is queueing)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.service: list[float] = []
        self._cpu = time.process_time()
        self._server = server_cpu(folder) if folder else 0.0

    def timed(self, store: PostgresStore) -> None:
        """Time each event's transaction on the thread (bench only: wraps the lines' settle); count the round
        trips of the store's connections."""
        self._conns: list[Any] = [w._conn for w in getattr(store, "_event_writers", ())] or [store._db._conn]
        self._trips = self.trips()
        service = self.service
        for line in getattr(store, "_event_lines", None) or [store._line]:
            settle = line._settle

            def timed_settle(c: Any, job: Any, settle: Any = settle) -> Any:
                t = time.perf_counter()
                try:
                    return settle(c, job)
                finally:
                    service.append(time.perf_counter() - t)

            line._settle = timed_settle

    def trips(self) -> float:
        return float(sum(getattr(c, "round_trips", float("nan")) for c in self._conns))  # older code: not counted

    def done(self) -> dict[str, float]:
        n = max(1, len(self.service))
        out = {"client_cpu_ms": (time.process_time() - self._cpu) / n * 1e3,
               "round_trips": (self.trips() - self._trips) / n}
        if self.folder:
            out["server_cpu_ms"] = (server_cpu(self.folder) - self._server) / n * 1e3
        if self.service:
            out["service_p50_ms"] = bench.pct(self.service, 0.5) * 1e3
            out["service_p99_ms"] = bench.pct(self.service, 0.99) * 1e3
        return out


Run = tuple[list[float], float, dict[str, float]]
"""A run's latencies, its wall time, and what it cost (Meter)."""


async def one_at_a_time(url: str, events: list[Any], folder: Path | None = None) -> Run:
    store = await PostgresStore.open(url)
    try:
        clock = ManualClock(bench.START)
        dlg = Dialogue(store, clock)
        lat: list[float] = []
        bench.quiet_gc()
        meter = Meter(folder)
        meter.timed(store)
        t0 = time.perf_counter()
        for i, (uid, ev, _) in enumerate(events):
            if i:
                clock.advance(timedelta(seconds=1))
            t = time.perf_counter()
            await dlg.handle(bench.ref_of(uid), ev)
            lat.append(time.perf_counter() - t)
        wall = time.perf_counter() - t0
        return lat, wall, meter.done()
    finally:
        await store.close()


async def under_load(url: str, events: list[Any], folder: Path | None = None) -> Run:
    """bench.run_dialogue_load's lanes, on a PostgresStore."""
    by_lane = bench.lanes_of(events)
    store = await PostgresStore.open(url)
    try:
        clock = ManualClock(bench.START)
        dlg = Dialogue(store, clock)
        lat: list[float] = []

        async def lane(indexes: list[int]) -> None:
            for i in indexes:
                uid, ev, _ = events[i]
                clock.advance(timedelta(seconds=1))
                t = time.perf_counter()
                await dlg.handle(bench.ref_of(uid), ev)
                lat.append(time.perf_counter() - t)

        bench.quiet_gc()
        meter = Meter(folder)
        meter.timed(store)
        t0 = time.perf_counter()
        await asyncio.gather(*(lane(ix) for ix in by_lane))
        wall = time.perf_counter() - t0
        return lat, wall, meter.done()
    finally:
        await store.close()


def server_cpu(folder: Path) -> float:
    """CPU seconds the server has used so far: its postmaster, its live processes and the ended ones it reaped
    (/proc/PID/stat: utime, stime; cutime, cstime of the postmaster)."""
    try:
        pm = int((folder / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            f = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(d.name), int(f[1])
        if pid == pm:
            ticks += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        elif ppid == pm:
            ticks += int(f[11]) + int(f[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def two_processes(url: str, events: list[Any], work: Path, folder: Path, load: bool) -> dict[str, float]:
    """Two processes at once, each with half the couples, under load (`load`) or one event at a time; all
    events / the wall time."""
    halves: list[list[Any]] = [[], []]
    for e in events:
        halves[((e[0] + 1) // 2) % 2].append(e)
    files = [work / f"half{i}.json" for i in range(2)]
    index = {id(e): k for k, e in enumerate(events)}
    for i, h in enumerate(halves):  # the children rebuild their events from the same schedule, by index
        files[i].write_text(json.dumps([index[id(e)] for e in h]))
    start_at = time.time() + 8.0  # both import, load the reader and connect first, then start together
    procs = [subprocess.Popen([sys.executable, __file__, "--load-child", url, "--events", str(f),
                               "--start-at", repr(start_at), "--n", str(len(events)),
                               *(["--one-at-a-time"] if not load else [])], stdout=subprocess.PIPE)
             for f in files]
    time.sleep(max(0.0, start_at - time.time()))  # the machine's and the server's CPU from the start signal on:
    busy0, total0 = cpu_busy()  # the children's imports and warm-up before it are not the run's
    server0 = server_cpu(folder)
    outs = [json.loads(p.communicate()[0]) for p in procs]
    busy1, total1 = cpu_busy()
    server1 = server_cpu(folder)
    wall = max(o["end"] for o in outs) - start_at
    lat = [x for o in outs for x in o["lat"]]
    cores = os.cpu_count() or 1
    return {"events_per_s": len(lat) / wall, "p50_ms": bench.pct(lat, 0.5) * 1e3,
            "p99_ms": bench.pct(lat, 0.99) * 1e3,
            "machine_busy_share": (busy1 - busy0) / max(1, total1 - total0),
            "server_cores_used": (server1 - server0) / max(1e-9, wall),
            "server_cpu_ms": (server1 - server0) / max(1, len(lat)) * 1e3,
            "client_cpu_ms": sum(o["cpu"] for o in outs) / max(1, len(lat)) * 1e3,
            "cores": cores}


async def load_child(url: str, events_file: Path, start_at: float, n: int, sizes: bench.Sizes, load: bool) -> None:
    events = schedule_for(sizes, n)
    mine = [events[i] for i in json.loads(events_file.read_text())]
    bench.warm_up()  # before the start signal: a fresh process, as the parent did before its own runs
    store = await PostgresStore.open(url)
    await store.query("SELECT 1")
    await asyncio.sleep(max(0.0, start_at - time.time()))
    await store.close()
    cpu = time.process_time()
    lat, _, _ = await (under_load(url, mine) if load else one_at_a_time(url, mine))
    print(json.dumps({"lat": lat, "end": time.time(), "cpu": time.process_time() - cpu}))


def schedule_for(sizes: bench.Sizes, n: int) -> list[Any]:
    return bench.huge_schedule(sizes, n)  # the very events of the SQLite figures at this size


def run(quick: bool) -> dict[str, Any]:
    sizes = bench.QUICK if quick else bench.FULL
    bench.warm_up()
    with tempfile.TemporaryDirectory(prefix="adempauze-bench-pg-") as tmp_, pg_server.running(durable=True) as srv:
        tmp = Path(tmp_)
        lite = tmp / "seed.sqlite3"
        plan = bench.SeedPlan(sizes.dispatch_couples, active_pct=50, after_pct=0)
        bench.log(f"postgres: seeding {plan.couples:,} couples")
        bench.seed(lite, plan, bench.START)
        srv.admin("CREATE DATABASE bench")
        template = srv.url("bench")
        t = time.perf_counter()
        counts = copy_into(lite, template)
        bench.log(f"postgres: copied {sum(counts.values()):,} rows in {time.perf_counter() - t:.0f}s")
        events = schedule_for(sizes, sizes.huge_events)
        n = 0

        def fresh() -> str:
            nonlocal n
            if n:
                srv.admin(f"DROP DATABASE run{n}")
            n += 1
            srv.admin(f"CREATE DATABASE run{n} TEMPLATE bench")
            return srv.url(f"run{n}")

        single, load1, one2, load2 = [], [], [], []
        costs1: list[dict[str, float]] = []
        costsl: list[dict[str, float]] = []
        for _ in range(RUNS):  # interleaved, so that every regime sees the same machine
            lat, wall, cost = asyncio.run(one_at_a_time(fresh(), events, srv.folder))
            single.append((lat, wall))
            costs1.append(cost)
            url = fresh()
            busy0, total0 = cpu_busy()
            lat, wall, cost = asyncio.run(under_load(url, events, srv.folder))
            busy1, total1 = cpu_busy()
            load1.append((lat, wall))
            costsl.append({**cost, "machine_busy_share": (busy1 - busy0) / max(1, total1 - total0)})
            one2.append(two_processes(fresh(), events, tmp, srv.folder, load=False))
            load2.append(two_processes(fresh(), events, tmp, srv.folder, load=True))

    s1, sl = bench.summary(single), bench.summary(load1)

    def med(runs: list[dict[str, float]], key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    r2, rl2 = med(one2, "events_per_s"), med(load2, "events_per_s")
    # what the machine allows: all its cores over one event's CPU (the bot's and the server's); that ceiling
    # over what one process already does under load is the most a second process could add
    ceiling = (os.cpu_count() or 1) * 1e3 / (med(costsl, "client_cpu_ms") + med(costsl, "server_cpu_ms"))
    return {
        "couples": sizes.dispatch_couples, "events": len(events), "runs": RUNS, "rows": counts,
        "pg1_p50_ms": s1["p50_ms"], "pg1_p99_ms": s1["p99_ms"], "pg1_events_per_s": s1["events_per_s"],
        "pg1_load_events_per_s": sl["events_per_s"], "pg1_load_p50_ms": sl["p50_ms"], "pg1_load_p99_ms": sl["p99_ms"],
        "pg2_events_per_s": r2, "pg2_p50_ms": med(one2, "p50_ms"), "pg2_p99_ms": med(one2, "p99_ms"),
        "pg2_over_pg1_one": r2 / s1["events_per_s"],
        "pg2_load_events_per_s": rl2, "pg2_load_p50_ms": med(load2, "p50_ms"), "pg2_load_p99_ms": med(load2, "p99_ms"),
        "pg2_over_pg1": rl2 / sl["events_per_s"],
        "pg_cpu_ceiling_events_per_s": ceiling, "pg_cpu_ceiling_over_pg1": ceiling / sl["events_per_s"],
        "pg2_machine_busy_share": med(load2, "machine_busy_share"),
        "pg2_server_cores_used": med(load2, "server_cores_used"),
        "pg2_load_client_cpu_ms": med(load2, "client_cpu_ms"),
        "pg2_load_server_cpu_ms": med(load2, "server_cpu_ms"),
        "cores": os.cpu_count() or 1,
        **{f"pg1_{k}": med(costs1, k) for k in costs1[0]},
        **{f"pg1_load_{k}": med(costsl, k) for k in costsl[0]},
        "_spread": {"pg1_events_per_s": s1["rates"], "pg1_load_events_per_s": sl["rates"],
                    "pg2_events_per_s": sorted(round(r["events_per_s"]) for r in one2),
                    "pg2_load_events_per_s": sorted(round(r["events_per_s"]) for r in load2)},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--load-child", help=argparse.SUPPRESS)
    ap.add_argument("--events", help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--one-at-a-time", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.load_child:
        asyncio.run(load_child(args.load_child, Path(args.events), args.start_at, args.n,
                               bench.QUICK if args.quick else bench.FULL, not args.one_at_a_time))
        return 0
    r = run(args.quick)
    for k, v in r.items():
        if not k.startswith("_") and k != "rows":
            print(f"  {k:28} {v:.3f}" if isinstance(v, float) else f"  {k:28} {v}")
    print(f"  spread (runs, events/s)      {r['_spread']}")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
