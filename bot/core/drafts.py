"""A contract as a few changed fields ("overrides"), and a change set in plain words.

Personal settings (someone alone) are overrides over the defaults; an unsent draft (someone in a couple) is
overrides over the contract it will change. Both are kept in the person's session as pairs (field, value), with
values plain JSON (seconds, counts, text), so a session row stays small and readable in /export.
A draft holds only the fields its author changed: when the partner's change is accepted meanwhile, sending the
draft does not undo it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from . import contract as rules
from .couples import FIELDS, RULES, quiet_text
from .effects import Msg
from .model import Contract

Value = str | int
Overrides = tuple[tuple[str, Value], ...]

PERSONAL = tuple(f for f in FIELDS if f != "notify")
"""What someone alone can set for themselves (a notice to a partner means nothing without one)."""


def value(k: Contract, field: str, me: int) -> Value:
    """One field of a contract as a plain value (the sentence: `me`'s own)."""
    match field:
        case "min":
            return int(k.min_break.total_seconds())
        case "default":
            return int(k.default_break.total_seconds())
        case "max":
            return int(k.max_break.total_seconds())
        case "extensions":
            return k.extensions
        case "notify":
            return int(k.notify_partner)
        case "signal":
            return k.signal_phrase
        case "sentence":
            return k.sentence_of(me)
        case "rules":
            return ",".join(r for r in RULES if r in k.rules)
        case "quiet":
            return f"{k.quiet_start}-{k.quiet_end}"
    raise ValueError(field)


def overrides(base: Contract, new: Contract, me: int, fields: tuple[str, ...] = FIELDS) -> Overrides:
    """The fields of `new` that differ from `base`, in the order of FIELDS."""
    return tuple((f, value(new, f, me)) for f in fields if value(new, f, me) != value(base, f, me))


def merge(first: Overrides, then: Overrides) -> Overrides:
    """`first` with the fields of `then` laid over it, in the order of FIELDS."""
    d = dict(first)
    d.update(then)
    return tuple((f, d[f]) for f in FIELDS if f in d)


def apply(base: Contract, ovr: Overrides, me: int) -> Contract:
    """`base` with the overrides laid over it. A value that does not fit (an old row, a changed base) is left out,
    and a result out of bounds falls back to `base`: stored settings never break a step."""
    k = base
    for field, v in ovr:
        k = _set(k, field, v, me)
    return k if not rules.validate(k) else base


def _set(k: Contract, field: str, v: Value, me: int) -> Contract:
    if field in ("min", "default", "max", "extensions", "notify"):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10**7:
            return k
        if field == "min":
            return replace(k, min_break=timedelta(seconds=v))
        if field == "default":
            return replace(k, default_break=timedelta(seconds=v))
        if field == "max":
            return replace(k, max_break=timedelta(seconds=v))
        if field == "extensions":
            return replace(k, extensions=v)
        return replace(k, notify_partner=bool(v))
    if not isinstance(v, str):
        return k
    if field == "signal":
        return replace(k, signal_phrase=v[: rules.SIGNAL_MAX])
    if field == "sentence":
        others = tuple((u, s) for u, s in k.sentences if u != me)
        return replace(k, sentences=(*others, (me, v[: rules.SENTENCE_MAX])) if v else others)
    if field == "rules":
        return replace(k, rules=frozenset(r for r in v.split(",") if r in RULES))
    if field == "quiet":
        start, _, end = v.partition("-")
        if start.isdecimal() and end.isdecimal() and int(start) < 1440 and int(end) < 1440:  # int() takes these
            return replace(k, quiet_start=int(start), quiet_end=int(end))
    return k


def fingerprint(ovr: Overrides) -> str:
    """A short name for one state of a draft: the buttons under it name it, so an older draft's button is stale."""
    return hashlib.sha256(repr(ovr).encode()).hexdigest()[:10]


def personal(ovr: Overrides, me: int) -> Contract:
    """Someone's own settings: the defaults with their overrides."""
    return apply(rules.DEFAULT, ovr, me) if ovr else rules.DEFAULT


def first_contract(inviter: Overrides, inviter_id: int, joiner: Overrides, joiner_id: int) -> Contract:
    """The first proposal at pairing: both people's own settings. Where both set a field differently, the
    inviter's holds (they asked first); each keeps their own sentence."""
    k = apply(rules.DEFAULT, tuple((f, v) for f, v in joiner if f in PERSONAL), joiner_id)
    return apply(k, tuple((f, v) for f, v in inviter if f in PERSONAL), inviter_id)


# -- a change set in words ------------------------------------------------------------------------------------


def _dur(seconds: int) -> Msg:
    from .flow.build import dur

    return dur(timedelta(seconds=seconds))


def changes(old: Contract, new: Contract, me: int, partner: int | None) -> tuple[Msg, ...]:
    """Each field that differs, as one line "Shortest break: 20 min → 45 min", seen by `me`."""
    out: list[Msg] = []
    for f in ("min", "default", "max"):
        a, b = value(old, f, me), value(new, f, me)
        if a != b:
            out.append(Msg.of(f"contract.change.{f}", old=_dur(int(a)), new=_dur(int(b))))
    if old.extensions != new.extensions:
        out.append(Msg.of("contract.change.extensions", old=old.extensions, new=new.extensions))
    if old.notify_partner != new.notify_partner:
        out.append(Msg.of("contract.change.notify", old=_yes(old.notify_partner), new=_yes(new.notify_partner)))
    if old.signal_phrase != new.signal_phrase:
        out.append(Msg.of("contract.change.signal", old=_said(old.signal_phrase), new=_said(new.signal_phrase)))
    for who in (me, partner):
        if who is not None and old.sentence_of(who) != new.sentence_of(who):
            out.append(Msg.of("contract.change.my_sentence" if who == me else "contract.change.their_sentence",
                              old=_said(old.sentence_of(who)), new=_said(new.sentence_of(who))))
    for r in RULES:
        if (r in old.rules) != (r in new.rules):
            out.append(Msg.of("contract.change.rule_on" if r in new.rules else "contract.change.rule_off",
                              rule=Msg.of(f"contract.rulename.{r}")))
    if (old.quiet_start, old.quiet_end) != (new.quiet_start, new.quiet_end):
        out.append(Msg.of("contract.change.quiet", old=_quiet(old), new=_quiet(new)))
    return tuple(out)


def _yes(flag: bool) -> Msg:
    return Msg.of("contract.value.yes" if flag else "contract.value.no")


def _said(text: str) -> Msg:
    return Msg.of("contract.said", text=text) if text else Msg.of("contract.said_none")


def _quiet(k: Contract) -> Msg:
    q = quiet_text(k)
    return Msg.of("contract.value.plain", text=q) if q else Msg.of("contract.value.off")
