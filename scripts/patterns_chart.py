"""Draw the example `/patterns` chart the README shows, through the real core and the real renderer.

    python scripts/patterns_chart.py              # write docs/patterns-example.png (English) and -nl.png (Dutch)
    python scripts/patterns_chart.py --out DIR    # somewhere else (the test writes to a temporary folder)

Twelve weeks of an invented couple, seen by one of them: 14 time-outs, returns kept, extended and missed (weeks
apart, not in a row), who started and who asked extra time, and their own tension before and after.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core import patterns
from bot.core.model import Fact
from bot.i18n import Renderer
from bot.media import patterns_chart

NOW = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
TZ = "Europe/Amsterdam"
DOCS = Path(__file__).resolve().parent.parent / "docs"

# (days ago, status, started by me, extended by me, extended by the partner, tension before, after)
HISTORY = (
    (86, "returned", True, False, False, 8, 5), (83, "returned", False, False, True, 7, 4),
    (81, "missed", True, False, False, 9, 6), (66, "returned", True, True, False, 8, 4),
    (57, "missed", False, False, False, None, None), (55, "returned", False, False, False, 7, 3),
    (43, "returned", True, False, False, 8, 4), (38, "cancelled", False, False, False, None, None),
    (30, "returned", True, True, False, 7, 4), (17, "returned", False, False, False, 6, 3),
    (15, "returned", True, False, False, 8, 3), (12, "returned", False, False, True, 7, 4),
    (6, "returned", True, False, False, 6, 3), (2, "returned", True, False, False, 7, 3),
)


def facts() -> tuple[Fact, ...]:
    return tuple(
        Fact(NOW - timedelta(days=d, hours=d % 3), me, status, mine or theirs, None, before, after,
             extended_by_me=mine, extended_by_partner=theirs)
        for d, status, me, mine, theirs, before, after in HISTORY
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DOCS)
    out = parser.parse_args(argv).out
    chart = patterns.chart(facts(), NOW, paired=True, tz=TZ)
    assert chart is not None
    out.mkdir(parents=True, exist_ok=True)
    for locale, name in (("en", "patterns-example.png"), ("nl", "patterns-example-nl.png")):
        path = out / name
        path.write_bytes(patterns_chart.render(chart, Renderer(locale, TZ, NOW)))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
