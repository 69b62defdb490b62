"""Differential check for the danger detector: does it still decide exactly what it decided before?

Usage: python scripts/safety_same.py record OUT.json      (write what the detector says now)
       python scripts/safety_same.py check OUT.json       (compare with a recording; exit 1 on any change)

For speed work on ``bot/reader.py``, ``bot/lexicon.py`` and ``bot/core/danger.py``: changes that alter how
the detector computes, never what it decides. Record before a change, check after it. The texts are every
line of ``tests/safety/*.tsv`` and ``tests/safety/first_contact/*.tsv`` (read with no language hint and with
the line's own), the benchmark's generated 4,000-character texts (dense and ordinary), and random
concatenations of those lines with random separators cut at random points (some longer than 4,000
characters: the whole text is read). For each text it records the reading (a digest of the concepts per
token), the assessment (level and categories) and what ``explain`` says fired (frame, level, children, long
ago, positions), order-free. Each text is read twice, once with the reader's memo emptied, so a memo that
remembers wrongly shows too.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import reader  # noqa: E402
from bot.core import danger  # noqa: E402
from scripts.bench_safety import messages  # noqa: E402

SAFETY = ROOT / "tests" / "safety"
SETS = sorted(SAFETY.glob("*.tsv")) + sorted((SAFETY / "first_contact").glob("*.tsv"))
_SEPARATORS = (". ", " ", ", ", "\n", "! ", "? ", " lol ", " 😭 ", "... ", " en ", " and ", "")


def _lines() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in SETS:
        for raw in path.read_text("utf-8").splitlines():
            if raw.count("\t") == 3 and not raw.startswith("lang\t") and not raw.startswith("#"):
                lang, _, _, text = raw.split("\t")
                out.append((lang, text))
    return out


def cases() -> list[tuple[str, str | None]]:
    """(text, hint) pairs, the same on every run."""
    lines = _lines()
    out: list[tuple[str, str | None]] = []
    for lang, text in lines:
        out.append((text, None))
        out.append((text, lang))
    for ordinary in (False, True):
        out.extend((t, None) for t in messages(150, 4000, seed=7, ordinary=ordinary))
    rng = random.Random(12)
    for n in range(600):
        count = rng.choice((2, 3, 5, 10, 40, 80))
        parts: list[str] = []
        for _ in range(count):
            parts.append(rng.choice(lines)[1])
            parts.append(rng.choice(_SEPARATORS))
        text = "".join(parts)
        if len(text) > 20 and n % 3:
            cut = rng.randrange(1, len(text))
            text = text[:cut] if n % 2 else text[cut:]
        out.append((text, rng.choice((None, "nl", "en"))))
    for _ in range(20):  # longer than any message an adapter passes: the whole text is read
        out.append((" ".join(rng.choice(lines)[1] for _ in range(150)), None))
    return out


def _digest(reading: danger.Reading) -> str:
    h = hashlib.sha256()
    for t in reading:
        h.update(",".join(sorted(t)).encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


def _frame_number(frame: danger.Frame) -> int:
    for n, f in enumerate(danger.FRAMES):
        if f is frame:
            return n
    raise LookupError(frame)


def outcome(text: str, hint: str | None) -> dict[str, Any]:
    reading = reader.read(text, hint)
    a = danger.assess(reading)
    fired = sorted(
        [_frame_number(f.frame), int(f.level), f.kids, f.past, sorted(f.where)] for f in danger.explain(reading)
    )
    categories = sorted(str(c.value) for c in a.categories)
    return {"reading": _digest(reading), "level": int(a.level), "categories": categories, "fired": fired}


def _clear_memos() -> None:
    forget = getattr(reader, "forget", None)
    if forget is not None:
        forget()
    else:  # the reader before it had its memos emptied by name
        for memo in reader._memo.values():
            memo.clear()


def run() -> list[dict[str, Any]]:
    reader.warm()
    out = []
    for text, hint in cases():
        warm = outcome(text, hint)
        _clear_memos()
        cold = outcome(text, hint)
        if cold != warm:
            raise SystemExit(f"warm and cold readings differ for {text[:60]!r}")
        out.append(warm)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("record", "check"):
        print(__doc__)
        return 2
    path = Path(argv[2])
    got = run()
    if argv[1] == "record":
        path.write_text(json.dumps(got), "utf-8")
        print(f"recorded {len(got)} texts to {path}")
        return 0
    want = json.loads(path.read_text("utf-8"))
    texts = cases()
    if len(want) != len(got):
        print(f"{len(want)} texts recorded, {len(got)} now: the cases changed")
        return 1
    differ = [n for n, (w, g) in enumerate(zip(want, got, strict=True)) if w != g]
    for n in differ[:20]:
        print(f"DIFFERS #{n} {texts[n][0][:70]!r}\n  was {want[n]}\n  now {got[n]}")
    print(f"{len(got)} texts, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
