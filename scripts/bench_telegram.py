"""The Telegram adapter benchmark, over loopback against the Bot API stand-in (adapters/telegram/standin.py).

Usage: scripts/bench_telegram.py [--quick] [--json PATH]       (PATH defaults to bench-telegram.json)

Figures (printed as: figure, value, goal, OK/MISS; and written to the JSON under "figures"):

- Update -> reply through the whole adapter: the real PTB Application long-polls the stand-in over HTTP on
  127.0.0.1; each sample queues one update (a /timeout, or a button press back to idle, for a rotating set of
  people) and times it until the reply's sendMessage reaches the stand-in: getUpdates, PTB's dispatch, the
  handler, Dialogue.handle on a SQLite file, the rate limiter, sendMessage. Samples are spaced (one every
  PACE s) so the rate limiter is not the thing measured: p50 and p99 in ms (goals <= 20 / <= 50).
- A burst of return pings: N people each in a time-out (set up through Dialogue.handle) whose return falls due
  at once; the clock is moved and Dispatcher.run_due() delivers every ping through the adapter's Messenger and
  its rate limiter, against the stand-in enforcing Telegram's flood limit (at most 30 chat messages in any
  second; a 429 with retry_after 1 beyond). Counted: 429s (goal 0), pings delivered in that one run (goal: all),
  the sustained rate (goal: about 2/3 of 30/s, i.e. 15-25/s), and when each ping arrived after the burst began.

Bounded: under 2 minutes at full size (1,000 pings at ~20/s is ~50 s), a few seconds with --quick.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.telegram.app import BURST, RATE, build
from adapters.telegram.standin import StandIn
from bot.clock import ManualClock
from bot.config import Settings
from bot.core.events import ChoiceMade, CommandReceived
from bot.dispatch import Dispatcher
from bot.i18n import catalog
from bot.ports import Messenger, UserRef
from bot.service import Dialogue
from bot.store import Store

TOKEN = "7000000001:AAbenchmarkTokenNotARealOne_0123456789"
START = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)  # a Monday evening, outside quiet hours
PACE = 0.08
FLOOD_LIMIT = 30
ACTING = 99_999


@dataclass(frozen=True)
class Sizes:
    samples: int
    people: int
    pings: int


FULL = Sizes(samples=300, people=20, pings=1000)
QUICK = Sizes(samples=20, people=4, pings=60)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


class Rig:
    """The stand-in served on loopback, a SQLite store, the Dialogue, the Dispatcher and the adapter."""

    def __init__(self, tmp: Path, name: str, rate_limit: int | None = None) -> None:
        self.tmp, self.name, self.rate_limit = tmp, name, rate_limit

    async def __aenter__(self) -> Rig:
        self.api = StandIn(TOKEN, rate_limit=self.rate_limit, clock=time.perf_counter)
        await self.api.serve()
        self.store = await Store.open(self.tmp / f"{self.name}.sqlite3")
        self.clock = ManualClock(START)
        messengers: dict[str, Messenger] = {}
        self.dispatcher = Dispatcher(self.store, messengers, self.clock)
        self.dialogue = Dialogue(self.store, self.clock, on_scheduled=self.dispatcher.wake)
        settings = Settings(telegram_token=SecretStr(TOKEN), telegram_base_url=self.api.base_url,
                            default_locale="en")
        self.adapter = build(settings, self.dialogue, self.clock)
        messengers["telegram"] = self.adapter.messenger
        await self.adapter.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.adapter.stop()
        await self.store.close()
        await self.api.close()


async def bench_reply(tmp: Path, sizes: Sizes) -> dict[str, Any]:
    async with Rig(tmp, "reply") as rig:
        api = rig.api
        people = [api.person(10_000 + i, f"P{i}", "en") for i in range(sizes.people)]
        for p in people:  # first contact (user row, onboarding) is not what we time
            api.text(p, "/start")
        await api.wait_for(lambda: all(api.texts(p.id) for p in people), 30)
        await asyncio.sleep(1.0)  # let the rate limiter's bucket drain after the onboarding burst
        in_timeout = dict.fromkeys((p.id for p in people), False)
        lat: list[float] = []
        for n in range(sizes.samples):
            p = people[n % len(people)]
            mark = len(api.calls)
            t0 = time.perf_counter()
            if in_timeout[p.id]:
                api.press(p, "go.cancel")
            else:
                api.text(p, "/timeout")
            in_timeout[p.id] = not in_timeout[p.id]

            def replied(uid: int = p.id, mark: int = mark) -> bool:
                return any(c.method == "sendMessage" and c.params.get("chat_id") == uid for c in api.calls[mark:])

            await api.wait_for(replied, 10)
            first = next(c for c in api.calls[mark:] if c.method == "sendMessage" and c.params.get("chat_id") == p.id)
            lat.append((first.at - t0) * 1000)
            await asyncio.sleep(PACE)
    return {"reply_p50_ms": round(pct(lat, 50), 2), "reply_p99_ms": round(pct(lat, 99), 2),
            "reply_max_ms": round(max(lat), 2), "reply_samples": len(lat)}


async def bench_burst(tmp: Path, sizes: Sizes) -> dict[str, Any]:
    async with Rig(tmp, "burst", rate_limit=FLOOD_LIMIT) as rig:
        api = rig.api
        t = time.perf_counter()
        for i in range(sizes.pings):
            uid = 20_000 + i
            api.person(uid, f"P{i}", "en")
            ref = UserRef("telegram", str(uid), chat_id=str(uid), name=f"P{i}", locale="en")
            await rig.dialogue.handle(ref, CommandReceived("timeout"))
            await rig.dialogue.handle(ref, ChoiceMade("ret.m20"))
        await rig.dispatcher.run_due()  # nothing should be due yet; settles anything that was
        setup_s = time.perf_counter() - t
        mark = len(api.calls)
        rig.clock.advance(timedelta(minutes=20))
        t0 = time.perf_counter()
        burst = asyncio.create_task(rig.dispatcher.run_due())
        during = await replies_during(api, burst, samples=max(3, sizes.samples // 20))
        await burst
        elapsed = time.perf_counter() - t0
        sent = [c for c in api.calls[mark:] if c.method == "sendMessage" and c.status == 200
                and c.params.get("chat_id") != ACTING]
        ping = catalog("en")["return.ping"].split("{time}")[-1].strip()  # ": time to come back. Ready?"
        pinged = {c.params["chat_id"] for c in sent if ping in str(c.params.get("text"))}
        offsets = sorted(c.at - t0 for c in sent)
        # sustained: the steady part, past the limiter's initial bucket
        steady = (len(offsets) - 1) / (offsets[-1] - offsets[0]) if len(offsets) > 1 else float("nan")
        left = await rig.store.query("SELECT COUNT(*) FROM outbox")
    return {
        "burst_pings": sizes.pings,
        "burst_delivered_first_run": len(pinged),
        "burst_messages_sent": len(sent),
        "burst_429s": api.too_many + sum(1 for c in api.calls[mark:] if c.status == 429),
        "burst_seconds": round(elapsed, 2),
        "burst_rate_per_s": round(len(sent) / elapsed, 2),
        "burst_steady_rate_per_s": round(steady, 2),
        "burst_arrival_p50_s": round(pct(offsets, 50), 2),
        "burst_arrival_p99_s": round(pct(offsets, 99), 2),
        "burst_outbox_left": int(left[0][0]),
        "burst_reply_p50_ms": round(pct(during, 50), 1) if during else float("nan"),
        "burst_reply_max_ms": round(max(during), 1) if during else float("nan"),
        "burst_setup_s": round(setup_s, 2),
    }


async def replies_during(api: StandIn, burst: asyncio.Task[int], samples: int) -> list[float]:
    """Someone acting while the burst drains: how long their reply waits behind the pings in the limiter."""
    p = api.person(ACTING, "Acting", "en")
    lat: list[float] = []
    await asyncio.sleep(0.5)
    for n in range(samples):
        if burst.done():
            break
        mark = len(api.calls)
        t0 = time.perf_counter()
        if n % 2 == 0:
            api.text(p, "/timeout")
        else:
            api.press(p, "go.cancel")

        def replied(mark: int = mark) -> bool:
            return any(c.method == "sendMessage" and c.params.get("chat_id") == p.id for c in api.calls[mark:])

        await api.wait_for(replied, 30)
        first = next(c for c in api.calls[mark:] if c.method == "sendMessage" and c.params.get("chat_id") == p.id)
        lat.append((first.at - t0) * 1000)
        await asyncio.sleep(0.3)
    return lat


GOALS: dict[str, tuple[str, Any]] = {
    "reply_p50_ms": ("<= 20", lambda v, s: v <= 20),
    "reply_p99_ms": ("<= 50", lambda v, s: v <= 50),
    "burst_429s": ("0", lambda v, s: v == 0),
    "burst_delivered_first_run": ("all", lambda v, s: v == s.pings),
    "burst_steady_rate_per_s": ("15-25 (2/3 of 30)", lambda v, s: 15 <= v <= 25),
}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run of a few seconds)")
    ap.add_argument("--json", default="bench-telegram.json", help="where to write the results (default: %(default)s)")
    ap.add_argument("--tmp", help="folder for the benchmark databases (default: a fresh temporary folder)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sizes = QUICK if args.quick else FULL
    t_all = time.perf_counter()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="adempauze-tg-bench-", dir=args.tmp) as td:
        log("- update -> reply over loopback …")
        figures |= asyncio.run(bench_reply(Path(td), sizes))
        log(f"- a burst of {sizes.pings} return pings through the rate limiter …")
        figures |= asyncio.run(bench_burst(Path(td), sizes))
    total = time.perf_counter() - t_all
    ok = {k: bool(check(figures[k], sizes)) for k, (_, check) in GOALS.items()}
    print(f"Adempauze Telegram adapter benchmark{' (quick sizes)' if args.quick else ''} — Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, limiter {RATE:g}/s burst {BURST}, "
          f"stand-in flood limit {FLOOD_LIMIT}/s, {total:.0f}s")
    for key, value in figures.items():
        goal = GOALS.get(key)
        verdict = "" if goal is None else ("OK" if ok[key] else "MISS")
        print(f"  {key:32} {value!s:>10}  {goal[0] if goal else '':>18}  {verdict}")
    result = {"figures": figures, "ok": ok, "goals": {k: g for k, (g, _) in GOALS.items()}, "quick": args.quick,
              "seconds": round(total, 1), "python": platform.python_version(), "cpus": os.cpu_count()}
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
