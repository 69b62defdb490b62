"""A real PostgreSQL server for the tests: Debian's `postgresql` binaries (initdb, pg_ctl) run in a temporary
folder, listening on 127.0.0.1 only, for one test session; each test gets a database of its own, copied from
a migrated template (CREATE DATABASE … TEMPLATE: a file copy, milliseconds).

Without the binaries the PostgreSQL half of the suite is skipped, unless ADEMPAUZE_REQUIRE_POSTGRES=1 (set by
.ci/run), which turns a missing server into a failure. scripts/test installs the package when it can.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

TEMPLATE = "adempauze_template"


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: $PG_BIN, or Debian's /usr/lib/postgresql/N/bin (newest), or PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def required() -> bool:
    return os.environ.get("ADEMPAUZE_REQUIRE_POSTGRES", "") not in ("", "0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One running server; `database()` makes a fresh migrated database and gives its URL."""

    def __init__(self, folder: Path, port: int, binaries: Path, user: str | None) -> None:
        self.folder = folder
        self.port = port
        self.bin = binaries
        self.user = user  # the OS user the server runs as (PostgreSQL refuses to run as root)
        self._n = itertools.count(1)

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, db: str) -> str:
        return f"postgresql://adempauze@127.0.0.1:{self.port}/{db}"

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self.user, cwd=self.folder)

    @classmethod
    def start(cls, durable: bool = False) -> Server:
        binaries = bin_dir()
        if binaries is None:
            raise FileNotFoundError("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
        folder = Path(tempfile.mkdtemp(prefix="adempauze-pg-"))
        user = None
        if os.geteuid() == 0:
            user = "postgres"
            entry = pwd.getpwnam(user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        server = cls(folder, _free_port(), binaries, user)
        data = folder / "data"
        server._run(str(binaries / "initdb"), "-D", str(data), "-U", "adempauze", "-A", "trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions", "--locale=C")
        # a test server: nothing needs to survive a power cut, so no fsync; `durable` (the bench): the defaults
        fast = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        opts = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={folder} "
                f"{fast}-c max_connections=200 -c shared_buffers=128MB")
        server._run(str(binaries / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "log"), "-w",
                    "-t", "60", "start")
        return server

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            c.execute(sql.encode())

    def database(self) -> str:
        """A new database copied from the migrated template; its URL."""
        name = f"t{next(self._n)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[-1]} WITH (FORCE)")


@contextlib.contextmanager
def running(durable: bool = False) -> Iterator[Server]:
    server = Server.start(durable)
    try:
        yield server
    finally:
        server.stop()
