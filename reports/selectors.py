"""Reads of the reports app: annual reports the actor may see, and the drill-down lists: for
every number on the dashboard, the records behind it (the same querysets the KPIs aggregate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patents.models import Patent
from portal.permissions import Actor

from .kpi import records as r
from .models import AnnualReport, AwardBudget, PlanPeriod, PlanPeriodReport
from .permissions import can_view_city_reports

# --- Workbench ------------------------------------------------------------------------------------


def report_workbench_counts(*, actor: Actor, year: int) -> dict[str, int]:
    """City reports that need the actor (two queries; city-level staff only): ``awaiting``
    (generated, waiting for approval) and ``due`` (1 when the annual report of ``year - 1``, the
    last full year, has not been generated yet)."""
    if not can_view_city_reports(actor):
        return {}
    annual = AnnualReport.objects.order_by().aggregate(
        awaiting=Count("pk", filter=Q(status=AnnualReport.Status.READY)),
        last_year=Count("pk", filter=Q(year=year - 1)),
    )
    plan_awaiting = PlanPeriodReport.objects.filter(status=PlanPeriodReport.Status.READY).count()
    return {"awaiting": annual["awaiting"] + plan_awaiting, "due": int(not annual["last_year"])}


# --- Annual reports ------------------------------------------------------------------------------


def annual_report_list(*, actor: Actor) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.visible_to(actor).select_related("requested_by", "approved_by")


def annual_report_get(*, actor: Actor, pk: int) -> AnnualReport:
    """404 whether the report is missing or not visible."""
    report = annual_report_list(actor=actor).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def plan_report_list(*, actor: Actor) -> QuerySet[PlanPeriodReport]:
    return PlanPeriodReport.objects.visible_to(actor).select_related("plan", "requested_by", "approved_by")


def plan_report_get(*, actor: Actor, pk: int) -> PlanPeriodReport:
    """404 whether the summary is missing or not visible."""
    report = plan_report_list(actor=actor).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def plan_period_list(*, actor: Actor) -> QuerySet[PlanPeriod]:
    return PlanPeriod.objects.visible_to(actor).order_by("-first_year")


def award_budget_get(*, actor: Actor, year: int) -> AwardBudget | None:
    return AwardBudget.objects.visible_to(actor).filter(year=year).select_related("entered_by").first()


# --- Drill-down ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    money: bool = False


@dataclass(frozen=True)
class Drilldown:
    """The records behind one number: what they are, how to list them, what they add up to."""

    key: str
    title: Any
    records: Callable[[int, str | None], QuerySet]
    columns: tuple[Column, ...]
    link: Callable[[Any], str] | None = None
    total: str | None = None  # the field whose sum is the number (None: the number is the count)
    total_label: Any = None
    # The link names no year: the page adds the drill-down's year and district to it.
    scoped_link: bool = False


def _party(org, record=None, alias: str = "") -> str:
    """The organization with its district on the record's date (what the figure counted), read
    from the ``<alias>_region_name``/``_en`` annotations of ``_with_regions``."""
    if org is None:
        return ""
    if record is not None and hasattr(record, f"{alias}_region_name"):
        name = getattr(record, f"{alias}_region_name")
        name_en = getattr(record, f"{alias}_region_name_en")
        english = (get_language() or "").startswith("en") and name_en
        region = (name_en if english else name) or _("市外")
    else:
        region = org.region.label if org.region_id else _("市外")
    return f"{org.name}（{region}）"


def _with_regions(qs: QuerySet, *aliases: str) -> QuerySet:
    """Annotate the district names of the parties joined as ``<alias>_asof`` (as of the record's date)."""
    return qs.annotate(
        **{f"{alias}_region_name": F(f"{alias}_asof__region__name") for alias in aliases},
        **{f"{alias}_region_name_en": F(f"{alias}_asof__region__name_en") for alias in aliases},
    )


def _in(field: str, year: int, kind: str = "date"):
    return r.year_q(field, year, kind)


def _deals(indicator: str):
    def records(year, district):
        return (
            _with_regions(r.deal_records(indicator, district), "seller", "buyer")
            .filter(_in("contract_date", year))
            .select_related("seller__region", "buyer__region")
            .order_by("contract_date", "pk")
        )

    return records


def _deal_patents(indicator: str):
    def records(year, district):
        links = r.deal_patent_records(indicator, district).filter(_in("deal__contract_date", year))
        return (
            Patent.objects.filter(pk__in=links.values("patent_id"))
            .select_related("owner")
            .order_by("application_no")
        )

    return records


def _payments(indicator: str):
    def records(year, district):
        return (
            _with_regions(r.payment_records(indicator, district), "seller", "buyer")
            .filter(_in("date", year))
            .select_related("deal__seller__region", "deal__buyer__region")
            .order_by("date", "pk")
        )

    return records


DEAL_COLUMNS = (
    Column(_("合同编号"), lambda d: d.deal_no),
    Column(_("类型"), lambda d: d.get_kind_display()),
    Column(_("转让方/许可方"), lambda d: _party(d.seller, d, "seller")),
    Column(_("受让方/被许可方"), lambda d: _party(d.buyer, d, "buyer")),
    Column(_("合同日期"), lambda d: d.contract_date),
    Column(_("状态"), lambda d: d.get_status_display()),
    Column(_("合同金额（元）"), lambda d: d.contract_amount, money=True),
)
PATENT_COLUMNS = (
    Column(_("申请号"), lambda p: p.application_no),
    Column(_("专利名称"), lambda p: p.title),
    Column(_("权利人"), lambda p: p.owner.name),
)
PAYMENT_COLUMNS = (
    Column(_("到账日期"), lambda p: p.date),
    Column(_("合同编号"), lambda p: p.deal.deal_no),
    Column(_("合同日期"), lambda p: p.deal.contract_date),
    Column(_("转让方/许可方"), lambda p: _party(p.deal.seller, p, "seller")),
    Column(_("受让方/被许可方"), lambda p: _party(p.deal.buyer, p, "buyer")),
    Column(_("到账金额（元）"), lambda p: p.amount, money=True),
)


def _deal_drilldowns(indicator: str, title: Any) -> list[Drilldown]:
    deal_link = lambda deal: reverse("finance:deal-detail", args=[deal.pk])  # noqa: E731
    return [
        Drilldown(f"{indicator}.deals", title, _deals(indicator), DEAL_COLUMNS, deal_link, None),
        Drilldown(
            f"{indicator}.contract_amount",
            title,
            _deals(indicator),
            DEAL_COLUMNS,
            deal_link,
            "contract_amount",
            _("合同成交额"),
        ),
        Drilldown(f"{indicator}.patents", title, _deal_patents(indicator), PATENT_COLUMNS, _patent_link),
        Drilldown(
            f"{indicator}.received_amount",
            title,
            _payments(indicator),
            PAYMENT_COLUMNS,
            lambda payment: reverse("finance:deal-detail", args=[payment.deal_id]),
            "amount",
            _("实际到账金额"),
        ),
    ]


def _patent_link(patent) -> str:
    return reverse("patents:detail", args=[patent.application_no])


def _benefited(year, district):
    return r.benefited_sme_records(year, district).select_related("region").order_by("name", "pk")


def _follow_up_link(organization) -> str:
    """KPI 3's evidence: the SME's deals of the year with its follow-up answers (implemented,
    product, revenue, jobs), on the conversion effectiveness drill-down."""
    return f"{reverse('reports:conversion-deals')}?buyer={organization.pk}"


SME_COLUMNS = (
    Column(_("企业名称"), lambda o: o.name),
    Column(_("统一社会信用代码"), lambda o: o.credit_code),
    Column(_("旗区"), lambda o: o.region.label if o.region_id else ""),
    Column(_("当年营业收入（元）"), lambda o: o.year_revenue or 0, money=True),
    Column(_("当年从业人数"), lambda o: o.year_employees or 0),
)


def _pledges(year, district):
    return (
        _with_regions(r.pledge_records(district), "borrower")
        .filter(_in("registration_date", year))
        .select_related("borrower__region")
        .order_by("registration_date", "pk")
    )


def _filings(year, district):
    return (
        _with_regions(r.filing_records(district), "organization")
        .filter(_in("filing_date", year))
        .select_related("organization__region")
        .order_by("filing_date", "pk")
    )


def _events(year, district):
    return (
        r.event_records(district).filter(_in("date", year)).select_related("district").order_by("date", "pk")
    )


def _plan_events(year, district):
    return (
        r.event_records(district)
        .filter(date__gte=r.PLAN_START, date__lte=r.plan_period_end(year))
        .select_related("district")
        .order_by("date", "pk")
    )


def _navigation(year, district):
    return r.navigation_records(district).filter(year_started=year).select_related("region").order_by("title")


def _subsidies(year, district):
    return (
        _with_regions(r.subsidy_records(district), "organization")
        .filter(_in("decision_date", year))
        .select_related("organization__region", "patent")
        .order_by("decision_date", "pk")
    )


def _agricultural(county: bool):
    def records(year, district):
        links = r.agricultural_patent_records(district).filter(_in("deal__contract_date", year))
        if county:
            links = links.filter(r.COUNTY_Q)
        return (
            Patent.objects.filter(pk__in=links.values("patent_id"))
            .select_related("owner")
            .order_by("application_no")
        )

    return records


def _demands(year, district):
    return (
        r.demand_records(district)
        .filter(_in("published_at", year, "datetime"))
        .select_related("organization__region")
        .order_by("published_at", "pk")
    )


def _matches(year, district):
    return (
        r.match_records(district)
        .filter(_in("created_at", year, "datetime"))
        .select_related("demand__organization", "patent")
        .order_by("demand_id", "rank")
    )


def _inquiries(year, district):
    return (
        r.inquiry_records(district)
        .filter(_in("created_at", year, "datetime"))
        .select_related("organization__region", "patent")
        .order_by("created_at", "pk")
    )


PLEDGE_COLUMNS = (
    Column(_("质押登记号"), lambda p: p.registration_no),
    Column(_("出质人"), lambda p: _party(p.borrower, p, "borrower")),
    Column(_("质权人"), lambda p: p.lender_name),
    Column(_("登记日期"), lambda p: p.registration_date),
    Column(_("融资金额（元）"), lambda p: p.amount, money=True),
)
FILING_COLUMNS = (
    Column(_("备案号"), lambda f: f.filing_no),
    Column(_("产品名称"), lambda f: f.product_name),
    Column(_("备案单位"), lambda f: _party(f.organization, f, "organization")),
    Column(_("备案日期"), lambda f: f.filing_date),
)
EVENT_COLUMNS = (
    Column(_("活动名称"), lambda e: e.title),
    Column(_("类型"), lambda e: e.get_kind_display()),
    Column(_("举办日期"), lambda e: e.date),
    Column(_("旗区"), lambda e: e.district.name if e.district_id else _("全市")),
    Column(_("地点"), lambda e: e.venue),
)
NAVIGATION_COLUMNS = (
    Column(_("项目名称"), lambda n: n.title),
    Column(_("导航类型"), lambda n: n.get_kind_display()),
    Column(_("启动年份"), lambda n: n.year_started),
    Column(_("旗区"), lambda n: n.region.label if n.region_id else _("全市")),
    Column(_("状态"), lambda n: n.get_status_display()),
)
SUBSIDY_COLUMNS = (
    Column(_("申请单位"), lambda s: _party(s.organization, s, "organization")),
    Column(_("专利"), lambda s: s.patent.application_no),
    Column(_("状态"), lambda s: s.get_status_display()),
    Column(_("决定日期"), lambda s: s.decision_date),
    Column(_("已缴官费（元）"), lambda s: s.official_fees, money=True),
    Column(_("批准金额（元）"), lambda s: s.approved_amount, money=True),
)
DEMAND_COLUMNS = (
    Column(_("需求编号"), lambda d: d.code),
    Column(_("需求名称"), lambda d: d.title),
    Column(_("需求企业"), lambda d: _party(d.organization)),
    Column(_("发布时间"), lambda d: d.published_at),
)
MATCH_COLUMNS = (
    Column(_("需求"), lambda m: m.demand.title),
    Column(_("需求企业"), lambda m: m.demand.organization.name),
    Column(_("专利"), lambda m: f"{m.patent.application_no} {m.patent.title}"),
    Column(_("匹配度"), lambda m: f"{m.score:.2f}"),
)
INQUIRY_COLUMNS = (
    Column(_("主题"), lambda i: i.subject),
    Column(_("咨询单位"), lambda i: _party(i.organization)),
    Column(_("专利"), lambda i: i.patent.application_no),
    Column(_("状态"), lambda i: i.get_status_display()),
    Column(_("咨询时间"), lambda i: i.created_at),
)

DRILLDOWNS: dict[str, Drilldown] = {
    d.key: d
    for d in [
        *_deal_drilldowns("sme_acquisitions", _("中小微企业获得专利转化")),
        *_deal_drilldowns("institution_transfers", _("高校院所专利转化")),
        Drilldown(
            "smes_benefited.count",
            _("受益中小微企业"),
            _benefited,
            SME_COLUMNS,
            _follow_up_link,
            scoped_link=True,
        ),
        Drilldown(
            "smes_benefited.revenue",
            _("受益中小微企业"),
            _benefited,
            SME_COLUMNS,
            _follow_up_link,
            "year_revenue",
            _("营业收入"),
            scoped_link=True,
        ),
        Drilldown(
            "smes_benefited.employees",
            _("受益中小微企业"),
            _benefited,
            SME_COLUMNS,
            _follow_up_link,
            "year_employees",
            _("从业人数"),
            scoped_link=True,
        ),
        Drilldown(
            "sme_pledge_financing.count",
            _("中小微企业专利质押融资"),
            _pledges,
            PLEDGE_COLUMNS,
            lambda p: reverse("finance:pledge-detail", args=[p.pk]),
        ),
        Drilldown(
            "sme_pledge_financing.amount",
            _("中小微企业专利质押融资"),
            _pledges,
            PLEDGE_COLUMNS,
            lambda p: reverse("finance:pledge-detail", args=[p.pk]),
            "amount",
            _("融资金额"),
        ),
        Drilldown(
            "product_filings.count",
            _("专利产品备案"),
            _filings,
            FILING_COLUMNS,
            lambda f: reverse("finance:filing-detail", args=[f.pk]),
        ),
        Drilldown(
            "roadshows.count",
            _("路演、供需对接活动"),
            _events,
            EVENT_COLUMNS,
            lambda e: reverse("matching:event-detail", args=[e.pk]),
        ),
        Drilldown(
            "roadshows.plan_period",
            _("规划期内路演、供需对接活动"),
            _plan_events,
            EVENT_COLUMNS,
            lambda e: reverse("matching:event-detail", args=[e.pk]),
        ),
        Drilldown(
            "navigation_projects.count",
            _("专利导航项目"),
            _navigation,
            NAVIGATION_COLUMNS,
            lambda n: reverse("patents:navigation-detail", args=[n.pk]),
        ),
        Drilldown(
            "subsidies.count",
            _("专利资助（已批准或已拨付）"),
            _subsidies,
            SUBSIDY_COLUMNS,
            lambda s: reverse("finance:subsidy-detail", args=[s.pk]),
        ),
        Drilldown(
            "subsidies.amount",
            _("专利资助（已批准或已拨付）"),
            _subsidies,
            SUBSIDY_COLUMNS,
            lambda s: reverse("finance:subsidy-detail", args=[s.pk]),
            "approved_amount",
            _("批准金额"),
        ),
        Drilldown(
            "subsidies.violations",
            _("资助超过已缴官费50%的专利"),
            lambda year, district: r.violation_patent_records(year, district).select_related("owner"),
            PATENT_COLUMNS,
            _patent_link,
        ),
        Drilldown(
            "agricultural_patents.patents",
            _("转化的农牧业专利"),
            _agricultural(False),
            PATENT_COLUMNS,
            _patent_link,
        ),
        Drilldown(
            "agricultural_patents.to_county_level",
            _("向旗（县域）转化的农牧业专利"),
            _agricultural(True),
            PATENT_COLUMNS,
            _patent_link,
        ),
        Drilldown(
            "funnel.demands",
            _("发布的技术需求"),
            _demands,
            DEMAND_COLUMNS,
            lambda d: reverse("demands:demand-detail", args=[d.code]),
        ),
        Drilldown("funnel.matches", _("供需匹配"), _matches, MATCH_COLUMNS),
        Drilldown(
            "funnel.inquiries",
            _("对接咨询"),
            _inquiries,
            INQUIRY_COLUMNS,
            lambda i: reverse("matching:inquiry-detail", args=[i.pk]),
        ),
    ]
}
DRILLDOWNS["funnel.deals"] = DRILLDOWNS["sme_acquisitions.deals"]


def drilldown_get(key: str) -> Drilldown:
    try:
        return DRILLDOWNS[key]
    except KeyError:
        raise Http404 from None


def drilldown_totals(drilldown: Drilldown, records: QuerySet) -> dict:
    """The count and (for amounts) the sum of the records: the number the dashboard shows."""
    aggregates = {"count": Count("pk")}
    if drilldown.total:
        aggregates["total"] = Sum(drilldown.total)
    totals = records.order_by().aggregate(**aggregates)
    if drilldown.total and totals["total"] is None:
        totals["total"] = 0
    return totals
