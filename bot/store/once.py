"""Each platform update handled once, however often it arrives.

Telegram hands an update to its webhook again when it got no answer in time: a slow worker, a worker killed
mid-update, a proxy that timed out. Behind a proxy the second copy may reach another worker, even while the first
is still on it. And a new polling leader may fetch again what a killed leader had handled but not yet confirmed.
So the adapter names the update an event comes from (`Dialogue.handle(…, update="telegram:<bot>:<id>")`), and a
store that keeps them records that key in the event's OWN transaction, first thing (`first_time`): the copy that
comes second finds it and changes nothing, and one that arrives while the first is still running waits on the
key's row until that one commits (PostgreSQL's unique index), then finds it too. A first copy that rolled back
left no key, so its repeat is handled. Nothing is lost and nothing is done twice; what the first copy was about
to say to the person acting is lost only when its worker died right after the commit (replies are not in the
outbox), never a partner notice or a ping (they are).

The key travels from the Dialogue to the store beside the call, in a context variable (as the outbox delivery's
gate does in bot.ports): the port's `handle_then` stays the same on every backend. Both stores use it: on
SQLite (one bot process per file) a webhook retry of an update already handled is answered without acting
again just the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

T = TypeVar("T")

SEEN_KEPT = timedelta(days=2)
"""How long a handled update's key is kept (wall clock): Telegram gives up on an update after 24 hours."""

_UPDATE: ContextVar[str | None] = ContextVar("adempauze_update", default=None)


@contextmanager
def from_update(key: str | None) -> Iterator[None]:
    """Everything the store is asked inside comes from the platform update `key` (None: from no update)."""
    token = _UPDATE.set(key)
    try:
        yield
    finally:
        _UPDATE.reset(token)


def current() -> str | None:
    """The key of the update being handled, if any (read by the store when an event is handed to it)."""
    return _UPDATE.get()


@dataclass(frozen=True, slots=True)
class FromUpdate(Generic[T]):
    """What to make of an event's result (`then`), carrying the key of the platform update it came from."""

    update: str
    then: Callable[[Any], T]

    def __call__(self, done: Any) -> T:
        return self.then(done)


def carried(then: Callable[[Any], T]) -> Callable[[Any], T]:
    """`then`, carrying the current update's key along with it when there is one (read back by `key_of`)."""
    update = current()
    return then if update is None else FromUpdate(update, then)


def key_of(then: object) -> str | None:
    return then.update if isinstance(then, FromUpdate) else None


def first_time(c: Any, key: str, wall: int) -> bool:
    """Record `key` in the running transaction; False when it was recorded before (handled already)."""
    done = c.execute("INSERT INTO seen_updates (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (key, wall))
    return bool(done.rowcount == 1)


def forget_seen(c: Any, wall: int) -> int:
    """Remove the keys older than SEEN_KEPT; how many."""
    return int(c.execute("DELETE FROM seen_updates WHERE seen_at < ?",
                         (wall - int(SEEN_KEPT.total_seconds()),)).rowcount)
