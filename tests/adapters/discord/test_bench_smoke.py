"""scripts/bench_discord.py runs end to end with --quick and writes every figure. Speed is never asserted here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIGURES = ("response_p50_ms", "response_p99_ms", "complete_p50_ms", "complete_p99_ms", "slash_p50_ms",
           "button_p50_ms", "interactions", "interactions_per_s")


def test_bench_discord_quick_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench-discord.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_discord.py"), "--quick", "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text("utf-8"))
    assert result["quick"] is True
    for key in FIGURES:
        value = result["figures"][key]
        assert isinstance(value, int | float) and math.isfinite(value), (key, value)
    assert result["figures"]["interactions"] > 0
