"""The only SQL in the bot: the store port (`port`), its rules on every backend (`policy`), the numbered
migrations (`migrations`), each platform update handled once (`once`), the SQLite backend (`sqlite/`:
connection and migrations, the repository, applying effects, batching, backup and restore) and the PostgreSQL
backend (`postgres/`: the same code on a server).

The service, the dispatcher and the adapters depend on `StorePort` only; `open_store` picks the backend (the
composition root calls it). Nothing outside bot/store imports a backend module. `Store` is the SQLite backend
under its old name, for the tests and tools that open a file directly.
"""

from pathlib import Path

from bot.store.migrations import MIGRATIONS, migration_files
from bot.store.policy import EXCLUSIVE, HEARTBEAT, LEASE, code_hash, new_id
from bot.store.port import (
    BackupError,
    BackupInfo,
    Defaults,
    Handled,
    Holder,
    InUse,
    OutboxRow,
    RestoreInfo,
    StoreError,
    StorePort,
)
from bot.store.sqlite.backup import backup, backup_sync, in_use, restore
from bot.store.sqlite.connection import (
    check_version,
    connect_pragmas,
    holders_sync,
    migrate_sync,
    sql_statements,
    switch_to_wal,
)
from bot.store.sqlite.rows import load_couple, load_ctx, load_history, load_invite
from bot.store.sqlite.store import SqliteStore

Store = SqliteStore
"""The default backend (SQLite), opened with `Store.open(path)`."""


def is_postgres(where: str | Path) -> bool:
    return str(where).startswith(("postgres://", "postgresql://"))


async def open_store(where: str | Path, defaults: Defaults | None = None) -> StorePort:
    """The store at `where`: a postgresql:// URL is a PostgreSQL database (bot.store.postgres); a path (or
    ":memory:") is an SQLite file, the default with zero set-up."""
    if is_postgres(where):
        from bot.store.postgres.store import PostgresStore

        return await PostgresStore.open(str(where), defaults)
    return await SqliteStore.open(where, defaults)

__all__ = [
    "EXCLUSIVE",
    "HEARTBEAT",
    "LEASE",
    "MIGRATIONS",
    "BackupError",
    "BackupInfo",
    "Defaults",
    "Handled",
    "Holder",
    "InUse",
    "OutboxRow",
    "RestoreInfo",
    "SqliteStore",
    "Store",
    "StoreError",
    "StorePort",
    "backup",
    "backup_sync",
    "check_version",
    "code_hash",
    "connect_pragmas",
    "holders_sync",
    "in_use",
    "is_postgres",
    "load_couple",
    "load_ctx",
    "load_history",
    "load_invite",
    "migrate_sync",
    "migration_files",
    "new_id",
    "open_store",
    "restore",
    "sql_statements",
    "switch_to_wal",
]
