"""The store's one writer thread: one sqlite3 connection, owned by one thread that runs whole functions on it.

A function given to `run(fn)` is called as `fn(connection)` on that thread, one at a time, in the order they
were given; the awaiting task gets its result (or its exception) back through the event loop. This is what the
store needs from a thread (a whole event's transaction in one hop, transactions that can never interleave) and
nothing more: one queue, one thread, one hop per call. It replaces aiosqlite, whose only way to run a function
with the raw connection is its private `_execute` and `_conn`.

`idle()` hands the connection to the event loop's own thread while the writer thread has nothing to do: no
job given and not yet answered. Only the event loop gives jobs, so while it uses the connection itself the
thread stays idle, and nothing that was given before is overtaken (a hop costs more than a short
transaction's statements; the store uses this for those, see SqliteStore.handle_then).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple["asyncio.Future[Any] | None", Callable[[sqlite3.Connection | None], Any]]
_STOP = object()


class _Opened:
    """What the first job returns: the connection the thread owns from then on."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class _Given:
    """Jobs given to the thread and not yet answered (counted on the event loop's thread only)."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


def _set_result(given: _Given, fut: asyncio.Future[Any], result: Any) -> None:
    given.n -= 1  # here, on the loop, after the job ran: even when its caller gave up before
    if not fut.done():  # the caller gave up (cancelled): the work was done all the same
        fut.set_result(result)


def _set_exception(given: _Given, fut: asyncio.Future[Any], e: BaseException) -> None:
    given.n -= 1
    if not fut.done():
        fut.set_exception(e)


def _work(jobs: SimpleQueue[_Job], given: _Given) -> None:
    conn: sqlite3.Connection | None = None
    while True:
        fut, fn = jobs.get()
        try:
            result = fn(conn)
        except BaseException as e:  # handed to the caller, whatever it is; the thread goes on
            if fut is not None:
                fut.get_loop().call_soon_threadsafe(_set_exception, given, fut, e)
            continue
        if isinstance(result, _Opened):
            conn, result = result.conn, None
        if fut is not None:
            fut.get_loop().call_soon_threadsafe(_set_result, given, fut, None if result is _STOP else result)
        if result is _STOP:
            return


class Writer:
    """One sqlite3 connection on a thread of its own; `run(fn)` is one hop to it, however much `fn` does."""

    def __init__(self) -> None:
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._given = _Given()
        self._thread = threading.Thread(target=_work, args=(self._jobs, self._given), name="adempauze-store")
        self._open = False
        self._conn: Any = None

    @classmethod
    async def connect(cls, path: str, opener: Callable[[], Any] | None = None, **kwargs: Any) -> Writer:
        """Start the thread and open `path` on it (sqlite3.connect's keyword arguments), or whatever connection
        `opener()` makes there (the PostgreSQL backend runs the same kind of thread)."""
        writer = cls()
        writer._thread.start()
        writer._open = True
        made = opener or (lambda: sqlite3.connect(path, **kwargs))

        def open_(_: object) -> _Opened:
            writer._conn = made()
            return _Opened(writer._conn)

        try:
            await writer._submit(open_)
        except BaseException:
            writer._stop()
            raise
        return writer

    def _submit(self, fn: Callable[[sqlite3.Connection | None], T]) -> asyncio.Future[T]:
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._given.n += 1
        self._jobs.put_nowait((fut, fn))
        return fut

    @property
    def is_open(self) -> bool:
        """Connected and not (being) closed."""
        return self._open

    def idle(self) -> Any:
        """The connection, for the caller's own thread (the event loop's) to use right now, while the writer
        thread has no job given and not yet answered; None when it has (or is closed): then `run`."""
        return self._conn if self._open and self._given.n == 0 else None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` on the thread, after everything given before it."""
        if not self._open:
            raise ValueError("Connection closed")
        return await self._submit(fn)  # type: ignore[arg-type]  # after connect, the thread has its connection

    async def close(self) -> None:
        """Finish what was given, close the connection, stop the thread."""
        if not self._open:
            return
        self._open = False

        def close_and_stop(c: sqlite3.Connection | None) -> object:
            if c is not None:
                c.close()
            return _STOP

        await self._submit(close_and_stop)
        self._thread.join()

    def _stop(self) -> None:
        self._open = False
        self._jobs.put_nowait((None, lambda _: _STOP))

    def __del__(self) -> None:  # never closed (a test that forgot): let the thread end, so the process can
        if self._open:
            self._stop()
