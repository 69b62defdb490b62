"""Fixtures for the Telegram adapter: the Bot API stand-in, the adapter on it, a fake time for the pacer.

`api`: a StandIn (in memory). `adapter`: the real adapter (real PTB Application, handlers, rate limiter) whose
transport is `InProcessRequest(api)`; it is initialized (getMe) but receives updates only through `feed`, which
runs a real update JSON through `Update.de_json` and `Application.process_update`. Its Dialogue is the shared
`dialogue` fixture (a real SQLite file; partner notices land in the recording dispatcher). `fake_time` is the
pacer's sleep and the stand-in's clock, so a minute of breathing takes no wall-clock time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update

from adapters.telegram.app import TelegramAdapter, build
from adapters.telegram.standin import InProcessRequest, StandIn
from bot.clock import ManualClock
from bot.config import Settings
from bot.service import Dialogue

TOKEN = "7012345678:AAH3kq-Zt0kEnSecretPartForTests_x9YwQ"


class FakeTime:
    """A monotonic time that only moves when someone sleeps on it. `hold()` makes sleepers wait for `release()`."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._open = asyncio.Event()
        self._open.set()

    def __call__(self) -> float:
        return self.now

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)
        await self._open.wait()
        self.now += max(0.0, seconds)


def settings_for(base_url: str | None = None, **extra: Any) -> Settings:
    return Settings(telegram_token=SecretStr(TOKEN), telegram_base_url=base_url, default_locale="nl", **extra)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api(fake_time: FakeTime) -> StandIn:
    return StandIn(TOKEN, clock=fake_time)


@pytest.fixture
async def adapter(api: StandIn, dialogue: Dialogue, clock: ManualClock, fake_time: FakeTime) -> AsyncIterator[
    TelegramAdapter
]:
    a = build(settings_for(), dialogue, clock, sleep=fake_time.sleep, monotonic=fake_time,
              request=lambda: InProcessRequest(api), rate=10_000, burst=1_000)
    await a.application.initialize()
    a.live = True
    yield a
    await a.stop()


Feed = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
def feed(adapter: TelegramAdapter) -> Feed:
    """Run one update (as the Bot API sends it) through PTB's own parsing and handler dispatch."""

    async def run(update: dict[str, Any]) -> None:
        await adapter.application.process_update(Update.de_json(update, adapter.application.bot))

    return run


@pytest.fixture
def settle(adapter: TelegramAdapter) -> Callable[[], Awaitable[None]]:
    """Let every running pacer finish (they run on fake time, so this takes no wall-clock time)."""

    async def run() -> None:
        for _ in range(100_000):
            if not adapter.pacer.running:
                return
            await asyncio.sleep(0)
        raise AssertionError("pacer did not finish")

    return run


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    return settings_for
