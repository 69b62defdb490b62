"""A Discord stand-in on 127.0.0.1: the gateway (websocket) and the REST endpoints the adapter calls.

It speaks Discord's wire format (API v10, JSON) closely enough for an unmodified discord.py Client: HELLO,
IDENTIFY -> READY, heartbeats, RESUME -> replay + RESUMED after a dropped connection; INTERACTION_CREATE and
MESSAGE_CREATE dispatches built like Discord's; users/@me, the application, command sync, DM channels, messages,
interaction callbacks and webhooks (follow-ups, @original edits). Messages are kept as Discord would show them, so a
test can press a button on a message the bot sent earlier. Faults (429, 403, 5xx) can be injected per route.

discord.py is pointed at it with `point_discord_at(base)`: `discord.http.Route.BASE` (REST and interaction
webhooks) and `DiscordWebSocket.DEFAULT_GATEWAY` (the first connection; resumes use READY's resume_gateway_url).
Used by the adapter tests and by scripts/bench_discord.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

API = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7
CLOSED_DMS = {"code": 50007, "message": "Cannot send messages to this user"}


@contextlib.contextmanager
def point_discord_at(base: str) -> Iterator[None]:
    """Send discord.py's REST calls and its first gateway connection to `base` (http://127.0.0.1:PORT)."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = base + API
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base.replace("http", "ws", 1) + "/gateway")
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts or time.time(), UTC).isoformat()


@dataclass
class Person:
    """A Discord user as the stand-in knows them."""

    id: int
    username: str
    global_name: str
    dm_closed: bool = False

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "username": self.username, "global_name": self.global_name,
                "discriminator": "0", "avatar": None, "bot": False, "public_flags": 0}


@dataclass
class Interaction:
    """An interaction the stand-in dispatched, and what the bot answered to it."""

    id: int
    token: str
    person: Person
    channel_id: int
    payload: dict[str, Any]
    sent_at: float
    acked_at: float | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: int | None = None  # the message @original refers to
    acked: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class Request:
    method: str
    path: str
    body: dict[str, Any]
    at: float


class StandIn:
    """One Discord for one test: start(), point discord.py at .base, drive it, stop()."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.app_id = self.snowflake()
        self.bot = {"id": str(self.app_id), "username": "Adempauze", "global_name": None, "discriminator": "0",
                    "avatar": None, "bot": True, "public_flags": 0, "verified": True, "flags": 0}
        self.guild_id = self.snowflake()
        self.guild_channel = self.snowflake()
        self.people: dict[int, Person] = {}
        self.dm_of: dict[int, int] = {}  # person -> DM channel
        self.channel_owner: dict[int, int] = {}  # DM channel -> person
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[int, list[tuple[str, bytes]]] = {}
        self.edits: list[tuple[int, str, float]] = []  # (message id, content, loop time)
        self.interactions: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> commands
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.message_bodies: list[dict[str, Any]] = []  # every body that carried message content
        self.message_posted = asyncio.Event()
        # gateway
        self.session_id = ""
        self.seq = 0
        self.events: list[dict[str, Any]] = []
        self.ws: web.WebSocketResponse | None = None
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self._send_lock = asyncio.Lock()
        self._transports: dict[int, Any] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    # -- life cycle ------------------------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    def snowflake(self) -> int:
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) + next(self._ids)

    # -- people ----------------------------------------------------------------------------------------------------
    def person(self, name: str, *, dm_closed: bool = False) -> Person:
        p = Person(self.snowflake(), name.lower(), name.title(), dm_closed)
        self.people[p.id] = p
        return p

    def dm_channel(self, person: Person) -> int:
        if person.id not in self.dm_of:
            cid = self.snowflake()
            self.dm_of[person.id] = cid
            self.channel_owner[cid] = person.id
        return self.dm_of[person.id]

    def dms(self, person: Person) -> list[dict[str, Any]]:
        """Every message in the person's DM channel with the bot, oldest first, as it shows now."""
        cid = self.dm_of.get(person.id)
        return [m for m in self.messages.values() if int(m["channel_id"]) == cid and not m["flags"] & LOADING]

    def ephemeral(self, person: Person) -> list[dict[str, Any]]:
        """Ephemeral messages shown to the person (answers to their interactions in a server)."""
        out = []
        for ix in self.interactions.values():
            if ix.person is person:
                out.extend(m for m in self.messages.values()
                           if m.get("_interaction") == ix.id and m["flags"] & EPHEMERAL)
        return sorted(out, key=lambda m: int(m["id"]))

    def texts(self, person: Person) -> list[str]:
        return [m["content"] for m in self.dms(person)]

    def buttons(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for row in message.get("components", []) for c in row.get("components", [])]

    def last_with_buttons(self, person: Person, *, ephemeral: bool = False) -> dict[str, Any]:
        pool = self.ephemeral(person) if ephemeral else self.dms(person)
        return [m for m in pool if self.buttons(m)][-1]

    def fail(self, method: str, path: str, status: int, body: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, times: int = 1) -> None:
        """The next `times` requests matching method and path (a regex on the path after /api/v10) fail with
        `status`; status 0 cuts the connection instead."""
        self.faults.append(Fault(method, re.compile(path), status, body or {"message": "fault", "code": 0},
                                 headers or {}, times))

    def mention_violations(self) -> list[dict[str, Any]]:
        """Bodies with message content that did not switch off every mention."""
        bad = []
        for body in self.message_bodies:
            am = body.get("allowed_mentions")
            if not isinstance(am, dict) or am.get("parse") != [] or am.get("users") or am.get("roles"):
                bad.append(body)
        return bad

    # -- gateway ---------------------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._transports[id(ws)] = request.transport
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                await self._identify(ws, data["d"])
            elif op == 6:
                await self._resume(ws, data["d"])
        if self.ws is ws:
            self.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        self.identifies.append(d)
        self.session_id = f"session-{self.snowflake()}"
        self.seq = 0
        self.events = []
        self.ws = ws
        await self.dispatch("READY", {
            "v": 10, "user": self.bot, "guilds": [], "session_id": self.session_id,
            "resume_gateway_url": self.base.replace("http", "ws", 1) + "/gateway",
            "application": {"id": str(self.app_id), "flags": 0}, "private_channels": [], "relationships": [],
        })
        self.ready.set()

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        self.resumes.append(d)
        if d.get("session_id") != self.session_id:
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
            return
        self.ws = ws
        async with self._send_lock:
            for event in self.events:
                if event["s"] > (d.get("seq") or 0):
                    await ws.send_json(event)
            self.seq += 1
            await ws.send_json({"op": 0, "t": "RESUMED", "s": self.seq, "d": {}})
        self.resumed.set()

    async def dispatch(self, name: str, data: dict[str, Any]) -> None:
        """A gateway event, kept for a resume; sent at once when the bot is connected."""
        async with self._send_lock:
            self.seq += 1
            event = {"op": 0, "t": name, "s": self.seq, "d": data}
            self.events.append(event)
            if self.ws is not None and not self.ws.closed:
                with contextlib.suppress(ConnectionError, RuntimeError):  # dropped meanwhile: a resume replays it
                    await self.ws.send_json(event)

    async def drop(self, *, abrupt: bool = False) -> None:
        """Drop the bot's connection: a close frame 4000 as on a gateway restart, or (abrupt) the TCP connection
        cut without one. The session stays resumable."""
        ws, self.ws = self.ws, None
        self.resumed.clear()
        if ws is None:
            return
        transport = self._transports.pop(id(ws), None)
        if abrupt and transport is not None:
            transport.abort()
        else:
            await ws.close(code=4000, message=b"dropped")

    # -- building interactions -------------------------------------------------------------------------------------
    def _interaction(self, person: Person, kind: int, data: dict[str, Any], *, locale: str, guild: bool,
                     message: dict[str, Any] | None = None) -> Interaction:
        iid = self.snowflake()
        token = f"itoken-{iid}"
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(self.app_id), "type": kind, "data": data, "token": token,
            "version": 1, "locale": locale, "app_permissions": "2248473465835073", "entitlements": [],
            "attachment_size_limit": 10485760,
        }
        if guild:
            channel_id = self.guild_channel
            payload |= {
                "guild_id": str(self.guild_id), "guild_locale": "en-US", "context": 0,
                "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                "authorizing_integration_owners": {"0": str(self.guild_id)},
                "channel_id": str(channel_id),
                "channel": {"id": str(channel_id), "type": 0, "guild_id": str(self.guild_id), "name": "general",
                            "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None,
                            "topic": None, "rate_limit_per_user": 0, "last_message_id": None, "flags": 0,
                            "permissions": "2248473465835073"},
                "member": {"user": person.payload(), "roles": [], "joined_at": iso(), "deaf": False, "mute": False,
                           "flags": 0, "pending": False, "nick": f"{person.global_name} (nick)",
                           "permissions": "2248473465835073", "avatar": None, "premium_since": None},
            }
        else:
            channel_id = self.dm_channel(person)
            payload |= {
                "context": 1, "authorizing_integration_owners": {"0": "0"}, "user": person.payload(),
                "channel_id": str(channel_id),
                "channel": {"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0,
                            "recipients": [person.payload()]},
            }
        if message is not None:
            payload["message"] = message
        ix = Interaction(iid, token, person, channel_id, payload, asyncio.get_running_loop().time())
        if message is not None:
            ix.original = int(message["id"])
        self.interactions[iid] = ix
        self.by_token[token] = ix
        return ix

    async def slash(self, person: Person, name: str, value: str | None = None, *, option: str = "",
                    locale: str = "en-US", guild: bool = False) -> Interaction:
        """The person runs /name (with its text option set to `value`)."""
        data: dict[str, Any] = {"id": str(self.snowflake()), "name": name, "type": 1}
        if value is not None:
            data["options"] = [{"name": option, "type": 3, "value": value}]
        if guild:
            data["guild_id"] = str(self.guild_id)
        ix = self._interaction(person, 2, data, locale=locale, guild=guild)
        await self.dispatch("INTERACTION_CREATE", ix.payload)
        return ix

    async def press(self, person: Person, message: dict[str, Any], custom_id: str, *, locale: str = "en-US",
                    guild: bool = False) -> Interaction:
        """The person presses the button `custom_id` on a message (as it shows now)."""
        current = self.messages.get(int(message["id"]), message)
        data = {"custom_id": custom_id, "component_type": 2}
        ix = self._interaction(person, 3, data, locale=locale, guild=guild, message=_public(current))
        await self.dispatch("INTERACTION_CREATE", ix.payload)
        return ix

    async def type_dm(self, person: Person, content: str) -> dict[str, Any]:
        """The person types a message in their DM with the bot."""
        cid = self.dm_channel(person)
        msg = {"id": str(self.snowflake()), "channel_id": str(cid), "type": 0, "content": content,
               "author": person.payload(), "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
               "mention_everyone": False, "pinned": False, "tts": False, "timestamp": iso(),
               "edited_timestamp": None, "flags": 0, "components": []}
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    # -- REST ------------------------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _body(request)
        self.requests.append(Request(request.method, path, body, asyncio.get_running_loop().time()))
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path.fullmatch(path):
                fault.times -= 1
                if fault.status == 0:  # the connection is cut before any answer
                    assert request.transport is not None
                    request.transport.abort()
                return _json(fault.body, status=fault.status or 500, headers=fault.headers)
        m = request.method
        parts = path.strip("/").split("/")
        try:
            if m == "GET" and path == "/users/@me":
                return _json(self.bot)
            if m == "GET" and path == "/oauth2/applications/@me":
                return _json(self._application())
            if m == "GET" and path in ("/gateway", "/gateway/bot"):
                return _json({"url": self.base.replace("http", "ws", 1) + "/gateway", "shards": 1,
                                          "session_start_limit": {"total": 1000, "remaining": 999,
                                                                  "reset_after": 0, "max_concurrency": 1}})
            if m == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
                return _json(self._sync(parts, body))
            if m == "POST" and path == "/users/@me/channels":
                return _json(self._open_dm(int(body["recipient_id"])))
            if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
                return self._channel_message(m, int(parts[1]), parts[3] if len(parts) > 3 else None, body, files)
            if m == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
                return self._callback(int(parts[1]), parts[2], body, files)
            if parts[0] == "webhooks":
                return self._webhook(m, parts[2], parts[4] if len(parts) > 4 else None, body, files)
        except KeyError as e:
            return _json({"message": f"Unknown {e}", "code": 10003}, status=404)
        return _json({"message": f"stand-in has no {m} {path}", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {"id": str(self.app_id), "name": "Adempauze", "description": "", "icon": None, "bot_public": True,
                "bot_require_code_grant": False, "owner": {**self.bot, "bot": False, "id": str(self.snowflake())},
                "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "", "rpc_origins": [],
                "interactions_endpoint_url": None, "redirect_uris": [], "tags": [], "bot": self.bot}

    def _sync(self, parts: list[str], body: Any) -> list[dict[str, Any]]:
        scope = parts[3] if "guilds" in parts else "global"
        saved = []
        for cmd in body:
            saved.append({**cmd, "id": str(self.snowflake()), "application_id": str(self.app_id), "version": "1",
                          **({"guild_id": scope} if scope != "global" else {})})
        self.commands[scope] = saved
        return saved

    def _open_dm(self, person_id: int) -> dict[str, Any]:
        person = self.people[person_id]
        cid = self.dm_channel(person)
        return {"id": str(cid), "type": 1, "last_message_id": None, "flags": 0, "recipients": [person.payload()]}

    def _new_message(self, channel_id: int, body: dict[str, Any], files: list[tuple[str, bytes]], *,
                     flags: int = 0, interaction: Interaction | None = None) -> dict[str, Any]:
        mid = self.snowflake()
        msg: dict[str, Any] = {
            "id": str(mid), "channel_id": str(channel_id), "type": 0, "content": body.get("content") or "",
            "author": self.bot, "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": iso(), "edited_timestamp": None,
            "flags": flags | int(body.get("flags") or 0), "components": body.get("components") or [],
        }
        if interaction is not None:
            msg |= {"webhook_id": str(self.app_id), "application_id": str(self.app_id),
                    "_interaction": interaction.id}
        self._attach(msg, files, body)
        self.messages[mid] = msg
        self._note(body)
        self.message_posted.set()
        return msg

    def _attach(self, msg: dict[str, Any], files: list[tuple[str, bytes]], body: dict[str, Any] | None = None) -> None:
        if files:
            self.files[int(msg["id"])] = files
            described = [a for a in (body or {}).get("attachments") or [] if isinstance(a, dict)]
            msg["attachments"] = [{"id": str(self.snowflake()), "filename": n, "size": len(b),
                                   "url": f"{self.base}/files/{n}", "proxy_url": f"{self.base}/files/{n}"}
                                  | ({"description": described[i]["description"]}
                                     if i < len(described) and described[i].get("description") else {})
                                  for i, (n, b) in enumerate(files)]

    def _edit(self, mid: int, body: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
        msg = self.messages[mid]
        if "content" in body:
            msg["content"] = body["content"] or ""
            self.edits.append((mid, msg["content"], asyncio.get_running_loop().time()))
        if "components" in body:
            msg["components"] = body["components"] or []
        if "attachments" in body or files:
            self._attach(msg, files)
        msg["flags"] &= ~LOADING
        msg["edited_timestamp"] = iso()
        self._note(body)
        return msg

    def _note(self, body: dict[str, Any]) -> None:
        if body.get("content"):
            self.message_bodies.append(body)

    def _channel_message(self, m: str, cid: int, mid: str | None, body: dict[str, Any],
                         files: list[tuple[str, bytes]]) -> web.Response:
        owner = self.people.get(self.channel_owner.get(cid, 0))
        if owner is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if m == "POST" and mid is None:
            if owner.dm_closed:
                return _json(CLOSED_DMS, status=403)
            return _json(_public(self._new_message(cid, body, files)))
        if m == "PATCH" and mid is not None:
            return _json(_public(self._edit(int(mid), body, files)))
        return _json({"message": "Method Not Allowed", "code": 0}, status=405)

    def _callback(self, iid: int, token: str, body: dict[str, Any], files: list[tuple[str, bytes]]) -> web.Response:
        ix = self.interactions[iid]
        if ix.token != token:
            return _json({"message": "Invalid Webhook Token", "code": 50027}, status=401)
        if ix.acked_at is not None:
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060},
                                     status=400)
        ix.acked_at = asyncio.get_running_loop().time()
        ix.callbacks.append(body)
        kind = body["type"]
        data = body.get("data") or {}
        meta: dict[str, Any] = {"id": str(iid), "type": ix.payload["type"]}
        resource: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = LOADING if kind == 5 else 0
            msg = self._new_message(ix.channel_id, data, files, flags=flags, interaction=ix)
            ix.original = int(msg["id"])
            meta |= {"response_message_id": msg["id"], "response_message_loading": kind == 5,
                     "response_message_ephemeral": bool(msg["flags"] & EPHEMERAL)}
            resource = {"type": kind, "message": _public(msg)}
        elif kind == 7:
            assert ix.original is not None, "an update needs the component's message"
            msg = self._edit(ix.original, data, files)
            meta |= {"response_message_id": msg["id"], "response_message_loading": False,
                     "response_message_ephemeral": bool(msg["flags"] & EPHEMERAL)}
            resource = {"type": 7, "message": _public(msg)}
        ix.acked.set()
        return _json({"interaction": meta, **({"resource": resource} if resource else {})})

    def _webhook(self, m: str, token: str, mid: str | None, body: dict[str, Any],
                 files: list[tuple[str, bytes]]) -> web.Response:
        ix = self.by_token[token]
        if m == "POST" and mid is None:
            return _json(_public(self._new_message(ix.channel_id, body, files, interaction=ix)))
        target = ix.original if mid == "@original" else int(mid or 0)
        if target is None or target not in self.messages:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        if m == "PATCH":
            return _json(_public(self._edit(target, body, files)))
        if m == "GET":
            return _json(_public(self.messages[target]))
        if m == "DELETE":
            del self.messages[target]
            return web.Response(status=204)
        return _json({"message": "Method Not Allowed", "code": 0}, status=405)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer as Discord gives it: content-type exactly application/json (discord.py checks)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers,
                        content_type="application/json")


def _public(msg: dict[str, Any]) -> dict[str, Any]:
    """A message as Discord sends it (without the stand-in's own bookkeeping keys)."""
    return {k: v for k, v in msg.items() if not k.startswith("_")}


async def _body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    if request.content_type == "application/json":
        return await request.json(), []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        files: list[tuple[str, bytes]] = []
        body: Any = {}
        for key, value in form.items():
            if key == "payload_json":
                body = json.loads(str(value))
            elif isinstance(value, web.FileField):
                files.append((value.filename, value.file.read()))
        return body, files
    return {}, []
