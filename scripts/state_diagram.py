"""Generate the Mermaid state diagram of the fight flow by exploring the real core, and put it in the README.

    python scripts/state_diagram.py          # rewrite the diagram in README.md
    python scripts/state_diagram.py --check  # exit 1 when README.md is out of date (a test runs this)

It is read from the flow's table (bot/core/flow/table.py): each row's next step, and the table's other arrows.
Changing a step of the flow is one row there; this picture follows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core import flow
from bot.core.flow import table
from bot.core.model import Phase

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- state-diagram:start -->", "<!-- state-diagram:end -->"


def explore() -> set[tuple[str, str, str]]:
    """The arrows of the flow, read from its table: each row's "next / skip" step, plus the table's EDGES."""
    edges = {(a.value, b.value, label) for a, b, label in table.EDGES}
    for phase, row in flow.ROWS.items():
        if row.skip_to is not None:
            edges.add((phase.value, row.skip_to.value, "answer / skip"))
    return edges


def mermaid(edges: set[tuple[str, str, str]]) -> str:
    def node(p: str) -> str:
        return p.replace(".", "_")

    grouped: dict[tuple[str, str], list[str]] = {}
    for a, b, label in sorted(edges):
        grouped.setdefault((a, b), []).append(label)
    lines = ["```mermaid", "stateDiagram-v2", "    [*] --> idle"]
    for (a, b), labels in sorted(grouped.items(), key=lambda kv: (list(Phase).index(Phase(kv[0][0])), kv[0][1])):
        shown = ", ".join(labels[:3]) + (", …" if len(labels) > 3 else "")
        lines.append(f"    {node(a)} --> {node(b)}: {shown}")
    lines.append("    note right of safety: from every state: /safety, the 'I don't feel safe' button, a danger signal")
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    block = f"{START}\n{mermaid(explore())}\n{END}"
    text = README.read_text("utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + block + tail
    if "--check" in argv:
        if new != text:
            print("README.md's state diagram is out of date: run python scripts/state_diagram.py")
            return 1
        return 0
    README.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
