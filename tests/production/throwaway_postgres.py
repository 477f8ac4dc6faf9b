"""A PostgreSQL server of the tests' own, in a temporary folder on a free loopback port.

Built with the server binaries of the Debian packages (/usr/lib/postgresql/<version>/bin:
initdb and pg_ctl), with trust authentication for the `postgres` user on 127.0.0.1 only.
initdb refuses to run as root, so as root every server command runs as the operating-system
user `postgres` (through runuser), which then owns the temporary folder.

Never the shared server: stopping and starting this one disturbs nobody else.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BINARY_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"
COMMAND_TIMEOUT = 90


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


def server_binaries() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl; else fail."""
    candidates = [
        folder
        for folder in Path("/").glob(BINARY_GLOB.lstrip("/"))
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file()
    ]
    if not candidates:
        pytest.fail(
            f"No PostgreSQL server binaries (initdb, pg_ctl) under {BINARY_GLOB}: this test "
            "starts a PostgreSQL server of its own. Install the Debian package "
            "`postgresql` (apt-get install postgresql).",
            pytrace=False,
        )
    return max(candidates, key=_version)


class ThrowawayPostgres:
    """initdb, start, stop (fast), start again, and remove everything at the end."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = server_binaries()
        self.run_as: list[str] = []
        owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                owner = None
            if runuser is None or owner is None:
                pytest.fail(
                    f"Running as root, this test needs runuser and an operating-system user "
                    f"{SERVER_USER!r} to start PostgreSQL (initdb refuses root); "
                    "the Debian package `postgresql` creates that user.",
                    pytrace=False,
                )
            self.run_as = [runuser, "-u", SERVER_USER, "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="safermk_pg_"))
        if owner is not None:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data = self.folder / "data"
        self.server_log = self.folder / "server.log"
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        # Output goes to a file, not a pipe: the server pg_ctl leaves running must not hold
        # a pipe that this process waits on.
        output = self.folder / "commands.log"
        with output.open("ab") as sink:
            result = subprocess.run(
                [*self.run_as, *args],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                cwd=self.folder,
            )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{self.logs()[-4000:]}"
            )

    def logs(self) -> str:
        parts = []
        for name in ("commands.log", "server.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts)

    def initdb(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "start",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.server_log),
            "--options",
            options,
            "--wait",
            "--timeout",
            "60",
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "stop",
            "--pgdata",
            str(self.data),
            "--mode",
            mode,
            "--wait",
            "--timeout",
            "60",
        )
        self.running = False

    def remove(self) -> None:
        """Stop the server if it runs (immediately: its data is thrown away), remove the folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            for _ in range(3):
                shutil.rmtree(self.folder, ignore_errors=True)
                if not self.folder.exists():
                    break
                time.sleep(1)
