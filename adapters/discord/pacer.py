"""The breathing pacer on Discord: one message, edited at phase boundaries.

Discord allows about five edits per five seconds on a channel's messages; the pacer edits at most once every
`min_gap` seconds (phases shorter than that are merged, see `render.schedule`) and keeps to the pattern's rhythm by
sleeping until each phase's deadline rather than a fixed time after the previous edit. The animated guide (a GIF
attached to the message, see messenger.post) is paced the same way with one frame as long as the round: its text
stays, the end line comes under it when the round is over. One pacer per person: a new one, a button pressed on its
message, or anything else the person does (but a word on the side) ends the running one on a clean last frame (the
message's text, without the frame and without buttons: the flow has moved on). `sleep` and `monotonic` are
injectable (together) so tests run in no time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import aiohttp
import discord

from adapters.discord.render import schedule, with_frame
from bot.ports import Frame

log = logging.getLogger(__name__)

MIN_EDIT_GAP = 1.0
"""Seconds between two edits of one message, at least."""


class Edit(Protocol):
    """Edits the pacer's message: new content; `buttons=False` also takes its buttons away."""

    def __call__(self, content: str, *, buttons: bool = True) -> Awaitable[object]: ...


Sleep = Callable[[float], Awaitable[object]]
Monotonic = Callable[[], float]


class Pacer:
    """Runs breathing animations as tasks: at most one per person, all cancelled on `stop()`."""

    def __init__(
        self, sleep: Sleep = asyncio.sleep, monotonic: Monotonic = time.monotonic, min_gap: float = MIN_EDIT_GAP,
    ) -> None:
        self._sleep = sleep
        self._monotonic = monotonic
        self.min_gap = min_gap
        # person -> (message id, base text, task, edit)
        self._running: dict[int, tuple[int, str, asyncio.Task[None], Edit]] = {}
        self._endings: set[asyncio.Task[None]] = set()

    def first(self, base: str, frames: tuple[Frame, ...]) -> str:
        """What the pacer message shows when it is sent: the text and the first frame."""
        plan = schedule(frames, self.min_gap)
        return with_frame(base, plan[0].text if plan else "")

    def start(self, person: int, message_id: int, edit: Edit, base: str, frames: tuple[Frame, ...], after: str) -> None:
        """Animate a sent message (showing `first(base, frames)`) for `person`; ends showing `after` under `base`."""
        self.cancel_person(person)
        task = asyncio.create_task(self._run(edit, base, schedule(frames, self.min_gap), after))
        self._running[person] = (message_id, base, task, edit)
        task.add_done_callback(lambda t: self._forget(person, t))

    def cancel_person(self, person: int) -> None:
        """End this person's running pacer, if any, on a clean last frame (in the background)."""
        entry = self._running.pop(person, None)
        if entry is not None:
            _, base, task, edit = entry
            task.cancel()
            ending = asyncio.create_task(self._end_cleanly(task, edit, base))
            self._endings.add(ending)
            ending.add_done_callback(self._endings.discard)

    def cancel_message(self, message_id: int) -> str | None:
        """Stop the pacer on this message, if one runs; returns the text the message should keep (the caller
        edits it, with the pressed button shown)."""
        for person, (mid, base, task, _) in list(self._running.items()):
            if mid == message_id:
                del self._running[person]
                task.cancel()
                return base
        return None

    async def _end_cleanly(self, task: asyncio.Task[None], edit: Edit, base: str) -> None:
        await asyncio.gather(task, return_exceptions=True)  # no frame of it lands after the last one
        try:
            await edit(base, buttons=False)
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as e:
            log.info("pacer end not shown: %s", type(e).__name__)

    async def settled(self) -> None:
        """Until every pacer ended by `cancel_person` shows its last frame (tests)."""
        while self._endings:
            await asyncio.gather(*self._endings, return_exceptions=True)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [task for _, _, task, _ in self._running.values()]

    async def join(self) -> None:
        """Wait until every running pacer has finished (tests, benchmarks)."""
        while tasks := self.tasks():
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Cancel every pacer and wait for the tasks to end."""
        tasks = self.tasks()
        self._running.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *self._endings, return_exceptions=True)

    def _forget(self, person: int, task: asyncio.Task[None]) -> None:
        entry = self._running.get(person)
        if entry is not None and entry[2] is task:
            del self._running[person]
        if not task.cancelled() and task.exception() is not None:
            log.error("pacer failed", exc_info=task.exception())

    async def _run(self, edit: Edit, base: str, plan: list[Frame], after: str) -> None:
        clock = self._monotonic
        deadline = last_edit = clock()
        for i, frame in enumerate(plan):
            deadline += frame.seconds
            shown = with_frame(base, plan[i + 1].text) if i + 1 < len(plan) else with_frame(base, after)
            now = clock()
            await self._sleep(max(deadline - now, last_edit + self.min_gap - now, 0.0))
            try:
                await edit(shown)
            except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as e:
                # the message is gone or Discord is unwell: a breathing animation is not worth a retry
                log.info("pacer stopped: %s", type(e).__name__)
                return
            last_edit = clock()

