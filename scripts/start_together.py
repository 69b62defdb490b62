"""Start many Adempauze processes at the same moment on one fresh SQLite file, round after round.

Usage: .venv-test/bin/python scripts/start_together.py [--processes 8] [--rounds 20] [--json PATH] [--keep DIR]

Each round makes a fresh folder; nothing exists at the database path yet. One launcher process imports the
app once and forks `--processes` children (real processes, each with its own SQLite connection, opened after
the fork); they all block on one pipe and are released together by closing it, so they reach `Store.open`
within a millisecond or so of each other (sharper than two people pressing Enter in two terminals). Each child
runs the real command line, `bot.__main__.main([...])`, with its own stdin and stdout:
  - most are consoles (`adempauze console`), each as its own person: `!as pN`, `/status`;
  - one is `adempauze migrate`, one `adempauze backup FILE` (an operator's command racing the first start).
A round passes when every child answered: every console exited 0 and printed a reply to its person, migrate
exited 0 naming the newest schema version, backup either made a copy at the newest version or said clearly
that there is nothing to back up yet; nobody printed a traceback; and the file passes `PRAGMA integrity_check`
at the newest `user_version`. Exit status 1 when any round failed. The JSON has every failure's first lines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Imported once here, before any fork: the children start with everything loaded.
import adapters.console.app  # noqa: E402, F401
import bot.service  # noqa: E402
import bot.store  # noqa: E402, F401
from bot.__main__ import main  # noqa: E402
from bot.store import migration_files  # noqa: E402

SETTINGS = ("TELEGRAM_TOKEN", "DISCORD_TOKEN", "DATABASE_PATH", "DEFAULT_LOCALE", "DEFAULT_TIMEZONE", "TIME_SCALE",
            "LOG_LEVEL", "DEFAULT_COUNTRY", "TELEGRAM_BASE_URL", "TELEGRAM_WEBHOOK_URL")
CHILD_TIMEOUT_S = 60.0
LATEST = migration_files()[-1][0]


@dataclass(frozen=True)
class Child:
    pid: int
    role: str  # console | migrate | backup
    name: str
    out: Path
    err: Path


def _role(i: int, n: int) -> str:
    if n >= 3 and i == n - 2:
        return "migrate"
    if n >= 3 and i == n - 1:
        return "backup"
    return "console"


def _spawn(i: int, n: int, folder: Path, db: Path, gate: int, gate_w: int) -> Child:
    role, name = _role(i, n), f"p{i}"
    out, err, script = folder / f"{name}.out", folder / f"{name}.err", folder / f"{name}.in"
    script.write_text(f"!as {name}\n/status\n", "utf-8")
    argv = {"console": ["console"], "migrate": ["migrate"], "backup": ["backup", str(folder / f"{name}.backup")]}[role]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return Child(pid, role, name, out, err)
    rc = 99
    try:  # the child: its own stdin/stdout/stderr, then wait for the gate, then the real command line
        os.close(gate_w)
        for fd, path, mode in ((0, script, os.O_RDONLY), (1, out, os.O_WRONLY | os.O_CREAT),
                               (2, err, os.O_WRONLY | os.O_CREAT)):
            f = os.open(path, mode, 0o600)
            os.dup2(f, fd)
            os.close(f)
        for k in SETTINGS:
            os.environ.pop(k, None)
        os.environ["DATABASE_PATH"] = str(db)
        os.read(gate, 1)  # returns (empty) when the launcher closes the pipe: everyone at once
        rc = main(argv)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)


def _wait(children: list[Child]) -> dict[int, int]:
    """Exit status per pid; children that hang past CHILD_TIMEOUT_S are killed (status -9)."""
    codes: dict[int, int] = {}
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while len(codes) < len(children):
        for c in children:
            if c.pid in codes:
                continue
            pid, status = os.waitpid(c.pid, os.WNOHANG)
            if pid:
                codes[pid] = os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            for c in children:
                if c.pid not in codes:
                    os.kill(c.pid, signal.SIGKILL)
                    os.waitpid(c.pid, 0)
                    codes[c.pid] = -9
        time.sleep(0.005)
    return codes


def _judge(c: Child, rc: int, db: Path) -> str | None:
    """None when the child answered as it should; otherwise why not."""
    out = c.out.read_text("utf-8", "replace")
    err = c.err.read_text("utf-8", "replace")
    if "Traceback" in out + err:
        return f"traceback: {err.strip().splitlines()[-1] if err.strip() else out[-200:]}"
    if c.role == "console":
        if rc != 0 or f"[to {c.name}]" not in out:
            return f"console exit {rc}, no reply: {(err.strip() or out.strip())[:300]}"
    elif c.role == "migrate":
        if rc != 0 or f"schema version {LATEST}" not in out:
            return f"migrate exit {rc}: {(err.strip() or out.strip())[:300]}"
    elif rc == 0:
        if f"schema {LATEST}," not in out:
            return f"backup at an old schema: {out.strip()[:300]}"
    elif not any(s in err for s in ("There is no database", "nothing to back up yet")):
        return f"backup exit {rc}: {(err.strip() or out.strip())[:300]}"
    return None


def run_round(folder: Path, n: int) -> dict[str, Any]:
    folder.mkdir(parents=True)
    db = folder / "adempauze.sqlite3"
    gate, gate_w = os.pipe()
    children = []
    try:
        children = [_spawn(i, n, folder, db, gate, gate_w) for i in range(n)]
    finally:
        os.close(gate)
        os.close(gate_w)  # go
    started = time.perf_counter()
    codes = _wait(children)
    seconds = time.perf_counter() - started
    failures = [f"{c.name} ({c.role}): {why}" for c in children if (why := _judge(c, codes[c.pid], db))]
    answered = len(children) - len(failures)
    check, version = "missing", None
    if db.is_file():
        con = sqlite3.connect(db)
        try:
            check = con.execute("PRAGMA integrity_check").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    if check != "ok":
        failures.append(f"integrity_check: {check}")
    if version != LATEST:
        failures.append(f"schema version {version}, newest is {LATEST}")
    return {"seconds": round(seconds, 3), "answered": answered, "failures": failures, "integrity_check": check,
            "user_version": version}


def main_(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=8)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--keep", type=Path, default=None, help="keep every round's folder under this one")
    a = p.parse_args(argv)
    base = a.keep or Path(tempfile.mkdtemp(prefix="adempauze-together-"))
    rounds = []
    try:
        for r in range(a.rounds):
            rounds.append(run_round(base / f"round-{r:03d}", a.processes))
            bad = rounds[-1]["failures"]
            print(f"round {r + 1:3d}/{a.rounds}: {a.processes} processes, {rounds[-1]['seconds']:.2f} s, "
                  f"{'ok' if not bad else f'{len(bad)} FAILED: ' + bad[0]}", flush=True)
    finally:
        if a.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    failed = [r for r in rounds if r["failures"]]
    result = {
        "processes": a.processes, "rounds": a.rounds, "rounds_failed": len(failed),
        "processes_failed": sum(len(r["failures"]) for r in rounds), "newest_schema": LATEST, "runs": rounds,
    }
    print(f"{a.rounds} rounds of {a.processes} processes at once: {len(failed)} rounds failed, "
          f"{result['processes_failed']} failures")
    if a.json:
        a.json.write_text(json.dumps(result, indent=2), "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main_())
