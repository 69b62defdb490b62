"""Several real processes on one SQLite file, as they happen: many started at the same moment on a fresh file,
and a couple split over two console terminals through a whole time-out.

No test here waits on the wall clock for app time: the consoles' clock moves with `!wait`. What is waited
for is output of another process (with a generous deadline: this machine may be busy)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from adempauze_testkit import marker

from bot.store import migration_files

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("TELEGRAM_TOKEN", "DISCORD_TOKEN", "DATABASE_PATH", "DEFAULT_LOCALE", "DEFAULT_TIMEZONE", "TIME_SCALE",
            "LOG_LEVEL", "DEFAULT_COUNTRY", "TELEGRAM_BASE_URL", "TELEGRAM_WEBHOOK_URL")
HEADER = re.compile(r"(?m)^\[to ([\w.-]+)\]$")
CODE_RE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
OUTPUT_DEADLINE_S = 30.0


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["DEFAULT_TIMEZONE"] = _daytime_zone()
    env.update(extra)
    return env


def _daytime_zone() -> str:
    """A zone where it is about midday now. These consoles run on the real clock, and a contract's quiet hours
    (23:00-07:00 by default) rightly hold a partner's notice back until morning: run at night in the default
    zone, the tests would wait for the morning (they did, at 02:46 in Amsterdam)."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT-2 is two hours east


# -- 8 processes at once on a fresh file, 20 rounds ----------------------------------------------------------


def test_eight_processes_started_at_once_on_a_fresh_file_all_answer(tmp_path: Path) -> None:
    """6 consoles, `migrate` and `backup` released at the same moment on a file that does not exist yet, 20
    times: every one answers (no schema error, no traceback), the file is sound and at the newest version."""
    out = tmp_path / "together.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "start_together.py"), "--processes", "8", "--rounds", "20",
         "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_env(), check=False,
    )
    assert out.exists(), proc.stdout + proc.stderr
    r = json.loads(out.read_text("utf-8"))
    failures = [f for run in r["runs"] for f in run["failures"]]
    assert failures == [], "\n".join(failures[:10])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(r["runs"]) == 20
    newest = migration_files()[-1][0]
    for run in r["runs"]:
        assert run["answered"] == 8
        assert run["integrity_check"] == "ok"
        assert run["user_version"] == newest


# -- two consoles, one couple: Alice in one terminal, Bob in the other ------------------------------------


class Terminal:
    """A real `python -m bot console`, typed into line by line, its output collected as it comes."""

    def __init__(self, db: Path, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1, env=_env(DATABASE_PATH=str(db)), cwd=cwd,
        )
        self._out: list[str] = []
        self._err: list[str] = []
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(s, b), daemon=True)
                         for s, b in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for t in self._readers:
            t.start()

    def _read(self, stream: object, into: list[str]) -> None:
        for chunk in iter(stream.readline, ""):  # type: ignore[attr-defined]
            with self._changed:
                into.append(chunk)
                self._changed.notify_all()

    @property
    def out(self) -> str:
        with self._changed:
            return "".join(self._out)

    def type(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        for line in lines:
            self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str | re.Pattern[str], times: int = 1) -> str:
        """Wait until `text` has appeared `times` times in the output (another process may print it)."""
        deadline = time.monotonic() + OUTPUT_DEADLINE_S
        with self._changed:
            while True:
                out = "".join(self._out)
                found = len(text.findall(out)) if isinstance(text, re.Pattern) else out.count(text)
                if found >= times:
                    return out
                left = deadline - time.monotonic()
                assert left > 0 and self.proc.poll() is None, (
                    f"waited for {text!r} ×{times}; output:\n{out}\nstderr:\n{''.join(self._err)}")
                self._changed.wait(min(left, 0.5))

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=OUTPUT_DEADLINE_S)
        for t in self._readers:
            t.join(timeout=5)
        return rc

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def messages(stdout: str) -> list[tuple[str, str]]:
    """(recipient, text) per message printed; nothing may be printed outside a "[to NAME]" block."""
    parts = HEADER.split(stdout)
    assert parts[0].strip() == "", f"printed before any [to NAME] line: {parts[0]!r}"
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def said(msgs: list[tuple[str, str]], key: str) -> list[str]:
    """To whom each message carrying this Dutch catalog sentence went (one entry per delivery)."""
    return [to for to, text in msgs if marker("nl", key) in text]


def test_two_consoles_on_one_file_split_a_couple_and_each_delivery_shows_once_where_its_person_is(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shared.sqlite3"
    a, b = Terminal(db, tmp_path), Terminal(db, tmp_path)  # started together on a file that does not exist yet
    try:
        a.type("!as alice", "/start", "!press cs.yes", "/koppel")
        code = CODE_RE.findall(a.wait_for(CODE_RE))[0]
        b.type("!as bob", "/start", "!press cs.yes", f"/doemee {code}")
        b.wait_for(marker("nl", "join.ok"))
        a.wait_for(marker("nl", "pair.joined"))  # written by Bob's process, shown in Alice's terminal
        b.type("/akkoord")
        a.wait_for(marker("nl", "contract.accepted.notice"))

        a.type("/pauze", "!press ret.m30")
        a.wait_for(marker("nl", "start.told"))
        b.wait_for(marker("nl", "notice.start"))  # the partner notice, in Bob's terminal, without Bob typing

        a.type("!wait 30m")  # the consoles' shared clock: due in both terminals
        a.wait_for(marker("nl", "return.ping"))
        b.wait_for(marker("nl", "return.ping"))
        a.type("!press r.ready")
        a.wait_for(marker("nl", "return.card"))
        b.type("!press r.ready")
        b.wait_for(marker("nl", "return.card"))
        a.wait_for(marker("nl", "notice.both_ready"))

        assert a.close() == 0 and b.close() == 0
    finally:
        a.kill()
        b.kill()

    in_a, in_b = messages(a.out), messages(b.out)
    assert {to for to, _ in in_a} == {"alice"}, "only Alice's messages in Alice's terminal"
    assert {to for to, _ in in_b} == {"bob"}, "only Bob's messages in Bob's terminal"
    # Each delivery exactly once, in one terminal: notices to the partner, and both return pings.
    assert said(in_a, "pair.joined") == ["alice"] and said(in_b, "pair.joined") == []
    assert said(in_a, "contract.accepted.notice") == ["alice"] and said(in_b, "contract.accepted.notice") == []
    assert said(in_b, "notice.start") == ["bob"] and said(in_a, "notice.start") == []
    assert said(in_a, "return.ping") == ["alice"] and said(in_b, "return.ping") == ["bob"]
    assert said(in_a, "notice.both_ready") == ["alice"] and said(in_b, "notice.both_ready") == []

    c = sqlite3.connect(db)
    try:
        assert c.execute("SELECT status FROM timeouts").fetchall() == [("returned",)]
        assert c.execute("SELECT count(*) FROM outbox").fetchone() == (0,)  # nothing left undelivered
        assert c.execute("SELECT count(*) FROM processes").fetchone() == (0,)  # both left the file cleanly
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        c.close()


# -- a combination that cannot be made correct is refused at start, by name ---------------------------------


def test_a_second_telegram_bot_on_the_file_is_refused_at_start_naming_the_first(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    env = _env(DATABASE_PATH=str(db), TELEGRAM_TOKEN="123456:not-a-real-token")
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True)
    c = sqlite3.connect(db)
    now = int(time.time())
    c.execute("INSERT INTO processes VALUES ('x1', 'bot', 'telegram', ?, 4242, 'other-box', ?, ?)",
              (migration_files()[-1][0], now - 60, now + 3600))  # the first bot, alive
    c.commit()
    c.close()

    proc = subprocess.run([sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert 'the Adempauze bot serving telegram (process 4242 on host "other-box"' in proc.stderr
    assert "Only one process per database may serve telegram" in proc.stderr


def _settled(db: Path) -> None:
    """Wait until every outbox row is settled (a process has deleted what it delivered)."""
    deadline = time.monotonic() + OUTPUT_DEADLINE_S
    while True:
        c = sqlite3.connect(db, timeout=5)
        try:
            if c.execute("SELECT count(*) FROM outbox").fetchone() == (0,):
                return
        finally:
            c.close()
        assert time.monotonic() < deadline, "the outbox was never settled"
        time.sleep(0.02)


def test_a_killed_console_loses_nothing_its_person_gets_the_ping_in_the_next_terminal(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    a, b = Terminal(db, tmp_path), Terminal(db, tmp_path)
    again: Terminal | None = None
    try:
        a.type("!as alice", "/start", "!press cs.yes", "/koppel")
        code = CODE_RE.findall(a.wait_for(CODE_RE))[0]
        b.type("!as bob", "/start", "!press cs.yes", f"/doemee {code}", "/akkoord")
        a.wait_for(marker("nl", "contract.accepted.notice"))
        a.type("/pauze", "!press ret.m30")
        b.wait_for(marker("nl", "notice.start"))
        _settled(db)  # (killed between showing and settling, the notice would be shown again, once, later)
        b.kill()  # SIGKILL: no goodbye, its row on the file still looks alive for a while

        a.type("!wait 30m")
        a.wait_for(marker("nl", "return.ping"))  # Alice's; Bob's waits for Bob
        again = Terminal(db, tmp_path)
        again.type("!as bob", "/status")  # Bob is in this new terminal now
        again.wait_for(marker("nl", "return.ping"))
        assert a.close() == 0 and again.close() == 0
    finally:
        for t in (a, b, again):
            if t is not None:
                t.kill()

    assert {to for to, _ in messages(a.out)} == {"alice"}
    assert said(messages(again.out), "return.ping") == ["bob"]  # once, in the terminal where Bob is
    c = sqlite3.connect(db)
    try:
        assert c.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    finally:
        c.close()
