"""Clients that send their requests slowly do not keep everyone else waiting.

A resident on a poor mobile connection, or someone doing it on purpose, can take minutes to send
one request. The app runs as deployed (gunicorn with gunicorn.conf.py, production settings) with
two workers. Slow clients each open a connection and send part of a request, then one more byte
a second: half of them are still sending the request's header lines, half a form's body. There
are as many as the workers can serve at once, less one, and never fewer than the workers. While
they hold their connections, an ordinary request must still be answered. With one request at a
time per worker (gunicorn's sync workers) it waits until the workers are stopped for taking too
long (30 seconds), so it is given 20 seconds.
"""

from __future__ import annotations

import contextlib
import json
import runpy
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import residents

from .support import ADMIN_URL, BACKENDS, require_shared_postgres

GUNICORN_CONFIG = residents.ROOT / "gunicorn.conf.py"
WORKERS = 2
# Requests a worker serves at once: its threads (read from the settings as the server will).
THREADS = runpy.run_path(str(GUNICORN_CONFIG)).get("threads", 1)
SLOW_CLIENTS = max(WORKERS, WORKERS * THREADS - 1)
PATIENCE = 20.0  # seconds the ordinary request may take
DRIP_INTERVAL = 1.0  # seconds between a slow client's bytes


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database; removed afterwards."""
    if request.param == "sqlite":
        database = residents.sqlite_database()
    else:
        require_shared_postgres()
        database = residents.postgresql_database(ADMIN_URL)
    with database as url:
        yield url


def _slow_header(host: str) -> tuple[bytes, bytes]:
    """A request whose header lines never finish: what is sent at once, and what drips."""
    start = f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Slowly: ".encode()
    return start, b"a"


def _slow_body(host: str) -> tuple[bytes, bytes]:
    """A form post whose body never finishes: complete header lines, then the body drips."""
    start = (
        f"POST /sign-in HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
        "email="
    ).encode()
    return start, b"a"


class SlowClients:
    """Connections that each send the start of a request, then one byte a DRIP_INTERVAL until
    stopped."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.stopping = threading.Event()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []

    def open(self, start: bytes, drip: bytes) -> None:
        connection = socket.create_connection(self.address, timeout=PATIENCE)
        connection.sendall(start)
        self.sockets.append(connection)
        thread = threading.Thread(target=self._drip, args=(connection, drip), daemon=True)
        thread.start()
        self.threads.append(thread)

    def _drip(self, connection: socket.socket, drip: bytes) -> None:
        while not self.stopping.wait(DRIP_INTERVAL):
            try:
                connection.sendall(drip)
            except OSError:
                return

    def still_waiting(self) -> int:
        """How many connections are still open with no answer yet."""
        return sum(_unanswered(connection) for connection in self.sockets)

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=PATIENCE)
        for connection in self.sockets:
            connection.close()


def _unanswered(connection: socket.socket) -> bool:
    """Open, and nothing received: the server is still waiting for the rest of the request.
    (An answer, or the server closing the connection, would make it readable.)"""
    readable, _, _ = select.select([connection], [], [], 0)
    return not readable


@contextlib.contextmanager
def slow_clients(base_url: str, count: int) -> Iterator[SlowClients]:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    clients = SlowClients(host, int(port))
    try:
        for number in range(count):
            clients.open(*(_slow_header if number % 2 == 0 else _slow_body)(f"{host}:{port}"))
        time.sleep(2 * DRIP_INTERVAL)  # the workers take the slow connections first
        yield clients
    finally:
        clients.close()


def test_an_ordinary_request_is_answered_while_more_slow_clients_than_workers_hold_on(
    database_url: str, tmp_path: Path
) -> None:
    env = residents.server_environment(database_url)
    residents.flask_setup(env)

    with (
        residents.gunicorn(
            "wsgi:app",
            env,
            tmp_path / "gunicorn.log",
            workers=WORKERS,
            config=GUNICORN_CONFIG,
            ready_path="/healthz",
        ) as base_url,
        slow_clients(base_url, SLOW_CLIENTS) as clients,
    ):
        with residents.opener().open(base_url + "/healthz", timeout=PATIENCE) as reply:
            status, health = reply.status, json.loads(reply.read())
        held = clients.still_waiting()

    assert status == 200 and health["status"] == "ok"
    assert held == SLOW_CLIENTS, "the slow clients should still have been connected, unanswered"
