"""The local console chat: the same Dialogue and SQLite file, typed on a terminal or driven from stdin.

Protocol (one line at a time):
  !as NAME     switch who is speaking (each NAME is a console user; the first is "me")
  !wait 25m    move the console clock forward (s, m, h) and let due timers and messages go out
  !press ID    press a button by its id (for scripts; people type the number or the label)
  !help, !quit
  /command     a command; any other line is a message from the current speaker.
Every message the bot prints starts with a line "[to NAME]".
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import ManualClock
from bot.dispatch import Dispatcher
from bot.ports import Outgoing, Picture, Recipient, UserRef, event_from_button, event_from_text
from bot.service import Dialogue

PLATFORM = "console"
BANNER = (
    "Adempauze console. Type /timeout to start a break, /help for more.\n"
    "Console only: !as NAME (switch person), !wait 25m (move the clock), !quit.\n"
)


def _ref(name: str, terminal: str = "") -> UserRef:
    """A console person. Their chat is the terminal they type in (several consoles may share one file)."""
    return UserRef(PLATFORM, name, chat_id=terminal or name, name=name[:1].upper() + name[1:])


class ConsoleMessenger:
    """Prints messages for console users, and remembers each person's last buttons."""

    def __init__(self, write: Callable[[str], None], pictures: Path | None = None) -> None:
        self.write = write
        self.options: dict[str, tuple[tuple[str, str], ...]] = {}
        self.pictures = pictures  # None: a private temporary folder, made on the first picture, gone at close()
        self._made: Path | None = None

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        self.show(to.external_id, out)

    def show(self, name: str, out: Outgoing) -> None:
        out = replace(out, choices=tuple(c for c in out.choices if not c[0].startswith("link.")))  # no links here
        lines = [f"[to {name}]"]
        if out.image is not None:
            lines.append(f"{out.image.caption}\n[picture: {self._save(name, out.image)}]")
        lines.append(out.text)
        if out.document is not None:
            filename, content = out.document
            lines.append(f"--- {filename} ---\n{content.decode('utf-8', 'replace')}\n--- end ---")
        if out.frames:
            lines.append(self._pacer(out))
        if out.choices:
            self.options[name] = out.choices
            if all(label.isdigit() for _, label in out.choices[:11]) and len(out.choices) >= 11:
                lines.append("  " + " ".join(label for _, label in out.choices[:11]))
                rest = out.choices[11:]
                start = 11
            else:
                rest, start = out.choices, 1
            lines.extend(f"  {i}) {label}" for i, (_, label) in enumerate(rest, start))
        self.write("\n".join(lines) + "\n\n")

    def _save(self, name: str, picture: Picture) -> Path:
        """Write a picture as a file (one per person, the newest) and return its path."""
        folder = self.pictures
        if folder is None:
            if self._made is None:
                self._made = Path(tempfile.mkdtemp(prefix="adempauze-"))  # readable by this user only
            folder = self._made
        who = "".join(ch for ch in name if ch.isascii() and ch.isalnum())[:32] or "me"
        stem, dot, ext = picture.name.rpartition(".")
        path = folder / f"{stem}-{who}{dot}{ext}"
        path.write_bytes(picture.png)
        return path

    def close(self) -> None:
        """Remove the pictures shown in this console (what /forget erases must not linger in a file)."""
        if self._made is not None:
            shutil.rmtree(self._made, ignore_errors=True)
            self._made = None

    @staticmethod
    def _pacer(out: Outgoing) -> str:
        first = out.frames[0].text.split("\n", 1)[1] if "\n" in out.frames[0].text else ""
        per_cycle = [f for f in out.frames if f.text.endswith(first)] if first else list(out.frames)
        phases = " · ".join(f"{f.text.split(chr(10))[0]} {f.seconds:g}s" for f in per_cycle)
        cycles = max(1, len(out.frames) // max(1, len(per_cycle)))
        return f"  ({cycles}×) {phases}\n  {out.after_frames}"

    def pick(self, name: str, text: str) -> str | None:
        """The button id a typed line chooses: its label, or its number; None if it is not a choice."""
        options = self.options.get(name, ())
        t = text.strip().casefold()
        for cid, label in options:
            if label.casefold() == t:
                return cid
        numbered = options[11:] if len(options) >= 11 and all(lbl.isdigit() for _, lbl in options[:11]) else options
        offset = 11 if numbered is not options else 1
        # ASCII digits only: "²" or "٣" pass str.isdigit() but are no option number (int("²") raises)
        if re.fullmatch(r"[0-9]{1,4}", t) and offset <= int(t) < offset + len(numbered):
            return numbered[int(t) - offset][0]
        return None


_WAIT = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")


def parse_wait(arg: str) -> timedelta | None:
    m = _WAIT.match(arg.strip().lower())
    if not m:
        return None
    seconds = float(m.group(1)) * {"s": 1, "m": 60, "": 60, "h": 3600, "d": 86400}[m.group(2)]
    if not seconds <= 30 * 86400:  # also false for inf and nan: checked before a timedelta is built
        return None
    return timedelta(seconds=seconds)


class Console:
    """Reads lines, feeds them to the Dialogue as the current speaker, prints what comes back."""

    def __init__(
        self, dialogue: Dialogue, dispatcher: Dispatcher, clock: ManualClock, messenger: ConsoleMessenger,
        echo: bool = False, terminal: str = "",
    ) -> None:
        self.dialogue = dialogue
        self.dispatcher = dispatcher
        self.clock = clock
        self.messenger = messenger
        self.echo = echo
        self.terminal = terminal
        """This terminal on the file (the store's process id): the chat of everyone who types here."""
        self.speaker = "me"
        self._turn = asyncio.Lock()
        """One line, or one delivery round of `watch`, at a time: what a line prints stays together."""

    async def sync(self) -> None:
        """Catch up with the clock every console on this file shares (another terminal may have moved it)."""
        self.clock.catch_up(await self.dialogue.store.console_clock(self.clock.now()))

    async def watch(self) -> None:
        """Show what other processes on the file write for the people in this terminal as it is written (a
        partner's notice typed in another terminal, a ping after a `!wait` there): runs beside `run`."""
        while True:
            await self.dispatcher.sleep(self.clock.wall_seconds(timedelta(hours=1)))
            async with self._turn:
                await self.sync()
                await self.dispatcher.run_due()

    async def line(self, raw: str) -> bool:
        """Handle one line. False means: stop."""
        async with self._turn:
            await self.sync()
            return await self._line(raw)

    async def _line(self, raw: str) -> bool:
        text = raw.rstrip("\r\n")
        if self.echo and text.strip() and not text.startswith(("!as ", "!wait ")):
            self.messenger.write(f"> {self.speaker}: {self._shown(text)}\n")
        elif self.echo and text.startswith("!wait "):
            self.messenger.write(f"(… {text[6:].strip()} later)\n")
        cmd, _, arg = text.strip().partition(" ")
        if cmd == "!quit":
            return False
        if cmd == "!as":
            name = arg.strip()[:32]
            if not name or not re.fullmatch(r"[\w.-]+", name):
                self.messenger.write("(console) !as needs a name: letters, digits, . or -\n\n")
            else:
                self.speaker = name
            return True
        if cmd == "!wait":
            span = parse_wait(arg)
            if span is None:
                self.messenger.write("(console) !wait needs a time like 30s, 25m or 2h (at most 30 days)\n\n")
                return True
            self.clock.catch_up(await self.dialogue.store.console_clock(self.clock.now(), span))
            await self.dispatcher.run_due()
            return True
        if cmd == "!help":
            self.messenger.write(BANNER + "\n")
            return True
        if cmd == "!press":
            await self._say(event_from_button(arg.strip()))
            return True
        if not text.strip():
            return True
        choice = self.messenger.pick(self.speaker, text)
        await self._say(event_from_button(choice) if choice else event_from_text(text))
        return True

    def _shown(self, text: str) -> str:
        """How a scripted line reads in a transcript: a pressed button shows its label."""
        if text.startswith("!press "):
            cid = text[7:].strip()
            label = next((lbl for i, lbl in self.messenger.options.get(self.speaker, ()) if i == cid), cid)
            return f"[{label}]"
        return text

    async def _say(self, event: object) -> None:
        from bot.core.events import ChoiceMade, CommandReceived, TextReceived

        assert isinstance(event, ChoiceMade | CommandReceived | TextReceived)
        for out in await self.dialogue.handle(_ref(self.speaker, self.terminal), event):
            self.messenger.show(self.speaker, out)
        await self.dispatcher.run_due()  # partner notices go out at once on the console

    async def run(self, stream: TextIO = sys.stdin) -> None:
        loop = asyncio.get_running_loop()
        if stream.isatty():
            self.messenger.write(BANNER + "\n")
        while True:
            raw = await loop.run_in_executor(None, stream.readline)
            if not raw:
                return
            if not await self.line(raw):
                return
