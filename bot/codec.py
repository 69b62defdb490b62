"""JSON for core objects that are stored: sessions and outbox payloads. Times as unix seconds."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.effects import Choice, Msg, Pacer
from bot.core.model import Contract, Phase, Plan, Role, Session


def ts(at: datetime) -> int:
    return int(at.timestamp())


def dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


_PLAN_SLOTS: tuple[str, ...] = tuple(f.name for f in fields(Plan))
_SESSION_SLOTS: tuple[str, ...] = tuple(f.name for f in fields(Session))


def dump_session(s: Session) -> str:
    # A shallow walk over the slots: dataclasses.asdict deep-copies and costs ~5x more on the hot path.
    d: dict[str, Any] = {n: getattr(s, n) for n in _SESSION_SLOTS}
    d["plan"] = {n: getattr(s.plan, n) for n in _PLAN_SLOTS}
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


_PLAN_FIELDS = {f.name for f in fields(Plan)}
_SESSION_FIELDS = {f.name for f in fields(Session)}


def load_session(text: str | None) -> Session:
    if not text:
        return Session()
    d: dict[str, Any] = json.loads(text)
    plan = d.pop("plan", {}) or {}
    plan = {k: v for k, v in plan.items() if k in _PLAN_FIELDS}
    plan["kept"] = tuple(plan.get("kept", ()))
    d = {k: v for k, v in d.items() if k in _SESSION_FIELDS}
    d["notices"] = tuple(d.get("notices", ()))
    d["phase"] = Phase(d.get("phase", "idle"))
    d["role"] = Role(d.get("role", "initiator"))
    if d.get("resume") is not None:
        d["resume"] = Phase(d["resume"])
    return Session(plan=Plan(**plan), **d)


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
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


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
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def load_contract(text: str) -> Contract:
    d = json.loads(text)
    return Contract(
        min_break=timedelta(seconds=d["min"]), default_break=timedelta(seconds=d["default"]),
        max_break=timedelta(seconds=d["max"]), extensions=d["extensions"],
        extension=timedelta(seconds=d["extension"]), notify_partner=d["notify"], signal_phrase=d["signal"],
        sentences=tuple((int(u), str(t)) for u, t in d["sentences"]), rules=frozenset(d["rules"]),
        quiet_start=d["quiet"][0], quiet_end=d["quiet"][1],
    )
