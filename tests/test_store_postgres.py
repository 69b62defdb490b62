"""Several processes on one PostgreSQL database, each a PostgresStore of its own (its own connection and
thread, so their transactions really run side by side on the server): timers fired once however many fire
them, a couple's events one at a time across processes, outbox claims that skip each other's rows.

Nothing here sleeps on the wall clock to make something happen: a held lock is seen in pg_locks."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from bot.__main__ import _attach_or_stand_by, shard_name
from bot.clock import ManualClock
from bot.codec import dump_payload, ts
from bot.core.effects import Msg
from bot.ports import UserRef, event_from_text
from bot.service import Dialogue
from bot.store import EXCLUSIVE, HEARTBEAT, LEASE, InUse
from bot.store.postgres.store import PostgresStore

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)


@pytest.fixture
async def pg_stores(pg_url: str) -> AsyncIterator[Callable[[], Any]]:
    opened: list[PostgresStore] = []

    async def open_one() -> PostgresStore:
        opened.append(await PostgresStore.open(pg_url))
        return opened[-1]

    yield open_one
    for s in opened:
        await s.close()


async def _person(store: PostgresStore, name: str) -> int:
    ref = UserRef("telegram", name, chat_id=f"chat-{name}", name=name.title())
    await Dialogue(store, ManualClock(T0)).handle(ref, event_from_text("/status"))
    return int((await store.query("SELECT id FROM users WHERE external_id = ?", (name,)))[0][0])


async def test_two_processes_firing_the_same_due_timers_fire_each_once(pg_stores: Callable[[], Any]) -> None:
    a, b = await pg_stores(), await pg_stores()
    uids = [await _person(a, f"p{i}") for i in range(40)]
    for i, uid in enumerate(uids):
        await a.execute("INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, 'return', ?, ?)",
                        (f"t{i}:return:{uid}", uid, f"t{i}", ts(T0)))

    fired = await asyncio.gather(a.fire_due(T0), b.fire_due(T0), a.fire_due(T0), b.fire_due(T0))

    assert sum(fired) == 40  # each timer once, whoever got it
    assert await a.query("SELECT count(*) FROM timers") == [(0,)]


async def test_two_processes_claim_disjoint_outbox_rows(pg_stores: Callable[[], Any]) -> None:
    a, b = await pg_stores(), await pg_stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    uids = [await _person(a, f"p{i}") for i in range(30)]
    for uid in uids * 3:
        await a.execute("INSERT INTO outbox (user_id, payload, tag, due_at, created_at) VALUES (?, ?, '', ?, ?)",
                        (uid, dump_payload(Msg.of("status.none")), ts(T0), ts(T0)))

    got = await asyncio.gather(a.due_outbox(T0, limit=50), b.due_outbox(T0, limit=50))

    ids = [r.id for rows in got for r in rows]
    assert len(ids) == len(set(ids)) == 90  # every row claimed, none by both
    assert await a.due_outbox(T0, limit=100) == got[0] or sorted(r.id for r in await a.due_outbox(T0, limit=100)) \
        == sorted(r.id for r in got[0])  # a claim stays its claimer's


async def test_a_couples_events_wait_for_each_other_across_processes(pg_stores: Callable[[], Any]) -> None:
    """While process A holds the couple's lock (mid-event), process B's event for the partner waits for it;
    a stranger's event on process C goes ahead meanwhile."""
    a, b, other = await pg_stores(), await pg_stores(), await pg_stores()
    ann, bob = await _person(a, "ann"), await _person(a, "bob")
    await _person(a, "cas")
    await a.execute("INSERT INTO couples (id, a, b, created_at) VALUES (77, ?, ?, ?)", (ann, bob, ts(T0)))
    release, held = threading.Event(), threading.Event()

    def hold(c: Any) -> None:
        c.execute("BEGIN")
        a._lock_couple(c, ann)
        held.set()
        release.wait(30)
        c.execute("COMMIT")

    holding = asyncio.ensure_future(a._run(hold))
    await asyncio.to_thread(held.wait, 30)
    bobs = asyncio.ensure_future(Dialogue(b, ManualClock(T0)).handle(UserRef("telegram", "bob"),
                                                                     event_from_text("/status")))
    with psycopg.connect(b._url, autocommit=True) as watch:
        while not watch.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                ).fetchone()[0]:  # type: ignore[index]
            await asyncio.sleep(0.01)
    c = ManualClock(T0)
    cas = await asyncio.wait_for(Dialogue(other, c).handle(UserRef("telegram", "cas"), event_from_text("/status")), 1)
    assert cas and not bobs.done()  # Bob's event waits for the couple's lock; Cas is not held up

    release.set()
    await holding
    assert await asyncio.wait_for(bobs, 30)


async def test_discord_shards_split_over_processes_one_process_per_shard(pg_stores: Callable[[], Any]) -> None:
    """DISCORD_SHARD=0/2 and 1/2: two processes serve Discord side by side; a second one for the same shard is
    refused (on start-up it stands by until the first one's lease runs out)."""
    a, b, c = await pg_stores(), await pg_stores(), await pg_stores()
    for store, n in ((a, 0), (b, 1)):
        mine = shard_name(n, 2)
        await store.attach("bot", ["discord", mine], (EXCLUSIVE - {"discord"}) | {mine})
    assert sorted(h.id for h in await c.holders()) == sorted([a.process_id, b.process_id])
    with pytest.raises(InUse, match="discord-shard-1-of-2"):
        await c.attach("bot", ["discord", shard_name(1, 2)], (EXCLUSIVE - {"discord"}) | {shard_name(1, 2)})


async def test_a_standby_takes_over_the_platform_once_the_leaders_lease_runs_out(
    pg_stores: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    leader, standby = await pg_stores(), await pg_stores()
    await leader.attach("bot", ["telegram"])
    waiting = asyncio.ensure_future(_attach_or_stand_by(standby, ["telegram"], EXCLUSIVE))
    while not any("standing by" in r.getMessage() for r in caplog.records):  # tried, and was refused
        await asyncio.sleep(0.01)
    assert not waiting.done() and [h.id for h in await standby.holders()] == [leader.process_id]
    standby.wall = lambda: time.time() + LEASE.total_seconds() + 1  # the leader was killed long enough ago
    await asyncio.wait_for(waiting, 2 * HEARTBEAT.total_seconds() + 5)
    assert [h.id for h in await standby.holders()] == [standby.process_id]
