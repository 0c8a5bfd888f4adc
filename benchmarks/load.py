"""Load test: gunicorn + PostgreSQL with the 100,000-patent data set, 50 concurrent users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_load python -m benchmarks.load
    make bench-load                                  # the same, with that default database
    python -m benchmarks.load --duration 20 --users 20   # a quicker run

Target (issue 8): 50 users browsing, searching and viewing details for 60 s answer with p95 <= 300 ms
and no errors. Steps, in one run (loopback only, about two minutes once the data exists):

1. Data: migrate the database named by DATABASE_URL (created if missing; PostgreSQL only) and, when
   it holds fewer than ``--patents`` patents, generate them with benchmarks.patents' generator and
   import them with ``manage.py import_data patents`` (a few minutes for 100,000). Then VACUUM ANALYZE.
2. Server: ``collectstatic`` into a temporary folder, then ``gunicorn portal.wsgi -c
   gunicorn.conf.py`` with production settings (DEBUG off, manifest static files, JSON logs to a
   file) on 127.0.0.1, Celery eager (browsing queues no task), and the Redis cache docker-compose
   configures (``REDIS_CACHE_URL``, ``LOAD_REDIS_CACHE_URL`` or redis://127.0.0.1:6379/3, flushed
   first) when a Redis answers, else each worker's memory cache. Warm-up requests.
3. Phases, each reported as throughput and p50/p95/p99 latency (client side: connect to last
   byte; every request opens a new connection, as gunicorn's sync workers close it):
   - ``users``: ``--users`` users for ``--duration`` s, each pausing ``--think`` seconds (uniform)
     between pages like a person reading: the patent list (pages, industry filters, sorting),
     keyword searches (some with a filter or a later page) and patent detail pages; a fifth of the
     users are logged in (an SME member's session). This is the target scenario.
   - ``capacity``: the same users and page mix with no pause, for ``--burst`` s: how many pages per
     second the stack serves when saturated.
   - ``ceiling``: the same users with no pause on ``/healthz`` (one ``SELECT 1`` through the whole
     middleware stack): the ceiling of gunicorn + Django + PostgreSQL on this machine.
A request fails when it does not answer 200 within 30 s. Exits 1 when the users phase misses the
target. ``--json FILE`` writes every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode

from benchmarks._database import create_database_if_missing

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_load"
TARGET_P95_MS = 300.0
REQUEST_TIMEOUT = 30.0
SLOWEST = 8  # requests of the users phase listed by path: what sets the tail
LOGGED_IN_SHARE = 0.2
SEED = 20250801

SEARCH_TERMS = [
    "煤矿",
    "液压",
    "支架",
    "羊绒",
    "乳酸菌",
    "发酵",
    "传感器",
    "锚杆",
    "控制方法",
    "纺纱",
    "牧草",
    "光伏",
    "风电",
    "污水",
    "检测",
    "装置",
    "稀土",
    "焦化",
    "煤气化",
    "e21d",
]
SORTS = ["", "", "price", "-price", "remaining"]


# --------------------------------------------------------------------------------------------
# Data


def database_config(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            "benchmarks.load measures gunicorn + PostgreSQL: DATABASE_URL must be postgres://..."
        )
    return config


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_", "PORTAL_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="portal.settings.local",
        DJANGO_DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_data(database_url: str, patents: int) -> None:
    """Migrate, then import ``patents`` generated patents unless the database already has them."""
    env = child_env(database_url)
    manage("migrate", "--noinput", "-v", "0", env=env)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    import django

    django.setup()
    from patents.models import Patent

    have = Patent.objects.count()
    if have >= patents:
        print(f"data: {have} patents already in the database")
        return
    try:
        from benchmarks.patents import bench_owner, write_csv
    except ImportError as exc:  # the generator lives with the patents benchmark
        raise SystemExit(f"benchmarks.patents has no generator to reuse ({exc})") from None
    from portal.models import Industry

    industries = {
        i.code: [k for k in i.keywords.replace("；", ";").split(";") if k.strip()]
        for i in Industry.objects.all()
    }
    owner = bench_owner()
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        path = Path(folder) / "patents.csv"
        started = time.perf_counter()
        write_csv(path, patents, seed=SEED, industries=industries, owner_name=owner.name)
        print(f"data: generated {patents} patents in {time.perf_counter() - started:.0f}s, importing")
        started = time.perf_counter()
        # Queued follow-up tasks (matching) go to an in-memory broker instead of running inline.
        manage(
            "import_data",
            "patents",
            str(path),
            "--owner",
            owner.credit_code,
            env={**env, "CELERY_BROKER_URL": "memory://"},
        )
        print(f"data: imported in {time.perf_counter() - started:.0f}s")


def vacuum_analyze() -> None:
    """Fresh planner statistics and visibility map: after an import or a migration that rewrote a
    table, a stale one turns index scans into sequential scans and the figures into noise."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"data: VACUUM ANALYZE in {time.perf_counter() - started:.0f}s")


def prepare_fixtures(count: int) -> dict:
    """Application numbers of published patents, industry codes and a logged-in session."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from patents.models import Patent
    from portal.models import Industry, Membership, Organization, Region

    published = list(
        Patent.objects.filter(listing_status=Patent.ListingStatus.PUBLISHED).values_list(
            "application_no", flat=True
        )
    )
    numbers = random.Random(SEED).sample(published, min(count, len(published)))
    if not numbers:
        raise SystemExit("no published patent in the database")
    from portal.identifiers import make_credit_code

    organization, _ = Organization.objects.get_or_create(
        credit_code=make_credit_code("91150602MA00LD001"),
        defaults={
            "name": "负载测试科技有限公司",
            "kind": Organization.Kind.SME,
            "region": Region.objects.get(code="150602"),
            "verified": True,
        },
    )
    user, _ = get_user_model().objects.get_or_create(username="load-test-sme")
    Membership.objects.get_or_create(user=user, organization=organization)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "numbers": numbers,
        "industries": list(Industry.objects.values_list("code", flat=True)),
        "session": session.session_key,
        "patents": Patent.objects.count(),
        "published": len(published),
    }


# --------------------------------------------------------------------------------------------
# Server


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache_url() -> str | None:
    """The shared cache the deployment uses (docker-compose: Redis), when a Redis answers here."""
    url = os.environ.get("LOAD_REDIS_CACHE_URL", "redis://127.0.0.1:6379/3")
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return url
    except OSError:
        pass
    return None


def start_server(database_url: str, folder: Path, workers: int | None, cache_url: str | None) -> Server:
    cache = {"REDIS_CACHE_URL": cache_url} if cache_url else {}
    env = child_env(
        database_url,
        **cache,
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY="load-test-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(folder / "static"),
        PORTAL_VAR_DIR=str(folder / "var"),
        DJANGO_LOG_JSON="true",
    )
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if workers:
        command += ["--workers", str(workers)]
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(port, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --------------------------------------------------------------------------------------------
# Client


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    path: str = ""


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))


async def get(port: int, path: str, cookie: str | None) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "User-Agent: portal-load-test",
            "Accept: text/html,application/json",
            "Connection: close",
        ]
        if cookie:
            head.append(f"Cookie: sessionid={cookie}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii"))
        await writer.drain()
        data = await reader.read()  # to the end: the whole page
        return int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    finally:
        writer.close()


def page_for(rng: random.Random, fixtures: dict) -> tuple[str, str]:
    """(kind, path) of the next page a browsing user opens."""
    roll = rng.random()
    if roll < 0.3:
        params: dict[str, str] = {}
        if rng.random() < 0.4:
            params["industry"] = rng.choice(fixtures["industries"])
        if sort := rng.choice(SORTS):
            params["sort"] = sort
        if rng.random() < 0.5:
            params["page"] = str(rng.randint(2, 30))
        return "browse", "/patents/" + (f"?{urlencode(params)}" if params else "")
    if roll < 0.6:
        params = {"q": rng.choice(SEARCH_TERMS)}
        if rng.random() < 0.25:
            params["industry"] = rng.choice(fixtures["industries"])
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(2, 5))
        return "search", "/patents/?" + urlencode(params)
    return "detail", f"/patents/{rng.choice(fixtures['numbers'])}/"


async def user(
    number: int,
    port: int,
    phase: Phase,
    fixtures: dict,
    *,
    until: float,
    think: tuple[float, float],
    trivial: bool,
    logged_in: bool,
) -> None:
    rng = random.Random(SEED + number)
    cookie = fixtures["session"] if logged_in else None
    if think[1] > 0:  # users arrive spread over the first pause, not all in the same millisecond
        await asyncio.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < until:
        kind, path = ("trivial", "/healthz") if trivial else page_for(rng, fixtures)
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(get(port, path, cookie), REQUEST_TIMEOUT)
            error = None if status == 200 else f"HTTP {status} {path}"
        except (TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__} {path}"
        phase.samples.append(Sample(kind, (time.perf_counter() - started) * 1000, error is None, path))
        if error:
            phase.errors[error] += 1
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))


async def run_phase(
    name: str,
    port: int,
    fixtures: dict,
    *,
    users: int,
    seconds: float,
    think: tuple[float, float],
    trivial: bool = False,
) -> Phase:
    phase = Phase(name)
    started = time.monotonic()
    until = started + seconds
    logged_in = int(users * LOGGED_IN_SHARE)
    await asyncio.gather(
        *(
            user(n, port, phase, fixtures, until=until, think=think, trivial=trivial, logged_in=n < logged_in)
            for n in range(users)
        )
    )
    phase.seconds = time.monotonic() - started
    return phase


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(phase: Phase) -> dict:
    rows = {}
    kinds = sorted({s.kind for s in phase.samples}, key=["browse", "search", "detail", "trivial"].index)
    for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
        samples = [s for s in phase.samples if kind in ("all", s.kind)]
        ms = [s.ms for s in samples]
        rows[kind] = {
            "requests": len(samples),
            "errors": sum(not s.ok for s in samples),
            "rps": round(len(samples) / phase.seconds, 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms), 1),
        }
    slowest = sorted(phase.samples, key=lambda s: -s.ms)[:SLOWEST]
    return {
        "seconds": round(phase.seconds, 1),
        "rows": rows,
        "errors": dict(phase.errors),
        "slowest": [{"path": s.path, "ms": round(s.ms, 1)} for s in slowest],
    }


def print_phase(title: str, result: dict, *, show_slowest: bool = False) -> None:
    print(f"\n{title} ({result['seconds']:.0f} s)")
    print(
        f"  {'pages':<8} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for kind, row in result["rows"].items():
        print(
            f"  {kind:<8} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} {row['p50_ms']:>7} "
            f"{row['p95_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7}"
        )
    for error, count in sorted(result["errors"].items(), key=lambda item: -item[1])[:10]:
        print(f"  ! {count} x {error}")
    if show_slowest:
        print("  slowest: " + ", ".join(f"{s['ms']:.0f} ms {unquote(s['path'])}" for s in result["slowest"]))


def print_server_errors(log_path: Path, limit: int = 3) -> None:
    """The first distinct errors the server logged (its log is a temporary file)."""
    seen: dict[str, str] = {}
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("levelname") in ("ERROR", "CRITICAL") and record.get("exc_info"):
            last = record["exc_info"].strip().splitlines()[-1]
            seen.setdefault(last, record.get("path") or "")
    for error, path in list(seen.items())[:limit]:
        print(f"  server error: {error} ({path})")


async def measure(port: int, fixtures: dict, args) -> dict:
    # Warm-up: every worker loads its templates, the database its pages.
    await run_phase("warm-up", port, fixtures, users=min(args.users, 10), seconds=5, think=(0, 0))
    think = tuple(float(x) for x in args.think.split("-"))
    results = {}
    phases = [
        (
            "users",
            f"{args.users} users browsing, searching, viewing details, {args.think} s between pages",
            dict(seconds=args.duration, think=think),
        ),
        (
            "capacity",
            f"{args.users} users, same pages, no pause (saturation)",
            dict(seconds=args.burst, think=(0, 0)),
        ),
        (
            "ceiling",
            f"{args.users} users on /healthz, no pause (ceiling of the stack)",
            dict(seconds=args.burst, think=(0, 0), trivial=True),
        ),
    ]
    for name, title, options in phases:
        if name != "users" and args.burst <= 0:
            continue
        phase = await run_phase(name, port, fixtures, users=args.users, **options)
        results[name] = {"title": title, **summary(phase)}
        print_phase(title, results[name], show_slowest=name == "users")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of the users phase")
    parser.add_argument("--think", default="1-3", help="seconds between a user's pages, MIN-MAX (uniform)")
    parser.add_argument(
        "--burst", type=float, default=20, help="seconds of the capacity and ceiling phases (0: skip)"
    )
    parser.add_argument("--patents", type=int, default=100_000, help="patents the data set must hold")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    config = database_config(database_url)
    create_database_if_missing(config)
    ensure_data(database_url, args.patents)
    vacuum_analyze()
    fixtures = prepare_fixtures(5000)
    print(
        f"data: {fixtures['patents']} patents, {fixtures['published']} published; "
        f"{len(fixtures['numbers'])} detail pages sampled"
    )

    cache_url = redis_cache_url()
    if cache_url:
        import redis

        redis.Redis.from_url(cache_url).flushdb()  # start cold: nothing cached by an earlier run
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        server = start_server(database_url, Path(folder), args.workers, cache_url)
        try:
            workers = len(
                subprocess.run(
                    ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True, check=False
                ).stdout.split()
            )
            print(
                f"server: gunicorn, {workers} sync workers, production settings, 127.0.0.1:{server.port}; "
                f"{os.cpu_count()} CPUs, Python {platform.python_version()}; cache: "
                + (
                    f"Redis {cache_url} (as docker-compose)"
                    if cache_url
                    else "per-process memory (no Redis here)"
                )
            )
            results = asyncio.run(measure(server.port, fixtures, args))
        finally:
            server.stop()
        print_server_errors(server.log_path)

    users = results["users"]["rows"]["all"]
    met = users["p95_ms"] <= TARGET_P95_MS and users["errors"] == 0
    print(
        f"\ntarget (users phase): p95 <= {TARGET_P95_MS:.0f} ms and no errors: "
        f"{'met' if met else 'MISSED'} (p95 {users['p95_ms']} ms, {users['errors']} errors)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "args": vars(args) | {"json": str(args.json)},
                    "gunicorn_workers": workers,
                    "cpus": os.cpu_count(),
                    "data": {k: fixtures[k] for k in ("patents", "published")},
                    "results": results,
                },
                indent=2,
                ensure_ascii=False,
            ),
            "utf-8",
        )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
