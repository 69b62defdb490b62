"""Applying the core's effects to the rows, inside the open transaction of the step that made them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime

from bot.codec import dump_contract, dump_payload, dump_session, load_session, ts
from bot.core import flow
from bot.core.effects import (
    CancelNotices,
    CancelTimer,
    CreateInvite,
    Decide,
    Effect,
    JoinFailed,
    Notify,
    Pair,
    Propose,
    RecordOutcome,
    Release,
    SetProfile,
    StartTimer,
    Unpair,
)
from bot.core.model import Person, TimeoutStatus
from bot.store.policy import DECISIONS, JOIN_FAILURES_KEPT, LIVE_AFTER, code_hash, is_private
from bot.store.port import StoreError
from bot.store.sqlite.rows import enqueue


def apply_effect(c: sqlite3.Connection, fx: Effect, person: Person, now: datetime) -> bool:
    """Perform one effect in the open transaction. True when something is now scheduled or queued."""
    match fx:
        case Notify():
            enqueue(c, fx.to, dump_payload(fx.msg, fx.choices), fx.tag, fx.not_before or now, fx.expires_at,
                     None if fx.neutral else person.id)
            return True
        case StartTimer():
            c.execute(
                "INSERT INTO timers (id, user_id, kind, timeout_id, due_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at",
                (fx.id, fx.user, fx.kind.value, fx.timeout_id, ts(fx.at)),
            )
            return True
        case CancelTimer():
            c.execute("DELETE FROM timers WHERE id = ?", (fx.id,))
        case CancelNotices():
            # `tag <> ''` lets SQLite use the partial index outbox_tag (otherwise: a full scan)
            c.execute("DELETE FROM outbox WHERE tag = ? AND tag <> '' AND user_id <> ?", (fx.tag, person.id))
        case RecordOutcome():
            _record_outcome(c, fx, now)
        case SetProfile():
            if fx.locale:  # chosen with /language: from now on the platform's hint no longer moves it
                c.execute("UPDATE users SET locale = ?, locale_chosen = 1 WHERE id = ?", (fx.locale, person.id))
            if fx.tz:
                c.execute("UPDATE users SET tz = ? WHERE id = ?", (fx.tz, person.id))
            if fx.country:
                c.execute("UPDATE users SET country = ?, country_from = 'person' WHERE id = ?", (fx.country, person.id))
            if fx.country_asked:
                c.execute("UPDATE users SET country_from = 'asked' WHERE id = ? AND country_from = 'assumed'",
                          (person.id,))
            if fx.safety_note is not None:
                c.execute("UPDATE users SET safety_note = ? WHERE id = ?", (int(fx.safety_note), person.id))
            if fx.safety_plan is not None:
                c.execute("UPDATE users SET safety_plan = ? WHERE id = ?", (fx.safety_plan, person.id))
            if fx.consent is not None:
                c.execute("UPDATE users SET consent_at = ? WHERE id = ?", (ts(now) if fx.consent else None, person.id))
        case CreateInvite():
            _create_invite(c, fx, person.id, now)
        case JoinFailed():
            c.execute("INSERT INTO join_failures (user_id, at) VALUES (?, ?)", (person.id, ts(now)))
            # Only the last JOIN_WINDOW counts; this keeps the table at about a day of failures (a small scan).
            c.execute("DELETE FROM join_failures WHERE at < ?", (ts(now - JOIN_FAILURES_KEPT),))
        case Pair():
            _pair(c, fx, person.id, now)
        case Unpair():
            _own_couple(c, fx.couple_id, person.id)
            c.execute("DELETE FROM couples WHERE id = ?", (fx.couple_id,))  # its contracts cascade
            # what this person sent that was not delivered yet goes too (proposals, notices)
            c.execute("DELETE FROM outbox WHERE sender = ?", (person.id,))
        case Propose():
            _propose(c, fx, person.id, now)
        case Decide():
            _decide(c, fx, person.id, now)
        case Release():
            _release(c, fx, now)
    return False


def _release(c: sqlite3.Connection, fx: Release, now: datetime) -> None:
    """The other member's private words for a closed time-out go at once (their session row)."""
    row = c.execute("SELECT data FROM sessions WHERE user_id = ?", (fx.user,)).fetchone()
    if row is None:
        return
    session = load_session(row[0])
    released = flow.released(session, fx.timeout_id)
    if released is not session:
        c.execute("UPDATE sessions SET data = ?, updated_at = ?, private = ? WHERE user_id = ?",
                  (dump_session(released), ts(now), int(is_private(released)), fx.user))


def _record_outcome(c: sqlite3.Connection, fx: RecordOutcome, now: datetime) -> None:
    c.execute(
        "INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, tension_after, "
        "feeling, under, need, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (timeout_id, user_id) DO UPDATE SET "
        "outcome = coalesce(excluded.outcome, timeout_members.outcome), "
        "tension_start = coalesce(excluded.tension_start, timeout_members.tension_start), "
        "tension_after = coalesce(excluded.tension_after, timeout_members.tension_after), "
        "feeling = coalesce(excluded.feeling, timeout_members.feeling), "
        "under = coalesce(excluded.under, timeout_members.under), "
        "need = coalesce(excluded.need, timeout_members.need), recorded_at = excluded.recorded_at",
        (fx.timeout_id, fx.user, fx.role, fx.outcome, fx.tension_start, fx.tension_after, fx.feeling,
         fx.under, fx.need, ts(now)),
    )


def _create_invite(c: sqlite3.Connection, fx: CreateInvite, me: int, now: datetime) -> None:
    # A new code replaces the open one; used codes stay until they expire, so a late try hears "used".
    c.execute("DELETE FROM invites WHERE user_id = ? AND (used_at IS NULL OR expires_at <= ?)", (me, ts(now)))
    c.execute(
        "INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (code_hash(fx.code), me, ts(now), ts(fx.expires_at)),
    )


def _pair(c: sqlite3.Connection, fx: Pair, me: int, now: datetime) -> None:
    used = c.execute(
        "UPDATE invites SET used_at = ? WHERE code_hash = ? AND user_id = ? AND used_at IS NULL AND expires_at > ?",
        (ts(now), code_hash(fx.code), fx.inviter, ts(now)),
    ).rowcount
    if used != 1:
        raise StoreError("pairing refused: the invite is not open (the core should have said so)")
    # The trigger couples_one_per_person refuses a second couple for either of them. The id is the core's (random,
    # so never that of an earlier couple: its buttons name it), or SQLite's when the core gave none.
    cid = c.execute("INSERT INTO couples (id, a, b, created_at) VALUES (?, ?, ?, ?)",
                    (fx.couple_id or None, fx.inviter, me, ts(now))).lastrowid
    c.execute("DELETE FROM invites WHERE user_id = ? AND used_at IS NULL", (me,))
    c.execute(
        "INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at) "
        "VALUES (?, 1, 'proposed', ?, ?, ?)",
        (cid, fx.inviter, dump_contract(fx.first), ts(now)),
    )


def _own_couple(c: sqlite3.Connection, couple_id: int, me: int) -> None:
    """Refuse (a broken invariant) a change to a couple the acting person is not in."""
    if c.execute("SELECT 1 FROM couples WHERE id = ? AND ? IN (a, b)", (couple_id, me)).fetchone() is None:
        raise StoreError(f"couple {couple_id} is not the acting person's couple")


def _propose(c: sqlite3.Connection, fx: Propose, me: int, now: datetime) -> None:
    _own_couple(c, fx.couple_id, me)
    # a proposal replaced by its author's next one counts as withdrawn ('superseded' is for accepted versions)
    c.execute(
        "UPDATE contracts SET status = 'withdrawn', decided_at = ? WHERE couple_id = ? AND status = 'proposed'",
        (ts(now), fx.couple_id),
    )
    # Versions are never reused (the core numbers from the couple's highest version), so an old button
    # can never act on a newer proposal.
    done = c.execute(
        "INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at) "
        "VALUES (?, ?, 'proposed', ?, ?, ?) ON CONFLICT (couple_id, version) DO NOTHING",
        (fx.couple_id, fx.version, me, dump_contract(fx.contract), ts(now)),
    ).rowcount
    if done != 1:
        raise StoreError(f"contract version {fx.version} of couple {fx.couple_id} exists already")


def _decide(c: sqlite3.Connection, fx: Decide, me: int, now: datetime) -> None:
    _own_couple(c, fx.couple_id, me)
    if fx.decision not in DECISIONS:
        raise StoreError(f"unknown contract decision {fx.decision!r}")
    # Withdrawing is for the proposer; accepting and rejecting for the other partner.
    mine = fx.decision == "withdrawn"
    row = c.execute(
        "SELECT proposed_by = ? FROM contracts WHERE couple_id = ? AND version = ? AND status = 'proposed'",
        (me, fx.couple_id, fx.version),
    ).fetchone()
    if row is None or bool(row[0]) != mine:
        raise StoreError(f"contract version {fx.version} is not open for {fx.decision} by this person")
    if fx.decision == "accepted":
        c.execute(
            "UPDATE contracts SET status = 'superseded', decided_at = ? WHERE couple_id = ? AND status = 'active'",
            (ts(now), fx.couple_id),
        )
    status = "active" if fx.decision == "accepted" else fx.decision
    c.execute(
        "UPDATE contracts SET status = ?, decided_at = ? WHERE couple_id = ? AND version = ?",
        (status, ts(now), fx.couple_id, fx.version),
    )


def unname_timeouts(c: sqlite3.Connection, uid: int, now: datetime, new_id: Callable[[], int]) -> None:
    """Before a person is erased: the time-outs that stay (for the partner's patterns) keep nothing of theirs.
    Their id leaves the ready and hushed lists, and an id of the old form "<user id>-<ms>" (new ones are
    random) is replaced by a random one: in the time-out and its patterns rows always; where a live one is
    still used (the partner's timers, outbox tags and dialogue: open, or ended in the last LIVE_AFTER) too."""
    rows = c.execute(
        "SELECT id, ready, hushed, status, ended_at FROM timeouts WHERE initiator = ?1 "
        "UNION ALL SELECT id, ready, hushed, status, ended_at FROM timeouts WHERE partner = ?1", (uid,)
    ).fetchall()
    legacy = f"{uid}-"
    for tid, ready, hushed, status, ended_at in rows:
        c.execute("UPDATE timeouts SET ready = ?, hushed = ? WHERE id = ?",
                  (_without(ready, uid), _without(hushed, uid), tid))
        if not tid.startswith(legacy):
            continue
        new = f"{new_id():x}"
        c.execute("PRAGMA defer_foreign_keys = ON")  # timeout_members follow within this transaction
        c.execute("UPDATE timeouts SET id = ? WHERE id = ?", (new, tid))
        c.execute("UPDATE timeout_members SET timeout_id = ? WHERE timeout_id = ?", (new, tid))
        if TimeoutStatus(status).active or ended_at is None or ended_at >= ts(now - LIVE_AFTER):
            c.execute("UPDATE timers SET id = ? || substr(id, ?), timeout_id = ? WHERE timeout_id = ?",
                      (new, len(tid) + 1, new, tid))
            c.execute("UPDATE outbox SET tag = ? WHERE tag = ? AND tag <> ''", (new, tid))
            c.execute("UPDATE sessions SET data = replace(data, ?1, ?2) WHERE instr(data, ?1) > 0",
                      (json.dumps(tid), json.dumps(new)))


def _without(ids: str | None, uid: int) -> str:
    return ",".join(x for x in (ids or "").split(",") if x and x != str(uid))

