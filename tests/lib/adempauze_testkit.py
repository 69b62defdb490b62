"""Helpers shared by the service-level tests: recognise a catalog sentence in rendered output, read buttons,
and collect what the dispatcher delivered. (On sys.path through pytest's `pythonpath`; the name is unique so
it can shadow nothing.)"""

from __future__ import annotations

import string
from typing import Any

from bot.core import couples
from bot.i18n import catalog
from bot.ports import Outgoing, UserRef


def marker(locale: str, key: str) -> str:
    """The longest fixed line of a catalog sentence (no placeholder in it): proof that this key was said."""
    pieces = [lit for lit, _, _, _ in string.Formatter().parse(catalog(locale)[key])]
    best = max((line.strip() for lit in pieces for line in lit.split("\n")), key=len)
    assert len(best) >= 8, f"{key} has too little fixed text to recognise it"
    return best


def said(texts: list[str] | list[Outgoing], locale: str, key: str) -> bool:
    plain = [t if isinstance(t, str) else t.text for t in texts]
    return any(marker(locale, key) in t for t in plain)


def ids(outs: list[Outgoing]) -> list[str]:
    return [cid for o in outs for cid, _ in o.choices]


def send_id(outs: list[Outgoing]) -> str:
    """The "send to my partner" button under the newest draft shown (it names that state of the draft)."""
    return next(i for i in reversed(ids(outs)) if i.startswith("ct.send."))


class Inbox:
    """What the dispatcher delivered to whom since the last look (optionally: only to these people's chats)."""

    def __init__(self, recorder: Any, dispatcher: Any, people: tuple[UserRef, ...] = ()) -> None:
        self.recorder = recorder
        self.dispatcher = dispatcher
        self.people = people
        self.seen = 0

    async def take(self) -> dict[str, list[Outgoing]]:
        """Everything delivered since the last look, by external id."""
        await self.dispatcher.run_due()
        fresh = self.recorder.sent[self.seen:]
        self.seen = len(self.recorder.sent)
        chats = {(p.platform, p.chat_id) for p in self.people}
        out: dict[str, list[Outgoing]] = {}
        for to, msg in fresh:
            if chats:  # delivered on the platform and in the chat each person came from
                assert (to.platform, to.chat_id) in chats
            out.setdefault(to.external_id, []).append(msg)
        return out

    async def new(self, who: UserRef) -> list[Outgoing]:
        """What `who` got since the last look; nobody else got anything."""
        got = await self.take()
        others = {k: [o.text for o in v] for k, v in got.items() if k != who.external_id}
        assert not others, f"unexpected delivery to someone else: {others}"
        return got.get(who.external_id, [])


# -- logs (issue 13, finding 8) --------------------------------------------------------------------------


def code_forms(shown: str) -> set[str]:
    code = couples.normalise_code(shown) or shown
    return {shown, shown.lower(), code, code.lower()}


def leaks(log: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s and s in log)


def secrets_of(texts: list[str], typed: list[str]) -> set[str]:
    """What must not be logged: what was typed, and every line of 24+ characters the bot sent."""
    said = {ln.strip() for t in texts for ln in t.split("\n") if len(ln.strip()) >= 24}
    return said | {t for t in typed if len(t) >= 8}


# -- a fault injected into the database, on either backend ------------------------------------------------------

async def add_fault(store: Any, name: str, before: str, table: str, message: str) -> None:
    """Make every `before` (INSERT, DELETE, …) on `table` fail with `message`, until `drop_fault`."""
    if type(store).__name__ == "PostgresStore":
        await store.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                            f"$f$ BEGIN RAISE EXCEPTION '{message}'; END $f$")
        await store.execute(f"CREATE TRIGGER {name} BEFORE {before} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        await store.execute(f"CREATE TRIGGER {name} BEFORE {before} ON {table} "
                            f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


async def drop_fault(store: Any, name: str, table: str) -> None:
    if type(store).__name__ == "PostgresStore":
        await store.execute(f"DROP TRIGGER {name} ON {table}")
        await store.execute(f"DROP FUNCTION {name}()")
    else:
        await store.execute(f"DROP TRIGGER {name}")
