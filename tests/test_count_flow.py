"""Fewer, warmer messages (issue 14, point 5): the messages and taps from /timeout to the waiting menu, counted by
scripts/count_flow.py through the real core, so the figure in the README and the issue note is reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_way_to_the_waiting_menu_is_short():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "count_flow.py"), "--json"], capture_output=True,
                          text=True, timeout=60, check=True)
    got = json.loads(proc.stdout)
    # before issue 14: 16 messages, 10 taps and one typed answer (the topic), whatever the tension did
    assert got["calmer"] == {"messages": 8, "taps": 7, "typed": 0}
    assert got["still_high"] == {"messages": 9, "taps": 8, "typed": 0}  # one more: soothing before naming
    # the plan, later: the reminder, then opener, topic (typed), their side, your part, and the card with the menu
    assert got["prepare"] == {"messages": 6, "taps": 4, "typed": 1}
