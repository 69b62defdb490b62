"""The benchmark script runs end to end at small sizes and writes every figure. Speed is never asserted here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIGURES = (
    "core_step_events_per_s",
    "raw_sqlite_events_per_s",
    "handle_big_p50_ms",
    "handle_big_p99_ms",
    "handle_big_events_per_s",
    "handle_big_ratio_to_raw",
    "handle_big_load_events_per_s",
    "handle_big_load_ratio_to_raw",
    "handle_small_load_ratio_to_raw",
    "handle_huge_load_ratio_to_raw",
    "handle_small_p50_ms",
    "handle_small_p99_ms",
    "handle_small_events_per_s",
    "handle_p50_big_over_small",
    "next_due_index_seek",
    "next_due_ms",
    "timer_lateness_p50_ms",
    "timer_lateness_p99_ms",
    "timer_pings_delivered_ratio",
    "timer_lateness_rt_p50_ms",
    "timer_lateness_rt_p99_ms",
    "timer_rt_pings_delivered_ratio",
    "rss_small_mb",
    "rss_big_mb",
    "rss_delta_mb",
)


def test_bench_quick_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--json", str(out), "--tmp", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text("utf-8"))
    figures = result["figures"]
    for key in FIGURES:
        value = figures.get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)
    assert result["flow_mismatches"] == [], result["flow_mismatches"]
    assert result["quick"] is True
