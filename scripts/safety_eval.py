"""Evaluate the danger detector (bot.reader.assess_text: the shell's reading plus the core's judgement).

Usage: python scripts/safety_eval.py [--rules] [path/to/set.tsv ...]   (default: tests/safety/labelled.tsv)

``--rules``: the rules alone, without the learned hunch (bot/hunch.py) that the bot adds to them.

A set has one message per line: ``lang<TAB>label<TAB>category<TAB>text`` with label one of ``clear``,
``possible``, ``benign``. A header line starting with ``lang`` and lines starting with ``#`` are skipped.
Printed per language and per category: recall on clear danger (share reaching at least POSSIBLE, share
reaching CLEAR), recall on possible danger (at least POSSIBLE), and for benign lines the false alarms
(share flagged POSSIBLE, share flagged CLEAR); then every miss.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "tests" / "safety" / "labelled.tsv"
LABELS = ("clear", "possible", "benign")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.danger import Level, assess  # noqa: E402
from bot.reader import assess_text, read_words  # noqa: E402


def load(path: Path | str) -> list[tuple[str, str, str, str]]:
    """Rows of (lang, label, category, text); raises ValueError on a malformed line."""
    rows: list[tuple[str, str, str, str]] = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#") or raw.startswith("lang\t"):
            continue
        parts = raw.split("\t")
        if len(parts) != 4 or parts[1] not in LABELS:
            raise ValueError(f"{path}:{number}: expected lang<TAB>label<TAB>category<TAB>text, got {raw!r}")
        lang, label, category, text = parts
        rows.append((lang, label, category, text))
    return rows


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _new() -> dict[str, Any]:
    return {"n": dict.fromkeys(LABELS, 0), "clear_any": 0, "clear_clear": 0, "possible_any": 0,
            "benign_possible": 0, "benign_clear": 0}


def _rates(s: dict[str, Any]) -> dict[str, Any]:
    n = s["n"]
    s["clear_recall"] = _share(s["clear_any"], n["clear"])
    s["clear_as_clear"] = _share(s["clear_clear"], n["clear"])
    s["possible_recall"] = _share(s["possible_any"], n["possible"])
    s["benign_possible"] = _share(s["benign_possible"], n["benign"])
    s["benign_clear"] = _share(s["benign_clear"], n["benign"])
    s["benign_flagged"] = s["benign_possible"] + s["benign_clear"]
    return s


def evaluate(path: Path | str = DEFAULT_PATH, rules: bool = False) -> dict[str, Any]:
    """Score every line (``rules``: the rules alone, no hunch):
    ``{"lang": {lang: stats}, "category": {category: stats}, "all": stats, "misses": [...]}``.

    stats: ``n`` (lines per label), ``clear_recall`` (clear at >= POSSIBLE), ``clear_as_clear`` (clear at
    CLEAR), ``possible_recall`` (possible at >= POSSIBLE), ``benign_possible`` / ``benign_clear`` (benign
    lines flagged exactly POSSIBLE / CLEAR), ``benign_flagged`` (either). A miss is a clear or possible line
    left at NONE, a clear line only at POSSIBLE, or a flagged benign line.
    """
    by_lang: dict[str, dict[str, Any]] = {}
    by_cat: dict[str, dict[str, Any]] = {}
    total = _new()
    misses: list[dict[str, str]] = []
    for lang, label, category, text in load(path):
        level = (assess(read_words(text, lang)[1]) if rules else assess_text(text, lang)).level
        for s in (by_lang.setdefault(lang, _new()), by_cat.setdefault(category, _new()), total):
            s["n"][label] += 1
            if label == "clear":
                s["clear_any"] += level >= Level.POSSIBLE
                s["clear_clear"] += level is Level.CLEAR
            elif label == "possible":
                s["possible_any"] += level >= Level.POSSIBLE
            else:
                s["benign_possible"] += level is Level.POSSIBLE
                s["benign_clear"] += level is Level.CLEAR
        miss = (level is not Level.CLEAR if label == "clear" else level is Level.NONE if label == "possible"
                else level is not Level.NONE)
        if miss:
            misses.append({"lang": lang, "label": label, "category": category, "text": text, "level": level.name})
    return {"lang": {k: _rates(v) for k, v in by_lang.items()},
            "category": {k: _rates(v) for k, v in by_cat.items()},
            "all": _rates(total), "misses": misses}


def _pct(x: float, n: int) -> str:
    return f"{100 * x:5.1f}%" if n else "     -"


def _rows(title: str, items: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = [
        f"{title:10} {'clear':>5} {'poss':>5} {'benign':>6}  {'clear>=P':>8} {'clear=C':>8}  {'poss>=P':>8}"
        f"  {'benign=P':>8} {'benign=C':>8}",
    ]
    for name, s in items:
        n = s["n"]
        lines.append(
            f"{name:10} {n['clear']:5} {n['possible']:5} {n['benign']:6}  {_pct(s['clear_recall'], n['clear']):>8}"
            f" {_pct(s['clear_as_clear'], n['clear']):>8}  {_pct(s['possible_recall'], n['possible']):>8}"
            f"  {_pct(s['benign_possible'], n['benign']):>8} {_pct(s['benign_clear'], n['benign']):>8}"
        )
    return lines


def report(result: dict[str, Any]) -> str:
    lines = _rows("lang", sorted(result["lang"].items()))
    lines.append("")
    lines += _rows("category", sorted(result["category"].items()))
    lines.append("")
    lines += _rows("all", [("all", result["all"])])
    if result["misses"]:
        lines += ["", "misses:"]
        order = {"clear": 0, "possible": 1, "benign": 2}
        for m in sorted(result["misses"], key=lambda m: (order[m["label"]], m["category"], m["lang"])):
            lines.append(f"  {m['lang']} {m['label']:8} {m['category']:10} -> {m['level']:8} {m['text']}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    rules = "--rules" in argv[1:]
    paths = [Path(a) for a in argv[1:] if a != "--rules"] or [DEFAULT_PATH]
    for n, path in enumerate(paths):
        if len(paths) > 1:
            print(("\n" if n else "") + f"== {path}")
        print(report(evaluate(path, rules)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
