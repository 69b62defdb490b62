"""Issue 13, finding 8: a DEBUG run of each adapter keeps message text, invite codes and tokens out of the log.

Each run logs as production does (bot.__main__._logging at DEBUG, which floors the platform libraries and
redacts), and the whole log is searched for what was typed, what the bot said, the invite code in every form,
and the tokens. Telegram and Discord run over their loopback stand-ins (real PTB and discord.py objects, real
HTTP and websocket); the console is a real `python -m bot demo` process (the console, scripted) at LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adempauze_testkit import code_forms, leaks

from bot.__main__ import DEMO_CODE, demo_script
from bot.core import couples


def test_the_console_at_debug_logs_no_text_and_no_code(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    env.update(LOG_LEVEL="DEBUG", DEFAULT_LOCALE="nl")
    proc = subprocess.run([sys.executable, "-m", "bot", "demo"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    log = proc.stderr
    assert "DEBUG" in log or "INFO" in log, "the scan below would prove nothing"  # asyncio, aiosqlite floor, …
    typed = {line for line in demo_script("nl") if not line.startswith(("!", "/")) and len(line) >= 8}
    said = {ln.strip() for ln in proc.stdout.splitlines() if len(ln.strip()) >= 24 and not ln.startswith("[to ")}
    secrets = typed | said | code_forms(couples.show_code(couples.new_code(DEMO_CODE)))
    assert typed and said
    assert leaks(log, secrets) == []

