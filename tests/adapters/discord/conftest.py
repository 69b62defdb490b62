"""Fixtures for the Discord adapter: a Discord stand-in on 127.0.0.1 and a real adapter, store, Dialogue, Dispatcher.

`world` is everything wired as in production, with a real discord.Client talking over real sockets to the stand-in,
a real SQLite file in tmp_path and a ManualClock; only the pacer's sleep is instant (it records what it was asked).
Nothing of discord.py or of our code is mocked.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from adapters.discord.app import DiscordAdapter, build
from bot.clock import ManualClock
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.ports import Messenger
from bot.service import Dialogue
from bot.store import Store


def _load_standin() -> Any:
    name = "adempauze_discord_standin"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("standin.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


standin_module = _load_standin()
StandIn = standin_module.StandIn
point_discord_at = standin_module.point_discord_at

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
"""A Friday evening: 21:10 in Amsterdam."""
WAIT = 10.0
"""Seconds a test waits for something that happens in milliseconds: a guard, never a way to let time pass."""
T = TypeVar("T")


async def within(awaitable: Awaitable[T]) -> T:
    return await asyncio.wait_for(awaitable, WAIT)


class Sleeps:
    """The pacer's time: `sleep` returns at once, records the seconds asked and moves `monotonic` on by them."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.now = 1000.0
        self.held: asyncio.Event | None = None

    def hold(self) -> None:
        """From now on a sleep does not return (until `release`): a pacer stays in its first phase."""
        self.held = asyncio.Event()

    def release(self) -> None:
        if self.held is not None:
            self.held.set()
            self.held = None

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        if self.held is not None:
            await self.held.wait()
        self.now += seconds
        await asyncio.sleep(0)

    def monotonic(self) -> float:
        return self.now


class World:
    """The adapter over the stand-in, with the real store, Dialogue and Dispatcher."""

    def __init__(self, standin: Any, store: Store, clock: ManualClock, settings: Settings) -> None:
        self.standin = standin
        self.store = store
        self.clock = clock
        self.settings = settings
        self.sleeps = Sleeps()
        self.messengers: dict[str, Messenger] = {}
        self.dispatcher = Dispatcher(store, self.messengers, clock)
        self.dialogue = Dialogue(store, clock, on_scheduled=self.dispatcher.wake)
        self.adapter: DiscordAdapter = self._build()

    def _build(self) -> DiscordAdapter:
        return build(self.settings, self.dialogue, self.clock, sleep=self.sleeps.sleep, monotonic=self.sleeps.monotonic)

    async def start(self) -> None:
        self.standin.ready.clear()
        self.messengers["discord"] = self.adapter.messenger
        await within(self.adapter.start())
        await within(self.standin.ready.wait())

    async def restart(self) -> None:
        """Stop the adapter and start a new one: a new discord.Client, nothing kept in memory."""
        await self.adapter.stop()
        self.adapter = self._build()
        await self.start()

    async def within(self, awaitable: Awaitable[T]) -> T:
        return await within(awaitable)

    async def handled(self, start: Awaitable[T]) -> T:
        """Dispatch an input (a stand-in call) and wait until the adapter has handled it."""
        before = self.adapter.activity.done
        result = await start
        await within(self.adapter.activity.wait_done(before + 1))
        return result

    async def slash(self, person: Any, name: str, value: str | None = None, **kw: Any) -> Any:
        return await self.handled(self.standin.slash(person, name, value, **kw))

    async def press(self, person: Any, message: dict[str, Any], choice: str, **kw: Any) -> Any:
        return await self.handled(self.standin.press(person, message, "ap:" + choice, **kw))

    async def type_dm(self, person: Any, text: str) -> Any:
        return await self.handled(self.standin.type_dm(person, text))


@pytest.fixture
async def standin() -> AsyncIterator[Any]:
    s = StandIn()
    base = await s.start()
    with point_discord_at(base):
        yield s
    await s.stop()


@pytest.fixture
async def world(standin: Any, tmp_path: Path) -> AsyncIterator[World]:
    settings = Settings(discord_token="test-token", database_path=tmp_path / "db.sqlite3", _env_file=None)  # type: ignore[call-arg]
    store = await Store.open(settings.database_path)
    w = World(standin, store, ManualClock(T0), settings)
    await w.start()
    yield w
    await w.adapter.stop()
    await store.close()
    assert standin.mention_violations() == [], "a message went out without AllowedMentions.none()"
