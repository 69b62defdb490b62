"""The Telegram benchmark runs end to end at quick sizes and writes every figure. Speed is never asserted here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

FIGURES = (
    "reply_p50_ms",
    "reply_p99_ms",
    "burst_pings",
    "burst_delivered_first_run",
    "burst_429s",
    "burst_rate_per_s",
    "burst_steady_rate_per_s",
    "burst_arrival_p50_s",
    "burst_reply_p50_ms",
)


def test_bench_telegram_quick_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_telegram.py"), "--quick", "--json", str(out),
         "--tmp", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text("utf-8"))
    assert result["quick"] is True
    for key in FIGURES:
        value = result["figures"].get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)
    assert result["figures"]["burst_delivered_first_run"] == result["figures"]["burst_pings"]
