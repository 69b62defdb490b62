"""The console: end to end over stdin (a real `python -m bot console`), the demo, and the console protocol."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import string
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.app import Console, ConsoleMessenger, parse_wait
from bot.clock import ManualClock
from bot.codec import load_session, session_fields
from bot.dispatch import Dispatcher
from bot.i18n import catalog
from bot.ports import UserRef
from bot.service import Dialogue
from bot.store import Store

SETTINGS = ("TELEGRAM_TOKEN", "DISCORD_TOKEN", "DATABASE_PATH", "DEFAULT_LOCALE", "DEFAULT_TIMEZONE", "TIME_SCALE",
            "LOG_LEVEL", "DEFAULT_COUNTRY", "TELEGRAM_BASE_URL")
HEADER = re.compile(r"(?m)^\[to ([\w.-]+)\]$")
NL = catalog("nl")
ME = UserRef("console", "me")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(extra)
    return env


def messages(stdout: str) -> list[tuple[str, str]]:
    """(recipient, text) per bot message; fails when anything was printed outside a "[to NAME]" block."""
    parts = HEADER.split(stdout)
    assert parts[0].strip() == "", f"printed before any [to NAME] line: {parts[0]!r}"
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def line_of(key: str) -> str:
    """The longest fixed line (no placeholder) of a Dutch catalog sentence, to recognise it in a transcript."""
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(NL[key])]
    best = max((ln.strip() for lit in pieces for ln in lit.split("\n")), key=len)
    assert len(best) >= 8, key
    return best


# -- end to end over stdin -------------------------------------------------------------------------------

SCRIPT = [
    "/timeout",
    "2",             # by number: 30 min (agreed)
    "!press cs.yes",  # yes, the bot may keep what I feel (asked once, before anything personal)
    "8",             # by label: the score 8
    "Verder",        # by label: go on after breathing
    "5",
    "boos",          # a feeling, by its label
    "overslaan",     # labels are matched regardless of case
    "/skip",
    "Voorbereiden",  # the plan now, not at the prepare reminder
    "Deze neem ik",
    "De afwas",      # free text: the one topic
    "/skip",
    "/skip",
    "!wait 29m",     # not yet
    "!wait 1m",      # the return ping
    "1",             # "I'm ready", by number
    "!as partner",
    "/status",
    "!quit",
    "/timeout",      # after !quit: never read
]


def test_console_end_to_end_over_stdin(tmp_path: Path) -> None:
    db = tmp_path / "console.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console"], input="\n".join(SCRIPT) + "\n",
        env=_env(DATABASE_PATH=str(db)), cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    msgs = messages(proc.stdout)
    texts = [t for _, t in msgs]

    assert msgs[0][0] == "me" and line_of("pause.when") in msgs[0][1]
    assert "2) " in msgs[0][1] and "(afgesproken)" in msgs[0][1]  # numbered options are shown
    assert any(line_of("tension.ask.after_was") in t for t in texts)  # "8" and "Verder" were taken
    assert any("Van 8 naar 5" in t for t in texts)
    assert any("De afwas" in t and line_of("plan.card") in t for t in texts)

    pings = [i for i, t in enumerate(texts) if line_of("return.ping") in t]
    card = next(i for i, t in enumerate(texts) if line_of("plan.card") in t)
    assert len(pings) == 1 and pings[0] > card
    assert line_of("return.card") in texts[pings[0] + 1]  # "1" pressed "I'm ready"

    assert msgs[-1] == ("partner", NL["status.none"])
    assert [name for name, _ in msgs[:-1]] == ["me"] * (len(msgs) - 1)
    assert "(console)" not in proc.stdout

    c = sqlite3.connect(db)
    try:
        assert c.execute("SELECT return_at - started_at, status FROM timeouts").fetchall() == [(1800, "returned")]
        assert sorted(r[0] for r in c.execute("SELECT external_id FROM users")) == ["me", "partner"]
        assert c.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    finally:
        c.close()


def test_patterns_in_the_console_prints_the_path_of_the_chart_and_removes_it_at_the_end(tmp_path: Path) -> None:
    db = tmp_path / "console.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console"], input="/timeout\n2\n/patronen\n!quit\n",
        env=_env(DATABASE_PATH=str(db)), cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    [shown] = [t for _, t in messages(proc.stdout) if "[picture: " in t]
    path = Path(re.search(r"\[picture: (.+)\]", shown).group(1))  # type: ignore[union-attr]
    assert path.name == "adempauze-patterns-me.png" and path.is_absolute()
    assert shown.startswith(NL["patterns.chart.caption"])  # the caption, the path, then the overview in words
    assert "Voor een rustig moment:" in shown
    assert not path.exists() and not path.parent.exists()  # gone with the console: nothing lingers after /forget


async def test_the_console_writes_a_png_while_it_runs(store: Store, clock: ManualClock, screen: Screen) -> None:
    messenger = ConsoleMessenger(screen)
    dispatcher = Dispatcher(store, {"console": messenger}, clock)
    console = Console(Dialogue(store, clock, on_scheduled=dispatcher.wake), dispatcher, clock, messenger)
    for line in ("/timeout", "2", "/patterns"):
        await console.line(line)
    path = Path(re.findall(r"\[picture: (.+)\]", screen.take())[-1])
    assert path.read_bytes().startswith(b"\x89PNG")
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"  # a private folder
    messenger.close()
    assert not path.exists()


def test_demo_prints_a_whole_time_out_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo"], env=_env(), cwd=tmp_path, capture_output=True, text=True,
        timeout=10, stdin=subprocess.DEVNULL,
    )
    assert time.monotonic() - started < 10
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    steps = [line_of("pause.when"), NL["pacer.inhale"], line_of("plan.card"), line_of("return.ping"),
             NL["after.ask"], NL["after.thanks.good"]]
    at = [out.find(s) for s in steps]
    assert all(i >= 0 for i in at), dict(zip(steps, at, strict=True))
    assert at == sorted(at), "the transcript runs in order: pause, breathing, plan, return, how did it go"
    assert "> sanne: /pauze" in out  # a transcript: what was typed, and what came back
    assert "[to robin]" in out and "[to sanne]" in out  # two partners: notices reach the other one
    assert list(tmp_path.iterdir()) == []  # the demo leaves no database behind


# -- the protocol, in process ----------------------------------------------------------------------------


class Screen:
    def __init__(self) -> None:
        self.chunks: list[str] = []

    def __call__(self, s: str) -> None:
        self.chunks.append(s)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def take(self) -> str:
        out, self.chunks = self.text, []
        return out


@pytest.fixture
def screen() -> Screen:
    return Screen()


@pytest.fixture
def console(store: Store, clock: ManualClock, screen: Screen) -> Console:
    messenger = ConsoleMessenger(screen)
    dispatcher = Dispatcher(store, {"console": messenger}, clock)
    return Console(Dialogue(store, clock, on_scheduled=dispatcher.wake), dispatcher, clock, messenger)


@pytest.mark.parametrize("arg", ["", "abc", "5x", "-5m", "31d", "1e3m", "5 m m", "∞"])
async def test_bad_wait_is_explained_and_the_clock_stays(
    console: Console, clock: ManualClock, screen: Screen, arg: str
) -> None:
    before = clock.now()
    assert await console.line(f"!wait {arg}") is True
    assert screen.take().startswith("(console) !wait needs")
    assert clock.now() == before


@pytest.mark.parametrize(
    ("arg", "span"),
    [("90s", timedelta(seconds=90)), ("25m", timedelta(minutes=25)), ("25", timedelta(minutes=25)),
     ("2h", timedelta(hours=2)), ("1.5h", timedelta(minutes=90)), ("30d", timedelta(days=30)),
     (" 2H ", timedelta(hours=2))],
)
def test_wait_spans(arg: str, span: timedelta) -> None:
    assert parse_wait(arg) == span


async def test_wait_moves_the_clock_and_delivers_what_fell_due(
    console: Console, clock: ManualClock, screen: Screen
) -> None:
    await console.line("/timeout")
    await console.line("20 min")
    screen.take()
    start = clock.now()

    await console.line("!wait 19m")
    assert clock.now() == start + timedelta(minutes=19) and screen.take() == ""
    await console.line("!wait 60s")
    shown = messages(screen.take())
    assert len(shown) == 1 and shown[0][0] == "me" and line_of("return.ping") in shown[0][1]


@pytest.mark.parametrize("arg", ["", "   ", "a b", "../etc", "<script>", "ik/jij"])
async def test_bad_as_names_are_refused_and_the_speaker_stays(console: Console, screen: Screen, arg: str) -> None:
    assert await console.line(f"!as {arg}") is True
    assert screen.take().startswith("(console) !as needs a name")
    assert console.speaker == "me"


async def test_as_switches_who_speaks(console: Console, screen: Screen, store: Store) -> None:
    await console.line("!as Robin.B-2")
    await console.line("/status")
    assert messages(screen.take()) == [("Robin.B-2", NL["status.none"])]
    await console.line("!as " + "x" * 50)
    assert console.speaker == "x" * 32
    assert await store.query("SELECT external_id FROM users") == [("Robin.B-2",)]


async def test_numbers_and_labels_choose_options(console: Console, screen: Screen, store: Store) -> None:
    await console.line("/timeout")
    await console.line("30 MIN (AFGESPROKEN)")  # the label, any case
    assert (await store.query("SELECT return_at - started_at FROM timeouts")) == [(1800,)]
    assert (await store.session_of(ME))[0] == "consent"
    await console.line("1")  # "yes", by number
    screen.take()
    await console.line("11")  # scores 0-10 are labels; after them the numbering goes on: 11) Overslaan
    assert (await store.session_of(ME))[0] == "breathe"
    await console.line("!press br.next")
    await console.line("10")  # a score label, not option number 10
    data = session_fields(load_session((await store.query("SELECT data FROM sessions"))[0][0]))
    assert data["plan"]["tension_after"] == 10


async def test_every_bot_message_starts_with_its_recipient(console: Console, screen: Screen) -> None:
    for line in ("/timeout", "2", "!press t.8", "hallo?", "/bestaatniet", "!press x.forged"):
        await console.line(line)
    msgs = messages(screen.text)
    assert len(msgs) >= 6 and {name for name, _ in msgs} == {"me"}


async def test_quit_stops_and_blank_lines_are_ignored(console: Console, screen: Screen) -> None:
    assert await console.line("   ") is True and screen.text == ""
    assert await console.line("!quit") is False
    assert await console.line("!help") is True and "!wait" in screen.take()


async def test_run_stops_at_end_of_input(console: Console, screen: Screen, store: Store) -> None:
    await console.run(io.StringIO("/timeout\n2\n"))  # no !quit: EOF ends it
    assert (await store.session_of(ME))[0] == "consent"
    # the question; the start; the message to forward to a partner not on the bot (its own message); the consent
    assert screen.text.count("[to me]") == 4

    screen.take()
    await console.run(io.StringIO("!quit\n/status\n"))
    assert screen.text == ""


@pytest.mark.parametrize("typed", ["²", "٣", "²²", "1²", "99999999999999999999", "-1", "0"])
async def test_a_number_that_is_no_option_is_a_message_not_a_crash(
    console: Console, screen: Screen, store: Store, typed: str
) -> None:
    """Issue 13, finding 1 (the console's part): "²" passes str.isdigit() but int("²") raises; the picker only
    takes ASCII option numbers, and anything else is an ordinary message to the bot."""
    await console.line("/timeout")
    screen.take()
    assert await console.line(typed) is True
    assert "[to me]" in screen.take()  # answered (as text: "²²" reads as 22 minutes), nothing raised


# -- the safety screen for each country where our people are ------------------------------------------------

SCREEN_NUMBERS = {  # what the safety screen must show after /land <name>, typed as a person would
    "Nederland": ("112", "0800-2000"), "België": ("112", "1712", "1813"),
    "Verenigd Koninkrijk": ("999", "112", "116 123"), "Verenigde Staten": ("911", "988"),
    "Japan": ("110", "119"), "Canada": ("911", "988"), "Australië": ("000", "1800 737 732"),
    "Nieuw-Zeeland": ("111", "1737"), "Brazilië": ("190", "192"), "Ierland": ("112", "999", "1800 341 900"),
    "Zuid-Afrika": ("10111", "10177", "0800 428 428"), "Bonaire": ("911", "112", "0802-0802"),
    "Saba": ("911", "0802-0802"), "Sint Eustatius": ("911", "0802-0802"),
    "Sint Maarten": ("911", "542 1677"), "Aruba": ("911", "567 1670"), "Duitsland": ("112",),
}
NO_CONFIRMED_NUMBER = {"Suriname": "115", "Curaçao": "911"}  # known only from secondary sources: never shown


def _screen(shown: str) -> str:
    return next(t for _, t in messages(shown) if line_of("safety.screen") in t)


@pytest.mark.parametrize("country", sorted(SCREEN_NUMBERS))
async def test_the_safety_screen_shows_the_number_of_the_country(
    console: Console, screen: Screen, country: str
) -> None:
    await console.line(f"/land {country}")
    set_line = messages(screen.take())[0][1]
    assert set_line.startswith("Land ingesteld:"), set_line
    await console.line("/veilig")
    text = _screen(screen.take())
    for bit in SCREEN_NUMBERS[country]:
        assert bit in text, (country, bit, text)
    assert "Land: " in text and "/land" in text  # which country it used, and how to choose another
    assert NL["emergency.unknown"] not in text


@pytest.mark.parametrize("country", sorted(NO_CONFIRMED_NUMBER))
async def test_the_safety_screen_never_shows_an_unconfirmed_number(
    console: Console, screen: Screen, country: str
) -> None:
    await console.line(f"/land {country}")
    assert NO_CONFIRMED_NUMBER[country] not in screen.take()
    await console.line("/veilig")
    text = _screen(screen.take())
    assert NL["emergency.unknown"] in text and "findahelpline.com" in text
    assert f"Bel {NO_CONFIRMED_NUMBER[country]}" not in text and "Bel 112" not in text


async def test_an_assumed_country_is_said_and_asked_once(console: Console, screen: Screen, store: Store) -> None:
    await console.line("/veilig")  # the console gives only a language: Nederland is assumed
    out = screen.take()
    shown, text = messages(out), _screen(out)
    assert "Land: Nederland. Dat heb ik aangenomen" in text and "Bel 112." in text
    assert any(line_of("country.ask") in t for _, t in shown)
    assert await store.query("SELECT country, country_from FROM users") == [("NL", "asked")]
    await console.line("!press safety.continue")
    await console.line("/veilig")
    assert not any(line_of("country.ask") in t for _, t in messages(screen.take()))  # asked once


async def test_land_refuses_what_is_not_a_country(console: Console, screen: Screen, store: Store) -> None:
    for typed in ("ZZ", "Atlantis"):
        await console.line(f"/land {typed}")
        assert messages(screen.take())[0][1].startswith(NL["country.unknown"].split(".")[0])
    assert await store.query("SELECT country, country_from FROM users") == [("NL", "assumed")]


def _tap_only_above_country_buttons(out: str) -> bool:
    """Every message that says "tap your country below" is followed by the country question (with its
    buttons); True when the sentence was shown at all."""
    tap, shown = line_of("emergency.where_assumed_ask"), messages(out)
    for i, (_, text) in enumerate(shown):
        if tap in text:
            assert any(line_of("country.ask") in t and "1) " in t for _, t in shown[i + 1:]), shown
    return any(tap in t for _, t in shown)


async def test_tap_your_country_below_only_where_the_country_buttons_follow(console: Console, screen: Screen) -> None:
    """Issue 19: the assumed-country line said "tap your country below" on screens without country buttons."""
    assumed = line_of("emergency.where_assumed")
    await console.line("/veilig")  # the first safety screen: the country is asked, with buttons
    assert _tap_only_above_country_buttons(screen.take())
    await console.line("!press safety.continue")
    screen.take()
    await console.line("/veilig")  # asked once: now only how to change it
    out = screen.take()
    assert not _tap_only_above_country_buttons(out) and assumed in out
    await console.line("!press safety.continue")
    screen.take()
    for choice in ("sq.yes", "ck.1.0", "ck.2.0", "ck.3.0", "ck.4.2", "ck.5.0"):  # the calm-time yes; an unsafe check
        if choice == "ck.1.0":
            await console.line("/check")
        await console.line(f"!press {choice}")
    out = screen.take()
    assert line_of("check.result.unsafe") in out and line_of("screen.yes") in out
    assert not _tap_only_above_country_buttons(out) and out.count(assumed) == 2


EN = catalog("en")


@pytest.mark.parametrize("country", sorted(SCREEN_NUMBERS) + sorted(NO_CONFIRMED_NUMBER))
async def test_the_safety_screen_in_english_by_the_english_name(console: Console, screen: Screen, country: str) -> None:
    """The same screens in English, the country typed by its English name (as a person abroad would)."""
    from bot.core import countries

    code = countries.parse(country)
    assert code is not None
    name = EN[countries.name_key(code)]
    await console.line("/language en")
    await console.line(f"/country {name}")
    assert messages(screen.take())[-1][1].startswith(f"Country set: {name}.")
    await console.line("/safety")
    text = next(t for _, t in messages(screen.take()) if EN["safety.screen"].split("\n", 1)[0] in t)
    assert f"Country: {name}. Somewhere else? Send /country" in text
    if country in NO_CONFIRMED_NUMBER:
        assert EN["emergency.unknown"] in text and f"Call {NO_CONFIRMED_NUMBER[country]}" not in text
    else:
        assert all(bit in text for bit in SCREEN_NUMBERS[country]) and EN["emergency.unknown"] not in text


async def test_help_and_welcome_say_for_which_country_the_number_is(console: Console, screen: Screen) -> None:
    await console.line("/hulp")
    assert "Bel 112." in screen.text and "Land: Nederland. Dat heb ik aangenomen" in screen.take()
    await console.line("/land Japan")
    await console.line("/start")
    out = screen.take()
    assert "110" in out and "119" in out and "Land: Japan. Ben je ergens anders?" in out
