"""The catalogs: same keys and placeholders in nl and en, and every key the core can emit exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.core import breathing, countries, couples, feelings, flow, patterns
from bot.i18n import LOCALES, catalog, placeholders

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
# used by the shell and the adapters, or dynamic families checked below
NOT_EMITTED = ("pacer.", "time.", "error.", "help.", "menu.", "telegram.", "discord.", "delivery.")


def test_same_keys_in_every_language():
    nl, en = catalog("nl"), catalog("en")
    assert set(nl) == set(en), set(nl) ^ set(en)


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_same_placeholders(key):
    assert placeholders(catalog("nl")[key]) == placeholders(catalog("en")[key]), key


def literal_keys() -> set[str]:
    """Every catalog key written as a literal in the core: Msg.of("k"), b.say("k"), _c(id, "k"), …"""
    keys: set[str] = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            pos = {"of": 0, "say": 0, "tell_partner": 0, "c": 1, "notify": 1}.get(name)
            if pos is not None and len(node.args) > pos:
                keys |= constants(node.args[pos])
            keys |= {k for kw in node.keywords if kw.arg == "hint" for k in constants(kw.value)}
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            # reply keys handed back by the couple rules: return "extend.not_yours"
            if isinstance(node, ast.Return) and node.value is not None and path.parent.name == "flow":
                keys |= {k for k in constants(node.value) if "." in k and " " not in k}
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            # tables of keys, such as HINTS = {Phase.X: "hint.when"}
            if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "HINTS" for t in targets):
                    for v in node.value.values:
                        keys |= constants(v)
    return keys


def constants(arg: ast.expr) -> set[str]:
    """String constants an argument can evaluate to ("a" and "b" in `"a" if x else "b"`)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):
        return constants(arg.body) | constants(arg.orelse)
    return set()


def dynamic_keys() -> set[str]:
    """Keys the core builds from its vocabularies and data."""
    keys = {f"feeling.{f}" for f in feelings.FEELINGS} | {f"need.{n}" for n in feelings.NEEDS}
    keys |= {f"own.{o}" for o in (*feelings.OWN_PARTS, *feelings.OWN_PARTS_PURSUER)}
    keys |= {f"selfcare.{s}" for s in feelings.SELF_CARE}
    keys |= {f"soothe.tip.{s}" for s in feelings.SOOTHING} | {f"choice.soothe.{s}" for s in feelings.SOOTHING}
    keys |= {row.hint for row in flow.ROWS.values()}
    keys |= {f"check.a6.{a}" for a in range(3)} | {"check.q6"}
    keys |= {f"pattern.{p}.{x}" for p in breathing.PATTERNS for x in ("name", "how")}
    keys |= {f"pacer.{p}" for p in breathing.PHASE_KEYS} | {"pacer.cycle", "pacer.done"}
    keys |= {"pause.too_short", "pause.too_long", "after.thanks.good", "after.thanks.so_so", "language.nl",
             "language.en"}
    keys |= {f"contract.{d}" for d in ("accepted", "rejected", "withdrawn")}
    keys |= {f"contract.{d}.notice" for d in ("accepted", "rejected", "withdrawn")}
    keys |= {f"contract.field.{f}" for f in couples.FIELDS} | {f"contract.ask.{f}" for f in couples.VALUES}
    keys |= {f"contract.type.{f}" for f in couples.TEXT_FIELDS} | {f"contract.rule.{r}" for r in couples.RULES}
    keys |= {"contract.value.duration", "contract.value.yes", "contract.value.no", "contract.value.off",
             "contract.value.plain"}
    keys |= {f"sentence.part.{p}" for p in ("boundary", "acknowledgement", "return")}
    keys |= {"contract.bad.duration", "contract.bad.extensions", "contract.bad.notify", "contract.bad.rules",
             "contract.bad.quiet", "contract.bad.field", "contract.bad.link"}
    keys |= {"contract.bad.min_break", "contract.bad.max_break", "contract.bad.default_break",
             "contract.bad.signal_phrase", "contract.bad.sentence"}  # from contract.validate
    keys |= {f"choice.contract.{v}" for v in ("accept", "reject", "withdraw")}  # agreements._decision
    keys |= {f"contract.change.{f}" for f in ("min", "default", "max")}  # drafts.changes
    keys |= {f"contract.rulename.{r}" for r in couples.RULES}
    keys |= patterns.keys()
    keys |= {f"check.q{q}" for q in range(1, 6)} | {f"check.a{q}.{a}" for q in range(1, 6) for a in range(3)}
    keys |= {f"check.result.{r}" for r in ("noise", "mixed", "unsafe")}
    keys |= {countries.name_key(c) for c in countries.CODES} | {"export.caption"}
    keys |= {"dial.one_also", "dial.split", "dial.split_also"}  # chosen by the shape of a country's numbers
    for country in (*countries.CODES, "ZZ"):
        keys |= {f"help.{h.id}.{x}" for h in countries.helplines(country) for x in ("name", "what")}
    return keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_the_core_emits_exists(locale):
    missing = (literal_keys() | dynamic_keys()) - set(catalog(locale))
    assert not missing, missing


def test_no_orphan_keys():
    used = literal_keys() | dynamic_keys()
    orphans = {k for k in catalog("en") if k not in used and not k.startswith(NOT_EMITTED)}
    assert not orphans, orphans


def test_literal_scan_finds_keys():
    assert {"pause.when", "notice.start", "choice.safety", "return.ping"} <= literal_keys()


def test_menu_commands_are_understood_and_described():
    from bot.core.flow import COMMANDS
    from bot.menu import MENU

    for entry in MENU:
        assert COMMANDS[entry.name] == entry.name and COMMANDS[entry.nl] == entry.name, entry
        for locale in LOCALES:
            assert 0 < len(catalog(locale)[entry.description_key]) <= 100


RELATIONAL = {
    # every notice about a time-out: the boundary (a break), an acknowledgement (not a no; it matters), a return
    "en": (("break", "time-out"), ("isn't a no", "not a no", "matters"), ("back", "until", "ready", "over", "again")),
    "nl": (("time-out", "pauze"), ("geen nee", "belangrijk", "ertoe doet"),
           ("terug", "tot", "klaar", "voorbij", "weer")),
}
TIMEOUT_NOTICES = ("notice.start", "notice.extended", "notice.merged", "notice.ready_early", "notice.both_ready",
                   "notice.cancelled", "notice.solo", "notice.solo_later", "notice.not_told")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", TIMEOUT_NOTICES)
def test_every_time_out_notice_is_a_relational_no(locale, key):
    text = catalog(locale)[key].lower()
    boundary, acknowledgement, ret = RELATIONAL[locale]
    assert any(b in text for b in boundary), f"{locale} {key}: no boundary"
    assert any(a in text for a in acknowledgement), f"{locale} {key}: no acknowledgement"
    assert any(r in text for r in ret), f"{locale} {key}: no return"
    if key in ("notice.start", "notice.extended", "notice.merged", "notice.solo", "notice.solo_later"):
        assert "{time}" in text, f"{locale} {key}: the time of return"
