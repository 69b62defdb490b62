"""/settings (nl /instellingen): each person's own overview, with buttons for language and country (issue 19)."""

from __future__ import annotations

from bot.core.flow import ALIASES, SAFE_IN_SAFETY
from bot.core.model import Phase

from .conftest import Two

SAM, ROBIN = 1, 2


def test_settings_show_only_the_one_who_asks_and_tell_the_partner_nothing(two: Two) -> None:
    assert ALIASES["instellingen"] == ALIASES["settings"] == "settings"
    out = two.cmd(SAM, "settings")
    assert [m.key for _, m, _ in out] == ["settings.show"] and two.last[ROBIN] == []
    [(_, msg, ids)] = out
    assert dict(msg.params)["lang"].key == "language.en" and dict(msg.params)["tz"] == "Europe/Amsterdam"
    assert ids[:2] == ("set.lang", "set.country")
    out = two.cmd(ROBIN, "instellingen")
    assert dict(out[0][1].params)["lang"].key == "language.nl" and two.last[SAM] == []


def test_the_buttons_ask_the_same_as_the_commands(two: Two) -> None:
    two.cmd(SAM, "settings")
    assert two.keys(SAM, two.press(SAM, "set.lang")) == ["language.ask"]
    assert two.choices(SAM) == ["lang.nl", "lang.en"]
    assert two.keys(SAM, two.press(SAM, "set.country")) == ["country.ask"]
    assert all(c.startswith("co.") for c in two.choices(SAM)) and two.last[ROBIN] == []


def test_settings_work_on_the_safety_screen_and_in_a_time_out_without_changing_the_step(two: Two) -> None:
    assert "settings" in SAFE_IN_SAFETY
    two.cmd(SAM, "safety")
    assert two.keys(SAM, two.cmd(SAM, "settings")) == ["settings.show"] and two.phase(SAM) is Phase.SAFETY
    two.press(SAM, "safety.continue")
    two.cmd(ROBIN, "timeout")
    two.press(ROBIN, "ret.m30")
    before = two.phase(ROBIN)
    for arg in ("", "²", "9" * 20, "x" * 5000):
        assert two.keys(ROBIN, two.cmd(ROBIN, "settings", arg)) == ["settings.show"]
    assert two.phase(ROBIN) is before and two.last[SAM] == []
