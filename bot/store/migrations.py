"""The numbered migration files (migrations/NNNN_name.sql)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.store.port import StoreError

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def migration_files(folder: Path = MIGRATIONS) -> list[tuple[int, Path]]:
    out = []
    for p in sorted(folder.glob("*.sql")):
        m = re.match(r"(\d+)_", p.name)
        if m:
            out.append((int(m.group(1)), p))
    numbers = [n for n, _ in out]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migrations in {folder} are not numbered 1, 2, 3, …: {numbers}")
    return out

