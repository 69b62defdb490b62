"""The shape rules of ARCHITECTURE.md, checked on the source."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_core_imports_only_the_standard_library_and_itself():
    for path in (ROOT / "bot" / "core").glob("*.py"):
        for name in imports(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name.startswith("bot.core"), f"{path.name} imports {name}"
            assert top not in ("asyncio", "sqlite3", "socket", "random", "threading"), f"{path.name}: {name}"


def test_core_reads_no_clock():
    for path in (ROOT / "bot" / "core").glob("*.py"):
        text = path.read_text("utf-8")
        for bad in (".now(", ".utcnow(", ".today(", "time.time(", "monotonic("):
            assert bad not in text, f"{path.name} reads a clock: {bad}"


def test_bot_never_imports_adapters_or_platform_libraries():
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "__main__.py":
            continue  # the composition root wires the adapters in
        for name in imports(path):
            top = name.split(".")[0]
            assert top not in ("adapters", "telegram", "discord"), f"{path} imports {name}"


def _outside_the_store() -> list[Path]:
    store = ROOT / "bot" / "store"
    return [p for p in list((ROOT / "bot").rglob("*.py")) + list((ROOT / "adapters").rglob("*.py"))
            if store not in p.parents]


def test_only_the_store_has_sql():
    outside = _outside_the_store()
    assert outside and all("store" not in p.relative_to(ROOT).parts for p in outside)
    for path in outside:
        assert "sqlite3" not in imports(path) and "aiosqlite" not in imports(path), path
        assert "asyncpg" not in imports(path) and "psycopg" not in imports(path), path


def test_the_core_never_imports_the_store():
    for path in (ROOT / "bot" / "core").rglob("*.py"):
        assert not [n for n in imports(path) if n == "bot.store" or n.startswith(("bot.store.", "bot.service",
                                                                                   "bot.dispatch"))], path


def test_the_rest_of_the_bot_sees_the_store_port_never_a_backend():
    """Service, dispatcher, adapters, the composition root: `bot.store` (the port, `open_store`) only, so a
    second backend can stand behind the same port."""
    for path in _outside_the_store():
        deep = sorted(n for n in imports(path) if n.startswith("bot.store."))
        assert not deep, f"{path} imports {deep}"


def test_the_port_and_the_policy_know_no_backend():
    for name in ("port.py", "policy.py", "migrations.py"):
        names = imports(ROOT / "bot" / "store" / name)
        assert not [n for n in names if n.startswith("bot.store.sqlite") or n.split(".")[0] in (
            "sqlite3", "aiosqlite", "asyncpg", "psycopg")], (name, names)


def test_no_module_shadows_a_platform_library():
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        assert path.stem not in ("telegram", "discord"), path
