"""Demand serializers: one for output, one for input. No business rules here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.limits import TEXT_LONG
from portal.models import Industry, Region

from ..models import Demand

# Shown only to those who may see a demand's details (see demands.permissions); null otherwise.
DETAIL_FIELDS = ("description", "ipc_hints", "organization", "duplicate_of")


class DemandOrganizationSerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name = serializers.CharField()


class DemandSerializer(serializers.ModelSerializer):
    """A demand as the API shows it. Detail fields are null for those who see only the summary."""

    industry = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    industry_name = serializers.CharField(
        source="industry.name", read_only=True, allow_null=True, default=None
    )
    district = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    district_name = serializers.CharField(
        source="district.name", read_only=True, allow_null=True, default=None
    )
    keywords = serializers.ListField(source="keyword_list", child=serializers.CharField(), read_only=True)
    deal_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Demand.DealKind.choices), read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    details_visible = serializers.SerializerMethodField()
    description = serializers.CharField(read_only=True, allow_null=True)
    ipc_hints = serializers.ListField(
        source="ipc_list", child=serializers.CharField(), read_only=True, allow_null=True
    )
    organization = DemandOrganizationSerializer(read_only=True, allow_null=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Demand
        fields = [
            "code",
            "title",
            "status",
            "status_display",
            "industry",
            "industry_name",
            "keywords",
            "deal_kinds",
            "budget_min",
            "budget_max",
            "district",
            "district_name",
            "deadline",
            "visibility",
            "source",
            "published_at",
            "created_at",
            "updated_at",
            "details_visible",
            *DETAIL_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField)
    def get_details_visible(self, demand) -> bool:
        return bool(getattr(demand, "can_view_details", False))

    def to_representation(self, demand):
        data = super().to_representation(demand)
        if not getattr(demand, "can_view_details", False):
            for name in DETAIL_FIELDS:
                data[name] = None
        return data


class DemandWriteSerializer(serializers.Serializer):
    """Input for creating (POST) and editing (PUT/PATCH) a demand of one's own SME."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_LONG)
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    ipc_hints = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    deal_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Demand.DealKind.choices), min_length=1, max_length=3
    )
    budget_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    budget_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    district = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    visibility = serializers.ChoiceField(choices=Demand.Visibility.choices, required=False)
    publish = serializers.BooleanField(
        required=False, default=False, write_only=True, help_text=_("创建时立即发布（否则保存为草稿）。")
    )


class DemandRenewSerializer(serializers.Serializer):
    deadline = serializers.DateField(required=False, allow_null=True, help_text=_("留空则自今天起延长半年。"))
