"""Webhook mode of one adapter, over real HTTP on 127.0.0.1: the stand-in hands updates to the adapter's listener
as Telegram does. setWebhook meeting the flood limit is tried again after the wait Telegram names; the secret is the
same for every worker of a bot (derived from the token) unless one is set; a request without it is refused and
changes nothing; an update is answered once it has been handled."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from adempauze_testkit import marker
from pydantic import SecretStr

from adapters.telegram.app import Webhook, build, webhook_secret
from adapters.telegram.standin import StandIn
from bot.clock import ManualClock
from bot.config import Settings
from bot.service import Dialogue
from bot.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's RetryAfter itself

TOKEN = "7012345678:AAH3kq-Zt0kEnSecretPartForTests_x9YwQ"
T0 = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_derived_secret_is_the_same_for_one_token_and_fit_for_telegram() -> None:
    secret = webhook_secret(TOKEN)
    assert secret == webhook_secret(TOKEN) != webhook_secret(TOKEN + "x")
    assert len(secret) == 43 and all(ch.isalnum() or ch in "_-" for ch in secret)
    assert TOKEN.split(":")[1] not in secret


async def test_a_webhook_worker_sets_its_hook_through_the_flood_limit_and_answers_after_handling(
    tmp_path: Path,
) -> None:
    api = StandIn(TOKEN)
    await api.serve()
    store = await Store.open(tmp_path / "hook.sqlite3")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the adapter's wait (the pacer's, setWebhook's): no wall clock
        waits.append(seconds)

    port = _free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/tg", port=port)
    settings = Settings(telegram_token=SecretStr(TOKEN), telegram_base_url=api.base_url, default_locale="nl")
    adapter = build(settings, Dialogue(store, ManualClock(T0)), ManualClock(T0), webhook=hook, sleep=sleep)
    api.fail_next("setWebhook", 429, retry_after=3)  # another worker set it a moment ago
    try:
        await adapter.start()
        assert [c.status for c in api.of("setWebhook")] == [429, 200] and waits == [3.0]
        assert api.webhook["url"] == hook.url and api.webhook["secret_token"] == webhook_secret(TOKEN)
        status, _ = await api.handle(TOKEN, "getUpdates", {}, {})
        assert status == 409  # nobody polls while a webhook is set

        anna = api.person(111, "Anna", "en")
        async with aiohttp.ClientSession() as http:
            forged = {"update_id": 99, "message": api.message_json(anna, "/start")}
            async with http.post(hook.url, json=forged) as answer:
                assert answer.status == 403
            async with http.post(hook.url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}) as a:
                assert a.status == 403
        assert api.texts(anna.id) == [] and await store.query("SELECT count(*) FROM users") == [(0,)]

        update = api.text(anna, "/start")
        await api.wait_for(lambda: any(d.update_id == update["update_id"] for d in api.deliveries), 10)
        # answered 200 only after the update was handled: by then the reply is out
        assert [d.status for d in api.deliveries] == [200]
        assert len(api.texts(anna.id)) == 1 and marker("en", "welcome") in api.texts(anna.id)[0]
    finally:
        await adapter.stop()
        await store.close()
        await api.close()
    assert api.webhook["url"] == hook.url  # a worker that stops leaves the hook to the others
