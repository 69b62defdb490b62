"""One SQLite file: opening it, its pragmas, WAL, the version check and migrations, who holds it."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bot.store.migrations import MIGRATIONS, migration_files
from bot.store.policy import LEASE
from bot.store.port import Holder, InUse, StoreError

BUSY_TIMEOUT_MS = 5000

_HOLDERS_SQL = (
    "SELECT id, kind, serves, schema, pid, host, started_at, lease_until FROM processes WHERE lease_until > ?"
)


def holders_sync(c: sqlite3.Connection, wall: float | None = None) -> list[Holder]:
    """The processes that say they have the file open and are alive (their lease has not run out)."""
    if c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'processes'").fetchone() is None:
        return []
    return [Holder.of(r) for r in c.execute(_HOLDERS_SQL, (int(time.time() if wall is None else wall),))]


def check_version(c: sqlite3.Connection, folder: Path = MIGRATIONS) -> tuple[int, int]:
    """(schema version of the file, newest this code knows); StoreError when the file is newer. Read-only."""
    files = migration_files(folder)
    latest = files[-1][0] if files else 0
    current = int(c.execute("PRAGMA user_version").fetchone()[0])
    if current > latest:
        raise _newer(current, latest)
    return current, latest


def sql_statements(script: str) -> list[str]:
    """A migration file as its statements, in order, cut where SQLite itself sees a statement end (a `;` in
    a string, a comment or a trigger body does not cut). Comments before a statement stay with it."""
    out: list[str] = []
    buf = ""
    for piece in script.split(";"):
        buf += piece
        if sqlite3.complete_statement(buf + ";"):
            if _has_sql(buf):
                out.append(buf.strip() + ";")
            buf = ""
        else:
            buf += ";"
    return out


def _has_sql(text: str) -> bool:
    """Is there more than whitespace and comments in `text`?"""
    return bool(re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.S).strip())


MIGRATE_WAIT_S = 60.0
"""How long a starting process waits for another one's migration (or any long write) before it gives up."""


def migrate_sync(
    c: sqlite3.Connection, folder: Path = MIGRATIONS, wall: Callable[[], float] = time.time
) -> tuple[int, int]:
    """Bring the file up to date. Returns (version found, version now).

    The version check and every pending migration run in ONE `BEGIN IMMEDIATE` transaction, which takes the
    write lock before it reads the version: of several processes starting together on one file, one migrates
    and the others wait for the lock (busy_timeout) and then find the finished schema, with nothing to do.
    A file newer than this code is refused and left as it was (rolled back). An upgrade while a process of
    older code has the file open (a live row in `processes`) is refused too, naming that process."""
    files = migration_files(folder)
    latest = files[-1][0] if files else 0
    busy = int(c.execute("PRAGMA busy_timeout").fetchone()[0])
    c.execute(f"PRAGMA busy_timeout = {int(MIGRATE_WAIT_S * 1000)}")
    try:
        c.execute("BEGIN IMMEDIATE")
        try:
            current = int(c.execute("PRAGMA user_version").fetchone()[0])
            if current > latest:
                raise _newer(current, latest)
            if current == latest:  # nothing to do; but fail now, not at the first event, if it is read-only
                c.execute(f"PRAGMA user_version = {current}")
            else:
                _refuse_older_holders(c, latest, wall())
                for n, path in files:
                    if n > current:
                        for statement in sql_statements(path.read_text("utf-8")):
                            c.execute(statement)
                c.execute(f"PRAGMA user_version = {latest}")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        c.execute("COMMIT" if current < latest else "ROLLBACK")  # up to date: the probe write is undone
    finally:
        c.execute(f"PRAGMA busy_timeout = {busy}")
    return current, max(current, latest)


def _newer(current: int, latest: int) -> StoreError:
    return StoreError(
        f"The database is at schema version {current}, newer than this code knows ({latest}). "
        "It was left untouched; run a newer Adempauze, or restore a backup."
    )


def _refuse_older_holders(c: sqlite3.Connection, latest: int, wall: float) -> None:
    """Migrating under a running process of older code would change its schema beneath it: refuse, naming it.
    (Files from before 0007 have no `processes`: nobody there ever said it holds them.)"""
    older = [h for h in holders_sync(c, wall) if h.schema < latest]
    if older:
        raise InUse(
            f"The database cannot be upgraded to schema version {latest} while {older[0].describe()} runs on it "
            f"with older code (schema {older[0].schema}). Nothing was changed; stop that process first (one that "
            f"was killed counts as stopped {LEASE.total_seconds():.0f} s after its last sign of life)."
        )


def switch_to_wal(c: sqlite3.Connection) -> None:
    """PRAGMA journal_mode=WAL, waiting for other processes opening the same fresh file. SQLite answers
    "database is locked" at once here, without the busy_timeout: the switch reads the file and then needs
    it exclusively, and a reader that must escalate does not wait (it could deadlock). So: try again."""
    deadline = time.monotonic() + MIGRATE_WAIT_S
    pause = 0.002
    while True:
        try:
            c.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


SYNCHRONOUS = "NORMAL"
"""PRAGMA synchronous for every connection (scripts/bench --synchronous measures the choice)."""


def connect_pragmas(c: sqlite3.Connection) -> None:
    switch_to_wal(c)
    c.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    c.execute("PRAGMA foreign_keys=ON")
    c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    c.execute("PRAGMA journal_size_limit=67108864")
    c.execute("PRAGMA secure_delete=ON")  # erased rows are zeroed, not left readable in free pages
    # A batch of events is one transaction with a savepoint per event (SqliteStore._batch): the pages an event
    # changes are kept as they were in a sub-journal, which past 64 KiB (16 pages: an event that starts or ends a
    # time-out may change more) SQLite spills to a temporary file, opened, written and read back (page images
    # with people's words on disk). In memory it stays: one event's pages, a few hundred KiB at most.
    c.execute("PRAGMA temp_store=MEMORY")


def explain(path: str, e: sqlite3.Error) -> StoreError:
    text = str(e).lower()
    if "readonly" in text or "read-only" in text:
        return StoreError(f"The database file {path} is read-only. Nothing was changed; make it writable.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"The database file {path} is damaged or is not an Adempauze database. Nothing was changed; "
            "restore a backup or move the file away."
        )
    if "unable to open" in text:
        return StoreError(f"The database file {path} cannot be opened (does its folder exist and is it writable?).")
    return StoreError(f"The database {path} could not be used: {e}")


def open_sync(c: sqlite3.Connection) -> None:
    check_version(c)  # read-only: a newer file is refused before WAL mode (a write) is switched on
    connect_pragmas(c)
    migrate_sync(c)  # the version is checked again there, under the write lock


def checkpoint_truncate(c: sqlite3.Connection) -> bool:
    """Copy the WAL into the database and truncate it to nothing. True when done; False when another
    connection's read (or write) is in the way. Never waits: the busy timeout is off for it, so a reader
    that stays for an hour does not hold up the store's thread (every event) for the 5 s each try."""
    c.execute("PRAGMA busy_timeout=0")
    try:
        busy, _log, _copied = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:  # "database is locked"
        busy = 1
    finally:
        c.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return bool(busy == 0)

