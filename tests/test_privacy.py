"""Privacy and safety end to end, on a real SQLite file: /forget, /export, consent, country, the safety screen,
the 7-day wipe and the logs.

Ann is on Telegram and reads Dutch; Bob is on Discord and reads English (en-US, so his country is US).
Everything goes through `Dialogue.handle` (what the adapters call) and the `Dispatcher` (what delivers
notices and pings); the clock only moves when a test moves it. Distinctive strings stand in for private
text, so the database file, its WAL and the logs can be scanned for them byte by byte.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from adempauze_testkit import Inbox, ids, marker, said, send_id

from bot.clock import ManualClock
from bot.codec import dump_payload, dump_session, load_session, session_fields
from bot.core import couples
from bot.core.effects import Msg
from bot.core.events import ChoiceMade
from bot.core.model import Contract, Session
from bot.dispatch import Dispatcher
from bot.i18n import catalog
from bot.ports import Outgoing, RetryLater, UserRef, event_from_text
from bot.service import Dialogue
from bot.store import Store
from bot.store.sqlite import rows as store_module
from bot.store.sqlite.store import WAL_ERASED_WITHIN

if TYPE_CHECKING:
    from conftest import Recorder, Talk

ANN = UserRef("telegram", "tg-ann-80417", chat_id="tg-chat-80417", name="Annelies", locale="nl")
BOB = UserRef("discord", "dc-bob-90528", chat_id="dm-chat-90528", name="Bob", locale="en-US")
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
"""Private free text lives at most this long (SPEC §6, issue 6)."""
CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")

ANN_FEELING = "ZEBRA-FEEL-4711 leeg en moe"
ANN_OPENER = "ZEBRA-OPENER-4711 ik wil je graag horen"
ANN_TOPIC = "ZEBRA-TOPIC-4711"
ANN_KEPT = "ZEBRA-KEPT-4711 het gaat eigenlijk over vertrouwen"
ANN_SENTENCE = "ZEBRA-SENTENCE-4711: ik neem een pauze, het is geen nee tegen jou, ik kom over 30 minuten terug"
ANN_SECRETS = ("ZEBRA-FEEL-4711", "ZEBRA-OPENER-4711", "ZEBRA-TOPIC-4711", "ZEBRA-KEPT-4711", "ZEBRA-SENTENCE-4711")
BOB_TOPIC = "OKAPI-TOPIC-9922"
BOB_KEPT = "OKAPI-KEPT-9922 I was tired"
BOB_SENTENCE = "OKAPI-SENTENCE-9922: I need a break, it's not a no to you, back in 30 minutes"
BOB_SECRETS = ("OKAPI-TOPIC-9922", "OKAPI-KEPT-9922", "OKAPI-SENTENCE-9922")

NL_HELP = ("112", "0800-2000", "Veilig Thuis", "113")


# -- helpers ------------------------------------------------------------------------------------------------





def code_in(outs: list[Outgoing]) -> str:
    found = {m for o in outs for m in CODE_RE.findall(o.text)}
    assert len(found) == 1, found
    return found.pop()


def wal(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-wal")


def on_disk(db_path: Path) -> dict[str, bytes]:
    """The database file and its WAL as they are on disk right now (a missing WAL reads as empty)."""
    return {p.name: p.read_bytes() if p.exists() else b"" for p in (db_path, wal(db_path))}


def found_in(files: dict[str, bytes], needles: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, n) for name, data in files.items() for n in needles if n.encode() in data]


@pytest.fixture
def inbox(recorder: Recorder, dispatcher: Dispatcher) -> Inbox:
    return Inbox(recorder, dispatcher)


async def uid(store: Store, who: UserRef) -> int:
    rows = await store.query("SELECT id FROM users WHERE platform = ? AND external_id = ?",
                             (who.platform, who.external_id))
    assert len(rows) == 1, rows
    return int(rows[0][0])


async def pair(talk: Talk, inbox: Inbox) -> str:
    """Ann invites, Bob joins with the code and accepts the first contract. Returns the code as shown."""
    code = code_in(await talk.say(ANN, "/koppel"))
    out = await talk.say(BOB, f"/join {code}")
    assert said(out, "en", "join.ok")
    assert said(await talk.say(BOB, "/accept"), "en", "contract.accepted")
    await inbox.take()
    return code


async def sentences(talk: Talk, inbox: Inbox) -> None:
    """Each writes their own time-out sentence into the contract; the other accepts it."""
    await talk.press(ANN, send_id(await talk.say(ANN, f"/afspraken zin {ANN_SENTENCE}")))
    assert said(await talk.say(BOB, "/accept"), "en", "contract.accepted")
    await talk.press(BOB, send_id(await talk.say(BOB, f"/contract sentence {BOB_SENTENCE}")))
    assert said(await talk.say(ANN, "/akkoord"), "nl", "contract.accepted")
    await inbox.take()


async def ann_private_time_out(talk: Talk) -> None:
    """Ann starts a time-out and writes her own words at every step that takes them, then keeps a message."""
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    for c in ("t.8", "br.next", "t.5"):
        await talk.press(ANN, c)
    await talk.say(ANN, ANN_FEELING)  # a feeling in her own words
    assert await talk.phase(ANN) == "name.need"
    await talk.press(ANN, "n.seen")
    await talk.press(ANN, "w.prepare")
    await talk.say(ANN, ANN_OPENER)
    await talk.say(ANN, ANN_TOPIC)
    await talk.press(ANN, "pf.overwhelmed")
    await talk.press(ANN, "own.voice")
    assert await talk.phase(ANN) == "waiting"
    out = await talk.say(ANN, ANN_KEPT)
    assert "keep.yes" in ids(out)
    assert said(await talk.press(ANN, "keep.yes"), "nl", "waiting.kept")


async def bob_private_flow(talk: Talk) -> None:
    """Bob answers the notice and writes his own plan."""
    await talk.press(BOB, "p.start")
    for c in ("br.next", "t.6", "f.hurt", "n.heard", "w.prepare", "op.use"):
        await talk.press(BOB, c)
    await talk.say(BOB, BOB_TOPIC)
    await talk.press(BOB, "pf.overwhelmed")
    await talk.press(BOB, "own.voice")
    assert await talk.phase(BOB) == "waiting"
    await talk.say(BOB, BOB_KEPT)
    await talk.press(BOB, "keep.yes")


async def a_full_history(talk: Talk, inbox: Inbox, clock: ManualClock) -> str:
    """Ann leaves a trace in every per-user table: a failed join, a used invite, a couple, a finished
    time-out (a patterns row), a running one full of private text, a timer, and a message waiting for her."""
    assert said(await talk.say(ANN, "/join 0000-0000-0000"), "nl", "join.bad")  # a join_failures row
    code = await pair(talk, inbox)
    await sentences(talk, inbox)
    await talk.to_waiting(ANN)  # a first time-out, ended early: its vocabulary answers stay for patterns
    await talk.press(ANN, "w.cancel")
    assert said(await talk.press(ANN, "w.cancel.yes"), "nl", "cancel.done")
    await inbox.take()
    clock.advance(10 * MIN)
    await ann_private_time_out(talk)
    notice = (await inbox.take())[BOB.external_id]
    assert said(notice, "en", "notice.start") and "p.start" in ids(notice)
    await bob_private_flow(talk)
    await talk.press(BOB, send_id(await talk.say(BOB, "/contract extensions 2")))  # not delivered yet: for Ann
    return code


USER_COLUMNS = (
    ("users", "id"), ("sessions", "user_id"), ("timers", "user_id"), ("outbox", "user_id"), ("couples", "a"),
    ("couples", "b"), ("invites", "user_id"), ("join_failures", "user_id"), ("timeout_members", "user_id"),
    ("timeouts", "initiator"), ("timeouts", "partner"), ("contracts", "proposed_by"),
)


async def rows_of(store: Store, user: int) -> dict[str, int]:
    out = {}
    for table, col in USER_COLUMNS:
        out[f"{table}.{col}"] = (await store.query(f"SELECT count(*) FROM {table} WHERE {col} = ?", (user,)))[0][0]
    return out


# -- 1. /forget ---------------------------------------------------------------------------------------------


async def test_forget_erases_every_row_and_every_byte_and_the_partner_hears_only_that_it_ended(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock, db_path: Path
) -> None:
    code = await a_full_history(talk, inbox, clock)
    ann, bob = await uid(store, ANN), await uid(store, BOB)
    before = await rows_of(store, ann)
    for key in ("users.id", "sessions.user_id", "timers.user_id", "outbox.user_id", "couples.a", "invites.user_id",
                "join_failures.user_id", "timeout_members.user_id", "timeouts.initiator", "contracts.proposed_by"):
        assert before[key] >= 1, (key, before)  # the erasure below is not vacuous
    assert not found_in(on_disk(db_path), ("no such text",))
    assert len(found_in(on_disk(db_path), ANN_SECRETS)) >= len(ANN_SECRETS)  # the scan can see them

    # "No, keep it" changes nothing.
    out = await talk.say(ANN, "/vergeet")
    assert said(out, "nl", "forget.confirm") and {"fg.yes", "fg.no"} <= set(ids(out))
    out = await talk.press(ANN, "fg.no")
    assert said(out, "nl", "forget.kept")
    assert await rows_of(store, ann) == before and await talk.phase(ANN) == "waiting"
    assert await store.query("SELECT count(*) FROM couples") == [(1,)]

    out = await talk.say(ANN, "/forget")
    assert said(out, "nl", "forget.confirm")
    out = await talk.press(ANN, "fg.yes")
    assert said(out, "nl", "forget.done") and not said(out, "nl", "unpair.done")

    # Not one row of hers is left; her time-outs stay only as anonymous rows for Bob's patterns.
    assert await rows_of(store, ann) == dict.fromkeys(before, 0)
    assert await store.query("SELECT count(*) FROM users WHERE external_id = ?", (ANN.external_id,)) == [(0,)]
    assert await store.query("SELECT count(*) FROM couples") == [(0,)]
    assert await store.query("SELECT count(*) FROM contracts") == [(0,)]
    assert await store.query("SELECT count(*) FROM invites") == [(0,)]
    assert await store.query("SELECT count(*) FROM join_failures") == [(0,)]
    timeouts = await store.query("SELECT initiator, partner, status FROM timeouts ORDER BY started_at")
    assert timeouts == [(None, bob, "cancelled"), (None, None, "cancelled")]  # Bob's part of the first stays
    assert await store.query("SELECT user_id FROM timeout_members") == []
    assert await store.query("SELECT count(*) FROM timers WHERE user_id = ?", (bob,)) == [(0,)]  # his pings too
    outbox = await store.query("SELECT user_id, tag FROM outbox")
    assert outbox == [(bob, "")]  # only the "pairing ended" notice, not tied to the erased time-out

    # The bytes: deleted text zeroed (secure_delete), the WAL checkpointed and truncated.
    assert found_in(on_disk(db_path), ANN_SECRETS) == []
    assert wal(db_path).stat().st_size == 0
    assert set(BOB_SECRETS[:2]) <= {n for _, n in found_in(on_disk(db_path), BOB_SECRETS)}  # his own stay
    # Nor in memory: the store's parsed-session cache (the one look inside) holds none of her words.
    assert not [t for t in store._sessions if any(secret in t for secret in ANN_SECRETS)]

    # Bob gets exactly one message: the kind "pairing ended", no reason, none of her words.
    got = await inbox.new(BOB)
    assert [o.text for o in got] == [catalog("en")["unpair.notice"]]
    assert got[0].choices == () and got[0].document is None
    clock.advance(2 * timedelta(hours=24))  # the erased time-out's return, re-ping, after-check: nothing
    assert await inbox.new(BOB) == []
    assert found_in(on_disk(db_path), ANN_SECRETS) == []

    await store.close()
    canonical = couples.normalise_code(code) or code
    needles = (*ANN_SECRETS, ANN.external_id, ANN.chat_id, ANN.name, code, canonical)
    assert found_in(on_disk(db_path), needles) == []
    assert set(BOB_SECRETS[:2]) <= {n for _, n in found_in(on_disk(db_path), BOB_SECRETS)}


async def test_after_forget_the_person_starts_over_as_a_stranger(
    talk: Talk, store: Store, inbox: Inbox, dialogue: Dialogue
) -> None:
    await pair(talk, inbox)
    await talk.say(ANN, "/forget")
    await talk.press(ANN, "fg.yes")
    await inbox.take()

    out = await dialogue.handle(ANN, event_from_text("/start"))  # straight in, without the fixture's consent

    assert said(out, "nl", "consent.onboarding")
    rows = await store.query("SELECT consent_at, name FROM users WHERE external_id = ?", (ANN.external_id,))
    assert rows == [(None, ANN.name)]
    assert await store.query("SELECT count(*) FROM couples") == [(0,)]
    assert said(await talk.say(BOB, "/pair"), "en", "pair.code")  # Bob is free to pair again


def _plan(rows: list[tuple[Any, ...]]) -> str:
    return " | ".join(str(r[-1]) for r in rows)


async def test_every_foreign_key_child_is_indexed_so_erasing_a_person_seeks(store: Store) -> None:
    """Deleting a user cascades (or sets NULL) through every table pointing at users, and on to their couples'
    contracts and their time-outs' members. Each of those child lookups must seek an index, never scan."""
    fks = await store.query(
        "SELECT m.name, p.\"table\", p.\"from\", p.on_delete FROM sqlite_master m "
        "JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.\"from\""
    )
    to_users = {(t, col) for t, parent, col, _ in fks if parent == "users"}
    assert {(t, c) for t, c in USER_COLUMNS if t != "users"} <= to_users  # the list above is complete
    assert ("contracts", "couple_id") in {(t, col) for t, _, col, _ in fks}
    for table, _parent, col, action in fks:
        if action == "CASCADE":
            sql = f"DELETE FROM {table} WHERE {col} = ?"
        else:
            assert action == "SET NULL", (table, col, action)
            sql = f"UPDATE {table} SET {col} = NULL WHERE {col} = ?"
        plan = _plan(await store.query(f"EXPLAIN QUERY PLAN {sql}", (1,)))
        assert "SCAN" not in plan and ("USING" in plan or "PRIMARY KEY" in plan), (sql, plan)
    plan = _plan(await store.query("EXPLAIN QUERY PLAN DELETE FROM users WHERE id = ?", (1,)))
    assert "SCAN" not in plan, plan


async def _crowd(store: Store, n: int) -> None:
    """n other people, each with a row in every per-user table (couples of two, with a contract)."""
    session = dump_session(Session())
    payload = dump_payload(Msg.of("idle.prompt"))
    numbers = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "
    others = "FROM users WHERE external_id LIKE 'crowd-%'"
    for sql in (
        numbers + "INSERT INTO users (platform, external_id, chat_id, name, locale, tz, country, created_at, "
        "consent_at) SELECT 'telegram', 'crowd-' || i, 'chat-' || i, 'Crowd ' || i, 'nl', 'Europe/Amsterdam', "
        "'NL', 0, 0 FROM n",
        f"INSERT INTO sessions (user_id, data, updated_at, private) SELECT id, '{session}', 9999999999, 1 {others}",
        "INSERT INTO timeouts (id, initiator, partner, started_at, return_at, status) "
        f"SELECT 'crowd-' || id, id, NULL, 1000, 2000, 'returned' {others}",
        "INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, recorded_at) "
        f"SELECT 'crowd-' || id, id, 'initiator', 'good', 7, 2000 {others}",
        "INSERT INTO timers (id, user_id, kind, timeout_id, due_at) "
        f"SELECT 'crowd-' || id || ':after', id, 'after', 'crowd-' || id, 9999999999 {others}",
        "INSERT INTO outbox (user_id, payload, tag, due_at, created_at) "
        f"SELECT id, '{payload}', 'crowd-' || id, 9999999999, 0 {others}",
        f"INSERT INTO invites (code_hash, user_id, created_at, expires_at) SELECT 'h' || id, id, 0, 1 {others}",
        f"INSERT INTO join_failures (user_id, at) SELECT id, 0 {others}",
        f"INSERT INTO couples (a, b, created_at) SELECT id, id + 1, 0 {others} AND id % 2 = 1 "
        "AND id < (SELECT max(id) FROM users)",
        "INSERT INTO contracts (couple_id, version, status, proposed_by, data, created_at) "
        "SELECT c.id, 1, 'active', c.a, x.data, 0 FROM couples c, (SELECT data FROM contracts LIMIT 1) x "
        "WHERE c.a IN (SELECT id " + others + ")",
    ):
        await store.execute(sql)


async def test_forget_and_export_stay_fast_among_ten_thousand_others(
    talk: Talk, store: Store, inbox: Inbox
) -> None:
    await pair(talk, inbox)  # also leaves a contract row to copy for the crowd
    await _crowd(store, 10_000)
    assert await store.query("SELECT count(*) FROM users") == [(10_002,)]
    assert (await store.query("SELECT count(*) FROM couples"))[0][0] >= 5_000
    await ann_private_time_out(talk)

    start = time.perf_counter()
    out = await talk.say(ANN, "/export")
    export_took = time.perf_counter() - start
    assert any(o.document is not None for o in out)

    await talk.say(ANN, "/forget")
    start = time.perf_counter()
    out = await talk.press(ANN, "fg.yes")
    forget_took = time.perf_counter() - start

    assert said(out, "nl", "forget.done")
    assert await store.query("SELECT count(*) FROM users") == [(10_001,)]
    assert await store.query("SELECT count(*) FROM sessions") == [(10_001,)]  # the crowd's and Bob's
    assert export_took < 1.0 and forget_took < 1.0, (export_took, forget_took)  # a sanity bound, not a benchmark


async def test_a_proposal_still_waiting_for_the_partner_is_erased_with_the_person(
    talk: Talk, store: Store, inbox: Inbox, recorder: Recorder, db_path: Path
) -> None:
    await pair(talk, inbox)
    recorder.fail_next(RetryLater("discord is down", 600), times=3)  # Bob cannot be reached for a while
    await talk.press(ANN, send_id(await talk.say(ANN, f"/afspraken zin {ANN_SENTENCE}")))
    await inbox.take()
    await talk.say(ANN, "/forget")
    await talk.press(ANN, "fg.yes")
    await inbox.take()
    assert found_in(on_disk(db_path), ANN_SECRETS) == []  # it would still be delivered to Bob later


# -- 2. /export ---------------------------------------------------------------------------------------------


def _document(outs: list[Outgoing]) -> tuple[dict[str, Any], bytes]:
    docs = [o.document for o in outs if o.document is not None]
    assert len(docs) == 1, outs
    name, content = docs[0]
    assert name == "adempauze-export.json"
    data: dict[str, Any] = json.loads(content.decode("utf-8"))
    return data, content


async def test_export_holds_my_own_words_and_time_outs_but_nothing_private_of_my_partner(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock, person: Callable[..., UserRef]
) -> None:
    await a_full_history(talk, inbox, clock)
    await talk.to_waiting(person("cat"))  # a stranger's time-out is in the same file
    await inbox.take()
    ann, bob = await uid(store, ANN), await uid(store, BOB)

    out = await talk.say(ANN, "/export")

    assert said(out, "nl", "export.ready")
    assert len([o for o in out if o.document is not None]) == 1 and out[-1].document is not None
    assert said([out[-1]], "nl", "export.caption")
    data, raw = _document(out)
    text = raw.decode("utf-8")
    for mine in (ANN_FEELING, ANN_OPENER, ANN_TOPIC, ANN_KEPT, ANN_SENTENCE):
        assert mine in text, mine
    for theirs in BOB_SECRETS:
        assert theirs not in text, theirs
    assert data["user"]["external_id"] == ANN.external_id and data["user"]["consent_at"] is not None
    assert data["couple"]["partner_name"] == BOB.name
    assert data["dialogue"]["plan"]["topic"] == ANN_TOPIC
    starts = [t for t in data["time_outs"] if t["started_by_me"]]
    assert len(data["time_outs"]) == len(starts) == 2  # both of hers, none of anyone else's
    ended = next(t for t in data["time_outs"] if t["status"] == "cancelled")
    assert (ended["tension_start"], ended["tension_after"], ended["feeling"]) == (8, 5, "angry")
    for k in data["contracts"]:
        assert all(u == ann for u, _ in k["data"]["sentences"]), k
    assert any(s == ANN_SENTENCE for k in data["contracts"] for _, s in k["data"]["sentences"])
    assert data["reminders"] and all(r["timeout_id"] for r in data["reminders"])

    # And the other way round: Bob's file has his words and her time-outs, none of her words.
    bob_data, bob_raw = _document(await talk.say(BOB, "/export"))
    bob_text = bob_raw.decode("utf-8")
    assert BOB_TOPIC in bob_text and BOB_SENTENCE in bob_text
    for theirs in ANN_SECRETS:
        assert theirs not in bob_text, theirs
    assert [t["started_by_me"] for t in bob_data["time_outs"]] == [0, 0]
    assert all(u == bob for k in bob_data["contracts"] for u, _ in k["data"]["sentences"])
    # Exporting writes nothing and tells nobody.
    assert await inbox.take() == {}


# -- 3. consent ---------------------------------------------------------------------------------------------


async def _private_columns(store: Store) -> list[tuple[Any, ...]]:
    """Everything of a dialogue that is personal: the session plan and pending text, the patterns row."""
    out: list[tuple[Any, ...]] = []
    for (data,) in await store.query("SELECT data FROM sessions"):
        s = session_fields(load_session(data))
        plan = {k: v for k, v in s["plan"].items() if v is not False and v not in (None, (), "")}
        out.append(("session", plan, s["pending"], list(s["answers"])))
    out += await store.query("SELECT 'member', tension_start, tension_after, feeling, under, need FROM timeout_members")
    return out


async def test_without_consent_nothing_personal_is_kept_but_breathing_is_still_there(
    talk: Talk, store: Store, person: Callable[..., UserRef]
) -> None:
    shy = type(talk)(talk.dialogue, consent=False)  # no consent at onboarding
    sam = person("sam")
    assert said(await shy.say(sam, "/timeout"), "nl", "pause.when")
    out = await shy.press(sam, "ret.m30")

    assert said(out, "nl", "consent.ask") and {"cs.yes", "cs.no", "safety"} <= set(ids(out))
    assert await shy.phase(sam) == "consent"
    assert await store.query("SELECT count(*) FROM timeouts") == [(1,)]  # the break itself is not held up

    out = await shy.press(sam, "cs.no")
    assert said(out, "nl", "consent.declined")
    assert await shy.phase(sam) == "breathe" and out[-1].frames  # the pacer is still offered
    await shy.press(sam, "br.next")
    assert await shy.phase(sam) == "waiting"  # no scores, feelings or plans asked
    out = await shy.say(sam, "ZEBRA-UNKEPT-4711 jij luistert nooit")
    assert said(out, "nl", "waiting.solo_not_kept") and "keep.yes" not in ids(out)  # alone: to nobody
    await shy.press(sam, "t.7")  # an old score button pressed anyway is not taken either

    sessions = "".join(d for (d,) in await store.query("SELECT data FROM sessions"))
    assert "ZEBRA-UNKEPT" not in sessions
    assert await store.query("SELECT consent_at FROM users") == [(None,)]
    await shy.press(sam, "w.cancel")
    await shy.press(sam, "w.cancel.yes")
    assert await _private_columns(store) == [
        ("session", {}, None, []), ("member", None, None, None, None, None),
    ]


async def test_consent_yes_is_recorded_and_not_asked_again(
    talk: Talk, store: Store, person: Callable[..., UserRef], clock: ManualClock
) -> None:
    shy = type(talk)(talk.dialogue, consent=False)
    sam = person("sam")
    await shy.say(sam, "/timeout")
    await shy.press(sam, "ret.m30")
    out = await shy.press(sam, "cs.yes")
    assert said(out, "nl", "consent.thanks") and await shy.phase(sam) == "pause.tension"
    assert await store.query("SELECT consent_at FROM users") == [(int(clock.now().timestamp()),)]
    await shy.press(sam, "t.8")
    assert await store.query("SELECT data FROM sessions") and '"tension_start":8' in (
        await store.query("SELECT data FROM sessions"))[0][0]
    await shy.say(sam, "/stop")
    await shy.say(sam, "/stop")
    await shy.press(sam, "w.cancel.yes")

    clock.advance(DAY)
    await shy.say(sam, "/timeout")
    out = await shy.press(sam, "ret.m30")
    assert not said(out, "nl", "consent.ask") and said(out, "nl", "tension.ask.start")
    assert await shy.phase(sam) == "pause.tension"


# -- 4. country ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "country", "lang", "expected"),
    [
        ("nl-BE", "BE", "nl", ("112", "1712", "Zelfmoordlijn 1813")),
        ("en-GB", "GB", "en", ("999", "Samaritans", "116 123", "0808 2000 247")),
        ("nl", "NL", "nl", NL_HELP),
    ],
)
async def test_the_country_comes_from_the_platform_locale(
    talk: Talk, store: Store, person: Callable[..., UserRef],
    locale: str, country: str, lang: str, expected: tuple[str, ...],
) -> None:
    who = person("kim", locale=locale)
    out = await talk.say(who, "/safety")
    assert said(out, lang, "safety.screen")
    screen = next(o.text for o in out if marker(lang, "safety.screen") in o.text)
    for bit in expected:
        assert bit in screen, (bit, screen)
    assert await store.query("SELECT country, locale FROM users") == [(country, lang)]
    if country != "GB":
        assert "Samaritans" not in screen and "999" not in screen


async def test_land_switches_the_helplines(talk: Talk, store: Store, person: Callable[..., UserRef]) -> None:
    who = person("kim", locale="nl-BE")
    out = await talk.say(who, "/land us")
    assert said(out, "nl", "country.set") and "911" in out[0].text
    assert await store.query("SELECT country FROM users") == [("US",)]
    screen = "\n".join(o.text for o in await talk.say(who, "/veilig"))
    for bit in ("911", "988", "1-800-799-7233"):
        assert bit in screen, bit
    assert "1712" not in screen and "1813" not in screen
    out = await talk.say(who, "/land")  # without a code: buttons
    assert {"co.NL", "co.BE", "co.GB", "co.US"} <= set(ids(out))
    await talk.press(who, "co.GB")
    assert await store.query("SELECT country FROM users") == [("GB",)]


# -- 5. safety ----------------------------------------------------------------------------------------------


async def test_the_safety_button_cancels_the_undelivered_notice_and_continue_never_resends_it(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    await pair(talk, inbox)
    ann, bob = await uid(store, ANN), await uid(store, BOB)
    await talk.say(ANN, "/pauze")
    out = await talk.press(ANN, "ret.m30")
    assert said(out, "nl", "start.told")
    (tid,) = (await store.query("SELECT id FROM timeouts"))[0]
    assert await store.query("SELECT user_id, tag FROM outbox") == [(bob, tid)]  # queued, not delivered
    assert {u for (u,) in await store.query("SELECT user_id FROM timers WHERE kind = 'return'")} == {ann, bob}

    out = await talk.press(ANN, "safety")  # before the dispatcher ran

    assert said(out, "nl", "safety.screen")
    assert await talk.phase(ANN) == "safety"
    assert await store.query("SELECT count(*) FROM outbox") == [(0,)]
    # Bob never heard of it, so he is out of it: no timers of his; Ann's stay, silent on the safety screen
    assert await store.query("SELECT count(*) FROM timers WHERE timeout_id = ? AND user_id = ?", (tid, bob)) == [(0,)]
    assert await inbox.take() == {}  # Bob got nothing: the notice was cancelled
    clock.advance(10 * MIN)
    assert await inbox.take() == {}

    out = await talk.press(ANN, "safety.continue")

    assert said(out, "nl", "safety.continued")
    assert await talk.phase(ANN) == "pause.tension"  # back where she was
    due = await store.query("SELECT due_at FROM timers WHERE user_id = ? AND kind = 'return'", (ann,))
    assert due == [(int((clock.now() + 20 * MIN).timestamp()),)]  # her return ping is armed again, same time
    assert await store.query("SELECT count(*) FROM outbox") == [(0,)]
    assert await inbox.take() == {}
    clock.advance(21 * MIN)
    got = await inbox.take()
    assert said(got[ANN.external_id], "nl", "return.ping")
    everything_bob_got = [o for to, o in inbox.recorder.sent if to.external_id == BOB.external_id]
    assert not said(everything_bob_got, "en", "notice.start")  # never re-sent


async def test_a_partner_who_never_heard_of_the_time_out_gets_no_return_ping_after_continue(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    await pair(talk, inbox)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    await talk.press(ANN, "safety")  # the notice is cancelled before it went out
    await talk.press(ANN, "safety.continue")
    clock.advance(31 * MIN)
    got = await inbox.take()
    assert said(got[ANN.external_id], "nl", "return.ping")
    assert got.get(BOB.external_id, []) == []  # "It's 21:40: time to come back" about a break he never knew of


async def test_a_danger_message_mid_flow_goes_to_safety_and_tells_the_partner_nothing(
    talk: Talk, store: Store, inbox: Inbox
) -> None:
    await pair(talk, inbox)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    for c in ("t.8", "br.next"):
        await talk.press(ANN, c)
    assert await talk.phase(ANN) == "breathe.tension"

    out = await talk.say(ANN, "hij sloeg me")

    assert said(out, "nl", "safety.screen") and await talk.phase(ANN) == "safety"
    screen = "\n".join(o.text for o in out)
    for bit in NL_HELP:
        assert bit in screen, bit
    assert {"safety.continue", "fg.ask", "safety.unpair"} <= set(ids(out))
    assert await inbox.take() == {}  # not even the start notice
    bob = await uid(store, BOB)
    assert await store.query("SELECT count(*) FROM timers WHERE user_id = ?", (bob,)) == [(0,)]
    stored = [d for (d,) in await store.query("SELECT data FROM sessions")]
    stored += [p for (p,) in await store.query("SELECT payload FROM outbox")]
    assert not any("sloeg" in s for s in stored)  # the message itself is kept nowhere
    # Commands that could reach the partner wait; the ways out work.
    assert said(await talk.say(ANN, "/klaar"), "nl", "safety.still")
    assert said(await talk.say(ANN, "/vergeet"), "nl", "forget.confirm")
    assert await inbox.take() == {}


async def test_the_partner_in_danger_is_protected_the_same_way(talk: Talk, store: Store, inbox: Inbox) -> None:
    await pair(talk, inbox)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    assert said(await inbox.new(BOB), "en", "notice.start")
    await talk.press(BOB, "p.start")
    await talk.press(BOB, "br.next")

    out = await talk.say(BOB, "he hit me")

    assert said(out, "en", "safety.screen")
    screen = "\n".join(o.text for o in out)
    for bit in ("911", "988", "1-800-799-7233"):  # his platform said en-US
        assert bit in screen, bit
    assert await inbox.take() == {}
    for c in ("r.ready", "w.ready"):  # pressing old buttons says nothing to Ann either
        await talk.press(BOB, c)
    assert await inbox.take() == {}


async def test_an_ambiguous_message_asks_privately_whether_they_are_safe(
    talk: Talk, store: Store, inbox: Inbox
) -> None:
    await pair(talk, inbox)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    assert said(await inbox.new(BOB), "en", "notice.start")
    await talk.press(ANN, "t.8")

    out = await talk.say(ANN, "ik ben bang")

    assert said(out, "nl", "safety.ask") and not said(out, "nl", "safety.screen")
    assert set(ids(out)) >= {"sa.yes", "sa.no", "sa.skip"}
    assert await talk.phase(ANN) == "safety.ask"
    assert await inbox.take() == {}
    out = await talk.press(ANN, "sa.no")
    assert said(out, "nl", "safety.screen") and await talk.phase(ANN) == "safety"
    # Bob knew of the break, so for him it runs on exactly as if Ann had simply not answered: no tell
    bob = await uid(store, BOB)
    assert await store.query("SELECT count(*) FROM timers WHERE user_id = ?", (bob,)) == [(4,)]  # and his prepare
    assert await inbox.take() == {}


# -- 6. retention -------------------------------------------------------------------------------------------


async def test_the_janitor_wipes_private_text_of_dialogues_idle_for_more_than_seven_days(
    talk: Talk, store: Store, dispatcher: Dispatcher, clock: ManualClock, person: Callable[..., UserRef]
) -> None:
    old, recent = person("old"), person("recent")
    await talk.to_waiting(old)
    await talk.say(old, "ZEBRA-OLD-4711")
    await talk.press(old, "keep.yes")
    clock.advance(WEEK)
    await talk.to_waiting(recent)
    await talk.say(recent, "OKAPI-RECENT-9922")
    await talk.press(recent, "keep.yes")
    clock.advance(DAY)  # old: 8 days untouched; recent: 1 day

    await dispatcher.janitor()

    data = await sessions_by_name(store)
    assert "ZEBRA-OLD-4711" not in data["old"] and "Wie de afwas doet" not in data["old"]
    plan = session_fields(load_session(data["old"]))["plan"]
    assert plan["kept"] == () and plan["topic"] is None and plan["tension_start"] is None
    assert "OKAPI-RECENT-9922" in data["recent"] and "Wie de afwas doet" in data["recent"]
    assert dict(await store.query(
        "SELECT u.external_id, s.private FROM sessions s JOIN users u ON u.id = s.user_id")) == {"old": 0, "recent": 1}

    # The janitor runs at most once an hour: a dialogue that turns stale just after a round waits for the next.
    clock.advance(WEEK - DAY - 10 * MIN)  # recent: 10 minutes short of 7 days
    await dispatcher.janitor()
    clock.advance(20 * MIN)  # now 10 minutes past 7 days, 20 minutes after the last round
    await dispatcher.janitor()
    assert "OKAPI-RECENT-9922" in (await sessions_by_name(store))["recent"]
    clock.advance(40 * MIN)
    await dispatcher.janitor()
    assert "OKAPI-RECENT-9922" not in (await sessions_by_name(store))["recent"]
    assert await store.query("SELECT count(*) FROM sessions WHERE private = 1") == [(0,)]


async def sessions_by_name(store: Store) -> dict[str, str]:
    rows = await store.query("SELECT u.external_id, s.data FROM sessions s JOIN users u ON u.id = s.user_id")
    return {k: v for k, v in rows}


# -- 7. logs ------------------------------------------------------------------------------------------------


async def test_logs_hold_no_message_text_no_private_text_and_no_invite_code(
    talk: Talk, store: Store, inbox: Inbox, recorder: Recorder, clock: ManualClock, dialogue: Dialogue,
    dispatcher: Dispatcher, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger propagates here
    typed: list[str] = []
    replies: list[Outgoing] = []

    async def say(who: UserRef, text: str) -> None:
        typed.append(text)
        replies.extend(await talk.say(who, text))

    await say(ANN, "/join 0000-0000-0000")
    shown = code_in(await talk.say(ANN, "/koppel"))
    await say(BOB, f"/join {shown.lower()}")
    await say(BOB, "/accept")
    await say(ANN, f"/afspraken zin {ANN_SENTENCE}")
    replies.extend(await talk.press(ANN, send_id(replies)))
    await say(BOB, "/accept")
    await inbox.take()
    await say(ANN, "/pauze")
    replies.extend(await talk.press(ANN, "ret.m30"))
    for c in ("t.8", "br.next", "t.5"):
        replies.extend(await talk.press(ANN, c))
    await say(ANN, ANN_FEELING)
    replies.extend(await talk.press(ANN, "n.seen"))
    replies.extend(await talk.press(ANN, "w.prepare"))
    await say(ANN, ANN_OPENER)
    await say(ANN, ANN_TOPIC)
    await talk.press(ANN, "pf.overwhelmed")
    await talk.press(ANN, "own.voice")
    await say(ANN, ANN_KEPT)
    await talk.press(ANN, "keep.yes")
    await inbox.take()
    await bob_private_flow(talk)
    recorder.fail_next(ConnectionError("boom"))  # a failed delivery is logged: by id, not by content
    clock.advance(31 * MIN)
    await inbox.take()
    clock.advance(MIN)
    await inbox.take()
    await say(ANN, "/export")
    await say(ANN, "ik ben bang")
    await say(BOB, "/vergeet")
    replies.extend(await talk.press(BOB, "fg.yes"))
    await inbox.take()
    clock.advance(WEEK + DAY)
    await dispatcher.janitor()
    await dialogue.handle(ANN, ChoiceMade("x" * 70))  # a stale, over-long button id

    assert any(r.name.startswith("bot.") for r in caplog.records), "the scan below would prove nothing"
    log_text = caplog.text + "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records
    )
    code = couples.normalise_code(shown)
    assert code is not None
    forbidden = {code, shown, code.lower(), shown.lower(), *ANN_SECRETS, *BOB_SECRETS, "ik ben bang"}
    forbidden |= {t for t in typed if len(t) >= 8}
    delivered = [o for _, o in recorder.sent]
    forbidden |= {line.strip() for o in (*replies, *delivered) for line in o.text.split("\n") if len(line) >= 24}
    leaks = sorted(f for f in forbidden if f in log_text)
    assert leaks == [], leaks


# -- no tells, on the real store: the same couple twice, once with a safety signal, once with silence ---------


async def _world(path: Path, like: Talk, recorder: Any, start: Any):  # type: ignore[no-untyped-def]
    from bot.clock import ManualClock
    from bot.dispatch import Dispatcher
    from bot.service import Dialogue

    store = await Store.open(path)
    clock, rec = ManualClock(start), type(recorder)()
    dispatcher = Dispatcher(store, {"telegram": rec, "discord": rec}, clock)
    return store, clock, rec, dispatcher, type(like)(Dialogue(store, clock, on_scheduled=dispatcher.wake))


@pytest.mark.parametrize("signal", ["safety", "hij sloeg me", "ik ben bang"])
async def test_everything_the_partner_sees_is_what_silence_would_show(
    tmp_path: Path, signal: str, talk: Talk, recorder: Any, clock: ManualClock
) -> None:
    """Status, pings, the missed-return note, /patterns and the answers to his own buttons: identical."""
    seen: list[list[str]] = []
    start = clock.now()
    for world, with_signal in (("loud", True), ("quiet", False)):
        store, clock, rec, dispatcher, talk = await _world(tmp_path / f"{world}.sqlite3", talk, recorder, start)
        try:
            code = code_in(await talk.say(ANN, "/koppel"))
            await talk.say(BOB, f"/join {code}")
            await talk.say(BOB, "/accept")
            await talk.say(ANN, "/pauze")
            await talk.press(ANN, "ret.m30")
            await dispatcher.run_due()  # Bob has the notice
            bob: list[str] = []
            if with_signal:
                await (talk.press(ANN, "safety") if signal == "safety" else talk.say(ANN, signal))
            for step in ("/status", "/ready", "/status"):
                bob += [o.text for o in await talk.say(BOB, step)]
            for minutes in (10, 20, 15, 16):
                clock.advance(timedelta(minutes=minutes))
                await dispatcher.run_due()
            bob += [o.text for o in await talk.say(BOB, "/patterns")]
            bob += [o.text for o in await talk.say(BOB, "/status")]
            bob += [o.text for r, o in rec.sent if r.external_id == BOB.external_id]
            seen.append(bob)
        finally:
            await store.close()
    assert seen[0] == seen[1]
    assert any("Annelies" in t for t in seen[0])  # the comparison is about real messages


# -- 8. erased text leaves the WAL too (issue 13, finding 4) ----------------------------------------------------


async def test_forget_while_another_connection_reads_truncates_the_wal_once_the_reader_is_gone(
    talk: Talk, store: Store, inbox: Inbox, dispatcher: Dispatcher, db_path: Path
) -> None:
    """A backup, the sqlite3 shell or a monitor holds a read while Ann erases herself: the checkpoint cannot
    finish and her words stay in the -wal file. That is noticed (not ignored), and tried again until it works."""
    await pair(talk, inbox)
    await sentences(talk, inbox)
    await ann_private_time_out(talk)
    reader = sqlite3.connect(db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sessions").fetchone()  # a read snapshot, held
    try:
        await talk.say(ANN, "/forget")
        start = time.perf_counter()
        assert said(await talk.press(ANN, "fg.yes"), "nl", "forget.done")
        assert time.perf_counter() - start < 1.0  # the reader does not hold up the store (no 5 s busy wait)
        assert store.wal_owed
        await dispatcher.janitor()
        assert store.wal_owed  # still in the way
    finally:
        reader.close()
    await dispatcher.janitor()  # the next round
    assert not store.wal_owed
    assert wal(db_path).stat().st_size == 0
    assert found_in(on_disk(db_path), ANN_SECRETS) == []


async def test_private_text_wiped_at_the_end_of_a_time_out_leaves_the_wal_within_the_bound(
    talk: Talk, store: Store, inbox: Inbox, dispatcher: Dispatcher, clock: ManualClock, db_path: Path
) -> None:
    """The end of a time-out does not wait for the WAL truncation (two fsyncs): it is owed, and done
    WAL_ERASED_WITHIN after the commit that wiped the text (README, privacy), not a moment later."""
    wall = time.time()
    store.wall = lambda: wall  # the store's real-time clock, moved by hand below
    await ann_private_time_out(talk)
    assert len(found_in(on_disk(db_path), ANN_SECRETS[:4])) >= 4
    clock.advance(31 * MIN)
    await inbox.take()  # the return ping
    assert said(await talk.press(ANN, "r.ready"), "nl", "return.card")  # the plan card, then wiped
    assert store.wal_owed
    assert found_in(on_disk(db_path), ANN_SECRETS[:4])  # still in the -wal file: the reply did not wait for it
    wall += WAL_ERASED_WITHIN - 0.01
    await dispatcher.janitor()
    assert store.wal_owed  # not yet: erasures this close together share one truncation
    wall += 0.01
    await dispatcher.janitor()
    assert not store.wal_owed
    assert found_in(on_disk(db_path), ANN_SECRETS) == []
    assert wal(db_path).stat().st_size == 0


async def test_the_store_truncates_an_owed_wal_by_itself(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock, db_path: Path
) -> None:
    """No dispatcher, no other event: the store's own timer does the owed truncation once the bound is up
    (here 0 s, so the test need not wait)."""
    store.WAL_ERASED_WITHIN = 0.0
    await ann_private_time_out(talk)
    clock.advance(31 * MIN)
    assert said(await talk.press(ANN, "r.ready"), "nl", "return.card")
    for _ in range(3):  # the timer is set, fires and hands the truncation to the store's thread
        await asyncio.sleep(0)
    await store.query("SELECT 1")  # after the truncation, on the same thread
    assert not store.wal_owed
    assert found_in(on_disk(db_path), ANN_SECRETS) == []
    assert wal(db_path).stat().st_size == 0


def test_a_wal_left_by_a_crash_is_truncated_at_start_up(db_path: Path) -> None:
    """A process killed right after erasing text leaves it in the -wal file; the next start copies the WAL
    into the database (the text zeroed there by secure_delete) and truncates it."""
    async def make() -> None:
        s = await Store.open(db_path)
        await s.close()

    asyncio.run(make())
    child = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA secure_delete=ON')\n"
        "c.execute(\"INSERT INTO users (platform, external_id, name, locale, tz, country, created_at) VALUES "
        "('console', 'x', 'ZEBRA-CRASH-4711', 'nl', 'Europe/Amsterdam', 'NL', 0)\")\n"
        "c.execute(\"DELETE FROM users WHERE external_id = 'x'\")\n"
        "os._exit(0)\n"  # no close: the WAL stays as it is, as after SIGKILL
    )
    subprocess.run([sys.executable, "-c", child, str(db_path)], check=True)
    assert b"ZEBRA-CRASH-4711" in wal(db_path).read_bytes()

    async def reopen() -> None:
        s = await Store.open(db_path)
        try:
            assert wal(db_path).stat().st_size == 0
            assert found_in(on_disk(db_path), ("ZEBRA-CRASH-4711",)) == []
        finally:
            await s.close()

    asyncio.run(reopen())


async def test_a_pairing_ended_notice_waiting_for_the_partner_holds_no_name_of_the_forgotten(
    talk: Talk, store: Store, inbox: Inbox, recorder: Recorder, db_path: Path
) -> None:
    await pair(talk, inbox)
    recorder.fail_next(RetryLater("discord is down", 3600), times=12)  # Bob's platform is down for hours
    await talk.say(ANN, "/forget")
    await talk.press(ANN, "fg.yes")
    await inbox.take()
    assert await store.query("SELECT count(*) FROM outbox") == [(1,)]  # "the pairing ended", still waiting
    assert found_in(on_disk(db_path), (ANN.name, ANN.external_id)) == []


async def test_time_outs_that_stay_for_the_partner_carry_no_id_of_the_forgotten(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    """New time-out ids are random. One of the old form "<user id>-<ms>" (made here by drawing no random id)
    is renamed when its initiator is erased, everywhere the partner still uses it; her id leaves the ready and
    hushed lists; the contracts cache holds none of her sentences any more."""
    await pair(talk, inbox)
    await sentences(talk, inbox)
    ann = await uid(store, ANN)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    (fresh,) = (await store.query("SELECT id FROM timeouts"))[0]
    assert not fresh.startswith(f"{ann}-") and str(ann) not in fresh.split("-")
    await talk.say(ANN, "/stop")
    await talk.say(ANN, "/stop")
    await talk.press(ANN, "w.cancel.yes")
    clock.advance(10 * MIN)

    store.random_id = lambda: 0  # the core falls back to the old form
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    (legacy,) = (await store.query("SELECT id FROM timeouts WHERE status = 'running'"))[0]
    assert legacy.startswith(f"{ann}-")
    await talk.press(BOB, "p.start")  # Bob takes part: his dialogue, timers and members row name the time-out
    store.random_id = lambda: 123456789
    await talk.say(ANN, "/forget")
    await talk.press(ANN, "fg.yes")

    ids_left = [t for (t,) in await store.query("SELECT id FROM timeouts")]
    assert legacy not in ids_left and "75bcd15" in ids_left
    for table, col in (("timers", "timeout_id"), ("timers", "id"), ("outbox", "tag"), ("sessions", "data"),
                       ("timeout_members", "timeout_id")):
        rows = await store.query(f"SELECT {col} FROM {table}")
        assert not any(legacy in str(v) for (v,) in rows), (table, rows)
    lists = await store.query("SELECT ready, hushed FROM timeouts")
    assert not any(str(ann) in r.split(",") or str(ann) in h.split(",") for r, h in lists)
    assert store_module.contract_of.cache_info().currsize == 0
    gc.collect()  # nor anywhere else in memory: no cache (store or core) keeps a contract with her sentence
    assert not [o for o in gc.get_objects() if isinstance(o, Contract) and ANN_SENTENCE in dict(o.sentences).values()]
