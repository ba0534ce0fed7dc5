"""A private, throwaway PostgreSQL server for tests and benchmarks.

``TempPostgres.start()`` runs ``initdb`` in a temporary directory and ``pg_ctl start`` on
a free loopback port with its unix socket in that directory, so it never touches a
system cluster; ``stop()`` shuts it down and deletes everything. As root, initdb refuses
to run, so the server runs as the unprivileged ``postgres`` user (created by Debian's
package) via ``runuser``. ``scripts/ensure-postgres`` installs the binaries when missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENSURE = ROOT / "scripts" / "ensure-postgres"
SERVER_USER = "postgres"
START_TIMEOUT_S = 60  # pg_ctl -w waits this long for the server to accept connections


class PostgresUnavailable(Exception):
    """The server binaries are missing or the server would not start (the reason says which)."""


def bin_dir(install: bool = False) -> Path:
    """Where initdb and pg_ctl live; runs scripts/ensure-postgres first when ``install``."""
    if install and ENSURE.exists():
        done = subprocess.run([str(ENSURE)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"scripts/ensure-postgres failed: {done.stderr.strip()}")
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    raise PostgresUnavailable(
        "initdb/pg_ctl not found; run scripts/ensure-postgres (apt-get install postgresql)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(slots=True)
class TempPostgres:
    """One server; ``url(dbname)`` gives an SQLAlchemy URL for a database on it."""

    bindir: Path
    base: Path
    port: int
    durable: bool = False

    @classmethod
    def start(cls, *, install: bool = False, durable: bool = False) -> TempPostgres:
        """``durable=False`` turns fsync off: tests need speed, not crash safety."""
        server = cls(bin_dir(install), Path(tempfile.mkdtemp(prefix="precis-pg-")), 0, durable)
        try:
            server._init()
            server._launch()
        except Exception:
            shutil.rmtree(server.base, ignore_errors=True)
            raise
        return server

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        # immediate: no shutdown checkpoint, the data directory is deleted next anyway
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def _init(self) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip

    def _launch(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -k {self.base} -c max_connections=50"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for _attempt in range(3):  # another process may take the free port first
            self.port = free_port()
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                "-o", f"-p {self.port} {options}", "-t", str(START_TIMEOUT_S), "-w", "start",
                check=False,
            )  # fmt: skip
            if done.returncode == 0:
                return
        log = (self.base / "server.log").read_text(errors="replace")[-2000:]
        raise PostgresUnavailable(f"pg_ctl start failed: {done.stderr.strip()}\n{log}")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.base)
        if check and done.returncode != 0:
            raise PostgresUnavailable(f"{tool} failed: {done.stderr.strip() or done.stdout}")
        return done
