"""The records behind each figure, and the inputs (year, district) that select them.

Each ``*_records`` function returns the queryset of the records a figure counts or sums; the
figures (``figures.py``) aggregate these querysets and the drill-down pages list them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, FilteredRelation, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncDate
from django.utils.translation import gettext as _

from demands.models import Demand
from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from finance.rules import subsidy_violates
from matching.models import Event, Inquiry, Match
from patents.models import NavigationProject, Patent
from portal.errors import ApplicationError
from portal.models import Organization, OrganizationPeriod, Region

YEAR_MIN, YEAR_MAX = 2000, 2100
# The plan runs from mid-2021: trends start in its first year.
TREND_START = 2021
# A trend shows at most this many years (the latest): one aggregate column per year and figure.
TREND_MAX_YEARS = 15
# The plan's roadshow target counts the events of the plan period, 2021 to 2023 (docs/kpi.md).
PLAN_START, PLAN_END = datetime.date(2021, 1, 1), datetime.date(2023, 12, 31)
ROADSHOW_TARGET = 3
NAVIGATION_TARGET = 1
GROWTH_TARGET = Decimal("0.2")
TIMEZONE = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
GROWTH_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")

DEAL_KINDS = (Deal.Kind.TRANSFER, Deal.Kind.LICENSE, Deal.Kind.EQUITY)
SME_KINDS = (Organization.Kind.SME,)
INSTITUTION_KINDS = (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE)
ROADSHOW_KINDS = (Event.Kind.ROADSHOW, Event.Kind.MATCHMAKING)

# --- Input -----------------------------------------------------------------------------------------


def check_year(value) -> int:
    """The year as an int, or ApplicationError with a message a user can act on."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise ApplicationError(
            _("年度无效：%(value)s（应为 %(min)s–%(max)s 之间的年份）。")
            % {"value": value, "min": YEAR_MIN, "max": YEAR_MAX}
        )
    return year


def check_district(code) -> str | None:
    """A known district code, None for the whole city, or ApplicationError."""
    code = (str(code).strip() if code is not None else "") or None
    if code is not None and not Region.objects.filter(code=code).exists():
        raise ApplicationError(_("未知的旗区代码：%(code)s。") % {"code": code})
    return code


# --- Dates -----------------------------------------------------------------------------------------


def year_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """[1 January, 1 January of the next year)."""
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def year_moments(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The same calendar year for timestamps, in Asia/Shanghai."""
    return (
        datetime.datetime(year, 1, 1, tzinfo=TIMEZONE),
        datetime.datetime(year + 1, 1, 1, tzinfo=TIMEZONE),
    )


def plan_period_end(year: int) -> datetime.date:
    """The roadshow count of year Y's report stops at the end of Y (or of the plan)."""
    return min(PLAN_END, datetime.date(year, 12, 31))


# --- Organizations as of a record's date ----------------------------------------------------------
# Each record counts with the kind and district its organizations had on the record's date (deal:
# contract date; payment: its deal's contract date; pledge: registration date; ...), read from
# the organization's periods (``portal.OrganizationPeriod``). A record's parties are joined to
# the one period covering that date, under the alias ``<party>_asof`` (``buyer_asof``, ...): a
# hash join on the organization with the date range as join filter, so every aggregate of a
# report can test the parties of the row it reads without a subquery per row.


def period_relation(org_path: str, date) -> FilteredRelation:
    """The period of the organization at ``org_path`` that covers ``date`` (a field path or an
    expression), as a relation to join."""
    periods = f"{org_path}__periods"
    on = F(date) if isinstance(date, str) else date
    starts = Q(**{f"{periods}__valid_from__isnull": True}) | Q(**{f"{periods}__valid_from__lte": on})
    ends = Q(**{f"{periods}__valid_to__isnull": True}) | Q(**{f"{periods}__valid_to__gt": on})
    return FilteredRelation(periods, condition=starts & ends)


def as_of(qs: QuerySet, parties: dict[str, str], date) -> QuerySet:
    """``qs`` with ``<alias>_asof`` joined for each ``{alias: org_path}``, as of ``date``."""
    return qs.alias(**{f"{alias}_asof": period_relation(path, date) for alias, path in parties.items()})


def local_date(field: str):
    """A timestamp's calendar date in Asia/Shanghai (for the as-of look-up of timestamped records)."""
    return TruncDate(field, tzinfo=TIMEZONE)


def classified_q(alias: str, kinds: Iterable[str] | None, district: str | None) -> Q:
    """The party joined as ``<alias>_asof`` was, on the record's date, of one of ``kinds`` (any
    kind when None) and in the city (in ``district``)."""
    q = Q(**{f"{alias}_asof__kind__in": list(kinds)}) if kinds is not None else Q()
    if district:
        return q & Q(**{f"{alias}_asof__region_id": district})
    return q & Q(**{f"{alias}_asof__region__isnull": False})


def in_district_q(alias: str, district: str | None) -> Q:
    """Activities: the whole city counts everything; a district only its own (as of the date)."""
    return Q(**{f"{alias}_asof__region_id": district}) if district else Q()


def _periods(kinds: Iterable[str] | None, district: str | None, *, county: bool = False) -> QuerySet:
    periods = OrganizationPeriod.objects.all()
    if kinds is not None:
        periods = periods.filter(kind__in=list(kinds))
    if county:
        return periods.filter(region__is_county_level=True)
    return periods.filter(region_id=district) if district else periods.filter(region__isnull=False)


def party_q(
    org_path: str, date_path: str, kinds: Iterable[str] | None, district: str | None, *, county: bool = False
) -> Q:
    """The same test as ``classified_q``, without joining the periods to every row: the cheap way
    for the filters and aggregates of the reports (a report reads hundreds of thousands of rows).

    Most organizations never changed: one period, from the start and open-ended. Whether such an
    organization qualifies does not depend on the date, so it is an uncorrelated
    ``org IN (SELECT ...)`` that PostgreSQL hashes once. Only for an organization with several
    periods (one of which qualifies) is the period covering the row's date looked up, by its
    index (organization, valid_from)."""
    periods = _periods(kinds, district, county=county)
    single = periods.filter(valid_from__isnull=True, valid_to__isnull=True).values("organization_id")
    changed = periods.filter(Q(valid_from__isnull=False) | Q(valid_to__isnull=False)).values(
        "organization_id"
    )
    on = OuterRef(date_path)
    covering = periods.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        organization_id=OuterRef(org_path),
    )
    return Q(**{f"{org_path}__in": single}) | (Q(**{f"{org_path}__in": changed}) & Q(Exists(covering)))


def party_in_district_q(org_path: str, date_path: str, district: str | None) -> Q:
    """``in_district_q`` without the join: the party was in ``district`` on the date (all: Q())."""
    return party_q(org_path, date_path, None, district) if district else Q()


# --- The records behind each figure ----------------------------------------------------------------


def _deal_q(prefix: str = "") -> Q:
    """A deal that counts: of the counted kinds and not terminated. A terminated deal (contract
    rescinded) is no conversion: it is left out of every figure except the money actually
    received on it (docs/kpi.md, decisions)."""
    return Q(**{f"{prefix}kind__in": DEAL_KINDS}) & ~Q(**{f"{prefix}status": Deal.Status.TERMINATED})


# The deal indicators differ only in the party that counts: the SME buyer, or the selling
# university or institute.
DEAL_PARTIES = {
    "sme_acquisitions": ("buyer", SME_KINDS),
    "institution_transfers": ("seller", INSTITUTION_KINDS),
}


def deals_as_of() -> QuerySet[Deal]:
    """Counted deals, with both parties as of the contract date."""
    return as_of(Deal.objects.filter(_deal_q()), {"buyer": "buyer", "seller": "seller"}, "contract_date")


def deal_links_as_of() -> QuerySet:
    """Deal ↔ patent rows of counted deals, with the deal's parties as of its contract date."""
    return as_of(
        Deal.patents.through.objects.filter(_deal_q("deal__")),
        {"buyer": "deal__buyer", "seller": "deal__seller"},
        "deal__contract_date",
    )


def payments_as_of() -> QuerySet[Payment]:
    """Payments on deals of the counted kinds, terminated deals included (money received is
    received), with the deal's parties as of its contract date."""
    return as_of(
        Payment.objects.filter(deal__kind__in=DEAL_KINDS),
        {"buyer": "deal__buyer", "seller": "deal__seller"},
        "deal__contract_date",
    )


def deal_records(indicator: str, district: str | None) -> QuerySet[Deal]:
    party, kinds = DEAL_PARTIES[indicator]
    return deals_as_of().filter(party_q(party, "contract_date", kinds, district))


def deal_patent_records(indicator: str, district: str | None) -> QuerySet:
    """Rows of the deal ↔ patent link table of those deals (for the distinct patent count)."""
    party, kinds = DEAL_PARTIES[indicator]
    return deal_links_as_of().filter(party_q(f"deal__{party}", "deal__contract_date", kinds, district))


def payment_records(indicator: str, district: str | None) -> QuerySet[Payment]:
    """Payments on those deals, whatever the deal's contract year (and status)."""
    party, kinds = DEAL_PARTIES[indicator]
    return payments_as_of().filter(party_q(f"deal__{party}", "deal__contract_date", kinds, district))


def sme_records(district: str | None) -> QuerySet[Organization]:
    """Organizations that were an SME in the city (the district) at some time: the candidates of
    the SMEs benefited (whether they were one on a benefit's date is ``benefit_q``'s test)."""
    periods = OrganizationPeriod.objects.filter(kind__in=SME_KINDS)
    periods = periods.filter(region_id=district) if district else periods.filter(region__isnull=False)
    return Organization.objects.filter(pk__in=periods.values("organization_id"))


def _benefit_sources(start: datetime.date, end: datetime.date) -> list[tuple[QuerySet, str, str]]:
    """The records that make an organization benefit in [start, end), each as of its own date with
    the benefiting party joined as ``party_asof``; the field naming that party; the record's date."""
    return [
        (
            as_of(
                Deal.objects.filter(_deal_q(), contract_date__gte=start, contract_date__lt=end),
                {"party": "buyer"},
                "contract_date",
            ),
            "buyer_id",
            "contract_date",
        ),
        (
            as_of(
                Pledge.objects.filter(registration_date__gte=start, registration_date__lt=end),
                {"party": "borrower"},
                "registration_date",
            ),
            "borrower_id",
            "registration_date",
        ),
        (
            as_of(
                InsurancePolicy.objects.filter(start_date__gte=start, start_date__lt=end),
                {"party": "insured"},
                "start_date",
            ),
            "insured_id",
            "start_date",
        ),
        (
            as_of(
                Subsidy.objects.counted().filter(decision_date__gte=start, decision_date__lt=end),
                {"party": "organization"},
                "decision_date",
            ),
            "organization_id",
            "decision_date",
        ),
    ]


def benefit_q(start: datetime.date, end: datetime.date, district: str | None = None) -> Q:
    """The organization bought a (counted) deal, borrowed on a pledge, was insured or was granted
    a subsidy with its date in [start, end), while it was an SME in the city (in ``district``).
    Each test is an uncorrelated ``pk IN (...)``: PostgreSQL hashes the year's ids once."""
    q = Q()
    for records, party, date in _benefit_sources(start, end):
        party_path = party.removesuffix("_id")
        q |= Q(pk__in=records.filter(party_q(party_path, date, SME_KINDS, district)).values(party))
    return q


def benefit_period_q(start: datetime.date, end: datetime.date) -> Q:
    """For the per-district table: the period (an SME in the city) during which the organization
    benefited in [start, end); tested on ``OrganizationPeriod`` rows."""
    q = Q()
    for records, _party, _date in _benefit_sources(start, end):
        q |= Q(pk__in=records.filter(classified_q("party", SME_KINDS, None)).values("party_asof__id"))
    return q


def benefited_sme_records(year: int, district: str | None) -> QuerySet[Organization]:
    """The SMEs benefited in ``year``, with that year's ``revenue`` and ``employees`` (0 if missing)."""
    stats = FilteredRelation("year_stats", condition=Q(year_stats__year=year))
    return (
        Organization.objects.filter(benefit_q(*year_dates(year), district))
        .annotate(stats=stats)
        .annotate(year_revenue=F("stats__revenue"), year_employees=F("stats__employees"))
    )


def pledge_records(district: str | None) -> QuerySet[Pledge]:
    qs = as_of(Pledge.objects.all(), {"borrower": "borrower"}, "registration_date")
    return qs.filter(party_q("borrower", "registration_date", SME_KINDS, district))


def filing_records(district: str | None) -> QuerySet[ProductFiling]:
    qs = as_of(ProductFiling.objects.all(), {"organization": "organization"}, "filing_date")
    return qs.filter(party_q("organization", "filing_date", SME_KINDS, district))


def _in_district(path: str, district: str | None) -> Q:
    """Activities with a district of their own (event venue, project district)."""
    return Q(**{path: district}) if district else Q()


def event_records(district: str | None) -> QuerySet[Event]:
    """Roadshows and matchmaking events that were held (planned or cancelled ones do not count)."""
    return Event.objects.filter(kind__in=ROADSHOW_KINDS, status=Event.Status.HELD).filter(
        _in_district("district_id", district)
    )


def navigation_records(district: str | None) -> QuerySet[NavigationProject]:
    """Enterprise navigation projects (the plan's 企业专利导航项目: a project that names the
    enterprise it serves) that are not suspended."""
    return (
        NavigationProject.objects.filter(enterprise__isnull=False)
        .exclude(status=NavigationProject.Status.SUSPENDED)
        .filter(_in_district("region_id", district))
    )


def subsidy_records(district: str | None) -> QuerySet[Subsidy]:
    """Subsidies granted (approved or paid); with a district, those whose organization was in it
    on the decision date."""
    qs = as_of(Subsidy.objects.counted(), {"organization": "organization"}, "decision_date")
    return qs.filter(party_in_district_q("organization", "decision_date", district))


def subsidy_rule_rows(qs: QuerySet[Subsidy], *extra: str) -> QuerySet:
    """For each subsidy: what the subsidy rule (``finance.rules.subsidy_violates``) needs: its
    patent's approved total and fee basis over the subsidies decided up to the end of the
    subsidy's decision year (so a year's figure does not change with later records), and the
    patent's grant."""
    same_patent = Subsidy.objects.filter(
        patent_id=OuterRef("patent_id"),
        decision_date__isnull=False,
        decision_date__year__lte=ExtractYear(OuterRef("decision_date")),
    ).order_by()
    total = same_patent.filter(status__in=Subsidy.COUNTED_STATUSES).values("patent_id")
    total = total.annotate(total=Sum("approved_amount")).values("total")
    basis = same_patent.values("patent_id").annotate(basis=Max("official_fees")).values("basis")
    # The patent's grant by its primary key, row by row: a join would read the whole patent table
    # for the few thousand subsidies of two years.
    patent = Patent.objects.filter(pk=OuterRef("patent_id"))
    return qs.annotate(
        patent_granted=Subquery(total),
        patent_fee_basis=Subquery(basis),
        patent_grant_date=Subquery(patent.values("grant_date")),
        patent_legal_status=Subquery(patent.values("legal_status")),
    ).values(
        "patent_id",
        "decision_date",
        "patent_granted",
        "patent_fee_basis",
        "patent_grant_date",
        "patent_legal_status",
        *extra,
    )


def violating_patent_ids(rows: Iterable[dict]) -> set[int]:
    """The patents of ``subsidy_rule_rows`` that break the subsidy rule (the one function the
    services and importers check with)."""
    return {
        row["patent_id"]
        for row in rows
        if subsidy_violates(
            approved_total=row["patent_granted"] or Decimal(0),
            fees_basis=row["patent_fee_basis"] or Decimal(0),
            grant_date=row["patent_grant_date"],
            legal_status=row["patent_legal_status"],
            decision_date=row["decision_date"],
        )
    }


def violation_patent_records(year: int, district: str | None) -> QuerySet[Patent]:
    rows = subsidy_rule_rows(subsidy_records(district).filter(year_q("decision_date", year)).order_by())
    return Patent.objects.filter(pk__in=violating_patent_ids(rows))


def agricultural_q(path: str = "patent") -> Q:
    """The patent at ``path`` belongs to an industry flagged agricultural (涉农)."""
    agricultural = Patent.industries.through.objects.filter(industry__is_agricultural=True).values(
        "patent_id"
    )
    return Q(**{f"{path}__in": agricultural})


def agricultural_patent_records(district: str | None) -> QuerySet:
    """Deal ↔ patent links of agricultural patents in any counted deal; with a district, deals
    whose buyer was in it on the contract date."""
    return deal_links_as_of().filter(
        agricultural_q(), party_in_district_q("deal__buyer", "deal__contract_date", district)
    )


# The buyer was in a county-level district (a banner, 旗) on the contract date (deal ↔ patent rows).
COUNTY_Q = party_q("deal__buyer", "deal__contract_date", None, None, county=True)


def demand_records(district: str | None) -> QuerySet[Demand]:
    qs = as_of(Demand.objects.all(), {"organization": "organization"}, local_date("published_at"))
    return qs.filter(classified_q("organization", SME_KINDS, district))


def match_records(district: str | None) -> QuerySet[Match]:
    qs = as_of(Match.objects.all(), {"organization": "demand__organization"}, local_date("created_at"))
    return qs.filter(classified_q("organization", SME_KINDS, district))


def inquiry_records(district: str | None) -> QuerySet[Inquiry]:
    qs = as_of(Inquiry.objects.all(), {"organization": "organization"}, local_date("created_at"))
    return qs.filter(classified_q("organization", SME_KINDS, district))


def year_q(field: str, year: int, kind: str = "date") -> Q:
    if kind == "year":
        return Q(**{field: year})
    start, end = year_moments(year) if kind == "datetime" else year_dates(year)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _runs(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) runs: [2020, 2022, 2023] -> [(2020, 2020), (2022, 2023)]."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return [(first, last) for first, last in runs]


def years_q(field: str, years: list[int], kind: str = "date") -> Q:
    """The records dated in any of ``years``; a gap (e.g. a plan's base year two years back) is
    left out rather than read and thrown away."""
    window = Q()
    for first, last in _runs(years):
        if kind == "year":
            run = Q(**{f"{field}__gte": first, f"{field}__lte": last})
        else:
            bounds = year_moments if kind == "datetime" else year_dates
            run = Q(**{f"{field}__gte": bounds(first)[0], f"{field}__lt": bounds(last)[1]})
        window = run if not window else window | run
    return window
