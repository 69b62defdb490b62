"""SQLite pitfalls, measured on this machine, that the store is designed around.

Usage: .venv-test/bin/python scripts/sqlite_pitfalls.py [--json PATH]        (about 20-30 s)

1. A deferred BEGIN that reads and then writes fails with "database is locked" (SQLITE_BUSY_SNAPSHOT) when
   another connection committed in between, at once, whatever busy_timeout says; BEGIN IMMEDIATE waits and
   succeeds. (The store: every write transaction is BEGIN IMMEDIATE.)
2. Concurrent transactions on ONE aiosqlite connection interleave: task B's statements land inside task A's
   transaction, BEGIN fails inside a transaction, COMMIT commits the other's half. With a lock, or with the
   store's one-hop-per-transaction design, nothing fails.
3. Two writer connections need busy_timeout: without it, writes fail with "database is locked".
4. An incremental backup (backup(pages=N)) restarts whenever another connection writes between its steps: under
   steady writes it never finishes (bounded demo); a one-step backup (pages=-1) finishes in one go.
5. The WAL with a long reader: it grows while a reader holds an old snapshot (nothing can be checkpointed past
   it); afterwards journal_size_limit truncates it back at the next reset (without the limit it keeps its peak
   size for ever); a TRUNCATE checkpoint while the reader is still there blocks for busy_timeout, then gives up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite


def connect(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A plain connection as the store makes them: autocommit mode (we write BEGIN ourselves), WAL."""
    c = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=NORMAL")
    return c


def fresh(folder: Path, name: str, rows: int = 100, payload: int = 100) -> Path:
    path = folder / f"{name}.sqlite3"
    c = connect(path)
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad BLOB)")
    c.execute("BEGIN")
    c.executemany("INSERT INTO t (id, v, pad) VALUES (?, 0, randomblob(?))", [(i, payload) for i in range(rows)])
    c.execute("COMMIT")
    c.close()
    return path


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 1)


# --------------------------------------------------------------------------------------------------------
# 1. deferred BEGIN: read, then write


def deferred_vs_immediate(folder: Path) -> dict[str, Any]:
    path = fresh(folder, "deferred")
    out: dict[str, Any] = {"busy_timeout_ms": 5000}

    # a) the other connection committed between our read and our write
    a, b = connect(path), connect(path)
    a.execute("BEGIN")  # deferred
    a.execute("SELECT v FROM t WHERE id = 1").fetchone()
    b.execute("BEGIN IMMEDIATE")
    b.execute("UPDATE t SET v = v + 1 WHERE id = 1")
    b.execute("COMMIT")
    t = time.perf_counter()
    try:
        a.execute("UPDATE t SET v = v + 1 WHERE id = 1")
        out["deferred_after_commit"] = {"error": None}
    except sqlite3.OperationalError as e:
        out["deferred_after_commit"] = {"error": str(e), "failed_after_ms": ms(time.perf_counter() - t)}
    a.execute("ROLLBACK")

    # b) the other connection holds the write lock for 300 ms while we try to write
    def hold(conn: sqlite3.Connection, started: threading.Event) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE t SET v = v + 1 WHERE id = 2")
        started.set()
        time.sleep(0.3)
        conn.execute("COMMIT")

    for mode in ("", "IMMEDIATE"):
        started = threading.Event()
        th = threading.Thread(target=hold, args=(b, started))
        if mode:
            th.start()
            started.wait()
            t = time.perf_counter()
            try:
                a.execute(f"BEGIN {mode}")  # waits here (busy handler) for the other writer
                a.execute("SELECT v FROM t WHERE id = 2").fetchone()
                a.execute("UPDATE t SET v = v + 1 WHERE id = 2")
                a.execute("COMMIT")
                out["immediate_while_other_writes"] = {"error": None, "succeeded_after_ms": ms(time.perf_counter() - t)}
            except sqlite3.OperationalError as e:
                out["immediate_while_other_writes"] = {"error": str(e)}
                a.execute("ROLLBACK")
        else:
            a.execute("BEGIN")
            a.execute("SELECT v FROM t WHERE id = 2").fetchone()  # our snapshot is taken here
            th.start()
            started.wait()
            t = time.perf_counter()
            try:
                a.execute("UPDATE t SET v = v + 1 WHERE id = 2")
                a.execute("COMMIT")
                out["deferred_while_other_writes"] = {"error": None}
            except sqlite3.OperationalError as e:
                out["deferred_while_other_writes"] = {"error": str(e), "failed_after_ms": ms(time.perf_counter() - t)}
                a.execute("ROLLBACK")
        th.join()
    a.close()
    b.close()
    return out


# --------------------------------------------------------------------------------------------------------
# 2. one aiosqlite connection, concurrent transactions


async def one_connection(folder: Path, pairs: int = 200) -> dict[str, Any]:
    path = fresh(folder, "aiosqlite")
    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode=WAL")

    async def transfer(i: int, lock: asyncio.Lock | None) -> str:
        async def body() -> None:
            await db.execute("BEGIN IMMEDIATE")
            try:
                await db.execute("UPDATE t SET v = v - 1 WHERE id = ?", (i % 50,))
                await asyncio.sleep(0)  # any await: another task runs here
                await db.execute("UPDATE t SET v = v + 1 WHERE id = ?", (50 + i % 50,))
                await db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    await db.execute("ROLLBACK")
                raise

        try:
            if lock is None:
                await body()
            else:
                async with lock:
                    await body()
        except sqlite3.Error as e:
            return str(e)
        return ""

    out: dict[str, Any] = {"transactions": 2 * pairs}
    for name, lock in (("without_lock", None), ("with_lock", asyncio.Lock())):
        await db.execute("UPDATE t SET v = 0")
        results = await asyncio.gather(*(transfer(i, lock) for i in range(2 * pairs)))
        errors = [r for r in results if r]
        total = (await (await db.execute("SELECT sum(v) FROM t")).fetchone() or (0,))[0]
        out[name] = {"failed": len(errors), "kinds": sorted(set(errors))[:3], "sum_should_be_0": total}

    # the store's way: the whole transaction is one function run on the connection's thread (one hop)
    def one_hop(c: sqlite3.Connection, i: int) -> None:
        c.execute("BEGIN IMMEDIATE")
        c.execute("UPDATE t SET v = v - 1 WHERE id = ?", (i % 50,))
        c.execute("UPDATE t SET v = v + 1 WHERE id = ?", (50 + i % 50,))
        c.execute("COMMIT")

    await db.execute("UPDATE t SET v = 0")
    conn = db._conn

    async def hop(i: int) -> str:
        try:
            await db._execute(one_hop, conn, i)  # type: ignore[no-untyped-call]
        except sqlite3.Error as e:
            return str(e)
        return ""

    results = await asyncio.gather(*(hop(i) for i in range(2 * pairs)))
    total = (await (await db.execute("SELECT sum(v) FROM t")).fetchone() or (0,))[0]
    out["one_hop_per_transaction"] = {"failed": sum(1 for r in results if r), "sum_should_be_0": total}
    await db.close()
    return out


# --------------------------------------------------------------------------------------------------------
# 3. two writer connections


def two_writers(folder: Path, per_thread: int = 400) -> dict[str, Any]:
    out: dict[str, Any] = {"transactions_per_writer": per_thread}
    for name, timeout in (("busy_timeout_0", 0.0), ("busy_timeout_5000", 5.0)):
        path = fresh(folder, f"writers_{name}")
        errors: list[str] = []
        start = threading.Barrier(2)

        def writer(k: int, timeout: float = timeout, path: Path = path, start: threading.Barrier = start,
                   errors: list[str] = errors) -> None:
            c = connect(path, timeout=timeout)
            start.wait()
            for i in range(per_thread):
                try:
                    c.execute("BEGIN IMMEDIATE")
                    c.execute("UPDATE t SET v = v + 1 WHERE id = ?", ((i + k) % 100,))
                    c.execute("COMMIT")
                except sqlite3.OperationalError as e:
                    errors.append(str(e))
                    if c.in_transaction:
                        c.execute("ROLLBACK")
            c.close()

        t = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out[name] = {"failed": len(errors), "kinds": sorted(set(errors)), "seconds": round(time.perf_counter() - t, 2)}
    return out


# --------------------------------------------------------------------------------------------------------
# 4. incremental vs one-step backup under writes


def backups_under_load(folder: Path, limit_s: float = 3.0) -> dict[str, Any]:
    path = fresh(folder, "backup_src", rows=20_000, payload=400)  # about 9 MB
    stop = threading.Event()
    commits = 0

    def writer() -> None:
        nonlocal commits
        c = connect(path)
        i = 0
        while not stop.is_set():
            c.execute("BEGIN IMMEDIATE")
            c.execute("UPDATE t SET v = v + 1 WHERE id = ?", (i % 20_000,))
            c.execute("COMMIT")
            commits += 1
            i += 1
            time.sleep(0.001)
        c.close()

    out: dict[str, Any] = {"db_mb": round(path.stat().st_size / 1e6, 1)}
    th = threading.Thread(target=writer)
    th.start()
    try:
        src = connect(path)
        # incremental: 64 pages a step, no sleep between steps (the most favourable setting)
        steps = restarts = 0
        last = None
        t = time.perf_counter()

        def progress(status: int, remaining: int, total: int) -> None:
            nonlocal steps, restarts, last
            steps += 1
            if last is not None and remaining > last:
                restarts += 1
            last = remaining
            if time.perf_counter() - t > limit_s:
                raise TimeoutError

        dst = sqlite3.connect(folder / "backup_incremental.sqlite3")
        c0 = commits
        try:
            src.backup(dst, pages=64, progress=progress, sleep=0)
            out["incremental_pages_64"] = {"finished": True, "seconds": round(time.perf_counter() - t, 2),
                                           "steps": steps, "restarts": restarts}
        except TimeoutError:
            out["incremental_pages_64"] = {"finished": False, "gave_up_after_s": limit_s, "steps": steps,
                                           "restarts": restarts, "remaining_pages_at_end": last,
                                           "writer_commits_meanwhile": commits - c0}
        dst.close()
        # one step: one read transaction, a snapshot; the writer goes on in the WAL
        dst = sqlite3.connect(folder / "backup_one_step.sqlite3")
        c0 = commits
        t = time.perf_counter()
        src.backup(dst, pages=-1)
        out["one_step"] = {"finished": True, "seconds": round(time.perf_counter() - t, 3),
                           "writer_commits_meanwhile": commits - c0,
                           "integrity": dst.execute("PRAGMA integrity_check").fetchone()[0]}
        dst.close()
        src.close()
    finally:
        stop.set()
        th.join()
    return out


# --------------------------------------------------------------------------------------------------------
# 5. the WAL with a long reader


def wal_size(path: Path) -> float:
    try:
        return round(os.path.getsize(f"{path}-wal") / 1e6, 2)
    except OSError:
        return 0.0


def wal_with_long_reader(folder: Path, write_mb: int = 24, limit_mb: int = 4) -> dict[str, Any]:
    out: dict[str, Any] = {"written_during_reader_mb": write_mb}
    blob = 8000
    n = write_mb * 1_000_000 // blob
    for name, limit in (("no_journal_size_limit", -1), (f"journal_size_limit_{limit_mb}mb", limit_mb * 1_000_000)):
        path = fresh(folder, f"wal_{limit}")
        w = connect(path)
        w.execute(f"PRAGMA journal_size_limit={limit}")
        r = connect(path)
        r.execute("BEGIN")
        r.execute("SELECT count(*) FROM t").fetchone()  # the long reader's snapshot
        for i in range(n):
            w.execute("BEGIN IMMEDIATE")
            w.execute("INSERT INTO t (v, pad) VALUES (?, randomblob(?))", (i, blob))
            w.execute("COMMIT")
        during = wal_size(path)
        r.execute("COMMIT")  # the reader goes away
        for i in range(1500):  # ordinary traffic afterwards: auto-checkpoints (every 1000 pages), WAL resets
            w.execute("BEGIN IMMEDIATE")
            w.execute("UPDATE t SET v = v + 1 WHERE id = ?", (i % 100,))
            w.execute("COMMIT")
        after = wal_size(path)
        w.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out[name] = {"wal_mb_with_reader": during, "wal_mb_after_reader_left": after,
                     "wal_mb_after_checkpoint_truncate": wal_size(path)}
        r.close()
        w.close()

    # a TRUNCATE checkpoint while the long reader is still there
    path = fresh(folder, "wal_truncate")
    w = connect(path, timeout=2.0)
    r = connect(path)
    for i in range(200):
        w.execute("INSERT INTO t (v, pad) VALUES (?, randomblob(4000))", (i,))
    r.execute("BEGIN")
    r.execute("SELECT count(*) FROM t").fetchone()
    for i in range(200):
        w.execute("INSERT INTO t (v, pad) VALUES (?, randomblob(4000))", (i,))
    for mode in ("PASSIVE", "TRUNCATE"):
        t = time.perf_counter()
        busy, log, done = w.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        out[f"checkpoint_{mode.lower()}_with_reader"] = {
            "busy": busy, "wal_frames": log, "checkpointed": done, "blocked_ms": ms(time.perf_counter() - t),
            "busy_timeout_ms": 2000}
    r.execute("COMMIT")
    r.close()
    w.close()
    return out


# --------------------------------------------------------------------------------------------------------


def show(title: str, rows: list[tuple[str, Any]]) -> None:
    print(f"\n{title}")
    for k, v in rows:
        print(f"  {k:<52} {v}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--json", help="also write the measurements here")
    args = ap.parse_args(argv)
    results: dict[str, Any] = {"sqlite": sqlite3.sqlite_version, "python": sys.version.split()[0]}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="adempauze-pitfalls-") as d:
        folder = Path(d)
        steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("deferred_begin", lambda: deferred_vs_immediate(folder)),
            ("one_aiosqlite_connection", lambda: asyncio.run(one_connection(folder))),
            ("two_writers", lambda: two_writers(folder)),
            ("backup_under_load", lambda: backups_under_load(folder)),
            ("wal_long_reader", lambda: wal_with_long_reader(folder)),
        ]
        for name, fn in steps:
            print(f"- {name} …", file=sys.stderr, flush=True)
            results[name] = fn()
    results["seconds"] = round(time.perf_counter() - started, 1)

    r = results
    print(f"SQLite pitfalls — SQLite {r['sqlite']}, Python {r['python']}, {r['seconds']}s")
    d1 = r["deferred_begin"]
    show("1. deferred BEGIN, read then write (busy_timeout 5000 ms)", [
        ("other connection committed in between", d1["deferred_after_commit"]),
        ("other connection writing (300 ms) meanwhile", d1["deferred_while_other_writes"]),
        ("BEGIN IMMEDIATE while the other writes (300 ms)", d1["immediate_while_other_writes"]),
    ])
    d2 = r["one_aiosqlite_connection"]
    show(f"2. one aiosqlite connection, {d2['transactions']} concurrent transactions", [
        ("no lock", d2["without_lock"]), ("an asyncio.Lock around each", d2["with_lock"]),
        ("one hop per transaction (the store's way)", d2["one_hop_per_transaction"]),
    ])
    d3 = r["two_writers"]
    show(f"3. two writer connections, {d3['transactions_per_writer']} transactions each", [
        ("busy_timeout 0", d3["busy_timeout_0"]), ("busy_timeout 5000 ms", d3["busy_timeout_5000"]),
    ])
    d4 = r["backup_under_load"]
    show(f"4. backup of a {d4['db_mb']} MB file while another connection commits every ~1 ms", [
        ("incremental, 64 pages a step", d4["incremental_pages_64"]), ("one step (pages=-1)", d4["one_step"]),
    ])
    d5 = r["wal_long_reader"]
    show(f"5. WAL with a long reader ({d5['written_during_reader_mb']} MB written while it reads)",
         [(k, v) for k, v in d5.items() if k != "written_during_reader_mb"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
