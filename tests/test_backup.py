"""Online backup and restore on real files: a backup taken while the Dialogue writes, restored, gives the same
data; restore refuses a damaged or too-new backup and a database that is in use, and never leaves a stale -wal;
the WAL shrinks back after a long reader (journal_size_limit)."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.clock import ManualClock
from bot.core.events import ChoiceMade
from bot.ports import UserRef
from bot.service import Dialogue
from bot.store import BackupError, Store, backup, backup_sync, in_use, migration_files, restore

if TYPE_CHECKING:
    from conftest import Talk

TABLES = ("users", "sessions", "couples", "contracts", "timeouts", "timeout_members", "timers", "outbox",
          "invites", "join_failures")


async def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {t: await store.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


def dump_file(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    c = sqlite3.connect(path)
    try:
        return {t: c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        c.close()


def digest(path: Path) -> dict[str, str]:
    """Hashes of a database file and whichever of its -wal/-shm exist (to prove nothing was touched)."""
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        if p.exists():
            out[suffix] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def bulk_users(db_path: Path, n: int) -> None:
    """Many stored people, so that a backup takes long enough for the Dialogue to write during it."""
    c = sqlite3.connect(db_path, timeout=5.0)
    with c:
        c.executemany(
            "INSERT INTO users (platform, external_id, chat_id, name, locale, tz, country, created_at) "
            "VALUES ('telegram', ?, ?, ?, 'nl', 'Europe/Amsterdam', 'NL', 0)",
            [(f"bulk{i}", f"bulk{i}", f"Bulk {i}" * 8) for i in range(n)],
        )
    c.close()


async def test_backup_while_the_dialogue_writes_then_restore_gives_the_same_data(
    talk: Talk, store: Store, db_path: Path, tmp_path: Path, person: Callable[..., UserRef]
) -> None:
    bulk_users(db_path, 20_000)
    for name in ("sam", "robin"):
        await talk.to_waiting(person(name))
    stop = asyncio.Event()
    handled = 0

    async def traffic() -> None:  # new people keep arriving and starting a time-out, one event after another
        nonlocal handled
        i = 0
        while not stop.is_set():
            who = person(f"walk-in-{i}")
            await talk.say(who, "/timeout")
            handled += 1
            i += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(traffic())
    while handled < 5:
        await asyncio.sleep(0.001)
    users_before = (await store.query("SELECT count(*) FROM users"))[0][0]
    during = handled
    info = await backup(store, tmp_path / "online.sqlite3")
    during = handled - during
    users_after = (await store.query("SELECT count(*) FROM users"))[0][0]
    stop.set()
    await task

    assert during > 0  # the Dialogue kept handling events while the backup ran
    assert info.size > 0 and info.schema_version == migration_files()[-1][0]
    c = sqlite3.connect(tmp_path / "online.sqlite3")
    try:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert c.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
        n = c.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        c.close()
    assert users_before <= n <= users_after  # a snapshot from somewhere during the run
    assert not Path(f"{tmp_path / 'online.sqlite3'}-wal").exists()

    # quiet now: a second backup, then restore it in place of the live file: the same rows, table by table
    await backup(store, tmp_path / "quiet.sqlite3")
    live = await dump(store)
    await store.close()
    done = restore(tmp_path / "quiet.sqlite3", db_path)
    assert done.previous is not None and done.previous.exists()
    assert dump_file(db_path) == live
    assert not Path(f"{db_path}-wal").exists() and not Path(f"{db_path}-shm").exists()

    # and the bot runs on it
    reopened = await Store.open(db_path)
    try:
        clock = ManualClock(talk.dialogue.clock.now())
        out = await Dialogue(reopened, clock).handle(person("sam"), ChoiceMade("w.status"))
        assert out and out[0].text
        assert await reopened.session_of(person("sam")) == await _session(live, person("sam"))
    finally:
        await reopened.close()


async def _session(rows: dict[str, list[tuple[Any, ...]]], who: UserRef) -> tuple[str, str | None]:
    from bot.codec import load_session

    uid = next(u[0] for u in rows["users"] if u[2] == who.external_id)
    data = next(s[1] for s in rows["sessions"] if s[0] == uid)
    s = load_session(data)
    return s.phase.value, s.timeout_id


@pytest.mark.parametrize("damage", ["garbage pages", "truncated", "not a database", "empty"])
async def test_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(
    talk: Talk, store: Store, db_path: Path, tmp_path: Path, person: Callable[..., UserRef], damage: str
) -> None:
    await talk.to_waiting(person("sam"))
    bad = tmp_path / "bad.sqlite3"
    await backup(store, bad)
    data = bad.read_bytes()
    page = int.from_bytes(data[16:18], "big") or 65536
    if damage == "garbage pages":
        bad.write_bytes(data[:page] + bytes((i * 7 + 3) % 256 for i in range(len(data) - page)))
    elif damage == "truncated":
        bad.write_bytes(data[: len(data) // 2 + 100])
    elif damage == "not a database":
        bad.write_text("this is a shopping list, not a backup\n" * 200)
    else:
        bad.write_bytes(b"")
    await store.close()
    before = digest(db_path)

    with pytest.raises(BackupError) as e:
        restore(bad, db_path)
    assert "nothing was changed" in str(e.value)
    assert digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)) == sorted(
        f"{db_path.name}{s}" for s in before)  # no staged copy left, nothing moved aside


async def test_restore_refuses_a_backup_newer_than_the_code(
    talk: Talk, store: Store, db_path: Path, tmp_path: Path, person: Callable[..., UserRef]
) -> None:
    await talk.say(person("sam"), "/help")
    newer = tmp_path / "newer.sqlite3"
    await backup(store, newer)
    c = sqlite3.connect(newer)
    c.execute(f"PRAGMA user_version = {migration_files()[-1][0] + 1}")
    c.close()
    await store.close()
    before = digest(db_path)
    with pytest.raises(BackupError, match="newer than this code"):
        restore(newer, db_path)
    assert digest(db_path) == before


async def test_restore_refuses_while_the_database_is_open_here_or_in_another_process(
    talk: Talk, store: Store, db_path: Path, tmp_path: Path, person: Callable[..., UserRef]
) -> None:
    await talk.say(person("sam"), "/help")
    good = tmp_path / "good.sqlite3"
    await backup(store, good)
    with pytest.raises(BackupError, match="Stop it first"):
        restore(good, db_path)  # the Store in this process has it open
    assert in_use(db_path)  # probing did not drop SQLite's own locks: still seen as open
    await store.close()

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(db_path)!r}); c.execute('SELECT count(*) FROM users').fetchall()\n"
         "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackupError, match="Stop it first"):
            restore(good, db_path)
    finally:
        holder.kill()
        holder.wait()
    assert not in_use(db_path)
    assert restore(good, db_path).schema_version == migration_files()[-1][0]


async def test_restore_moves_the_old_files_aside_and_never_replays_a_stale_wal(
    talk: Talk, store: Store, db_path: Path, tmp_path: Path, person: Callable[..., UserRef]
) -> None:
    await talk.say(person("sam"), "/help")
    old = tmp_path / "old.sqlite3"
    await backup(store, old)
    await store.close()
    # a bot that died after committing: its last rows only in the -wal, the -shm left behind
    subprocess.run(
        [sys.executable, "-c", "import os, sqlite3\n"
         f"c = sqlite3.connect({str(db_path)!r}, isolation_level=None)\n"
         "c.execute('PRAGMA wal_autocheckpoint=0')\n"
         "c.execute(\"INSERT INTO users (platform, external_id, locale, tz, country, created_at) "
         "VALUES ('telegram', 'late', 'nl', 'Europe/Amsterdam', 'NL', 0)\")\n"
         "os._exit(0)"],
        check=True,
    )
    assert Path(f"{db_path}-wal").stat().st_size > 0

    done = restore(old, db_path)

    assert not Path(f"{db_path}-wal").exists() and not Path(f"{db_path}-shm").exists()
    names = [r[0] for r in sqlite3.connect(db_path).execute("SELECT external_id FROM users ORDER BY id")]
    assert names == ["sam"]  # the backup's rows, not replayed with the old -wal
    assert done.previous is not None
    aside = [r[0] for r in sqlite3.connect(done.previous).execute("SELECT external_id FROM users ORDER BY id")]
    assert aside == ["sam", "late"]  # the replaced database is kept, its -wal with it


def test_backup_refuses_nonsense_targets(tmp_path: Path) -> None:
    with pytest.raises(BackupError):
        backup_sync(":memory:", tmp_path / "x.sqlite3")
    with pytest.raises(BackupError, match="no database"):
        backup_sync(tmp_path / "missing.sqlite3", tmp_path / "x.sqlite3")
    db = tmp_path / "db.sqlite3"
    sqlite3.connect(db).execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="database itself"):
        backup_sync(db, db)
    assert not list(tmp_path.glob("*.partial*"))


async def test_the_wal_shrinks_back_after_a_long_reader(
    talk: Talk, store: Store, db_path: Path, person: Callable[..., UserRef]
) -> None:
    """A reader that holds an old snapshot (a slow backup, an analyst's sqlite3 shell) keeps the WAL from being
    checkpointed, so it grows; once the reader is gone, journal_size_limit truncates it at the next reset.
    The store sets 64 MB; here a small limit shows the same mechanism with little data."""
    assert (await store.query("PRAGMA journal_size_limit"))[0][0] == 64 * 1024 * 1024
    limit = 256 * 1024
    await store.query(f"PRAGMA journal_size_limit={limit}")
    wal = Path(f"{db_path}-wal")
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sessions").fetchone()
    i = 0
    while wal.stat().st_size < 6 * 1024 * 1024:  # many checkpoints' worth: none of them can complete
        await talk.say(person(f"p{i}"), "/timeout")
        await talk.say(person(f"p{i}"), "/cancel")
        i += 1
    grown = wal.stat().st_size
    assert store._checkpointer is not None and store._checkpointer.done > 0  # they were tried, beside the events
    reader.execute("COMMIT")
    reader.close()
    assert await asyncio.to_thread(store._checkpointer.flush)  # the next checkpoint (its thread's) completes
    for j in range(5):  # ordinary traffic: the next write resets the WAL
        await talk.say(person(f"p{j}"), "/timeout")
    assert grown >= 6 * 1024 * 1024
    assert wal.stat().st_size <= limit


async def test_a_long_wal_starts_over_after_the_writers_catch_up(
    talk: Talk, store: Store, person: Callable[..., UserRef], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under steady load the checkpoint thread never finds the WAL without new frames, so the WAL never started
    over and grew by megabytes a second (and the truncation after erased text freed all of it with the write
    lock held). Once a checkpoint has copied a WAL of WAL_RESTART_FRAMES, the next commit copies the little
    written since (Checkpointer.catch_up) and the write after it starts the WAL from its beginning."""
    from bot.store.sqlite import checkpointer

    monkeypatch.setattr(checkpointer, "WAL_RESTART_FRAMES", 10)
    cp = store._checkpointer
    assert cp is not None
    for i in range(12):
        await talk.say(person(f"p{i}"), "/timeout")
    assert await asyncio.to_thread(cp.flush)
    long = cp.wal_frames
    assert long >= 12
    await talk.say(person("q0"), "/timeout")  # its commit: the catch-up
    await talk.say(person("q1"), "/timeout")  # its write: the WAL from its beginning
    assert await asyncio.to_thread(cp.flush)
    assert 0 < cp.wal_frames < long / 2
