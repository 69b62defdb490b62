"""Evaluate bot.core.safety.assess on the labelled set (tests/safety/labelled.tsv).

Usage: python scripts/safety_eval.py [path/to/labelled.tsv]

The set has one message per line: ``lang<TAB>label<TAB>category<TAB>text`` with label one of
``clear``, ``possible``, ``benign``. A header line starting with ``lang`` and lines starting with
``#`` are skipped. Per language this prints: recall on clear danger (share reaching at least
POSSIBLE, and how many reached CLEAR), recall on possible (share reaching at least POSSIBLE),
and the benign rates (share flagged POSSIBLE, share flagged CLEAR); then every miss.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "tests" / "safety" / "labelled.tsv"
LABELS = ("clear", "possible", "benign")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.safety import Level, assess  # noqa: E402


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


def evaluate(path: Path | str = DEFAULT_PATH) -> dict[str, Any]:
    """Score every line; returns ``{lang: stats}`` with counts, rates and misses per language.

    stats keys: ``n`` (lines per label), ``clear_recall`` (clear lines at >= POSSIBLE),
    ``clear_as_clear`` (clear lines at CLEAR), ``possible_recall`` (possible lines at >= POSSIBLE),
    ``benign_possible`` (benign lines at exactly POSSIBLE), ``benign_clear`` (benign lines at CLEAR),
    ``benign_flagged`` (benign at >= POSSIBLE), and ``misses``: a list of dicts (label, category, text,
    level) for clear/possible lines that stayed NONE, clear lines that only reached POSSIBLE, and
    benign lines that were flagged.
    """
    result: dict[str, Any] = {}
    for lang, label, category, text in load(path):
        stats = result.setdefault(
            lang,
            {"n": dict.fromkeys(LABELS, 0), "hits": {"clear_any": 0, "clear_clear": 0, "possible_any": 0,
                                                     "benign_possible": 0, "benign_clear": 0},
             "misses": []},
        )
        level = assess(text).level
        stats["n"][label] += 1
        hits = stats["hits"]
        miss = False
        if label == "clear":
            hits["clear_any"] += level >= Level.POSSIBLE
            hits["clear_clear"] += level is Level.CLEAR
            miss = level is not Level.CLEAR
        elif label == "possible":
            hits["possible_any"] += level >= Level.POSSIBLE
            miss = level is Level.NONE
        else:
            hits["benign_possible"] += level is Level.POSSIBLE
            hits["benign_clear"] += level is Level.CLEAR
            miss = level is not Level.NONE
        if miss:
            stats["misses"].append({"label": label, "category": category, "text": text, "level": level.name})
    for stats in result.values():
        n, hits = stats["n"], stats.pop("hits")
        stats["clear_recall"] = _share(hits["clear_any"], n["clear"])
        stats["clear_as_clear"] = _share(hits["clear_clear"], n["clear"])
        stats["possible_recall"] = _share(hits["possible_any"], n["possible"])
        stats["benign_possible"] = _share(hits["benign_possible"], n["benign"])
        stats["benign_clear"] = _share(hits["benign_clear"], n["benign"])
        stats["benign_flagged"] = _share(hits["benign_possible"] + hits["benign_clear"], n["benign"])
    return result


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def report(result: dict[str, Any]) -> str:
    lines = [
        f"{'lang':4}  {'clear':>5} {'possible':>8} {'benign':>6}  {'clear>=P':>8} {'clear=C':>8}"
        f"  {'poss>=P':>8}  {'benign=P':>8} {'benign=C':>8}",
    ]
    for lang in sorted(result):
        s = result[lang]
        n = s["n"]
        lines.append(
            f"{lang:4}  {n['clear']:5} {n['possible']:8} {n['benign']:6}  {_pct(s['clear_recall']):>8}"
            f" {_pct(s['clear_as_clear']):>8}  {_pct(s['possible_recall']):>8}"
            f"  {_pct(s['benign_possible']):>8} {_pct(s['benign_clear']):>8}"
        )
    for lang in sorted(result):
        misses = result[lang]["misses"]
        if misses:
            lines.append("")
            lines.append(f"misses [{lang}]:")
            lines.extend(
                f"  {m['label']:8} {m['category']:10} -> {m['level']:8} {m['text']}" for m in misses
            )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    print(report(evaluate(path)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
