"""How each drill-down page shows the records behind a dashboard number: its title, its columns
(labels and cell formatting) and the link of each row. The records themselves and what they add
up to are read by ``reports.selectors`` (``DRILLDOWN_SOURCES``), under the same keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.languages import reads_chinese

from .selectors import DRILLDOWN_SOURCES, drilldown_records


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    money: bool = False


@dataclass(frozen=True)
class Drilldown:
    """One drill-down page: what its records are called, how they are shown and linked."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    link: Callable[[Any], str] | None = None
    total_label: Any = None
    # The link names no year: the page adds the drill-down's year and district to it.
    scoped_link: bool = False

    @property
    def total(self) -> str | None:
        """The field whose sum is the number (None: the number is the count)."""
        return DRILLDOWN_SOURCES[self.key].total

    def records(self, year: int, district: str | None) -> QuerySet:
        return drilldown_records(key=self.key, year=year, district=district)

    def row(self, record, year: int, district: str | None) -> dict:
        """One table row: the formatted cells and the link (with the page's year and district
        when the link names none)."""
        cells = [{"value": _cell(column, record), "money": column.money} for column in self.columns]
        url = self.link(record) if self.link else None
        if url and self.scoped_link:
            query = urlencode({"year": year, **({"district": district} if district else {})})
            url = f"{url}&{query}" if "?" in url else f"{url}?{query}"
        return {"cells": cells, "url": url}


def _cell(column: Column, record):
    value = column.value(record)
    return "" if value is None else value


def _party(org, record=None, alias: str = "") -> str:
    """The organization with its district on the record's date (what the figure counted), read
    from the ``<alias>_region_name``/``_en`` annotations the selectors add."""
    if org is None:
        return ""
    if record is not None and hasattr(record, f"{alias}_region_name"):
        name = getattr(record, f"{alias}_region_name")
        name_en = getattr(record, f"{alias}_region_name_en")
        region = (name if reads_chinese() or not name_en else name_en) or _("市外")
    else:
        region = org.region.label if org.region_id else _("市外")
    return f"{org.name}（{region}）"


def _link(url_name: str, attribute: str = "pk") -> Callable[[Any], str]:
    return lambda record: reverse(url_name, args=[getattr(record, attribute)])


_deal_link = _link("finance:deal-detail")
_patent_link = _link("patents:detail", "application_no")


def _follow_up_link(organization) -> str:
    """KPI 3's evidence: the SME's deals of the year with its follow-up answers (implemented,
    product, revenue, jobs), on the conversion effectiveness drill-down."""
    return f"{reverse('reports:conversion-deals')}?buyer={organization.pk}"


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
SME_COLUMNS = (
    Column(_("企业名称"), lambda o: o.name),
    Column(_("统一社会信用代码"), lambda o: o.credit_code),
    Column(_("旗区"), lambda o: o.region.label if o.region_id else ""),
    Column(_("当年营业收入（元）"), lambda o: o.year_revenue or 0, money=True),
    Column(_("当年从业人数"), lambda o: o.year_employees or 0),
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


def _deal_drilldowns(indicator: str, title: Any) -> list[Drilldown]:
    payment_link = _link("finance:deal-detail", "deal_id")
    return [
        Drilldown(f"{indicator}.deals", title, DEAL_COLUMNS, _deal_link),
        Drilldown(f"{indicator}.contract_amount", title, DEAL_COLUMNS, _deal_link, _("合同成交额")),
        Drilldown(f"{indicator}.patents", title, PATENT_COLUMNS, _patent_link),
        Drilldown(f"{indicator}.received_amount", title, PAYMENT_COLUMNS, payment_link, _("实际到账金额")),
    ]


_BENEFITED = _("受益中小微企业")
_PLEDGES = _("中小微企业专利质押融资")
_SUBSIDIES = _("专利资助（已批准或已拨付）")

DRILLDOWNS: dict[str, Drilldown] = {
    d.key: d
    for d in [
        *_deal_drilldowns("sme_acquisitions", _("中小微企业获得专利转化")),
        *_deal_drilldowns("institution_transfers", _("高校院所专利转化")),
        Drilldown("smes_benefited.count", _BENEFITED, SME_COLUMNS, _follow_up_link, scoped_link=True),
        Drilldown(
            "smes_benefited.revenue",
            _BENEFITED,
            SME_COLUMNS,
            _follow_up_link,
            _("营业收入"),
            scoped_link=True,
        ),
        Drilldown(
            "smes_benefited.employees",
            _BENEFITED,
            SME_COLUMNS,
            _follow_up_link,
            _("从业人数"),
            scoped_link=True,
        ),
        Drilldown("sme_pledge_financing.count", _PLEDGES, PLEDGE_COLUMNS, _link("finance:pledge-detail")),
        Drilldown(
            "sme_pledge_financing.amount",
            _PLEDGES,
            PLEDGE_COLUMNS,
            _link("finance:pledge-detail"),
            _("融资金额"),
        ),
        Drilldown("product_filings.count", _("专利产品备案"), FILING_COLUMNS, _link("finance:filing-detail")),
        Drilldown("roadshows.count", _("路演、供需对接活动"), EVENT_COLUMNS, _link("matching:event-detail")),
        Drilldown(
            "roadshows.plan_period",
            _("规划期内路演、供需对接活动"),
            EVENT_COLUMNS,
            _link("matching:event-detail"),
        ),
        Drilldown(
            "navigation_projects.count",
            _("专利导航项目"),
            NAVIGATION_COLUMNS,
            _link("patents:navigation-detail"),
        ),
        Drilldown("subsidies.count", _SUBSIDIES, SUBSIDY_COLUMNS, _link("finance:subsidy-detail")),
        Drilldown(
            "subsidies.amount", _SUBSIDIES, SUBSIDY_COLUMNS, _link("finance:subsidy-detail"), _("批准金额")
        ),
        Drilldown("subsidies.violations", _("资助超过已缴官费50%的专利"), PATENT_COLUMNS, _patent_link),
        Drilldown("agricultural_patents.patents", _("转化的农牧业专利"), PATENT_COLUMNS, _patent_link),
        Drilldown(
            "agricultural_patents.to_county_level",
            _("向旗（县域）转化的农牧业专利"),
            PATENT_COLUMNS,
            _patent_link,
        ),
        Drilldown(
            "funnel.demands", _("发布的技术需求"), DEMAND_COLUMNS, _link("demands:demand-detail", "code")
        ),
        Drilldown("funnel.matches", _("供需匹配"), MATCH_COLUMNS),
        Drilldown("funnel.inquiries", _("对接咨询"), INQUIRY_COLUMNS, _link("matching:inquiry-detail")),
    ]
}
# The funnel's deals are KPI 1's deals, shown under KPI 1's key.
DRILLDOWNS["funnel.deals"] = DRILLDOWNS["sme_acquisitions.deals"]


def drilldown_get(key: str) -> Drilldown:
    try:
        return DRILLDOWNS[key]
    except KeyError:
        raise Http404 from None
