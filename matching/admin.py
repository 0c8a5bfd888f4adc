"""Admin for clean-up. Runs, chunks and matches are written by the engine and shown read-only;
inquiries change state only through the services (their history is the message thread)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.admin import log_admin_action

from .models import (
    Event,
    EventRegistration,
    Inquiry,
    InquiryMessage,
    Match,
    MatchChunk,
    MatchRun,
    Notification,
    Subscription,
)
from .services import notifications as notification_services


class ReadOnlyAdminMixin:
    """Viewable, never added or edited here (deleting stays possible for clean-up)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MatchChunkInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MatchChunk
    extra = 0
    fields = ("index", "status", "attempts", "sent_at", "finished_at", "worker")
    readonly_fields = fields
    can_delete = False


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "percent",
        "demands_count",
        "matches_count",
        "started_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    date_hierarchy = "created_at"
    inlines = [MatchChunkInline]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("demand", "patent", "score", "rank", "notified", "created_at")
    list_filter = ("notified",)
    search_fields = ("demand__code", "demand__title", "patent__application_no", "patent__title")
    list_select_related = ("demand", "patent")
    raw_id_fields = ("demand", "patent", "run")
    actions = ("notify_now",)

    @admin.action(description=_("立即通知所选匹配（未通知且达到阈值的）"))
    def notify_now(self, request, queryset):
        waiting = list(queryset.filter(notified=False).values_list("pk", flat=True))
        count = notification_services.notify_new_matches(list(queryset.values_list("pk", flat=True)))
        log_admin_action(request, Match.objects.filter(pk__in=waiting, notified=True), "立即通知匹配")
        self.message_user(request, _("已发送 %(n)d 条通知。") % {"n": count}, messages.SUCCESS)


class InquiryMessageInline(admin.TabularInline):
    model = InquiryMessage
    extra = 0
    fields = ("created_at", "organization", "author", "status_from", "status_to", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subject",
        "organization",
        "patent",
        "status",
        "contacts_released",
        "created_at",
        "first_replied_at",
    )
    list_filter = ("status", "contacts_released")
    search_fields = (
        "subject",
        "organization__name",
        "patent__application_no",
        "patent__title",
        "deal_reference",
    )
    list_select_related = ("organization", "patent")
    raw_id_fields = ("patent", "organization", "demand", "match", "created_by")
    date_hierarchy = "created_at"
    # Workflow fields move through the services only (they are timestamped for the reports).
    readonly_fields = (
        "status",
        "contacts_released",
        "first_replied_at",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [InquiryMessageInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "read_at", "emailed_at")
    date_hierarchy = "created_at"


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    raw_id_fields = ("organization", "registered_by")
    readonly_fields = ("created_at",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "date", "district", "organizer", "intentions_signed")
    list_filter = ("kind", "district")
    search_fields = ("title", "venue", "organizer", "park")
    date_hierarchy = "date"
    filter_horizontal = ("industries",)
    raw_id_fields = ("patents", "demands", "created_by")
    inlines = [EventRegistrationInline]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Saved searches and subscriptions, for support (their owners manage them on their page)."""

    list_display = ["name", "user", "kind", "active", "checked_at", "last_sent_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
