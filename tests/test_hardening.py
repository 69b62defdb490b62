"""Issue 13 (hardening), through `Dialogue.handle` and the `Dispatcher` on a real SQLite file: what reaches the
partner (links, invisible characters, proposal texts, quiet hours, someone in SAFETY), slow input, stale contract
buttons across pairings, and the language and wording people get.

Ann is on Telegram and reads Dutch; Bob is on Discord and reads English. Cat and Dan are a second couple.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from adempauze_testkit import Inbox, ids, said, send_id

from bot.clock import ManualClock
from bot.core import contract, couples
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, UserRef, event_from_text
from bot.service import Dialogue
from bot.store import Store

if TYPE_CHECKING:
    from conftest import Recorder, Talk

ANN = UserRef("telegram", "111", chat_id="tg-111", name="Ann", locale="nl")
BOB = UserRef("discord", "222", chat_id="dm-222", name="Bob", locale="en-US")
CAT = UserRef("telegram", "333", chat_id="tg-333", name="Cat", locale="en")
DAN = UserRef("telegram", "444", chat_id="tg-444", name="Dan", locale="en")
MIN = timedelta(minutes=1)
CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def code_in(outs: list[Outgoing]) -> str:
    found: set[str] = {m for o in outs for m in CODE_RE.findall(o.text)}
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture
def inbox(recorder: Recorder, dispatcher: Dispatcher) -> Inbox:
    return Inbox(recorder, dispatcher)


async def pair(talk: Talk, inbox: Inbox, a: UserRef = ANN, b: UserRef = BOB, *, accept: bool = True) -> list[Outgoing]:
    """a invites, b joins (and accepts the first contract). Returns what b was shown on joining."""
    code = code_in(await talk.say(a, "/pair"))
    joined = await talk.say(b, f"/join {code}")
    assert said(joined, b.locale[:2], "join.ok")
    if accept:
        assert said(await talk.say(b, "/accept"), b.locale[:2], "contract.accepted")
    await inbox.take()
    return joined


# -- finding 6: slow input hurts nobody ------------------------------------------------------------------------

SLOW_SENTENCE = "a-" * 2048  # 4,096 characters: the old link pattern tried every one of its 4,096 word boundaries


@pytest.fixture
def link_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every text the link pattern is run over, from now on."""
    read: list[int] = []
    real = couples._LINK

    class Counting:
        def search(self, text: str, *args: object) -> object:
            read.append(len(text))
            return real.search(text, *args)

        def sub(self, repl: str, text: str, *args: object) -> str:
            read.append(len(text))
            return real.sub(repl, text, *args)

    monkeypatch.setattr(couples, "_LINK", Counting())
    return read


async def test_long_contract_sentences_do_not_hold_up_another_couples_status(
    talk: Talk, inbox: Inbox, dialogue: Dialogue, link_reads: list[int]
) -> None:
    """Twenty 4,096-character sentences at once (the most any platform passes) and Cat's /status among them:
    the length is checked before any pattern runs, so no pattern reads more than a short sentence's worth of
    text, and Cat's answer comes among them. (Before: the link pattern read all 4,096 characters of each,
    70-120 ms each, about a second of delay for Cat.) Counted, not timed: a timer here would measure the machine."""
    await pair(talk, inbox)
    await talk.say(CAT, "/help")
    read = link_reads

    async def cat_status() -> list[object]:
        out = await dialogue.handle(CAT, event_from_text("/status"))
        assert said(out, "en", "status.none")
        return out

    results = await asyncio.gather(
        *(talk.say(ANN if i % 2 else BOB, f"/contract sentence {SLOW_SENTENCE}") for i in range(20)), cat_status()
    )
    for i, out in enumerate(results[:-1]):
        assert isinstance(out, list) and said(out, "nl" if i % 2 else "en", "contract.bad.sentence")
    assert all(n <= contract.SENTENCE_MAX * 4 for n in read), max(read)


async def test_a_huge_display_name_costs_no_more_than_a_short_one(
    talk: Talk, store: Store, link_reads: list[int]
) -> None:
    """A 64 k display name (before: 22 s on the store's thread) is cut before anything is matched."""
    read = link_reads
    giant = UserRef("telegram", "555", chat_id="tg-555", name="a-" * 32_768, locale="en")
    await talk.say(giant, "/help")
    await talk.say(giant, "/status")
    assert read and max(read) <= couples.NAME_MAX * 4
    (name,) = (await store.query("SELECT name FROM users WHERE external_id = '555'"))[0]
    assert 0 < len(name) <= 64


# -- finding 7: what reaches the partner ----------------------------------------------------------------------

LINKS = ["evil.ru", "kijk op evil.de/x", "evil.shop", "еvil.com", "evil。com", "ｅｖｉｌ．ｃｏｍ", "evil\u200b.com",
         "tg://resolve?domain=evil", "discord://-/invite/x", "mailto:x", "xn--80ak6aa92e.com"]


@pytest.mark.parametrize("link", LINKS)
async def test_no_link_of_any_kind_reaches_the_partner_in_a_sentence_or_a_name(
    talk: Talk, inbox: Inbox, store: Store, link: str
) -> None:
    await pair(talk, inbox)
    out = await talk.say(ANN, f"/afspraken zin Ik neem een pauze, ik kom terug om 22:00 {link}")
    assert said(out, "nl", "contract.bad.link")
    assert await store.query("SELECT count(*) FROM contracts WHERE status = 'proposed'") == [(0,)]
    sly = UserRef("telegram", "666", chat_id="tg-666", name=f"Eve {link}", locale="en")
    await talk.say(sly, "/help")
    (name,) = (await store.query("SELECT name FROM users WHERE external_id = '666'"))[0]
    assert name.startswith("Eve") and "evil" not in name and not couples.has_link(name)


@pytest.mark.parametrize("mark", ["\u202e", "\u202d", "\u2066", "\u200f", "\u200b", "\u2028", "\n", "\x1b"])
async def test_display_names_lose_characters_that_reorder_or_hide_text(talk: Talk, store: Store, mark: str) -> None:
    who = UserRef("telegram", "777", chat_id="tg-777", name=f"Ann{mark}a evil", locale="en")
    await talk.say(who, "/help")
    (name,) = (await store.query("SELECT name FROM users WHERE external_id = '777'"))[0]
    assert name.isprintable() and mark not in name and name.startswith("Ann")


@pytest.mark.parametrize("text", ["Ik neem een pauze, om 21.30 ben ik terug", "Time-out! Back at 9.15, e.g. later.",
                                  "J.R.R. zegt: ik kom over 30 min. terug", "Anne-Marie neemt even ruimte"])
def test_ordinary_sentences_are_no_links(text: str) -> None:
    assert not couples.has_link(text)


@pytest.mark.parametrize("unit", ["a-", "a.", "a", "@", "a.a-"])
def test_the_link_check_is_linear(unit: str) -> None:
    """Sixteen times the text costs about sixteen times the work, not 256 (the old pattern was quadratic).
    A ratio of CPU times on one machine in one moment, so the machine's speed and load cancel out."""

    def cost(size: int) -> float:
        text = unit * (size // len(unit))
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for _ in range(max(1, 65_536 // size)):
                couples.has_link(text)
                couples.without_links(text)
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(4096), cost(65_536)  # the same number of characters read in all
    assert large < 4 * max(small, 1e-4), (small, large)  # quadratic would be 16 times


# -- finding 5: a contract button names what it acts on -------------------------------------------------------


async def test_an_accept_button_from_an_earlier_pairing_does_nothing_after_pairing_again(
    talk: Talk, inbox: Inbox, store: Store
) -> None:
    """Versions start at 1 for every couple. Bob keeps the accept button of his pairing with Ann, unpairs,
    joins Cat, and presses the old button: it must not accept Cat's proposal (which he has not decided on)."""
    joined = await pair(talk, inbox, ANN, BOB, accept=False)
    old = [c for c in ids(joined) if c.startswith("ct.accept.")]
    assert len(old) == 1
    assert said(await talk.say(BOB, "/unpair"), "en", "unpair.done")
    await pair(talk, inbox, CAT, BOB, accept=False)
    assert await store.query("SELECT version, status FROM contracts") == [(1, "proposed")]

    out = await talk.press(BOB, old[0])

    assert said(out, "en", "contract.stale") or said(out, "en", "hint.stale")
    assert not said(out, "en", "contract.accepted")
    assert await store.query("SELECT version, status FROM contracts") == [(1, "proposed")]
    assert said(await talk.say(BOB, "/accept"), "en", "contract.accepted")  # deciding knowingly still works


# -- finding 7: what reaches the partner, and when -------------------------------------------------------------

SENTENCE = "ZEBRA-7313 ik neem een pauze, het is geen nee tegen jou, ik kom over 30 minuten terug"


async def test_a_proposal_notice_carries_no_contract_text_which_is_shown_when_asked(
    talk: Talk, inbox: Inbox
) -> None:
    await pair(talk, inbox)
    out = await talk.say(ANN, f"/afspraken zin {SENTENCE}")
    assert said(out, "nl", "contract.drafted")
    assert await inbox.take() == {}  # a draft goes nowhere until it is sent
    assert said(await talk.press(ANN, send_id(out)), "nl", "contract.sent")
    notice = (await inbox.take())[BOB.external_id]
    assert said(notice, "en", "contract.proposed") and ids(notice) == ["ct.show"]
    assert not any("ZEBRA-7313" in o.text for o in notice)
    shown = await talk.press(BOB, "ct.show")
    assert said(shown, "en", "contract.proposal.theirs") and any("ZEBRA-7313" in o.text for o in shown)
    assert any(c.startswith("ct.accept.") for c in ids(shown))


async def test_a_proposal_at_three_in_the_night_waits_for_the_end_of_the_quiet_hours(
    talk: Talk, inbox: Inbox, clock: ManualClock, store: Store
) -> None:
    await pair(talk, inbox)
    clock.advance(timedelta(hours=5, minutes=50))  # Saturday 03:00 in Amsterdam, inside 23:00-07:00
    await talk.press(ANN, send_id(await talk.say(ANN, "/afspraken verlengingen 2")))
    assert await inbox.take() == {}
    await talk.say(ANN, "/pauze")  # a time-out notice is no nudge: it still goes at once, not behind the proposal
    await talk.press(ANN, "ret.m30")
    got = await inbox.take()
    assert said(got[BOB.external_id], "en", "notice.start") and not said(got[BOB.external_id], "en",
                                                                            "contract.proposed")
    for _ in range(239):  # minute by minute to 06:59: Bob's return pings come (agreed times), the proposal not
        clock.advance(MIN)
        assert not said((await inbox.take()).get(BOB.external_id, []), "en", "contract.proposed")
    clock.advance(MIN)  # 07:00
    got = (await inbox.take())[BOB.external_id]
    assert said(got, "en", "contract.proposed") and not said(got, "en", "delivery.late")


async def test_notices_to_someone_on_the_safety_screen_wait_until_they_leave_it(
    talk: Talk, inbox: Inbox, clock: ManualClock, store: Store
) -> None:
    await pair(talk, inbox)
    assert said(await talk.press(BOB, "safety"), "en", "safety.screen")
    await talk.press(ANN, send_id(await talk.say(ANN, "/afspraken verlengingen 2")))
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    for _ in range(3):
        assert BOB.external_id not in await inbox.take()  # held, not sent, not dropped
        clock.advance(2 * MIN)
    assert await store.query("SELECT count(*), max(attempts) FROM outbox WHERE user_id = "
                             "(SELECT id FROM users WHERE external_id = '222')") == [(2, 0)]
    await talk.press(BOB, "safety.continue")
    clock.advance(2 * MIN)
    got = (await inbox.take())[BOB.external_id]
    assert said(got, "en", "contract.proposed") and said(got, "en", "notice.start")


# -- finding 9: the partner's /status ---------------------------------------------------------------------------


async def test_the_partners_status_speaks_of_the_others_break_not_of_theirs(talk: Talk, inbox: Inbox) -> None:
    """(Already so on main since the flow package: kept here as the guard of this point of the finding.)"""
    await pair(talk, inbox)
    await talk.say(ANN, "/pauze")
    await talk.press(ANN, "ret.m30")
    await inbox.take()
    out = await talk.say(BOB, "/status")
    assert said(out, "en", "status.partner") and not said(out, "en", "status.running")
    assert said(await talk.say(ANN, "/status"), "nl", "status.running")
