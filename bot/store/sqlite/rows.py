"""The repository: rows <-> domain objects (people, time-outs, couples, contracts, invites, history)."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.codec import dt, load_contract, load_session, session_fields, ts
from bot.core import contract, countries, couples, flow
from bot.core.events import ChoiceMade, CommandReceived, Event, TimerFired
from bot.core.model import CountryFrom, Couple, Fact, Invite, Person, Proposal, Timeout, TimeoutStatus
from bot.core.parse import fold
from bot.ports import UserRef
from bot.store.policy import HISTORY, HISTORY_MAX, code_hash, shown_name
from bot.store.port import Defaults

TIMEOUT_COLS = (
    "id, initiator, partner, started_at, return_at, extensions_used, status, ready, notified, ended_at, "
    "partner_started, partner_until, partner_extensions, hushed"
)


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.split(",") if x)


def _ids_text(ids: frozenset[int]) -> str:
    return ",".join(str(u) for u in sorted(ids))


@lru_cache(maxsize=1024)
def timeout_from(row: tuple[Any, ...]) -> Timeout:
    """A time-out row (ids, times, status: nothing private) -> Timeout; immutable, so cached by row."""
    tid, initiator, partner, started, ret, ext, status, ready, notified, ended, p_start, p_until, p_ext, hushed = row
    return Timeout(
        tid, initiator, partner, dt(started), dt(ret), ext, TimeoutStatus(status), _ids(ready), bool(notified),
        dt(ended) if ended else None, dt(p_start) if p_start else None, dt(p_until) if p_until else None,
        p_ext, _ids(hushed),
    )


def save_timeout(c: sqlite3.Connection, t: Timeout) -> None:
    c.execute(
        "INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, ready, "
        "notified, ended_at, partner_started, partner_until, partner_extensions, hushed, open_until) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "partner = excluded.partner, return_at = excluded.return_at, "
        "extensions_used = excluded.extensions_used, status = excluded.status, ready = excluded.ready, "
        "notified = excluded.notified, ended_at = excluded.ended_at, partner_started = excluded.partner_started, "
        "partner_until = excluded.partner_until, partner_extensions = excluded.partner_extensions, "
        "hushed = excluded.hushed, open_until = excluded.open_until",
        (t.id, t.initiator, t.partner, ts(t.started_at), ts(t.return_at), t.extensions_used, t.status.value,
         _ids_text(t.ready), int(t.notified), ts(t.ended_at) if t.ended_at else None,
         ts(t.partner_started) if t.partner_started else None, ts(t.partner_until) if t.partner_until else None,
         t.partner_extensions, _ids_text(t.hushed), ts(t.open_until)),
    )


def enqueue(
    c: sqlite3.Connection, to: int, payload: str, tag: str, now: datetime, expires: datetime | None,
    sender: int | None = None,
) -> None:
    # behind a message to the same person that waits for a retry: in order, so it waits with it (a nudge held
    # for the end of the quiet hours, due when it was meant for, holds up nothing)
    waiting = c.execute("SELECT max(due_at) FROM outbox WHERE user_id = ? AND due_at > created_at",
                        (to,)).fetchone()[0]
    due = max(ts(now), waiting or 0)
    c.execute(
        "INSERT INTO outbox (user_id, payload, tag, due_at, expires_at, created_at, sender) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (to, payload, tag, due, ts(expires) if expires else None, ts(now), sender),
    )


# -- people and time-outs -----------------------------------------------------------------------------------

shown_of = lru_cache(maxsize=2048)(shown_name)
"""Display names as the partner sees them (policy.shown_name), by the platform's name: checked on every event
of a person, so made once. Names are personal: emptied with the other caches on /forget and wipes."""


def load_user(c: sqlite3.Connection, ref: UserRef, now: datetime, d: Defaults) -> Person:
    """The person behind a platform account, created on first sight; name, chat and language kept current."""
    row = c.execute(
        "SELECT id, locale, tz, country, name, chat_id, unreachable, consent_at, safety_note, safety_plan, "
        "country_from, locale_chosen FROM users WHERE platform = ? AND external_id = ?",
        (ref.platform, ref.external_id),
    ).fetchone()
    if row is None:
        locale = ref.locale[:2].lower() if ref.locale[:2].lower() in flow.LOCALES else d.locale
        region = countries.region_of(ref.locale)  # Discord gives a region (en-US); Telegram only a language
        country, source = (region, CountryFrom.PLATFORM) if region else (d.country, CountryFrom.ASSUMED)
        cur = c.execute(
            "INSERT INTO users (platform, external_id, chat_id, name, locale, tz, country, country_from, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ref.platform, ref.external_id, ref.chat_id, shown_name(ref.name), locale, d.tz, country, source,
             ts(now)),
        )
        return Person(int(cur.lastrowid or 0), locale, d.tz, country, shown_name(ref.name), country_from=source)
    uid, locale, tz, country, name, chat_id, unreachable, consent_at, note, plan, source, chosen = row
    locale = follow_locale(c, uid, ref.locale, locale, bool(chosen))
    if (ref.chat_id and ref.chat_id != chat_id) or (ref.name and shown_of(ref.name) != name) or unreachable:
        name = shown_of(ref.name) or name
        c.execute(
            "UPDATE users SET chat_id = ?, name = ?, unreachable = 0 WHERE id = ?",
            (ref.chat_id or chat_id, name, uid),
        )
    return Person(uid, locale, tz, country, name, consent_at is not None, bool(note), plan, CountryFrom(source))

def load_person(c: sqlite3.Connection, uid: int) -> Person | None:
    """A person by id (None: erased since)."""
    row = c.execute(
        "SELECT id, locale, tz, country, name, consent_at IS NOT NULL, safety_note, safety_plan, country_from "
        "FROM users WHERE id = ?", (uid,)
    ).fetchone()
    return (Person(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7], CountryFrom(row[8]))
            if row else None)

def load_timeout(c: sqlite3.Connection, tid: str) -> Timeout | None:
    """A time-out by id."""
    row = c.execute(f"SELECT {TIMEOUT_COLS} FROM timeouts WHERE id = ?", (tid,)).fetchone()
    return timeout_from(row) if row else None

ACTIVE_TIMEOUT_SQL = (
    f"SELECT {TIMEOUT_COLS} FROM (SELECT * FROM timeouts WHERE initiator = ?1 "
    "AND status IN ('running', 'returning') UNION ALL SELECT * FROM timeouts WHERE partner = ?1 "
    "AND status IN ('running', 'returning')) WHERE open_until > ?2 ORDER BY +started_at DESC LIMIT 1"
)
"""The newest open time-out of ?1 at ?2. `+started_at`: sorting the one or two open ones beats walking the
(person, started_at) indexes through every past time-out of theirs (which SQLite picks to skip that sort);
this way each side seeks its partial index of open time-outs (timeouts_active_initiator / _partner)."""


def load_active_timeout(c: sqlite3.Connection, uid: int, now: datetime) -> Timeout | None:
    """The newest open time-out this person is in; never one past its latest possible end."""
    row = c.execute(ACTIVE_TIMEOUT_SQL, (uid, ts(now))).fetchone()
    return timeout_from(row) if row else None


# -- what one step may know besides the state -----------------------------------------------------------

_COUPLE_SQL = (
    "SELECT cp.id, u.id, u.locale, u.tz, u.country, u.name, act.version, act.data, "
    "pr.version, pr.proposed_by, pr.data, "
    "(SELECT max(version) FROM contracts WHERE couple_id = cp.id), "
    # the active contract as people count it: the accepted versions (a replaced proposal is 'withdrawn')
    "(SELECT count(*) FROM contracts WHERE couple_id = cp.id AND status IN ('active', 'superseded')) "
    "FROM (SELECT id, b AS other FROM couples WHERE a = ?1 UNION ALL SELECT id, a FROM couples WHERE b = ?1) cp "
    "JOIN users u ON u.id = cp.other "
    "LEFT JOIN contracts act ON act.couple_id = cp.id AND act.status = 'active' "
    "LEFT JOIN contracts pr ON pr.couple_id = cp.id AND pr.status = 'proposed' "
    "LIMIT 1"
)
_INVITE_SQL = (
    "SELECT user_id, expires_at, used_at, "
    "EXISTS (SELECT 1 FROM couples WHERE a = i.user_id) OR EXISTS (SELECT 1 FROM couples WHERE b = i.user_id), "
    "(SELECT data FROM sessions WHERE user_id = i.user_id) "  # the owner's own settings: the first proposal
    "FROM invites i WHERE code_hash = ?"
)
_UNANNOUNCED_SQL = (
    "SELECT 1 FROM outbox WHERE tag = ? AND tag <> '' AND user_id = ? AND instr(payload, '\"notice.start\"') > 0"
)
_JOIN_FAILURES_SQL = "SELECT count(*) FROM join_failures WHERE user_id = ? AND at > ?"
_HISTORY_SQL = (  # each break's extensions belong to the one who took it: "mine" and "theirs" by the role
    "SELECT t.started_at, t.mine, t.status, t.extensions_used > 0 OR t.partner_extensions > 0, "
    "m.outcome, m.tension_start, m.tension_after, m.feeling, m.under, "
    "CASE WHEN t.mine = 1 THEN t.extensions_used ELSE t.partner_extensions END > 0, "
    "CASE WHEN t.mine = 1 THEN t.partner_extensions ELSE t.extensions_used END > 0 "
    "FROM (SELECT id, 1 AS mine, status, extensions_used, partner_extensions, started_at FROM timeouts "
    "      WHERE initiator = ?1 AND started_at >= ?2 "
    "      UNION ALL SELECT id, 0, status, extensions_used, partner_extensions, started_at FROM timeouts "
    "      WHERE partner = ?1 AND started_at >= ?2) t "
    "LEFT JOIN timeout_members m ON m.timeout_id = t.id AND m.user_id = ?1 "
    "ORDER BY t.started_at DESC LIMIT ?3"
)

def first_value(row: tuple[Any, ...] | None) -> Any:
    return row[0] if row is not None else None


contract_of = lru_cache(maxsize=512)(load_contract)
"""Contracts as stored text -> Contract: immutable, so parsed once, not on every event of a paired person."""


def load_ctx(
    c: sqlite3.Connection, person: Person, event: Event, now: datetime,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes, timeout: Timeout | None = None, fresh: int = 0,
    *, newcomer: bool = False,
) -> flow.Ctx:
    """Everything `flow.step` may know besides the state, for this person and this event. `newcomer`: the
    person has no session yet (this is the first thing they ever sent)."""
    couple = load_couple(c, person.id)
    invite: Invite | None = None
    failures = 0
    code = ""
    history: tuple[Fact, ...] = ()
    if isinstance(event, CommandReceived):
        name = flow.COMMANDS.get(fold(event.name))
        if name == "pair":
            code = couples.new_code(random_bytes(8))
        elif name == "join" or (name == "start" and event.arg.strip()):  # /start CODE: a Telegram deep link
            invite = load_invite(c, event.arg, now)
            failures = c.execute(_JOIN_FAILURES_SQL, (person.id, ts(now - couples.JOIN_WINDOW))).fetchone()[0]
        elif name == "patterns":
            history = load_history(c, person.id, now)
    elif isinstance(event, ChoiceMade) and event.choice == "gd.pair":  # the guide's "make an invite code"
        code = couples.new_code(random_bytes(8))
    unannounced = False
    if timeout is not None and timeout.notified and timeout.status.active and not isinstance(event, TimerFired):
        # the partner was never told of this time-out yet: its start notice still waits in the outbox
        unannounced = c.execute(_UNANNOUNCED_SQL, (timeout.id, timeout.partner)).fetchone() is not None
    return flow.Ctx(
        now, person,
        partner=couple.partner if couple else None,
        contract=couple.contract if couple else contract.DEFAULT,
        couple=couple, invite=invite, join_failures=failures, fresh_code=code, history=history,
        unannounced=unannounced, fresh=fresh, newcomer=newcomer,
    )


def load_couple(c: sqlite3.Connection, uid: int) -> Couple | None:
    """The couple `uid` is in: partner, active contract (defaults before v1 is accepted), open proposal."""
    row = c.execute(_COUPLE_SQL, (uid,)).fetchone()
    if row is None:
        return None
    cid, pid, locale, tz, country, name, version, data, p_version, p_by, p_data, last, number = row
    proposal = Proposal(p_version, p_by or 0, contract_of(p_data)) if p_version is not None else None
    return Couple(
        cid, Person(pid, locale, tz, country, name),
        contract_of(data) if data is not None else contract.DEFAULT, version or 0, proposal, last or 0,
        number or 0,
    )


def load_invite(c: sqlite3.Connection, typed: str, now: datetime) -> Invite:
    """What a typed (or deep-linked) code refers to. Malformed and unknown codes look the same: not found."""
    code = couples.normalise_code(typed)
    if code is None:
        return Invite(found=False)
    row = c.execute(_INVITE_SQL, (code_hash(code),)).fetchone()
    if row is None:
        return Invite(found=False)
    owner, expires_at, used_at, owner_paired, session = row
    return Invite(True, owner, expires_at <= ts(now), used_at is not None, bool(owner_paired),
                  load_session(session).settings)


def load_history(c: sqlite3.Connection, uid: int, now: datetime) -> tuple[Fact, ...]:
    """This person's time-outs of the last HISTORY, oldest first: counts, own scores and own vocabulary ids."""
    rows = c.execute(_HISTORY_SQL, (uid, ts(now - HISTORY), HISTORY_MAX)).fetchall()
    return tuple(
        Fact(dt(started), bool(mine), status, bool(extended), outcome, t0, t1, feeling, under, bool(me), bool(them))
        for started, mine, status, extended, outcome, t0, t1, feeling, under, me, them in reversed(rows)
    )


# -- performing effects -----------------------------------------------------------------------------------


def follow_locale(c: sqlite3.Connection, uid: int, hint: str, locale: str, chosen: bool) -> str:
    """The person's language: the one they chose with /language, or else what their platform says now (a
    Discord interaction carries the client's locale, a plain DM none: then it stays as it was)."""
    said = hint[:2].lower()
    if chosen or said not in flow.LOCALES or said == locale:
        return locale
    c.execute("UPDATE users SET locale = ? WHERE id = ?", (said, uid))
    return said


def export_json(c: sqlite3.Connection, uid: int, now: datetime) -> bytes:
    """Everything stored about one person, as JSON. The partner's own data stays theirs: only their name."""

    def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = c.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    user = rows("SELECT platform, external_id, name, locale, tz, country, country_from, created_at, consent_at, "
                "safety_note, safety_plan FROM users WHERE id = ?", uid)
    session = c.execute("SELECT data FROM sessions WHERE user_id = ?", (uid,)).fetchone()
    couple = rows("SELECT c.id, c.created_at, u.name AS partner_name FROM couples c JOIN users u "
                  "ON u.id = CASE WHEN c.a = ?1 THEN c.b ELSE c.a END WHERE c.a = ?1 OR c.b = ?1", uid)
    contracts = rows("SELECT version, status, proposed_by = ?1 AS proposed_by_me, data, created_at, decided_at "
                     "FROM contracts WHERE couple_id IN (SELECT id FROM couples WHERE a = ?1 OR b = ?1)", uid)
    for k in contracts:  # the partner's own sentence is theirs
        data = json.loads(k["data"])
        data["sentences"] = [[u, t] for u, t in data.get("sentences", []) if u == uid]
        k["data"] = data
    out = {
        "exported_at": ts(now),
        "user": user[0] if user else None,
        "dialogue": session_fields(load_session(session[0])) if session else None,
        "couple": couple[0] if couple else None,
        "contracts": contracts,
        "time_outs": rows(
            "SELECT t.id, t.initiator = ?1 AS started_by_me, t.started_at, t.return_at, t.status, "
            "t.extensions_used, t.ended_at, m.role, m.outcome, m.tension_start, m.tension_after, m.feeling, "
            "m.under, m.need FROM timeouts t LEFT JOIN timeout_members m ON m.timeout_id = t.id AND m.user_id = ?1 "
            "WHERE t.initiator = ?1 OR t.partner = ?1", uid),
        "reminders": rows("SELECT kind, timeout_id, due_at FROM timers WHERE user_id = ?", uid),
        "messages_waiting": rows("SELECT payload, due_at FROM outbox WHERE user_id = ?", uid),
        "open_invites": rows("SELECT created_at, expires_at FROM invites WHERE user_id = ? AND used_at IS NULL", uid),
    }
    return json.dumps(out, ensure_ascii=False, indent=2).encode()
