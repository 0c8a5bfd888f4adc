"""The data-quality checks: each has a stable code, a title, and per model the queryset of the
offending records, so that a count and the admin list it links to cannot disagree.

The admin change lists of those models get the ``data_quality`` filter (``admin_filters.py``),
which applies the same querysets: ``/admin/patents/patent/?data_quality=listed_but_not_in_force``.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, Model, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from patents.models import Patent
from portal.importers import REVENUE_PER_EMPLOYEE
from portal.models import Organization, OrganizationYearStats
from reports.kpi.records import YEAR_MAX, YEAR_MIN, benefited_sme_records

FILTER_PARAMETER = "data_quality"
# Dates before this are implausible for the portal's records (the Patent Law took effect in 1985).
EARLIEST_DATE = datetime.date(1985, 1, 1)
# An amount this many times above or below the median of its kind is an outlier; 万元 entered as
# 元 (or the reverse) is 10,000 times off, well beyond it.
OUTLIER_FACTOR = Decimal(1000)
# Fewer positive amounts than this: no distribution to compare against.
OUTLIER_MIN_SAMPLE = 5
# The GB/T 2260 prefix of the city: a credit code registered here (characters 3-6) belongs to an
# organization of one of its districts.
CITY_DIVISION_PREFIX = "1506"

Finder = Callable[[], list[tuple[type[Model], QuerySet]]]


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    description: str
    models: tuple[type[Model], ...]  # the models it can report, the first one by default
    find: Finder


@dataclass
class PartResult:
    model: type[Model]
    label: str
    count: int
    url: str


@dataclass
class CheckResult:
    code: str
    title: str
    description: str
    count: int
    url: str
    parts: list[PartResult]

    def as_json(self) -> dict:
        return {"code": self.code, "title": self.title, "count": self.count, "url": self.url}


def changelist_url(model: type[Model], code: str) -> str:
    meta = model._meta
    return (
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        + "?"
        + urlencode({FILTER_PARAMETER: code})
    )


# --- duplicate_organizations --------------------------------------------------------------------


def normalized_name(name: str) -> str:
    """The name as compared for duplicates: NFKC (full-width brackets and letters folded),
    case-folded, without spaces, punctuation or symbols."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def organization_code(credit_code: str) -> str:
    """The 9-character organization code inside a credit code (characters 9-17)."""
    return credit_code[8:17] if len(credit_code) == 18 else ""


def duplicate_groups() -> list[list[Organization]]:
    """Groups of organizations that look like one: the same normalised name, or the same
    organization code inside different credit codes (e.g. re-registered in another district, or
    one mistyped character in the code's first part)."""
    organizations = list(Organization.objects.only("id", "name", "credit_code", "kind", "region_id"))
    parent = {o.pk: o.pk for o in organizations}

    def find(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    keys: dict[tuple[str, str], int] = {}
    for organization in organizations:
        for key in (
            ("name", normalized_name(organization.name)),
            ("code", organization_code(organization.credit_code)),
        ):
            if not key[1]:
                continue
            first = keys.setdefault(key, organization.pk)
            if first != organization.pk:
                parent[find(organization.pk)] = find(first)
    groups: dict[int, list[Organization]] = defaultdict(list)
    for organization in organizations:
        groups[find(organization.pk)].append(organization)
    return sorted(
        (sorted(group, key=lambda o: o.pk) for group in groups.values() if len(group) > 1),
        key=lambda group: group[0].pk,
    )


def _duplicates() -> list[tuple[type[Model], QuerySet]]:
    ids = [o.pk for group in duplicate_groups() for o in group]
    return [(Organization, Organization.objects.filter(pk__in=ids))]


# --- sme_missing_yearly_stats ---------------------------------------------------------------------


def benefit_years() -> list[int]:
    """The years in which some record could make an SME count as benefited (KPI 3)."""
    years: set[int] = set()
    for model, field in (
        (Deal, "contract_date"),
        (Pledge, "registration_date"),
        (InsurancePolicy, "start_date"),
        (Subsidy, "decision_date"),
    ):
        years.update(d.year for d in model.objects.exclude(**{f"{field}__isnull": True}).dates(field, "year"))
    today = timezone.localdate()
    return sorted(y for y in years if YEAR_MIN <= y <= min(YEAR_MAX, today.year))


def sme_missing_stats_q() -> Q:
    """Organizations counted as benefited SMEs in a year's KPI 3 without that year's revenue and
    employees (no row, or both still 0)."""
    q = Q(pk__in=[])
    for year in benefit_years():
        missing = benefited_sme_records(year, None).filter(
            Q(year_revenue__isnull=True) | Q(year_revenue=0, year_employees=0)
        )
        q |= Q(pk__in=missing.values("pk"))
    return q


def _sme_missing_stats() -> list[tuple[type[Model], QuerySet]]:
    return [(Organization, Organization.objects.filter(sme_missing_stats_q()))]


# --- listed_but_not_in_force ----------------------------------------------------------------------


def not_in_force_listed() -> QuerySet[Patent]:
    """Live listings (submitted or published) of patents that lapsed, expired, were invalidated
    or are past their term."""
    return Patent.objects.filter(listing_status__in=Patent.LIVE_LISTING_STATUSES).filter(
        Q(legal_status__in=Patent.DEAD_STATUSES) | Q(expiry_date__lt=timezone.localdate())
    )


def _listed_not_in_force() -> list[tuple[type[Model], QuerySet]]:
    return [(Patent, not_in_force_listed())]


# --- amount_outliers ------------------------------------------------------------------------------

AMOUNT_FIELDS: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (Deal, ("contract_amount",)),
    (Payment, ("amount",)),
    (Pledge, ("amount",)),
    (InsurancePolicy, ("premium", "coverage")),
    (Subsidy, ("official_fees", "requested_amount", "approved_amount")),
    (OrganizationYearStats, ("revenue",)),
    (Patent, ("asking_price",)),
)


def median(model: type[Model], field: str) -> Decimal | None:
    """The median of the positive values of ``field`` (None below ``OUTLIER_MIN_SAMPLE``)."""
    values = (
        model._default_manager.filter(**{f"{field}__gt": 0}).order_by(field).values_list(field, flat=True)
    )
    count = values.count()
    if count < OUTLIER_MIN_SAMPLE:
        return None
    return Decimal(values[count // 2])


def outlier_q(model: type[Model], fields: Iterable[str]) -> Q:
    """Positive amounts ``OUTLIER_FACTOR`` times above or below their kind's median; for yearly
    figures also a revenue per employee outside the import's plausible range (the 万元 pattern)."""
    q = Q(pk__in=[])
    for field in fields:
        middle = median(model, field)
        if middle is None:
            continue
        q |= Q(**{f"{field}__gte": middle * OUTLIER_FACTOR}) | Q(
            **{f"{field}__gt": 0, f"{field}__lte": middle / OUTLIER_FACTOR}
        )
    if model is OrganizationYearStats:
        low, high = REVENUE_PER_EMPLOYEE
        # Numeric, not integer: employees × 100,000,000 overflows an integer on PostgreSQL.
        employees = Cast("employees", DecimalField(max_digits=24, decimal_places=2))
        q |= Q(employees__gt=0, revenue__gt=0) & (
            Q(revenue__lt=employees * Value(low)) | Q(revenue__gt=employees * Value(high))
        )
    return q


def _amount_outliers() -> list[tuple[type[Model], QuerySet]]:
    return [
        (model, model._default_manager.filter(outlier_q(model, fields))) for model, fields in AMOUNT_FIELDS
    ]


# --- dates_out_of_range ---------------------------------------------------------------------------

# (model, date field, whether a future date is wrong too)
DATE_FIELDS: tuple[tuple[type[Model], str, bool], ...] = (
    (Patent, "application_date", True),
    (Patent, "grant_date", True),
    (Deal, "contract_date", True),
    (Payment, "date", True),
    (Pledge, "registration_date", True),
    (InsurancePolicy, "start_date", True),
    (Subsidy, "decision_date", True),
    (ProductFiling, "filing_date", True),
    (Event, "date", False),  # events are announced ahead: only implausibly old ones
)


def _dates_out_of_range() -> list[tuple[type[Model], QuerySet]]:
    today = timezone.localdate()
    by_model: dict[type[Model], Q] = {}
    for model, field, future in DATE_FIELDS:
        q = Q(**{f"{field}__lt": EARLIEST_DATE})
        if future:
            q |= Q(**{f"{field}__gt": today})
        by_model[model] = by_model.get(model, Q(pk__in=[])) | q
    found = [(model, model._default_manager.filter(q)) for model, q in by_model.items()]
    stats = OrganizationYearStats.objects.filter(Q(year__lt=EARLIEST_DATE.year) | Q(year__gt=today.year))
    return [*found, (OrganizationYearStats, stats)]


# --- patents_without_classification ---------------------------------------------------------------


def unclassified_patents() -> QuerySet[Patent]:
    tagged = Patent.industries.through.objects.filter(patent_id=OuterRef("pk"))
    return Patent.objects.filter(Q(ipc_main="") | ~Exists(tagged))


def _unclassified() -> list[tuple[type[Model], QuerySet]]:
    return [(Patent, unclassified_patents())]


# --- organizations_without_district ---------------------------------------------------------------


def without_district() -> QuerySet[Organization]:
    """Organizations without a district whose credit code was issued in the city: organizations
    outside the city rightly have none; these most likely lost theirs in an import."""
    return Organization.objects.annotate(
        issued_in=Substr("credit_code", 3, len(CITY_DIVISION_PREFIX))
    ).filter(region__isnull=True, issued_in=CITY_DIVISION_PREFIX)


def _without_district() -> list[tuple[type[Model], QuerySet]]:
    return [(Organization, without_district())]


CHECKS: tuple[Check, ...] = (
    Check(
        "duplicate_organizations",
        _("疑似重复的单位"),
        _("名称（忽略空格、标点、全半角）相同，或不同信用代码中的组织机构代码相同。"),
        (Organization,),
        _duplicates,
    ),
    Check(
        "sme_missing_yearly_stats",
        _("缺少年度数据的受益中小微企业"),
        _("计入某年度“受益中小微企业”指标、但缺少该年度营业收入和从业人数的企业。"),
        (Organization,),
        _sme_missing_stats,
    ),
    Check(
        "listed_but_not_in_force",
        _("已失效专利仍在挂牌"),
        _("专利已失效、期限届满或被宣告无效，挂牌仍为待审核或已发布。"),
        (Patent,),
        _listed_not_in_force,
    ),
    Check(
        "amount_outliers",
        _("金额异常"),
        _(
            "金额为同类记录中位数的 1000 倍以上或千分之一以下（常见于万元与元混用），或人均营业收入不在 1,000–100,000,000 元之间。"
        ),
        tuple(model for model, _fields in AMOUNT_FIELDS),
        _amount_outliers,
    ),
    Check(
        "dates_out_of_range",
        _("日期超出合理范围"),
        _("日期早于 1985 年，或晚于今天（活动日期只检查过早）。"),
        (
            Patent,
            Deal,
            Payment,
            Pledge,
            InsurancePolicy,
            Subsidy,
            ProductFiling,
            Event,
            OrganizationYearStats,
        ),
        _dates_out_of_range,
    ),
    Check(
        "patents_without_classification",
        _("缺少分类的专利"),
        _("没有IPC主分类号，或没有所属产业。"),
        (Patent,),
        _unclassified,
    ),
    Check(
        "organizations_without_district",
        _("缺少旗区的本市单位"),
        _("信用代码由本市登记机关赋码，但未填写所在旗区。"),
        (Organization,),
        _without_district,
    ),
)
CHECKS_BY_CODE = {check.code: check for check in CHECKS}


def offending(check: Check, model: type[Model]) -> QuerySet | None:
    """The offending records of ``model`` for ``check`` (None if the check does not cover it)."""
    for part_model, qs in check.find():
        if part_model is model:
            return qs
    return None


def run_check(check: Check) -> CheckResult:
    parts = []
    for model, qs in check.find():
        count = qs.count()
        parts.append(
            PartResult(model, str(model._meta.verbose_name), count, changelist_url(model, check.code))
        )
    total = sum(part.count for part in parts)
    # The link goes to the records: the model with the most of them (the first model when none).
    main = max(parts, key=lambda part: part.count) if total else parts[0]
    return CheckResult(check.code, str(check.title), str(check.description), total, main.url, parts)


def run_checks(codes: Iterable[str] | None = None) -> list[CheckResult]:
    wanted = CHECKS if codes is None else [CHECKS_BY_CODE[code] for code in codes]
    return [run_check(check) for check in wanted]
