"""Several processes on one file, in one test process: each `Store` here is what one process holds (its own
connection, its own id). Migrations under the write lock, platforms only one process may serve, outbox claims
and their take-over when a process's lease runs out, timers fired only by a process serving that person's
platform, and consoles that deliver only to the people in their own terminal.

Leases are wall-clock time; a test lets one run out by moving the other store's `wall`, never by sleeping."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from adempauze_testkit import marker

from adapters.console.app import Console, ConsoleMessenger
from bot.clock import ManualClock
from bot.codec import dump_payload, ts
from bot.core.effects import Msg
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, Recipient, UserRef, event_from_text
from bot.service import Dialogue
from bot.store import (
    LEASE,
    MIGRATIONS,
    BackupError,
    InUse,
    Store,
    backup_sync,
    connect_pragmas,
    migrate_sync,
    migration_files,
    restore,
)
from bot.store.postgres.store import PostgresStore

LATEST = migration_files()[-1][0]
T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)


class Recorder:
    """A Messenger that records what it delivered."""

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Outgoing]] = []

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.sent.append((to, out))


def _with_extra_migration(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / f"{LATEST + 1:04d}_extra.sql").write_text("CREATE TABLE extra (x INTEGER);\n", "utf-8")
    return folder


def test_an_upgrade_is_refused_while_a_process_of_older_code_runs_on_the_file(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    c = sqlite3.connect(db, isolation_level=None)
    try:
        connect_pragmas(c)
        migrate_sync(c)
        now = int(time.time())
        c.execute("INSERT INTO processes VALUES ('p1', 'bot', 'telegram', ?, 4242, 'old-box', ?, ?)",
                  (LATEST, now, now + 10))
        folder = _with_extra_migration(tmp_path)

        with pytest.raises(InUse) as e:
            migrate_sync(c, folder)
        assert "process 4242" in str(e.value) and "old-box" in str(e.value) and f"version {LATEST + 1}" in str(e.value)
        assert c.execute("PRAGMA user_version").fetchone() == (LATEST,)
        assert c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone() == (0,)

        # Once its lease has run out (killed, or stopped without a goodbye), the upgrade goes ahead.
        assert migrate_sync(c, folder, wall=lambda: now + 11) == (LATEST, LATEST + 1)
        assert c.execute("PRAGMA user_version").fetchone() == (LATEST + 1,)
    finally:
        c.close()


# -- processes on the file -----------------------------------------------------------------------------------


@pytest.fixture
async def stores(request: pytest.FixtureRequest, backend: str) -> AsyncIterator[Callable[[], asyncio.Future[Store]]]:
    """`await open_store()`: another process's Store on the same file, or the same PostgreSQL database (all
    closed after the test)."""
    opened: list[Store] = []
    where = request.getfixturevalue("pg_url" if backend == "postgres" else "db_path")

    async def open_store() -> Store:
        opened.append(await (PostgresStore if backend == "postgres" else Store).open(where))
        return opened[-1]

    yield open_store  # type: ignore[misc]
    for s in opened:
        await s.close()


async def test_a_second_process_serving_telegram_is_refused_and_told_which_process_holds_it(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    first, second, third = await stores(), await stores(), await stores()
    await first.attach("bot", ["telegram"])

    with pytest.raises(InUse) as e:
        await second.attach("bot", ["telegram", "discord"])

    text = str(e.value)
    assert f"process {os.getpid()}" in text and socket.gethostname() in text and "telegram" in text
    assert "the Adempauze bot serving telegram" in text and "Nothing was started" in text
    assert [h.id for h in await second.holders()] == [first.process_id]  # the refused one left no trace
    await second.attach("console", ["console"])  # other platforms: fine

    third.wall = lambda: time.time() + LEASE.total_seconds() + 1  # the first stopped beating long enough ago
    await third.attach("bot", ["telegram"])
    assert [h.id for h in await third.holders()] == [third.process_id]  # the silent ones were cleaned away


async def test_leaving_the_file_removes_the_process_and_frees_its_platform(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    first, second = await stores(), await stores()
    await first.attach("bot", ["discord"])
    await first.close()
    await second.attach("bot", ["discord"])
    assert [h.kind for h in await second.holders()] == ["bot"]


async def _person(store: Store, name: str, platform: str, chat_id: str = "") -> int:
    ref = UserRef(platform, name, chat_id=chat_id or f"chat-{name}", name=name.title())
    await Dialogue(store, ManualClock(T0)).handle(ref, event_from_text("/status"))
    return int((await store.query("SELECT id FROM users WHERE external_id = ?", (name,)))[0][0])


async def _queue(store: Store, uid: int, key: str = "status.none") -> None:
    await store.execute("INSERT INTO outbox (user_id, payload, tag, due_at, created_at) VALUES (?, ?, '', ?, ?)",
                        (uid, dump_payload(Msg.of(key)), ts(T0), ts(T0)))


async def test_a_row_is_claimed_by_one_process_and_taken_over_when_its_lease_runs_out(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    """As webhook workers would: two processes serving the same platform. A claim holds while its process
    lives; a killed process's rows go to the other once its lease has run out, and are delivered once."""
    a, b = await stores(), await stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    uids = [await _person(a, f"p{i}", "telegram") for i in range(5)]
    for uid in uids:
        await _queue(a, uid)

    claimed = await a.due_outbox(T0)  # ... and then `a` is killed before it delivers any of them
    assert len(claimed) == 5
    assert await b.due_outbox(T0) == []  # a lives (its lease runs): nobody else takes them
    assert await b.next_due() is None  # nor wakes up for them
    assert await a.due_outbox(T0) != []  # its own claims are its own to try again

    b.wall = lambda: time.time() + LEASE.total_seconds() + 1
    recorder = Recorder()
    assert await Dispatcher(b, {"telegram": recorder}, ManualClock(T0)).run_due() == 5
    assert sorted(r.user_id for r, _ in recorder.sent) == uids  # every one of them, once
    assert await b.query("SELECT count(*) FROM outbox") == [(0,)]


async def test_many_rows_two_dispatchers_at_once_each_row_delivered_once(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    a, b = await stores(), await stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    uids = [await _person(a, f"p{i}", "telegram") for i in range(30)]
    for _ in range(4):
        for uid in uids:
            await _queue(a, uid)
    ra, rb = Recorder(), Recorder()
    clock = ManualClock(T0)

    await asyncio.gather(*(Dispatcher(s, {"telegram": r}, clock).run_due() for s, r in ((a, ra), (b, rb))))

    assert len(ra.sent) + len(rb.sent) == 120
    assert sorted(r.user_id for r, _ in ra.sent + rb.sent) == sorted(uids * 4)
    assert await a.query("SELECT count(*) FROM outbox") == [(0,)]


async def test_timers_fire_only_in_a_process_serving_that_persons_platform(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    """A console's clock is its own (`!wait 10h`): it must not fire a Telegram user's return ping early."""
    console, bot = await stores(), await stores()
    await console.attach("console", ["console"])
    await bot.attach("bot", ["telegram"])
    tg, co = await _person(bot, "tina", "telegram"), await _person(bot, "carl", "console")
    for uid, tid in ((tg, "x:return:1"), (co, "y:return:2")):
        await bot.execute("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, 'return', ?, ?)",
                          (tid, uid, tid.split(":")[0], ts(T0)))
    later = T0 + timedelta(hours=10)

    assert await console.next_due() == ts(T0)
    await console.fire_due(later)
    assert await bot.query("SELECT user_id FROM timers") == [(tg,)]  # only carl's went
    await bot.fire_due(later)
    assert await bot.query("SELECT count(*) FROM timers") == [(0,)]


class Screen:
    def __init__(self) -> None:
        self.text = ""

    def __call__(self, s: str) -> None:
        self.text += s

    def take(self) -> str:
        out, self.text = self.text, ""
        return out


async def _console(store: Store) -> tuple[Console, Screen]:
    await store.attach("console", ["console"])
    screen = Screen()
    messenger, clock = ConsoleMessenger(screen), ManualClock(T0)
    dispatcher = Dispatcher(store, {"console": messenger}, clock)
    return Console(Dialogue(store, clock), dispatcher, clock, messenger, terminal=store.process_id), screen


async def test_a_console_shows_only_the_people_in_its_terminal(stores: Callable[[], asyncio.Future[Store]]) -> None:
    (a, sa), (b, sb) = await _console(await stores()), await _console(await stores())
    for line in ("!as alice", "/start", "!press cs.yes", "/koppel"):
        await a.line(line)
    code = next(w for w in sa.take().split() if w.count("-") == 2 and len(w) == 14)
    for line in ("!as bob", "/start", "!press cs.yes", f"/doemee {code}"):
        await b.line(line)

    assert "[to alice]" not in sb.text  # Bob's terminal leaves Alice's notice alone ...
    await a.dispatcher.run_due()
    assert "[to alice]" in sa.text and marker("nl", "pair.joined") in sa.take()  # ... hers shows it

    await b.line("/akkoord")
    await a.line("/pauze")
    await a.line("!press ret.m30")
    assert "[to bob]" not in sa.text
    await b.dispatcher.run_due()
    assert marker("nl", "notice.start") in sb.take()

    await a.line("!wait 30m")  # fires both return timers; each ping shows in its own terminal
    await b.sync()
    assert b.clock.now() == a.clock.now() == T0 + timedelta(minutes=30)  # the consoles' one clock
    await b.dispatcher.run_due()
    assert marker("nl", "return.ping") in sa.take() and marker("nl", "return.ping") in sb.take()


async def test_someone_whose_terminal_closed_waits_for_their_next_terminal_or_the_only_one_left(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    (a, sa), (b, _) = await _console(await stores()), await _console(await stores())
    await a.line("!as alice")
    await a.line("/status")
    await b.line("!as bob")
    await b.line("/status")
    bob = int((await a.dialogue.store.query("SELECT id FROM users WHERE external_id = 'bob'"))[0][0])
    await b.dialogue.store.close()  # Bob's terminal is closed
    (c, sc) = await _console(await stores())  # and another one is open
    await _queue(c.dialogue.store, bob)

    await a.dispatcher.run_due()
    await c.dispatcher.run_due()
    assert "[to bob]" not in sa.text + sc.text  # two consoles open, Bob in neither: it waits for him

    await c.line("!as bob")
    await c.line("/status")  # Bob is in this terminal now
    await c.dispatcher.run_due()
    assert sc.text.count("[to bob]") == 2  # his /status answer and the message that waited

    await c.dialogue.store.close()
    await _queue(a.dialogue.store, bob)
    await a.dispatcher.run_due()  # the only console left holds everybody, as a lone console always did
    assert sa.text.count("[to bob]") == 1


async def test_a_dispatcher_on_a_shared_file_wakes_when_another_process_writes(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    a, b = await stores(), await stores()
    await a.attach("console", ["console"])
    await b.attach("bot", ["telegram"])
    dispatcher = Dispatcher(a, {}, ManualClock(T0))
    await a.changed()
    started = time.monotonic()

    sleeping = asyncio.create_task(dispatcher.sleep(3600))
    await asyncio.sleep(0.05)
    await b.execute("INSERT INTO console_clock (id, now) VALUES (1, 0)")  # any write by another process
    await asyncio.wait_for(sleeping, timeout=5)

    assert time.monotonic() - started < 2  # woken by the commit, not by the hour


@pytest.mark.sqlite_only
async def test_restore_refuses_a_file_in_use_and_says_by_which_process(
    stores: Callable[[], asyncio.Future[Store]], tmp_path: Path
) -> None:
    store = await stores()
    await store.attach("console", ["console"])
    copy = backup_sync(store.path, tmp_path / "copy.sqlite3").path

    with pytest.raises(BackupError) as e:
        restore(copy, store.path)

    assert f"the Adempauze console serving console (process {os.getpid()}" in str(e.value)


@pytest.mark.sqlite_only
async def test_an_attached_process_walks_the_due_indexes_not_a_platforms_users(
    stores: Callable[[], asyncio.Future[Store]],
) -> None:
    """Scoped to its platforms, a bot with 100,000 Telegram users still reads timers and outbox along their due
    index, looking each row's person up by id: never every user of the platform, then sorted."""
    store, other = await stores(), await stores()
    await other.attach("console", ["console"])
    await store.attach("console", ["console", "telegram"], exclusive=frozenset())
    seen: list[str] = []
    await store._run(lambda c: c.set_trace_callback(seen.append))
    await store.next_due()
    await store.fire_due(T0)
    await store.due_outbox(T0)
    await store._run(lambda c: c.set_trace_callback(None))
    plans = {}
    for sql in dict.fromkeys(s.strip() for s in seen):
        if sql.startswith("SELECT") and ("FROM timers" in sql or "FROM outbox" in sql):
            plans[sql] = [r[-1] for r in await store.query("EXPLAIN QUERY PLAN " + sql)]
    assert len(plans) >= 4, plans
    for sql, plan in plans.items():
        assert "TEMP B-TREE" not in " ".join(plan), (sql, plan)
        assert any("timers_due" in p or "outbox_due" in p for p in plan), (sql, plan)
        assert all("USING INTEGER PRIMARY KEY" in p for p in plan if " u " in f" {p} "), (sql, plan)
