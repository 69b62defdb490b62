"""A small reverse proxy for the webhook tests: real HTTP on 127.0.0.1, in front of several webhook workers.

Each request goes to the next worker in turn (round robin). A worker that does not take the connection (killed,
not listening) is skipped and the request goes to the next one, as nginx's `proxy_next_upstream error` does; a
worker that takes the request and then dies without answering makes the proxy answer 502, and Telegram hands the
update again (to the next worker). Two faults on demand, for what a real deploy meets now and then:
- `lose_next()`: the next request is forwarded and handled, but its answer never reaches Telegram (the proxy
  answers 504, as when Telegram's or the proxy's timeout ran out first): Telegram hands the update again;
- `both_next()`: the next request goes to two workers at the same moment (Telegram's retry reaching another
  worker while the first is still on it); the first answer is passed on.
`routed` says, per request, which worker(s) got it and what went back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

PASSED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")
"""The request headers handed on to a worker."""


@dataclass(frozen=True, slots=True)
class Routed:
    update_id: int | None
    workers: tuple[int, ...]  # index into the proxy's workers: who got the request (two with `both_next`)
    status: int  # what the proxy answered
    skipped: tuple[int, ...] = ()  # workers that refused the connection first


@dataclass
class RoundRobin:
    workers: list[str]
    """Base URLs of the workers, e.g. http://127.0.0.1:8443."""
    routed: list[Routed] = field(default_factory=list)
    port: int = 0
    _next: int = 0
    _lose: int = 0
    _both: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def serve(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("POST", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def lose_next(self, times: int = 1) -> None:
        self._lose += times

    def both_next(self, times: int = 1) -> None:
        self._both += times

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: request.headers[k] for k in PASSED if k in request.headers}
        update_id = _update_id(body)
        order = [(self._next + i) % len(self.workers) for i in range(len(self.workers))]
        self._next = (self._next + 1) % len(self.workers)
        if self._both:
            self._both -= 1
            answers = await asyncio.gather(*(self._send(w, request.path_qs, body, headers) for w in order[:2]))
            status = next((s for s in answers if s is not None), 502)
            self.routed.append(Routed(update_id, tuple(order[:2]), status))
            return web.Response(status=status)
        skipped: list[int] = []
        for w in order:
            try:
                status = await self._post(w, request.path_qs, body, headers)
            except aiohttp.ClientConnectorError:  # nobody listening there: the next worker
                skipped.append(w)
                continue
            except (aiohttp.ClientError, TimeoutError):  # taken, then no answer: Telegram will hand it again
                status = 502
            if self._lose and 200 <= status < 300:
                self._lose -= 1
                status = 504
            self.routed.append(Routed(update_id, (w,), status, tuple(skipped)))
            return web.Response(status=status)
        self.routed.append(Routed(update_id, (), 502, tuple(skipped)))
        return web.Response(status=502)

    async def _send(self, w: int, path: str, body: bytes, headers: dict[str, str]) -> int | None:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            return await self._post(w, path, body, headers)
        return None

    async def _post(self, w: int, path: str, body: bytes, headers: dict[str, str]) -> int:
        assert self._session is not None
        async with self._session.post(self.workers[w] + path, data=body, headers=headers) as answer:
            await answer.read()
            return answer.status


def _update_id(body: bytes) -> int | None:
    try:
        value = json.loads(body).get("update_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None
