"""Reads of the reports app: annual reports the actor may see, and the drill-down lists: for
every number on the dashboard, the records behind it (the same querysets the KPIs aggregate).
Data only: titles, columns and links of the drill-down pages are ``reports.drilldowns``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

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
# For every number on the dashboard, the records behind it (the same querysets the KPIs aggregate)
# and the field whose sum is the number. How they are shown (titles, columns, links) is
# ``reports.drilldowns``.


@dataclass(frozen=True)
class DrilldownSource:
    """The records behind one number and what they add up to."""

    records: Callable[[int, str | None], QuerySet]
    total: str | None = None  # the field whose sum is the number (None: the number is the count)


def _with_regions(qs: QuerySet, *aliases: str) -> QuerySet:
    """Annotate the district names of the parties joined as ``<alias>_asof`` (as of the record's
    date): ``<alias>_region_name`` and ``<alias>_region_name_en``."""
    return qs.annotate(
        **{f"{alias}_region_name": F(f"{alias}_asof__region__name") for alias in aliases},
        **{f"{alias}_region_name_en": F(f"{alias}_asof__region__name_en") for alias in aliases},
    )


def _in(field: str, year: int, kind: str = "date"):
    return r.year_q(field, year, kind)


def _patents_of(links: QuerySet) -> QuerySet[Patent]:
    return (
        Patent.objects.filter(pk__in=links.values("patent_id"))
        .select_related("owner")
        .order_by("application_no")
    )


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
        return _patents_of(
            r.deal_patent_records(indicator, district).filter(_in("deal__contract_date", year))
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


def _benefited(year, district):
    return r.benefited_sme_records(year, district).select_related("region").order_by("name", "pk")


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


def _violations(year, district):
    return r.violation_patent_records(year, district).select_related("owner")


def _agricultural(county: bool):
    def records(year, district):
        links = r.agricultural_patent_records(district).filter(_in("deal__contract_date", year))
        if county:
            links = links.filter(r.COUNTY_Q)
        return _patents_of(links)

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


def _deal_sources(indicator: str) -> dict[str, DrilldownSource]:
    return {
        f"{indicator}.deals": DrilldownSource(_deals(indicator)),
        f"{indicator}.contract_amount": DrilldownSource(_deals(indicator), "contract_amount"),
        f"{indicator}.patents": DrilldownSource(_deal_patents(indicator)),
        f"{indicator}.received_amount": DrilldownSource(_payments(indicator), "amount"),
    }


DRILLDOWN_SOURCES: dict[str, DrilldownSource] = {
    **_deal_sources("sme_acquisitions"),
    **_deal_sources("institution_transfers"),
    "smes_benefited.count": DrilldownSource(_benefited),
    "smes_benefited.revenue": DrilldownSource(_benefited, "year_revenue"),
    "smes_benefited.employees": DrilldownSource(_benefited, "year_employees"),
    "sme_pledge_financing.count": DrilldownSource(_pledges),
    "sme_pledge_financing.amount": DrilldownSource(_pledges, "amount"),
    "product_filings.count": DrilldownSource(_filings),
    "roadshows.count": DrilldownSource(_events),
    "roadshows.plan_period": DrilldownSource(_plan_events),
    "navigation_projects.count": DrilldownSource(_navigation),
    "subsidies.count": DrilldownSource(_subsidies),
    "subsidies.amount": DrilldownSource(_subsidies, "approved_amount"),
    "subsidies.violations": DrilldownSource(_violations),
    "agricultural_patents.patents": DrilldownSource(_agricultural(False)),
    "agricultural_patents.to_county_level": DrilldownSource(_agricultural(True)),
    "funnel.demands": DrilldownSource(_demands),
    "funnel.matches": DrilldownSource(_matches),
    "funnel.inquiries": DrilldownSource(_inquiries),
}
DRILLDOWN_SOURCES["funnel.deals"] = DRILLDOWN_SOURCES["sme_acquisitions.deals"]


def drilldown_records(*, key: str, year: int, district: str | None) -> QuerySet:
    """The records behind the number ``key`` of ``year`` (and ``district``); 404 for an unknown key."""
    try:
        source = DRILLDOWN_SOURCES[key]
    except KeyError:
        raise Http404 from None
    return source.records(year, district)


def drilldown_totals(*, records: QuerySet, total: str | None) -> dict:
    """The count and (for amounts, ``total`` the summed field) the sum of the records: the number
    the dashboard shows."""
    aggregates = {"count": Count("pk")}
    if total:
        aggregates["total"] = Sum(total)
    totals = records.order_by().aggregate(**aggregates)
    if total and totals["total"] is None:
        totals["total"] = 0
    return totals
