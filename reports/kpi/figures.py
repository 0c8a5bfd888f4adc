"""The queries: each ``Figure`` aggregates one kind of record for several years at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
)

from portal.models import OrganizationPeriod

from . import snapshots
from .records import (
    COUNTY_Q,
    DEAL_PARTIES,
    PLAN_END,
    PLAN_START,
    SME_KINDS,
    ZERO,
    agricultural_patent_records,
    agricultural_q,
    benefit_period_q,
    benefit_q,
    deal_links_as_of,
    deal_patent_records,
    deal_records,
    deals_as_of,
    demand_records,
    event_records,
    filing_records,
    inquiry_records,
    match_records,
    navigation_records,
    party_in_district_q,
    party_q,
    payment_records,
    payments_as_of,
    plan_period_end,
    pledge_records,
    sme_records,
    subsidy_records,
    subsidy_rule_rows,
    violating_patent_ids,
    year_dates,
    year_q,
    years_q,
)

# --- Queries ---------------------------------------------------------------------------------------


def _count(year: int, in_year: Q):
    return Count("pk", filter=in_year)


def _sum(field: str, default=ZERO):
    return lambda year, in_year: Sum(field, filter=in_year, default=default)


def _distinct_patents(year: int, in_year: Q):
    return Count("patent_id", distinct=True, filter=in_year)


def _plan_period(year: int, in_year: Q):
    return Count("pk", filter=Q(date__gte=PLAN_START, date__lte=plan_period_end(year)))


def _county_patents(year: int, in_year: Q):
    return Count("patent_id", distinct=True, filter=in_year & COUNTY_Q)


@dataclass(frozen=True)
class Figure:
    """One query: its records, the date that places them in a year, the aggregates computed for
    each year, and the path of the district that groups them."""

    key: str
    records: Callable[[str | None], QuerySet]
    date: str
    measures: dict[str, Callable[[int, Q], Any]]
    region: str
    date_kind: str = "date"
    extra_window: Q | None = None


def _deal_figures(prefix: str, indicator: str, party: str) -> list[Figure]:
    """The deal, patent and payment queries of one deal indicator (grouped by its party's district)."""
    return [
        Figure(
            f"{prefix}_deals",
            lambda d: deal_records(indicator, d),
            "contract_date",
            {"deals": _count, "contract_amount": _sum("contract_amount")},
            f"{party}_asof__region_id",
        ),
        Figure(
            f"{prefix}_patents",
            lambda d: deal_patent_records(indicator, d),
            "deal__contract_date",
            {"patents": _distinct_patents},
            f"{party}_asof__region_id",
        ),
        Figure(
            f"{prefix}_payments",
            lambda d: payment_records(indicator, d),
            "date",
            {"received_amount": _sum("amount")},
            f"{party}_asof__region_id",
        ),
    ]


def _where(measure: Callable[[int, Q], Any], condition: Q) -> Callable[[int, Q], Any]:
    return lambda year, in_year: measure(year, in_year & condition)


def _city_deal_figures(district: str | None) -> list[Figure]:
    """The deal, patent and payment figures of both deal indicators, and the agricultural patents,
    reading each table once: every record of the year window, with each aggregate filtered by the
    party (or the patent) it counts. Used when the figures are not grouped by district (the
    indicators group by different parties)."""

    def party(prefix: str, path: str = "deal__") -> Q:
        name, kinds = DEAL_PARTIES[DEAL_PREFIXES[prefix]]
        return party_q(f"{path}{name}", f"{path}contract_date", kinds, district)

    def in_scope(path: str = "deal__") -> Q:
        """With a district: only the records one of whose parties was in it (the rest count nowhere)."""
        date = f"{path}contract_date"
        return party_in_district_q(f"{path}buyer", date, district) | party_in_district_q(
            f"{path}seller", date, district
        )

    agricultural = agricultural_q("patent") & party_in_district_q(
        "deal__buyer", "deal__contract_date", district
    )
    deal_measures = {"deals": _count, "contract_amount": _sum("contract_amount")}
    # The costliest query first: with two connections, one runs it while the other runs the rest.
    return [
        Figure(
            "patents",
            lambda d: deal_links_as_of().filter(in_scope()),
            "deal__contract_date",
            {
                **{
                    f"{prefix}_patents.patents": _where(_distinct_patents, party(prefix))
                    for prefix in DEAL_PREFIXES
                },
                "agricultural.patents": _where(_distinct_patents, agricultural),
                "agricultural.to_county_level": _where(_distinct_patents, agricultural & COUNTY_Q),
            },
            "",
        ),
        Figure(
            "payments",
            lambda d: payments_as_of().filter(in_scope()),
            "date",
            {
                f"{prefix}_payments.received_amount": _where(_sum("amount"), party(prefix))
                for prefix in DEAL_PREFIXES
            },
            "",
        ),
        Figure(
            "deals",
            lambda d: deals_as_of().filter(in_scope("")),
            "contract_date",
            {
                f"{prefix}_deals.{name}": _where(measure, party(prefix, ""))
                for prefix in DEAL_PREFIXES
                for name, measure in deal_measures.items()
            },
            "",
        ),
    ]


DEAL_PREFIXES = {"sme": "sme_acquisitions", "institution": "institution_transfers"}
OTHER_FIGURES: tuple[Figure, ...] = (
    Figure(
        "pledges",
        pledge_records,
        "registration_date",
        {"count": _count, "amount": _sum("amount")},
        "borrower_asof__region_id",
    ),
    Figure("filings", filing_records, "filing_date", {"count": _count}, "organization_asof__region_id"),
    Figure(
        "events",
        event_records,
        "date",
        {"count": _count, "plan_period": _plan_period},
        "district_id",
        extra_window=Q(date__gte=PLAN_START, date__lte=PLAN_END),
    ),
    Figure(
        "navigation", navigation_records, "year_started", {"count": _count}, "region_id", date_kind="year"
    ),
    Figure(
        "subsidies",
        subsidy_records,
        "decision_date",
        {"count": _count, "amount": _sum("approved_amount")},
        "organization_asof__region_id",
    ),
)


def so_far_figures(district: str | None) -> tuple[Figure, ...]:
    """The deals (both deal indicators) and pledges: the few figures a district officer's
    workbench shows for the year so far (two queries, by the KPI definitions)."""
    deals = next(figure for figure in _city_deal_figures(district) if figure.key == "deals")
    pledges = next(figure for figure in OTHER_FIGURES if figure.key == "pledges")
    return (deals, pledges)


AGRICULTURAL_FIGURE = Figure(
    "agricultural",
    agricultural_patent_records,
    "deal__contract_date",
    {"patents": _distinct_patents, "to_county_level": _county_patents},
    "buyer_asof__region_id",
)
# Grouped by district: each deal indicator by its own party's district.
FIGURES: tuple[Figure, ...] = (
    *(
        figure
        for prefix, indicator in DEAL_PREFIXES.items()
        for figure in _deal_figures(prefix, indicator, DEAL_PARTIES[indicator][0])
    ),
    *OTHER_FIGURES,
    AGRICULTURAL_FIGURE,
)
FUNNEL_FIGURES: tuple[Figure, ...] = (
    Figure(
        "demands",
        demand_records,
        "published_at",
        {"count": _count},
        "organization_asof__region_id",
        "datetime",
    ),
    Figure(
        "matches",
        match_records,
        "created_at",
        {"count": _count},
        "organization_asof__region_id",
        "datetime",
    ),
    Figure(
        "inquiries",
        inquiry_records,
        "created_at",
        {"count": _count},
        "organization_asof__region_id",
        "datetime",
    ),
    FIGURES[0],  # sme_deals
)
FIGURES_BY_KEY = {figure.key: figure for figure in (*FIGURES, *FUNNEL_FIGURES)}
# Queries of one report (the deal tables read once for both deal indicators, plus the SMEs
# benefited and the subsidy rule), and of the per-district table (the deal tables read once per
# indicator).
QUERY_COUNT = 3 + len(OTHER_FIGURES) + 2
GROUPED_QUERY_COUNT = len(FIGURES) + 2
# PostgreSQL: memory for the report's hash joins (the default 4 MB spills a year of payments to
# disk), and no JIT compilation, which costs more than it saves on these one-off aggregates.
# Both are SET LOCAL: they end with the report's transaction.
POSTGRES_SETTINGS = {"work_mem": "64MB", "jit": "off"}
# With the queries spread over connections, each query gets one CPU: parallel workers on top of
# two busy connections only make them wait for each other (2 CPUs: 1.31 s instead of 1.57 s).
CONCURRENT_SETTINGS = {**POSTGRES_SETTINGS, "max_parallel_workers_per_gather": "0"}


# The plan periods and their targets, read once per report (targets.plans_all).
PLAN_QUERIES = 1


def query_count(*, grouped: bool = False) -> int:
    """The queries one report runs on this database when it computes every figure: the plans, the
    figures, plus on PostgreSQL the settings and the look-up of closed years' snapshots (outside an
    enclosing transaction, one more: SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, and the
    storing of the snapshots). With valid snapshots of every year it reads, only the plans and the
    look-up."""
    tuning = 1 if connection.vendor == "postgresql" else 0
    return (
        PLAN_QUERIES + (GROUPED_QUERY_COUNT if grouped else QUERY_COUNT) + tuning + int(snapshots.enabled())
    )


def _tune(values: dict[str, str] = POSTGRES_SETTINGS) -> str | None:
    """Apply the report's settings to the current transaction; on PostgreSQL, answer the database
    snapshot the transaction reads in (meaningful in REPEATABLE READ: the snapshots of closed years
    record it), in the same query."""
    if connection.vendor != "postgresql":
        return None
    calls = ", ".join("set_config(%s, %s, true)" for _ in values)
    params = [value for item in values.items() for value in item]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_current_snapshot()::text, {calls}", params)
        return cursor.fetchone()[0]


Raw = dict[str, Any]  # "figure.measure" -> {year: value}


def _alias(figure: str, measure: str, year: int) -> str:
    return f"{figure}_{measure}_{year}"


def _store(raw_by_group: dict, group, key: str, year: int, value) -> None:
    raw_by_group.setdefault(group, {}).setdefault(key, {})[year] = value


def _run(figure: Figure, years: list[int], district: str | None, by_district: bool, out: dict) -> None:
    window = years_q(figure.date, years, figure.date_kind)
    if figure.extra_window is not None:
        window |= figure.extra_window
    qs = figure.records(district).filter(window).order_by()
    aliases, spec = {}, {}
    for name, measure in figure.measures.items():
        # A measure named "figure.measure" stores its value under that key (combined figures).
        key = name if "." in name else f"{figure.key}.{name}"
        for year in years:
            alias = _alias(figure.key, name.replace(".", "_"), year)
            aliases[alias] = (key, year)
            spec[alias] = measure(year, year_q(figure.date, year, figure.date_kind))
    if by_district:
        rows = list(qs.values(reports_group=F(figure.region)).annotate(**spec))
    else:
        rows = [{"reports_group": None, **qs.aggregate(**spec)}]
    for row in rows:
        group = row.pop("reports_group")
        for alias, value in row.items():
            key, year = aliases[alias]
            _store(out, group, key, year, value)


def _benefited(years: list[int], district: str | None, by_district: bool, out: dict) -> None:
    """smes_benefited: one pass over the organizations that were SMEs in the city (the district)
    at some time, with each year's benefit test (a benefit dated while the organization was an
    SME there) and yearly figures as columns, summed per year."""
    if by_district:
        _benefited_by_district(years, out)
        return
    qs = sme_records(district).order_by()
    spec, aliases = {}, {}
    for year in years:
        benefited = f"benefited_{year}"
        qs = qs.annotate(
            **{f"stats_{year}": FilteredRelation("year_stats", condition=Q(year_stats__year=year))}
        ).annotate(
            **{
                benefited: ExpressionWrapper(
                    benefit_q(*year_dates(year), district), output_field=BooleanField()
                ),
                f"revenue_{year}": F(f"stats_{year}__revenue"),
                f"employees_{year}": F(f"stats_{year}__employees"),
            }
        )
        only = Q(**{benefited: True})
        for name, aggregate in (
            ("count", Count("pk", filter=only)),
            ("revenue", Sum(f"revenue_{year}", filter=only, default=ZERO)),
            ("employees", Sum(f"employees_{year}", filter=only, default=0)),
        ):
            alias = _alias("smes_benefited", name, year)
            aliases[alias] = (f"smes_benefited.{name}", year)
            spec[alias] = aggregate
    # distinct() (harmless: one row per organization) makes Django aggregate over a subquery, so
    # each year's benefit test runs once per organization instead of once per aggregate using it.
    row = qs.distinct().aggregate(**spec)
    for alias, value in row.items():
        key, year = aliases[alias]
        _store(out, None, key, year, value)


def _benefited_by_district(years: list[int], out: dict) -> None:
    """The per-district table: one row per period during which an organization was an SME in the
    city, with each year's benefit test; an organization counts once per district and year (in
    each district where it benefited, if it moved during the year)."""
    qs = OrganizationPeriod.objects.filter(kind__in=SME_KINDS, region__isnull=False).order_by()
    columns = ["organization_id", "region_id"]
    for year in years:
        qs = qs.annotate(
            **{
                f"stats_{year}": FilteredRelation(
                    "organization__year_stats", condition=Q(organization__year_stats__year=year)
                )
            }
        ).annotate(
            **{
                f"benefited_{year}": ExpressionWrapper(
                    benefit_period_q(*year_dates(year)), output_field=BooleanField()
                ),
                f"revenue_{year}": F(f"stats_{year}__revenue"),
                f"employees_{year}": F(f"stats_{year}__employees"),
            }
        )
        columns += [f"benefited_{year}", f"revenue_{year}", f"employees_{year}"]
    seen: set[tuple] = set()
    for row in qs.filter(Q(**{f"benefited_{year}": True for year in years}, _connector=Q.OR)).values(
        *columns
    ):
        for year in years:
            pair = (row["organization_id"], row["region_id"], year)
            if not row[f"benefited_{year}"] or pair in seen:
                continue
            seen.add(pair)
            group = out.setdefault(row["region_id"], {})
            for name, value, zero in (
                ("count", 1, 0),
                ("revenue", row[f"revenue_{year}"] or ZERO, ZERO),
                ("employees", row[f"employees_{year}"] or 0, 0),
            ):
                values = group.setdefault(f"smes_benefited.{name}", {})
                values[year] = values.get(year, zero) + value


def _violations(years: list[int], district: str | None, by_district: bool, out: dict) -> None:
    """subsidies.violations: the patents of the year's granted subsidies that break the subsidy
    rule, decided by ``finance.rules.subsidy_violates`` (the function the services and importers
    apply) over one row per subsidy."""
    qs = subsidy_records(district).filter(years_q("decision_date", years)).order_by()
    group = F("organization_asof__region_id") if by_district else Value(None, output_field=CharField())
    rows = subsidy_rule_rows(qs.annotate(reports_group=group), "reports_group")
    found: dict = {}
    for row in rows:
        group = row["reports_group"] if by_district else None
        found.setdefault((group, row["decision_date"].year), []).append(row)
    for year in years:
        _store(out, None, "subsidies.violations", year, 0)
    for (group, year), group_rows in found.items():
        _store(out, group, "subsidies.violations", year, len(violating_patent_ids(group_rows)))


def _run_all(jobs: list[Callable[[dict], None]], out: dict) -> str | None:
    """Run ``jobs`` on this thread's connection, in one transaction with the report's settings.
    Outside an enclosing transaction on PostgreSQL, in REPEATABLE READ: answers its snapshot."""
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(savepoint=False):
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        taken_in = _tune()
        for job in jobs:
            job(out)
    return taken_in if repeatable else None


def _concurrent() -> bool:
    """Whether to spread the queries over several PostgreSQL connections: only outside a
    transaction (a second connection would not see this one's uncommitted rows, e.g. in a test)."""
    return (
        connection.vendor == "postgresql"
        and settings.REPORTS_KPI_CONNECTIONS > 1
        and not connection.in_atomic_block
    )


def _snapshot_transaction(snapshot: str | None = None) -> str | None:
    """Make the current transaction REPEATABLE READ; export its snapshot, or adopt ``snapshot``."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if snapshot is not None:
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            return snapshot
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _run_concurrently(jobs: list[Callable[[dict], None]], out: dict) -> str:
    """Run ``jobs`` on ``REPORTS_KPI_CONNECTIONS`` connections that share one snapshot, so the
    figures are exactly those of a single transaction. Each connection takes the next job from
    the queue when it is free (the costliest jobs come first); on two CPUs a year's report takes
    about the time of its costliest query instead of the sum of all of them."""
    queue = list(reversed(jobs))
    lock = threading.Lock()
    results: list[dict] = []

    def work() -> None:
        """Take jobs until none is left, on this thread's connection (inside its transaction)."""
        mine: dict = {}
        results.append(mine)
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            job(mine)

    def helper(snapshot: str) -> None:
        try:
            with transaction.atomic(savepoint=False):
                _snapshot_transaction(snapshot)
                _tune(CONCURRENT_SETTINGS)
                work()
        finally:
            connections.close_all()  # this thread's own connection

    helpers = settings.REPORTS_KPI_CONNECTIONS - 1
    with transaction.atomic(savepoint=False):
        snapshot = _snapshot_transaction()
        taken_in = _tune(CONCURRENT_SETTINGS)
        with ThreadPoolExecutor(max_workers=helpers) as pool:
            futures = [pool.submit(helper, snapshot) for _ in range(helpers)]
            work()
            for future in futures:
                future.result()  # a helper's error is the report's error
    for partial_out in results:
        for group, values in partial_out.items():
            out.setdefault(group, {}).update(values)
    return taken_in


def collect(
    years: Iterable[int],
    district: str | None = None,
    *,
    by_district: bool = False,
    figures: tuple[Figure, ...] | None = None,
) -> dict[str | None, Raw]:
    """The raw figures for ``years``: ``{group: {"figure.measure": {year: value}}}``; the group is
    None (the city, or ``district``) or, with ``by_district``, each district's code.

    Without ``figures``: every KPI and activity figure (``QUERY_COUNT`` queries, or
    ``GROUPED_QUERY_COUNT`` by district), the closed years from their snapshots while these are
    valid (``snapshots``: one more query on PostgreSQL)."""
    years = sorted(set(years))
    out: dict = {}
    kpis = figures is None
    kept: dict[int, dict] = {}
    scope = snapshots.scope_of(district, by_district)
    if kpis and snapshots.enabled():
        kept = snapshots.load(years, scope)
    missing = [year for year in years if year not in kept]
    if missing:
        taken_in = _compute(missing, district, by_district, figures, out)
        if kpis and taken_in and snapshots.enabled():
            snapshots.store(out, missing, scope, taken_in)
    for year, stored in kept.items():
        snapshots.merge(out, year, stored)
    return out


def _compute(
    years: list[int], district: str | None, by_district: bool, figures: tuple[Figure, ...] | None, out: dict
) -> str | None:
    """Run the queries of ``years`` into ``out``; answers the database snapshot they read in when
    they all read in one (None inside an enclosing transaction, or on SQLite)."""
    kpis = figures is None
    if kpis:
        figures = FIGURES if by_district else (*_city_deal_figures(district), *OTHER_FIGURES)
    jobs = [partial(_run, figure, years, district, by_district) for figure in figures]
    if kpis:
        jobs.append(partial(_benefited, years, district, by_district))
        jobs.append(partial(_violations, years, district, by_district))
    if _concurrent() and len(jobs) > 1:
        return _run_concurrently(jobs, out)
    # One transaction, so that the settings apply to every query (no savepoint: only reads).
    return _run_all(jobs, out)
