"""Two Telegram webhook workers on one PostgreSQL, behind a proxy, end to end over loopback.

The real bot (`python -m bot`, two processes) with DATABASE_URL on the test server and the TELEGRAM_WEBHOOK_*
settings, each listening on its own port; a round-robin proxy in front of them (tests/lib/round_robin.py); the Bot
API stand-in as Telegram, handing each update to the proxy's URL until it is answered. Both workers share one
sped-up clock (TIME_SCALE with one TIME_ORIGIN), so the return ping comes when that clock reaches it: the test
waits for what the workers send, never for time itself.

Two partners pair and go through a time-out (start, the partner's notice, the return ping) with their updates
landing on both workers in turn; on the way an answer is lost (Telegram hands the update again, to the other
worker), a retry reaches the other worker while the first is still on it, and both partners tap "ready" at the same
moment on different workers (the couple's lock puts one after the other): each update is handled once, every reply
comes once and in order, the notice and each ping once. Then one worker is killed (SIGKILL) in the middle of
a second time-out: the proxy skips it, the other worker answers both partners and sends the pings.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from adempauze_testkit import marker
from round_robin import RoundRobin, Routed

from adapters.telegram.app import webhook_secret
from adapters.telegram.standin import Json, Person, StandIn

TOKEN = "7012345678:AAH3kq-Zt0kEnSecretPartForWebhook_x9Yw"
SCALE = 90.0
"""Clock seconds per wall second: a 20-minute break takes 13 s, and a ping 5 min late (LATE) is 3 s late."""
EVENING = time_of_day(18, 30)
"""What the workers' shared clock shows when the test starts (Amsterdam): well before the quiet hours (23:00)."""
WAIT = 60.0
"""Seconds at most for one thing to arrive (two processes on a busy 2-core machine)."""
HOOK_PATH = "/telegram/hook"
SETTINGS = ("TELEGRAM_TOKEN", "DISCORD_TOKEN", "DATABASE_PATH", "DATABASE_URL", "DEFAULT_LOCALE", "DEFAULT_TIMEZONE",
            "TIME_SCALE", "TIME_ORIGIN", "LOG_LEVEL", "DEFAULT_COUNTRY", "TELEGRAM_BASE_URL", "TELEGRAM_WEBHOOK_URL",
            "TELEGRAM_WEBHOOK_LISTEN", "TELEGRAM_WEBHOOK_PORT", "TELEGRAM_WEBHOOK_SECRET", "DISCORD_SHARD")


Keys = str | tuple[str, ...]
"""What one message says: a catalog key, or several keys said together in one message."""
ANNA_PAIRS = ["welcome", "pair.code", "pair.joined", "contract.first.inviter", "screen.ask", "contract.accepted.notice"]
ANNA_BREAK = ["pause.when", "start.told", "status.running", "return.ping"]
"""What Anna (English) is sent while pairing, and in a time-out she takes."""
BRAM_PAIRS = ["join.ok", "screen.ask", "contract.accepted"]
BRAM_BREAK = ["notice.start", "status.partner", "return.ping"]
"""What Bram (Dutch), her partner, is sent."""


def back(first: bool) -> list[Keys]:
    """What someone is sent when both come back at once: the first one in waits and is then told the other is
    back too; the second one in finds the first there."""
    if first:
        return [("return.card", "return.wait_partner"), "notice.both_ready"]
    return [("return.card", "return.together")]


def origin_showing(at: time_of_day, tz: str = "Europe/Amsterdam") -> float:
    """A TIME_ORIGIN for a SCALE clock that shows `at` (the next one to come) now: the clock ran from the origin,
    at real time then, SCALE times faster ever since (so the origin lies at most a day / SCALE ago)."""
    wall = time.time()
    now = datetime.fromtimestamp(wall, ZoneInfo(tz))
    target = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    if target <= now:
        target += timedelta(days=1)
    return wall - (target.timestamp() - wall) / (SCALE - 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Worker:
    """One `python -m bot` process in webhook mode; its log lines as they come."""

    port: int
    proc: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)
    killed: bool = False
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path) -> Worker:
        port = _free_port()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env={**env, "TELEGRAM_WEBHOOK_PORT": str(port)}, cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        worker = cls(port, proc)
        worker._reader = asyncio.create_task(worker._read())
        return worker

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.log.append(line.decode("utf-8", "replace"))

    @property
    def text(self) -> str:
        return "".join(self.log)

    async def running(self) -> None:
        """Until it says it runs (it has attached, listens, and has set the webhook)."""
        async with asyncio.timeout(WAIT):
            while "running: telegram" not in self.text:
                assert self.proc.returncode is None, self.text
                await asyncio.sleep(0.05)  # polling another process's output, not waiting for time

    def kill(self) -> None:
        self.killed = True
        self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT):
                await self.proc.wait()
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            await self._reader
        return self.proc.returncode or 0


@dataclass
class Deploy:
    api: StandIn
    proxy: RoundRobin
    workers: list[Worker]
    db: str
    sent_by: dict[int, int] = field(default_factory=dict)
    """update_id -> who sent it."""

    def says(self, person: Person, key: str) -> int:
        """How many messages to `person` said catalog `key`."""
        line = marker(person.language_code or "nl", key)
        return sum(line in t for t in self.api.texts(person.id))

    async def until(self, check: Callable[[], bool], what: str) -> None:
        try:
            await self.api.wait_for(check, WAIT)
        except TimeoutError:
            chats = {p for p in self.sent_by.values()}
            raise AssertionError(f"waited for {what}; workers said:\n" + "\n".join(
                f"--- worker {i}\n{w.text[-3000:]}" for i, w in enumerate(self.workers)) + "\nchats:\n" + "\n".join(
                f"--- {chat}\n" + "\n-\n".join(self.api.texts(chat)) for chat in sorted(chats))) from None

    async def arrives(self, person: Person, key: str, times: int = 1) -> None:
        await self.until(lambda: self.says(person, key) >= times, f"{key} x{times} to {person.first_name}")

    async def handled(self, update: Json) -> None:
        """Until Telegram had the update answered 2xx: the worker has saved it and sent its replies."""
        uid = update["update_id"]
        await self.until(lambda: any(d.update_id == uid and d.status == 200 for d in self.api.deliveries),
                         f"update {uid} answered")

    async def send(self, update: Json) -> Json:
        """Until the update (a person's message or button press) has been handled."""
        self.sent_by[update["update_id"]] = (update.get("message") or update["callback_query"])["from"]["id"]
        await self.handled(update)
        return update

    def workers_of(self, person: Person, routed: list[Routed]) -> set[int]:
        """Which workers got `person`'s updates."""
        return {w for r in routed if self.sent_by.get(r.update_id or 0) == person.id for w in r.workers}

    def outbox(self) -> int:
        with psycopg.connect(self.db, autocommit=True) as c:
            row = c.execute("SELECT count(*) FROM outbox").fetchone()
        assert row is not None
        return int(row[0])

    async def outbox_empty(self) -> None:
        """Until every partner notice and ping written so far has been delivered (no claim left in flight)."""
        async with asyncio.timeout(WAIT):
            while await asyncio.to_thread(self.outbox):
                await asyncio.sleep(0.05)  # polling the database, not waiting for time

    def in_order(self, person: Person, story: list[Keys]) -> None:
        """`person` got exactly one message per entry of `story`, in this order."""
        texts = self.api.texts(person.id)
        shown = "\n---\n".join(texts)
        assert len(texts) == len(story), f"{len(texts)} messages, {len(story)} expected:\n{shown}"
        for i, (text, keys) in enumerate(zip(texts, story, strict=True)):
            for key in (keys,) if isinstance(keys, str) else keys:
                assert marker(person.language_code or "nl", key) in text, f"message {i} is not {key}:\n{shown}"

    def routed(self, update: Json) -> list[tuple[int, ...]]:
        return [r.workers for r in self.proxy.routed if r.update_id == update["update_id"]]


@contextlib.asynccontextmanager
async def deployed(pg_url: str, tmp_path: Path) -> AsyncIterator[Deploy]:
    api = StandIn(TOKEN)
    await api.serve()
    proxy = RoundRobin([])
    await proxy.serve()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_BASE_URL=api.base_url, TELEGRAM_WEBHOOK_URL=proxy.url(HOOK_PATH),
               TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", DATABASE_URL=pg_url, DEFAULT_LOCALE="nl",
               TIME_SCALE=str(SCALE), TIME_ORIGIN=repr(origin_showing(EVENING)), LOG_LEVEL="INFO")
    workers: list[Worker] = []
    try:
        for _ in range(2):
            workers.append(await Worker.start(env, tmp_path))
        await asyncio.gather(*(w.running() for w in workers))
        proxy.workers[:] = [f"http://127.0.0.1:{w.port}" for w in workers]
        yield Deploy(api, proxy, workers, pg_url)
    finally:
        codes = [await w.stop() for w in workers]
        await proxy.close()
        await api.close()
    logs = "".join(w.text for w in workers)
    assert "Traceback" not in logs, logs
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs
    assert [c for c, w in zip(codes, workers, strict=True) if not w.killed] == [0], logs  # a clean stop


async def test_two_webhook_workers_behind_a_proxy_one_killed_mid_time_out(pg_url: str, tmp_path: Path) -> None:
    async with deployed(pg_url, tmp_path) as d:
        api = d.api
        # both set the same webhook: the proxy's URL, with the secret derived from the token
        assert len(api.of("setWebhook")) == 2
        assert {c.params["url"] for c in api.of("setWebhook")} == {d.proxy.url(HOOK_PATH)}
        assert {c.params["secret_token"] for c in api.of("setWebhook")} == {webhook_secret(TOKEN)}
        anna, bram = api.person(111, "Anna", "en"), api.person(222, "Bram", "nl")

        # -- pairing, with both of Telegram's retries on the way ---------------------------------------------
        await d.send(api.text(anna, "/start"))
        await d.send(api.text(anna, "/pair"))
        code = re.search(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b", "\n".join(api.texts(anna.id)))
        assert code
        d.proxy.lose_next()  # handled, but the answer never reaches Telegram: it hands the update again
        join = await d.send(api.text(bram, f"/doemee {code.group(1)}"))
        assert [x.status for x in api.deliveries if x.update_id == join["update_id"]] == [504, 200]
        assert len(set(d.routed(join))) == 2  # the retry went to the other worker
        await d.arrives(anna, "pair.joined")
        accept = next(c for c in api.button_ids(bram.id) if c.startswith("ct.accept.") and c.endswith(".1"))
        d.proxy.both_next()  # the retry reaches the other worker while the first is still on it
        both = await d.send(api.press(bram, accept))
        assert d.routed(both) == [(0, 1)] or d.routed(both) == [(1, 0)]
        await d.arrives(anna, "contract.accepted.notice")  # the last of her notices: the others came before it
        await d.outbox_empty()

        # -- a time-out: start, the partner's notice, the return ping when the clock gets there --------------
        await d.send(api.text(anna, "/timeout"))
        await d.send(api.press(anna, "ret.m20"))
        await d.arrives(bram, "notice.start")
        await d.send(api.text(bram, "/status"))
        await d.send(api.text(anna, "/status"))
        await d.arrives(anna, "return.ping")
        await d.arrives(bram, "return.ping")
        # both tap "ready" at the same moment, on different workers: the couple's lock puts one after the other
        ready = api.press(anna, "r.ready"), api.press(bram, "r.ready")
        await asyncio.gather(*(d.send(u) for u in ready))
        assert sorted(d.routed(u)[0] for u in ready) == [(0,), (1,)]
        await d.until(lambda: d.says(anna, "notice.both_ready") + d.says(bram, "notice.both_ready") == 1, "both back")
        await d.outbox_empty()
        anna_first = d.says(anna, "notice.both_ready") == 1

        before_kill = list(d.proxy.routed)
        assert d.workers_of(anna, before_kill) == d.workers_of(bram, before_kill) == {0, 1}
        d.in_order(anna, ANNA_PAIRS + ANNA_BREAK + back(anna_first))  # every reply, notice and ping once, in order
        d.in_order(bram, BRAM_PAIRS + BRAM_BREAK + back(not anna_first))
        retried = sum(w.text.count("an update handled before arrived again") for w in d.workers)
        assert retried == 2  # the lost answer's update and the one handed to both: each found handled

        # -- a second time-out; one worker is killed in the middle of it ---------------------------------------
        await d.send(api.text(anna, "/timeout"))
        await d.send(api.press(anna, "ret.m20"))
        await d.arrives(bram, "notice.start", 2)
        await d.outbox_empty()
        dead = d.proxy._next  # the one the next update would go to
        d.workers[dead].kill()
        await d.workers[dead].proc.wait()
        after = await d.send(api.text(anna, "/status"))
        assert [r.skipped for r in d.proxy.routed if r.update_id == after["update_id"]] == [(dead,)]
        await d.send(api.text(bram, "/status"))
        await d.arrives(anna, "return.ping", 2)
        await d.arrives(bram, "return.ping", 2)
        since = d.proxy.routed[len(before_kill) + 2:]
        assert d.workers_of(anna, since) == d.workers_of(bram, since) == {1 - dead}
        d.in_order(anna, ANNA_PAIRS + ANNA_BREAK + back(anna_first) + ANNA_BREAK)
        d.in_order(bram, BRAM_PAIRS + BRAM_BREAK + back(not anna_first) + BRAM_BREAK)

