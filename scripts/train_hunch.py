"""Train the learned hunch (bot/hunch.py) on the tuning sets: its weights go to bot/i18n/hunch.tsv (danger
against benign) and bot/i18n/hunch_clear.tsv (clear danger against the rest).

Usage: python scripts/train_hunch.py [--check] [--hold-out PATH ...]

Trained on tests/safety/labelled.tsv, every tests/safety/blind_r*.tsv and the half of the time-out talk
meant for training (tests/safety/talk/timeout_talk_train.tsv: ordinary messages sent mid time-out) -- never
on a set under tests/safety/first_contact/, which stays unseen by rules and model alike until its round, nor
on tests/safety/talk/timeout_talk_unseen.tsv, the other half, kept to measure. Deterministic:
the same sets give the same file. ``--check`` only says whether the shipped file was trained on the sets as
they are now (tests/core/test_hunch.py runs the same check). ``--hold-out`` trains without the given sets and
prints, for each, what the rules alone and the rules with the hunch decide (a blind estimate), without
writing anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import hunch  # noqa: E402
from bot.core.danger import Level, assess  # noqa: E402
from bot.reader import read_words  # noqa: E402

SETS = ROOT / "tests" / "safety"
SEED, EPOCHS = 1, 30


VOCABULARY = sorted((ROOT / "bot" / "i18n").glob("*/danger.toml"))
"""The model's concept features come from the vocabulary: a change there is a retrain too."""


def training_sets(hold_out: list[Path] | None = None) -> list[Path]:
    held = {p.resolve() for p in hold_out or []}
    sets = [SETS / "labelled.tsv", *sorted(SETS.glob("blind_r*.tsv")), SETS / "talk" / "timeout_talk_train.tsv"]
    return [p for p in sets if p.resolve() not in held]


def rows_of(path: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for raw in path.read_text("utf-8").splitlines():
        parts = raw.split("\t")
        if len(parts) == 4 and parts[0] in ("nl", "en") and not raw.startswith("#"):
            rows.append((parts[0], parts[1], parts[2], parts[3]))
    return rows


def header_fingerprint(text: str) -> str | None:
    for raw in text.splitlines():
        if raw.startswith("# fingerprint "):
            return raw.split()[2]
    return None


def trained(paths: list[Path]) -> hunch.Hunch:
    rows = [r for p in paths for r in rows_of(p)]
    danger = hunch.train(list(hunch.examples_of(rows, read_words)), epochs=EPOCHS, seed=SEED)
    clear = hunch.train(list(hunch.examples_of(rows, read_words, frozenset({"clear"}))), epochs=EPOCHS, seed=SEED)
    return hunch.Hunch(danger, clear)


def estimate(model: hunch.Hunch, path: Path) -> str:
    counts: dict[str, list[int]] = {}
    for lang, label, _cat, text in rows_of(path):
        words, reading = read_words(text, lang)
        alone = assess(reading).level
        both = assess(hunch.mark(model, words, reading)).level
        c = counts.setdefault(label, [0, 0, 0, 0, 0])
        c[0] += 1
        c[1] += alone >= Level.POSSIBLE
        c[2] += alone >= Level.CLEAR
        c[3] += both >= Level.POSSIBLE
        c[4] += both >= Level.CLEAR
    lines = [f"{path.name}: label, lines, rules asked / to help, rules+hunch asked / to help"]
    for label in ("clear", "possible", "benign"):
        n, a, h, a2, h2 = counts.get(label, [0, 0, 0, 0, 0])
        if n:
            lines.append(f"  {label:<9}{n:>4}   {a / n:6.1%} / {h / n:6.1%}   {a2 / n:6.1%} / {h2 / n:6.1%}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--hold-out", nargs="*", type=Path, default=[])
    args = ap.parse_args(argv[1:])
    paths = training_sets(args.hold_out)
    fp = hunch.fingerprint([*paths, *VOCABULARY])
    if args.check:
        shipped = {header_fingerprint(f.read_text("utf-8")) if f.exists() else None
                   for f in (hunch.WEIGHTS, hunch.CLEAR_WEIGHTS)}
        ok = shipped == {fp}
        print("up to date" if ok else f"stale: trained on {shipped}, sets are now {fp}: run scripts/train_hunch.py")
        return 0 if ok else 1
    model = trained(paths)
    if args.hold_out:
        for path in args.hold_out:
            print(estimate(model, path))
        return 0
    header = [
        "The learned hunch's weights (bot/hunch.py): feature kind, its parts, weight. Made by",
        "(this file: {what})",
        "scripts/train_hunch.py -- do not edit by hand; retrain when a tuning set changes.",
        "kinds: w word, b word pair, c concept, p neighbouring concepts; bias is the model's intercept.",
        f"trained on: {', '.join(p.name for p in paths)} (seed {SEED}, {EPOCHS} epochs), read with the",
        "vocabulary of bot/i18n/*/danger.toml as it was then",
        f"fingerprint {fp}",
    ]
    for path, m, what in ((hunch.WEIGHTS, model.danger, "clear or possible danger against benign"),
                          (hunch.CLEAR_WEIGHTS, model.clear, "clear danger against possible and benign")):
        path.write_text(hunch.dump(m, [h.format(what=what) for h in header]), "utf-8")
        print(f"wrote {path.relative_to(ROOT)}: {len(m.weights)} weights, fingerprint {fp}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
