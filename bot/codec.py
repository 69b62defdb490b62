"""JSON for core objects that are stored: sessions and outbox payloads. Times as unix seconds."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.effects import Choice, Msg, Pacer
from bot.core.model import Contract, Phase, Plan, Role, Session

_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
"""json.dumps with these options builds a new encoder on every call; this one is made once."""


def ts(at: datetime) -> int:
    return int(at.timestamp())


def dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


_PLAN_SLOTS: tuple[str, ...] = tuple(f.name for f in fields(Plan))
_SESSION_SLOTS: tuple[str, ...] = tuple(f.name for f in fields(Session) if f.name != "plan")
_PLAN_DEFAULTS = Plan()
_SESSION_DEFAULTS = Session()
_PLAN_DEFAULT_FIELDS: dict[str, Any] = dict(_PLAN_DEFAULTS.__dict__)
_SESSION_DEFAULT_FIELDS: dict[str, Any] = dict(_SESSION_DEFAULTS.__dict__)


def dump_session(s: Session) -> str:
    """Only what differs from a fresh session: an idle person's row is "{}", a busy one a few fields.
    (Session and Plan keep their fields in a plain __dict__: one C-level walk, no per-field getattr.)"""
    base = _SESSION_DEFAULT_FIELDS  # `is not` first: an untouched field is mostly the default object itself
    d: dict[str, Any] = {k: v for k, v in s.__dict__.items() if v is not base[k] and v != base[k]}
    if "plan" in d:
        plan = _PLAN_DEFAULT_FIELDS
        d["plan"] = {k: v for k, v in s.plan.__dict__.items() if v is not plan[k] and v != plan[k]}
    return _compact(d) if d else "{}"


def session_fields(s: Session) -> dict[str, Any]:
    """Every field of a session, defaults included (for /export, where a person reads it)."""
    d: dict[str, Any] = {n: getattr(s, n) for n in _SESSION_SLOTS}
    d["plan"] = {n: getattr(s.plan, n) for n in _PLAN_SLOTS}
    return d


_PLAN_FIELDS = {f.name for f in fields(Plan)}
_SESSION_FIELDS = {f.name for f in fields(Session)}


def load_session(text: str | None) -> Session:
    """A stored session; missing fields take their defaults (so older, longer rows load as well)."""
    if not text or text == "{}":
        return _SESSION_DEFAULTS
    d: dict[str, Any] = json.loads(text)
    plan = d.pop("plan", {}) or {}
    plan = {k: v for k, v in plan.items() if k in _PLAN_FIELDS}
    if "kept" in plan:
        plan["kept"] = tuple(plan["kept"])
    d = {k: v for k, v in d.items() if k in _SESSION_FIELDS}
    for name in ("notices", "answers"):
        if name in d:
            d[name] = tuple(d[name])
    for name in ("settings", "draft"):
        if name in d:
            d[name] = tuple((str(f), v) for f, v in d[name])
    if "phase" in d:
        d["phase"] = Phase(d["phase"])
    if "role" in d:
        d["role"] = Role(d["role"])
    if d.get("resume") is not None:
        d["resume"] = Phase(d["resume"])
    return Session(plan=Plan(**plan) if plan else _PLAN_DEFAULTS, **d)


def _enc(v: object) -> Any:
    if isinstance(v, Msg):
        return {"k": v.key, "p": [[n, _enc(x)] for n, x in v.params]}
    if isinstance(v, tuple):
        return {"l": [_enc(x) for x in v]}
    if isinstance(v, datetime):
        return {"t": ts(v)}
    return v


def _dec(v: Any) -> Any:
    if isinstance(v, dict):
        if "k" in v:
            return Msg(v["k"], tuple((n, _dec(x)) for n, x in v["p"]))
        if "l" in v:
            return tuple(_dec(x) for x in v["l"])
        if "t" in v:
            return dt(v["t"])
    return v


def dump_payload(msg: Msg, choices: tuple[Choice, ...] = (), pacer: Pacer | None = None) -> str:
    d: dict[str, Any] = {"m": _enc(msg)}
    if choices:
        d["c"] = [[c.id, _enc(c.label)] for c in choices]
    if pacer:
        d["b"] = [pacer.pattern, pacer.cycles]
    return _compact(d)


def load_payload(text: str) -> tuple[Msg, tuple[Choice, ...], Pacer | None]:
    d = json.loads(text)
    msg = _dec(d["m"])
    choices = tuple(Choice(cid, _dec(label)) for cid, label in d.get("c", ()))
    pacer = Pacer(d["b"][0], d["b"][1]) if "b" in d else None
    return msg, choices, pacer


def dump_contract(c: Contract) -> str:
    d: dict[str, Any] = {
        "min": int(c.min_break.total_seconds()), "default": int(c.default_break.total_seconds()),
        "max": int(c.max_break.total_seconds()), "extensions": c.extensions,
        "extension": int(c.extension.total_seconds()), "notify": c.notify_partner, "signal": c.signal_phrase,
        "sentences": [[u, t] for u, t in c.sentences], "rules": sorted(c.rules),
        "quiet": [c.quiet_start, c.quiet_end],
    }
    return _compact(d)


def load_contract(text: str) -> Contract:
    d = json.loads(text)
    return Contract(
        min_break=timedelta(seconds=d["min"]), default_break=timedelta(seconds=d["default"]),
        max_break=timedelta(seconds=d["max"]), extensions=d["extensions"],
        extension=timedelta(seconds=d["extension"]), notify_partner=d["notify"], signal_phrase=d["signal"],
        sentences=tuple((int(u), str(t)) for u, t in d["sentences"]), rules=frozenset(d["rules"]),
        quiet_start=d["quiet"][0], quiet_end=d["quiet"][1],
    )
