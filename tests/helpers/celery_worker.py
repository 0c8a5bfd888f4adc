"""Real Celery worker processes for tests, pointed at the pytest-django test database.

Each worker is ``python -m celery -A portal worker --pool=solo ...`` with its own node name
``wN@%h`` and its own log file, so a test can kill one (``kill()`` is SIGKILL) and start more.
"""

import atexit
import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.utils.nodenames import host_format

from .processes import PROJECT_DIR

WORKER_TASK_MODULE = "tests.helpers.worker_tasks"
START_TIMEOUT_SECONDS = 90
_numbers = itertools.count()
_started: list["WorkerProcess"] = []


@atexit.register
def _kill_leftovers() -> None:
    # Fixtures stop their workers; this only covers a test run that dies before teardown.
    for worker in _started:
        if worker.is_alive():
            worker.process.kill()


_SCHEMES = {
    "django.db.backends.postgresql": "postgres",
    "django.db.backends.mysql": "mysql",
}


class WorkerStartError(RuntimeError):
    pass


def database_url(db: dict) -> str:
    """A DATABASE_URL (as dj-database-url reads it) for a Django DATABASES entry."""
    scheme = _SCHEMES.get(db["ENGINE"])
    if scheme is None:
        raise ValueError(f"a worker process cannot share a {db['ENGINE']} test database")
    auth = ""
    if db.get("USER"):
        auth = quote(str(db["USER"]), safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(str(db["PASSWORD"]), safe="")
        auth += "@"
    host = quote(str(db.get("HOST") or ""), safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int)}
    query = f"?{urlencode(options)}" if options else ""
    return f"{scheme}://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}{query}"


def worker_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url(db),
        # Close connections after each task so the test database can be dropped at the end.
        DATABASE_CONN_MAX_AGE="0",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, app: Celery, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Until this very worker answers a remote-control ping (any queue)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_dead()
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        self.stop()
        raise WorkerStartError(f"worker {self.name} did not answer within {timeout:.0f}s:\n{self.log()}")

    def wait_for_ping_task(self, app: Celery, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Until the ``portal.ping`` task makes a full round trip (broker, worker, result backend)."""
        from portal.celery import ping

        result = ping.delay()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_dead()
            try:
                if result.get(timeout=1.0) == "pong":
                    return
            except CeleryTimeoutError:
                continue
        self.stop()
        raise WorkerStartError(
            f"portal.ping got no answer within {timeout:.0f}s from {self.name}:\n{self.log()}"
        )

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to finish or hand back its task."""
        if self.is_alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (warm shutdown: the current task finishes), SIGKILL after ``timeout``."""
        if not self.is_alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _raise_if_dead(self) -> None:
        if not self.is_alive():
            raise WorkerStartError(
                f"worker {self.name} exited with code {self.process.returncode}:\n{self.log()}"
            )


def start_worker_process(
    *,
    env: dict[str, str],
    log_dir: Path,
    queues: str = "celery",
    extra_args: tuple[str, ...] = (),
) -> WorkerProcess:
    number = next(_numbers)
    # Node names are unique across pytest-xdist workers too (remote-control pings name a node).
    xdist = os.environ.get("PYTEST_XDIST_WORKER", "")
    name_template = f"w{number}{'-' + xdist if xdist else ''}@%h"
    log_path = log_dir / f"worker-w{number}.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        queues,
        "-c",
        "1",
        "--loglevel=warning",
        "-n",
        name_template,
        "--include",
        WORKER_TASK_MODULE,
        *extra_args,
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(name=host_format(name_template), process=process, log_path=log_path)
    _started.append(worker)
    return worker
