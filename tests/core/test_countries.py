"""The country data: every row's shape, the numbers we must get right, helplines in both languages, and
reading what a person types after /country (nl /land)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from bot.core import countries
from bot.core.effects import Msg
from bot.i18n import LOCALES, Renderer, catalog

ROOT = Path(__file__).resolve().parent.parent.parent
I18N = ROOT / "bot" / "i18n"
ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")  # Debian iso-codes, where installed
SHORT_NUMBER = re.compile(r"\d{2,6}")
PHONE = re.compile(r"\+?\d[\d -]{1,18}\d")


def rows() -> list[list[str]]:
    lines = (I18N / "emergency_numbers.tsv").read_text("utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def test_one_row_per_iso_3166_1_code() -> None:
    codes = [r[0] for r in rows()]
    assert len(codes) == len(set(codes)) == 249
    assert set(codes) == countries.CODES
    if ISO.exists():
        iso = json.loads(ISO.read_text("utf-8"))["3166-1"]
        assert {c["alpha_2"] for c in iso} == set(codes)
        assert {c["alpha_2"]: c["alpha_3"] for c in iso} == {r[0]: r[1] for r in rows()}


@pytest.mark.parametrize("cells", rows(), ids=lambda r: r[0])
def test_row_shape(cells: list[str]) -> None:
    assert len(cells) == 7, cells
    code, alpha3, police, ambulance, also, confirmed, source = cells
    assert re.fullmatch(r"[A-Z]{2}", code) and re.fullmatch(r"[A-Z]{3}", alpha3)
    assert confirmed in ("yes", "no")
    for number in (police, ambulance, also):
        assert number == "" or SHORT_NUMBER.fullmatch(number), (code, number)
    assert also == "" or also not in (police, ambulance)
    if confirmed == "yes":
        assert police and ambulance, code
        keys = source.split()
        assert keys and all(re.search(rf"^# {re.escape(k)}\s", HEADER, re.M) for k in keys), (code, source)
    else:
        assert countries.emergency(code) is None  # never shown


HEADER = (I18N / "emergency_numbers.tsv").read_text("utf-8")


KNOWN = {  # country: (police, ambulance, also) — the facts the issue names
    "JP": ("110", "119", ""), "CA": ("911", "911", ""), "AU": ("000", "000", ""), "NZ": ("111", "111", ""),
    "BR": ("190", "192", ""), "US": ("911", "911", ""), "GB": ("999", "999", "112"), "BQ": ("911", "911", "112"),
    "NL": ("112", "112", ""), "BE": ("112", "112", ""), "DE": ("112", "112", ""), "IE": ("112", "112", "999"),
    "ZA": ("10111", "10177", ""), "SX": ("911", "911", ""),
}


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_numbers_we_must_get_right(code: str) -> None:
    e = countries.emergency(code)
    assert e is not None and (e.police, e.ambulance, e.also) == KNOWN[code]


@pytest.mark.parametrize(("code", "number"), [("SR", "115"), ("CW", "911")])
def test_numbers_known_only_from_secondary_sources_stay_unconfirmed(code: str, number: str) -> None:
    e = countries.row(code)
    assert e is not None and e.police == number and not e.confirmed
    assert countries.emergency(code) is None
    assert countries.call_line(code) == Msg.of("emergency.unknown")


def test_every_eu_member_state_has_112() -> None:
    eu = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
          "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE")
    for code in eu:
        e = countries.emergency(code)
        assert e is not None and "112" in (e.police, e.also), code


def helpline_table() -> dict[str, list[dict[str, str]]]:
    return tomllib.loads((I18N / "helplines.toml").read_text("utf-8"))


def test_helplines_where_our_people_are() -> None:
    table = helpline_table()
    assert set(table) <= countries.CODES
    assert {"NL", "BE", "GB", "US", "AW", "CW", "SX", "BQ", "IE", "CA", "AU", "NZ", "ZA"} <= set(table)
    ids = [h["id"] for lines in table.values() for h in lines]
    assert len(ids) == len(set(ids))
    for code, lines in table.items():
        for h in lines:
            assert set(h) == {"id", "phone", "url"}, h
            assert h["id"].startswith(code.lower() + "."), h
            assert h["phone"] or h["url"], h
            assert not h["phone"] or PHONE.fullmatch(h["phone"]), h
            assert not h["url"] or h["url"].startswith("https://"), h


@pytest.mark.parametrize("locale", LOCALES)
def test_every_helpline_has_a_name_and_description_in_each_language(locale: str) -> None:
    tables = tomllib.loads((I18N / locale / "safety_resources.toml").read_text("utf-8"))
    ids = {h["id"] for lines in helpline_table().values() for h in lines} | {"intl.findahelpline"}
    assert set(tables) == {f"help.{i}" for i in ids}
    for key, table in tables.items():
        assert set(table) == {"name", "what"}, key
        for text in table.values():
            assert text.strip() and "{" not in text and "}" not in text, key


def test_a_country_without_helplines_gets_the_directory() -> None:
    assert [h.id for h in countries.helplines("JP")] == ["intl.findahelpline"]
    assert countries.helplines("JP")[0].url == "https://findahelpline.com"
    assert [m.key for m in countries.help_lines("JP")] == ["safety.resource"]
    assert countries.help_lines("NL")[-1] == Msg.of("safety.directory")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_country_has_a_name_in_each_language(locale: str) -> None:
    names = catalog(locale)
    for code in countries.CODES:
        assert names[countries.name_key(code)].strip(), code


# -- /country: what a person types ----------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "code"), [
    ("JP", "JP"), ("jp", "JP"), (" sr ", "SR"), ("NLD", "NL"), ("usa", "US"), ("UK", "GB"), ("vk", "GB"),
    ("Japan", "JP"), ("Suriname", "SR"), ("België", "BE"), ("belgie", "BE"), ("Belgium", "BE"),
    ("Verenigd Koninkrijk", "GB"), ("the Netherlands", "NL"), ("Nederland", "NL"), ("Holland", "NL"),
    ("Curaçao", "CW"), ("curacao", "CW"), ("Bonaire", "BQ"), ("Saba", "BQ"), ("Sint Eustatius", "BQ"),
    ("Sint Maarten", "SX"), ("Aruba", "AW"), ("Ierland", "IE"), ("Canada", "CA"), ("Australië", "AU"),
    ("Nieuw-Zeeland", "NZ"), ("new zealand", "NZ"), ("Zuid-Afrika", "ZA"), ("South Africa", "ZA"),
    ("Verenigde Staten", "US"), ("Duitsland", "DE"), ("Brazilië", "BR"), ("Côte d'Ivoire", "CI"),
    ("Engeland", "GB"), ("South Korea", "KR"),
])
def test_parse_reads_codes_and_names_in_dutch_and_english(typed: str, code: str) -> None:
    assert countries.parse(typed) == code


@pytest.mark.parametrize("typed", ["ZZ", "xx", "EN", "Atlantis", "Narnia", "", "   ", "112", "NL BE", "x" * 500,
                                   "the", "Nederlandd"])
def test_parse_refuses_what_is_not_a_country(typed: str) -> None:
    assert countries.parse(typed) is None


@pytest.mark.parametrize(("locale", "region"), [("en-US", "US"), ("nl-BE", "BE"), ("en_GB", "GB"), ("pt-br", "BR"),
                                                ("nl", None), ("en", None), ("es-419", None), ("en-ZZ", None),
                                                ("zh-Hant", None), ("", None)])
def test_region_of_a_platform_locale(locale: str, region: str | None) -> None:
    assert countries.region_of(locale) == region


# -- what the person reads ------------------------------------------------------------------------------------

def render(locale: str, msg: Msg) -> str:
    from datetime import UTC, datetime
    return Renderer(locale, "Europe/Amsterdam", datetime(2026, 12, 3, tzinfo=UTC)).text(msg)


@pytest.mark.parametrize(("locale", "code", "expected"), [
    ("en", "JP", "In danger right now? Call 110 for the police or 119 for an ambulance."),
    ("nl", "JP", "Nu in gevaar? Bel 110 voor de politie of 119 voor een ambulance."),
    ("en", "GB", "In danger right now? Call 999 (or 112)."),
    ("nl", "NL", "Nu in gevaar? Bel 112."),
    ("en", "AU", "In danger right now? Call 000."),
])
def test_the_call_line(locale: str, code: str, expected: str) -> None:
    assert render(locale, countries.call_line(code)) == expected


def test_no_confirmed_number_is_said_plainly_with_the_directory() -> None:
    for locale in LOCALES:
        text = render(locale, countries.call_line("SR"))
        assert "findahelpline.com" in text and not re.search(r"\d{3}", text)


def test_the_where_line_names_the_country() -> None:
    assert render("en", countries.where_line("JP", assumed=False)).startswith("Country: Japan.")
    assert render("nl", countries.where_line("GB", assumed=True)).startswith("Land: Verenigd Koninkrijk.")
