"""Write the country names of bot/i18n/<locale>/countries.toml and country_aliases.tsv from ISO 3166-1.

The source is Debian's iso-codes package (ISO 3166-1 with its gettext translations; `apt-get install
iso-codes`), read from /usr/share/iso-codes and /usr/share/locale. The names are written into the repository, so
the bot needs neither the package nor this script at run time. Run it again after an iso-codes update:

    python scripts/country_names.py && git diff bot/i18n

The display name is the short name people use ("Bolivia", not "Bolivia, Plurinational State of"); the ISO name,
the official name and the other names people type ("UK", "VK", "Holland", "Bonaire") become aliases, which
`bot.core.countries.parse` also understands. Hand-made names are in DISPLAY and ALIASES below.
"""

from __future__ import annotations

import gettext
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")
LOCALE_DIR = "/usr/share/locale"

DISPLAY: dict[str, dict[str, str]] = {  # where ISO's short name reads badly in a sentence or on a button
    "en": {
        "CC": "Cocos (Keeling) Islands", "CD": "Democratic Republic of the Congo", "FK": "Falkland Islands",
        "FM": "Micronesia", "MF": "Saint Martin", "PS": "Palestine", "SX": "Sint Maarten", "VA": "Vatican City",
        "VG": "British Virgin Islands", "VI": "US Virgin Islands", "RU": "Russia", "BN": "Brunei",
        "BQ": "Bonaire, Sint Eustatius and Saba",
    },
    "nl": {
        "CC": "Cocoseilanden", "CD": "Democratische Republiek Congo", "FK": "Falklandeilanden",
        "MF": "Sint-Maarten (Franse deel)", "PS": "Palestina", "SX": "Sint Maarten", "VA": "Vaticaanstad",
        "VG": "Britse Maagdeneilanden", "VI": "Amerikaanse Maagdeneilanden",
        "BQ": "Bonaire, Sint Eustatius en Saba", "GE": "Georgië",
    },
}

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {  # other names people type for a country
    "en": {
        "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"),
        "US": ("USA", "America", "United States of America"),
        "NL": ("Holland",),
        "BQ": ("Bonaire", "Sint Eustatius", "Saint Eustatius", "Statia", "Saba", "Caribbean Netherlands"),
        "CZ": ("Czech Republic",), "TR": ("Turkey",), "MK": ("Macedonia",), "CI": ("Ivory Coast",),
        "SZ": ("Swaziland",), "CV": ("Cape Verde",), "MM": ("Burma",), "TL": ("East Timor",),
        "KR": ("Korea",), "AE": ("UAE",), "VA": ("Vatican", "Holy See"), "CD": ("DR Congo", "DRC"),
        "CG": ("Republic of the Congo",),
    },
    "nl": {
        "GB": ("VK", "Groot-Brittannië", "Engeland", "Schotland", "Wales", "Noord-Ierland"),
        "US": ("VS", "Amerika", "Verenigde Staten van Amerika"),
        "NL": ("Holland",),
        "BQ": ("Bonaire", "Sint Eustatius", "Statia", "Saba", "Caribisch Nederland", "BES-eilanden"),
        "CZ": ("Tsjechische Republiek",), "KR": ("Korea",), "AE": ("VAE",), "MK": ("Macedonië",),
        "VA": ("Vaticaan",), "CD": ("DR Congo",),
    },
}


def main() -> None:
    countries = json.loads(ISO.read_text("utf-8"))["3166-1"]
    countries.sort(key=lambda c: c["alpha_2"])
    for locale in ("nl", "en"):
        tr = (lambda s: s) if locale == "en" else gettext.translation(
            "iso_3166-1", LOCALE_DIR, languages=[locale]).gettext
        names, aliases = [], []
        for c in countries:
            code = c["alpha_2"]
            iso_names = [tr(c[k]) for k in ("common_name", "name", "official_name") if k in c]
            shown = DISPLAY[locale].get(code) or iso_names[0]
            names.append(f'"country.{code.lower()}" = {json.dumps(shown, ensure_ascii=False)}')
            others = [n for n in dict.fromkeys((*iso_names, *ALIASES[locale].get(code, ()))) if n != shown]
            if others:
                aliases.append("\t".join((code, *others)))
        header = HEADER[locale]
        (ROOT / "bot" / "i18n" / locale / "countries.toml").write_text(header + "\n".join(names) + "\n", "utf-8")
        (ROOT / "bot" / "i18n" / locale / "country_aliases.tsv").write_text(
            ALIAS_HEADER + "\n".join(aliases) + "\n", "utf-8")


HEADER = {
    "en": "# Country names (ISO 3166-1), as shown: on buttons, after /country and on the safety screen.\n"
          "# Written by scripts/country_names.py from Debian's iso-codes; change names there, not here.\n\n",
    "nl": "# Landnamen (ISO 3166-1) zoals de bot ze toont: op knoppen, na /land en op het veiligheidsscherm.\n"
          "# Geschreven door scripts/country_names.py uit Debians iso-codes; pas namen daar aan, niet hier.\n\n",
}
ALIAS_HEADER = ("# Other names people type for a country: the ISO code, then names, tab-separated.\n"
                "# Written by scripts/country_names.py; bot.core.countries.parse reads them with countries.toml.\n")


if __name__ == "__main__":
    main()
