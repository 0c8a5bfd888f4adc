"""One FilterSet per finance record, shared by the list pages and the API.

Every record has the same four filters, meaning the same thing for each kind of record:
- ``year``: the record's date falls in that year (deal: contract date, payment: date, pledge:
  registration date, policy: start date, subsidy: decision date, filing: filing date);
- ``district``: one of the record's parties is in that district (region code);
- ``organization``: the organization (id) is a party, or the record's bank/insurer;
- ``kind``: for deals and payments the deal kind (transfer/license/equity); for the other records
  the kind of organization of the main party (e.g. ``sme``), as the KPIs count them.
and ``q``, a free-text search.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from patents.models import Patent
from portal.models import Organization, Region

from .models import (
    PLEDGE_DUE_DAYS,
    Deal,
    InsurancePolicy,
    Payment,
    Pledge,
    ProductFiling,
    Subsidy,
    year_range,
)
from .permissions import PARTIES


@extend_schema_field(OpenApiTypes.STR)
class RegionFilter(django_filters.ModelChoiceFilter):
    """A district by its region code (e.g. 150622)."""


@extend_schema_field(OpenApiTypes.INT)
class OrganizationFilter(django_filters.ModelChoiceFilter):
    """An organization by its id."""


class FinanceFilterSet(django_filters.FilterSet):
    """The common filters; subclasses name their date field, search fields and kind field."""

    date_field: str = ""
    search_fields: tuple[str, ...] = ()
    institution_field: str | None = None  # lender / insurer
    kind_field: str = ""

    q = django_filters.CharFilter(method="filter_q", label=_("搜索"))
    year = django_filters.NumberFilter(method="filter_year", label=_("年度"), min_value=1985, max_value=2100)
    district = RegionFilter(
        queryset=Region.objects.all(), method="filter_district", label=_("旗区"), empty_label=_("全部")
    )
    organization = OrganizationFilter(
        queryset=Organization.objects.all(), method="filter_organization", label=_("单位")
    )

    def get_form_class(self):
        # Bootstrap classes on the filter widgets, as on every other form of the portal.
        from portal.forms import BootstrapFormMixin

        base = super().get_form_class()
        return type(base.__name__, (BootstrapFormMixin, base), {"template_name": "django/forms/div.html"})

    def _parties(self) -> tuple[str, ...]:
        return PARTIES[self._meta.model._meta.model_name]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        if "patents" in {f.name for f in self._meta.model._meta.many_to_many}:
            through = self._meta.model.patents.through
            fk = f"{self._meta.model._meta.model_name}_id"
            q |= Q(
                Exists(
                    through.objects.filter(**{fk: OuterRef("pk")}).filter(
                        Q(patent__application_no__icontains=value) | Q(patent__title__icontains=value)
                    )
                )
            )
        return queryset.filter(q)

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        start, end = year_range(int(value))
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})

    def filter_district(self, queryset, name, value):
        if not value:
            return queryset
        q = Q()
        for field in self._parties():
            q |= Q(**{f"{field}__region": value})
        return queryset.filter(q)

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        q = Q()
        for field in self._parties():
            q |= Q(**{field: value})
        if self.institution_field:
            q |= Q(**{self.institution_field: value})
        return queryset.filter(q)


class DealFilterSet(FinanceFilterSet):
    date_field = "contract_date"
    search_fields = ("deal_no", "registration_no", "buyer__name", "seller__name", "source_reference")

    kind = django_filters.ChoiceFilter(choices=Deal.Kind.choices, label=_("交易类型"), empty_label=_("全部"))
    license_scope = django_filters.ChoiceFilter(
        choices=Deal.LicenseScope.choices, label=_("许可方式"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(choices=Deal.Status.choices, label=_("状态"), empty_label=_("全部"))
    patent = django_filters.ModelChoiceFilter(
        queryset=Patent.objects.all(), field_name="patents", label=_("专利"), distinct=True
    )

    class Meta:
        model = Deal
        fields = ["q", "year", "kind", "license_scope", "status", "district", "organization", "patent"]


class PaymentFilterSet(FinanceFilterSet):
    date_field = "date"
    search_fields = ("deal__deal_no", "deal__buyer__name", "deal__seller__name", "note")

    kind = django_filters.ChoiceFilter(
        field_name="deal__kind", choices=Deal.Kind.choices, label=_("交易类型"), empty_label=_("全部")
    )
    deal = django_filters.ModelChoiceFilter(queryset=Deal.objects.all(), label=_("交易"))

    class Meta:
        model = Payment
        fields = ["q", "year", "kind", "district", "organization", "deal"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)


ORGANIZATION_KIND = {"choices": Organization.Kind.choices, "empty_label": _("全部单位类型")}


class PledgeFilterSet(FinanceFilterSet):
    date_field = "registration_date"
    search_fields = ("registration_no", "borrower__name", "lender_name")
    institution_field = "lender"

    kind = django_filters.ChoiceFilter(
        field_name="borrower__kind", label=_("出质人类型"), **ORGANIZATION_KIND
    )
    status = django_filters.ChoiceFilter(
        choices=Pledge.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    due = django_filters.BooleanFilter(method="filter_due", label=_("即将到期（60天内）"))

    class Meta:
        model = Pledge
        fields = ["q", "year", "kind", "status", "district", "organization", "due"]

    def filter_due(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Pledge.objects.due_by(
                timezone.localdate() + datetime.timedelta(days=PLEDGE_DUE_DAYS)
            ).values("pk")
        )


class InsurancePolicyFilterSet(FinanceFilterSet):
    date_field = "start_date"
    search_fields = ("policy_no", "insured__name", "insurer_name")
    institution_field = "insurer"

    kind = django_filters.ChoiceFilter(
        field_name="insured__kind", label=_("被保险单位类型"), **ORGANIZATION_KIND
    )

    class Meta:
        model = InsurancePolicy
        fields = ["q", "year", "kind", "district", "organization"]


class SubsidyFilterSet(FinanceFilterSet):
    date_field = "decision_date"
    search_fields = ("organization__name", "patent__application_no", "patent__title")

    kind = django_filters.ChoiceFilter(
        field_name="organization__kind", label=_("单位类型"), **ORGANIZATION_KIND
    )
    status = django_filters.ChoiceFilter(
        choices=Subsidy.Status.choices, label=_("状态"), empty_label=_("全部")
    )

    class Meta:
        model = Subsidy
        fields = ["q", "year", "kind", "status", "district", "organization"]


class ProductFilingFilterSet(FinanceFilterSet):
    date_field = "filing_date"
    search_fields = ("filing_no", "product_name", "organization__name")

    kind = django_filters.ChoiceFilter(
        field_name="organization__kind", label=_("单位类型"), **ORGANIZATION_KIND
    )

    class Meta:
        model = ProductFiling
        fields = ["q", "year", "kind", "district", "organization"]
