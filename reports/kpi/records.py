"""The records behind each figure, and the inputs (year, district) that select them.

Each ``*_records`` function returns the queryset of the records a figure counts or sums; the
figures (``figures.py``) aggregate these querysets and the drill-down pages list them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, FilteredRelation, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from demands.models import Demand
from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event, Inquiry, Match
from patents.models import NavigationProject, Patent
from portal.errors import ApplicationError
from portal.models import Organization, Region

YEAR_MIN, YEAR_MAX = 2000, 2100
# The plan runs from mid-2021: trends start in its first year.
TREND_START = 2021
# A trend shows at most this many years (the latest): one aggregate column per year and figure.
TREND_MAX_YEARS = 15
PLAN_START, PLAN_END = datetime.date(2021, 7, 1), datetime.date(2023, 12, 31)
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


# --- The records behind each figure ----------------------------------------------------------------


def organizations_q(kinds: Iterable[str], district: str | None) -> Q:
    """Organizations of one of ``kinds`` in the city (in ``district``)."""
    q = Q(kind__in=list(kinds))
    return q & (Q(region_id=district) if district else Q(region__isnull=False))


def party_q(path: str, kinds: Iterable[str], district: str | None) -> Q:
    """The organization at ``path`` is of one of ``kinds`` and in the city (in ``district``).

    Written as ``path IN (SELECT id FROM organizations WHERE ...)``: PostgreSQL hashes the few
    thousand organizations once instead of joining them to every deal or payment row."""
    if not path:
        return organizations_q(kinds, district)
    return Q(**{f"{path}__in": Organization.objects.filter(organizations_q(kinds, district)).values("pk")})


# The deal indicators differ only in the party that counts: the SME buyer, or the selling
# university or institute.
DEAL_PARTIES = {
    "sme_acquisitions": ("buyer", SME_KINDS),
    "institution_transfers": ("seller", INSTITUTION_KINDS),
}


def deal_records(indicator: str, district: str | None) -> QuerySet[Deal]:
    party, kinds = DEAL_PARTIES[indicator]
    return Deal.objects.filter(kind__in=DEAL_KINDS).filter(party_q(party, kinds, district))


def deal_patent_records(indicator: str, district: str | None) -> QuerySet:
    """Rows of the deal ↔ patent link table of those deals (for the distinct patent count)."""
    party, kinds = DEAL_PARTIES[indicator]
    return Deal.patents.through.objects.filter(deal__kind__in=DEAL_KINDS).filter(
        party_q(f"deal__{party}", kinds, district)
    )


def payment_records(indicator: str, district: str | None) -> QuerySet[Payment]:
    """Payments on those deals, whatever the deal's contract year."""
    party, kinds = DEAL_PARTIES[indicator]
    return Payment.objects.filter(deal__kind__in=DEAL_KINDS).filter(
        party_q(f"deal__{party}", kinds, district)
    )


def sme_records(district: str | None) -> QuerySet[Organization]:
    return Organization.objects.filter(party_q("", SME_KINDS, district))


def benefit_q(start: datetime.date, end: datetime.date) -> Q:
    """The organization bought a deal, borrowed on a pledge, was insured or was granted a
    subsidy with its date in [start, end)."""
    deals = Deal.objects.filter(kind__in=DEAL_KINDS, contract_date__gte=start, contract_date__lt=end)
    pledges = Pledge.objects.filter(registration_date__gte=start, registration_date__lt=end)
    policies = InsurancePolicy.objects.filter(start_date__gte=start, start_date__lt=end)
    subsidies = Subsidy.objects.counted().filter(decision_date__gte=start, decision_date__lt=end)
    return (
        Q(pk__in=deals.values("buyer_id"))
        | Q(pk__in=pledges.values("borrower_id"))
        | Q(pk__in=policies.values("insured_id"))
        | Q(pk__in=subsidies.values("organization_id"))
    )


def benefited_sme_records(year: int, district: str | None) -> QuerySet[Organization]:
    """The SMEs benefited in ``year``, with that year's ``revenue`` and ``employees`` (0 if missing)."""
    stats = FilteredRelation("year_stats", condition=Q(year_stats__year=year))
    return (
        sme_records(district)
        .filter(benefit_q(*year_dates(year)))
        .annotate(stats=stats)
        .annotate(year_revenue=F("stats__revenue"), year_employees=F("stats__employees"))
    )


def pledge_records(district: str | None) -> QuerySet[Pledge]:
    return Pledge.objects.filter(party_q("borrower", SME_KINDS, district))


def filing_records(district: str | None) -> QuerySet[ProductFiling]:
    return ProductFiling.objects.filter(party_q("organization", SME_KINDS, district))


def _in_district(path: str, district: str | None) -> Q:
    """Activities: the whole city counts everything; a district only its own."""
    return Q(**{path: district}) if district else Q()


def event_records(district: str | None) -> QuerySet[Event]:
    return Event.objects.filter(kind__in=ROADSHOW_KINDS).filter(_in_district("district_id", district))


def navigation_records(district: str | None) -> QuerySet[NavigationProject]:
    return NavigationProject.objects.filter(_in_district("region_id", district))


def subsidy_records(district: str | None) -> QuerySet[Subsidy]:
    """Subsidies granted (approved or paid)."""
    return Subsidy.objects.counted().filter(_in_district("organization__region_id", district))


def with_violation_facts(qs: QuerySet[Subsidy]) -> QuerySet[Subsidy]:
    """Annotate each subsidy with its patent's granted total and fee basis up to the end of the
    subsidy's decision year (so a year's figure does not change with later records)."""
    same_patent = Subsidy.objects.filter(
        patent_id=OuterRef("patent_id"),
        decision_date__isnull=False,
        decision_date__year__lte=ExtractYear(OuterRef("decision_date")),
    ).order_by()
    total = same_patent.filter(status__in=Subsidy.COUNTED_STATUSES).values("patent_id")
    total = total.annotate(total=Sum("approved_amount")).values("total")
    basis = same_patent.values("patent_id").annotate(basis=Max("official_fees")).values("basis")
    return qs.annotate(patent_granted=Subquery(total), patent_fee_basis=Subquery(basis)).annotate(
        patent_granted_twice=F("patent_granted") * 2
    )


# The 50% rule: granted subsidies of a patent total at most half its official fees.
VIOLATION_Q = Q(patent_granted_twice__gt=F("patent_fee_basis"))


def violation_patent_records(year: int, district: str | None) -> QuerySet[Patent]:
    subsidies = with_violation_facts(subsidy_records(district).filter(year_q("decision_date", year)))
    return Patent.objects.filter(pk__in=subsidies.filter(VIOLATION_Q).values("patent_id"))


def agricultural_q(path: str = "patent") -> Q:
    """The patent at ``path`` belongs to an industry flagged agricultural (涉农)."""
    agricultural = Patent.industries.through.objects.filter(industry__is_agricultural=True).values(
        "patent_id"
    )
    return Q(**{f"{path}__in": agricultural})


def agricultural_patent_records(district: str | None) -> QuerySet:
    """Deal ↔ patent links of agricultural patents in any deal; with a district, deals whose
    buyer is in it."""
    return Deal.patents.through.objects.filter(deal__kind__in=DEAL_KINDS).filter(
        agricultural_q(), _in_district("deal__buyer__region_id", district)
    )


# The buyer is in a county-level district (a banner, 旗).
COUNTY_Q = Q(deal__buyer__in=Organization.objects.filter(region__is_county_level=True).values("pk"))


def demand_records(district: str | None) -> QuerySet[Demand]:
    return Demand.objects.filter(party_q("organization", SME_KINDS, district))


def match_records(district: str | None) -> QuerySet[Match]:
    return Match.objects.filter(party_q("demand__organization", SME_KINDS, district))


def inquiry_records(district: str | None) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(party_q("organization", SME_KINDS, district))


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
