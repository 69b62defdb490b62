"""The Dialogue: one entry point for every adapter. An event in, rendered replies out.

Theory of operation
-------------------
`Dialogue.handle(ref, event)` reads the clock once, hands the event to the store, which runs load -> core
step -> save (state, timers and outbox rows) in one transaction on its single thread and, right after the
commit and on that same thread, renders the replies for the acting person in their own language and time
zone. Anything for someone else (a partner notice) or for later (a return ping) is never sent from here: it
is an outbox row or a timer, delivered by the dispatcher after the commit. So a crash never loses a notice,
and nothing is said that was not saved. An adapter names the platform update an event comes from (`update`):
a store that keeps those keys handles a second copy of the same update (a webhook retry, perhaps at another
worker) as nothing at all (bot.store.once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache, partial

from bot.clock import Clock
from bot.core import breathing
from bot.core.chart import Chart
from bot.core.effects import Msg, Pacer, Reply
from bot.core.events import ChoiceMade, CommandReceived, Event, TextReceived
from bot.i18n import LOCALES, Renderer, catalog
from bot.ports import Breath, Frame, Outgoing, Picture, UserRef
from bot.reader import read
from bot.store import Handled, StoreError, StorePort, once

log = logging.getLogger(__name__)


def render(r: Renderer, msg: Msg, choices: tuple[tuple[str, str], ...] = (), pacer: Pacer | None = None) -> Outgoing:
    text = r.text(msg)
    if pacer is None:
        return Outgoing(text, choices)
    breath = Breath(pacer.pattern if pacer.pattern in breathing.PATTERNS else breathing.DEFAULT, r.locale)
    return Outgoing(text, choices, pacer_frames(r, pacer), r.text(Msg.of("pacer.done")), breath=breath)


def pacer_frames(r: Renderer, pacer: Pacer) -> tuple[Frame, ...]:
    return _frames(r.locale, pacer.pattern, pacer.cycles)


_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=64)
def _frames(locale: str, pattern_id: str, cycles: int) -> tuple[Frame, ...]:
    """The breathing pacer's frames: catalog text only, so made once per language and pattern."""
    r = Renderer(locale, "UTC", _NO_TIME)  # frames hold no times
    pattern = breathing.PATTERNS.get(pattern_id, breathing.PATTERNS[breathing.DEFAULT])
    frames = []
    for i in range(1, cycles + 1):
        count = r.text(Msg.of("pacer.cycle", n=i, total=cycles))
        for phase, seconds in pattern.phases:
            frames.append(Frame(f"{r.text(Msg.of(f'pacer.{phase}'))}\n{count}", seconds))
    return tuple(frames)


def render_reply(r: Renderer, reply: Reply) -> Outgoing:
    """A reply as text and buttons (a chart it carries is drawn apart, by `picture`)."""
    plain, text = r.plain, r.text  # a label is nearly always catalog text alone: one dict look-up
    out = render(r, reply.msg, tuple([(c.id, (not c.label.params and plain.get(c.label.key)) or text(c.label))
                                      for c in reply.choices]), reply.pacer)
    return replace(out, aside=True) if reply.aside else out


def picture(r: Renderer, chart: Chart) -> Picture:
    """The /patterns chart drawn for one reader (about 0.1 s of Pillow: run it off the store's thread)."""
    from bot.media import patterns_chart  # Pillow loads on the first /patterns, not at every start-up

    png = patterns_chart.render(chart, r)
    return Picture(patterns_chart.FILE_NAME, png, r.text(Msg.of("patterns.chart.caption")))


def _valid(text: str) -> str:
    """Text that is valid Unicode: a lone surrogate (bad bytes read with surrogateescape, a forged JSON
    escape) cannot be stored, so it becomes U+FFFD instead of an error."""
    if text.isascii():  # nearly always: ids, locales, most names and texts
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean(ref: UserRef) -> UserRef:
    if (ref.platform + ref.external_id + ref.chat_id + ref.name + ref.locale).isascii():  # nearly always
        return ref
    return UserRef(*(_valid(v) for v in (ref.platform, ref.external_id, ref.chat_id, ref.name, ref.locale)))


def clean_event(event: Event, locale: str | None = None) -> Event:
    """Valid Unicode everywhere; free text read for danger signals (all of it) before the core sees it."""
    if isinstance(event, TextReceived):
        text = _valid(event.text)
        return TextReceived(text, read(text, locale))
    if isinstance(event, CommandReceived):
        return CommandReceived(_valid(event.name), _valid(event.arg))
    if isinstance(event, ChoiceMade):
        return ChoiceMade(_valid(event.choice))
    return event


Charts = list[tuple[int, Renderer, Chart]]
"""Replies (by position) whose picture is still to be drawn, with the reader's renderer."""


def _rendered(now: datetime, done: Handled) -> tuple[bool, list[Outgoing], Charts]:
    """The replies for the person who acted, in their language and time zone (run on the store's thread,
    right after the commit: pure work, so the event loop is free meanwhile). Charts are left to draw."""
    r = Renderer(done.person.locale, done.person.tz, now)
    out = [render_reply(r, reply) for reply in done.replies]
    charts = [(i, r, reply.chart) for i, reply in enumerate(done.replies) if reply.chart is not None]
    if done.export is not None:
        out.append(Outgoing(r.text(Msg.of("export.caption")), document=("adempauze-export.json", done.export)))
    return done.scheduled, out, charts


class Dialogue:
    """The fight flow as a service: per-event transactions, replies rendered for the person who acted."""

    def __init__(self, store: StorePort, clock: Clock, on_scheduled: Callable[[], None] | None = None) -> None:
        self.store = store
        self.clock = clock
        self.on_scheduled = on_scheduled
        for locale in LOCALES:  # read now (TOML, ~40 ms), not when the first message is answered
            catalog(locale)

    async def handle(self, ref: UserRef, event: Event, update: str | None = None) -> list[Outgoing]:
        """One event of `ref`'s; `update`: the key of the platform update it comes from (handled once)."""
        ref = clean(ref)
        event = clean_event(event, ref.locale[:2])
        now = self.clock.now()
        try:
            if update is None and once.current() is None:  # from no platform update: nothing to carry
                scheduled, out, charts = await self.store.handle_then(ref, event, now, partial(_rendered, now))
            else:
                with once.from_update(update):
                    scheduled, out, charts = await self.store.handle_then(ref, event, now,
                                                                          partial(_rendered, now))
        except StoreError as e:
            log.error("event not saved: %s", e)
            return [self.apology(ref, now)]
        if scheduled and self.on_scheduled is not None:
            self.on_scheduled()
        for i, r, chart in charts:  # drawn in a worker thread: the store's thread goes on with other events
            try:
                out[i] = replace(out[i], image=await asyncio.to_thread(picture, r, chart))
            except Exception:  # the words still go; the picture is a bonus
                log.exception("chart not drawn")
        return out

    def apology(self, ref: UserRef, now: datetime) -> Outgoing:
        d = self.store.defaults
        locale = ref.locale[:2] if ref.locale[:2] in ("nl", "en") else d.locale
        return Outgoing(Renderer(locale, d.tz, now).text(Msg.of("error.store")))
