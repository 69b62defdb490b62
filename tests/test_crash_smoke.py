"""The crash test runs end to end at small size: real processes, real SIGKILLs, bounded in time (about 20 s).

`scripts/crash_test.py --quick` seeds couples in time-outs, kills the bot (a subprocess) at random moments,
restarts it, and checks that no return ping was lost, none sent twice except rows in flight at a kill,
the file passes integrity_check, and pings due before a restart went out within 5 s of it. It exits non-zero
when a check fails; here we also read its JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_crash_test_quick_passes(tmp_path: Path) -> None:
    out = tmp_path / "crash.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "crash_test.py"), "--quick", "--json", str(out),
         "--keep", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads(out.read_text("utf-8"))
    assert r["ok"] is True and r["failures"] == []
    assert r["kills"] >= 6
    assert r["return_pings_delivered"] == r["return_pings_expected"] > 0
    assert r["time_outs"] == {"missed": r["couples"]}
    assert r["integrity_check"] == "ok"
    assert r["due_while_down_max_s_after_restart"] <= 5.0
    assert r["pickle"] is not None and len(r["pickle"]["runs"]) >= 1


def test_crash_test_quick_on_postgresql_with_two_processes(tmp_path: Path, pg_server: object) -> None:
    """Two bots on one real PostgreSQL, either killed at random: nothing lost, no duplicate that was not in
    flight, every ping out within 5 s of being due or of the kill that held it up. (`pg_server`: only that the
    server binaries are here; the script starts its own.)"""
    out = tmp_path / "crash.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "crash_test.py"), "--quick", "--backend", "postgres",
         "--processes", "2", "--json", str(out), "--keep", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads(out.read_text("utf-8"))
    assert r["ok"] is True and r["processes"] == 2 and r["kills"] >= 6
    assert r["return_pings_delivered"] == r["return_pings_expected"] > 0
    assert r["time_outs"] == {"missed": r["couples"]}
    assert r["pings_due_while_another_lived"] > 0 and r["takeover_max_s"] <= 5.0
