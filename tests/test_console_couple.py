"""Issue 11's bullets, each as a scripted two-partner console run (Sam in "me", Robin in "robin"): the real
console, Dialogue, store and dispatcher, the clock moved with !wait."""

from __future__ import annotations

import re
import string

import pytest

from adapters.console.app import Console, ConsoleMessenger
from bot.clock import ManualClock
from bot.dispatch import Dispatcher
from bot.i18n import catalog
from bot.service import Dialogue
from bot.store import Store

NL = catalog("nl")
HEADER = re.compile(r"(?m)^\[to ([\w.-]+)\]$")
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def line_of(key: str) -> str:
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(NL[key])]
    return max((ln.strip() for lit in pieces for ln in lit.split("\n")), key=len)


class Run:
    def __init__(self, console: Console, screen: list[str]) -> None:
        self.console, self.screen = console, screen

    async def __call__(self, *lines: str) -> dict[str, list[str]]:
        """Type the lines; returns what each person was sent meanwhile."""
        self.screen.clear()
        for ln in lines:
            await self.console.line(ln)
        parts = HEADER.split("".join(self.screen))
        out: dict[str, list[str]] = {}
        for i in range(1, len(parts), 2):
            out.setdefault(parts[i], []).append(parts[i + 1].strip())
        return out


def saw(out: dict[str, list[str]], who: str, key: str) -> bool:
    return any(line_of(key) in t for t in out.get(who, []))


@pytest.fixture
async def run(store: Store, clock: ManualClock) -> Run:
    screen: list[str] = []
    messenger = ConsoleMessenger(screen.append)
    dispatcher = Dispatcher(store, {"console": messenger}, clock)
    r = Run(Console(Dialogue(store, clock, on_scheduled=dispatcher.wake), dispatcher, clock, messenger), screen)
    out = await r("/koppel")
    code = CODE.search("\n".join(out["me"]))
    assert code is not None
    await r("!as robin", f"/doemee {code.group(0)}", "/akkoord", "!as me")
    return r


async def _break(run: Run, who: str, length: str) -> dict[str, list[str]]:
    """`who` takes a break of `length`, says yes to keeping their words, and stops the steps (to the wait)."""
    return await run(f"!as {who}", "/pauze", length, "!press cs.yes", "/stop")


async def test_a_return_always_ends_and_a_new_timeout_works(run: Run) -> None:
    await _break(run, "me", "30 min")
    out = await run("!wait 30m")
    assert saw(out, "me", "return.ping") and saw(out, "robin", "return.ping")
    await run("!as me", "!press r.ready")
    out = await run("!wait 31m")  # Robin stays silent: they are already talking in the kitchen
    assert saw(out, "me", "return.partner_missed") and saw(out, "robin", "return.missed")
    out = await run("!as me", "/status", "/pauze")
    assert NL["status.none"] in out["me"][0] and saw(out, "me", "pause.when")


async def test_robin_also_taking_twenty_minutes_never_shortens_sams_two_hours(run: Run) -> None:
    await _break(run, "me", "2 uur")
    await run("!wait 5m")
    out = await _break(run, "robin", "20 min")
    assert saw(out, "robin", "start.beside") and saw(out, "me", "notice.beside")
    out = await run("!wait 30m")
    assert not saw(out, "me", "return.ping")
    out = await run("!wait 85m")
    assert saw(out, "me", "return.ping") and saw(out, "robin", "return.ping")


async def test_robins_early_ready_is_kept_and_sam_is_not_pulled_back(run: Run) -> None:
    await _break(run, "me", "2 uur")
    await run("!wait 10m")
    out = await run("!as robin", "/klaar")
    assert saw(out, "robin", "ready.kept") and "me" not in out
    out = await run("!wait 109m")
    assert "me" not in out
    out = await run("!wait 1m")
    assert saw(out, "me", "return.ping_ready")


async def test_robin_cannot_end_or_extend_sams_break(run: Run) -> None:
    await _break(run, "me", "2 uur")
    await run("!wait 2m")
    out = await run("!as robin", "/verleng", "!press w.cancel.yes", "!press r.talking", "/stop")
    assert saw(out, "robin", "extend.not_yours") and "me" not in out
    out = await run("!as me", "/status")
    assert saw(out, "me", "status.running")


async def test_a_safety_signal_is_no_tell_to_the_partner(run: Run) -> None:
    await _break(run, "me", "30 min")
    before = await run("!as robin", "/status")
    out = await run("!as me", "!press safety")
    assert saw(out, "me", "safety.partner_sees") and "robin" not in out
    assert await run("!as robin", "/status") == before
    out = await run("!wait 30m")
    assert saw(out, "robin", "return.ping") and "me" not in out  # no nudge on the safety screen
    out = await run("!as me", "/ontkoppel")
    assert saw(out, "robin", "unpair.notice")  # the same notice as from anywhere


async def test_robins_false_alarm_leaves_sams_return_as_it_was(run: Run) -> None:
    await _break(run, "me", "30 min")
    await run("!as robin", "!press safety", "!press safety.continue")
    out = await run("!wait 30m")
    assert saw(out, "me", "return.ping")


async def test_after_a_missed_return_the_next_one_pings_both(run: Run) -> None:
    await _break(run, "me", "30 min")
    await run("!wait 61m")
    await _break(run, "me", "30 min")
    out = await run("!wait 30m")
    assert saw(out, "me", "return.ping") and saw(out, "robin", "return.ping")


async def test_a_late_ready_is_answered_kindly(run: Run) -> None:
    await _break(run, "me", "30 min")
    await run("!wait 61m")
    out = await run("!as robin", "!press r.ready")
    assert saw(out, "robin", "return.too_late")


async def test_when_sam_ends_the_break_robins_kept_words_go(run: Run, store: Store) -> None:
    await _break(run, "me", "30 min")
    await run("!as robin", "ZEBRA-KEPT-4711", "!press keep.yes")
    assert any("ZEBRA" in d for (d,) in await store.query("SELECT data FROM sessions"))
    await run("!wait 20m", "!as me", "/stop", "!press w.cancel.yes")
    assert not any("ZEBRA" in d for (d,) in await store.query("SELECT data FROM sessions"))


async def test_im_safe_continue_goes_back_where_you_were(run: Run) -> None:
    await run("/pauze", "30 min", "!press cs.yes", "!press t.7", "!press safety")
    out = await run("!press safety.continue")
    assert saw(out, "me", "safety.continued") and not saw(out, "me", "idle.prompt")


async def test_settings_are_each_partners_own(run: Run) -> None:
    """Issue 19: /instellingen shows what is set for the one who asks, in private, with buttons for language and
    country; what one partner changes there is not the other's, and neither is told of the other's."""
    out = await run("!as me", "/instellingen")
    assert list(out) == ["me"] and saw(out, "me", "settings.show")
    mine = out["me"][0]
    assert "Taal: Nederlands" in mine and "hulplijnen): Nederland, aangenomen" in mine and "Europe/Amsterdam" in mine
    assert "1) " + NL["choice.settings.language"] in mine and "2) " + NL["choice.settings.country"] in mine
    out = await run("!press set.country")
    assert list(out) == ["me"] and saw(out, "me", "country.ask")
    out = await run("!press co.BE", "!press set.lang", "!press lang.en", "/tijdzone Europe/Brussels")
    assert list(out) == ["me"]
    out = await run("/settings")
    mine = out["me"][0]
    assert "Language: English" in mine and "helplines): Belgium\n" in mine and "Europe/Brussels" in mine
    out = await run("!as robin", "/instellingen")  # Robin's own: nothing of Sam's changes
    assert list(out) == ["robin"]
    theirs = out["robin"][0]
    assert "Taal: Nederlands" in theirs and "hulplijnen): Nederland, aangenomen" in theirs
    assert "Europe/Amsterdam" in theirs and "België" not in theirs and "Brussels" not in theirs
    out = await run("/veilig")  # Sam's country was asked in /settings, Robin's was not: Robin is asked here
    assert saw(out, "robin", "country.ask") and "me" not in out
    out = await run("!as me", "/veilig")
    sams = "\n".join(out["me"])
    assert not saw(out, "me", "country.ask") and "Country: Belgium. Somewhere else?" in sams and "1712" in sams
    assert "robin" not in out  # the partner hears nothing of it
