"""The clean-up pages of the admin: every data-quality check with its link, the suspected
duplicates with a merge page (plan, conflicts, KPI impact, second confirmation for frozen
years), the bulk fixes as actions with a preview of what they change, and the record of every
merge and fix (undo where the data allows). All of them call the services of this app."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from patents.models import Patent
from portal.admin import log_admin_action
from portal.errors import ApplicationError
from portal.identifiers import normalize_credit_code
from portal.models import Organization, Region
from portal.permissions import actor_for
from reports.models import AnnualReport

from . import services
from .checks import duplicate_groups, run_checks
from .impact import FrozenConfirmationRequired
from .models import CleanupRun, FrozenReportChange, QualityCount

DUPLICATES_SHOWN = 50


def _can_merge(request) -> bool:
    return request.user.has_perm("portal.change_organization") and request.user.has_perm(
        "portal.delete_organization"
    )


def impact_table(impact: list[dict]):
    """The KPI changes as an HTML table (for read-only fields)."""
    if not impact:
        return _("绩效指标不受影响。")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (c["year"], c["scope_label"], c["indicator_label"], c["value_label"], c["before"], c["after"])
            for c in impact
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        _("年度"),
        _("范围"),
        _("指标"),
        _("数值项"),
        _("变更前"),
        _("变更后"),
        rows,
    )


# --- The checks page and the merge page -------------------------------------------------------


@admin.register(QualityCount)
class DataQualityAdmin(admin.ModelAdmin):
    """The change list is the checks page: live counts, links, duplicates to merge."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("merge/", self.admin_site.admin_view(self.merge_view), name="cleanup_merge"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        recorded = dict(QualityCount.objects.values_list("code", "count"))
        results = run_checks()
        for result in results:
            result.recorded = recorded.get(result.code)
        groups = duplicate_groups()
        merge_url = reverse("admin:cleanup_merge")
        duplicates = [
            {
                "organizations": group,
                "merge_url": merge_url + "?" + urlencode({"keep": group[0].pk, "drop": group[1].pk}),
            }
            for group in groups[:DUPLICATES_SHOWN]
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("数据质量检查"),
            "opts": self.model._meta,
            "results": results,
            "duplicates": duplicates,
            "duplicates_more": max(0, len(groups) - DUPLICATES_SHOWN),
            "merge_url": merge_url,
            "runs_url": reverse("admin:cleanup_cleanuprun_changelist"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/cleanup/checks.html", context)

    def merge_view(self, request):
        if not _can_merge(request):
            raise PermissionDenied
        form = MergeForm(request.POST or None, initial=request.GET.dict())
        context = {
            **self.admin_site.each_context(request),
            "title": _("合并重复单位"),
            "opts": self.model._meta,
            "form": form,
        }
        if request.method == "GET" and {"keep", "drop"} <= set(request.GET):
            form = MergeForm(request.GET)
            context["form"] = form
        if form.is_bound and form.is_valid():
            keep, drop = form.cleaned_data["keep"], form.cleaned_data["drop"]
            apply = request.method == "POST" and "merge" in request.POST
            context.update(keep=keep, drop=drop)
            try:
                plan, outcome = services.organization_merge(
                    keep=keep,
                    drop=drop,
                    actor=actor_for(request.user),
                    dry_run=not apply,
                    drop_conflicting=form.cleaned_data["drop_conflicting"],
                    confirm_frozen=form.cleaned_data["confirm_frozen"],
                )
            except services.MergeConflicts as error:
                context.update(plan=error.plan, conflicts=error.plan.conflicts, refused=error.message)
            except FrozenConfirmationRequired as error:
                context.update(outcome=error.outcome, refused=str(error), needs_confirmation=True)
                context["plan"] = services.organization_merge_plan(keep=keep, drop=drop)
            except ApplicationError as error:
                context["refused"] = error.message
            else:
                if outcome.applied:
                    log_admin_action(request, [keep], f"合并单位 {outcome.details['drop']['credit_code']}")
                    self.message_user(request, outcome.summary, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:cleanup_cleanuprun_change", args=[outcome.run.pk])
                    )
                context.update(plan=plan, outcome=outcome, previewed=True)
        return TemplateResponse(request, "admin/cleanup/merge.html", context)


class OrganizationField(forms.CharField):
    """An organization by id or credit code."""

    def clean(self, value):
        value = super().clean(value)
        text = (value or "").strip()
        found = None
        if text.isdigit():
            found = Organization.objects.filter(pk=int(text)).first()
        if found is None:
            try:
                found = Organization.objects.filter(credit_code=normalize_credit_code(text)).first()
            except forms.ValidationError:
                found = None
        if found is None:
            raise forms.ValidationError(_("单位不存在：%(value)s") % {"value": text})
        return found


class MergeForm(forms.Form):
    keep = OrganizationField(label=_("保留的单位（ID 或统一社会信用代码）"))
    drop = OrganizationField(label=_("被合并的单位（ID 或统一社会信用代码）"))
    drop_conflicting = forms.BooleanField(
        label=_("有冲突时删除被合并单位的冲突记录（保留方的记录不变）"), required=False
    )
    confirm_frozen = forms.BooleanField(label=_("确认变更已审定年度报告涉及的数字"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("drop") and data["keep"].pk == data["drop"].pk:
            raise forms.ValidationError(_("保留的单位与被合并的单位不能是同一家。"))
        return data


# --- Bulk fixes as admin actions, with a preview ----------------------------------------------


def _fix_action(modeladmin, request, queryset, *, service, title, action_name, log_text, with_region=False):
    """First call: the preview (dry run: what changes, which KPI figures move). The preview's
    form posts back with ``apply``; frozen years need ``confirm_frozen`` too."""
    ids = list(queryset.values_list("pk", flat=True))
    region_id = request.POST.get("region") or None if with_region else None
    kwargs = {"region_id": region_id} if with_region else {}
    apply = request.POST.get("apply") == "1"
    confirm = request.POST.get("confirm_frozen") == "1"
    refused = ""
    try:
        outcome = service(
            ids, actor=actor_for(request.user), dry_run=not apply, confirm_frozen=confirm, **kwargs
        )
    except FrozenConfirmationRequired as error:
        outcome, refused = error.outcome, str(error)
    except ApplicationError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    if outcome.applied:
        changed = list(queryset.model._default_manager.filter(pk__in=ids))
        log_admin_action(request, changed, log_text)
        modeladmin.message_user(request, outcome.summary, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "outcome": outcome,
        "refused": refused,
        "ids": ids,
        "action_name": action_name,
        "regions": Region.objects.all() if with_region else None,
        "region_id": region_id or "",
    }
    return TemplateResponse(request, "admin/cleanup/preview.html", context)


@admin.action(description=_("数据清理：撤回所选专利中已失效专利的挂牌"))
def withdraw_not_in_force(modeladmin, request, queryset):
    return _fix_action(
        modeladmin,
        request,
        queryset,
        service=lambda ids, **kw: services.patents_withdraw_not_in_force(patent_ids=ids, **kw),
        title=_("撤回已失效专利的挂牌"),
        action_name="withdraw_not_in_force",
        log_text="数据清理：撤回已失效专利的挂牌",
    )


@admin.action(description=_("数据清理：按IPC对照为所选专利补充产业"))
def industry_from_ipc(modeladmin, request, queryset):
    return _fix_action(
        modeladmin,
        request,
        queryset,
        service=lambda ids, **kw: services.patents_set_industry_from_ipc(patent_ids=ids, **kw),
        title=_("按IPC对照补充产业"),
        action_name="industry_from_ipc",
        log_text="数据清理：按IPC对照补充产业",
    )


@admin.action(description=_("数据清理：为所选单位补充旗区"))
def set_district(modeladmin, request, queryset):
    return _fix_action(
        modeladmin,
        request,
        queryset,
        service=lambda ids, **kw: services.organizations_set_district(organization_ids=ids, **kw),
        title=_("补充单位旗区"),
        action_name="set_district",
        log_text="数据清理：补充旗区",
        with_region=True,
    )


@admin.action(description=_("数据清理：合并所选的两家单位"))
def merge_two(modeladmin, request, queryset):
    organizations = list(queryset.order_by("pk")[:3])
    if len(organizations) != 2:
        modeladmin.message_user(request, _("请恰好选择两家单位。"), messages.WARNING)
        return None
    keep, drop = organizations
    return HttpResponseRedirect(
        reverse("admin:cleanup_merge") + "?" + urlencode({"keep": keep.pk, "drop": drop.pk})
    )


def attach_actions(site: admin.AdminSite = admin.site) -> None:
    """Offer the fixes on the change lists of the models they fix."""
    for model, actions in (
        (Patent, [withdraw_not_in_force, industry_from_ipc]),
        (Organization, [merge_two, set_district]),
    ):
        model_admin = site._registry.get(model)
        if model_admin is None:
            continue
        model_admin.actions = [*model_admin.actions, *(a for a in actions if a not in model_admin.actions)]


# --- Records of the fixes ---------------------------------------------------------------------


class FrozenReportChangeInline(admin.TabularInline):
    model = FrozenReportChange
    extra = 0
    can_delete = False
    fields = ["created_at", "run", "confirmed_by", "changes_table"]
    readonly_fields = fields
    verbose_name_plural = _("审定后经数据清理确认的变更")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("变化的指标"))
    def changes_table(self, obj):
        return impact_table(obj.changes)


@admin.register(CleanupRun)
class CleanupRunAdmin(admin.ModelAdmin):
    list_display = ["performed_at", "kind", "summary", "performed_by", "frozen_years", "reverted_at"]
    list_filter = ["kind"]
    search_fields = ["summary"]
    list_select_related = ["performed_by", "reverted_by"]
    fields = [
        "kind",
        "summary",
        "performed_by",
        "performed_at",
        "frozen_years",
        "impact_table",
        "details",
        "reverted_at",
        "reverted_by",
    ]
    readonly_fields = fields
    actions = ["revert_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("对绩效指标的影响"))
    def impact_table(self, obj):
        return impact_table(obj.impact)

    @admin.action(description=_("撤销所选清理操作"))
    def revert_selected(self, request, queryset):
        runs = list(queryset)
        if len(runs) != 1:
            self.message_user(request, _("请一次撤销一项操作。"), messages.WARNING)
            return None
        run = runs[0]
        return _fix_action(
            self,
            request,
            queryset,
            service=lambda ids, **kw: services.cleanup_run_revert(run=run, **kw),
            title=_("撤销清理操作"),
            action_name="revert_selected",
            log_text="撤销数据清理",
        )


@admin.register(FrozenReportChange)
class FrozenReportChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "report", "run", "confirmed_by"]
    list_select_related = ["report", "run", "confirmed_by"]
    fields = ["report", "run", "confirmed_by", "created_at", "changes_table"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("变化的指标"))
    def changes_table(self, obj):
        return impact_table(obj.changes)


def attach_report_log(site: admin.AdminSite = admin.site) -> None:
    """Show on each annual report the clean-up changes confirmed after it was frozen."""
    model_admin = site._registry.get(AnnualReport)
    if model_admin is not None and FrozenReportChangeInline not in model_admin.inlines:
        model_admin.inlines = [*model_admin.inlines, FrozenReportChangeInline]
