"""One PostgreSQL database: the connection (psycopg 3) shaped like the sqlite3 connection the store's code
runs on, the SQL it writes in SQLite's dialect said in PostgreSQL's, the version check and migrations.

The repository (bot.store.sqlite.rows), the effects (bot.store.sqlite.effects) and the store's transactions
(bot.store.sqlite.store) are one body of SQL for both backends: what differs is said here, statement by
statement (`translate`), so that a query that works on one works on the other, and the test suite runs every
store, service and dispatch test on both (tests/conftest.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import pq

from bot.store.migrations import MIGRATIONS, migration_files
from bot.store.policy import LEASE
from bot.store.port import Holder, InUse, StoreError

PG_MIGRATIONS = MIGRATIONS / "postgres"
"""migrations/postgres/NNNN_name.sql: one for each SQLite migration, with the same number."""

MIGRATE_LOCK = 0x6164656D  # "adem": the advisory lock that lets one process at a time migrate

_EXACT = {
    # SQLite's catalogue and pragmas
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'processes'":
        "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'processes'",
    "PRAGMA user_version": "SELECT coalesce((SELECT version FROM schema_version WHERE id = 1), 0)",
    "PRAGMA data_version": "SELECT 0",
    "PRAGMA defer_foreign_keys = ON": "SET CONSTRAINTS ALL DEFERRED",
    "BEGIN IMMEDIATE": "BEGIN",
}
_REPLACE = (
    # SQLite lets CROSS JOIN take an ON (it only fixes the join order); PostgreSQL plans joins itself
    ("CROSS JOIN", "JOIN"),
    ("instr(", "strpos("),
    # a JSON flag in the session row: SQLite's json_extract gives 1/0/NULL
    ("coalesce(json_extract(s.data, '$.safety_hold'), 0)",
     "coalesce((s.data::jsonb ->> 'safety_hold') IN ('true', '1'), false)"),
    # a comparison read as a number (the export shows 1/0 on both backends)
    ("t.initiator = ?1 AS started_by_me", "(t.initiator = ?1)::int AS started_by_me"),
    ("proposed_by = ?1 AS proposed_by_me", "(proposed_by = ?1)::int AS proposed_by_me"),
    # PostgreSQL 15 wants a name for every subquery in FROM
    (") WHERE open_until >", ") AS open WHERE open_until >"),
    # the core's couple id, or the database's when it gave none (SQLite: NULL in an INTEGER PRIMARY KEY)
    ("INSERT INTO couples (id, a, b, created_at) VALUES (?, ?, ?, ?)",
     "INSERT INTO couples (id, a, b, created_at) "
     "VALUES (coalesce(?, nextval(pg_get_serial_sequence('couples', 'id'))), ?, ?, ?) RETURNING id"),
)
_RETURNING_ID = re.compile(r"^\s*INSERT INTO users \(")
"""Inserts whose new id the code reads back (sqlite3's lastrowid): PostgreSQL says it with RETURNING."""


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, bool]:
    """(the statement in PostgreSQL's dialect with $n parameters, whether it returns the new row's id)."""
    sql = _EXACT.get(sql.strip(), sql)
    for old, new in _REPLACE:
        sql = sql.replace(old, new)
    sql = re.sub(r"\bWHERE 1\b", "WHERE TRUE", sql)
    returning = bool(_RETURNING_ID.match(sql))
    if returning:
        sql += " RETURNING id"
    if re.search(r"\?\d", sql):
        sql = re.sub(r"\?(\d+)", r"$\1", sql)
    else:
        n = 0

        def number(_: re.Match[str]) -> str:
            nonlocal n
            n += 1
            return f"${n}"

        sql = re.sub(r"\?", number, sql)
    return sql, returning or "RETURNING id" in sql


class Cursor:
    """What the store's code reads of a finished statement (as of an sqlite3 cursor)."""

    __slots__ = ("_cur", "lastrowid", "rowcount")

    def __init__(self, cur: psycopg.Cursor[Any], lastrowid: int | None) -> None:
        self._cur = cur
        self.rowcount = cur.rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cur.fetchall()

    @property
    def description(self) -> Any:
        return self._cur.description

    def __iter__(self) -> Any:
        return iter(self._cur.fetchall())


class Connection:
    """A psycopg connection (autocommit: the store says BEGIN and COMMIT itself) that speaks SQLite's dialect."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    @classmethod
    def connect(cls, url: str) -> Connection:
        try:
            conn = psycopg.Connection.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)
        except psycopg.Error as e:
            raise StoreError(f"The PostgreSQL database {redact(url)} cannot be reached: {type(e).__name__}") from e
        return cls(conn)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        text, returning = translate(sql)
        cur = self.raw.cursor()
        cur.execute(text, tuple(params) or None)
        lastrowid = None
        if returning:
            row = cur.fetchone()
            lastrowid = int(row[0]) if row else None
        return Cursor(cur, lastrowid)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(p) for p in seq]
        if rows:
            self.raw.cursor().executemany(translate(sql)[0], rows)

    def script(self, text: str) -> None:
        """A migration file, as it is (several statements; no parameters)."""
        self.raw.execute(text.encode())

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def redact(url: str) -> str:
    """A database URL fit for a message or a log: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def holders(c: Connection, wall: float | None = None) -> list[Holder]:
    rows = c.execute(
        "SELECT id, kind, serves, schema, pid, host, started_at, lease_until FROM processes WHERE lease_until > ?",
        (int(time.time() if wall is None else wall),),
    ).fetchall()
    return [Holder.of(r) for r in rows]


def migrate(c: Connection, folder: Path = PG_MIGRATIONS, wall: Callable[[], float] = time.time) -> tuple[int, int]:
    """Bring the database up to date, in ONE transaction under an advisory lock: of several processes starting
    together, one migrates and the others wait and then find the finished schema. A database newer than this
    code is refused and left as it was; so is an upgrade while a process of older code runs on it."""
    files = migration_files(folder)
    latest = files[-1][0] if files else 0
    c.execute("BEGIN")
    try:
        c.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATE_LOCK,))
        c.execute("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
                  "version INTEGER NOT NULL)")
        row = c.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
        current = int(row[0]) if row else 0
        if current > latest:
            raise StoreError(
                f"The database is at schema version {current}, newer than this code knows ({latest}). "
                "It was left untouched; run a newer Adempauze, or restore a backup."
            )
        if current < latest:
            if current >= 7:
                older = [h for h in holders(c, wall()) if h.schema < latest]
                if older:
                    raise InUse(
                        f"The database cannot be upgraded to schema version {latest} while {older[0].describe()} "
                        f"runs on it with older code (schema {older[0].schema}). Nothing was changed; stop that "
                        f"process first (one that was killed counts as stopped {LEASE.total_seconds():.0f} s after "
                        "its last sign of life)."
                    )
            for n, path in files:
                if n > current:
                    c.script(path.read_text("utf-8"))
            c.execute("INSERT INTO schema_version (id, version) VALUES (1, ?) "
                      "ON CONFLICT (id) DO UPDATE SET version = excluded.version", (latest,))
    except BaseException:
        if c.in_transaction:
            c.execute("ROLLBACK")
        raise
    c.execute("COMMIT")
    return current, max(current, latest)
