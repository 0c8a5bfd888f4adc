"""Serializers for the patents API. They shape data; the services hold the rules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.limits import TEXT_LONG
from portal.models import Industry, Organization, Region

from .. import ipc
from ..models import IpcEntry, NavigationProject, Patent, SupplyBulletin


class OwnerSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", default=None, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "region", "verified", "public_contact"]


class IpcCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    subclass_title = serializers.CharField()


class PatentSerializer(serializers.ModelSerializer):
    """A patent with its listing terms, as the public sees it."""

    owner = OwnerSerializer(read_only=True)
    ipc_codes = serializers.SerializerMethodField()
    applicants = serializers.ListField(source="applicant_list", child=serializers.CharField())
    inventors = serializers.SerializerMethodField()
    keywords = serializers.ListField(source="keyword_list", child=serializers.CharField())
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    deal_kinds = serializers.ListField(child=serializers.ChoiceField(choices=Patent.DealKind.choices))
    # "" when no license is offered: documented as such in the schema.
    license_scope = serializers.ChoiceField(
        choices=Patent.LicenseScope.choices, allow_blank=True, read_only=True
    )
    years_remaining = serializers.FloatField(allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Patent
        fields = [
            "application_no",
            "patent_type",
            "title",
            "abstract",
            "claims",
            "ipc_main",
            "ipc_codes",
            "applicants",
            "inventors",
            "owner",
            "application_date",
            "grant_date",
            "publication_no",
            "legal_status",
            "expiry_date",
            "years_remaining",
            "industries",
            "keywords",
            "trl",
            "implemented",
            "dormant",
            "deal_kinds",
            "license_scope",
            "open_license",
            "use_first_pay_later",
            "sme_fee_waiver",
            "asking_price",
            "listing_status",
            "published_at",
            "listed_until",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(IpcCodeSerializer(many=True))
    def get_ipc_codes(self, patent: Patent) -> list[dict]:
        return [{"code": code, "subclass_title": ipc.title_of(code[:4])} for code in patent.ipc_list]

    def get_inventors(self, patent: Patent) -> list[str]:
        return [name.strip() for name in patent.inventors.split(";") if name.strip()]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, patent: Patent) -> str:
        from django.urls import reverse

        path = reverse("patents:detail", kwargs={"application_no": patent.application_no})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PatentWriteSerializer(serializers.Serializer):
    """Input for creating or changing a patent; lists may also be given as ';'-separated text."""

    application_no = serializers.CharField(max_length=30, required=False, help_text=_("创建时必填"))
    owner = serializers.SlugRelatedField(
        slug_field="credit_code",
        queryset=Organization.objects.suppliers(),
        required=False,
        help_text=_("权利人统一社会信用代码；机构用户可省略（默认为本单位）"),
    )
    title = serializers.CharField(max_length=300, required=False)
    abstract = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LONG)
    claims = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LONG)
    ipc_codes = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    applicants = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    inventors = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    application_date = serializers.DateField(required=False, allow_null=True)
    grant_date = serializers.DateField(required=False, allow_null=True)
    publication_no = serializers.CharField(max_length=30, required=False, allow_blank=True)
    legal_status = serializers.ChoiceField(choices=Patent.LegalStatus.choices, required=False)
    industries = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), many=True, required=False
    )
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    trl = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)
    implemented = serializers.BooleanField(required=False)
    deal_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Patent.DealKind.choices), required=False
    )
    license_scope = serializers.ChoiceField(
        choices=Patent.LicenseScope.choices, required=False, allow_blank=True
    )
    use_first_pay_later = serializers.BooleanField(required=False)
    sme_fee_waiver = serializers.BooleanField(required=False)
    asking_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    def to_service_fields(self) -> dict:
        data = dict(self.validated_data)
        data.pop("application_no", None)
        data.pop("owner", None)
        for name in ("ipc_codes", "applicants", "inventors", "keywords"):
            if name in data:
                data[name] = ";".join(data[name])
        if "deal_kinds" in data:
            kinds = set(data.pop("deal_kinds"))
            for kind in Patent.DealKind.values:
                data[f"offers_{kind}"] = kind in kinds
        return data


class ReviewNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class NavigationProjectSerializer(serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    enterprise = serializers.SlugRelatedField(
        slug_field="credit_code", queryset=Organization.objects.all(), required=False, allow_null=True
    )
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, default=None, allow_null=True
    )
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = NavigationProject
        fields = [
            "id",
            "title",
            "kind",
            "industry",
            "enterprise",
            "enterprise_name",
            "region",
            "year_started",
            "status",
            "summary",
            "report_public",
            "report_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_report_url(self, project: NavigationProject) -> str | None:
        if not project.report_file or not project.report_public:
            return None
        from django.urls import reverse

        path = reverse("patents:navigation-report", kwargs={"pk": project.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2023-05"})
class MonthField(serializers.DateField):
    """A month as "YYYY-MM" (the first day of the month is stored)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class SupplyBulletinSerializer(serializers.ModelSerializer):
    month = MonthField()
    patents = serializers.SlugRelatedField(slug_field="application_no", many=True, read_only=True)

    class Meta:
        model = SupplyBulletin
        fields = ["month", "title", "published_at", "patent_count", "patents"]


class IpcEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = IpcEntry
        fields = ["code", "level", "title_zh", "title_en"]
