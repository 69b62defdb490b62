"""The Telegram adapter: a python-telegram-bot Application whose handlers translate and render, nothing more.

`build(settings, dialogue, clock)` wires it: handlers turn a private message into `event_from_text`, a button
press into `event_from_button` (every press is answered), hand it to `Dialogue.handle`, and show what comes back:
plain text, inline keyboards, the breathing pacer (one message, edited), documents. `adapter.messenger` is the
dispatcher's Messenger for "telegram": partner notices and return pings go out through the same rendering, with
PTB errors mapped to RetryLater / Unreachable. Every request passes one AIORateLimiter, smooth at about 2/3 of
Telegram's 30 messages a second, so an outbox burst does not run into 429s.

Updates are handled concurrently across chats and in order within a chat. Group chats only get a pointer to
the private chat. Long polling by default; a webhook (aiohttp, with Telegram's secret-token header) when
TELEGRAM_WEBHOOK_URL is configured. The token is kept out of every log line (see logsafe).

Every event names the update it came from (`telegram:<bot id>:<update id>`), so a store that keeps those keys
handles an update once however often it arrives (bot.store.once).

Several webhook workers
-----------------------
In webhook mode any number of processes on one PostgreSQL database may run side by side behind a proxy, each
listening on its own port (TELEGRAM_WEBHOOK_PORT); none of them polls, so there is no leader to elect (the
composition root lets them all serve "telegram"; timers and outbox rows are shared out by the store's claims).
- *setWebhook:* every worker sets the same webhook at its start: the same URL (the proxy's), the same update
  types and the same secret, so the calls are idempotent and whichever comes last says what the others said. The
  alternative, one elected worker setting it, would need an election for a call that is harmless to repeat, and
  a worker that starts alone (the others down) must be able to set it anyway. For the calls to agree, the secret
  must be the same in every worker: TELEGRAM_WEBHOOK_SECRET when set, otherwise one derived from the token
  (an HMAC: the same in every process and across restarts, and unknown to whoever does not hold the token).
  A worker that stops never deletes the webhook: the others still serve it.
- *Answer after the commit:* a webhook request is answered once its update has been handled (the event saved,
  the replies sent), not when it was read. A worker killed mid-update never answers; Telegram hands the update
  again, through the proxy perhaps to another worker, and the store's key makes sure it is handled once even when
  the first worker got as far as the commit, or is still on it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.clock import Clock
from bot.core.events import Event
from bot.i18n import catalog
from bot.menu import MENU
from bot.ports import Outgoing, Recipient, RetryLater, Unreachable, before_platform_call, platform_call_done
from bot.service import Dialogue

from . import logsafe
from .animation import MAX_CAPTION, Animations
from .pacer import MIN_EDIT_INTERVAL, Pacer, Sleep
from .render import NO_PREVIEW, classify, keyboard, send_document, send_picture, send_text
from .translate import (
    ALLOWED_UPDATES,
    PLATFORM,
    addressed_to,
    button_event,
    is_private,
    locale_of,
    message_event,
    say,
    user_ref,
)

log = logging.getLogger(__name__)

RATE = 20.0
"""Messages per second, for the whole bot: about 2/3 of Telegram's ~30/s, so bursts stay clear of 429s."""
BURST = 4
"""How many may go at once after a quiet moment (the limiter is a leaky bucket: BURST + RATE per second at most)."""
POLL_TIMEOUT = 30
"""Seconds one getUpdates long poll may wait on Telegram's side."""
REPLY_ATTEMPTS = 3
"""A reply to the person acting is not in the outbox: try it a few times on a passing failure."""
GROUP_NOTICE_EVERY = timedelta(minutes=10)
"""At most one "I work in private chat only" notice per group in this time."""
SET_WEBHOOK_ATTEMPTS = 5
"""Workers starting together may meet Telegram's flood limit on setWebhook: try again after the wait it names."""

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram posts updates to `url`; we listen on `listen:port` (behind a TLS proxy)."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str = ""  # empty: derived from the token (`webhook_secret`), the same in every worker

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def _setting(settings: object, name: str) -> str:
    value = getattr(settings, name.lower(), None)
    if value is None:
        value = os.environ.get(name)
    if value is not None and hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return "" if value is None else str(value).strip()


def webhook_from(settings: object) -> Webhook | None:
    """TELEGRAM_WEBHOOK_URL / _LISTEN / _PORT / _SECRET, from Settings when it has them, else the environment."""
    url = _setting(settings, "TELEGRAM_WEBHOOK_URL")
    if not url:
        return None
    port = _setting(settings, "TELEGRAM_WEBHOOK_PORT")
    return Webhook(
        url=url,
        listen=_setting(settings, "TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
        port=int(port) if port else 8443,
        secret=_setting(settings, "TELEGRAM_WEBHOOK_SECRET"),
    )


def webhook_secret(token: str) -> str:
    """The secret every worker gives Telegram with setWebhook when TELEGRAM_WEBHOOK_SECRET is not set: derived
    from the token, so it is the same in every process and across restarts (43 characters of A-Za-z0-9_-)."""
    digest = hmac.new(token.encode(), b"adempauze telegram webhook secret", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def update_key(bot_id: int, update: Update) -> str:
    """What names an update in the store (bot.store.once): update ids are a bot's own, so the bot's id is in it."""
    return f"telegram:{bot_id}:{update.update_id}"


class ChatOrder(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat one after the other, in arrival order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users <= 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
"""What a Bot API call returns (PTB's JSONDict is dict[str, Any])."""


class GatedLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, for smoothing only. It never retries (or sleeps on a 429) inside a send: a 429
    goes back to the dispatcher, which gives the row back to the database. And the outbox row's last look is
    taken inside the limiter, after any wait there, right before the request goes out: a notice taken back
    meanwhile (a danger signal, an unpairing) is not sent."""

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, ApiResult]], args: Any,
        kwargs: dict[str, Any], endpoint: str, data: dict[str, Any], rate_limit_args: int | None,
    ) -> ApiResult:
        async def checked(*a: Any, **k: Any) -> ApiResult:
            await before_platform_call()
            result = await callback(*a, **k)
            platform_call_done()
            return result

        return await super().process_request(checked, args, kwargs, endpoint, data, None)


class TelegramMessenger:
    """The dispatcher's Messenger for "telegram": renders an Outgoing into a chat, maps failures to port errors."""

    platform = PLATFORM

    def __init__(self, adapter: TelegramAdapter) -> None:
        self.adapter = adapter

    async def deliver(self, to: Recipient, out: Outgoing) -> None:
        try:
            chat_id = int(to.chat_id or to.external_id)
        except ValueError:
            raise Unreachable("telegram: no usable chat id") from None
        if not self.adapter.live:
            raise RetryLater("telegram: adapter not running")
        if chat_id in self.adapter.blocked:
            raise Unreachable("telegram: the person blocked the bot")
        try:
            await self.adapter.show(chat_id, out)
        except TelegramError as e:
            err = classify(e)
            if isinstance(err, Unreachable):
                self.adapter.blocked.add(chat_id)
            raise err from None


class TelegramAdapter:
    """Runs the PTB Application; `messenger` is for the dispatcher. Start and stop it next to the dispatcher."""

    platform = PLATFORM

    def __init__(
        self, application: AnyApplication, dialogue: Dialogue, clock: Clock, *, webhook: Webhook | None,
        default_locale: str, sleep: Sleep, redact: logsafe.Redact, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.application = application
        self.dialogue = dialogue
        self.clock = clock
        self.webhook = webhook
        self.default_locale = default_locale
        self.sleep = sleep
        self.redact = redact
        self.pacer = Pacer(application.bot, sleep=sleep, min_interval=MIN_EDIT_INTERVAL, monotonic=monotonic)
        self.animations = Animations(application.bot)
        self.messenger = TelegramMessenger(self)
        self.blocked: set[int] = set()
        self.live = False
        self._group_notices: dict[int, datetime] = {}
        self._web: web.AppRunner | None = None
        self._secret = ""
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE, self._private))
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.GROUPS, self._group))
        application.add_handler(CallbackQueryHandler(self._button))
        application.add_handler(ChatMemberHandler(self._member, ChatMemberHandler.MY_CHAT_MEMBER))
        application.add_error_handler(self._error)

    # -- handlers: translate, hand to the Dialogue, show the replies ----------------------------------------------

    async def _private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return
        self.blocked.discard(chat.id)
        event = message_event(message)
        if event is None:
            self.pacer.cancel(chat.id)
            if message.effective_attachment is not None:  # a sticker, voice note, photo without caption …
                await self.reply(chat.id, [Outgoing(say(locale_of(user, self.default_locale), "telegram.text_only"))])
            return  # a service message (a pin, …): nothing was said
        await self.act(user, chat, event, update)

    async def _button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        event = button_event(query)
        toast = None if event else say(locale_of(query.from_user, self.default_locale), "telegram.button_gone")
        try:
            await query.answer(toast)
        except TelegramError as e:
            log.info("button press not answered: %s", type(e).__name__)
        if event is not None and query.message is not None:
            self.pacer.cancel(query.message.chat.id)
            await self.act(query.from_user, query.message.chat, event, update)

    async def _group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and addressed_to(message, self.application.bot.username):
            await self.private_only(message.chat, message.from_user)

    async def _member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        status, chat = change.new_chat_member.status, change.chat
        if is_private(chat):
            if status in (ChatMember.BANNED, ChatMember.LEFT):  # "kicked": the person blocked the bot
                self.blocked.add(chat.id)
                self.pacer.cancel(chat.id)
                log.info("a person blocked the bot; deliveries to them stop")
            elif status == ChatMember.MEMBER:
                self.blocked.discard(chat.id)
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):  # added to a group
            await self.private_only(chat, change.from_user)

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        if err is None:
            return
        frames = "".join(traceback.format_list(traceback.extract_tb(err.__traceback__)))
        log.error("handling a Telegram update failed: %s\n%s", type(err).__name__, frames.rstrip())

    # -- acting and showing -------------------------------------------------------------------------------------------

    async def act(self, user: User, chat: Chat, event: Event, update: Update | None = None) -> None:
        """One core event from this person (from `update`: handled once); their replies shown in their chat. A word
        on the side (typed during breathing) lets a running breathing animation go on; anything else ends it first."""
        key = update_key(self.application.bot.id, update) if update is not None else None
        replies = await self.dialogue.handle(user_ref(user, chat), event, update=key)
        if not replies or not all(o.aside for o in replies):
            self.pacer.cancel(chat.id)
        await self.reply(chat.id, replies)

    async def reply(self, chat_id: int, replies: Sequence[Outgoing]) -> None:
        """Show replies to the person acting, retrying a passing failure a few times (they are not in the outbox)."""
        for out in replies:
            for attempt in range(1, REPLY_ATTEMPTS + 1):
                try:
                    await self.show(chat_id, out)
                    break
                except TelegramError as e:
                    err = classify(e)
                    if not isinstance(err, RetryLater) or attempt == REPLY_ATTEMPTS:
                        log.warning("reply not delivered: %s", err)
                        if isinstance(err, Unreachable):
                            self.blocked.add(chat_id)
                            return
                        break
                    await self.sleep(err.retry_after or float(attempt))

    async def show(self, chat_id: int, out: Outgoing) -> None:
        """Render one Outgoing: a picture first; text with its keyboard; a breathing round as the animated guide
        (the text as its caption) or, when that cannot be sent, text then the text pacer (keyboard on both from the
        start); a document."""
        bot = self.application.bot
        markup = keyboard(out.choices, _username(bot), out.text)
        if out.image is not None:
            try:
                await send_picture(bot, chat_id, out.image)
            except BadRequest as e:  # a picture refused for what it is: the words still go
                log.warning("picture not sent: %s", classify(e))
        if not out.frames:
            await send_text(bot, chat_id, out.text, markup)
        elif out.breath is None or not await self._breathe(chat_id, out, markup):
            await send_text(bot, chat_id, out.text)
            await self.pacer.start(chat_id, out.frames, out.after_frames, markup)
        if out.document is not None:
            await send_document(bot, chat_id, out.document)

    async def _breathe(self, chat_id: int, out: Outgoing, markup: InlineKeyboardMarkup | None) -> bool:
        """The round as the animated guide: False (nothing sent) when Telegram would not take the animation."""
        assert out.breath is not None
        caption = out.text.strip()
        if len(caption) > MAX_CAPTION:  # too long for a caption: the text goes first, on its own
            await send_text(self.application.bot, chat_id, caption)
            caption = ""
        try:
            message, cycle = await self.animations.send(chat_id, out.breath, caption, markup)
        except NetworkError as e:  # a bad request, a timeout (not a block or a 429: those are the caller's)
            log.info("breathing animation not sent (%s); the text pacer instead", type(e).__name__)
            return False
        seconds = sum(f.seconds for f in out.frames) or cycle
        after = f"{caption}\n\n{out.after_frames}".strip() if out.after_frames else caption
        self.pacer.start_round(chat_id, message.message_id, seconds, caption, after, markup)
        return True

    async def private_only(self, chat: Chat, user: User | None) -> None:
        """Tell a group that the bot works in private chat only, with a link to it (at most now and then)."""
        now = self.clock.now()
        last = self._group_notices.get(chat.id)
        if last is not None and now - last < GROUP_NOTICE_EVERY:
            return
        self._group_notices[chat.id] = now
        locale = locale_of(user, self.default_locale)
        link = f"https://t.me/{self.application.bot.username}"
        button = InlineKeyboardMarkup([[InlineKeyboardButton(say(locale, "telegram.open_private"), url=link)]])
        try:
            await self.application.bot.send_message(
                chat.id, say(locale, "telegram.private_only", link=link), reply_markup=button,
                link_preview_options=NO_PREVIEW,
            )
        except TelegramError as e:
            log.info("group notice not delivered: %s", type(e).__name__)

    # -- lifecycle ----------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (getMe), register the command menus, and start receiving updates (polling or webhook)."""
        app = self.application
        await app.initialize()
        self.live = True
        await self.register_commands()
        await app.start()
        if self.webhook is not None:
            await self._start_webhook(self.webhook)
            log.info("telegram: receiving updates by webhook")
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=3,
                error_callback=_polling_trouble,
            )
            log.info("telegram: receiving updates by long polling")

    async def stop(self) -> None:
        """Stop receiving, end the pacers (leaving their buttons), finish in-flight updates, close the connection."""
        app = self.application
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if self._web is not None:
                await self._web.cleanup()
                self._web = None
            await self.pacer.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        finally:
            self.live = False
            logsafe.uninstall(self.redact)

    async def register_commands(self) -> None:
        """The command menu for private chats: Dutch names and descriptions for "nl", English for everyone else."""
        scope = BotCommandScopeAllPrivateChats()
        for locale, language_code in (("en", None), ("nl", "nl")):
            texts = catalog(locale)
            commands = [BotCommand(e.name if locale == "en" else e.nl, texts[e.description_key]) for e in MENU]
            try:
                await self.application.bot.set_my_commands(commands, scope=scope, language_code=language_code)
            except TelegramError as e:
                log.warning("telegram: command menu (%s) not set: %s", locale, type(e).__name__)

    @property
    def webhook_port(self) -> int | None:
        """The port the webhook listener is bound to (useful when configured as 0)."""
        if self._web is None or not self._web.addresses:
            return None
        return int(self._web.addresses[0][1])

    async def _start_webhook(self, hook: Webhook) -> None:
        """Listen first, then tell Telegram (the same URL, update types and secret as every other worker)."""
        bot = self.application.bot
        self._secret = hook.secret or webhook_secret(bot.token)
        site_app = web.Application(client_max_size=1024 * 1024)
        site_app.router.add_post(hook.path, self._webhook_update)
        self._web = web.AppRunner(site_app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._web.setup()
        await web.TCPSite(self._web, hook.listen, hook.port).start()
        for attempt in range(1, SET_WEBHOOK_ATTEMPTS + 1):
            try:
                await bot.set_webhook(hook.url, secret_token=self._secret, allowed_updates=list(ALLOWED_UPDATES))
                return
            except (RetryAfter, NetworkError) as e:  # the flood limit, a passing network failure; not a refusal
                if attempt == SET_WEBHOOK_ATTEMPTS or isinstance(e, BadRequest):
                    raise
                wait = _seconds(e.retry_after) if isinstance(e, RetryAfter) else float(attempt)
                log.info("telegram: setWebhook not taken yet (%s); again in %.0f s", type(e).__name__, wait)
                await self.sleep(wait)

    async def _webhook_update(self, request: web.Request) -> web.Response:
        """One update from Telegram, answered once it has been handled (see "Several webhook workers" above)."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=403)
        app = self.application
        try:
            update = Update.de_json(await request.json(), app.bot)
        except Exception:
            return web.Response(status=400)
        await app.update_processor.process_update(update, app.process_update(update))  # in chat order
        return web.Response()


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _polling_trouble(error: TelegramError) -> None:
    log.warning("telegram: polling failed (%s); retrying", type(error).__name__)


def build(
    settings: Any,
    dialogue: Dialogue,
    clock: Clock,
    *,
    webhook: Webhook | None = None,
    sleep: Sleep = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    request: Callable[[], BaseRequest] | None = None,
    rate: float = RATE,
    burst: int = BURST,
) -> TelegramAdapter:
    """The Telegram adapter for these settings (TELEGRAM_TOKEN required; TELEGRAM_BASE_URL optional).

    `webhook` overrides the TELEGRAM_WEBHOOK_* settings; `sleep` (and `monotonic`) is the pacer's and the reply
    retries' wait (and time);
    `request` makes PTB's transport (tests: an in-process Bot API); `rate`/`burst` shape the rate limiter.
    """
    token_secret = getattr(settings, "telegram_token", None)
    if token_secret is None:
        raise ValueError("TELEGRAM_TOKEN is not set")
    token = str(token_secret.get_secret_value())
    redact = logsafe.install([token])
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(GatedLimiter(overall_max_rate=burst, overall_time_period=burst / rate, max_retries=0))
        .concurrent_updates(ChatOrder())
        .job_queue(None)
    )
    base_url = getattr(settings, "telegram_base_url", None)
    if base_url:
        builder = builder.base_url(str(base_url))
    if request is not None:
        builder = builder.request(request()).get_updates_request(request())
    application: AnyApplication = builder.build()
    return TelegramAdapter(
        application, dialogue, clock, webhook=webhook or webhook_from(settings),
        default_locale=getattr(settings, "default_locale", "nl"), sleep=sleep, redact=redact,
        monotonic=monotonic,
    )


def _username(bot: Bot) -> str:
    """The bot's @username for deep links, or "" before it is known (the link button is then left out)."""
    try:
        return bot.username or ""
    except RuntimeError:
        return ""
