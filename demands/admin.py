"""Admin for clean-up: search, filters and the change history of each demand."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import log_admin_action
from portal.errors import ApplicationError
from portal.permissions import actor_for

from . import services
from .models import Demand


@admin.register(Demand)
class DemandAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "title",
        "organization",
        "industry",
        "district",
        "status",
        "source",
        "deadline",
        "published_at",
    )
    list_filter = (
        "status",
        "source",
        "visibility",
        "industry",
        "district",
        "wants_transfer",
        "wants_license",
        "wants_equity",
    )
    search_fields = (
        "code",
        "title",
        "keywords",
        "description",
        "organization__name",
        "organization__credit_code",
    )
    list_select_related = ("organization", "industry", "district")
    autocomplete_fields = ()
    raw_id_fields = ("organization",)
    readonly_fields = ("published_at", "closed_at", "duplicate_of", "created_by", "created_at", "updated_at")
    date_hierarchy = "published_at"
    ordering = ("-updated_at",)
    actions = ("close_demands", "expire_due_now")
    fieldsets = (
        (
            None,
            {"fields": ("code", "organization", "title", "description", "status", "visibility", "source")},
        ),
        (_("匹配信息"), {"fields": ("industry", "keywords", "ipc_hints", "district")}),
        (
            _("合作方式与预算"),
            {"fields": ("wants_transfer", "wants_license", "wants_equity", "budget_min", "budget_max")},
        ),
        (_("期限"), {"fields": ("deadline", "published_at", "closed_at")}),
        (_("系统"), {"fields": ("duplicate_of", "created_by", "created_at", "updated_at")}),
    )

    @admin.action(description=_("关闭所选需求"))
    def close_demands(self, request, queryset):
        closed = []
        for demand in queryset.select_related("organization"):
            try:
                services.demand_close(demand=demand, actor=actor_for(request.user))
                closed.append(demand)
            except ApplicationError as error:
                self.message_user(request, f"{demand.code}: {error.message}", messages.WARNING)
        log_admin_action(request, closed, "关闭需求")
        self.message_user(request, _("已关闭 %(n)d 条需求。") % {"n": len(closed)})

    @admin.action(description=_("立即处理到期需求（全部）"))
    def expire_due_now(self, request, queryset):
        started = timezone.now()
        count = services.demand_expire_due(actor=actor_for(request.user))
        expired = Demand.objects.filter(status=Demand.Status.EXPIRED, closed_at__gte=started)
        log_admin_action(request, expired, "处理到期需求")
        self.message_user(request, _("已将 %(n)d 条到期需求标记为已过期。") % {"n": count})
