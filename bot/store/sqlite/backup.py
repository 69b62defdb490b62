"""Online backup and safe restore of the Adempauze database.

`backup()` copies the live database while the bot keeps running: a second connection (on a worker thread, so
the store's own thread never waits) runs SQLite's backup API in ONE step (`pages=-1`). One step is one read
transaction, so the copy is a consistent snapshot and cannot be restarted by the bot's writes (an incremental
backup, `pages=N`, restarts whenever another connection writes between its steps and, under steady load, may
never finish: see scripts/sqlite_pitfalls.py). The copy is written next to the target, switched to a single
self-contained file (journal_mode=DELETE, no -wal), checked with `PRAGMA integrity_check`, fsynced, and only
then renamed over the target: an interrupted backup never leaves a half file under the target's name.

`restore()` refuses while any connection has the database open (a running bot), then checks the backup
(integrity_check, an Adempauze schema, a schema version this code knows), moves the current database and its
-wal/-shm aside together (still a valid database under the new name: nothing is destroyed) and puts the backup
in place. A -wal left next to a replaced file would be replayed into it and corrupt it, so none is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.store.migrations import MIGRATIONS, migration_files
from bot.store.port import BackupError, BackupInfo, RestoreInfo
from bot.store.sqlite.connection import holders_sync


class HasPath(Protocol):
    path: str


REQUIRED_TABLES = frozenset({"users", "sessions", "timeouts", "timers", "outbox"})
"""Tables every Adempauze database has (from the first migration on)."""
SIDECARS = ("-wal", "-shm", "-journal")
_DMS_BYTE = 128
"""The "dead man switch" byte of SQLite's -shm file (unix VFS): every open WAL connection holds a shared lock
on it, so an exclusive lock on it succeeds only when nobody has the database open."""


async def backup(store_or_path: HasPath | str | Path, target: str | Path) -> BackupInfo:
    """Copy the database (of a running store, or at a path) to `target`, online, as one consistent snapshot."""
    source = str(store_or_path) if isinstance(store_or_path, str | Path) else store_or_path.path
    return await asyncio.to_thread(backup_sync, source, Path(target))


def backup_sync(source: str | Path, target: Path) -> BackupInfo:
    """`backup()` without asyncio (the CLI, tests): the same one-step copy, check and atomic rename."""
    started = time.perf_counter()
    if str(source) == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    src_path = Path(source)
    if not src_path.is_file():
        raise BackupError(f"There is no database at {src_path}; nothing was written.")
    if target.exists() and target.resolve() == src_path.resolve():
        raise BackupError("The backup target is the database itself; nothing was written.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _remove(partial)
    try:
        src = sqlite3.connect(src_path, timeout=5.0, isolation_level=None)
        try:
            dst = sqlite3.connect(partial, isolation_level=None)
            try:
                src.backup(dst, pages=-1)  # one step: one read transaction, never restarted by writers
                dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
                problems = _integrity(dst)
                version = int(dst.execute("PRAGMA user_version").fetchone()[0])
            finally:
                dst.close()
        finally:
            src.close()
        if problems:
            raise BackupError(f"The copy of {src_path} failed its integrity check ({problems[0]}); "
                              "the database itself may be damaged. Nothing was written.")
        if version == 0:  # a file just created (perhaps by a process starting right now) holds nothing yet
            raise BackupError(f"The database {src_path} has no Adempauze schema yet (it is new, or being set up "
                              "right now): nothing to back up yet. Nothing was written.")
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as e:
        raise BackupError(f"The backup of {src_path} failed: {e}. Nothing was written to {target}.") from e
    finally:
        _remove(partial)
    return BackupInfo(target, target.stat().st_size, version, time.perf_counter() - started)


def restore(backup_path: str | Path, db_path: str | Path, migrations: Path = MIGRATIONS) -> RestoreInfo:
    """Put a checked backup in place of the database at `db_path` (which must not be open anywhere)."""
    src, db = Path(backup_path), Path(db_path)
    if not src.is_file():
        raise BackupError(f"There is no backup at {src}; nothing was changed.")
    if in_use(db):
        raise BackupError(f"{db} is open ({_who(db)}). Stop it first; nothing was changed.")
    db.parent.mkdir(parents=True, exist_ok=True)
    staged = db.with_name(db.name + ".restoring")
    _remove(staged)
    try:
        shutil.copyfile(src, staged)
        wal = Path(f"{src}-wal")
        if wal.is_file():  # a backup taken as a file pair (e.g. copied while stopped): keep its last commits
            shutil.copyfile(wal, f"{staged}-wal")
        version = _verify(staged, src, migrations)
        _fsync(staged)
        previous = None
        if db.exists():
            previous = db.with_name(f"{db.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            for suffix in ("", "-wal", "-shm", "-journal"):  # moved together: still a valid database
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{db}{suffix}", f"{previous}{suffix}")
        os.replace(staged, db)
        for suffix in SIDECARS:  # nothing stale may be replayed into the restored file
            _remove(Path(f"{db}{suffix}"))
        _fsync_dir(db.parent)
    finally:
        _remove(staged)
    return RestoreInfo(db, version, previous)


def in_use(db_path: str | Path) -> bool:
    """Does any connection (in this or another process) have this WAL database open?"""
    shm = Path(f"{db_path}-shm")
    if not shm.exists():
        return False  # a WAL database that is open always has its -shm
    if _open_here(shm):
        # Never probe a file this process has open: closing our probe's descriptor would drop every POSIX lock
        # the process holds on it, SQLite's own included (POSIX close() semantics).
        return True
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: refuse rather than pull the file from under a running bot
    try:
        return not _lock_free(fd, _DMS_BYTE)
    finally:
        os.close(fd)


def _who(db: Path) -> str:
    """Which processes say they have the file open, for a refusal: "by the Adempauze console (process …)"."""
    with contextlib.suppress(sqlite3.Error):
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
        try:
            holders = holders_sync(c)
        finally:
            c.close()
        if holders:
            return "by " + "; ".join(h.describe() for h in holders)
    return "a running Adempauze?"


def _open_here(path: Path) -> bool:
    """Has this process a descriptor on `path`? (Linux /proc; elsewhere: assume not.)"""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return False
    target = os.path.realpath(path)
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == target:
                return True
    return False


def _lock_free(fd: int, byte: int) -> bool:
    """Can we take (and at once release) an exclusive lock on one byte? Sees locks of other processes."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not a POSIX system
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, byte, os.SEEK_SET)
    except OSError:
        return False
    fcntl.lockf(fd, fcntl.LOCK_UN, 1, byte, os.SEEK_SET)
    return True


def _verify(staged: Path, shown: Path, migrations: Path) -> int:
    """Check a staged copy: a sound SQLite file, an Adempauze schema, a version this code knows. Returns it."""
    files = migration_files(migrations)
    latest = files[-1][0] if files else 0
    try:
        c = sqlite3.connect(staged, isolation_level=None)
        try:
            problems = _integrity(c)
            if problems:
                raise BackupError(f"The backup {shown} is damaged ({problems[0]}); nothing was changed.")
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
            if not tables.issuperset(REQUIRED_TABLES):
                raise BackupError(f"{shown} is not an Adempauze database; nothing was changed.")
            version = int(c.execute("PRAGMA user_version").fetchone()[0])
            if version > latest:
                raise BackupError(f"The backup {shown} is at schema version {version}, newer than this code knows "
                                  f"({latest}). Restore it with a newer Adempauze; nothing was changed.")
            c.execute("PRAGMA journal_mode=DELETE")  # fold in a -wal that came with it
        finally:
            c.close()
    except sqlite3.Error as e:
        raise BackupError(f"The backup {shown} cannot be read as a database ({e}); nothing was changed.") from e
    return version


def _integrity(c: sqlite3.Connection) -> list[str]:
    """The problems `PRAGMA integrity_check` reports (empty when it says ok)."""
    rows = [str(r[0]) for r in c.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def _remove(path: Path) -> None:
    for p in (path, *(Path(f"{path}{s}") for s in SIDECARS)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
