"""The ``data_quality`` filter of the admin change lists: the links of the checks open the list
of a model narrowed to exactly the records the check counts."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .checks import CHECKS, FILTER_PARAMETER, offending


class DataQualityFilter(admin.SimpleListFilter):
    title = _("数据质量问题")
    parameter_name = FILTER_PARAMETER

    def lookups(self, request, model_admin):
        return [(check.code, check.title) for check in CHECKS if model_admin.model in check.models]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        check = next((c for c in CHECKS if c.code == code and queryset.model in c.models), None)
        if check is None:  # an unknown code shows nothing rather than everything
            return queryset.none()
        found = offending(check, queryset.model)
        return queryset.none() if found is None else queryset.filter(pk__in=found.values("pk"))


def attach_quality_filters(site: admin.AdminSite = admin.site) -> None:
    """Add the filter to the registered admin of every model a check reports."""
    models = {model for check in CHECKS for model in check.models}
    for model in models:
        model_admin = site._registry.get(model)
        if model_admin is None or DataQualityFilter in model_admin.list_filter:
            continue
        model_admin.list_filter = [*model_admin.list_filter, DataQualityFilter]
