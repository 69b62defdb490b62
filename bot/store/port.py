"""What the service, the dispatcher and the tools see of the store: its records and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.effects import (
    Reply,
)
from bot.core.model import (
    Person,
)
from bot.ports import Recipient


class StoreError(Exception):
    """The database cannot be used (damaged, read-only, newer than this code). The message says why."""


class InUse(StoreError):
    """Another live process on the file holds what this one needs (a platform only one may serve, an older
    schema under an upgrade). The message names that process; nothing was changed."""



@dataclass(frozen=True, slots=True)
class Holder:
    """A live process on the file, as it registered itself in `processes`."""

    id: str
    kind: str
    serves: frozenset[str]
    schema: int
    pid: int
    host: str
    started_at: int
    lease_until: int

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> Holder:
        pid, kind, serves, schema, os_pid, host, started, until = row
        return cls(pid, kind, frozenset(x for x in serves.split(",") if x), schema, os_pid, host, started, until)

    def describe(self) -> str:
        """"the Adempauze bot serving telegram (process 4242 on host "pi", started 2026-11-20 20:10 UTC)"."""
        serving = f" serving {', '.join(sorted(self.serves))}" if self.serves else ""
        started = datetime.fromtimestamp(self.started_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f'the Adempauze {self.kind}{serving} (process {self.pid} on host "{self.host}", started {started})'



@dataclass(frozen=True, slots=True)
class Defaults:
    locale: str = "nl"
    tz: str = "Europe/Amsterdam"
    country: str = "NL"


@dataclass(frozen=True, slots=True)
class Handled:
    """What one event did: who acted (after any profile change), replies for them, whether timers moved."""

    person: Person
    replies: tuple[Reply, ...]
    scheduled: bool
    export: bytes | None = None  # /export: everything stored about the person, as JSON
    forgot: bool = False  # /forget: the person and all their rows are gone



@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    to: Recipient
    locale: str
    tz: str
    payload: str
    attempts: int
    expires_at: datetime | None
    created_at: datetime | None = None
