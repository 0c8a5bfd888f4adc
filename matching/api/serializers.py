"""Serializers of the matchmaking API: output shapes, and small inputs for each state change.
No business rules here: the services decide, the selectors decide what is visible."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from demands.selectors import demands_by_codes
from patents.selectors import patents_by_numbers
from portal.limits import TEXT_LONG
from portal.permissions import actor_for
from portal.selectors import industries_by_codes, organization_get_by_credit_code, region_by_code

from .. import permissions, selectors
from ..models import Event, Inquiry, InquiryMessage, Notification


def _actor(serializer):
    actor = serializer.context.get("actor")
    if actor is None:
        request = serializer.context.get("request")
        actor = actor_for(getattr(request, "user", None))
    return actor


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PatentRefSerializer(serializers.Serializer):
    application_no = serializers.CharField()
    title = serializers.CharField()
    owner = OrganizationRefSerializer()


class ContactSerializer(serializers.Serializer):
    organization = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()


class InquiryContactsSerializer(serializers.Serializer):
    owner = ContactSerializer()
    asker = ContactSerializer()


class InquiryActionsSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[permissions.OWNER, permissions.ASKER], allow_null=True)
    can_message = serializers.BooleanField()
    can_accept = serializers.BooleanField()
    transitions = serializers.ListField(child=serializers.ChoiceField(choices=Inquiry.Status.choices))


class InquiryMessageSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", default=None, allow_null=True)

    class Meta:
        model = InquiryMessage
        fields = ["id", "organization", "body", "status_from", "status_to", "created_at"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer):
    """An inquiry; ``contacts`` is null until the owner accepted (double opt-in)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    patent = PatentRefSerializer(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    demand = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    contacts = serializers.SerializerMethodField()
    # The deal signed from this inquiry (its id in the finance API), null until then.
    deal = serializers.IntegerField(source="deal.pk", read_only=True, allow_null=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "subject",
            "status",
            "status_display",
            "patent",
            "organization",
            "demand",
            "match",
            "contacts_released",
            "contacts",
            "first_replied_at",
            "closed_at",
            "deal_reference",
            "deal",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(InquiryContactsSerializer(allow_null=True))
    def get_contacts(self, inquiry):
        return selectors.inquiry_contacts(actor=_actor(self), inquiry=inquiry)


class InquiryDetailSerializer(InquirySerializer):
    """An inquiry with its thread and what the current user may do with it."""

    messages = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "messages", "actions"]
        read_only_fields = fields

    @extend_schema_field(InquiryMessageSerializer(many=True))
    def get_messages(self, inquiry):
        return InquiryMessageSerializer(selectors.inquiry_messages(inquiry=inquiry), many=True).data

    @extend_schema_field(InquiryActionsSerializer)
    def get_actions(self, inquiry):
        return permissions.inquiry_actions(_actor(self), inquiry)


class InquiryCreateSerializer(serializers.Serializer):
    patent = serializers.CharField(help_text="申请号，如 202110123456.X")
    body = serializers.CharField(max_length=5000)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    demand = serializers.CharField(required=False, allow_blank=True, help_text="本单位需求编号（可选）")
    match = serializers.IntegerField(required=False, allow_null=True, help_text="来源匹配结果 id（可选）")


class InquiryBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class InquiryNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class InquiryAgreeSerializer(InquiryNoteSerializer):
    deal_reference = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


# --- Notifications ------------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "body",
            "url",
            "unread",
            "read_at",
            "emailed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField)
    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


# --- Events -------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    """An event; ``patents`` and ``demands`` list only those the caller may see."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    district_name = serializers.CharField(
        source="district.name", default=None, allow_null=True, read_only=True
    )
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    patents = serializers.SerializerMethodField()
    demands = serializers.SerializerMethodField()
    registrations_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "date",
            "status",
            "venue",
            "district",
            "district_name",
            "park",
            "organizer",
            "description",
            "industries",
            "patents",
            "demands",
            "registrations_count",
            "intentions_signed",
            "outcome_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_patents(self, event) -> list[str]:
        return [p.application_no for p in selectors.event_patents(actor=_actor(self), event=event)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_demands(self, event) -> list[str]:
        return [d.code for d in selectors.event_demands(actor=_actor(self), event=event)]


class EventWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=Event.Status.choices, required=False)
    venue = serializers.CharField(max_length=200)
    district = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="旗区代码，如 150621"
    )
    park = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    organizer = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True, default="")
    industries = serializers.ListField(child=serializers.CharField(), required=False, help_text="产业代码")
    patents = serializers.ListField(child=serializers.CharField(), required=False, help_text="申请号")
    demands = serializers.ListField(child=serializers.CharField(), required=False, help_text="需求编号")

    # References by code become rows here (the same look-ups as the event form); what may be
    # attached is the service's decision.
    def validate_district(self, value):
        return region_by_code(value)

    def validate_industries(self, values):
        return industries_by_codes(values)

    def validate_patents(self, values):
        return patents_by_numbers(values)

    def validate_demands(self, values):
        return demands_by_codes(values)


class EventRegisterSerializer(serializers.Serializer):
    credit_code = serializers.CharField(
        required=False, allow_blank=True, help_text="工作人员代为报名的单位；留空为本单位"
    )

    def validate_credit_code(self, value):
        return organization_get_by_credit_code(value) if value else None


class EventOutcomeSerializer(serializers.Serializer):
    intentions_signed = serializers.IntegerField(min_value=0)
    outcome_notes = serializers.CharField(max_length=TEXT_LONG, required=False, allow_blank=True, default="")


class EventRegistrationSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="event_id")
    organization = OrganizationRefSerializer()
    created_at = serializers.DateTimeField()


class DemandMatchSerializer(serializers.Serializer):
    """One recommended patent (the shape of ``manage.py match --json``)."""

    application_no = serializers.CharField()
    score = serializers.FloatField(help_text=_("匹配度，0–1"))
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("匹配理由（中文，按平台原文）")
    )
    tier = serializers.ChoiceField(
        choices=["high", "possible"], help_text=_("high：高度相关；possible：可能相关")
    )


class DemandMatchesSerializer(serializers.Serializer):
    demand = serializers.CharField(help_text=_("需求编号"))
    matches = DemandMatchSerializer(
        many=True, help_text=_("推荐的专利，最相关的在前；可能少于设定条数，也可能没有")
    )
