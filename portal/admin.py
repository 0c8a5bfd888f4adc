"""Admin for clean-up work on the portal's shared data; writes with rules go through services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .errors import ApplicationError
from .models import (
    ImportJob,
    Industry,
    Membership,
    Organization,
    OrganizationAlias,
    OrganizationChange,
    OrganizationPeriod,
    OrganizationYearStats,
    OutboxTask,
    Region,
)
from .periods import KEEP, organization_correct, organization_reclassify
from .permissions import actor_for
from .services import organization_unverify, organization_verify


def log_admin_action(request, objects, action: str) -> None:
    """Record a custom admin action in the admin's history (a LogEntry per object it changed), as
    the admin does by itself for its own add, change and delete pages."""
    objects = list(objects)
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=objects,
            action_flag=CHANGE,
            change_message=f"{action}（管理操作）",
        )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_county_level", "organization_count"]
    list_filter = ["is_county_level"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_organization_count=Count("organizations"))

    @admin.display(description=_("单位数"), ordering="_organization_count")
    def organization_count(self, obj):
        return obj._organization_count


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "name_en", "is_agricultural", "ipc_prefixes", "sort_order"]
    list_editable = ["sort_order"]
    list_filter = ["is_agricultural"]
    search_fields = ["code", "name", "name_en", "keywords", "ipc_prefixes"]
    prepopulated_fields = {"code": ["name_en"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "district", "email_notifications"]


class OrganizationYearStatsInline(admin.TabularInline):
    model = OrganizationYearStats
    extra = 0
    fields = ["year", "revenue", "employees"]


class OrganizationPeriodInline(admin.TabularInline):
    """The kind and district over time (what every KPI counts by); written only by the services."""

    model = OrganizationPeriod
    extra = 0
    can_delete = False
    fields = ["valid_from", "valid_to", "kind", "region"]
    readonly_fields = fields
    verbose_name_plural = _("类型与旗区的历史（各项统计按记录日期取值）")

    def has_add_permission(self, request, obj=None):
        return False


class OrganizationChangeInline(admin.TabularInline):
    model = OrganizationChange
    extra = 0
    can_delete = False
    fields = [
        "changed_at",
        "changed_by",
        "action",
        "effective_from",
        "kind_before",
        "kind_after",
        "region_before",
        "region_after",
        "source",
        "reason",
    ]
    readonly_fields = fields
    verbose_name_plural = _("类型与旗区变更记录")

    def has_add_permission(self, request, obj=None):
        return False


class OrganizationAdminForm(forms.ModelForm):
    """A change of kind or district applies from a date (default today) or, as a correction, from
    the start; records dated before a change keep counting with the earlier values."""

    effective_from = forms.DateField(
        label=_("类型/旗区变更生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为今天。此日期之前的交易等记录仍按原类型和旗区统计。"),
    )
    correct_from_start = forms.BooleanField(
        label=_("自始更正"),
        required=False,
        help_text=_("原登记的类型或旗区自始有误：更正适用于全部历史记录，以往年度的统计数字随之改变。"),
    )
    change_reason = forms.CharField(label=_("变更原因"), required=False, max_length=500)

    class Meta:
        model = Organization
        fields = ["name", "credit_code", "kind", "region"]

    def clean(self):
        data = super().clean()
        if data.get("correct_from_start"):
            if data.get("effective_from"):
                self.add_error("effective_from", _("自始更正不填生效日期。"))
            if not (data.get("change_reason") or "").strip():
                self.add_error("change_reason", _("自始更正须说明原因。"))
        effective_from = data.get("effective_from")
        if effective_from and effective_from > timezone.localdate():
            self.add_error("effective_from", _("生效日期不能晚于今天。"))
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "credit_code", "kind", "region", "verified", "verified_at", "created_at"]
    list_filter = ["verified", "kind", "region", "industries"]
    search_fields = ["name", "credit_code", "contact_name", "contact_phone", "contact_email"]
    list_select_related = ["region"]
    date_hierarchy = "created_at"
    filter_horizontal = ["industries"]
    autocomplete_fields = ["agencies"]
    readonly_fields = ["verified", "verified_at", "created_at", "updated_at"]
    inlines = [
        MembershipInline,
        OrganizationYearStatsInline,
        OrganizationPeriodInline,
        OrganizationChangeInline,
    ]
    actions = ["verify_selected", "unverify_selected"]
    fieldsets = [
        (None, {"fields": ["name", "credit_code", "kind", "region", "industries", "agencies"]}),
        (
            _("类型/旗区变更"),
            {"fields": ["effective_from", "correct_from_start", "change_reason"]},
        ),
        (_("审核"), {"fields": ["verified", "verified_at"]}),
        (
            _("联系信息"),
            {
                "fields": [
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                    "address",
                    "website",
                    "public_contact",
                    "description",
                ]
            },
        ),
        (_("记录"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """A changed kind or district goes through portal.periods with the date given (or as a
        correction from the start); the other fields are saved as usual."""
        moved = {"kind", "region"} & set(form.changed_data)
        if not change or not moved:
            super().save_model(request, obj, form, change)
            return
        kind = obj.kind if "kind" in moved else KEEP
        region_id = obj.region_id if "region" in moved else KEEP
        stored = Organization.objects.get(pk=obj.pk)
        obj.kind, obj.region_id = stored.kind, stored.region_id
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        reason = (data.get("change_reason") or "").strip()
        if data.get("correct_from_start"):
            organization_correct(
                organization=obj,
                actor=actor_for(request.user),
                kind=kind,
                region_id=region_id,
                reason=reason,
                source=_("后台"),
            )
        else:
            organization_reclassify(
                organization=obj,
                actor=actor_for(request.user),
                kind=kind,
                region_id=region_id,
                effective_from=data.get("effective_from"),
                reason=reason,
                source=_("后台"),
            )
        obj.refresh_from_db(fields=["kind", "region"])

    def _run(self, request, queryset, service, done_message, action):
        done, failed, changed = 0, [], []
        for organization in queryset:
            try:
                service(organization=organization, actor=actor_for(request.user))
            except (ApplicationError, PermissionDenied) as error:
                failed.append(f"{organization.name}: {error}")
            else:
                done += 1
                changed.append(organization)
        log_admin_action(request, changed, action)
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for message in failed:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("认证所选单位"))
    def verify_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            organization_verify,
            lambda n: ngettext("已认证 %(n)d 家单位。", "已认证 %(n)d 家单位。", n) % {"n": n},
            "认证单位",
        )

    @admin.action(description=_("撤销所选单位的认证"))
    def unverify_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            organization_unverify,
            lambda n: ngettext("已撤销 %(n)d 家单位的认证。", "已撤销 %(n)d 家单位的认证。", n) % {"n": n},
            "撤销单位认证",
        )


@admin.register(OrganizationYearStats)
class OrganizationYearStatsAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "revenue", "employees"]
    list_filter = ["year", "organization__kind", "organization__region"]
    search_fields = ["organization__name", "organization__credit_code"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "district", "email_notifications", "created_at"]
    list_filter = ["role", "district", "organization__kind", "email_notifications"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organization__name",
        "organization__credit_code",
    ]
    list_select_related = ["user", "organization", "district"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs are created by uploads and the import_data command; here they are only inspected."""

    list_display = [
        "original_name",
        "kind",
        "status",
        "organization",
        "created_by",
        "rows_total",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "organization__name", "created_by__username", "message"]
    list_select_related = ["organization", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "file",
        "original_name",
        "options",
        "status",
        "organization",
        "created_by",
        "rows_total",
        "rows_done",
        "result",
        "message",
        "finished_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Tasks kept while the broker was down (portal/outbox.py); rows that stay mean it still is."""

    list_display = ["id", "name", "kwargs", "created_at", "attempts", "last_error"]
    readonly_fields = ["name", "args", "kwargs", "options", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False


@admin.register(OrganizationChange)
class OrganizationChangeAdmin(admin.ModelAdmin):
    """The audit trail of kinds and districts: read-only."""

    list_display = [
        "changed_at",
        "organization",
        "action",
        "effective_from",
        "kind_before",
        "kind_after",
        "region_before",
        "region_after",
        "changed_by",
        "source",
        "reason",
    ]
    list_filter = ["action", "source"]
    search_fields = ["organization__name", "organization__credit_code", "reason"]
    list_select_related = ["organization", "changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganizationAlias)
class OrganizationAliasAdmin(admin.ModelAdmin):
    """Credit codes of duplicates merged into another organization (data clean-up): read-only,
    the importers resolve them to the kept organization."""

    list_display = ["credit_code", "name", "organization", "merged_at", "merged_by"]
    search_fields = ["credit_code", "name", "organization__name", "organization__credit_code"]
    list_select_related = ["organization", "merged_by"]
    readonly_fields = ["credit_code", "name", "organization", "merged_at", "merged_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
