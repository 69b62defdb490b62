"""Shared fixtures for the shell tests: a real SQLite file, a hand-moved clock, a recording Messenger.

Fixtures: `clock` (ManualClock at T0), `db_path`, `store` (open on db_path, closed after), `recorder`,
`dispatcher` (delivers console/telegram/discord through `recorder`), `dialogue` (wakes the dispatcher),
`talk` (type or press as someone; read their phase back), `person` (a UserRef factory), `me`.
The clock starts at `clock.now()` == 2026-11-20 20:10 UTC (21:10 in Amsterdam).
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pg_server as pg_server_lib
import pytest

from bot.__main__ import _logging
from bot.clock import ManualClock
from bot.core.events import ChoiceMade, Event
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, Recipient, UserRef, event_from_text
from bot.service import Dialogue
from bot.store import Store
from bot.store.postgres.connection import Connection as PgConnection
from bot.store.postgres.connection import migrate as pg_migrate
from bot.store.postgres.store import PostgresStore

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
"""A Friday evening: 21:10 in Amsterdam (CET, UTC+1)."""


class Recorder:
    """A Messenger that records what it is asked to deliver; it can be told to fail the next sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Outgoing]] = []
        self.attempts: list[tuple[Recipient, Outgoing]] = []
        self._failures: list[Exception] = []
        self.got = asyncio.Event()

    def fail_next(self, error: Exception, times: int = 1) -> None:
        """Raise `error` on each of the next `times` deliveries."""
        self._failures.extend([error] * times)

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.attempts.append((to, out))
        if self._failures:
            raise self._failures.pop(0)
        self.sent.append((to, out))
        self.got.set()

    def texts(self, external_id: str | None = None) -> list[str]:
        return [o.text for r, o in self.sent if external_id is None or r.external_id == external_id]


class Talk:
    """Type a line or press a button as someone, the way an adapter would; read their phase."""

    def __init__(self, dialogue: Dialogue, consent: bool = True) -> None:
        self.dialogue = dialogue
        self.consent = consent  # people agree at onboarding (/start) before their first line here
        self._onboarded: set[UserRef] = set()

    async def _onboard(self, who: UserRef) -> None:
        if self.consent and who not in self._onboarded:
            self._onboarded.add(who)
            await self.dialogue.handle(who, ChoiceMade("cs.yes"))

    async def say(self, who: UserRef, text: str) -> list[Outgoing]:
        await self._onboard(who)
        return await self.dialogue.handle(who, event_from_text(text))

    async def press(self, who: UserRef, choice: str) -> list[Outgoing]:
        await self._onboard(who)
        return await self.dialogue.handle(who, ChoiceMade(choice))

    async def send(self, who: UserRef, event: Event) -> list[Outgoing]:
        await self._onboard(who)
        return await self.dialogue.handle(who, event)

    async def phase(self, who: UserRef) -> str:
        return (await self.dialogue.store.session_of(who))[0]

    async def to_waiting(self, who: UserRef, minutes: int = 30) -> list[Outgoing]:
        """A whole solo flow up to WAITING with a return in `minutes`; returns the last replies."""
        await self.say(who, "/timeout")
        for c in (f"ret.m{minutes}", "t.8", "br.next", "t.5", "f.angry", "u.unseen", "n.seen", "w.prepare", "op.use"):
            await self.press(who, c)
        await self.say(who, "Wie de afwas doet")
        await self.press(who, "pf.overwhelmed")
        return await self.press(who, "own.voice")


def make_person(name: str, locale: str = "", platform: str = "telegram") -> UserRef:
    return UserRef(platform, name, chat_id=f"chat-{name}", name=name.title(), locale=locale)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "adempauze.sqlite3"


BOTH_BACKENDS = ("test_store", "test_service", "test_dispatch")
"""Test modules (by name prefix) whose tests that use `store` run on both backends: SQLite and PostgreSQL. A
test that also asks for `db_path`, or is marked `sqlite_only`, is about the SQLite file itself and runs on SQLite
only."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    uses = metafunc.fixturenames
    if (("store" in uses or "stores" in uses) and "db_path" not in metafunc.definition.fixturenames
            and name.startswith(BOTH_BACKENDS)
            and not metafunc.definition.get_closest_marker("sqlite_only")):
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" (the default) or "postgres" (see BOTH_BACKENDS)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_server_lib.Server]:
    """One real PostgreSQL server on 127.0.0.1 for the whole session, with a migrated template database."""
    if pg_server_lib.bin_dir() is None and not pg_server_lib.required():
        pytest.skip("no PostgreSQL server binaries here (apt-get install postgresql); CI requires them")
    with pg_server_lib.running() as server:
        server.admin(f"CREATE DATABASE {pg_server_lib.TEMPLATE}")
        c = PgConnection.connect(server.url(pg_server_lib.TEMPLATE))
        try:
            pg_migrate(c)
        finally:
            c.close()
        yield server


@pytest.fixture
def pg_url(pg_server: pg_server_lib.Server) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own (dropped after it)."""
    url = pg_server.database()
    yield url
    pg_server.drop(url)


@pytest.fixture
async def store(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> AsyncIterator[Store]:
    if backend == "postgres":
        s: Store = await PostgresStore.open(request.getfixturevalue("pg_url"))
    else:
        s = await Store.open(tmp_path / "adempauze.sqlite3")
    yield s
    await s.close()  # a no-op when a test closed it already


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def dispatcher(store: Store, recorder: Recorder, clock: ManualClock) -> Dispatcher:
    return Dispatcher(store, {"console": recorder, "telegram": recorder, "discord": recorder}, clock)


@pytest.fixture
def dialogue(store: Store, clock: ManualClock, dispatcher: Dispatcher) -> Dialogue:
    return Dialogue(store, clock, on_scheduled=dispatcher.wake)


@pytest.fixture
def talk(dialogue: Dialogue) -> Talk:
    return Talk(dialogue)


@pytest.fixture
def person() -> Callable[..., UserRef]:
    """`person("sam", locale="en")`: a UserRef as a platform would give it."""
    return make_person


@pytest.fixture
def me() -> UserRef:
    return make_person("sam")


# Hypothesis: deterministic in CI and by default (the same examples every run); `HYPOTHESIS_PROFILE=fuzz` runs
# a long random search locally (scripts/fuzz). What it finds is stored in .hypothesis/ and kept as @example.
from hypothesis import settings as _hsettings  # noqa: E402

_hsettings.register_profile("ci", derandomize=True, deadline=None)
_hsettings.register_profile("fuzz", derandomize=False, deadline=None, max_examples=5000)
_hsettings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The production logging at DEBUG into a buffer (set up before any adapter is built, as in production)."""
    buf = io.StringIO()
    root = logging.getLogger()
    level = root.level
    saved = {name: logging.getLogger(name).level for name in ("telegram", "discord", "aiosqlite", "aiohttp",
                                                             "websockets", "httpx", "httpcore")}
    handler = _logging("DEBUG", buf)
    try:
        yield buf
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for name, lvl in saved.items():
            logging.getLogger(name).setLevel(lvl)
