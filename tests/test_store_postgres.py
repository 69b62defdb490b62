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
from pydantic import SecretStr

from bot.__main__ import TELEGRAM_WEBHOOK, _attach_or_stand_by, serving, shard_name
from bot.clock import ManualClock
from bot.codec import dump_payload, ts
from bot.config import Settings
from bot.core.effects import Msg
from bot.ports import UserRef, event_from_text
from bot.service import Dialogue
from bot.store import EXCLUSIVE, HEARTBEAT, LEASE, InUse, once
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


async def test_a_claim_that_locked_another_process_s_row_leaves_that_person_s_later_rows_too(
    pg_stores: Callable[[], Any],
) -> None:
    """A select that began before b's claim committed can lock b's row as well (PostgreSQL re-checks the locked
    row's new version with its old join to `processes`): the re-check drops that row, and must drop the same
    person's later rows with it, or a and b send one person's two notices side by side (seen 1 run in ~20)."""
    a, b = await pg_stores(), await pg_stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    uid = await _person(a, "p")
    for _ in range(2):
        await a.execute("INSERT INTO outbox (user_id, payload, tag, due_at, created_at) VALUES (?, ?, '', ?, ?)",
                        (uid, dump_payload(Msg.of("status.none")), ts(T0), ts(T0)))
    first, second = [r[0] for r in await a.query("SELECT id FROM outbox WHERE user_id = ? ORDER BY id", (uid,))]
    await b.execute("UPDATE outbox SET claimed_by = ? WHERE id = ?", (b.process_id, first))  # b's claim
    locked = await a.query("SELECT o.id FROM outbox o WHERE o.user_id = ? ORDER BY o.id", (uid,))  # both, as locked

    kept = await a._run(lambda c: a._recheck(c, locked, int(a.wall())))

    assert kept == []  # not the second row without the first
    assert [r.id for r in await b.due_outbox(T0)] == [first, second]  # b sends them both, in order


async def test_two_processes_claim_disjoint_outbox_rows(pg_stores: Callable[[], Any]) -> None:
    a, b = await pg_stores(), await pg_stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    uids = [await _person(a, f"p{i}") for i in range(30)]
    for uid in uids * 3:
        await a.execute("INSERT INTO outbox (user_id, payload, tag, due_at, created_at) VALUES (?, ?, '', ?, ?)",
                        (uid, dump_payload(Msg.of("status.none")), ts(T0), ts(T0)))

    got = await asyncio.gather(a.due_outbox(T0, limit=50), b.due_outbox(T0, limit=50))

    assert not {r.id for r in got[0]} & {r.id for r in got[1]}  # none by both
    again = await a.due_outbox(T0, limit=100)
    assert {r.id for r in got[0]} <= {r.id for r in again}  # a claim stays its claimer's
    got = [again, got[1]]
    ids = [r.id for rows in got for r in rows]
    for _ in range(10):  # deliver, claim again: every row once in all, each person's from one process a round
        people = [{r.to.user_id for r in rows} for rows in got]
        assert not people[0] & people[1]
        for store, rows in zip((a, b), got, strict=True):
            await store.settle([r.id for r in rows], [], [], [])
        got = await asyncio.gather(a.due_outbox(T0, limit=50), b.due_outbox(T0, limit=50))
        ids += [r.id for rows in got for r in rows]
    assert len(ids) == len(set(ids)) == 90


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


# -- one update, handed to two workers (Telegram's retry after a timeout): handled once ------------------------


async def test_an_update_handed_to_a_second_process_is_handled_once(pg_stores: Callable[[], Any]) -> None:
    a, b = await pg_stores(), await pg_stores()
    ann = UserRef("telegram", "ann", chat_id="chat-ann", name="Ann")
    first = await Dialogue(a, ManualClock(T0)).handle(ann, event_from_text("/timeout"), update="telegram:1:501")
    phase = await a.session_of(ann)
    again = await Dialogue(b, ManualClock(T0)).handle(ann, event_from_text("/timeout"), update="telegram:1:501")
    assert first and again == []  # the second copy says nothing and changes nothing
    assert await b.session_of(ann) == phase
    assert await b.query("SELECT key FROM seen_updates") == [("telegram:1:501",)]
    # the next update of the same person is a new one; an event from no update is never held back
    assert await Dialogue(b, ManualClock(T0)).handle(ann, event_from_text("/status"), update="telegram:1:502")
    assert await Dialogue(b, ManualClock(T0)).handle(ann, event_from_text("/status"))
    assert await Dialogue(b, ManualClock(T0)).handle(ann, event_from_text("/status"))


@pytest.mark.parametrize("first_commits", [True, False])
async def test_a_copy_arriving_while_the_first_is_handled_waits_for_it(
    pg_stores: Callable[[], Any], first_commits: bool
) -> None:
    """Process A is still inside the update's transaction when B gets the retry: B waits on the key's row; when A
    commits B does nothing, and when A's transaction rolls back (it failed) B handles the update."""
    a, b = await pg_stores(), await pg_stores()
    ann = UserRef("telegram", "ann", chat_id="chat-ann", name="Ann")
    await _person(a, "ann")
    release, held = threading.Event(), threading.Event()

    def first_copy(c: Any) -> bool:
        c.execute("BEGIN")
        fresh = once.first_time(c, "telegram:1:777", int(time.time()))
        held.set()
        release.wait(30)
        c.execute("COMMIT" if first_commits else "ROLLBACK")
        return fresh

    holding = asyncio.ensure_future(a._run(first_copy))
    await asyncio.to_thread(held.wait, 30)
    second = asyncio.ensure_future(
        Dialogue(b, ManualClock(T0)).handle(ann, event_from_text("/status"), update="telegram:1:777"))
    with psycopg.connect(b._url, autocommit=True) as watch:
        while not watch.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted"
                                ).fetchone()[0]:  # type: ignore[index]
            await asyncio.sleep(0.01)
    assert not second.done()
    release.set()
    assert await holding
    replies = await asyncio.wait_for(second, 30)
    assert (replies == []) is first_commits


async def test_keys_of_updates_older_than_two_days_are_removed(pg_stores: Callable[[], Any]) -> None:
    a = await pg_stores()
    now = int(time.time())
    for key, at in (("telegram:1:1", now - int(once.SEEN_KEPT.total_seconds()) - 60), ("telegram:1:2", now - 60)):
        await a.execute("INSERT INTO seen_updates (key, seen_at) VALUES (?, ?)", (key, at))
    await a.purge_private(T0)
    assert await a.query("SELECT key FROM seen_updates") == [("telegram:1:2",)]


def _settings(url: str, webhook: bool) -> Settings:
    return Settings(telegram_token=SecretStr("1:x"), database_url=SecretStr(url),
                    telegram_webhook_url="https://bot.example/tg" if webhook else None)


async def test_webhook_workers_serve_telegram_side_by_side_and_a_poller_waits_for_them(
    pg_stores: Callable[[], Any], pg_url: str
) -> None:
    """Any number of webhook workers at once; a long-polling process (it would delete their webhook) is refused
    while one of them lives (on start-up it stands by), and takes over once they are gone."""
    one, two, poller = await pg_stores(), await pg_stores(), await pg_stores()
    for store in (one, two):
        await store.attach("bot", *serving(_settings(pg_url, webhook=True)))
    assert sorted(h.id for h in await poller.holders()) == sorted([one.process_id, two.process_id])
    with pytest.raises(InUse, match=TELEGRAM_WEBHOOK):
        await poller.attach("bot", *serving(_settings(pg_url, webhook=False)))
    await one.detach()
    with pytest.raises(InUse, match=TELEGRAM_WEBHOOK):
        await poller.attach("bot", *serving(_settings(pg_url, webhook=False)))
    await two.detach()
    await poller.attach("bot", *serving(_settings(pg_url, webhook=False)))
    assert [h.serves for h in await poller.holders()] == [{"telegram"}]


def test_on_sqlite_one_bot_serves_telegram_whatever_the_mode() -> None:
    for webhook in (False, True):
        settings = Settings(telegram_token=SecretStr("1:x"),
                            telegram_webhook_url="https://bot.example/tg" if webhook else None)
        assert serving(settings) == (["telegram"], EXCLUSIVE)


# -- a person's messages in order, across processes ---------------------------------------------------------


async def _queue(store: PostgresStore, uid: int) -> None:
    await store.execute("INSERT INTO outbox (user_id, payload, tag, due_at, created_at) VALUES (?, ?, '', ?, ?)",
                        (uid, dump_payload(Msg.of("status.none")), ts(T0), ts(T0)))


async def test_a_persons_messages_go_out_in_order_from_one_process_at_a_time(pg_stores: Callable[[], Any]) -> None:
    """Ann has two messages due. While process A delivers her first, B takes another person's row but not her
    second (sent beside the first it could arrive before it), nor does it count it as due; once A is done, B may."""
    a, b = await pg_stores(), await pg_stores()
    for s in (a, b):
        await s.attach("bot", ["telegram"], exclusive=frozenset())
    ann, cas = await _person(a, "ann"), await _person(a, "cas")
    for uid in (ann, ann, cas):
        await _queue(a, uid)
    first = await a.due_outbox(T0, limit=1)
    assert [r.to.user_id for r in first] == [ann]
    others = await b.due_outbox(T0)
    assert [r.to.user_id for r in others] == [cas]
    await b.settle([others[0].id], [], [], [])
    assert await b.next_due() is None
    await a.settle([first[0].id], [], [], [])
    second = await b.due_outbox(T0)
    assert [r.to.user_id for r in second] == [ann] and second[0].id > first[0].id


async def test_a_row_whose_earlier_one_another_process_is_claiming_is_left(pg_stores: Callable[[], Any]) -> None:
    """SKIP LOCKED passes over a row another process has locked in its claim a moment ago (not yet committed):
    the same person's next row is not taken either."""
    a, b = await pg_stores(), await pg_stores()
    await b.attach("bot", ["telegram"], exclusive=frozenset())
    ann = await _person(a, "ann")
    for _ in range(2):
        await _queue(a, ann)
    with psycopg.connect(b._url, autocommit=False) as claiming:
        claiming.execute("SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE")
        assert await b.due_outbox(T0) == []
    assert len(await b.due_outbox(T0)) == 2
