"""The FilterSets of the matching workflow, shared by the HTML list pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from demands.models import Demand
from portal.forms import BootstrapFormMixin
from portal.models import Industry, Region

from .models import Event, Inquiry, Notification


class FilterForm(BootstrapFormMixin, forms.Form):
    """Bootstrap classes on the filter widgets."""


def _terms(value: str) -> list[str]:
    return [term for term in (value or "").split() if term][:5]


class InquiryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), help_text=_("在主题、专利名称、申请号和单位名称中检索。")
    )
    status = django_filters.ChoiceFilter(
        choices=Inquiry.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )
    open = django_filters.BooleanFilter(method="filter_open", label=_("进行中"))
    patent = django_filters.CharFilter(field_name="patent__application_no", label=_("申请号"))
    demand = django_filters.CharFilter(field_name="demand__code", label=_("需求编号"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("发起日期起")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("发起日期止")
    )

    class Meta:
        model = Inquiry
        fields = ["q", "status", "open", "patent", "demand", "created_after", "created_before"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        for term in _terms(value):
            queryset = queryset.filter(
                Q(subject__icontains=term)
                | Q(patent__title__icontains=term)
                | Q(patent__application_no__icontains=term)
                | Q(organization__name__icontains=term)
                | Q(patent__owner__name__icontains=term)
            )
        return queryset

    def filter_open(self, queryset, name, value):
        closed = (Inquiry.Status.AGREED, Inquiry.Status.DECLINED, Inquiry.Status.WITHDRAWN)
        if value is None:
            return queryset
        return queryset.exclude(status__in=closed) if value else queryset.filter(status__in=closed)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), help_text=_("在活动名称、地点、主办单位和园区中检索。")
    )
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label=_("类型"), empty_label=_("全部类型"))
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", label=_("旗区"), empty_label=_("全部旗区")
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(),
        field_name="industries",
        to_field_name="code",
        label=_("产业"),
        empty_label=_("全部产业"),
    )
    # A whole year within the plan's reach: "0.0" or 2023.5 is a 400, not a 500 from the database.
    year = YearFilter(field_name="date", lookup_expr="year", label=_("年度"), min_value=1985, max_value=2100)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期起"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期止"))

    class Meta:
        model = Event
        fields = ["q", "kind", "district", "industry", "year", "date_after", "date_before"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        for term in _terms(value):
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(venue__icontains=term)
                | Q(organizer__icontains=term)
                | Q(park__icontains=term)
            )
        return queryset


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("未读"))
    kind = django_filters.ChoiceFilter(
        choices=Notification.Kind.choices, label=_("类型"), empty_label=_("全部类型")
    )

    class Meta:
        model = Notification
        fields = ["unread", "kind"]
        form = FilterForm


class UnservedDemandFilterSet(django_filters.FilterSet):
    """Filters of the unserved-demands list (the page and its CSV export)."""

    q = django_filters.CharFilter(
        method="filter_q", label=_("关键词"), help_text=_("在需求名称、编号、关键词和企业名称中检索。")
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), to_field_name="code", label=_("产业"), empty_label=_("全部产业")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", label=_("旗区"), empty_label=_("全部旗区")
    )

    class Meta:
        model = Demand
        fields = ["q", "industry", "district"]
        form = FilterForm

    def filter_q(self, queryset, name, value):
        for term in _terms(value):
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(code__icontains=term)
                | Q(keywords__icontains=term)
                | Q(organization__name__icontains=term)
            )
        return queryset
