"""Settings from the environment or `.env` (pydantic-settings). A bad value stops start-up with one line."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core import countries

LOCALES = ("nl", "en")


def default_database_path() -> Path:
    """`$XDG_DATA_HOME/adempauze/adempauze.sqlite3` (~/.local/share/…), or ./data/ when HOME is unusable."""
    base = os.environ.get("XDG_DATA_HOME") or (Path.home() / ".local" / "share" if Path.home().is_dir() else "")
    return Path(base) / "adempauze" / "adempauze.sqlite3" if base else Path("data") / "adempauze.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_secret: SecretStr | None = None
    discord_token: SecretStr | None = None
    discord_shard: str | None = None
    """"N/M": this process runs Discord gateway shard N of M (several processes on one PostgreSQL database)."""
    database_path: Path = Field(default_factory=default_database_path)
    database_url: SecretStr | None = None
    """postgresql://user:password@host:port/db: the PostgreSQL backend instead of the SQLite file."""
    default_locale: str = "nl"
    default_timezone: str = "Europe/Amsterdam"
    default_country: str = "NL"
    time_scale: float = 1.0
    time_origin: float | None = None
    """Unix seconds from which a TIME_SCALE clock runs (default: the process's start): several processes given
    the same origin share one sped-up clock."""
    log_level: str = "INFO"

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return v

    @field_validator("telegram_token", "discord_token", "telegram_webhook_secret", "telegram_base_url",
                     "telegram_webhook_url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("discord_shard", mode="before")
    @classmethod
    def _shard(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        m = re.fullmatch(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*", str(v))
        if m is None or not int(m.group(1)) < int(m.group(2)):
            raise ValueError("DISCORD_SHARD must be N/M with 0 <= N < M, e.g. 0/2 and 1/2 for two processes")
        return f"{int(m.group(1))}/{int(m.group(2))}"

    @property
    def shard(self) -> tuple[int, int] | None:
        """(shard id, shard count) from DISCORD_SHARD, or None: one process, every shard."""
        if self.discord_shard is None:
            return None
        n, m = self.discord_shard.split("/")
        return int(n), int(m)

    @field_validator("database_url", mode="before")
    @classmethod
    def _url(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if isinstance(v, str) and not v.strip().startswith(("postgresql://", "postgres://")):
            raise ValueError("DATABASE_URL must start with postgresql:// (for an SQLite file, set DATABASE_PATH)")
        return v.strip() if isinstance(v, str) else v

    @property
    def database(self) -> str | Path:
        """Where the store is: DATABASE_URL (PostgreSQL) when set, else the SQLite file DATABASE_PATH."""
        return self.database_url.get_secret_value() if self.database_url is not None else self.database_path

    @property
    def database_shown(self) -> str:
        """`database` fit for a log line or a message: a URL without its password."""
        if self.database_url is None:
            return str(self.database_path)
        from urllib.parse import urlsplit

        parts = urlsplit(self.database_url.get_secret_value())
        host = parts.netloc.rsplit("@", 1)[-1]
        return parts._replace(netloc=f"{parts.username}:***@{host}" if parts.password else parts.netloc).geturl()

    @field_validator("database_path", mode="before")
    @classmethod
    def _path(cls, v: object) -> object:
        return default_database_path() if v is None or (isinstance(v, str) and not v.strip()) else v

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
        return v

    @field_validator("default_country")
    @classmethod
    def _country(cls, v: str) -> str:
        v = v.strip().upper()
        if not countries.is_country(v):
            raise ValueError("DEFAULT_COUNTRY must be a two-letter ISO 3166-1 country code such as NL")
        return v

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError) as e:  # OSError: a folder such as "Europe"
            raise ValueError("DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Amsterdam") from e
        return v

    @field_validator("time_scale")
    @classmethod
    def _scale(cls, v: float) -> float:
        if not (v > 0 and math.isfinite(v)):
            raise ValueError("TIME_SCALE must be a number greater than 0 (1.0 is real time)")
        return v

    @field_validator("time_origin", mode="before")
    @classmethod
    def _origin(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        try:
            origin = float(str(v))
        except ValueError:
            raise ValueError("TIME_ORIGIN must be unix seconds, e.g. 1790000000") from None
        if not (math.isfinite(origin) and origin >= 0):
            raise ValueError("TIME_ORIGIN must be unix seconds, e.g. 1790000000")
        return origin

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.strip().upper()
        if v not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return v


class SettingsError(Exception):
    """A setting is wrong; the message is one line that names it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        err = e.errors()[0]
        field = str(err["loc"][0]).upper() if err["loc"] else "settings"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Bad setting {field}: {msg}") from None
