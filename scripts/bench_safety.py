"""Benchmark: one danger assessment of a 4,000-character message, the whole production path.

Usage: python scripts/bench_safety.py [--runs N] [--chars N]

What is timed is what Dialogue.handle does for every free text: the shell's reading (bot.reader.read:
fold, split, language, look-ups, phrases) plus the core's judgement (bot.core.danger.assess). Messages are
built from the labelled set's lines, shuffled per message, so every run reads a different text: "dense"
from all its lines (every sentence carries danger words: the worst case), "ordinary" from its plain
benign lines (a long rant about the dishes). For each, two figures:

* warm: the reader's per-token memo as it is in a running bot (it keeps what it has looked up);
* cold: the memo emptied before every message, so every distinct word pays its full look-up (near-miss
  search included) -- the first message after a restart.

The goal (issue 12): p99 <= 1 ms for a 4,000-character text.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import reader  # noqa: E402
from bot.core.danger import assess  # noqa: E402

LABELLED = ROOT / "tests" / "safety" / "labelled.tsv"


def messages(count: int, chars: int, seed: int = 12, ordinary: bool = False) -> list[str]:
    rows = [raw.split("\t") for raw in LABELLED.read_text("utf-8").splitlines()[1:] if raw.count("\t") == 3]
    lines = [r[3] for r in rows if not ordinary or r[2] == "none"]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        rng.shuffle(lines)
        text, i = "", 0
        while len(text) < chars:
            text += lines[i % len(lines)] + ". "
            i += 1
        out.append(text[:chars])
    return out


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": q[49], "p90": q[89], "p99": q[98], "max": samples[-1]}


def bench(runs: int, chars: int, cold: bool, ordinary: bool) -> dict[str, float]:
    texts = messages(runs, chars, ordinary=ordinary)
    reader.warm()
    for t in texts[:20]:
        assess(reader.read(t))
    gc.collect()
    gc.freeze()
    times: list[float] = []
    for t in texts:
        if cold:
            for memo in reader._memo.values():
                memo.clear()
        started = time.perf_counter()
        assess(reader.read(t))
        times.append((time.perf_counter() - started) * 1000)
    gc.unfreeze()
    return _percentiles(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=4000)
    args = parser.parse_args(argv[1:])
    print(f"one assessment (read + judge) of a {args.chars}-character message, {args.runs} messages, ms")
    print(f"{'':15} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
    for text_kind, ordinary in (("dense", False), ("ordinary", True)):
        for name, cold in (("warm", False), ("cold", True)):
            p = bench(args.runs if not cold else max(200, args.runs // 10), args.chars, cold, ordinary)
            print(f"{text_kind + ' ' + name:15} {p['p50']:7.3f} {p['p90']:7.3f} {p['p99']:7.3f} {p['max']:7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
