"""Reports in the admin: plan periods and their targets (the bureau adds the next plan here),
award budgets, and the generated reports read-only (they are built by the job and approved on
the report pages, where the freeze and its confirmation are enforced)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .kpi import INDICATORS, value_label
from .models import AnnualReport, AwardBudget, PlanPeriod, PlanPeriodReport, PlanTarget


def _value_choices() -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    for indicator in INDICATORS:
        for name in indicator.values:
            names.setdefault(name, value_label(indicator.name, name, unit=False))
    return list(names.items())


class PlanTargetForm(forms.ModelForm):
    values = forms.MultipleChoiceField(
        label=_("考核数值项"),
        choices=_value_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "须为该指标的数值项：交易类指标为交易数、专利数、合同成交额、实际到账金额；受益企业为数量、营业收入、从业人数；质押为数量、金额；备案为数量。"
        ),
    )

    class Meta:
        model = PlanTarget
        fields = ["indicator", "rule", "threshold", "values"]


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    form = PlanTargetForm
    extra = 0


@admin.register(PlanPeriod)
class PlanPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "base_year", "first_year", "last_year")
    inlines = [PlanTargetInline]


@admin.register(AwardBudget)
class AwardBudgetAdmin(admin.ModelAdmin):
    list_display = ("year", "amount", "entered_by", "updated_at")
    readonly_fields = ("entered_by",)

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class GeneratedReportAdmin(admin.ModelAdmin):
    list_filter = ("status",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(GeneratedReportAdmin):
    list_display = ("year", "status", "generated_at", "approved_at", "approved_by")


@admin.register(PlanPeriodReport)
class PlanPeriodReportAdmin(GeneratedReportAdmin):
    list_display = ("plan", "status", "generated_at", "approved_at", "approved_by")
