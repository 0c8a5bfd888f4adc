"""Machinery for the fault tests: a private Redis, a TCP proxy that can cut a connection, a
gunicorn process, and pointing this process's Celery app at another broker.

Nothing here touches the shared PostgreSQL or Redis of the machine: outages are made on a Redis
server a test starts itself, and on a proxy in front of the shared PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from tests.helpers.processes import PROJECT_DIR

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, interval: float = 0.1, message: str = "condition"):
    """Poll until ``condition()`` is truthy; return its value or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        time.sleep(interval)


@contextlib.contextmanager
def tasks_not_sent():
    """The services queue their Celery task when their transaction commits; a fault test sends
    the task itself (to its own worker's queue) or not at all (a lost message).

    django_capture_on_commit_callbacks does not help here: outside a test transaction the
    callbacks still run at commit (the session worker, with another MEDIA_ROOT, took the job)."""
    with transaction.atomic():
        start = len(connection.run_on_commit)
        yield
        del connection.run_on_commit[start:]


# --- Redis -------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A throwaway ``redis-server`` on its own port, without persistence: stopping it loses every
    message it held, the worst case for a broker outage."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        assert REDIS_SERVER, "redis-server is not installed"
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(self.log_path),
        ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_for(self.ping, timeout=10, message=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Like a crash of the Redis host: SIGKILL, nothing saved."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.exceptions.ConnectionError:
            return False

    def client(self, db: int = 0):
        import redis

        return redis.Redis(port=self.port, db=db)


@contextlib.contextmanager
def celery_app_broker(app, url: str) -> Iterator[None]:
    """Send this process's tasks and control commands to ``url`` instead of the configured
    broker. ``broker_write_url``/``broker_read_url`` win over CELERY_BROKER_URL; the cached
    connection and producer pools are dropped so the next send connects to the new broker."""

    def reset_pools():
        # Only drop the references: kombu keeps one pool per broker URL for the whole process,
        # and closing it would break the next user of that URL.
        app._pool = None
        app.amqp._producer_pool = None

    previous = {name: app.conf.get(name) for name in ("broker_write_url", "broker_read_url")}
    reset_pools()
    app.conf.broker_write_url = app.conf.broker_read_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.update(previous)


# --- TCP proxy ---------------------------------------------------------------------------------


@dataclass
class TcpProxy:
    """127.0.0.1:``port`` → ``target``. ``cut()`` stops listening and closes every open connection
    (clients see "connection refused" as when the database host is down); ``restore()`` listens
    again on the same port."""

    target_host: str
    target_port: int
    port: int = field(default_factory=free_port)

    def __post_init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def _run(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, server_writer}
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
            )
        finally:
            self._writers -= {client_writer, server_writer}

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()  # RST, not a polite FIN: the connection is just gone
        self._writers.clear()

    def start(self) -> TcpProxy:
        self._run(self._start())
        return self

    restore = start

    def cut(self) -> None:
        self._run(self._cut())

    def close(self) -> None:
        self._run(self._cut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


# --- gunicorn ----------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class WebServer:
    """``gunicorn portal.wsgi -c gunicorn.conf.py`` on 127.0.0.1:``port``."""

    env: dict[str, str]
    log_path: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> WebServer:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.get("/healthz", timeout=2)
            except OSError:
                return False
            return True

        wait_for(up, timeout=timeout, message="gunicorn to answer")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get(self, path: str, *, headers: dict[str, str] | None = None, timeout: float = 15) -> HttpResponse:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return HttpResponse(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, dict(error.headers), error.read().decode())
