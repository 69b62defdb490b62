"""Benchmark the Discord adapter: interaction -> response through the whole adapter, over loopback.

Usage: .venv-test/bin/python scripts/bench_discord.py [--quick] [--json PATH] [--seconds N]

A real discord.Client (the adapter as built for production) connects over real sockets to the Discord stand-in of
the tests (tests/adapters/discord/standin.py: gateway websocket + REST on 127.0.0.1), on a real SQLite file with the
real Dialogue. People run a short flow over and over, one interaction at a time: /timeout (a slash command),
"Not now" (a button), /status (a slash command). For each interaction the clock starts when the stand-in sends
INTERACTION_CREATE and stops when the stand-in has the interaction's response (the callback: the reply itself for a
command, the update of the pressed message for a button), and again when the adapter has finished the whole input
(all replies sent). The stand-in runs in the same process and event loop, so its own work is counted too.

Figures (printed as figure, value, goal, OK/MISS; written to the JSON under "figures"):
  response_p50_ms, response_p99_ms   interaction -> response (goals: <= 20 ms, <= 50 ms)
  complete_p50_ms, complete_p99_ms   interaction -> every reply sent
  slash_p50_ms, button_p50_ms        the response figure per kind
  interactions, interactions_per_s   how many were measured, and the rate of the sequential run

Bounded: a fixed number of interactions (--quick: 90, else 900) and at most --seconds of wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from adapters.discord.app import build
from bot.clock import SystemClock
from bot.config import Settings
from bot.service import Dialogue
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent

GOALS = {"response_p50_ms": 20.0, "response_p99_ms": 50.0}
WARMUP = 15


def load_standin() -> Any:
    path = ROOT / "tests" / "adapters" / "discord" / "standin.py"
    spec = importlib.util.spec_from_file_location("adempauze_discord_standin", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def run(count: int, seconds: float, tmp: Path) -> dict[str, Any]:
    standin_module = load_standin()
    standin = standin_module.StandIn()
    base = await standin.start()
    samples: list[tuple[str, float, float]] = []  # (kind, response ms, complete ms)
    with standin_module.point_discord_at(base):
        settings = Settings(discord_token="bench-token", database_path=tmp / "bench.sqlite3", _env_file=None)  # type: ignore[call-arg]
        store = await Store.open(settings.database_path)
        clock = SystemClock()
        adapter = build(settings, Dialogue(store, clock), clock)
        try:
            await adapter.start()
            await asyncio.wait_for(standin.ready.wait(), 10)
            loop = asyncio.get_running_loop()
            people = [standin.person(f"p{i}") for i in range(10)]
            deadline = loop.time() + seconds
            done = 0
            step = 0
            while done < count + WARMUP and loop.time() < deadline:
                person = people[(step // 3) % len(people)]
                kind = ("slash", "button", "slash")[step % 3]
                before = adapter.activity.done
                if step % 3 == 0:
                    ix = await standin.slash(person, "timeout")
                elif step % 3 == 1:
                    ix = await standin.press(person, standin.last_with_buttons(person), "ap:go.cancel")
                else:
                    ix = await standin.slash(person, "status")
                await asyncio.wait_for(adapter.activity.wait_done(before + 1), 10)
                finished = loop.time()
                if done >= WARMUP:
                    assert ix.acked_at is not None, "an interaction was not answered"
                    samples.append((kind, (ix.acked_at - ix.sent_at) * 1000, (finished - ix.sent_at) * 1000))
                done += 1
                step += 1
            elapsed = loop.time() - (deadline - seconds)
        finally:
            await adapter.stop()
            await store.close()
            await standin.stop()
    response = [r for _, r, _ in samples]
    complete = [c for _, _, c in samples]
    figures = {
        "response_p50_ms": percentile(response, 50),
        "response_p99_ms": percentile(response, 99),
        "complete_p50_ms": percentile(complete, 50),
        "complete_p99_ms": percentile(complete, 99),
        "slash_p50_ms": percentile([r for k, r, _ in samples if k == "slash"], 50),
        "button_p50_ms": percentile([r for k, r, _ in samples if k == "button"], 50),
        "interactions": float(len(samples)),
        "interactions_per_s": (done / elapsed) if elapsed > 0 else 0.0,
        "response_mean_ms": statistics.fmean(response) if response else float("nan"),
    }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small run (seconds), for the smoke test")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--seconds", type=float, default=None, help="wall-time bound (default 30, quick 15)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    count = 90 if args.quick else 900
    seconds = args.seconds or (15.0 if args.quick else 30.0)
    with tempfile.TemporaryDirectory() as d:
        figures = asyncio.run(run(count, seconds, Path(d)))
    print(f"{'figure':<22}{'value':>10}  {'goal':>8}")
    for name, value in figures.items():
        goal = GOALS.get(name)
        verdict = "" if goal is None else ("OK" if value <= goal else "MISS")
        print(f"{name:<22}{value:>10.2f}  {'' if goal is None else f'<= {goal:g}':>8}  {verdict}")
    result = {"quick": args.quick, "figures": figures, "goals": GOALS,
              "machine": {"python": platform.python_version(), "platform": platform.platform()}}
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
