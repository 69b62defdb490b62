"""Events that arrive together share one hop to the store's thread (and, given `batch`, one transaction).

`Line.put(job)` waits for `settle(connection, job)` run on the thread. Jobs put in the same turn of the event
loop are sent together, in arrival order, BATCH_MAX per hop, and the next batch is sent without waiting for
the one before: under load one thread hop is shared by many events instead of paid by each, and one person's
events keep their order (the thread takes batches first come, first served). A job that raises rolls back
only its own work: its caller hears the error, the others in the batch their own results.

With `batch` given, a hop's jobs are settled by `batch(connection, jobs)` instead, which gives each job's result
(or its error) in order: the SQLite store runs them in one transaction, a savepoint each (SqliteStore._batch).

With `here` given, a turn's jobs are first offered to it, on the event loop itself: it settles those it can
right there (no hop at all; see SqliteStore._settle_here) and gives back the rest, in order, for the thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Generic, TypeVar

J = TypeVar("J")
BATCH_MAX = 64
"""At most this many waiting events go to the thread in one hop."""

Run = Callable[[Callable[[sqlite3.Connection], list[Any]]], Awaitable[list[Any]]]
"""One hop to the thread: `run(fn)` awaits `fn(connection)` run there."""
Waiting = list[tuple[J, "asyncio.Future[Any]"]]
Here = Callable[[Waiting[J]], Waiting[J]]
"""Settles what it can of the waiting jobs on the event loop (their futures), returns the rest in order."""
Batch = Callable[[sqlite3.Connection, list[J]], list[Any]]
"""Settles a hop's jobs on the thread: each one's result, or the exception it raised, in order."""


class Line(Generic[J]):
    """The jobs waiting for the thread, and the batches on their way to it."""

    def __init__(self, run: Run, settle: Callable[[sqlite3.Connection, J], Any], here: Here[J] | None = None,
                 batch: Batch[J] | None = None) -> None:
        self._run = run
        self._settle = settle
        self._here = here
        self._batch = batch
        self._waiting: list[tuple[J, asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Future[list[Any]]] = set()

    async def put(self, job: J) -> Any:
        """`settle(connection, job)` on the thread, sent with whatever else arrives in this turn of the loop."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((job, fut))
        if len(self._waiting) == 1:
            loop.call_soon(self._send)
        return await fut

    def _send(self) -> None:
        """Send everyone waiting to the thread, BATCH_MAX per hop."""
        line, self._waiting = self._waiting, []
        if self._here is not None:
            line = self._here(line)
        for i in range(0, len(line), BATCH_MAX):
            batch = line[i : i + BATCH_MAX]
            settle_all = self._settle_all if self._batch is None else self._batch_all
            task = asyncio.ensure_future(self._run(partial(settle_all, batch)))
            self._sending.add(task)
            task.add_done_callback(partial(self._deliver, batch))

    def _deliver(self, batch: list[tuple[J, asyncio.Future[Any]]], task: asyncio.Future[list[Any]]) -> None:
        self._sending.discard(task)
        if task.cancelled():
            results: list[Any] = [asyncio.CancelledError()] * len(batch)
        elif (e := task.exception()) is not None:  # the connection is gone (closed): all of them hear it
            results = [e] * len(batch)
        else:
            results = task.result()
        for (_, fut), result in zip(batch, results, strict=True):
            if fut.done():  # the caller gave up; its event was handled all the same
                continue
            if isinstance(result, asyncio.CancelledError):
                fut.cancel()
            elif isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)

    def _settle_all(self, batch: list[tuple[J, asyncio.Future[Any]]], c: sqlite3.Connection) -> list[Any]:
        """Each job of a batch: its result, or the error that rolled back its transaction (only its own: the
        others are committed or still to come)."""
        settle = self._settle
        out: list[Any] = []
        for job, _ in batch:
            try:
                out.append(settle(c, job))
            except Exception as e:
                out.append(e)
        return out

    def _batch_all(self, batch: list[tuple[J, asyncio.Future[Any]]], c: sqlite3.Connection) -> list[Any]:
        assert self._batch is not None
        return self._batch(c, [job for job, _ in batch])
