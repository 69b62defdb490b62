"""Settings: defaults, environment, .env, secrets kept secret, and one clear line for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings, SettingsError, load_settings
from bot.store import migration_files

NAMES = (
    "TELEGRAM_TOKEN", "TELEGRAM_BASE_URL", "DISCORD_TOKEN", "DATABASE_PATH", "DEFAULT_LOCALE",
    "DEFAULT_TIMEZONE", "DEFAULT_COUNTRY", "TIME_SCALE", "LOG_LEVEL",
)
TOKEN = "123456:AAH-very-secret-token-value"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the developer's shell or a .env in the repo; XDG points into tmp_path."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    s = load_settings()
    assert s.telegram_token is None and s.discord_token is None and s.telegram_base_url is None
    assert s.default_locale == "nl"
    assert s.default_timezone == "Europe/Amsterdam"
    assert s.default_country == "NL"
    assert s.time_scale == 1.0
    assert s.log_level == "INFO"
    assert s.database_path == tmp_path / "xdg" / "adempauze" / "adempauze.sqlite3"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_TOKEN", "   ")  # blank: that adapter stays off
    monkeypatch.setenv("DEFAULT_LOCALE", " EN ")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Brussels")
    monkeypatch.setenv("DEFAULT_COUNTRY", "be")
    monkeypatch.setenv("TIME_SCALE", "60")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "x.sqlite3"))

    s = load_settings()

    assert isinstance(s.telegram_token, SecretStr) and s.telegram_token.get_secret_value() == TOKEN
    assert s.discord_token is None
    assert (s.default_locale, s.default_timezone, s.default_country) == ("en", "Europe/Brussels", "BE")
    assert s.time_scale == 60.0 and s.log_level == "DEBUG"
    assert s.database_path == tmp_path / "x.sqlite3"


def test_dot_env_in_the_working_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        f"DISCORD_TOKEN={TOKEN}\nDEFAULT_LOCALE=en\nTIME_SCALE=2.5\nSOMETHING_ELSE=ignored\n", "utf-8"
    )
    s = load_settings()
    assert s.discord_token is not None and s.discord_token.get_secret_value() == TOKEN
    assert s.default_locale == "en" and s.time_scale == 2.5

    monkeypatch.setenv("TIME_SCALE", "3")  # the environment wins over .env
    assert load_settings().time_scale == 3.0


def test_tokens_never_show_in_repr_str_or_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN + "-discord")
    s = load_settings()
    for shown in (repr(s), str(s), s.model_dump_json(), repr(s.telegram_token), f"{s.discord_token}"):
        assert "very-secret" not in shown, shown


def test_an_empty_database_path_means_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_PATH", "")
    assert load_settings().database_path == tmp_path / "xdg" / "adempauze" / "adempauze.sqlite3"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_LOCALE", "fr"),
        ("DEFAULT_LOCALE", ""),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_TIMEZONE", "Europe"),  # a folder of the tz database, not a zone
        ("DEFAULT_TIMEZONE", "../../etc/passwd"),
        ("TIME_SCALE", "0"),
        ("TIME_SCALE", "-1"),
        ("TIME_SCALE", "fast"),
        ("TIME_SCALE", "inf"),
        ("TIME_SCALE", "nan"),
        ("LOG_LEVEL", "LOUD"),
        ("DEFAULT_COUNTRY", "Nederland"),
        ("DATABASE_URL", "mysql://localhost/adempauze"),
        ("DATABASE_URL", "/var/lib/adempauze.sqlite3"),
        ("DISCORD_SHARD", "2/2"),
        ("DISCORD_SHARD", "1"),
        ("DISCORD_SHARD", "a/b"),
        ("TIME_ORIGIN", "yesterday"),
        ("TIME_ORIGIN", "-5"),
        ("TIME_ORIGIN", "inf"),
    ],
)
def test_a_bad_value_is_one_clear_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    msg = str(e.value)
    assert name in msg and "\n" not in msg and len(msg) < 200
    assert e.value.__cause__ is None and e.value.__suppress_context__  # no pydantic wall of text chained


def test_database_url_selects_postgresql_and_its_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().database == load_settings().database_path  # unset: the SQLite file
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:s3cret@db.internal:5432/adempauze")
    settings = load_settings()
    assert settings.database == "postgresql://bot:s3cret@db.internal:5432/adempauze"
    assert settings.database_shown == "postgresql://bot:***@db.internal:5432/adempauze"
    assert "s3cret" not in repr(settings) + str(settings)


def test_discord_shard_is_n_of_m(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().shard is None
    monkeypatch.setenv("DISCORD_SHARD", " 1 / 3 ")
    assert load_settings().shard == (1, 3)


def test_overrides_are_validated_too() -> None:
    with pytest.raises(SettingsError, match="TIME_SCALE"):
        load_settings(time_scale=0)
    assert isinstance(load_settings(time_scale=5), Settings)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NAMES}
    env.update(extra)
    return env


def test_the_command_line_stops_with_one_line_and_exit_2_on_a_bad_setting(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot"], env=_env(TIME_SCALE="0", DATABASE_PATH=str(tmp_path / "db")),
        cwd=tmp_path, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "TIME_SCALE" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "db").exists()  # stopped before touching anything


def test_migrate_says_which_version_the_file_is_at(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "adempauze.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], env=_env(DATABASE_PATH=str(db)),
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{db}: schema version {len(migration_files())}"
    assert db.is_file()


def test_processes_given_one_time_origin_share_one_sped_up_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """TIME_SCALE alone counts from each process's own start; with one TIME_ORIGIN, processes started at different
    moments show the same time (the clock showed real time at the origin and ran SCALE times faster since)."""
    import bot.clock

    monkeypatch.setenv("TIME_ORIGIN", "1790000000.5")
    assert load_settings().time_origin == 1790000000.5

    class Time:  # real time, as the module reads it, moved by hand
        now = 1_790_000_100.0

        def time(self) -> float:
            return self.now

        def monotonic(self) -> float:
            return self.now - 1_700_000_000

    fake = Time()
    monkeypatch.setattr(bot.clock, "time", fake)
    origin = 1_790_000_000.0  # 100 s before: at x60 the clock is 100 min ahead of real time now
    first = bot.clock.SystemClock(60, origin)
    alone = bot.clock.SystemClock(60)
    fake.now += 30  # a process started 30 s later
    second = bot.clock.SystemClock(60, origin)
    assert first.now() == second.now()
    assert first.now().timestamp() == 1_790_000_000 + 130 * 60
    assert (first.now() - alone.now()).total_seconds() == 100 * 59  # on its own it would count from its start
