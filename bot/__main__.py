"""`adempauze` (or `python -m bot`): the composition root and the command line.

  adempauze            run: the platforms whose tokens are set, plus the dispatcher; no token: the console
  adempauze console    the local console chat (on its own clock; `!wait 25m` moves it)
  adempauze demo       a scripted time-out on an accelerated clock, printed as a transcript
  adempauze migrate    bring the database up to date and say which version it is at
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot import logsafe
from bot.clock import ManualClock
from bot.config import Settings, SettingsError, load_settings
from bot.core import couples
from bot.dispatch import Dispatcher
from bot.store import EXCLUSIVE, HEARTBEAT, Defaults, InUse, StoreError, StorePort, open_store

log = logging.getLogger("adempauze")


def _logging(level: str, stream: TextIO | None = None) -> logging.Handler:
    """Log lines to stderr at LOG_LEVEL; the platform libraries floored and secrets redacted (bot.logsafe)
    whatever the level. Returns the handler (tests write to their own stream)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    logsafe.install()  # the adapters add their tokens when they are built
    return handler


def _defaults(s: Settings) -> Defaults:
    return Defaults(s.default_locale, s.default_timezone, s.default_country)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def _console(
    settings: Settings, db: str | Path, start: datetime, script: Sequence[str] | None = None,
    random_bytes: Callable[[int], bytes] | None = None,
) -> int:
    from adapters.console.app import Console, ConsoleMessenger
    from bot.service import Dialogue

    store = await open_store(db, _defaults(settings))
    if random_bytes is not None:
        store.random_bytes = random_bytes
    try:
        await store.attach("console", ("console",))  # other consoles (and a bot) may share the file
        clock = ManualClock(start)
        messenger = ConsoleMessenger(_write)  # the /patterns chart: a temporary file, removed when it closes
        dispatcher = Dispatcher(store, {"console": messenger}, clock)
        console = Console(Dialogue(store, clock), dispatcher, clock, messenger, echo=script is not None,
                          terminal=store.process_id)
        await console.sync()  # the consoles' shared clock, if another one went ahead
        await dispatcher.run_due()  # whatever fell due while the console was closed
        watcher = asyncio.create_task(console.watch())
        try:
            if script is None:
                await console.run()
            else:
                for line in script:
                    if not await console.line(line):
                        break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            messenger.close()
    finally:
        await store.close()
    return 0


async def _run(settings: Settings) -> int:
    if settings.telegram_token is None and settings.discord_token is None:
        log.info("no platform token set: starting the local console on %s", settings.database_shown)
        return await _console(settings, settings.database, datetime.now(UTC))
    from bot.clock import SystemClock
    from bot.ports import Messenger
    from bot.service import Dialogue

    store = await open_store(settings.database, _defaults(settings))
    clock = SystemClock(settings.time_scale, settings.time_origin)
    messengers: dict[str, Messenger] = {}
    dispatcher = Dispatcher(store, messengers, clock)
    dialogue = Dialogue(store, clock, on_scheduled=dispatcher.wake)
    from bot import reader

    warming = asyncio.create_task(asyncio.to_thread(reader.warm))  # the danger vocabulary, off the event loop
    adapters: list[Any] = []
    try:
        # Before any adapter connects: a second poller of the same bot would be refused by Telegram anyway.
        serves, exclusive = serving(settings)
        if settings.database_url is None:
            await store.attach("bot", serves, exclusive)
        else:
            await _attach_or_stand_by(store, serves, exclusive)
        for platform, token in (("telegram", settings.telegram_token), ("discord", settings.discord_token)):
            if token is not None:  # adapters are imported only when used: their libraries are heavy
                build = importlib.import_module(f"adapters.{platform}.app").build
                adapters.append(build(settings, dialogue, clock))
                messengers[platform] = adapters[-1].messenger
        for adapter in adapters:
            try:
                await adapter.start()
            except Exception as e:  # a refused token, no network at start-up: one clear line, not a traceback
                print(f"The {adapter.platform} adapter could not start ({type(e).__name__}). Check its token and "
                      "the network.", file=sys.stderr)
                return 2
        log.info("running: %s", ", ".join(sorted(messengers)))
        runner = asyncio.create_task(dispatcher.run_forever())
        await warming
        await _until_stopped()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    finally:
        for adapter in reversed(adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        await store.close()
    return 0


TELEGRAM_WEBHOOK = "telegram-webhook"
"""What a Telegram webhook worker serves besides "telegram" (on PostgreSQL): it says so to a poller standing by."""


def serving(settings: Settings) -> tuple[list[str], frozenset[str]]:
    """(what this bot process serves, what of that only one process may serve), from its settings.

    On PostgreSQL: Discord split into shards is one process per shard. Telegram by long polling is one process
    (the leader; a second one stands by), but in webhook mode any number of workers serve it side by side (each
    update comes to one of them; bot.store.once takes care of an update handed to two). A poller stands by while
    a webhook worker lives (starting, it would delete their webhook); a worker that starts while a poller runs
    takes over from it (its setWebhook ends the polling: the poller only hears 409s until it is stopped), which is
    how a deploy moves from polling to webhooks. On SQLite: one bot process per file, whatever the mode."""
    serves = [p for p, token in (("telegram", settings.telegram_token), ("discord", settings.discord_token))
              if token is not None]
    exclusive = set(EXCLUSIVE)
    if settings.shard is not None and "discord" in serves:  # Discord split over processes: a shard each
        serves.append(shard_name(*settings.shard))
        exclusive = (exclusive - {"discord"}) | {serves[-1]}
    if "telegram" in serves and settings.database_url is not None and settings.telegram_webhook_url is not None:
        serves.append(TELEGRAM_WEBHOOK)
        exclusive.discard("telegram")
    return serves, frozenset(exclusive)


def shard_name(shard: int, count: int) -> str:
    """What a process serving one Discord shard says it serves (only one process per shard)."""
    return f"discord-shard-{shard}-of-{count}"


async def _attach_or_stand_by(store: StorePort, serves: list[str], exclusive: frozenset[str]) -> None:
    """On PostgreSQL, a second bot process for the same platforms stands by instead of stopping: the one
    attached is the leader (the only Telegram poller, the Discord gateway); this one tries again every
    heartbeat and takes over as soon as the leader's lease has run out (killed: within LEASE)."""
    told = False
    while True:
        try:
            await store.attach("bot", serves, exclusive)
            if told:
                log.info("the leader is gone: this process takes over %s", ", ".join(sorted(serves)))
            return
        except InUse as e:
            if not told:
                log.info("standing by: %s", str(e).split(" Only one process")[0])
                told = True
        await asyncio.sleep(HEARTBEAT.total_seconds())


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM (a deploy's stop), so adapters and the database close cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


DEMO_CODE = bytes(range(1, 9))
"""The demo's invite code comes from these bytes (a real one comes from `secrets`)."""


def demo_script(locale: str) -> list[str]:
    """Sanne and Robin pair, agree the contract, and go through one whole time-out; Robin reads English."""
    code = couples.show_code(couples.new_code(DEMO_CODE))
    nl = locale == "nl"
    return [
        "!as sanne", "/start", "!press cs.yes", "/koppel" if nl else "/pair",
        "!as robin", "/language en" if nl else "/taal nl", "/start", "!press cs.yes", f"/join {code}",
        "/accept",
        "!as sanne", "/pauze" if nl else "/timeout", "!press ret.m30", "!press t.8", "!press br.next", "!press t.5",
        "!press f.angry", "!press u.unseen", "!press n.seen",
        "!as robin", "!press p.start", "!press br.next", "!press t.4", "!press f.lonely", "!press n.closeness",
        "!wait 20m",  # the prepare reminder, ten minutes before the return: now the plan
        "!as sanne", "!press pr.go", "!press op.use",
        "Wie de afwas doet" if nl else "Who does the dishes", "!press pf.overwhelmed", "!press own.voice",
        "Je luistert nooit naar me!" if nl else "You never listen to me!", "!press keep.yes",
        "!as robin", "!press pr.go", "!press op.use", "!press skip", "!press skip", "!press skip",
        "!wait 10m",
        "!as sanne", "!press r.ready",
        "!as robin", "!press r.ready",
        "!wait 10h",
        "!as sanne", "!press a.good",
        "!as robin", "!press a.soso",
    ]


async def _demo(settings: Settings) -> int:
    tz = ZoneInfo(settings.default_timezone)
    evening = datetime.combine(datetime.now(tz).date(), time(21, 10), tzinfo=tz)
    with tempfile.TemporaryDirectory() as d:
        return await _console(settings, Path(d) / "demo.sqlite3", evening, demo_script(settings.default_locale),
                              random_bytes=lambda n: DEMO_CODE[:n])


async def _discord_sync(settings: Settings, guild: int | None) -> int:
    """Register the slash commands with Discord: an explicit step, not on every start."""
    if settings.discord_token is None:
        print("Set DISCORD_TOKEN to sync the Discord commands.", file=sys.stderr)
        return 2
    app = importlib.import_module("adapters.discord.app")
    try:
        names = await app.sync_commands(settings.discord_token, guild)
    except Exception as e:  # LoginFailure, HTTPException: one line
        print(f"Discord refused the commands ({type(e).__name__}).", file=sys.stderr)
        return 1
    where = f"server {guild}" if guild else "Discord (global; may take up to an hour to show)"
    print(f"{len(names)} commands synced to {where}: /" + ", /".join(names))
    return 0


def _backup_or_restore(settings: Settings, command: str, path: str | None) -> int:
    """`backup PATH`: an online, consistent copy (safe while the bot runs). `restore PATH`: put one back
    (the bot must be stopped; the replaced database is kept beside it)."""
    from bot import store as backup

    if not path:
        print(f"Usage: adempauze {command} PATH", file=sys.stderr)
        return 2
    if settings.database_url is not None:
        return asyncio.run(_backup_postgres(settings, command, path))
    if command == "backup":
        made = backup.backup_sync(settings.database_path, Path(path))
        print(f"Backed up {settings.database_path} to {made.path} ({made.size} bytes, schema "
              f"{made.schema_version}, {made.seconds:.2f} s).")
        return 0
    done = backup.restore(path, settings.database_path)
    kept = f"; the previous database is at {done.previous}" if done.previous else ""
    print(f"Restored {settings.database_path} (schema {done.schema_version}) from {path}{kept}.")
    return 0


async def _backup_postgres(settings: Settings, command: str, path: str) -> int:
    """PostgreSQL: `backup PATH` is pg_dump's custom format; it is put back with pg_restore, not by the bot."""
    if command == "restore":
        print(f"Restoring a PostgreSQL database is pg_restore's job: pg_restore --clean --dbname=URL {path}",
              file=sys.stderr)
        return 2
    store = await open_store(settings.database, _defaults(settings))
    try:
        made = await store.backup(path)
    finally:
        await store.close()
    print(f"Backed up {settings.database_shown} to {made.path} with pg_dump ({made.size} bytes, schema "
          f"{made.schema_version}, {made.seconds:.2f} s).")
    return 0


async def _migrate(settings: Settings) -> int:
    store = await open_store(settings.database, _defaults(settings))
    try:
        version = await store.schema_version()
    finally:
        await store.close()
    print(f"{settings.database_shown}: schema version {version}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adempauze", description="A time-out helper for couples in a fight.")
    parser.add_argument("command", nargs="?", default="run",
                        choices=["run", "console", "demo", "migrate", "discord-sync", "backup", "restore"])
    parser.add_argument("path", nargs="?", help="backup: the file to write; restore: the backup to put back")
    parser.add_argument("--guild", type=int, default=None, help="discord-sync: only this server (instant)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as e:
        print(e, file=sys.stderr)
        return 2
    _logging(settings.log_level)
    try:
        if args.command == "console":
            return asyncio.run(_console(settings, settings.database, datetime.now(UTC)))
        if args.command == "demo":
            return asyncio.run(_demo(settings))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "discord-sync":
            return asyncio.run(_discord_sync(settings, args.guild))
        if args.command in ("backup", "restore"):
            return _backup_or_restore(settings, args.command, args.path)
        return asyncio.run(_run(settings))
    except StoreError as e:
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `adempauze demo | head`: the reader left; that is fine
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
