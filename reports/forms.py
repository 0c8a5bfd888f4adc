"""Filter and request forms of the report pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import BootstrapFormMixin
from portal.models import Region
from portal.permissions import Actor

from . import kpi
from .models import PlanPeriod
from .permissions import fixed_district
from .statistics import MONTH, QUARTER
from .years import default_report_year


def year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    first = min(kpi.TREND_START - 1, this_year)
    return [(year, year) for year in range(this_year, first - 1, -1)]


def default_year() -> int:
    """The latest year that has records (last year when there are none): a page opened without a
    year shows figures, not the empty current year."""
    return default_report_year()


def scope_district_field(field: forms.ChoiceField, actor: Actor) -> None:
    """The districts an actor may choose: a district officer only (and always) theirs; city staff
    any district or the whole city."""
    regions = [(region.code, region.label) for region in Region.objects.order_by("code")]
    if fixed_district(actor):
        field.choices = [(code, name) for code, name in regions if code == actor.district_code]
        field.disabled = True
        field.initial = actor.district_code
    else:
        field.choices = [("", _("全市")), *regions]


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    """Year and district of the dashboard and drill-downs; a district officer's district is fixed."""

    # A select of recent years; links (drill-downs, trends) may name any year in range.
    year = forms.IntegerField(
        label=_("年度"), min_value=kpi.YEAR_MIN, max_value=kpi.YEAR_MAX, widget=forms.Select, required=False
    )
    district = forms.ChoiceField(label=_("旗区"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["year"].widget.choices = year_choices()
        scope_district_field(self.fields["district"], actor)
        self.defaulted = False

    def values(self) -> tuple[int, str | None]:
        """The chosen year and district (defaults when the form is empty or invalid); ``defaulted``
        tells whether the year is the default (the latest year with records)."""
        own = fixed_district(self.actor)
        if self.is_bound and self.is_valid():
            year, district = self.cleaned_data.get("year"), self.cleaned_data["district"] or own
            if year:
                return year, district
        else:
            district = own
        year = default_year()
        self.defaulted = True
        self.fields["year"].initial = year
        return year, district


class AnnualReportRequestForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = default_year()


class StatisticsForm(BootstrapFormMixin, forms.Form):
    """A month or a quarter of one year, and (for city staff) a district."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    period = forms.ChoiceField(label=_("统计周期"), choices=[(MONTH, _("月度")), (QUARTER, _("季度"))])
    number = forms.TypedChoiceField(
        label=_("月份/季度"), coerce=int, choices=[(n, n) for n in range(1, 13)], help_text=_("季度填 1–4")
    )
    district = forms.ChoiceField(label=_("旗区"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        scope_district_field(self.fields["district"], actor)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == QUARTER and cleaned.get("number", 0) > 4:
            self.add_error("number", _("季度应为 1–4。"))
        return cleaned


class AwardBudgetForm(BootstrapFormMixin, forms.Form):
    """The year's award budget in yuan (the page proposes each district's share)."""

    amount = forms.DecimalField(
        label=_("奖补资金总额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


class PlanReportRequestForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(
        label=_("规划期"), queryset=PlanPeriod.objects.order_by("-first_year"), empty_label=None
    )


class ApproveConfirmForm(BootstrapFormMixin, forms.Form):
    """The confirmation step before a report is frozen: the approver ticks that they checked it,
    and the form carries the version they were shown."""

    confirmation = forms.CharField(widget=forms.HiddenInput)
    checked = forms.BooleanField(
        label=_("我已核对报告中的数字和文件，确认审定。审定后报告冻结，不能再重新生成。"), required=True
    )
