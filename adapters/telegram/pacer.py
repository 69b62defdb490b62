"""The breathing pacer on Telegram: one message, edited at phase boundaries, at most one edit a second per chat.

`start()` sends the first frame (awaited, so it lands in order among the other replies) and animates the rest in a
tracked background task. Phases shorter than the edit interval are merged into the one before. Anything the person
does in that chat cancels the animation (`cancel`); `stop()` (shutdown) cancels every animation and leaves each
message on its final text with the buttons, so the person can go on after a restart (button ids are stable).
The wait is an injected coroutine, so tests run a minute of breathing without waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

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
    after: str
    markup: InlineKeyboardMarkup | None
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
        msg = await self.bot.send_message(chat_id, steps[0].text, link_preview_options=NO_PREVIEW)
        run = Run(chat_id, msg.message_id, after, markup)
        task = asyncio.create_task(self._animate(run, steps), name=f"pacer:{chat_id}")
        self._runs[chat_id] = (task, run)
        task.add_done_callback(lambda t: self._forget(chat_id, t))

    def cancel(self, chat_id: int) -> bool:
        """Stop the animation in this chat (the person did something else). True if one was running."""
        entry = self._runs.pop(chat_id, None)
        if entry is None:
            return False
        entry[0].cancel()
        return True

    async def stop(self) -> None:
        """Cancel every animation and put each interrupted message on its final text and buttons."""
        self._closing = True
        entries = list(self._runs.values())
        self._runs.clear()
        for task, _ in entries:
            task.cancel()
        await asyncio.gather(*(t for t, _ in entries), return_exceptions=True)
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
            outcome = await self._edit(run, nxt.text, None)
            if outcome != OK:
                if outcome == GONE:  # deleted or no longer editable: the buttons still have to reach the person
                    await self._send_final(run)
                run.finished = True
                return
            spent = self.monotonic() - t0
        await self.sleep(max(steps[-1].seconds - spent, self.min_interval - spent, 0.0))
        await self._finish(run)

    async def _finish(self, run: Run) -> None:
        outcome = await self._edit(run, run.after, run.markup)
        if outcome in (OK, BLOCKED) or await self._send_final(run):
            run.finished = True

    async def _edit(self, run: Run, text: str, markup: InlineKeyboardMarkup | None) -> str:
        """One edit: OK (also when skipped after a passing failure), GONE (message gone) or BLOCKED."""
        try:
            await self.bot.edit_message_text(
                text, chat_id=run.chat_id, message_id=run.message_id, reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as e:
            return OK if "not modified" in e.message.lower() else GONE
        except Forbidden:
            return BLOCKED
        except TelegramError as e:  # rate limit after the limiter's retry, network trouble: skip this frame
            log.info("pacer edit skipped: %s", type(e).__name__)
            return OK if markup is None else GONE
        return OK

    async def _send_final(self, run: Run) -> bool:
        try:
            await send_text(self.bot, run.chat_id, run.after, run.markup)
        except TelegramError as e:
            log.info("pacer end not delivered: %s", type(e).__name__)
            return False
        return True
