"""The store port: what the service, the dispatcher, the adapters and the tools may ask of a store, and the
records and errors it answers with. Every backend (SQLite today) implements `StorePort`; nothing outside
bot/store imports a backend, only this.

Each method is one unit of work on the backend: `handle_then` loads a person's state, runs the pure core,
applies its effects and commits, in one transaction of its own; the timer and outbox methods claim, fire and
settle rows so that any number of processes on one database share the work (see each backend for how).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot.core.effects import Reply
from bot.core.events import Event
from bot.core.model import Person
from bot.ports import Recipient, UserRef

T = TypeVar("T")


class StoreError(Exception):
    """The database cannot be used (damaged, read-only, newer than this code). The message says why."""


class InUse(StoreError):
    """Another live process on the file holds what this one needs (a platform only one may serve, an older
    schema under an upgrade). The message names that process; nothing was changed."""


class BackupError(StoreError):
    """A backup or restore was refused or failed; the message says why, and what was left as it was."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int  # bytes
    schema_version: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    path: Path
    schema_version: int
    previous: Path | None  # where the database that was replaced now is (None: there was none)


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


class StorePort(Protocol):
    """What the rest of the bot may ask of a store (SQLite: bot.store.sqlite.store.SqliteStore)."""

    defaults: Defaults
    """Locale, time zone and country for people the store has not seen before."""
    process_id: str
    """Who this process is on the database: its claims, its row among the holders."""
    random_bytes: Callable[[int], bytes]
    """Where invite codes come from (the demo swaps it to script a pairing)."""

    @property
    def lease(self) -> timedelta:
        """How long this process counts as alive on the database after its last heartbeat (and so its claims)."""

    async def close(self) -> None:
        """Detach (if attached) and close the connection."""

    async def schema_version(self) -> int:
        """The migration the database is at."""

    # -- events
    async def handle(self, ref: UserRef, event: Event, now: datetime) -> Handled:
        """One person's event, start to finish, in one transaction of its own."""

    async def handle_then(self, ref: UserRef, event: Event, now: datetime, then: Callable[[Handled], T]) -> T:
        """`handle`, and `then(handled)` right after the commit, where the backend ran the transaction."""

    # -- timers and private text
    async def fire_due(self, now: datetime, limit: int = 200) -> int:
        """Run every timer due by `now` this process serves (up to `limit`) through the core; how many fired."""

    async def next_due(self) -> int | None:
        """The earliest due time (unix seconds) of a timer or outbox row this process would take."""

    async def purge_private(self, now: datetime) -> int:
        """Wipe private free text of dialogues untouched for PRIVATE_KEPT; how many were wiped."""

    @property
    def wal_owed(self) -> bool:
        """Erased text may still linger in the backend's log (SQLite: the -wal file); `truncate_wal` again."""

    async def truncate_wal(self, force: bool = False) -> bool:
        """Try an owed (or any) log truncation again; True when nothing is owed any more."""

    # -- outbox
    async def due_outbox(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Claim the due outbox rows this process may deliver, earliest first."""

    async def settle(
        self, delivered: list[int], retry: list[tuple[int, int]], dropped: list[int], unreachable: list[int]
    ) -> None:
        """After a delivery round: remove what went out or is dropped, reschedule retries, mark the unreachable."""

    async def delivery_verdict(self, row_id: int) -> str:
        """Right before the platform call: "send", "gone" (cancelled or taken over) or "held" (safety screen)."""

    async def hold(self, row_id: int, due: int) -> None:
        """Give a held row back until `due`, without counting an attempt."""

    # -- several processes on one database
    @property
    def shared(self) -> bool:
        """Has this process said on the database that it runs (`attach`)? Then others may be there too."""

    async def attach(self, kind: str, serves: Iterable[str], exclusive: frozenset[str] = ...) -> None:
        """Say on the database that this process runs and what it serves; InUse when an exclusive one clashes."""

    async def renew(self) -> None:
        """Keep this process alive on the database (and so its claims) for another LEASE."""

    async def detach(self) -> None:
        """Leave the database: remove this process's row and give back what it claimed and did not settle."""

    async def holders(self) -> list[Holder]:
        """The live processes on the database."""

    async def changed(self) -> bool:
        """Has another process committed since the last look?"""

    async def console_clock(self, at_least: datetime, plus: timedelta = ...) -> datetime:
        """The clock every console on this database shares (never goes back)."""

    # -- backup
    async def backup(self, target: str | Path) -> BackupInfo:
        """An online, consistent copy of the database at `target`, safe while the bot runs."""
