"""The PostgreSQL connection's pipeline (bot.store.postgres.connection): a transaction's writes go without
waiting and are answered with its COMMIT, reads sent ahead travel with the couple's lock. What must hold: an
error of a write on its way still rolls the whole transaction back (at the next read or at the COMMIT), a read
sent ahead never answers with rows a later write of the same transaction changed, and an event's reads after
the lock really go in the lock's round trip."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from bot.clock import ManualClock
from bot.core.events import ChoiceMade
from bot.ports import UserRef, event_from_text
from bot.service import Dialogue
from bot.store.postgres.connection import Connection
from bot.store.postgres.store import PostgresStore

T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)


@pytest.fixture
def conn(pg_url: str) -> Iterator[Connection]:
    c = Connection.connect(pg_url)
    c.raw.execute(b"CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL)")
    yield c
    c.close()


def _rows(c: Connection) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in c.execute("SELECT id, v FROM t ORDER BY id").fetchall()]


def test_writes_on_their_way_are_committed_together(conn: Connection) -> None:
    before = conn.round_trips
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (2, 20))
    conn.execute("COMMIT")
    assert conn.round_trips - before == 1  # BEGIN, two writes and the COMMIT: one wait
    assert not conn.in_transaction
    assert _rows(conn) == [(1, 10), (2, 20)]


def _transaction(c: Connection, *writes: tuple[str, tuple[int, ...]]) -> None:
    """As the store runs one: the statements, then COMMIT, or ROLLBACK when one of them raised."""
    c.execute("BEGIN")
    try:
        for sql, params in writes:
            c.execute(sql, params)
    except BaseException:
        c.execute("ROLLBACK")
        raise
    c.execute("COMMIT")


def test_a_failed_write_on_its_way_rolls_everything_back(conn: Connection) -> None:
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    with pytest.raises(psycopg.errors.UniqueViolation):  # raised at a later statement or at the COMMIT
        _transaction(conn, ("INSERT INTO t (id, v) VALUES (?, ?)", (2, 20)),
                     ("INSERT INTO t (id, v) VALUES (?, ?)", (1, 11)),  # taken: fails on the server
                     ("UPDATE t SET v = 99 WHERE id = ?", (1,)))
    assert not conn.in_transaction
    assert _rows(conn) == [(1, 10)]  # neither the row before the error nor the update after it


def test_a_failed_write_on_its_way_is_raised_by_the_next_read_at_the_latest(conn: Connection) -> None:
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    conn.execute("BEGIN")
    conn.execute("UPDATE t SET v = 5 WHERE id = ?", (1,))
    with pytest.raises(psycopg.errors.UniqueViolation):  # at the read at the latest
        conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 11))
        conn.execute("SELECT count(*) FROM t").fetchone()
    conn.execute("ROLLBACK")
    assert not conn.in_transaction
    assert _rows(conn) == [(1, 10)]
    conn.execute("BEGIN")  # and the connection goes on as before
    assert conn.execute("UPDATE t SET v = 6 WHERE id = ?", (1,)).rowcount == 1
    conn.execute("COMMIT")
    assert _rows(conn) == [(1, 6)]


def test_a_read_sent_ahead_is_read_again_after_a_write_of_the_same_transaction(conn: Connection) -> None:
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    conn.execute("BEGIN")
    conn.ahead("SELECT v FROM t WHERE id = ?", (1,))
    conn.execute("UPDATE t SET v = 11 WHERE id = ?", (1,))
    assert conn.execute("SELECT v FROM t WHERE id = ?", (1,)).fetchone() == (11,)
    conn.execute("COMMIT")
    assert conn.unused_ahead == 1


def test_a_read_sent_ahead_answers_without_a_round_trip_of_its_own(conn: Connection) -> None:
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    conn.execute("BEGIN")
    first = conn.execute("SELECT v FROM t WHERE id = ?", (1,))
    conn.ahead("SELECT v + 1 FROM t WHERE id = ?", (1,))
    assert first.fetchone() == (10,)
    trips = conn.round_trips
    assert conn.execute("SELECT v + 1 FROM t WHERE id = ?", (1,)).fetchone() == (11,)
    conn.execute("COMMIT")
    assert conn.round_trips - trips == 1  # the COMMIT only
    assert (conn.used_ahead, conn.unused_ahead) == (1, 0)


def test_outside_a_transaction_nothing_is_sent_ahead(conn: Connection) -> None:
    conn.ahead("SELECT v FROM t WHERE id = ?", (1,))
    conn.execute("INSERT INTO t (id, v) VALUES (?, ?)", (1, 10))
    assert conn.execute("SELECT v FROM t WHERE id = ?", (1,)).fetchone() == (10,)
    assert (conn.used_ahead, conn.unused_ahead) == (0, 0)


async def test_an_events_reads_after_the_couples_lock_travel_with_the_lock(pg_url: str) -> None:
    store = await PostgresStore.open(pg_url)
    try:
        dlg = Dialogue(store, ManualClock(T0))
        ref = UserRef("telegram", "ann", chat_id="chat-ann", name="Ann")
        await dlg.handle(ref, event_from_text("/status"))
        c = store._event_writers[store._event_lines.index(store._line_of(ref))]._conn
        trips, used = c.round_trips, c.used_ahead
        out = await dlg.handle(ref, event_from_text("/status"))
        assert out  # answered as ever
        # the person's row, then the lock with the key read again, the session, the open time-out and the
        # couple behind it, then the COMMIT with the writes
        assert c.used_ahead - used == 4
        assert c.round_trips - trips == 3
        assert c.unused_ahead == 0
    finally:
        await store.close()


async def test_a_persons_events_keep_their_order_over_the_store_connections(pg_url: str) -> None:
    """People acting at once go over several connections; each person's events, sent together, are handled in
    the order they came, as if one after the other."""
    store = await PostgresStore.open(pg_url)
    try:
        dlg = Dialogue(store, ManualClock(T0))
        steps = (event_from_text("/timeout"), ChoiceMade("ret.m30"), ChoiceMade("t.8"))

        def who(name: str) -> UserRef:
            return UserRef("telegram", name, chat_id=f"chat-{name}", name=name.title())

        ref = who("ref")
        await dlg.handle(ref, ChoiceMade("cs.yes"))
        for event in steps:  # one after the other: the phase to expect
            await dlg.handle(ref, event)
        expected = (await store.session_of(ref))[0]
        people = [who(f"p{i}") for i in range(12)]
        assert len({id(store._line_of(p)) for p in people}) > 1  # really over more than one connection
        for p in people:
            await dlg.handle(p, ChoiceMade("cs.yes"))
        await asyncio.gather(*(dlg.handle(p, event) for p in people for event in steps))
        assert [(await store.session_of(p))[0] for p in people] == [expected] * len(people)
        assert expected != (await store.session_of(who("nobody")))[0]
    finally:
        await store.close()
