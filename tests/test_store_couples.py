"""The store's side of couples on a real SQLite file: migration 0002, invites (hashed), failed joins, couples,
contract versions, the facts /patterns reads, and the indexes behind them.

Most tests work at the store's seam with the core: `load_ctx` (what a step may know) and `apply_effect` (doing
an effect), on a plain sqlite3 connection to a migrated file. A few go through `Store.handle` with the real core.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.codec import dump_contract, ts
from bot.core import contract, couples
from bot.core.effects import CreateInvite, Decide, Effect, JoinFailed, Pair, Propose, Unpair
from bot.core.events import CommandReceived, Event, TextReceived
from bot.core.flow import Ctx
from bot.core.model import Contract, Couple, Fact, Invite, Person, Proposal
from bot.ports import UserRef
from bot.store import (
    MIGRATIONS,
    Store,
    StoreError,
    code_hash,
    connect_pragmas,
    load_couple,
    load_ctx,
    load_invite,
    migrate_sync,
    migration_files,
)
from bot.store.sqlite.effects import apply_effect

NOW = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
CODE = couples.new_code(bytes(range(1, 9)))


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    c = sqlite3.connect(db_path, isolation_level=None)
    connect_pragmas(c)
    migrate_sync(c)
    yield c
    c.close()


def add_user(c: sqlite3.Connection, name: str, locale: str = "nl", platform: str = "telegram") -> Person:
    uid = c.execute(
        "INSERT INTO users (platform, external_id, name, locale, tz, country, created_at) "
        "VALUES (?, ?, ?, ?, 'Europe/Amsterdam', 'NL', 0)",
        (platform, name, name.title(), locale),
    ).lastrowid
    assert uid is not None
    return Person(uid, locale, "Europe/Amsterdam", "NL", name.title())


def apply(c: sqlite3.Connection, who: Person, *effects: Effect, now: datetime = NOW) -> None:
    """Perform effects as `_step` does: in one transaction."""
    c.execute("BEGIN IMMEDIATE")
    try:
        for fx in effects:
            apply_effect(c, fx, who, now)
    except BaseException:
        c.execute("ROLLBACK")
        raise
    c.execute("COMMIT")


def ctx(c: sqlite3.Connection, who: Person, event: Event, now: datetime = NOW) -> Ctx:
    return load_ctx(c, who, event, now)


def join(c: sqlite3.Connection, who: Person, typed: str, now: datetime = NOW) -> Invite | None:
    return ctx(c, who, CommandReceived("join", typed), now).invite


def paired(c: sqlite3.Connection, first: Contract = contract.DEFAULT) -> tuple[Person, Person, int]:
    """ann invites, bob joins: (ann, bob, couple id)."""
    ann, bob = add_user(c, "ann"), add_user(c, "bob", "en")
    apply(c, ann, CreateInvite(CODE, NOW + couples.INVITE_TTL))
    apply(c, bob, Pair(ann.id, CODE, first))
    couple = load_couple(c, bob.id)
    assert couple is not None
    return ann, bob, couple.id


def contract_rows(c: sqlite3.Connection, cid: int) -> list[tuple[int, str, int | None, int | None]]:
    return c.execute(
        "SELECT version, status, proposed_by, decided_at FROM contracts WHERE couple_id = ? ORDER BY version", (cid,)
    ).fetchall()


# -- migration 0002 ------------------------------------------------------------------------------------------


def test_0002_applies_on_top_of_a_0001_database(tmp_path: Path) -> None:
    only_first = tmp_path / "m"
    only_first.mkdir()
    shutil.copy(MIGRATIONS / "0001_initial.sql", only_first)
    c = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    try:
        connect_pragmas(c)
        assert migrate_sync(c, only_first) == (0, 1)
        a, b = add_user(c, "ann"), add_user(c, "bob")
        c.execute("INSERT INTO couples (a, b, created_at) VALUES (?, ?, 0)", (a.id, b.id))

        latest = len(migration_files())
        assert latest >= 2 and migrate_sync(c) == (1, latest)
        assert c.execute("PRAGMA user_version").fetchone() == (latest,)
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"invites", "join_failures", "contracts"} <= tables
        # The couple made under 0001 is still there and reads as a couple on the defaults.
        couple = load_couple(c, a.id)
        assert couple is not None and couple.partner.id == b.id
        assert (couple.contract, couple.version, couple.proposal) == (contract.DEFAULT, 0, None)
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        c.close()


# -- invites ---------------------------------------------------------------------------------------------------


async def test_an_invite_code_is_stored_only_as_its_hash(db_path: Path) -> None:
    """Through the real path: /pair draws a code, the reply shows it, the file never holds it."""
    store = await Store.open(db_path)
    done = await store.handle(UserRef("console", "ann"), CommandReceived("pair"), NOW)
    shown = next(str(v) for r in done.replies for k, v in r.msg.params if k == "code")
    code = couples.normalise_code(shown)
    assert code is not None and len(code) == couples.CODE_LEN
    assert await store.query("SELECT code_hash, expires_at FROM invites") == [
        (hashlib.sha256(code.encode()).hexdigest(), ts(NOW + couples.INVITE_TTL))
    ]
    await store.close()

    blob = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.is_file())
    for form in {code, shown, code.lower(), shown.lower(), code[:8]}:
        assert form.encode() not in blob, form
    assert code_hash(code).encode() in blob  # the scan itself can see text in this file


def test_a_new_invite_replaces_the_open_one(conn: sqlite3.Connection) -> None:
    ann = add_user(conn, "ann")
    other = couples.new_code(b"\x09" * 8)
    apply(conn, ann, CreateInvite(CODE, NOW + couples.INVITE_TTL))
    apply(conn, ann, CreateInvite(other, NOW + couples.INVITE_TTL))
    assert conn.execute("SELECT code_hash FROM invites").fetchall() == [(code_hash(other),)]
    bob = add_user(conn, "bob")
    assert join(conn, bob, CODE) == Invite(found=False)
    assert join(conn, bob, other) == Invite(True, ann.id)


def test_invite_lookup_states(conn: sqlite3.Connection) -> None:
    ann, bob, cat, dan = (add_user(conn, n) for n in ("ann", "bob", "cat", "dan"))
    until = NOW + couples.INVITE_TTL
    apply(conn, ann, CreateInvite(CODE, until))

    # found, in every typed form the core accepts; the same Invite for /join, /doemee and the /start deep link
    assert join(conn, bob, CODE) == Invite(True, ann.id, expired=False, used=False, owner_paired=False)
    typed = couples.show_code(CODE).lower().replace("0", "o").replace("1", "l")
    assert join(conn, bob, f"  {typed} ") == Invite(True, ann.id)
    assert ctx(conn, bob, CommandReceived("doemee", CODE)).invite == Invite(True, ann.id)
    assert ctx(conn, bob, CommandReceived("start", CODE)).invite == Invite(True, ann.id)
    # one's own code: found, the owner is me (the core refuses it)
    assert join(conn, ann, CODE) == Invite(True, ann.id)
    # unknown (well-formed) and malformed codes look the same
    assert join(conn, bob, couples.new_code(b"\x07" * 8)) == Invite(found=False)
    for bad in ("hello", "", "ABCD-EFGH", CODE + "X", "'; DROP TABLE invites; --", "ÅBCD" * 3):
        assert join(conn, bob, bad) == Invite(found=False), bad
    # expired: at the expiry second and after
    assert join(conn, bob, CODE, until - timedelta(seconds=1)) == Invite(True, ann.id)
    assert join(conn, bob, CODE, until) == Invite(True, ann.id, expired=True)

    # used: bob joined with it; owner_paired: ann is in a couple now
    apply(conn, bob, Pair(ann.id, CODE, contract.DEFAULT))
    assert join(conn, cat, CODE) == Invite(True, ann.id, used=True, owner_paired=True)
    # owner already paired, code not used: dan's open code after dan paired with cat through another code
    dan_code, cat_code = couples.new_code(b"\x05" * 8), couples.new_code(b"\x06" * 8)
    apply(conn, dan, CreateInvite(dan_code, until))
    apply(conn, cat, CreateInvite(cat_code, until))
    apply(conn, dan, Pair(cat.id, cat_code, contract.DEFAULT))
    assert join(conn, bob, dan_code) == Invite(found=False)  # pairing dropped the joiner's own open code
    conn.execute(
        "INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES (?, ?, 0, ?)",
        (code_hash(dan_code), dan.id, ts(until)),
    )
    assert join(conn, bob, dan_code) == Invite(True, dan.id, owner_paired=True)


def test_only_pair_draws_a_fresh_code_and_only_join_looks_one_up(conn: sqlite3.Connection) -> None:
    ann = add_user(conn, "ann")
    codes = {ctx(conn, ann, CommandReceived(name)).fresh_code for name in ("pair", "koppel", "pair", "PAIR")}
    assert len(codes) == 4 and all(couples.normalise_code(c) == c for c in codes)
    for ev in (CommandReceived("start"), CommandReceived("help", CODE), TextReceived(CODE), CommandReceived("x")):
        got = ctx(conn, ann, ev)
        assert (got.fresh_code, got.invite, got.join_failures, got.history) == ("", None, 0, ()), ev


# -- failed joins ----------------------------------------------------------------------------------------------


def test_failed_joins_count_within_the_window_and_old_ones_are_pruned(conn: sqlite3.Connection) -> None:
    bob, cat = add_user(conn, "bob"), add_user(conn, "cat")
    window = couples.JOIN_WINDOW
    for minutes_ago in (30 * 60, 11, 10, 9, 1, 0):  # 30 h, just outside, at the edge, inside …
        apply(conn, bob, JoinFailed(), now=NOW - timedelta(minutes=minutes_ago))
    apply(conn, cat, JoinFailed(), now=NOW)

    assert ctx(conn, bob, CommandReceived("join", "x")).join_failures == 3  # 9, 1, 0 minutes ago
    assert ctx(conn, bob, CommandReceived("start", CODE)).join_failures == 3
    assert ctx(conn, cat, CommandReceived("join", "x")).join_failures == 1
    assert ctx(conn, bob, CommandReceived("join", "x"), NOW + window).join_failures == 0
    # the row of 30 h ago went when a later failure was counted; nothing about any code is kept
    assert conn.execute("SELECT min(at) FROM join_failures").fetchone() == (ts(NOW - timedelta(minutes=11)),)
    assert [r[1] for r in conn.execute("PRAGMA table_info(join_failures)")] == ["user_id", "at"]


# -- couples and contracts ------------------------------------------------------------------------------------


def test_pairing_writes_the_couple_uses_the_invite_and_proposes_v1(conn: sqlite3.Connection) -> None:
    ann, bob = add_user(conn, "ann"), add_user(conn, "bob", "en")
    apply(conn, ann, CreateInvite(CODE, NOW + couples.INVITE_TTL))
    bob_code = couples.new_code(b"\x02" * 8)
    apply(conn, bob, CreateInvite(bob_code, NOW + couples.INVITE_TTL))
    first = Contract(min_break=timedelta(minutes=15))

    apply(conn, bob, Pair(ann.id, couples.show_code(CODE).lower(), first))  # any typed form of the code

    (cid, a, b, created), = conn.execute("SELECT id, a, b, created_at FROM couples").fetchall()
    assert (a, b, created) == (ann.id, bob.id, ts(NOW))
    assert conn.execute("SELECT user_id, used_at FROM invites").fetchall() == [(ann.id, ts(NOW))]
    assert conn.execute(
        "SELECT version, status, proposed_by, data, created_at, decided_at FROM contracts"
    ).fetchall() == [(1, "proposed", ann.id, dump_contract(first), ts(NOW), None)]

    # Both sides see the couple; partner and contract in the Ctx mirror it; defaults hold until v1 is accepted.
    for me, other in ((ann, bob), (bob, ann)):
        got = ctx(conn, me, TextReceived("hoi"))
        assert got.couple == Couple(cid, other, contract.DEFAULT, 0, Proposal(1, ann.id, first), last_version=1)
        assert (got.partner, got.contract) == (other, contract.DEFAULT)


def test_pairing_is_refused_for_a_used_invite_and_for_someone_already_paired(conn: sqlite3.Connection) -> None:
    ann, _, _ = paired(conn)
    cat = add_user(conn, "cat")
    before = conn.execute("SELECT count(*) FROM couples").fetchone()
    with pytest.raises(StoreError):
        apply(conn, cat, Pair(ann.id, CODE, contract.DEFAULT))  # used already
    cat_code = couples.new_code(b"\x03" * 8)
    apply(conn, cat, CreateInvite(cat_code, NOW + couples.INVITE_TTL))
    with pytest.raises(sqlite3.IntegrityError, match="at most one couple"):
        apply(conn, ann, Pair(cat.id, cat_code, contract.DEFAULT))  # ann is `a` already; would be `b` here
    assert conn.execute("SELECT count(*) FROM couples").fetchone() == before
    assert conn.execute("SELECT used_at FROM invites WHERE user_id = ?", (cat.id,)).fetchone() == (None,)


def test_an_expired_invite_cannot_pair(conn: sqlite3.Connection) -> None:
    ann, bob = add_user(conn, "ann"), add_user(conn, "bob")
    apply(conn, ann, CreateInvite(CODE, NOW + couples.INVITE_TTL))
    with pytest.raises(StoreError):
        apply(conn, bob, Pair(ann.id, CODE, contract.DEFAULT), now=NOW + couples.INVITE_TTL)
    assert load_couple(conn, bob.id) is None


def test_accept_reject_withdraw_and_supersede(conn: sqlite3.Connection) -> None:
    ann, bob, cid = paired(conn)
    later = NOW + timedelta(hours=1)

    apply(conn, bob, Decide(cid, 1, "accepted"), now=later)
    assert contract_rows(conn, cid) == [(1, "active", ann.id, ts(later))]
    couple = load_couple(conn, ann.id)
    assert couple is not None and (couple.version, couple.number, couple.proposal) == (1, 1, None)

    v2 = Contract(extensions=2)
    v3 = Contract(extensions=3)
    apply(conn, bob, Propose(cid, 2, v2))
    apply(conn, bob, Propose(cid, 3, v3))  # a new proposal replaces the open one: the old one is withdrawn
    assert contract_rows(conn, cid) == [
        (1, "active", ann.id, ts(later)), (2, "withdrawn", bob.id, ts(NOW)), (3, "proposed", bob.id, None),
    ]
    couple = load_couple(conn, ann.id)
    assert couple is not None and couple.proposal == Proposal(3, bob.id, v3) and couple.contract == contract.DEFAULT

    with pytest.raises(StoreError):
        apply(conn, bob, Decide(cid, 3, "accepted"))  # not by the proposer
    with pytest.raises(StoreError):
        apply(conn, ann, Decide(cid, 3, "withdrawn"))  # only the proposer withdraws
    with pytest.raises(StoreError):
        apply(conn, ann, Decide(cid, 2, "accepted"))  # a superseded proposal is not open

    apply(conn, ann, Decide(cid, 3, "accepted"))
    assert [r[:2] for r in contract_rows(conn, cid)] == [(1, "superseded"), (2, "withdrawn"), (3, "active")]
    couple = load_couple(conn, bob.id)
    assert couple is not None and (couple.contract, couple.version, couple.proposal) == (v3, 3, None)
    assert couple.number == 2  # as people count: the second accepted change set (its row is revision 3)

    apply(conn, ann, Propose(cid, 4, v2))
    apply(conn, bob, Decide(cid, 4, "rejected"))
    apply(conn, ann, Propose(cid, 5, v2))
    apply(conn, ann, Decide(cid, 5, "withdrawn"))
    assert [r[:2] for r in contract_rows(conn, cid)][3:] == [(4, "rejected"), (5, "withdrawn")]
    couple = load_couple(conn, bob.id)
    assert couple is not None and (couple.contract, couple.version, couple.proposal) == (v3, 3, None)
    assert couple.number == 2  # rejected and withdrawn sets count for nothing


def test_version_numbers_are_never_reused(conn: sqlite3.Connection) -> None:
    """After a withdrawn proposal the next one gets a new number (from Couple.last_version), and the store
    refuses any number that exists, so an old button can never act on a newer proposal."""
    ann, _bob, cid = paired(conn)
    apply(conn, ann, Decide(cid, 1, "withdrawn"))
    couple = load_couple(conn, ann.id)
    assert couple is not None and couple.last_version == 1 and couple.proposal is None
    nxt = couples.next_version(couple.version, None, couple.last_version)
    assert nxt == 2
    apply(conn, ann, Propose(cid, nxt, Contract(extensions=0)))
    assert contract_rows(conn, cid)[-1][:2] == (2, "proposed")
    with pytest.raises(StoreError):
        apply(conn, ann, Propose(cid, 1, Contract()))  # the withdrawn number is taken for good


def test_a_contract_round_trips_through_the_store(conn: sqlite3.Connection) -> None:
    ann, bob, cid = paired(conn)
    rich = Contract(
        min_break=timedelta(minutes=10), default_break=timedelta(minutes=45), max_break=timedelta(hours=8),
        extensions=3, extension=timedelta(minutes=15), notify_partner=False,
        signal_phrase="Ik neem een pauze — écht even 🫁",
        sentences=((ann.id, "Ik stop nu, het is geen nee tegen jou; om 22:00 ben ik terug."), (bob.id, "Back at 10")),
        rules=frozenset({"alcohol", "say_when"}), quiet_start=22 * 60 + 30, quiet_end=6 * 60,
    )
    apply(conn, bob, Propose(cid, 2, rich))
    couple = load_couple(conn, ann.id)
    assert couple is not None and couple.proposal is not None and couple.proposal.contract == rich
    apply(conn, ann, Decide(cid, 2, "accepted"))
    got = ctx(conn, bob, CommandReceived("contract"))
    assert got.contract == rich and got.couple is not None and got.couple.contract == rich


def test_unpair_removes_the_couple_and_its_contracts(conn: sqlite3.Connection) -> None:
    ann, bob, cid = paired(conn)
    apply(conn, bob, Decide(cid, 1, "accepted"), Propose(cid, 2, Contract(extensions=0)))
    cat = add_user(conn, "cat")
    with pytest.raises(StoreError):
        apply(conn, cat, Unpair(cid))  # not cat's couple
    for fx in (Propose(cid, 3, Contract()), Decide(cid, 2, "withdrawn")):
        with pytest.raises(StoreError):
            apply(conn, cat, fx)

    apply(conn, bob, Unpair(cid))

    assert conn.execute("SELECT count(*) FROM couples").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM contracts").fetchone() == (0,)
    for who in (ann, bob):
        got = ctx(conn, who, TextReceived("hoi"))
        assert (got.couple, got.partner, got.contract) == (None, None, contract.DEFAULT)
    # Either of them can pair again, with anyone.
    cat_code = couples.new_code(b"\x04" * 8)
    apply(conn, cat, CreateInvite(cat_code, NOW + couples.INVITE_TTL))
    apply(conn, ann, Pair(cat.id, cat_code, contract.DEFAULT))
    couple = load_couple(conn, ann.id)
    assert couple is not None and couple.partner.id == cat.id


def test_forgetting_a_user_takes_their_couple_invites_and_failures(conn: sqlite3.Connection) -> None:
    ann, bob, _ = paired(conn)
    apply(conn, bob, JoinFailed(), CreateInvite(couples.new_code(b"\x0a" * 8), NOW + couples.INVITE_TTL))
    conn.execute("DELETE FROM users WHERE id = ?", (bob.id,))
    for table in ("couples", "contracts", "join_failures"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    assert conn.execute("SELECT user_id FROM invites").fetchall() == [(ann.id,)]  # ann's used code (until it expires)


# -- history for /patterns ----------------------------------------------------------------------------------


def test_history_has_my_time_outs_of_90_days_with_only_my_own_answers(conn: sqlite3.Connection) -> None:
    ann, bob, _ = paired(conn)
    cat = add_user(conn, "cat")

    def timeout(tid: str, initiator: Person, partner: Person | None, days_ago: float, status: str, ext: int,
                p_ext: int = 0) -> None:
        started = ts(NOW - timedelta(days=days_ago))
        conn.execute(
            "INSERT INTO timeouts (id, initiator, partner, started_at, return_at, extensions_used, status, "
            "partner_extensions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (tid, initiator.id, partner.id if partner else None, started, started + 1800, ext, status, p_ext),
        )

    def member(tid: str, who: Person, *values: object) -> None:
        conn.execute(
            "INSERT INTO timeout_members (timeout_id, user_id, role, outcome, tension_start, tension_after, feeling, "
            "under, need, recorded_at) VALUES (?, ?, 'x', ?, ?, ?, ?, ?, ?, 0)", (tid, who.id, *values),
        )

    timeout("old", ann, bob, 91, "returned", 0)  # too old
    timeout("t1", ann, bob, 60, "returned", 1)
    timeout("t2", bob, ann, 20, "missed", 0)
    timeout("t4", bob, ann, 10, "returned", 0, 1)  # ann took a break of her own beside bob's, and extended it
    timeout("t3", ann, None, 2, "running", 0)  # alone
    timeout("cats", cat, None, 1, "returned", 0)  # someone else's
    member("t1", ann, "good", 8, 4, "angry", "unseen", "seen")
    member("t1", bob, "not_good", 9, 9, "hurt", None, "respect")  # bob's answers: never in ann's facts
    member("t2", bob, None, 7, None, "afraid", None, None)

    facts = ctx(conn, ann, CommandReceived("patronen")).history

    assert facts == (
        Fact(NOW - timedelta(days=60), True, "returned", True, "good", 8, 4, "angry", "unseen", True, False),
        Fact(NOW - timedelta(days=20), False, "missed", False),
        Fact(NOW - timedelta(days=10), False, "returned", True, extended_by_me=True),
        Fact(NOW - timedelta(days=2), True, "running", False),
    )
    bobs = ctx(conn, bob, CommandReceived("patterns")).history
    assert [(f.started_by_me, f.outcome, f.feeling) for f in bobs] == [
        (False, "not_good", "hurt"), (True, None, "afraid"), (True, None, None)
    ]
    # the shared counts, each from their own side: who extended is the same fact for both
    assert [(f.extended_by_me, f.extended_by_partner) for f in bobs] == [(False, True), (False, False), (False, True)]


# -- indexes and logs ----------------------------------------------------------------------------------------


def _plan(c: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(r[-1] for r in c.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


def test_the_couple_contract_invite_and_history_lookups_seek_their_indexes(conn: sqlite3.Connection) -> None:
    from bot.store.sqlite import rows as store

    expected = {
        store._COUPLE_SQL: ((1,), ("couples_a", "couples_b", "contracts_active", "contracts_proposed")),
        store._INVITE_SQL: (("h",), ("PRIMARY KEY (code_hash=?)", "couples_a", "couples_b")),
        store._JOIN_FAILURES_SQL: ((1, 0), ("join_failures_user",)),
        store._HISTORY_SQL: ((1, 0, 10), ("timeouts_initiator_started", "timeouts_partner_started",
                                          "PRIMARY KEY (timeout_id=? AND user_id=?)")),
        "UPDATE contracts SET status = 'superseded', decided_at = ? WHERE couple_id = ? AND status = 'active'":
            ((0, 1), ("contracts_active",)),
        "UPDATE contracts SET status = 'superseded', decided_at = ? WHERE couple_id = ? AND status = 'proposed'":
            ((0, 1), ("contracts_proposed",)),
        "DELETE FROM invites WHERE user_id = ? AND (used_at IS NULL OR expires_at <= ?)": ((1, 0), ("invites_user",)),
    }
    for sql, (params, indexes) in expected.items():
        plan = _plan(conn, sql, params)
        for index in indexes:
            assert index in plan, (sql, plan)
        assert "SCAN" not in plan and "TEMP B-TREE" not in plan, (sql, plan)


def test_the_open_time_out_lookup_seeks_only_open_time_outs(conn: sqlite3.Connection) -> None:
    """Every event looks up the person's open time-out: through the partial indexes of open ones (then sorts
    the one or two it finds), not along a person's whole history of time-outs."""
    from bot.store.sqlite import rows as store

    plan = _plan(conn, store.ACTIVE_TIMEOUT_SQL, (1, 0))
    assert "timeouts_active_initiator" in plan and "timeouts_active_partner" in plan, plan
    assert "_started" not in plan and "SCAN timeouts" not in plan, plan


async def test_logs_and_errors_never_hold_an_invite_code(
    db_path: Path, conn: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = await Store.open(db_path)
    try:
        ann, bob = UserRef("telegram", "111", name="Ann"), UserRef("discord", "222", name="Bob")
        done = await store.handle(ann, CommandReceived("pair"), NOW)
        shown = next(str(v) for r in done.replies for k, v in r.msg.params if k == "code")
        wrong = couples.new_code(b"\x0b" * 8)
        await store.handle(bob, CommandReceived("join", couples.show_code(wrong)), NOW)
        await store.handle(bob, CommandReceived("join", shown), NOW)
        assert len(await store.query("SELECT * FROM couples")) == 1
    finally:
        await store.close()
    code = couples.normalise_code(shown)
    assert code is not None
    # A refused pairing (a broken invariant: the core should not ask) says why, without the code.
    cat = add_user(conn, "cat")
    with pytest.raises(StoreError) as e:
        apply(conn, cat, Pair(1, code, contract.DEFAULT))
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records) + str(e.value)
    for form in (code, shown, wrong, couples.show_code(wrong)):
        assert form not in text and form.lower() not in text


def test_an_invite_brings_its_owners_own_settings_for_the_first_proposal(conn: sqlite3.Connection) -> None:
    """Issue 15: the settings someone made alone (in their session row) reach the joiner's step with the code."""
    from bot.codec import dump_session
    from bot.core.model import Session

    ann = add_user(conn, "ann")
    own = (("min", 45 * 60), ("sentence", "Ik neem even afstand, het is geen nee, over een uur ben ik terug."))
    conn.execute("INSERT INTO sessions (user_id, data, updated_at) VALUES (?, ?, 0)",
                 (ann.id, dump_session(Session(settings=own))))
    apply(conn, ann, CreateInvite(CODE, NOW + couples.INVITE_TTL))
    assert load_invite(conn, CODE, NOW).settings == own
    bob = add_user(conn, "bob")
    apply(conn, bob, CreateInvite(couples.new_code(bytes(range(2, 10))), NOW + couples.INVITE_TTL))
    assert load_invite(conn, couples.new_code(bytes(range(2, 10))), NOW).settings == ()  # no session row: none
