"""KPI report benchmark: one year's report with 1,000,000 deals and 2,000,000 payments in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_kpi python -m benchmarks.kpi
    python -m benchmarks.kpi --deals 100000 --payments 200000     # a quicker run
    python -m benchmarks.kpi --skip-generate                       # time again on the data there

Target (issues 7, 13): one year's KPI report (``reports.kpi.kpi_report``, the JSON of ``manage.py
kpi_report``) in <= 2 s (median) with 1,000,000 deals and 2,000,000 payments.

Steps, in one run:
1. (Re)create the database named by DATABASE_URL (its name must start with ``portal_bench``: it is
   dropped first) and migrate it (the reports migration adds the indexes the KPI queries use).
   PostgreSQL only.
2. Generate the data in SQL with ``INSERT ... SELECT ... FROM generate_series`` (no Python loop):
   20,000 organizations (60 % SMEs, 85 % of them in one of the nine districts) with their kind and
   district over time (every 10th organization reclassified or moved on a date in the period, so
   the as-of look-ups meet organizations with two periods), their yearly
   figures, 300,000 patents (10 % agricultural), the deals over 2016-2025 (~100,000 a year; 1 or
   2 patents each), two payments per deal, 100,000 pledges, 50,000 insurance policies, 100,000
   subsidies, 50,000 product filings, 2,000 events and 200 navigation projects; then ANALYZE.
3. Time ``kpi_report(year=Y)`` for the city ``--reps`` times after a warm-up (median, max): as it
   runs, with the closed years' figures from their snapshots (``reports.kpi.snapshots``: the
   warm-up computes and keeps them); then with every figure computed (snapshots off), on
   ``PORTAL_KPI_CONNECTIONS`` (default 2) connections sharing one snapshot, and on one connection
   (the baseline, same run); one district, the per-district table (``kpi_districts``) and the
   trend, computed; and the report right after a change to a record of year Y (Y computed again,
   the base and previous year still from their snapshots).
4. Print EXPLAIN (ANALYZE, BUFFERS) of every query of the city report, slowest first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks._database import recreate_database

TARGET_SECONDS = 2.0
ORGANIZATIONS = 20_000
PATENTS = 300_000
REGIONS = ("150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627")
FIRST_YEAR, YEARS = 2016, 10


# --------------------------------------------------------------------------------------------
# Database


def database_settings() -> dict:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    example = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_kpi python -m benchmarks.kpi"
    if not url:
        raise SystemExit(f"benchmarks.kpi measures PostgreSQL: set DATABASE_URL, e.g.\n  {example}")
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            f"benchmarks.kpi measures PostgreSQL, not {config['ENGINE'].rsplit('.', 1)[-1]}.\n  {example}"
        )
    return config


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


# --------------------------------------------------------------------------------------------
# Data, in SQL


def insert_series(
    model, count: int, exprs: dict[str, str], *, source: str = "generate_series(1, {count}) AS i"
):
    """INSERT INTO <model's table> SELECT ... FROM generate_series: ``exprs`` gives SQL for some
    columns (in terms of ``i``); every other column gets its field's default (or NULL, or now())."""
    from django.db import connection, models

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        columns.append(connection.ops.quote_name(column))
        if column in exprs:
            values.append(exprs[column].replace("%", "%%"))  # a literal modulo, not a placeholder
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        elif field.has_default():
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            values.append("''")
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value for a NOT NULL column")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source.format(count=count).replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def _date(expr_days: str) -> str:
    return f"(DATE '{FIRST_YEAR}-01-01' + ({expr_days})::int)"


def generate(deals: int, payments: int) -> dict[str, float]:
    """Fill the database; returns the seconds each table took."""
    from django.db import connection

    from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
    from matching.models import Event
    from patents.models import NavigationProject, Patent
    from portal.models import Industry, Organization, OrganizationPeriod, OrganizationYearStats

    days = YEARS * 365
    regions = "ARRAY[" + ", ".join(f"'{code}'" for code in REGIONS) + "]"
    # Organizations by id: 1..12000 SMEs, then universities, institutes, SOEs, large enterprises, banks.
    kinds = (
        "CASE WHEN i <= 12000 THEN 'sme' WHEN i <= 13000 THEN 'university' WHEN i <= 14000 THEN 'institute' "
        "WHEN i <= 17000 THEN 'soe' WHEN i <= 19500 THEN 'large_enterprise' ELSE 'bank' END"
    )
    supplier = "(12001 + (i * 7) % 7500)"  # universities, institutes, SOEs, large enterprises
    buyer = "(1 + (i * 13) % 13000)"  # mostly SMEs, some universities
    timings: dict[str, float] = {}

    def step(name, function, *args, **kwargs):
        started = time.perf_counter()
        function(*args, **kwargs)
        timings[name] = time.perf_counter() - started
        print(f"  {name:<24} {timings[name]:7.1f} s", flush=True)

    agriculture = Industry.objects.get(code="agriculture").pk
    n_payments_per_deal = max(1, round(payments / deals))

    step(
        "organizations",
        insert_series,
        Organization,
        ORGANIZATIONS,
        {
            "id": "i",
            "credit_code": "'BENCH' || lpad(i::text, 13, '0')",
            "name": "'基准单位' || i",
            "kind": kinds,
            # 15 % outside the city
            "region_id": f"CASE WHEN i % 20 < 3 THEN NULL ELSE ({regions})[1 + i % 9] END",
            "verified": "true",
        },
    )
    # Periods: every organization from the start; every 10th one changed on a date of the period
    # (an SME becomes a large enterprise, or moves to the next district), so it has two periods.
    change = f"(DATE '{FIRST_YEAR}-01-01' + ((i::bigint * 3571) % {YEARS * 365})::int)"
    moved = f"({regions})[1 + (i + 1) % 9]"
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO {OrganizationPeriod._meta.db_table} (organization_id, kind, region_id, valid_from, valid_to) "
            f"SELECT id, kind, region_id, NULL, CASE WHEN id % 10 = 0 THEN {change.replace('i::', 'id::')} END "
            f"FROM {Organization._meta.db_table} "
            f"UNION ALL "
            f"SELECT id, CASE WHEN kind = 'sme' AND id % 20 = 0 THEN 'large_enterprise' ELSE kind END, "
            f"CASE WHEN region_id IS NOT NULL AND id % 20 = 10 THEN {moved.replace('(i ', '(id ')} ELSE region_id END, "
            f"{change.replace('i::', 'id::')}, NULL FROM {Organization._meta.db_table} WHERE id % 10 = 0"
        )
        cursor.execute(
            f"UPDATE {Organization._meta.db_table} o SET kind = p.kind, region_id = p.region_id "
            f"FROM {OrganizationPeriod._meta.db_table} p WHERE p.organization_id = o.id AND p.valid_to IS NULL"
        )
        timings["organization periods"] = time.perf_counter() - started
        print(f"  {'organization periods':<24} {timings['organization periods']:7.1f} s", flush=True)
    step(
        "organization figures",
        insert_series,
        OrganizationYearStats,
        12000 * YEARS,
        {
            "id": "i",
            "organization_id": "1 + (i - 1) % 12000",
            "year": f"{FIRST_YEAR} + (i - 1) / 12000",
            "revenue": "((i::bigint * 7919) % 50000000)::numeric(16, 2)",
            "employees": "(i * 31) % 300",
        },
    )
    step(
        "patents",
        insert_series,
        Patent,
        PATENTS,
        {
            "id": "i",
            "application_no": "'B' || lpad(i::text, 12, '0')",
            "patent_type": "'invention'",
            "title": "'基准专利' || i",
            "owner_id": "12001 + i % 7500",
            "legal_status": "'granted'",
            "application_date": f"DATE '{FIRST_YEAR - 3}-01-01'",
            "grant_date": f"DATE '{FIRST_YEAR - 1}-01-01'",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO patents_patent_industries (patent_id, industry_id) "
            "SELECT i, %s FROM generate_series(10, %s, 10) AS i",
            [agriculture, PATENTS],
        )
    step(
        "deals",
        insert_series,
        Deal,
        deals,
        {
            "id": "i",
            "deal_no": "'BD' || i",
            "kind": "(ARRAY['transfer', 'license', 'equity'])[1 + i % 3]",
            "license_scope": "CASE WHEN i % 3 = 1 THEN 'ordinary' ELSE '' END",
            "seller_id": supplier,
            "buyer_id": buyer,
            "contract_date": _date(f"(i::bigint * 7919) % {days}"),
            "contract_amount": "(1000 + (i::bigint * 104729) % 2000000)::numeric(14, 2)",
            "registration_no": "CASE WHEN i % 25 = 0 THEN 'R' || i ELSE '' END",
            "status": "CASE WHEN i % 25 = 0 THEN 'registered' WHEN i % 50 = 1 THEN 'terminated' ELSE 'signed' END",
            "terminated_on": f"CASE WHEN i % 50 = 1 THEN {_date(f'(i::bigint * 7919) % {days}')} + 30 END",
        },
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO finance_deal_patents (deal_id, patent_id) "
            "SELECT i, 1 + (i::bigint * 7919) %% %(p)s FROM generate_series(1, %(n)s) AS i "
            "UNION ALL "
            "SELECT i, 1 + (i::bigint * 7919 + 1 + i %% 1000) %% %(p)s FROM generate_series(2, %(n)s, 2) AS i",
            {"p": PATENTS, "n": deals},
        )
        timings["deal patents"] = time.perf_counter() - started
        print(f"  {'deal patents':<24} {timings['deal patents']:7.1f} s", flush=True)
    # Payments: n per deal, every 90 days from the contract date (so many fall in a later year).
    step(
        "payments",
        insert_series,
        Payment,
        payments,
        {
            "id": "i",
            "deal_id": f"1 + (i - 1) % {deals}",
            "date": f"d.contract_date + (((i - 1) / {deals}) * 90 + i % 60)::int",
            "amount": f"(d.contract_amount / {n_payments_per_deal})::numeric(14, 2) + 0.01",
        },
        source=f"generate_series(1, {{count}}) AS i JOIN finance_deal d ON d.id = 1 + (i - 1) % {deals}",
    )
    step(
        "pledges",
        insert_series,
        Pledge,
        100_000,
        {
            "id": "i",
            "registration_no": "'BP' || i",
            "borrower_id": "1 + (i * 17) % 13000",
            "lender_name": "'基准银行'",
            "amount": "(100000 + (i::bigint * 7919) % 5000000)::numeric(14, 2)",
            "registration_date": _date(f"(i::bigint * 7919) % {days}"),
            "term_months": "12",
        },
    )
    step(
        "insurance policies",
        insert_series,
        InsurancePolicy,
        50_000,
        {
            "id": "i",
            "policy_no": "'BI' || i",
            "insured_id": "1 + (i * 19) % 13000",
            "insurer_name": "'基准保险'",
            "premium": "1000",
            "coverage": "100000",
            "start_date": _date(f"(i::bigint * 7919) % {days}"),
        },
    )
    # Subsidies: 80 % approved or paid, 10 % rejected, 10 % applied; 1 % over the 50 % cap.
    step(
        "subsidies",
        insert_series,
        Subsidy,
        100_000,
        {
            "id": "i",
            "organization_id": "1 + (i * 23) % 13000",
            "patent_id": "i",
            "official_fees": "2000",
            "requested_amount": "1500",
            "approved_amount": "CASE WHEN i % 10 < 8 THEN (CASE WHEN i % 100 = 0 THEN 1500 ELSE 800 END) END",
            "status": "CASE WHEN i % 10 < 4 THEN 'approved' WHEN i % 10 < 8 THEN 'paid' "
            "WHEN i % 10 = 8 THEN 'rejected' ELSE 'applied' END",
            "decision_date": f"CASE WHEN i % 10 < 9 THEN {_date(f'(i::bigint * 7919) % {days}')} END",
        },
    )
    step(
        "product filings",
        insert_series,
        ProductFiling,
        50_000,
        {
            "id": "i",
            "filing_no": "'BF' || i",
            "organization_id": "1 + (i * 29) % 13000",
            "product_name": "'基准产品' || i",
            "filing_date": _date(f"(i::bigint * 7919) % {days}"),
        },
    )
    step(
        "events",
        insert_series,
        Event,
        2_000,
        {
            "id": "i",
            "title": "'基准活动' || i",
            "kind": "(ARRAY['roadshow', 'matchmaking', 'training'])[1 + i % 3]",
            "date": _date(f"(i::bigint * 7919) % {days}"),
            "venue": "'会展中心'",
            "status": "CASE WHEN i % 10 = 9 THEN 'cancelled' ELSE 'held' END",
            "district_id": f"CASE WHEN i % 10 = 0 THEN NULL ELSE ({regions})[1 + i % 9] END",
            "organizer": "'市知识产权局'",
        },
    )
    step(
        "navigation projects",
        insert_series,
        NavigationProject,
        200,
        {
            "id": "i",
            "title": "'基准导航项目' || i",
            "kind": "'industry_planning'",
            "enterprise_id": "CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + (i * 37) % 12000 END",
            "status": "CASE WHEN i % 10 = 9 THEN 'suspended' ELSE 'in_progress' END",
            "region_id": f"({regions})[1 + i % 9]",
            "year_started": f"{FIRST_YEAR} + i % {YEARS}",
        },
    )
    for model in (
        Organization,
        OrganizationPeriod,
        OrganizationYearStats,
        Patent,
        Deal,
        Payment,
        Pledge,
        InsurancePolicy,
        Subsidy,
        ProductFiling,
        Event,
        NavigationProject,
    ):
        reset_sequence(model)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    print(f"  {'vacuum analyze':<24} {timings['analyze']:7.1f} s", flush=True)
    return timings


# --------------------------------------------------------------------------------------------
# Timing


def timed(function, reps: int) -> list[float]:
    function()  # warm-up: connection, caches
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def backend_cpu_seconds() -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend process,
    when the server runs on this machine; None otherwise."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serial_cpu(function, reps: int) -> list[float] | None:
    """The database CPU time of ``function`` with parallel workers off: what one idle core needs,
    whatever else the machine is doing (wall times on a loaded machine say more about the load)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        function()
        times = []
        for _ in range(reps):
            before = backend_cpu_seconds()
            if before is None:
                return None
            function()
            times.append(backend_cpu_seconds() - before)
        return times
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def explain(queries: list[dict]) -> list[tuple[float, str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each captured query, with the settings the report runs with:
    (execution ms, SQL, plan)."""
    from django.db import connection, transaction

    from reports.kpi.figures import POSTGRES_SETTINGS

    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in POSTGRES_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        for query in queries:
            # Only the figures' queries: not BEGIN/COMMIT nor the settings.
            if not query["sql"].startswith("SELECT") or query["sql"].startswith("SELECT set_config("):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            lines = [row[0] for row in cursor.fetchall()]
            total = next((float(line.split()[2]) for line in lines if line.startswith("Execution Time")), 0.0)
            plans.append((total, query["sql"], "\n".join(lines)))
    return sorted(plans, key=lambda plan: -plan[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kpi", description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=2_000_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--district", default="150622")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--skip-generate", action="store_true", help="time the data already in the database")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args(argv)

    config = database_settings()
    if not args.skip_generate:
        print(f"recreating database {config['NAME']}", flush=True)
        recreate_database(config, keep_option="--skip-generate")
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from finance.models import Deal, Payment
    from reports import kpi

    if not args.skip_generate:
        call_command("migrate", verbosity=0)
        print(f"generating {args.deals:,} deals and {args.payments:,} payments ...", flush=True)
        started = time.perf_counter()
        generate(args.deals, args.payments)
        print(f"  {'total':<24} {time.perf_counter() - started:7.1f} s", flush=True)

    deal_count, payment_count = Deal.objects.count(), Payment.objects.count()
    year_deals = Deal.objects.in_year(args.year).count()
    print(f"\ndata: {deal_count:,} deals ({year_deals:,} in {args.year}), {payment_count:,} payments")

    connections = settings.REPORTS_KPI_CONNECTIONS
    from reports.kpi import snapshots

    snapshots.clear()
    # The report as it runs: closed years from their snapshots (the warm-up computes and keeps them).
    city = timed(lambda: kpi.kpi_report(year=args.year), args.reps)
    # Every figure computed (no snapshots): on the configured connections, and the baseline of the
    # same run on one connection, one query after the other.
    with override_settings(REPORTS_KPI_SNAPSHOTS=False):
        city_computed = timed(lambda: kpi.kpi_report(year=args.year), args.reps)
        with override_settings(REPORTS_KPI_CONNECTIONS=1):
            city_one = timed(lambda: kpi.kpi_report(year=args.year), args.reps)
            city_cpu = serial_cpu(lambda: kpi.kpi_report(year=args.year), args.reps)
        district = timed(lambda: kpi.kpi_report(year=args.year, district=args.district), args.reps)
        started = time.perf_counter()
        kpi.kpi_districts(year=args.year)
        districts_seconds = time.perf_counter() - started
        started = time.perf_counter()
        kpi.kpi_trend(year=args.year)
        trend_seconds = time.perf_counter() - started
    # After a change to a record of the report's year: that year (and later ones) are computed
    # again, the others still come from their snapshots.
    changed = []
    for _ in range(args.reps):
        kpi.kpi_report(year=args.year)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE finance_payment SET amount = amount WHERE id = (SELECT min(id) FROM finance_payment "
                "WHERE date >= %s AND date < %s)",
                [f"{args.year}-01-01", f"{args.year + 1}-01-01"],
            )
        started = time.perf_counter()
        kpi.kpi_report(year=args.year)
        changed.append(time.perf_counter() - started)

    # On one connection, so that every query is captured (and explained) here.
    with (
        override_settings(REPORTS_KPI_CONNECTIONS=1, REPORTS_KPI_SNAPSHOTS=False),
        CaptureQueriesContext(connection) as captured,
    ):
        report = kpi.kpi_report(year=args.year)
    assert report == kpi.kpi_report(year=args.year), "one connection and several, or the snapshots, disagree"
    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the city report's queries, slowest first:")
        for total, sql, plan in explain(captured.captured_queries):
            print(f"\n--- {total:.1f} ms\n{sql}\n{plan}")

    sme = report["indicators"]["sme_acquisitions"]["values"]
    print(f"\nKPI report {args.year}: sme_acquisitions {sme}")
    selects = [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    with override_settings(REPORTS_KPI_SNAPSHOTS=False):
        expected = kpi.query_count()
    print(
        f"queries per computed report: {len(selects)} (kpi.query_count() = {expected}; plus BEGIN/COMMIT and "
        f"SET TRANSACTION; with snapshots one more, the look-up, and with every year kept only the plans and it)"
    )
    print(
        f"city report      median {statistics.median(city):.3f} s   max {max(city):.3f} s   ({args.reps} runs, "
        f"closed years from their snapshots: PORTAL_KPI_SNAPSHOTS)"
    )
    print(
        f"city report, computed: median {statistics.median(city_computed):.3f} s   max {max(city_computed):.3f} s   "
        f"({connections} connections sharing a snapshot: PORTAL_KPI_CONNECTIONS; no snapshots)"
    )
    print(
        f"city report, computed on one connection (baseline): median {statistics.median(city_one):.3f} s   "
        f"max {max(city_one):.3f} s   ratio to the report {statistics.median(city_one) / statistics.median(city):.1f}x, "
        f"to the computed report {statistics.median(city_one) / statistics.median(city_computed):.2f}x"
    )
    print(
        f"city report after a change to a {args.year} record ({args.year} computed again): "
        f"median {statistics.median(changed):.3f} s   max {max(changed):.3f} s"
    )
    if city_cpu:
        print(
            f"city report, one connection, database CPU with parallel workers off: median {statistics.median(city_cpu):.3f} s"
            f"   max {max(city_cpu):.3f} s"
        )
    print(f"district {args.district}  median {statistics.median(district):.3f} s   max {max(district):.3f} s")
    print(f"all districts (grouped)   {districts_seconds:.3f} s")
    print(f"trend {kpi.TREND_START}-{args.year}         {trend_seconds:.3f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} during the run")
    verdict = "PASS" if statistics.median(city) <= TARGET_SECONDS else "FAIL"
    print(
        f"\n{verdict}: one year's report with {deal_count:,} deals and {payment_count:,} payments: "
        f"median {statistics.median(city):.3f} s, max {max(city):.3f} s (target <= {TARGET_SECONDS:.0f} s); "
        f"computed without snapshots: median {statistics.median(city_computed):.3f} s"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
