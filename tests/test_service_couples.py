"""Two people on two platforms sharing one SQLite file: pairing, the first contract, a time-out with the
partner's notice and flow, the return together, unpairing, and wrong codes rate-limited.

Ann is on Telegram and reads Dutch; Bob is on Discord and reads English. Everything goes through
`Dialogue.handle` (what the adapters call) and the `Dispatcher` (what delivers notices and pings).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from adempauze_testkit import Inbox, ids, said, send_id

from bot.clock import ManualClock
from bot.core import couples
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, UserRef
from bot.store import Store

if TYPE_CHECKING:
    from conftest import Recorder, Talk

ANN = UserRef("telegram", "111", chat_id="tg-111", name="Ann", locale="nl")
BOB = UserRef("discord", "222", chat_id="dm-222", name="Bob", locale="en-US")
MIN = timedelta(minutes=1)
CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def code_in(outs: list[Outgoing]) -> str:
    found: set[str] = {m for o in outs for m in CODE_RE.findall(o.text)}
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture
def inbox(recorder: Recorder, dispatcher: Dispatcher) -> Inbox:
    return Inbox(recorder, dispatcher, (ANN, BOB))


async def pair(talk: Talk, inbox: Inbox) -> None:
    """Ann invites, Bob joins and accepts the first contract."""
    code = code_in(await talk.say(ANN, "/koppel"))
    out = await talk.say(BOB, f"/join {code}")
    assert said(out, "en", "join.ok") and said(out, "en", "contract.first")
    assert said(await inbox.new(ANN), "nl", "pair.joined")
    assert said(await talk.say(BOB, "/accept"), "en", "contract.accepted")
    assert said(await inbox.new(ANN), "nl", "contract.accepted.notice")


async def test_pair_join_accept_across_platforms(talk: Talk, store: Store, inbox: Inbox) -> None:
    out = await talk.say(ANN, "/koppel")
    assert said(out, "nl", "pair.code")
    code = code_in(out)
    assert await store.query("SELECT count(*) FROM invites") == [(1,)]

    out = await talk.say(BOB, f"/join {code.lower()}")  # typed loosely

    assert said(out, "en", "join.ok") and said(out, "en", "contract.first")
    (cid,) = (await store.query("SELECT id FROM couples"))[0]
    assert {f"ct.accept.{cid}.1", f"ct.reject.{cid}.1"} <= set(ids(out))  # the joiner sees it and can decide
    joined = await inbox.new(ANN)
    assert len(joined) == 3 and said(joined, "nl", "pair.joined") and "Bob" in joined[0].text
    assert said(joined[1:2], "nl", "contract.first.inviter")  # the inviter sees the first contract too
    assert "Een time-out duurt minstens 20 min" in joined[1].text
    assert said(joined[2:], "nl", "screen.ask")  # the calm-time question, to Ann alone
    assert said(out, "en", "screen.ask")  # and to Bob alone
    assert await inbox.new(BOB) == []
    rows = await store.query(
        "SELECT ua.platform, ub.platform FROM couples c JOIN users ua ON ua.id = c.a JOIN users ub ON ub.id = c.b"
    )
    assert rows == [("telegram", "discord")]
    assert await store.query("SELECT version, status FROM contracts") == [(1, "proposed")]

    # Bob sees the proposal again with /contract; Ann (who proposed it) cannot accept her own.
    assert said(await talk.say(BOB, "/contract"), "en", "contract.proposal.theirs")
    assert said(await talk.say(ANN, "/accept"), "nl", "contract.own_proposal")
    assert await store.query("SELECT status FROM contracts") == [("proposed",)]

    out = await talk.press(BOB, f"ct.accept.{cid}.1")

    assert said(out, "en", "contract.accepted")
    assert said(await inbox.new(ANN), "nl", "contract.accepted.notice")
    assert await store.query("SELECT version, status FROM contracts") == [(1, "active")]
    # The used code cannot pair anyone else, and both are "already paired".
    cat = UserRef("console", "cat", name="Cat", locale="en")
    assert said(await talk.say(cat, f"/join {code}"), "en", "join.bad")
    assert said(await talk.say(ANN, "/pair"), "nl", "pair.already")
    assert said(await talk.say(BOB, f"/join {code}"), "en", "join.already")


async def test_a_changed_contract_holds_only_once_the_other_accepts(talk: Talk, store: Store, inbox: Inbox) -> None:
    await pair(talk, inbox)
    out = await talk.say(ANN, "/afspraken verlengingen 2")
    assert said(out, "nl", "contract.drafted") and await inbox.new(BOB) == []  # a draft, not sent yet
    assert said(await talk.press(ANN, send_id(out)), "nl", "contract.sent")
    proposal = await inbox.new(BOB)
    (cid,) = (await store.query("SELECT id FROM couples"))[0]
    assert said(proposal, "en", "contract.proposed") and ids(proposal) == ["ct.show"]  # the text when asked
    shown = await talk.press(BOB, "ct.show")
    assert said(shown, "en", "contract.proposal.theirs") and f"ct.accept.{cid}.2" in ids(shown)
    assert await store.query("SELECT version, status FROM contracts ORDER BY version") == [
        (1, "active"), (2, "proposed")
    ]
    assert said(await talk.say(BOB, "/reject"), "en", "contract.rejected")
    await inbox.new(ANN)
    assert await store.query("SELECT version, status FROM contracts ORDER BY version") == [
        (1, "active"), (2, "rejected")
    ]
    out = await talk.say(ANN, "/afspraken verlengingen 3")  # a new number: versions are never reused
    await talk.press(ANN, send_id(out))
    assert ids(await inbox.new(BOB)) == ["ct.show"]
    assert f"ct.accept.{cid}.3" in ids(await talk.press(BOB, "ct.show"))
    assert said(await talk.press(BOB, f"ct.accept.{cid}.2"), "en", "contract.stale")  # the rejected one's button
    accepted = await talk.press(BOB, f"ct.accept.{cid}.3")
    assert said(accepted, "en", "contract.accepted") and "(version 2)" in accepted[0].text  # one up per set
    assert "(versie 2)" in (await inbox.new(ANN))[0].text
    assert await store.query("SELECT version, status FROM contracts ORDER BY version") == [
        (1, "superseded"), (2, "rejected"), (3, "active")
    ]
    (data,) = (await store.query("SELECT data FROM contracts WHERE status = 'active'"))[0]
    assert json.loads(data)["extensions"] == 3  # the second proposal's content, not the rejected one's


async def test_a_time_out_with_the_partner_from_notice_to_return(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    await pair(talk, inbox)

    await talk.say(ANN, "/pauze")
    out = await talk.press(ANN, "ret.m30")
    assert said(out, "nl", "start.told") and "21:40" in out[0].text

    notice = await inbox.new(BOB)  # in Bob's language; his time zone is Amsterdam too
    assert len(notice) == 1 and said(notice, "en", "notice.start") and "p.start" in ids(notice)
    text = notice[0].text
    assert "Ann" in text and "isn't a no to you" in text and "back by 21:40" in text  # boundary, ack, return

    out = await talk.press(BOB, "p.start")
    assert said(out, "en", "partner.intro") and await talk.phase(BOB) == "breathe"
    for c in ("br.next", "t.6", "f.hurt", "n.heard", "w.prepare", "op.use"):
        await talk.press(BOB, c)
    await talk.say(BOB, "The dishes")
    await talk.press(BOB, "pf.overwhelmed")
    await talk.press(BOB, "own.voice")
    assert await talk.phase(BOB) == "waiting"
    assert await inbox.new(ANN) == []  # nothing of Bob's flow reaches Ann

    clock.advance(30 * MIN)
    pings = await inbox.take()
    assert said(pings["111"], "nl", "return.ping") and "21:40" in pings["111"][0].text
    assert said(pings["222"], "en", "return.ping") and "21:40" in pings["222"][0].text
    assert await talk.phase(ANN) == "return" and await talk.phase(BOB) == "return"

    out = await talk.press(ANN, "r.ready")
    assert said(out, "nl", "return.card") and said(out, "nl", "return.wait_partner")
    out = await talk.press(BOB, "r.ready")
    assert said(out, "en", "return.card") and "The dishes" in out[0].text  # his own plan, to him only
    told = await inbox.new(ANN)
    assert said(told, "nl", "notice.both_ready") and "The dishes" not in told[0].text
    assert await store.query("SELECT status FROM timeouts") == [("returned",)]

    # /patterns now has something to show for both.
    assert not said(await talk.say(ANN, "/patronen"), "nl", "patterns.empty")
    assert not said(await talk.say(BOB, "/patterns"), "en", "patterns.empty")
    assert said(await talk.say(UserRef("console", "cat", locale="en"), "/patterns"), "en", "patterns.empty")


async def test_unpair_tells_the_other_kindly(talk: Talk, store: Store, inbox: Inbox) -> None:
    await pair(talk, inbox)

    out = await talk.say(BOB, "/unpair")

    assert said(out, "en", "unpair.done")
    told = await inbox.new(ANN)
    assert len(told) == 1 and said(told, "nl", "unpair.notice")
    assert await store.query("SELECT count(*) FROM couples") == [(0,)]
    assert await store.query("SELECT count(*) FROM contracts") == [(0,)]
    # Alone again: a time-out tells nobody.
    await talk.say(ANN, "/pauze")
    assert said(await talk.press(ANN, "ret.m30"), "nl", "start.solo")
    assert await inbox.new(BOB) == []


async def test_wrong_codes_get_one_neutral_answer_and_are_rate_limited(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    code = code_in(await talk.say(ANN, "/pair"))
    await talk.say(ANN, "/pair")  # a new code replaces the first: that one is now unknown
    fresh = code_in(await talk.say(ANN, "/pair"))
    unknown = couples.show_code(couples.new_code(b"\x01" * 8))

    answers = []
    for typed in (unknown, "hello", code, "K7QM-3XHD-9PR", unknown):
        out = await talk.say(BOB, f"/join {typed}")
        answers.append(tuple(o.text for o in out))
    assert len(set(answers)) == 1 and said(list(answers[0]), "en", "join.bad")  # nothing tells codes apart
    assert await store.query("SELECT count(*) FROM join_failures") == [(5,)]

    out = await talk.say(BOB, f"/join {fresh}")  # even the right code waits now
    assert said(out, "en", "join.slow_down")
    assert await store.query("SELECT count(*) FROM couples") == [(0,)]

    clock.advance(10 * MIN)
    out = await talk.say(BOB, f"/join {fresh}")
    assert said(out, "en", "join.ok")
    assert said(await inbox.new(ANN), "nl", "pair.joined")


async def test_an_expired_code_is_refused(talk: Talk, store: Store, clock: ManualClock) -> None:
    code = code_in(await talk.say(ANN, "/pair"))
    clock.advance(couples.INVITE_TTL)
    assert said(await talk.say(BOB, f"/join {code}"), "en", "join.bad")
    assert said(await talk.say(ANN, f"/join {code}"), "nl", "join.own")
    assert await store.query("SELECT count(*) FROM couples") == [(0,)]


async def test_the_telegram_deep_link_joins(talk: Talk, store: Store) -> None:
    code = code_in(await talk.say(BOB, "/pair"))
    payload = couples.normalise_code(code)
    assert payload is not None and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    out = await talk.say(ANN, f"/start {payload}")
    assert said(out, "nl", "join.ok")
    assert await store.query("SELECT count(*) FROM couples") == [(1,)]


async def test_own_settings_made_alone_become_the_first_proposal_for_both(
    talk: Talk, store: Store, inbox: Inbox
) -> None:
    """Issue 15: /afspraken works before pairing (own settings, kept in one's session), and at pairing both
    people's own settings are the first proposal, which the inviter sees as well as the joiner."""
    out = await talk.say(ANN, "/afspraken min 45")
    assert said(out, "nl", "contract.saved_own") and "Kortste time-out: 20 min → 45 min" in out[0].text
    assert said(await talk.say(BOB, "/contract quiet 22-07"), "en", "contract.saved_own")
    out = await talk.say(ANN, "/pauze")
    assert "ret.m45" in ids(out) and "ret.m20" not in ids(out)  # her own minimum holds, alone
    await talk.say(ANN, "/stop")
    assert await store.query("SELECT count(*) FROM contracts") == [(0,)]  # nothing of a couple yet

    code = code_in(await talk.say(ANN, "/koppel"))
    out = await talk.say(BOB, f"/join {code}")
    first = next(o for o in out if said([o], "en", "contract.first"))
    assert "Shortest break: 20 min → 45 min" in first.text and "Quiet hours: 23:00–07:00 → 22:00–07:00" in first.text
    joined = await inbox.new(ANN)
    assert said(joined, "nl", "contract.first.inviter") and any("minstens 45 min" in o.text for o in joined)
    accepted = await talk.say(BOB, "/accept")
    assert said(accepted, "en", "contract.accepted") and "(version 1)" in accepted[0].text
    (data,) = (await store.query("SELECT data FROM contracts WHERE status = 'active'"))[0]
    assert json.loads(data)["min"] == 45 * 60 and json.loads(data)["quiet"] == [22 * 60, 7 * 60]
    out = await talk.say(BOB, "/timeout")
    assert "ret.m45" in ids(out) and "ret.m20" not in ids(out)  # the couple's contract now, for both


async def test_patterns_sends_both_partners_a_chart_of_the_same_shared_counts(
    talk: Talk, store: Store, inbox: Inbox, clock: ManualClock
) -> None:
    from bot.i18n import catalog
    from bot.media.patterns_chart import FILE_NAME

    await pair(talk, inbox)
    await talk.to_waiting(ANN, 30)  # Ann's own flow: tension 8 -> 5, angry and unseen, "Wie de afwas doet"
    clock.advance(30 * MIN)
    await inbox.take()
    await talk.press(ANN, "r.ready")
    await talk.press(BOB, "r.ready")
    clock.advance(timedelta(days=2))
    await talk.say(BOB, "/timeout")
    await talk.press(BOB, "ret.m30")
    assert said(await talk.say(BOB, "/extend"), "en", "extend.ok")
    clock.advance(60 * MIN)
    await inbox.take()
    await talk.press(BOB, "r.ready")
    await talk.press(ANN, "r.ready")
    assert await store.query("SELECT status, extensions_used FROM timeouts ORDER BY started_at") == [
        ("returned", 0), ("returned", 1)]

    ann, bob = await talk.say(ANN, "/patronen"), await talk.say(BOB, "/patterns")
    for out, locale in ((ann, "nl"), (bob, "en")):
        [shown] = [o for o in out if o.image is not None]
        assert shown.image is not None and shown.image.name == FILE_NAME
        assert shown.image.png.startswith(b"\x89PNG")
        assert shown.image.caption == catalog(locale)["patterns.chart.caption"]
    ann_text, bob_text = "\n".join(o.text for o in ann), "\n".join(o.text for o in bob)
    assert "2 time-outs: 1 door jou, 1 door je partner" in ann_text
    assert "Extra tijd gevraagd: 0× door jou, 1× door je partner" in ann_text
    assert "2 time-outs: 1 started by you, 1 by your partner" in bob_text
    assert "Extra time asked: 1× by you, 0× by your partner" in bob_text
    assert "Terugkomen: 1 op tijd, 1 na verlengen, 0 gemist" in ann_text
    assert "Coming back: 1 on time, 1 after extra time, 0 missed" in bob_text
    assert "Gemiddelde spanning: 8,0 → 5,0" in ann_text and "Tension" not in bob_text  # own scores only
    assert "afwas" not in bob_text and "unseen" not in bob_text and "angry" not in bob_text  # nothing of Ann's
    assert ann[0].image != bob[0].image
