"""The command menu the platforms show (Telegram's command list, Discord's slash commands).

Each entry: the canonical name (English), its Dutch name, and the catalog key of its short description.
Every name here is a key of `bot.core.flow.COMMANDS` (a test checks), so the core understands both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # English command name
    nl: str  # Dutch command name
    takes_arg: bool = False

    @property
    def description_key(self) -> str:
        return f"menu.{self.name}"


MENU: tuple[Entry, ...] = (
    Entry("timeout", "pauze"),
    Entry("breathe", "adem"),
    Entry("status", "status"),
    Entry("extend", "verleng"),
    Entry("ready", "klaar"),
    Entry("cancel", "stop"),
    Entry("safety", "veilig"),
    Entry("pair", "koppel"),
    Entry("join", "doemee", takes_arg=True),
    Entry("unpair", "ontkoppel"),
    Entry("contract", "afspraken", takes_arg=True),
    Entry("accept", "akkoord"),
    Entry("reject", "afwijzen"),
    Entry("withdraw", "intrekken"),
    Entry("patterns", "patronen"),
    Entry("check", "check"),
    Entry("country", "land", takes_arg=True),
    Entry("settings", "instellingen"),
    Entry("export", "export"),
    Entry("forget", "vergeet"),
    Entry("language", "taal", takes_arg=True),
    Entry("timezone", "tijdzone", takes_arg=True),
    Entry("help", "hulp"),
)
