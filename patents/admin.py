"""Django admin for clean-up work: search, filters, bulk publish/withdraw through the services,
export in the import format, and the change history."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import log_admin_action
from portal.errors import ApplicationError
from portal.permissions import actor_for

from . import exports, services
from .identifiers import normalize_application_no
from .models import (
    AnnualFeeReduction,
    IpcEntry,
    NavigationProject,
    OpenLicense,
    Patent,
    PatentIpc,
    SupplyBulletin,
)


class PatentIpcInline(admin.TabularInline):
    model = PatentIpc
    extra = 0
    can_delete = False
    readonly_fields = ["code", "section", "klass", "subclass", "main_group", "is_main"]

    def has_add_permission(self, request, obj=None):
        return False


class OpenLicenseInline(admin.TabularInline):
    model = OpenLicense
    extra = 0
    fields = ["fee_mode", "lump_sum", "entry_fee", "royalty_rate", "starts_on", "ends_on", "status"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class PatentAdminForm(forms.ModelForm):
    class Meta:
        model = Patent
        fields = [
            "application_no",
            "owner",
            *sorted(services.EDITABLE_FIELDS),
            "industries",
            "exclusive_license_until",
            "review_note",
        ]

    def clean_application_no(self):
        return normalize_application_no(self.cleaned_data["application_no"])

    def clean_ipc_codes(self):
        return "; ".join(services.normalize_ipc_codes(self.cleaned_data.get("ipc_codes") or ""))


@admin.register(Patent)
class PatentAdmin(SimpleHistoryAdmin):
    form = PatentAdminForm
    list_display = [
        "application_no",
        "title",
        "patent_type",
        "owner",
        "legal_status",
        "listing_status",
        "dormant",
        "listed_until",
        "updated_at",
    ]
    list_filter = [
        "listing_status",
        "legal_status",
        "patent_type",
        "dormant",
        "open_license",
        "owner__kind",
        "owner__region",
        "industries",
    ]
    search_fields = ["application_no", "title", "owner__name", "owner__credit_code", "applicants"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["industries"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "listing_status",
        "patent_type",
        "ipc_main",
        "expiry_date",
        "dormant",
        "submitted_at",
        "published_at",
        "listed_until",
        "renewal_reminded_at",
        "created_at",
        "updated_at",
    ]
    inlines = [PatentIpcInline, OpenLicenseInline]
    actions = ["publish_selected", "withdraw_selected", "export_csv"]

    def get_readonly_fields(self, request, obj=None):
        # The number identifies the patent; it is fixed once saved.
        return [*self.readonly_fields, "application_no"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Admin edits go through the service that keeps derived fields and IPC rows right."""
        try:
            services.patent_save_edited(patent=obj)
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.patent_refresh_dormant(patent=form.instance)

    @admin.action(description=_("发布所选专利（12个月）"))
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, services.patent_publish, _("已发布 %(n)d 件。"), "发布挂牌")

    @admin.action(description=_("撤回所选专利的挂牌"))
    def withdraw_selected(self, request, queryset):
        self._bulk(request, queryset, services.patent_withdraw, _("已撤回 %(n)d 件。"), "撤回挂牌")

    def _bulk(self, request, queryset, service, success, action):
        actor = actor_for(request.user)
        done, problems, changed = 0, [], []
        for patent in queryset.select_related("owner"):
            try:
                service(patent=patent, actor=actor)
                done += 1
                changed.append(patent)
            except (ApplicationError, PermissionDenied) as exc:
                problems.append(f"{patent.application_no}: {getattr(exc, 'message', exc)}")
        log_admin_action(request, changed, action)
        if done:
            self.message_user(request, success % {"n": done}, messages.SUCCESS)
        for problem in problems[:20]:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description=_("导出所选专利（导入格式 CSV）"))
    def export_csv(self, request, queryset):
        response = HttpResponse(exports.export_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="patents-{timezone.localdate():%Y%m%d}.csv"'
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        try:
            extra_context["import_url"] = reverse("portal:import-list")
        except NoReverseMatch:
            extra_context["import_url"] = None
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("前台页面"))
    def view_on_site_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("patents:detail", args=[obj.application_no]), _("查看")
        )

    def view_on_site(self, obj):
        return reverse("patents:detail", args=[obj.application_no])


@admin.register(OpenLicense)
class OpenLicenseAdmin(SimpleHistoryAdmin):
    list_display = ["patent", "fee_mode", "starts_on", "ends_on", "status", "co_owners_consent"]
    list_filter = ["status", "fee_mode"]
    search_fields = ["patent__application_no", "patent__title"]
    raw_id_fields = ["patent", "declared_by"]


@admin.register(AnnualFeeReduction)
class AnnualFeeReductionAdmin(admin.ModelAdmin):
    """Annual-fee reductions of open-license patents; recorded on the patent page (service)."""

    list_display = ["open_license", "fee_year", "annual_fee", "reduction", "paid_on", "recorded_by"]
    search_fields = ["open_license__patent__application_no", "open_license__patent__title"]
    list_select_related = ["open_license__patent", "recorded_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupplyBulletin)
class SupplyBulletinAdmin(admin.ModelAdmin):
    list_display = ["month", "title", "patent_count", "published_at"]
    raw_id_fields = ["patents"]
    actions = ["republish"]

    @admin.action(description=_("重新生成所选月份的公告"))
    def republish(self, request, queryset):
        bulletins = list(queryset)
        for bulletin in bulletins:
            services.supply_bulletin_publish(month=bulletin.month)
        log_admin_action(request, bulletins, "重新生成公告")
        self.message_user(request, _("已重新生成。"), messages.SUCCESS)


@admin.register(NavigationProject)
class NavigationProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "industry", "enterprise", "year_started", "status"]
    list_filter = ["kind", "status", "industry", "region"]
    search_fields = ["title", "enterprise__name"]
    autocomplete_fields = ["enterprise"]


@admin.register(IpcEntry)
class IpcEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "title_zh", "title_en"]
    list_filter = ["level"]
    search_fields = ["code", "title_zh", "title_en"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
