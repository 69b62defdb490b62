"""The only SQL in the bot: the store port (`port`), its rules on every backend (`policy`), the numbered
migrations (`migrations`), and the SQLite backend (`sqlite/`: connection and migrations, the repository, applying
effects, batching, backup and restore).

The service, the dispatcher and the tools import from here; nothing outside the store imports a backend.
"""

from bot.store.migrations import MIGRATIONS, migration_files
from bot.store.policy import EXCLUSIVE, HEARTBEAT, LEASE, code_hash, new_id
from bot.store.port import Defaults, Handled, Holder, InUse, OutboxRow, StoreError
from bot.store.sqlite.connection import (
    check_version,
    connect_pragmas,
    holders_sync,
    migrate_sync,
    sql_statements,
    switch_to_wal,
)
from bot.store.sqlite.rows import load_couple, load_ctx, load_history, load_invite
from bot.store.sqlite.store import Store

__all__ = [
    "EXCLUSIVE",
    "HEARTBEAT",
    "LEASE",
    "MIGRATIONS",
    "Defaults",
    "Handled",
    "Holder",
    "InUse",
    "OutboxRow",
    "Store",
    "StoreError",
    "check_version",
    "code_hash",
    "connect_pragmas",
    "holders_sync",
    "load_couple",
    "load_ctx",
    "load_history",
    "load_invite",
    "migrate_sync",
    "migration_files",
    "new_id",
    "sql_statements",
    "switch_to_wal",
]
