"""One PostgreSQL database: the connection (psycopg 3) shaped like the sqlite3 connection the store's code
runs on, the SQL it writes in SQLite's dialect said in PostgreSQL's, the version check and migrations.

The repository (bot.store.sqlite.rows), the effects (bot.store.sqlite.effects) and the store's transactions
(bot.store.sqlite.store) are one body of SQL for both backends: what differs is said here, statement by
statement (`translate`), so that a query that works on one works on the other, and the test suite runs every
store, service and dispatch test on both (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
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
    """What the store's code reads of a statement (as of an sqlite3 cursor). In a transaction the statement
    may still be on its way (the pipeline): its rows or its row count are waited for when first read."""

    __slots__ = ("_conn", "_cur", "_rowcount", "lastrowid")

    def __init__(self, conn: Connection, cur: psycopg.Cursor[Any], lastrowid: int | None) -> None:
        self._conn = conn
        self._cur = cur
        self._rowcount: int | None = None if conn.pipelined else cur.rowcount
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        if self._rowcount is None:
            if self._cur.pgresult is None:  # a write still in the pipeline: its answer is wanted now
                self._conn.sync()
            self._rowcount = self._cur.rowcount
        return self._rowcount

    def _waiting(self) -> None:
        if self._cur.pgresult is None:  # still on its way: the transaction waits for the server here
            self._conn.round_trips += 1

    def fetchone(self) -> tuple[Any, ...] | None:
        self._waiting()
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        self._waiting()
        return self._cur.fetchall()

    @property
    def description(self) -> Any:
        if self._cur.pgresult is None and self._conn.pipelined:
            self._conn.sync()
        return self._cur.description

    def __iter__(self) -> Any:
        return iter(self._cur.fetchall())


class Connection:
    """A psycopg connection (autocommit: the store says BEGIN and COMMIT itself) that speaks SQLite's dialect.

    A transaction runs in pipeline mode (libpq's): BEGIN goes out with the first statement, a write is sent
    without waiting for its answer, and the writes still on their way go with the COMMIT, one round trip
    for the lot. A read waits only for its own rows (and so for everything sent before it). What a statement
    still on its way did wrong is raised by a later statement, at the latest by the next read or the COMMIT
    (which then rolls the transaction back and raises it, as a failed COMMIT does): the body that raised it
    rolls back, as ever. A migration's script leaves the
    pipeline (several statements in one text are not allowed there); the transaction goes on without it."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn
        self._pipe: psycopg.Pipeline | None = None
        self._in_pipe: contextlib.AbstractContextManager[psycopg.Pipeline] | None = None  # psycopg's pipeline() block
        self._ahead: dict[tuple[str, tuple[Any, ...]], psycopg.Cursor[Any]] = {}
        self.unused_ahead = 0
        self.used_ahead = 0
        self.round_trips = 0
        """How often this connection waited for the server's answers (a statement outside a transaction, a read
        or a row count in one, its COMMIT): the bench's round trips per event."""
        """Reads sent ahead (`ahead`) that the transaction never asked for: a statement said differently there
        than here, or a write came first (a test holds the store's to 0 on the way events usually go)."""

    @classmethod
    def connect(cls, url: str) -> Connection:
        try:
            conn = psycopg.Connection.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)
        except psycopg.Error as e:
            raise StoreError(f"The PostgreSQL database {redact(url)} cannot be reached: {type(e).__name__}") from e
        return cls(conn)

    @property
    def pipelined(self) -> bool:
        return self._pipe is not None

    def ahead(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Send a read now whose rows the transaction asks for later (`execute` with the very same statement
        and parameters, before any write): it travels with what is sent now instead of a round trip of its own.
        Only in a transaction (the pipeline); what it reads is what it would read then: nothing this transaction
        does comes between, and whatever else might change it waits for a lock this transaction holds."""
        if self._pipe is None:
            return
        key = (sql, tuple(params))
        if key not in self._ahead:
            cur = self.raw.cursor()
            cur.execute(translate(sql)[0], key[1] or None)
            self._ahead[key] = cur

    def drop_ahead(self) -> None:
        """Forget the reads sent ahead (what they read may be stale now: the lock they relied on was another)."""
        self.unused_ahead += len(self._ahead)
        self._ahead.clear()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self._ahead:
            try:
                sent = self._ahead.pop((sql, tuple(params)), None)
            except TypeError:  # a list among the parameters (never sent ahead)
                sent = None
            if sent is not None:
                self.used_ahead += 1
                return Cursor(self, sent, None)
            if sql.lstrip()[:6].upper() != "SELECT":  # a write: what was read ahead may differ now
                self.drop_ahead()
        text, returning = translate(sql)
        if text == "BEGIN" and self._pipe is None:
            self._in_pipe = self.raw.pipeline()
            self._pipe = self._in_pipe.__enter__()
        elif self._pipe is not None and text in ("COMMIT", "ROLLBACK"):
            return self._end(text)
        cur = self.raw.cursor()
        cur.execute(text, tuple(params) or None)
        if self._pipe is None:
            self.round_trips += 1
        lastrowid = None
        if returning:
            if cur.pgresult is None:
                self.round_trips += 1
            row = cur.fetchone()
            lastrowid = int(row[0]) if row else None
        return Cursor(self, cur, lastrowid)

    def _end(self, text: str) -> Cursor:
        """COMMIT (with every write still on its way) or ROLLBACK, and out of the pipeline."""
        cur = self.raw.cursor()
        try:
            if text == "COMMIT":
                cur.execute(text)
            self._leave()
        except psycopg.Error:
            if text == "COMMIT":
                self._abandon()
                raise
        if text == "ROLLBACK":  # after whatever was on its way (an aborted pipeline skips what follows)
            self._abandon()
        return Cursor(self, cur, None)

    def _leave(self) -> None:
        """Out of the pipeline, every answer in (raises the first error among them)."""
        if self._ahead:
            self.drop_ahead()
        block, self._in_pipe, self._pipe = self._in_pipe, None, None
        if block is not None:
            self.round_trips += 1
            block.__exit__(None, None, None)

    def _abandon(self) -> None:
        """Out of the pipeline whatever it holds, and the transaction rolled back if it is still open."""
        with contextlib.suppress(psycopg.Error):  # the error the caller hears is the one that brought it here
            self._leave()
        if self.raw.info.transaction_status != pq.TransactionStatus.IDLE:
            self.raw.execute(b"ROLLBACK")

    def sync(self) -> None:
        """Every statement sent so far answered (raises the first error among them)."""
        if self._pipe is not None:
            self.round_trips += 1
            self._pipe.sync()

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        if self._ahead:
            self.drop_ahead()
        rows = [tuple(p) for p in seq]
        if rows:
            self.raw.cursor().executemany(translate(sql)[0], rows)
            if self._pipe is None:
                self.round_trips += 1

    def script(self, text: str) -> None:
        """A migration file, as it is (several statements; no parameters): outside the pipeline."""
        self._leave()
        self.raw.execute(text.encode())

    @property
    def in_transaction(self) -> bool:
        return self._pipe is not None or self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self._in_pipe = self._pipe = None
        self._ahead.clear()
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
