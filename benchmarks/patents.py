"""Patent inventory benchmark: the 100,000-row import and browse/search latency on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python -m benchmarks.patents
    python -m benchmarks.patents --rows 20000 --reps 10     # a quicker run
    python -m benchmarks.patents --skip-import               # latency only, on the data already there

Targets (issue 3): a 100,000-row CSV imports in <= 60 s with peak memory <= 500 MB; list and search
answer in <= 150 ms server time at the median with 100,000 patents.

Steps, in one run:
1. (Re)create the database named by DATABASE_URL (its name must start with ``portal_bench``: it is
   dropped first) and migrate it. PostgreSQL only: SQLite is refused.
2. Generate a deterministic CSV: titles and abstracts recombined from demo/data/patent_texts.jsonl
   within each industry, valid application numbers (check character from
   patents.identifiers.check_character), IPC main groups of the shipped scheme, industries,
   prices, statuses; about 70 % of the rows are published listings.
3. Baseline: import the first 1,000 rows, time the browse page and the API with no filter, then
   empty the patent tables.
4. Time ``manage.py import_data patents FILE --owner CODE`` in a child process: wall time and the
   child's peak RSS (``os.wait4``); then the re-import of the same file (all unchanged).
5. ANALYZE, then time GET /patents/?... and /api/patents/?... with Django's test client in this
   process (server time: request to response, no network), ``--reps`` times each after a warm-up:
   median and p95, ratio to the baseline, SQL queries per request.
6. EXPLAIN (ANALYZE, BUFFERS) of the count and page queries each search/filter case ran.

The import and the requests run with DEBUG off and Celery tasks queued to an in-memory broker
(as with a real broker, the matching work queued after the import does not run inside it).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

from benchmarks._database import recreate_database

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "demo" / "data" / "patent_texts.jsonl"
IPC_TITLES = ROOT / "patents" / "data" / "ipc_titles.tsv"

IMPORT_SECONDS_TARGET = 60.0
IMPORT_MB_TARGET = 500.0
LATENCY_MS_TARGET = 150.0
BASELINE_ROWS = 1000
RESULT_COUNT = re.compile(r'id="result-count".*?<strong>([\d,]+)</strong>', re.S)
OWNER_CREDIT_PREFIX = "12150600MB0000000"  # + check character: a public institution (事业单位)

HEADER = [
    "application_no",
    "title",
    "abstract",
    "claims",
    "ipc",
    "applicants",
    "inventors",
    "application_date",
    "grant_date",
    "legal_status",
    "industries",
    "deal_kinds",
    "open_license",
    "asking_price",
    "trl",
    "implemented",
    "keywords",
    "listing_status",
]

# Browse page and API cases measured on the full data set: (label, query parameters).
PAGE_CASES = [
    ("list, no filter", {}),
    ("keyword 煤矿", {"q": "煤矿"}),
    ("keyword 方法 (common)", {"q": "方法"}),
    ("keyword 液压 支架 (two terms)", {"q": "液压 支架"}),
    ("keyword 乳酸菌 (3 chars)", {"q": "乳酸菌"}),
    ("keyword e21d (Latin, IPC)", {"q": "e21d"}),
    ("keyword 煤矿 page 20", {"q": "煤矿", "page": "20"}),
    ("industry coal", {"industry": "coal"}),
    ("industry dairy + agriculture", {"industry": ["dairy", "agriculture"]}),
    ("IPC subclass E21D", {"ipc_subclass": "E21D"}),
    ("IPC class A23", {"ipc_class": "A23"}),
    ("patent type utility model", {"patent_type": "utility_model"}),
    ("legal status granted", {"legal_status": "granted"}),
    ("price 100k-500k", {"price_min": "100000", "price_max": "500000"}),
    ("sort price ascending", {"sort": "price"}),
    ("sort price descending", {"sort": "-price"}),
    ("sort remaining protection", {"sort": "remaining"}),
    (
        "煤矿 + coal + granted, by price",
        {"q": "煤矿", "industry": "coal", "legal_status": "granted", "sort": "price"},
    ),
    (
        "方法 + utility model + price range",
        {"q": "方法", "patent_type": "utility_model", "price_min": "100000"},
    ),
]
API_CASES = [
    ("API list, no filter", {}),
    ("API keyword 煤矿", {"q": "煤矿"}),
    ("API keyword 方法", {"q": "方法"}),
    ("API industry coal, IPC E21D", {"industry": "coal", "ipc_subclass": "E21D"}),
    ("API price range, sort price", {"price_min": "100000", "price_max": "500000", "sort": "price"}),
]


# --------------------------------------------------------------------------------------------
# Database


def database_settings() -> dict:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit(
            "benchmarks.patents measures PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python -m benchmarks.patents"
        )
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            f"benchmarks.patents measures PostgreSQL, not {config['ENGINE'].rsplit('.', 1)[-1]}: "
            "the targets, the search indexes and the COPY import path are PostgreSQL's. "
            "Set DATABASE_URL=postgres://USER@HOST:PORT/portal_bench."
        )
    return config


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    import django

    django.setup()


def child_environment() -> dict:
    env = dict(os.environ)
    env["DJANGO_DEBUG"] = "false"
    # Tasks go to a broker (here an in-memory one) as in production instead of running inline.
    env.setdefault("CELERY_BROKER_URL", "memory://")
    return env


# --------------------------------------------------------------------------------------------
# Data


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉宇浩凯健俊帆帅旭宁波斌文博林雪琳晨阳楠海峰志东"
TITLE_SUFFIXES = ("", "", "", "", "及其制备方法", "及其应用", "的控制方法", "系统", "装置", "的检测方法")


def _owner_credit_code() -> str:
    from portal.identifiers import make_credit_code

    return make_credit_code(OWNER_CREDIT_PREFIX)


class PatentRows:
    """Deterministic, realistic rows for the patents import (same seed, same file)."""

    def __init__(self, *, seed: int, industries: dict[str, list[str]], owner_name: str):
        self.rng = random.Random(seed)
        self.owner_name = owner_name
        self.today = dt.date.today()
        self.keywords = industries  # industry code -> its keywords
        by_industry: dict[str, list[dict]] = {}
        with open(TEXTS, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                by_industry.setdefault(record["industry"], []).append(record)
        self.industries = sorted(by_industry)
        self.weights = [len(by_industry[i]) for i in self.industries]
        self.records = by_industry
        self.heads: dict[str, list[str]] = {}
        self.modifiers: dict[str, list[str]] = {}
        self.sentences: dict[str, list[str]] = {}
        for industry, records in by_industry.items():
            for record in records:
                core = record["title"].removeprefix("一种")
                head = core.rsplit("的", 1)
                self.heads.setdefault(industry, []).append(head[-1])
                if len(head) == 2:
                    self.modifiers.setdefault(industry, []).append(head[0])
                for sentence in record["abstract"].replace("；", "。").split("。"):
                    if 6 <= len(sentence) <= 120 and not sentence.startswith("本发明公开了"):
                        self.sentences.setdefault(industry, []).append(sentence)
        self.ipc = self._ipc_pools(by_industry)

    def _ipc_pools(self, by_industry: dict[str, list[dict]]) -> dict[str, list[str]]:
        """Main groups of the shipped IPC scheme under the subclasses each industry's texts use."""
        subclasses = {
            industry: {record["ipc"].split()[0] for record in records if record.get("ipc")}
            for industry, records in by_industry.items()
        }
        groups: dict[str, list[str]] = {}
        with open(IPC_TITLES, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["level"] == "main_group":
                    groups.setdefault(row["code"].split()[0], []).append(row["code"])
        return {
            industry: sorted(code for sub in subs for code in groups.get(sub, [])) or sorted(subs)
            for industry, subs in subclasses.items()
        }

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def row(self, index: int) -> list[str]:
        rng = self.rng
        industry = rng.choices(self.industries, self.weights)[0]
        kind = rng.random()
        type_digit, first_year = ("1", 2008) if kind < 0.6 else ("2", 2015) if kind < 0.95 else ("3", 2019)
        year = rng.randint(first_year, self.today.year - 1)
        serial = (index * 7919 + 12345) % 10_000_000  # a permutation of 0..9,999,999: distinct
        digits = f"{year}{type_digit}{serial:07d}"
        from patents.identifiers import TYPE_BY_DIGIT, check_character, expiry_date

        number = f"{digits}.{check_character(digits)}"
        if index % 10 == 3:  # as some exports write it
            number = "CN" + number.replace(".", "")

        modifier = rng.choice(self.modifiers.get(industry) or [""]) if rng.random() < 0.6 else ""
        title = "一种" + (modifier + "的" if modifier else "") + rng.choice(self.heads[industry])
        title += rng.choice(TITLE_SUFFIXES)
        sentences = rng.sample(
            self.sentences[industry], k=min(len(self.sentences[industry]), rng.randint(3, 6))
        )
        abstract = f"本发明公开了{title}。" + "。".join(sentences) + "。"
        claims = f"1.{title}，其特征在于，{sentences[0]}。" if rng.random() < 0.3 else ""

        pool = self.ipc[industry]
        codes = [rng.choice(pool) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
        codes = list(dict.fromkeys(codes))

        filed = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        expiry = expiry_date(TYPE_BY_DIGIT[type_digit], filed)
        roll = rng.random()
        status = (
            "granted"
            if roll < 0.6
            else "pending"
            if roll < 0.8
            else "lapsed"
            if roll < 0.97
            else "invalidated"
        )
        if status == "pending" and type_digit != "1":
            status = "granted"  # utility models and designs are not examined for long
        if expiry <= self.today and status in ("granted", "pending"):
            status = "expired"
        granted = None
        if status != "pending":
            granted = filed + dt.timedelta(days=rng.randint(150 if type_digit != "1" else 500, 1400))
            granted = min(granted, self.today)

        industries = [industry]
        if rng.random() < 0.2:
            industries.append(rng.choice(self.industries))
        deal_kinds = [k for k in ("transfer", "license", "equity") if rng.random() < 0.5]
        open_license = rng.random() < 0.1
        price = "" if rng.random() < 0.25 else str(rng.randint(5, 500) * 10_000)
        trl = str(rng.randint(1, 9)) if rng.random() < 0.6 else ""
        implemented = "yes" if rng.random() < 0.2 else "no"
        keywords = ";".join(rng.sample(self.keywords.get(industry) or ["技术"], k=2))
        publishable = status in ("granted", "pending") and (deal_kinds or open_license)
        listing = "published" if publishable and rng.random() < 0.85 else "draft"
        applicants = self.owner_name + ("" if rng.random() < 0.8 else ";鄂尔多斯市某某能源有限公司")
        inventors = ";".join(self._name() for _ in range(rng.randint(1, 5)))
        return [
            number,
            title,
            abstract,
            claims,
            ";".join(codes),
            applicants,
            inventors,
            filed.isoformat(),
            granted.isoformat() if granted else "",
            status,
            ";".join(dict.fromkeys(industries)),
            ";".join(deal_kinds),
            "yes" if open_license else "no",
            price,
            trl,
            implemented,
            keywords,
            listing,
        ]


def write_csv(path: Path, rows: int, *, seed: int, industries: dict[str, list[str]], owner_name: str) -> None:
    generator = PatentRows(seed=seed, industries=industries, owner_name=owner_name)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for index in range(rows):
            writer.writerow(generator.row(index))


def bench_owner():
    """The university that owns the benchmark inventory (created once)."""
    from portal.models import Organization, Region

    owner, _ = Organization.objects.get_or_create(
        credit_code=_owner_credit_code(),
        defaults={
            "name": "鄂尔多斯应用技术学院",
            "kind": Organization.Kind.UNIVERSITY,
            "region": Region.objects.get(code="150602"),
            "verified": True,
            "public_contact": "技术转移中心 0477-0000000",
        },
    )
    return owner


# --------------------------------------------------------------------------------------------
# Import, in a child process


def _backend_cpu(application_name: str) -> tuple[int, float] | None:
    """(pid, CPU seconds) of the PostgreSQL backend serving a connection, when the server runs on
    this machine (its /proc is readable)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        row = cursor.fetchone()
    if row is None:
        return None
    try:
        with open(f"/proc/{row[0]}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return row[0], (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(args: list[str]) -> dict:
    """Run a command: its wall time, CPU time and peak RSS (os.wait4: this child only), the CPU
    time of the PostgreSQL backend serving it (sampled while it runs) and the load average."""
    application_name = f"portal-bench-{os.getpid()}-{time.monotonic_ns()}"
    env = {**child_environment(), "PGAPPNAME": application_name}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        loads = [os.getloadavg()[0]]
        backend: dict[int, float] = {}
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            sample = _backend_cpu(application_name)
            if sample:
                backend[sample[0]] = sample[1]
            loads.append(os.getloadavg()[0])
            time.sleep(0.1)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "db_cpu_s": sum(backend.values()) if backend else None,
            "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
            "exit": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode().strip(),
            "stderr": err.read().decode().strip(),
            "load": statistics.mean(loads),
        }


def import_file(path: Path, owner_code: str) -> dict:
    result = run_child(
        [sys.executable, "manage.py", "import_data", "patents", str(path), "--owner", owner_code]
    )
    if result["exit"] != 0:
        raise SystemExit(f"import failed (exit {result['exit']}):\n{result['stderr'][-3000:]}")
    return result


def empty_patent_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE patents_patent, patents_historicalpatent RESTART IDENTITY CASCADE")


def vacuum_analyze() -> float:
    """What autovacuum does soon after a large import, done now so that the plans are steady."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "patents_patent",
            "patents_patentipc",
            "patents_patent_industries",
            "patents_historicalpatent",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# Latency, in this process


def url_for(path: str, params: dict) -> str:
    return path + ("?" + urlencode(params, doseq=True) if params else "")


def measure(client, url: str, reps: int) -> dict:
    """Server time of ``reps`` GETs after two warm-up requests, and the SQL they run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": len(queries),
        "sql": [q["sql"] for q in queries.captured_queries],
        "count": _result_count(response),
    }


def _result_count(response) -> int | None:
    """The result count the page or the API shows."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.loads(response.content).get("count")
    match = RESULT_COUNT.search(response.content.decode())
    return int(match[1].replace(",", "")) if match else None


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def patent_queries(sql: list[str]) -> list[str]:
    """The count and page queries on the patents table (not the prefetches and look-ups)."""
    return [q for q in sql if 'FROM "patents_patent"' in q and "_prefetch_related_val" not in q]


INDEX_IN_PLAN = re.compile(
    r"(?:Index Scan|Index Only Scan) using (\S+) on patents_patent|Bitmap Index Scan on (\S+)"
)


def indexes_used(plan: list[str]) -> str:
    """The patents table's indexes a plan reads ("seq scan" when it reads the table instead)."""
    names: dict[str, None] = {}
    for line in plan:
        for match in INDEX_IN_PLAN.finditer(line):
            name = match[1] or match[2]
            if name.startswith("patent"):
                names[name.removeprefix("patent_").removeprefix("patents_patent_")] = None
        if "Seq Scan on patents_patent " in line:
            names["seq scan"] = None
    return ", ".join(names) or "-"


# --------------------------------------------------------------------------------------------
# Output


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.patents", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the generated CSV (100,000)")
    parser.add_argument("--reps", type=int, default=30, help="requests per latency case (30)")
    parser.add_argument("--seed", type=int, default=20_240_601, help="seed of the generated data")
    parser.add_argument(
        "--skip-import", action="store_true", help="measure latency on the patents already in the database"
    )
    parser.add_argument("--csv", type=Path, help="also keep the generated CSV at this path")
    parser.add_argument(
        "--plans",
        choices=("all", "search", "none"),
        default="search",
        help="EXPLAIN ANALYZE for which cases (default: keyword and filter cases)",
    )
    args = parser.parse_args(argv)

    config = database_settings()
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    if not args.skip_import:
        recreate_database(config, keep_option="--skip-import")
    setup_django()
    logging.disable(logging.INFO)  # the per-request log lines
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from portal.models import Industry

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    print(
        f"benchmarks.patents: database {config['NAME']} (PostgreSQL {server_version}), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, DEBUG={settings.DEBUG}"
    )
    print(f"migrated in {time.perf_counter() - started:.1f} s")

    owner = bench_owner()
    keywords = {i.code: [k for k in i.keywords.split(";") if k] for i in Industry.objects.all()}
    client = Client(HTTP_HOST="127.0.0.1")
    figures: dict = {"rows": args.rows}

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        if not args.skip_import:
            path = Path(tmp) / "patents.csv"
            started = time.perf_counter()
            write_csv(path, args.rows, seed=args.seed, industries=keywords, owner_name=owner.name)
            print(
                f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s "
                f"({path.stat().st_size / 1e6:.0f} MB)"
            )
            if args.csv:
                args.csv.write_bytes(path.read_bytes())

            # Baseline: the same pages on 1,000 patents (the first rows of the same data).
            small = Path(tmp) / "baseline.csv"
            write_csv(small, BASELINE_ROWS, seed=args.seed, industries=keywords, owner_name=owner.name)
            import_file(small, owner.credit_code)
            vacuum_analyze()
            figures["baseline"] = {
                "page": measure(client, "/patents/", args.reps),
                "api": measure(client, "/api/patents/", args.reps),
            }
            empty_patent_tables()

            first = import_file(path, owner.credit_code)
            again = import_file(path, owner.credit_code)
            figures["import"], figures["reimport"] = first, again
            table(
                f"Import of {args.rows:,} rows: manage.py import_data patents FILE --owner CODE (child process)",
                [
                    "run",
                    "wall s",
                    "CPU s (Python)",
                    "CPU s (PostgreSQL)",
                    "peak RSS MB",
                    "load avg",
                    "summary",
                ],
                [
                    [
                        name,
                        f"{r['wall_s']:.1f}",
                        f"{r['cpu_s']:.1f}",
                        "n/a" if r["db_cpu_s"] is None else f"{r['db_cpu_s']:.1f}",
                        f"{r['peak_rss_mb']:.0f}",
                        f"{r['load']:.1f}",
                        r["stdout"],
                    ]
                    for name, r in (("first import", first), ("re-import", again))
                ],
            )
            print(
                "  (load avg: the machine's mean 1-minute load during the run, this import included; "
                "with 2 CPUs, wall time is close to the sum of the two CPU times once other work "
                "takes a CPU)"
            )
            print(f"VACUUM ANALYZE after the import: {vacuum_analyze():.1f} s")
        else:
            figures["baseline"] = None

    from patents.models import Patent

    total = Patent.objects.count()
    published = Patent.objects.filter(listing_status=Patent.ListingStatus.PUBLISHED).count()
    print(f"\n{total:,} patents, {published:,} published (what anonymous visitors browse)")

    cases = [("page", label, url_for("/patents/", params)) for label, params in PAGE_CASES]
    cases += [("api", label, url_for("/api/patents/", params)) for label, params in API_CASES]
    results = []
    for kind, label, url in cases:
        measured = measure(client, url, args.reps)
        measured["plans"] = [(sql, explain(sql)) for sql in patent_queries(measured["sql"])]
        results.append((kind, label, url, measured))

    baseline = figures["baseline"]
    rows = []
    if baseline:
        for kind in ("page", "api"):
            b = baseline[kind]
            rows.append(
                [
                    f"BASELINE {kind}, no filter, {BASELINE_ROWS:,} patents",
                    f"{b['median_ms']:.1f}",
                    f"{b['p95_ms']:.1f}",
                    "1.0",
                    str(b["queries"]),
                    str(b["count"]),
                    "",
                    "",
                ]
            )
    for kind, label, _link, r in results:
        ratio = f"{r['median_ms'] / baseline[kind]['median_ms']:.1f}" if baseline else "-"
        rows.append(
            [
                label,
                f"{r['median_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                ratio,
                str(r["queries"]),
                str(r["count"]),
                verdict(r["median_ms"] <= LATENCY_MS_TARGET),
                " / ".join(indexes_used(plan) for _sql, plan in r["plans"]),
            ]
        )
    table(
        f"Server time, Django test client, {args.reps} requests each after 2 warm-ups "
        f"(target: median <= {LATENCY_MS_TARGET:.0f} ms with {total:,} patents)",
        [
            "case",
            "median ms",
            "p95 ms",
            "x baseline",
            "queries",
            "results",
            "target",
            "patent indexes: count / page",
        ],
        rows,
    )

    print("\nQuery plans (EXPLAIN ANALYZE of the count and page queries each case ran)")
    for kind, label, url, r in results:
        if args.plans == "none" or (args.plans == "search" and (kind != "page" or url == "/patents/")):
            continue
        print(f"\n=== {label}: GET {url}")
        for sql, plan in r["plans"]:
            print(f"--- {sql[:160]}{'...' if len(sql) > 160 else ''}")
            print("\n".join("    " + line for line in plan))

    if figures.get("import"):
        first = figures["import"]
        print("\nSummary")
        print(
            f"  import {args.rows:,} rows: {first['wall_s']:.1f} s (target <= {IMPORT_SECONDS_TARGET:.0f}) "
            f"{verdict(first['wall_s'] <= IMPORT_SECONDS_TARGET)}; peak RSS {first['peak_rss_mb']:.0f} MB "
            f"(target <= {IMPORT_MB_TARGET:.0f}) {verdict(first['peak_rss_mb'] <= IMPORT_MB_TARGET)}; "
            f"re-import {figures['reimport']['wall_s']:.1f} s"
        )
        slow = [label for _kind, label, _link, r in results if r["median_ms"] > LATENCY_MS_TARGET]
        print(
            f"  latency: {len(results) - len(slow)}/{len(results)} cases with median <= "
            f"{LATENCY_MS_TARGET:.0f} ms" + (f"; over: {', '.join(slow)}" if slow else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
