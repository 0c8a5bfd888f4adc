"""The one FilterSet for demands, shared by the browse page, "my demands" and the API."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.forms import AmountField, BootstrapFormMixin
from portal.models import Industry, Region

from .models import Demand


class YuanField(AmountField):
    """A budget bound in the filters: yuan, "50万" accepted (the forms' and importers' parser)."""

    def __init__(self, **kwargs):
        for name in ("max_length", "min_length", "strip", "empty_value"):
            kwargs.pop(name, None)
        super().__init__(**kwargs)


class YuanFilter(django_filters.CharFilter):
    field_class = YuanField


class DemandFilterForm(BootstrapFormMixin, forms.Form):
    """Bootstrap classes on the filter widgets."""


class DemandFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("关键词"),
        help_text=_(
            "在编号、名称、关键词中检索（有权查看详情时也检索需求描述、IPC和企业名称）；多个词用空格分隔。"
        ),
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), to_field_name="code", label=_("产业"), empty_label=_("全部产业")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", label=_("旗区"), empty_label=_("全部旗区")
    )
    deal_kind = django_filters.ChoiceFilter(
        choices=Demand.DealKind.choices, method="filter_deal_kind", label=_("合作方式"), empty_label=_("不限")
    )
    budget_min = YuanFilter(
        method="filter_budget_min", label=_("预算不低于"), help_text=_("元，可写作 50万；面议的需求不计入。")
    )
    budget_max = YuanFilter(
        method="filter_budget_max", label=_("预算不高于"), help_text=_("元，可写作 200万；面议的需求不计入。")
    )
    deadline_after = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="gte",
        label=_("截止日期不早于"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline",
        lookup_expr="lte",
        label=_("截止日期不晚于"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Demand.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )
    source = django_filters.ChoiceFilter(
        choices=Demand.Source.choices, label=_("来源"), empty_label=_("全部来源")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("published_at", "published_at"), ("deadline", "deadline"), ("budget_max", "budget_max")),
        field_labels={"published_at": _("发布时间"), "deadline": _("截止日期"), "budget_max": _("预算")},
        label=_("排序"),
    )

    class Meta:
        model = Demand
        fields = ["q", "industry", "district", "deal_kind", "budget_min", "budget_max", "status", "source"]
        form = DemandFilterForm

    def filter_q(self, queryset, name, value):
        # Plain substring matching: a two-character Chinese word such as 煤矸 or 乳业 is found on
        # SQLite and PostgreSQL alike, with no word segmentation of the stored text.
        for term in re.split(r"\s+", value.strip()):
            if not term:
                continue
            public = (
                Q(code__icontains=term)
                | Q(title__icontains=term)
                | Q(keywords__icontains=term)
                | Q(industry__name__icontains=term)
            )
            # Details are searched only where the viewer may read them, so that a search cannot
            # reveal what a description says.
            details = (
                Q(description__icontains=term)
                | Q(ipc_hints__icontains=term)
                | Q(organization__name__icontains=term)
            )
            if "can_view_details" in queryset.query.annotations:
                public |= Q(can_view_details=True) & details
            queryset = queryset.filter(public)
        return queryset

    def filter_deal_kind(self, queryset, name, value):
        field = Demand.DEAL_KIND_FIELDS.get(value)
        return queryset.filter(**{field: True}) if field else queryset

    def filter_budget_min(self, queryset, name, value):
        """Budget ranges reaching at least ``value`` (an open-ended range counts)."""
        return queryset.filter(
            Q(budget_max__gte=value) | Q(budget_max__isnull=True, budget_min__isnull=False)
        )

    def filter_budget_max(self, queryset, name, value):
        """Budget ranges starting at or below ``value``."""
        return queryset.filter(
            Q(budget_min__lte=value) | Q(budget_min__isnull=True, budget_max__isnull=False)
        )
