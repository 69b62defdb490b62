"""The store on a real SQLite file: migrations, refusing files it must not touch, one event = one transaction."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from adempauze_testkit import add_fault, drop_fault

from bot.clock import ManualClock
from bot.codec import load_session, ts
from bot.i18n import catalog
from bot.ports import UserRef, event_from_text
from bot.service import Dialogue
from bot.store import Store, StoreError, migrate_sync, migration_files, open_store, sql_statements
from bot.store.postgres.connection import PG_MIGRATIONS
from bot.store.sqlite.batching import BATCH_MAX
from bot.store.sqlite.checkpointer import AUTOCHECKPOINT_NET

if TYPE_CHECKING:
    from conftest import Talk


LATEST = len(migration_files())


def n_migrations() -> int:
    return len(migration_files())


# -- migrations ------------------------------------------------------------------------------------------


async def test_fresh_file_is_migrated_to_the_latest_version(db_path: Path) -> None:
    assert not db_path.exists()
    store = await Store.open(db_path)
    try:
        assert (await store.query("PRAGMA user_version"))[0][0] == n_migrations() >= 1
        tables = {r[0] for r in await store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"users", "sessions", "timeouts", "timers", "outbox", "couples", "timeout_members"} <= tables
    finally:
        await store.close()


async def test_open_store_opens_a_path_as_sqlite_and_a_url_as_postgresql(tmp_path: Path, pg_url: str) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        assert isinstance(store, Store)
        assert await store.schema_version() == migration_files()[-1][0]
        made = await store.backup(tmp_path / "copy.sqlite3")
        assert made.schema_version == migration_files()[-1][0] and made.path.is_file()
    finally:
        await store.close()
    pg = await open_store(pg_url)
    try:
        assert type(pg).__name__ == "PostgresStore" and not (tmp_path / "postgresql:").exists()
        assert await pg.schema_version() == migration_files(PG_MIGRATIONS)[-1][0] == migration_files()[-1][0]
        dump = await pg.backup(tmp_path / "dump.pgc")  # pg_dump's custom format
        assert dump.path.read_bytes()[:5] == b"PGDMP" and dump.schema_version == migration_files()[-1][0]
    finally:
        await pg.close()


async def test_an_unreachable_postgresql_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError, match="cannot be reached") as e:
        await open_store("postgresql://bot:s3cret@127.0.0.1:1/adempauze?connect_timeout=2")
    assert "s3cret" not in str(e.value) and "127.0.0.1:1" in str(e.value)


def test_every_sqlite_migration_has_a_postgresql_counterpart() -> None:
    """migrations/NNNN_name.sql and migrations/postgres/NNNN_name.sql: the same numbers and names, so that a
    merge that adds an SQLite migration without its PostgreSQL twin fails here."""
    sqlite = [(n, p.name) for n, p in migration_files()]
    postgres = [(n, p.name) for n, p in migration_files(PG_MIGRATIONS)]
    assert postgres == sqlite


async def test_a_closed_store_refuses_work_and_its_thread_is_gone(db_path: Path) -> None:
    store = await Store.open(db_path)
    thread = store._db._thread
    await store.close()
    assert not thread.is_alive()
    with pytest.raises(ValueError, match="closed"):
        await store.query("SELECT 1")
    await store.close()  # twice is fine


async def test_folder_of_the_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "still" / "db.sqlite3"
    store = await Store.open(path)
    await store.close()
    assert path.is_file()


async def test_reopen_keeps_data_and_applies_nothing(
    db_path: Path, clock: ManualClock, person: Callable[..., UserRef]
) -> None:
    store = await Store.open(db_path)
    await Dialogue(store, clock).handle(person("sam"), event_from_text("/help"))
    await store.close()

    again = await Store.open(db_path)  # would fail on "table users already exists" if 0001 ran again
    try:
        assert (await again.query("PRAGMA user_version"))[0][0] == n_migrations()
        assert await again.query("SELECT external_id FROM users") == [("sam",)]
    finally:
        await again.close()

    # migrate() on an up-to-date file reports "from latest to latest" and changes nothing.
    c = sqlite3.connect(db_path, isolation_level=None)
    try:
        before = c.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert migrate_sync(c) == (n_migrations(), n_migrations())
        assert c.execute("SELECT count(*) FROM sqlite_master").fetchone() == before
    finally:
        c.close()


def _schema(c: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return c.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def test_every_migration_splits_into_the_statements_sqlite_runs(tmp_path: Path) -> None:
    """Statement by statement (inside one transaction) builds exactly what executescript builds."""
    one, two = sqlite3.connect(tmp_path / "a.db", isolation_level=None), sqlite3.connect(tmp_path / "b.db")
    try:
        for _, path in migration_files():
            sql = path.read_text("utf-8")
            one.executescript(sql)
            for statement in sql_statements(sql):
                two.execute(statement)
        assert _schema(one) == _schema(two) and len(_schema(one)) > 10
    finally:
        one.close()
        two.close()


def test_statements_are_cut_where_sqlite_sees_their_end() -> None:
    script = (
        "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT 'p;q');  -- trailing; comment\n"
        "CREATE TRIGGER t BEFORE INSERT ON a BEGIN SELECT RAISE(ABORT, 'no; never'); END;\n"
        "/* block; comment */ CREATE INDEX i ON a(x)\n-- the end\n"
    )
    got = sql_statements(script)
    assert len(got) == 3
    assert got[0].endswith("DEFAULT 'p;q');") and "CREATE TRIGGER" in got[1] and got[1].endswith("END;")
    assert "CREATE INDEX i ON a(x)" in got[2]


def test_migrating_finds_a_newer_file_under_the_lock_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    c = sqlite3.connect(db, isolation_level=None)
    try:
        c.execute("CREATE TABLE future (x)")
        c.execute(f"PRAGMA user_version = {LATEST + 1}")
        before = db.read_bytes()
        with pytest.raises(StoreError, match=rf"schema version {LATEST + 1}, newer than this code knows \({LATEST}\)"):
            migrate_sync(c)
        assert not c.in_transaction and db.read_bytes() == before
    finally:
        c.close()


def _files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir()}


async def test_a_newer_database_is_refused_and_left_byte_for_byte(db_path: Path) -> None:
    c = sqlite3.connect(db_path)
    c.execute("CREATE TABLE future (x)")
    c.execute(f"PRAGMA user_version = {n_migrations() + 7}")
    c.commit()
    c.close()
    before = _files_of(db_path)

    with pytest.raises(StoreError) as e:
        await Store.open(db_path)

    assert f"version {n_migrations() + 7}" in str(e.value) and "newer" in str(e.value)
    assert _files_of(db_path) == before  # not even switched to WAL, no -wal/-shm left behind


async def test_a_corrupt_file_gives_a_clear_error_and_is_not_modified(db_path: Path) -> None:
    junk = bytes((i * 7919 + 13) % 256 for i in range(16384))  # deterministic "random" bytes
    db_path.write_bytes(junk)

    with pytest.raises(StoreError) as e:
        await Store.open(db_path)

    msg = str(e.value)
    assert str(db_path) in msg and "damaged" in msg and "\n" not in msg
    assert db_path.read_bytes() == junk


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file read-only for this process: chmod, or (as root, who ignores modes) `chattr +i`."""
    undo: list[Callable[[], None]] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0o444)
            undo.append(lambda: path.chmod(0o644))
            return
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("running as root without a working chattr: cannot make a file read-only")
        undo.append(lambda: subprocess.run([chattr, "-i", str(path)], check=True))

    yield make
    for u in undo:
        u()


async def test_a_read_only_empty_file_gives_a_clear_error(db_path: Path, read_only: Callable[[Path], None]) -> None:
    db_path.touch()
    read_only(db_path)

    with pytest.raises(StoreError) as e:
        await Store.open(db_path)

    assert "read-only" in str(e.value) and str(db_path) in str(e.value)
    assert db_path.read_bytes() == b""


async def test_a_read_only_migrated_file_is_refused_at_open_not_at_the_first_event(
    db_path: Path, read_only: Callable[[Path], None]
) -> None:
    store = await Store.open(db_path)
    await store.close()
    before = db_path.read_bytes()
    read_only(db_path)

    with pytest.raises(StoreError) as e:
        await Store.open(db_path)

    assert "read-only" in str(e.value)
    assert db_path.read_bytes() == before


@pytest.mark.sqlite_only
async def test_wal_mode_and_foreign_keys_are_on(store: Store) -> None:
    assert (await store.query("PRAGMA journal_mode"))[0][0] == "wal"
    assert (await store.query("PRAGMA foreign_keys"))[0][0] == 1
    assert (await store.query("PRAGMA busy_timeout"))[0][0] >= 1000  # on the store's thread; 0 on the loop
    # commits leave checkpoints to their own thread (bot.store.sqlite.checkpointer); SQLite's own only as a net
    assert (await store.query("PRAGMA wal_autocheckpoint"))[0][0] == AUTOCHECKPOINT_NET
    assert store._checkpointer is not None
    assert (await store.query("PRAGMA temp_store"))[0][0] == 2  # a batch's savepoint journal: never a file


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.IntegrityError)):
        await store.execute("INSERT INTO sessions (user_id, data, updated_at) VALUES (424242, '{}', 0)")


# -- one event, one transaction ------------------------------------------------------------------------


async def test_choosing_a_return_time_writes_session_timeout_and_timer_together(
    talk: Talk, store: Store, me: UserRef
) -> None:
    await talk.say(me, "/timeout")
    assert await store.query("SELECT count(*) FROM timeouts") == [(0,)]
    assert await store.query("SELECT count(*) FROM timers") == [(0,)]

    now = talk.dialogue.clock.now()
    await talk.press(me, "ret.m30")

    (uid,) = (await store.query("SELECT id FROM users WHERE external_id = 'sam'"))[0]
    phase, tid = await store.session_of(me)
    assert phase == "pause.tension" and tid is not None
    rows = await store.query("SELECT id, initiator, partner, started_at, return_at, status FROM timeouts")
    assert rows == [(tid, uid, None, ts(now), ts(now) + 30 * 60, "running")]
    timers = await store.query("SELECT user_id, kind, timeout_id, due_at FROM timers ORDER BY due_at")
    back = ts(now) + 30 * 60  # the return, one re-ping, the close: all written with the time-out
    assert timers == [(uid, "prepare", tid, back - 600), (uid, "return", tid, back), (uid, "reping", tid, back + 900),
                      (uid, "missed", tid, back + 1800)]  # and the prepare reminder ten minutes before


async def boom(store: Store) -> None:
    """Every timer insert fails from now on (a trigger)."""
    await add_fault(store, "boom", "INSERT", "timers", "disk says no")


async def test_a_failing_event_leaves_nothing_half_written(talk: Talk, store: Store, me: UserRef) -> None:
    """The timer insert fails after the session and time-out were written: all of it is rolled back."""
    await talk.say(me, "/timeout")
    session_before = await store.query("SELECT data, updated_at FROM sessions")
    await boom(store)

    out = await talk.press(me, "ret.m30")

    assert len(out) == 1 and "opslaan" in out[0].text  # the apology, in Dutch; nothing claims it started
    assert "begonnen" not in out[0].text
    assert await store.query("SELECT data, updated_at FROM sessions") == session_before
    assert await store.query("SELECT count(*) FROM timeouts") == [(0,)]
    assert await store.query("SELECT count(*) FROM timers") == [(0,)]
    assert await store.session_of(me) == ("pause.choose", None)

    # Once the fault is gone the same press works: the failed attempt left no debris in the way.
    await drop_fault(store, "boom", "timers")
    await talk.press(me, "ret.m30")
    assert (await store.session_of(me))[0] == "pause.tension"
    assert await store.query("SELECT count(*) FROM timeouts") == [(1,)]


async def test_an_apology_is_in_the_platform_language(talk: Talk, store: Store, person: Callable[..., UserRef]) -> None:
    ann = person("ann", locale="en-GB")
    await talk.say(ann, "/timeout")
    await boom(store)
    out = await talk.press(ann, "ret.m30")
    assert len(out) == 1 and "save" in out[0].text.lower()


# -- the hot queries use their indexes --------------------------------------------------------------------


def _plan(c: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> str:
    return " | ".join(r[-1] for r in c.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


@pytest.mark.sqlite_only
async def test_due_queries_seek_their_indexes(store: Store) -> None:
    await store.close()
    c = sqlite3.connect(store.path)
    try:
        queries = {
            "SELECT min(due_at) FROM timers": "timers_due",
            "SELECT min(due_at) FROM outbox": "outbox_due",
            "SELECT id, user_id, kind, timeout_id, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?":
                "timers_due",
            "SELECT o.id, o.user_id, u.platform, u.external_id, u.chat_id, u.locale, u.tz, o.payload, "
            "o.attempts, o.expires_at FROM outbox o JOIN users u ON u.id = o.user_id "
            "WHERE o.due_at <= ? ORDER BY o.due_at, o.id LIMIT ?": "outbox_due",
        }
        for sql, index in queries.items():
            plan = _plan(c, sql, (0, 10) if "?" in sql else ())
            assert index in plan, (sql, plan)
            assert "SCAN" not in plan and "TEMP B-TREE" not in plan, (sql, plan)
    finally:
        c.close()


# -- many people at once: one hop for those waiting, each event still its own transaction ----------------


class _Hops:
    """Counts the store's trips to its thread (the only thing here that looks inside the store)."""

    def __init__(self, store: Store) -> None:
        self.n = 0
        run = store._run

        async def counted(fn: Callable[[sqlite3.Connection], object]) -> object:
            self.n += 1
            return await run(fn)

        store._run = counted  # type: ignore[method-assign,assignment]


async def test_people_acting_at_once_share_a_hop_and_each_gets_their_own_answer(
    talk: Talk, store: Store, person: Callable[..., UserRef]
) -> None:
    people = [person(f"p{i}", locale="en" if i % 2 else "nl") for i in range(30)]
    await asyncio.gather(*(talk.say(p, "/timeout") for p in people))  # onboarding and the first step
    hops = _Hops(store)

    outs = await asyncio.gather(*(talk.press(p, "ret.m30") for p in people))

    assert hops.n < len(people) // 2  # they went over together, not one trip each
    for p, out in zip(people, outs, strict=True):
        assert (await talk.phase(p)) == "pause.tension"
        started = "Your break has started" if p.locale == "en" else "Je time-out is begonnen"
        assert out[0].text.startswith(started) and out[-1].choices  # in their own language, with buttons
    assert await store.query("SELECT count(*) FROM timeouts WHERE status = 'running'") == [(30,)]
    assert await store.query("SELECT count(DISTINCT user_id) FROM timers") == [(30,)]


async def test_one_persons_events_keep_their_order_when_sent_at_once(
    talk: Talk, store: Store, person: Callable[..., UserRef]
) -> None:
    """Three presses in one turn of the loop end where the same presses one by one end: each saw the state
    the one before it left (out of order, the later ones would be stale presses and change nothing)."""
    one_by_one, at_once = person("ann"), person("bob")
    presses = ("ret.m30", "t.8", "br.next")
    await talk.say(one_by_one, "/timeout")
    for c in presses:
        await talk.press(one_by_one, c)
    await talk.say(at_once, "/timeout")

    await asyncio.gather(*(talk.press(at_once, c) for c in presses))

    assert await talk.phase(at_once) == await talk.phase(one_by_one) == "breathe.tension"


async def test_an_event_waits_behind_what_the_thread_is_doing(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef]
) -> None:
    """While the thread has work (a dispatcher round, say), an event is not settled beside it on the event loop:
    it goes to the thread after that work, in order, and is answered when it is done."""
    ann = person("ann")
    await talk.say(ann, "/timeout")
    started, release = threading.Event(), threading.Event()

    def long_job(c: sqlite3.Connection) -> str:
        started.set()
        release.wait(30)  # a bound for a broken test, not a wait for time: released just below
        return str(c.execute("SELECT count(*) FROM timeouts").fetchone()[0])

    job = asyncio.ensure_future(store._run(long_job))
    hops = _Hops(store)
    event = asyncio.ensure_future(talk.press(ann, "ret.m30"))
    assert await asyncio.to_thread(started.wait, 30)  # the thread is on the job (however loaded the machine)
    for _ in range(20):
        await asyncio.sleep(0)  # the event had every chance to be settled on the loop, beside the job
    assert not event.done() and phase_on_file(db_path, ann) == "pause.choose"
    release.set()
    assert await job == "0"  # it ran before the event: the time-out was not there yet
    await event
    assert hops.n == 1 and await talk.phase(ann) == "pause.tension"


def phase_on_file(db_path: Path, who: UserRef) -> str:
    """The phase as the file has it, read on a connection of its own (the store's thread is busy)."""
    c = sqlite3.connect(db_path)
    try:
        row = c.execute("SELECT s.data FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.external_id = ?",
                        (who.external_id,)).fetchone()
    finally:
        c.close()
    return load_session(row[0] if row else None).phase.value


async def test_an_event_never_waits_on_the_event_loop_for_another_process(
    talk: Talk, db_path: Path, person: Callable[..., UserRef]
) -> None:
    """Another process holds the write lock: the event is not settled on the event loop (which would block it
    for up to busy_timeout) but goes to the thread, which waits for the lock; meanwhile the loop runs on."""
    store = talk.dialogue.store
    ann = person("ann")
    await talk.say(ann, "/timeout")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        hops = _Hops(store)
        event = asyncio.ensure_future(talk.press(ann, "ret.m30"))
        for _ in range(20):
            await asyncio.sleep(0)  # the loop goes round: nothing on it waits for the lock
        assert not event.done() and hops.n == 1
    finally:
        other.execute("COMMIT")
        other.close()
    await event
    assert await talk.phase(ann) == "pause.tension"


@pytest.mark.parametrize("where", ["loop", "thread"])
async def test_a_failing_event_in_a_batch_fails_alone(
    talk: Talk, store: Store, person: Callable[..., UserRef], where: str, backend: str
) -> None:
    """Same turn of the loop, so one batch: settled right on the event loop while the thread is idle (SQLite),
    or in one trip to the thread. Either way the one whose timer insert fails gets the apology and keeps its
    old state; the others around it are saved and answered as usual."""
    ann, bob, cas = person("ann"), person("bob"), person("cas")
    for p in (ann, bob, cas):
        await talk.say(p, "/timeout")
    await talk.press(bob, "ret.m30")  # bob is past the return time; his next step writes no timer
    await boom(store)
    if where == "thread":
        store._line._here = None  # as if the thread were busy: the batch goes there
    hops = _Hops(store)

    a, b, c = await asyncio.gather(talk.press(ann, "ret.m30"), talk.press(bob, "t.8"), talk.press(cas, "ret.m30"))

    if backend == "sqlite":  # (PostgreSQL: over connections of their own for events, one hop per connection)
        assert hops.n == (0 if where == "loop" else 1)
    assert "opslaan" in a[0].text and "opslaan" in c[0].text  # the apology
    assert await talk.phase(ann) == "pause.choose" and await talk.phase(cas) == "pause.choose"
    assert "opslaan" not in b[0].text and await talk.phase(bob) != "pause.tension"
    assert await store.query("SELECT count(*) FROM timeouts") == [(1,)]  # bob's only


class _Trace:
    """The statements the store's own connection runs, in order (SQLite's trace; a look inside the store)."""

    def __init__(self, store: Store) -> None:
        self.seen: list[str] = []
        store._db._conn.set_trace_callback(self.seen.append)

    def of(self, *starts: str) -> list[str]:
        return [s.split(" ", 1)[0] if s.startswith(("BEGIN", "SAVEPOINT", "RELEASE")) else s
                for s in self.seen if s.startswith(starts)]


async def _two_past_their_return_and_one_about_to_choose(talk: Talk, person: Callable[..., UserRef]) -> list[UserRef]:
    """ann and cas have chosen their return (their next press writes no timer); bob is about to (his does)."""
    ann, bob, cas = person("ann"), person("bob"), person("cas")
    for p in (ann, bob, cas):
        await talk.say(p, "/timeout")
    await talk.press(ann, "ret.m30")
    await talk.press(cas, "ret.m30")
    return [ann, bob, cas]


@pytest.mark.parametrize("where", ["loop", "thread"])
async def test_events_settled_together_share_one_commit_and_a_failing_one_rolls_back_alone(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef], where: str
) -> None:
    """One batch is ONE transaction, a savepoint per event: one COMMIT for the three. Bob's event fails at its
    timer insert, after it wrote his session and his time-out: rolled back to its savepoint, all of it, while
    ann's before it and cas's after it are committed and answered."""
    ann, bob, cas = await _two_past_their_return_and_one_about_to_choose(talk, person)
    await boom(store)
    if where == "thread":
        store._line._here = None  # as if the thread were busy: the batch goes there
    trace = _Trace(store)

    a, b, c = await asyncio.gather(talk.press(ann, "t.8"), talk.press(bob, "ret.m30"), talk.press(cas, "t.8"))

    assert trace.of("BEGIN", "COMMIT", "ROLLBACK") == ["BEGIN", "ROLLBACK TO event", "COMMIT"]
    assert trace.of("SAVEPOINT") == ["SAVEPOINT"] * 3
    assert "opslaan" in b[0].text and "opslaan" not in a[0].text + c[0].text  # only bob hears the apology
    assert (await talk.phase(ann), await talk.phase(bob), await talk.phase(cas)) == (
        "breathe", "pause.choose", "breathe")
    assert phase_on_file(db_path, ann) == phase_on_file(db_path, cas) == "breathe"  # committed, on the file
    bob_id = (await store.query("SELECT id FROM users WHERE external_id = 'bob'"))[0][0]
    assert await store.query("SELECT count(*) FROM timeouts WHERE initiator = ?", (bob_id,)) == [(0,)]
    assert await store.query("SELECT count(*) FROM timeouts") == [(2,)]  # ann's and cas's, from before


async def test_a_batch_whose_begin_finds_the_file_locked_has_each_event_wait_for_the_lock_on_its_own(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock past busy_timeout (made 1 ms here): the batch's BEGIN on the thread
    gives up, and then each event tries for the lock once more on its own, as each did before batches (one
    whose turn comes after the lock is free is saved). Here the lock stays held: each hears the apology."""
    import bot.store.sqlite.store as sqlite_store

    people = [person(n) for n in ("ann", "bob", "cas")]
    for p in people:
        await talk.say(p, "/timeout")
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 1)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        trace = _Trace(store)
        outs = await asyncio.gather(*(talk.press(p, "ret.m30") for p in people))
    finally:
        other.execute("ROLLBACK")
        other.close()

    # on the loop (not waiting: to the thread), the batch on the thread, then each event on its own
    assert trace.of("BEGIN", "COMMIT") == ["BEGIN"] * (1 + 1 + len(people))
    assert all("opslaan" in out[0].text for out in outs)
    monkeypatch.undo()
    assert [await talk.phase(p) for p in people] == ["pause.choose"] * 3
    await talk.press(people[0], "ret.m30")  # the lock is free again: it works
    assert await talk.phase(people[0]) == "pause.tension"


async def test_a_batch_on_the_event_loop_commits_at_least_every_batch_max_events(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef]
) -> None:
    """More events in one turn than BATCH_MAX: one transaction per BATCH_MAX of them (the write lock and the
    dirty pages are held that long at most), all of them saved and answered."""
    people = [person(f"p{i}") for i in range(BATCH_MAX + 6)]
    await asyncio.gather(*(talk.say(p, "/timeout") for p in people))
    trace = _Trace(store)

    outs = await asyncio.gather(*(talk.press(p, "ret.m30") for p in people))

    assert trace.of("BEGIN", "COMMIT") == ["BEGIN", "COMMIT"] * 2
    assert trace.of("SAVEPOINT") == ["SAVEPOINT"] * len(people)
    assert all(out and "opslaan" not in out[0].text for out in outs)
    assert await store.query("SELECT count(*) FROM timeouts WHERE status = 'running'") == [(len(people),)]


@pytest.mark.parametrize("where", ["loop", "thread"])
async def test_an_error_that_ends_a_batchs_transaction_has_each_event_settled_again_alone(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef], where: str
) -> None:
    """RAISE(ROLLBACK) in a trigger ends the whole transaction (as a full disk or an I/O error can): ann's work
    before it in the batch is gone with it. Nothing is answered from that transaction: each event is settled
    again in a transaction of its own, so ann and cas are saved once and bob alone hears the apology."""
    ann, bob, cas = await _two_past_their_return_and_one_about_to_choose(talk, person)
    await store.execute("CREATE TRIGGER doom BEFORE INSERT ON timers BEGIN SELECT RAISE(ROLLBACK, 'gone'); END")
    if where == "thread":
        store._line._here = None
    trace = _Trace(store)

    a, b, c = await asyncio.gather(talk.press(ann, "t.8"), talk.press(bob, "ret.m30"), talk.press(cas, "t.8"))

    # the batch (ended by the trigger), then ann, bob (ended again) and cas, each on its own
    assert trace.of("BEGIN", "COMMIT") == ["BEGIN", "BEGIN", "COMMIT", "BEGIN", "BEGIN", "COMMIT"]
    assert "opslaan" in b[0].text and "opslaan" not in a[0].text + c[0].text
    assert (await talk.phase(ann), await talk.phase(bob), await talk.phase(cas)) == (
        "breathe", "pause.choose", "breathe")
    assert phase_on_file(db_path, ann) == phase_on_file(db_path, cas) == "breathe"
    assert await store.query("SELECT count(*) FROM timeouts") == [(2,)]


@pytest.mark.parametrize("where", ["loop", "thread"])
async def test_a_forget_ends_its_batch_and_its_wal_truncation_comes_after_its_commit(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef], where: str
) -> None:
    """ann, bob's /forget and cas in one turn: ann and bob share a transaction, which ends with bob's; cas's is
    one of its own. The WAL truncation that takes bob's erased text out of the -wal file runs on the thread
    after his COMMIT (and before he is told: see test_privacy): on the thread right after it; from the loop
    after what the loop still settles itself (cas), as before batches."""
    ann, bob, cas = await _two_past_their_return_and_one_about_to_choose(talk, person)
    await talk.say(bob, "/forget")
    if where == "thread":
        store._line._here = None
    trace = _Trace(store)

    a, b, c = await asyncio.gather(talk.press(ann, "t.8"), talk.press(bob, "fg.yes"), talk.press(cas, "t.8"))

    truncate = "PRAGMA wal_checkpoint(TRUNCATE)"
    assert trace.of("BEGIN", "SAVEPOINT", "COMMIT", "PRAGMA wal_checkpoint") == (
        ["BEGIN", "SAVEPOINT", "SAVEPOINT", "COMMIT"]
        + (["BEGIN", "COMMIT", truncate] if where == "loop" else [truncate, "BEGIN", "COMMIT"]))
    assert catalog("nl")["forget.done"][:20] in b[0].text
    assert await store.query("SELECT count(*) FROM users WHERE external_id = 'bob'") == [(0,)]
    assert (await talk.phase(ann), await talk.phase(cas)) == ("breathe", "breathe")
    assert "opslaan" not in a[0].text + c[0].text


# -- one platform update handled once, on either backend (a webhook retry after a lost answer) ----------------


async def test_an_update_that_arrives_again_is_answered_without_acting_again(store: Store) -> None:
    from datetime import UTC, datetime

    clock = ManualClock(datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    ann = UserRef("telegram", "ann", chat_id="chat-ann", name="Ann")
    first = await Dialogue(store, clock).handle(ann, event_from_text("/timeout"), update="telegram:1:901")
    phase = await store.session_of(ann)
    again = await Dialogue(store, clock).handle(ann, event_from_text("/timeout"), update="telegram:1:901")
    assert first and again == []  # the retry says nothing and changes nothing
    assert await store.session_of(ann) == phase
    assert await store.query("SELECT key FROM seen_updates") == [("telegram:1:901",)]
    assert await Dialogue(store, clock).handle(ann, event_from_text("/status"), update="telegram:1:902")
    assert await Dialogue(store, clock).handle(ann, event_from_text("/status"))  # from no update: never held


async def test_keys_of_handled_updates_go_after_two_days_on_either_backend(store: Store) -> None:
    import time
    from datetime import UTC, datetime

    from bot.store import once

    now = int(time.time())
    for key, at in (("telegram:1:1", now - int(once.SEEN_KEPT.total_seconds()) - 60), ("telegram:1:2", now - 60)):
        await store.execute("INSERT INTO seen_updates (key, seen_at) VALUES (?, ?)", (key, at))
    await store.purge_private(datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    assert await store.query("SELECT key FROM seen_updates") == [("telegram:1:2",)]
