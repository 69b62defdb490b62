"""A small Telegram Bot API stand-in: enough of the API for the adapter's tests and benchmark, on loopback.

It keeps chats, messages and a queue of updates in memory and answers the methods the adapter uses:
getMe, getUpdates (long polling), sendMessage, editMessageText, answerCallbackQuery, setMyCommands,
sendDocument, sendAnimation (an upload, or a file_id it handed out before), editMessageCaption,
editMessageReplyMarkup, deleteWebhook, setWebhook. Tests queue updates as real Bot API JSON (`text`, `press`, …),
inject failures (`fail_next(method, 429 | 500 | 403 …)`), optionally enforce a flood limit (`rate_limit`:
at most N chat messages in any second, 429 beyond), and wait for what the bot sent (`wait_for`).

Two ways to reach it: over real HTTP (`await standin.serve()` then `base_url`), or in-process through
`InProcessRequest`, a `telegram.request.BaseRequest` that hands each call straight to the stand-in.
Nothing here logs; aiohttp's access log (request paths carry the token) is switched off.

Webhooks, as Telegram does them: once the bot called setWebhook, queued updates are POSTed to its URL (with the
secret in X-Telegram-Bot-Api-Secret-Token) instead of waiting for getUpdates, which is then answered 409. One
chat's updates go one at a time, in order; different chats' side by side. An update that was not answered 2xx
(an error, a connection refused or cut, no answer within `webhook_timeout`) is handed again after
`webhook_retry`, until it is; every attempt is recorded in `deliveries`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

RAW_KEYS = frozenset({"text", "caption", "callback_query_id", "url", "secret_token", "language_code", "query"})
"""Parameters sent as plain strings; every other value arrives JSON-encoded."""
CHAT_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument", "editMessageReplyMarkup", "sendAnimation",
                          "editMessageCaption", "sendPhoto"})
"""Methods that count against the flood limit (a message in a chat)."""
DATE = 1_790_000_000

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Person:
    """A Telegram user with a private chat to the bot (its chat id is the user id)."""

    id: int
    first_name: str
    language_code: str | None = "nl"

    def as_json(self) -> Json:
        out: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def chat(self) -> Json:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass(slots=True)
class Call:
    """One request the bot made, as the stand-in parsed it, with the status it answered."""

    method: str
    params: Json
    status: int
    at: float
    result: Any = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to hand an update to the webhook: the HTTP status it was answered with (None: no answer)."""

    update_id: int
    attempt: int
    status: int | None
    at: float


@dataclass(slots=True)
class Failure:
    method: str
    status: int
    retry_after: int | None
    description: str
    chat_id: int | None


@dataclass(slots=True)
class StandIn:
    token: str
    bot_id: int = 4242
    username: str = "adempauze_test_bot"
    rate_limit: int | None = None
    """At most this many chat messages in any 1-second window; more are answered 429 (retry_after 1)."""
    known_chats_only: bool = False
    """When set, sending to a chat nobody registered or wrote from is answered 400 "chat not found"."""
    clock: Callable[[], float] = time.monotonic
    """Stamps each call (`Call.at`) and runs the flood limit; tests may pass a fake time."""
    webhook_timeout: float = 10.0
    """Seconds the webhook has to answer an update before it is handed again (Telegram's own is longer)."""
    webhook_retry: float = 0.05
    """Seconds between a failed hand-over and the next (Telegram backs off more; tests want it quick)."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], Json] = field(default_factory=dict)
    commands: dict[str, list[Json]] = field(default_factory=dict)
    webhook: Json = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    chats: dict[int, Json] = field(default_factory=dict)
    too_many: int = 0
    uploads: dict[str, bytes] = field(default_factory=dict)
    """file_id -> the bytes uploaded for it (sendAnimation, sendDocument)."""
    deliveries: list[Delivery] = field(default_factory=list)
    """Every attempt to hand an update to the webhook, in the order they ended."""
    _updates: list[Json] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7_000_000))
    _failures: list[Failure] = field(default_factory=list)
    _sent_times: collections.deque[float] = field(default_factory=collections.deque)
    _changed: asyncio.Condition | None = None
    _closing: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _runner: web.AppRunner | None = None
    _handing: dict[int, object] = field(default_factory=dict)
    """update_id -> the chat it is for, while it is being handed to the webhook (one per chat at a time)."""
    _pusher: asyncio.Task[None] | None = None
    port: int = 0

    # -- running -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The Bot API base URL for PTB (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (0: a free port, then see `.port`)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        self._closing = True
        await self._notify()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _http(self, request: web.Request) -> web.Response:
        params: Json = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                params = dict(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.filename, value.file.read())
                    else:
                        params[key] = decode(key, str(value))
        else:
            params = {k: decode(k, v) for k, v in request.query.items()}
        status, body = await self.handle(request.match_info["token"], request.match_info["method"], params, files)
        return web.json_response(body, status=status)

    # -- driving it from a test -------------------------------------------------------------------------------

    def person(self, uid: int, first_name: str, language_code: str | None = "nl") -> Person:
        """Someone who has a private chat with the bot."""
        p = Person(uid, first_name, language_code)
        self.chats[uid] = p.chat()
        return p

    def push(self, update: Json) -> Json:
        """Queue a raw update (an `update_id` is added)."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._wake()
        return update

    def message_json(self, who: Person, text: str, chat: Json | None = None) -> Json:
        chat = chat or who.chat()
        self.chats.setdefault(int(chat["id"]), chat)
        msg: Json = {"message_id": next(self._message_ids), "date": DATE, "chat": chat, "from": who.as_json(),
                     "text": text}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}]
        return msg

    def text(self, who: Person, text: str, chat: Json | None = None) -> Json:
        """The person types `text` (a command when it starts with '/')."""
        return self.push({"message": self.message_json(who, text, chat)})

    def press(self, who: Person, data: str, message: Json | None = None) -> Json:
        """The person presses the button with callback data `data` (on `message`, or the last with that button)."""
        if message is None:
            message = self.message_with_button(who.id, data) or self.message_json(who, "?")
        return self.push({"callback_query": {
            "id": str(next(self._query_ids)), "from": who.as_json(), "message": message,
            "chat_instance": f"ci{who.id}", "data": data,
        }})

    def member_update(self, who: Person, old: str, new: str, chat: Json | None = None) -> Json:
        """The bot's membership in a chat changed (private chat: "kicked" is blocking the bot)."""
        bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "Adempauze", "username": self.username}

        def member(status: str) -> Json:
            return {"user": bot_user, "status": status, **({"until_date": 0} if status == "kicked" else {})}

        return self.push({"my_chat_member": {
            "chat": chat or who.chat(), "from": who.as_json(), "date": DATE,
            "old_chat_member": member(old), "new_chat_member": member(new),
        }})

    def fail_next(self, method: str, status: int, *, retry_after: int | None = None, description: str = "",
                  chat_id: int | None = None) -> None:
        """Answer the next `method` call (to `chat_id`, if given) with an error status."""
        self._failures.append(Failure(method, status, retry_after, description, chat_id))

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Successful calls that put something in a chat, in order."""
        return [c for c in self.calls if c.status == 200 and c.method in CHAT_METHODS
                and (method is None or c.method == method)
                and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        """What landed in a chat as new messages (text or caption), in order."""
        return [str(c.params.get("text", c.params.get("caption", ""))) for c in self.sent(chat_id)
                if c.method in ("sendMessage", "sendDocument", "sendAnimation", "sendPhoto")]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def button_ids(self, chat_id: int) -> list[str]:
        """The callback data of every button on the messages in a chat, newest message first."""
        return [str(b.get("callback_data", "")) for (cid, _), msg in reversed(self.messages.items()) if cid == chat_id
                for row in msg.get("reply_markup", {}).get("inline_keyboard", []) for b in row if "callback_data" in b]

    def message_with_button(self, chat_id: int, data: str) -> Json | None:
        for (cid, _), msg in reversed(self.messages.items()):
            if cid != chat_id:
                continue
            for row in msg.get("reply_markup", {}).get("inline_keyboard", []):
                if any(b.get("callback_data") == data for b in row):
                    return msg
        return None

    async def wait_for(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `check()` holds (re-checked after every call the bot makes)."""
        cond = self._cond()
        async with asyncio.timeout(timeout), cond:
            await cond.wait_for(check)

    # -- the API ------------------------------------------------------------------------------------------------

    async def handle(
        self, token: str, method: str, params: Json, files: dict[str, tuple[str, bytes]]
    ) -> tuple[int, Json]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getUpdates":
            if self.webhook.get("url"):
                self.calls.append(Call("getUpdates", params, 409, self.clock()))
                return 409, {"ok": False, "error_code": 409, "description": "Conflict: can't use getUpdates method "
                             "while webhook is active; use deleteWebhook to delete the webhook first"}
            return 200, {"ok": True, "result": await self._get_updates(params)}
        status, body = self._call(method, params, files)
        await self._notify()
        return status, body

    def _call(self, method: str, params: Json, files: dict[str, tuple[str, bytes]]) -> tuple[int, Json]:
        now = self.clock()
        failure = self._take_failure(method, params)
        if failure is None and method in CHAT_METHODS and self.rate_limit is not None:
            while self._sent_times and now - self._sent_times[0] >= 1.0:
                self._sent_times.popleft()
            if len(self._sent_times) >= self.rate_limit:
                self.too_many += 1
                failure = Failure(method, 429, 1, "", None)
            else:
                self._sent_times.append(now)
        if failure is not None:
            return self._fail(Call(method, params, failure.status, now), failure)
        try:
            result = self._result(method, params, files)
        except ApiError as e:
            self.calls.append(Call(method, params, e.status, now))
            return e.status, {"ok": False, "error_code": e.status, "description": e.description}
        self.calls.append(Call(method, params, 200, now, result))
        return 200, {"ok": True, "result": result}

    def _fail(self, call: Call, f: Failure) -> tuple[int, Json]:
        self.calls.append(call)
        body: Json = {"ok": False, "error_code": f.status,
                      "description": f.description or DEFAULT_DESCRIPTIONS.get(f.status, "Internal Server Error")}
        if f.retry_after is not None:
            body["parameters"] = {"retry_after": f.retry_after}
            body["description"] = f"Too Many Requests: retry after {f.retry_after}"
        return f.status, body

    def _take_failure(self, method: str, params: Json) -> Failure | None:
        for i, f in enumerate(self._failures):
            if f.method == method and (f.chat_id is None or f.chat_id == params.get("chat_id")):
                return self._failures.pop(i)
        return None

    def _result(self, method: str, params: Json, files: dict[str, tuple[str, bytes]]) -> Any:
        if method == "getMe":
            return {"id": self.bot_id, "is_bot": True, "first_name": "Adempauze", "username": self.username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method in ("deleteWebhook", "close", "logOut"):
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True
        if method == "setWebhook":
            self.webhook = dict(params)
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if self._pusher is None:
                self._pusher = asyncio.get_running_loop().create_task(self._push_to_webhook())
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        if method == "setMyCommands":
            scope = params.get("scope") or {"type": "default"}
            self.commands[f"{scope.get('type')}:{params.get('language_code') or ''}"] = list(params["commands"])
            return True
        if method == "answerCallbackQuery":
            return True
        if method == "sendMessage":
            text = str(params.get("text", ""))
            if not text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                raise ApiError(400, "Bad Request: message is too long")
            return self._new_message(params, {"text": text})
        if method == "sendDocument":
            ref = params.get("document")
            part = ref.removeprefix("attach://") if isinstance(ref, str) and ref.startswith("attach://") else "document"
            name, content = files.get(part, ("", b""))
            doc = {"file_id": f"doc{len(self.messages)}", "file_unique_id": f"u{len(self.messages)}",
                   "file_name": name, "file_size": len(content)}
            extra: Json = {"document": doc}
            if params.get("caption"):
                extra["caption"] = params["caption"]
            params["document_bytes"] = content
            return self._new_message(params, extra)
        if method == "sendAnimation":
            return self._new_message(params, self._animation(params, files))
        if method in ("editMessageCaption", "editMessageReplyMarkup"):
            msg = self._message(params)
            markup = params.get("reply_markup")
            caption = params.get("caption") if method == "editMessageCaption" else msg.get("caption")
            if msg.get("caption") == caption and msg.get("reply_markup") == markup:
                raise ApiError(400, "Bad Request: message is not modified")
            msg.pop("caption", None)
            if caption:
                msg["caption"] = caption
            msg.pop("reply_markup", None)
            if markup:
                msg["reply_markup"] = markup
            msg["edit_date"] = DATE
            return msg
        if method == "sendPhoto":
            ref = params.get("photo")
            part = ref.removeprefix("attach://") if isinstance(ref, str) and ref.startswith("attach://") else "photo"
            name, content = files.get(part, ("", b""))
            if not content.startswith(b"\x89PNG") and not content.startswith(b"\xff\xd8"):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            if len(str(params.get("caption", ""))) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            n = len(self.messages)
            photo = [{"file_id": f"photo{n}", "file_unique_id": f"p{n}", "width": 1080, "height": 1080,
                      "file_size": len(content)}]
            extra = {"photo": photo}
            if params.get("caption"):
                extra["caption"] = params["caption"]
            params["photo_bytes"] = content
            params["photo_name"] = name
            return self._new_message(params, extra)
        if method == "editMessageText":
            msg = self._message(params)
            markup = params.get("reply_markup")
            if msg.get("text") == params.get("text") and msg.get("reply_markup") == markup:
                raise ApiError(400, "Bad Request: message is not modified")
            msg["text"] = params.get("text")
            msg.pop("reply_markup", None)
            if markup:
                msg["reply_markup"] = markup
            msg["edit_date"] = DATE
            return msg
        raise ApiError(404, "Not Found: method not found")

    def _animation(self, params: Json, files: dict[str, tuple[str, bytes]]) -> Json:
        """The body of an animation message: a new upload gets a file_id; a known file_id is sent as it is."""
        ref = params.get("animation")
        if isinstance(ref, str) and not ref.startswith("attach://"):
            if ref not in self.uploads:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            file_id, content, name = ref, self.uploads[ref], "animation.gif"
        else:
            part = ref.removeprefix("attach://") if isinstance(ref, str) else "animation"
            if part not in files:
                raise ApiError(400, "Bad Request: there is no animation in the request")
            name, content = files[part]
            file_id = f"CgACAgQAAxkBAAI{len(self.uploads) + 1:04d}"
            self.uploads[file_id] = content
            params["animation_bytes"] = content
        anim = {"file_id": file_id, "file_unique_id": f"AgAD{file_id[-4:]}", "file_name": name,
                "mime_type": "video/mp4", "file_size": len(content), "duration": int(params.get("duration") or 0),
                "width": int(params.get("width") or 0), "height": int(params.get("height") or 0)}
        body: Json = {"animation": anim, "document": {k: anim[k] for k in ("file_id", "file_unique_id",
                                                                         "file_name", "mime_type", "file_size")}}
        if params.get("caption"):
            body["caption"] = params["caption"]
        return body

    def _message(self, params: Json) -> Json:
        msg = self.messages.get((self._chat(params), int(params.get("message_id", 0))))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _chat(self, params: Json) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.known_chats_only and chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _new_message(self, params: Json, body: Json) -> Json:
        chat_id = self._chat(params)
        chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        msg: Json = {"message_id": next(self._message_ids), "date": DATE, "chat": chat,
                     "from": {"id": self.bot_id, "is_bot": True, "first_name": "Adempauze",
                              "username": self.username}, **body}
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    async def _get_updates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0 and not self._closing:
            cond = self._cond()
            async with cond:
                try:
                    async with asyncio.timeout(timeout):
                        await cond.wait_for(lambda: bool(self._updates) or self._closing)
                except TimeoutError:
                    pass
        self.calls.append(Call("getUpdates", params, 200, self.clock()))
        return self._updates[:limit]

    # -- the webhook: Telegram hands each update over until it is answered 2xx --------------------------------

    async def _push_to_webhook(self) -> None:
        cond = self._cond()
        async with aiohttp.ClientSession() as session:
            tasks: set[asyncio.Task[None]] = set()
            try:
                while not self._closing:
                    async with cond:
                        await cond.wait_for(lambda: self._closing or bool(self._next_to_hand()))
                    for update in self._next_to_hand():
                        self._handing[update["update_id"]] = _chat_of(update)
                        task = asyncio.create_task(self._hand(session, update))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    def _next_to_hand(self) -> list[Json]:
        """The updates to hand over now: while a webhook is set, the first one of each chat not being handed."""
        if not self.webhook.get("url"):
            return []
        busy = set(self._handing.values())
        out = []
        for update in self._updates:
            chat = _chat_of(update)
            if update["update_id"] not in self._handing and chat not in busy:
                out.append(update)
            busy.add(chat)  # later updates of this chat wait for this one
        return out

    async def _hand(self, session: aiohttp.ClientSession, update: Json) -> None:
        uid = update["update_id"]
        try:
            for attempt in itertools.count(1):
                url, secret = str(self.webhook.get("url", "")), str(self.webhook.get("secret_token", ""))
                if not url or self._closing:
                    return
                status: int | None = None
                try:
                    async with asyncio.timeout(self.webhook_timeout), session.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {},
                    ) as answer:
                        await answer.read()
                        status = answer.status
                except (aiohttp.ClientError, OSError, TimeoutError):
                    status = None
                self.deliveries.append(Delivery(uid, attempt, status, self.clock()))
                if status is not None and 200 <= status < 300:
                    self._updates = [u for u in self._updates if u["update_id"] != uid]
                    return
                await self._notify()
                await asyncio.sleep(self.webhook_retry)
        finally:
            self._handing.pop(uid, None)
            await self._notify()

    # -- waking waiters ----------------------------------------------------------------------------------------

    def _cond(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        cond = self._cond()
        async with cond:
            cond.notify_all()

    def _wake(self) -> None:
        try:
            task = asyncio.get_running_loop().create_task(self._notify())
        except RuntimeError:  # queued before any loop runs: the first getUpdates sees it anyway
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _chat_of(update: Json) -> object:
    """The chat an update is about (updates of one chat are handed over one at a time, in order)."""
    for kind in ("message", "edited_message", "my_chat_member"):
        if kind in update:
            return update[kind].get("chat", {}).get("id")
    if "callback_query" in update:
        return update["callback_query"].get("from", {}).get("id")
    return None


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


DEFAULT_DESCRIPTIONS = {
    400: "Bad Request", 403: "Forbidden: bot was blocked by the user", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway",
}


def decode(key: str, value: str) -> Any:
    """A form value as PTB sent it: strings as they are, everything else JSON-encoded."""
    if key in RAW_KEYS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class InProcessRequest(BaseRequest):
    """PTB's transport, pointed straight at a StandIn in the same event loop: no sockets, same parsing."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin

    @property
    def read_timeout(self) -> float | None:
        return 10.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DefaultValue(None),  # noqa: B008 - the signature PTB defines
        write_timeout: ODVInput[float] = DefaultValue(None),  # noqa: B008
        connect_timeout: ODVInput[float] = DefaultValue(None),  # noqa: B008
        pool_timeout: ODVInput[float] = DefaultValue(None),  # noqa: B008
    ) -> tuple[int, bytes]:
        path = url.rsplit("/bot", 1)[-1]
        token, _, api_method = path.rpartition("/")
        params: Json = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None:
            params = {k: decode(k, v) for k, v in request_data.json_parameters.items()}
            for key, (name, content, _mime) in request_data.multipart_data.items():
                raw = content if isinstance(content, bytes) else content.read()
                files[key] = (name or key, raw)
        status, body = await self.standin.handle(token, api_method, params, files)
        return status, json.dumps(body).encode()
