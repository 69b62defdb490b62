"""The breathing pacer on Telegram: one message, edited at phase boundaries, at most one edit a second per chat.

Two kinds of round. The text pacer: `start()` sends the first frame (awaited, so it lands in order among the other
replies) and animates the rest in a tracked background task; phases shorter than the edit interval are merged into
the one before. The animation: `start_round()` takes a sent breathing guide (a looping GIF, see animation.py) and
only waits out the round, then puts the end under its caption. Either way the message carries its buttons from the
first second (every edit repeats them: an edit without them would take them away).

Anything the person does in that chat, other than a word on the side, ends the round (`cancel`): the message is
put on a clean last frame (the text pacer on its end line, the animation's caption as sent) without the buttons,
since the flow has moved on. `stop()` (shutdown) ends every round on its end with the buttons, so the person can go
on after a restart (button ids are stable). The wait is an injected coroutine, so tests run a minute of breathing
without waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.ports import Frame

from .render import NO_PREVIEW, send_text

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MIN_EDIT_INTERVAL = 1.0
"""Telegram allows about one message (edits included) per second in one chat."""
OK, GONE, BLOCKED = "ok", "gone", "blocked"
STOP_GRACE = 3.0
"""At shutdown, how long the final edits of interrupted pacers may take together."""


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    seconds: float


def plan(frames: Sequence[Frame], min_interval: float = MIN_EDIT_INTERVAL) -> list[Step]:
    """The frames as edits: a phase shorter than `min_interval` (or repeating the text) extends the one before."""
    steps: list[Step] = []
    for f in frames:
        if not f.text.strip():
            continue
        if steps and (f.seconds < min_interval or f.text == steps[-1].text):
            steps[-1] = Step(steps[-1].text, steps[-1].seconds + max(0.0, f.seconds))
        else:
            steps.append(Step(f.text, max(0.0, f.seconds)))
    while len(steps) > 1 and steps[0].seconds < min_interval:  # a short first phase: show it with the next
        steps[0:2] = [Step(steps[0].text, steps[0].seconds + steps[1].seconds)]
    return steps


@dataclass(slots=True)
class Run:
    chat_id: int
    message_id: int
    after: str  # the text pacer: its end line; the animation: the caption at the end of the round
    markup: InlineKeyboardMarkup | None
    caption: str | None = None  # set for an animation: its caption while it runs
    finished: bool = False


class Pacer:
    """Animates pacer messages, one per chat at most; every task is tracked and ends on `cancel` or `stop`."""

    def __init__(
        self, bot: Bot, sleep: Sleep = asyncio.sleep, min_interval: float = MIN_EDIT_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.sleep = sleep
        self.min_interval = min_interval
        self.monotonic = monotonic
        self._runs: dict[int, tuple[asyncio.Task[None], Run]] = {}
        self._endings: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def running(self) -> int:
        return len(self._runs)

    def is_running(self, chat_id: int) -> bool:
        return chat_id in self._runs

    async def start(
        self, chat_id: int, frames: Sequence[Frame], after: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """Send the first frame now and animate the rest; raises what sending the first frame raises."""
        self.cancel(chat_id)
        steps = plan(frames, self.min_interval)
        after = after.strip() or (steps[-1].text if steps else "")
        if self._closing or not steps:
            await send_text(self.bot, chat_id, after, markup)
            return
        msg = await self.bot.send_message(chat_id, steps[0].text, reply_markup=markup, link_preview_options=NO_PREVIEW)
        self._track(Run(chat_id, msg.message_id, after, markup), self._animate, steps)

    def start_round(
        self, chat_id: int, message_id: int, seconds: float, caption: str, after: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """A sent breathing guide (with `caption` and `markup`): after `seconds`, its caption becomes `after`."""
        self.cancel(chat_id)
        run = Run(chat_id, message_id, after, markup, caption=caption)
        if self._closing:
            return
        self._track(run, self._wait_round, [Step(caption, seconds)])

    def _track(
        self, run: Run, body: Callable[[Run, list[Step]], Coroutine[Any, Any, None]], steps: list[Step]
    ) -> None:
        chat_id = run.chat_id
        task = asyncio.create_task(body(run, steps), name=f"pacer:{chat_id}")
        self._runs[chat_id] = (task, run)
        task.add_done_callback(lambda t: self._forget(chat_id, t))

    def cancel(self, chat_id: int) -> bool:
        """End the round in this chat (the person did something else) on a clean last frame, without buttons.
        True if one was running."""
        entry = self._runs.pop(chat_id, None)
        if entry is None:
            return False
        task, run = entry
        task.cancel()
        ending = asyncio.create_task(self._end_cleanly(task, run), name=f"pacer-end:{chat_id}")
        self._endings.add(ending)
        ending.add_done_callback(self._endings.discard)
        return True

    async def _end_cleanly(self, task: asyncio.Task[None], run: Run) -> None:
        await asyncio.gather(task, return_exceptions=True)  # no frame of it can land after the last one
        if run.finished:
            return
        run.finished = True
        await self._edit(run, run.after if run.caption is None else run.caption, None, skippable=True)

    async def settled(self) -> None:
        """Until every round ended by `cancel` has been put on its last frame (tests)."""
        while self._endings:
            await asyncio.gather(*self._endings, return_exceptions=True)

    async def stop(self) -> None:
        """Cancel every animation and put each interrupted message on its final text and buttons."""
        self._closing = True
        entries = list(self._runs.values())
        self._runs.clear()
        for task, _ in entries:
            task.cancel()
        await asyncio.gather(*(t for t, _ in entries), *self._endings, return_exceptions=True)
        unfinished = [run for _, run in entries if not run.finished]
        if unfinished:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STOP_GRACE):
                    await asyncio.gather(*(self._finish(run) for run in unfinished), return_exceptions=True)

    def _forget(self, chat_id: int, task: asyncio.Task[None]) -> None:
        entry = self._runs.get(chat_id)
        if entry is not None and entry[0] is task:
            del self._runs[chat_id]
        if not task.cancelled() and task.exception() is not None:
            log.warning("pacer ended with %s", type(task.exception()).__name__)

    async def _animate(self, run: Run, steps: list[Step]) -> None:
        spent = 0.0
        for shown, nxt in itertools.pairwise(steps):
            await self.sleep(max(shown.seconds - spent, self.min_interval - spent, 0.0))
            t0 = self.monotonic()
            outcome = await self._edit(run, nxt.text, run.markup, skippable=True)
            if outcome != OK:
                if outcome == GONE:  # deleted or no longer editable: the buttons still have to reach the person
                    await self._send_final(run)
                run.finished = True
                return
            spent = self.monotonic() - t0
        await self.sleep(max(steps[-1].seconds - spent, self.min_interval - spent, 0.0))
        await self._finish(run)

    async def _wait_round(self, run: Run, steps: list[Step]) -> None:
        await self.sleep(max(0.0, steps[0].seconds))
        await self._finish(run)

    async def _finish(self, run: Run) -> None:
        outcome = await self._edit(run, run.after, run.markup)
        if outcome in (OK, BLOCKED) or await self._send_final(run):
            run.finished = True

    async def _edit(
        self, run: Run, text: str, markup: InlineKeyboardMarkup | None, *, skippable: bool = False
    ) -> str:
        """One edit: OK (also when a `skippable` one, a frame, failed in passing), GONE (message gone, or the end
        could not be shown) or BLOCKED."""
        try:
            if run.caption is None:
                await self.bot.edit_message_text(
                    text, chat_id=run.chat_id, message_id=run.message_id, reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                )
            else:
                await self.bot.edit_message_caption(
                    chat_id=run.chat_id, message_id=run.message_id, caption=text or None, reply_markup=markup,
                )
        except BadRequest as e:
            return OK if "not modified" in e.message.lower() else GONE
        except Forbidden:
            return BLOCKED
        except TelegramError as e:  # rate limit after the limiter's retry, network trouble: skip this frame
            log.info("pacer edit skipped: %s", type(e).__name__)
            return OK if skippable else GONE
        return OK

    async def _send_final(self, run: Run) -> bool:
        try:
            await send_text(self.bot, run.chat_id, run.after, run.markup)
        except TelegramError as e:
            log.info("pacer end not delivered: %s", type(e).__name__)
            return False
        return True
