"""Serializers of the finance API: output shapes, and input shapes that only parse (organizations by
id, patents by application number); the services hold the rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from patents.selectors import patents_by_numbers
from portal.models import Organization

from ..models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy

MONEY = {"max_digits": 14, "decimal_places": 2}


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as its own named enum component (``Finance...Enum``): the
    records' ``kind`` and ``status`` choice sets differ from other apps' fields of the same name,
    and the generated names would collide."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = [str(value) for value in field.choices]
        if field.allow_blank:
            values.append("")
        description = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": values, "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        if field.read_only:
            return {"allOf": [component.ref], "readOnly": True}
        return component.ref


def _choices(choices, *, enum_name: str, **kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=choices, enum_name=enum_name, **kwargs)


class PatentNumbersField(serializers.ListField):
    """A list of application numbers in, the patents out."""

    child = serializers.CharField()

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _('专利申请号列表，如 ["202110123456.X"]'))
        kwargs.setdefault("allow_empty", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        numbers = super().to_internal_value(data)
        try:
            return patents_by_numbers(numbers)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class PatentNumberField(serializers.CharField):
    """One application number in, the patent out."""

    def to_internal_value(self, data):
        number = super().to_internal_value(data)
        try:
            return patents_by_numbers(number, single=True)[0]
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        except IndexError:
            raise serializers.ValidationError(_("请填写申请号。")) from None


def _organization(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), **kwargs)


# --- Deals and payments --------------------------------------------------------------------------


class DealSerializer(serializers.ModelSerializer):
    patents = serializers.SlugRelatedField(many=True, read_only=True, slug_field="application_no")
    seller_name = serializers.CharField(source="seller.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    received_amount = serializers.DecimalField(
        **MONEY, read_only=True, help_text=_("实际到账金额：到账款项之和")
    )
    kind = _choices(Deal.Kind.choices, enum_name="FinanceDealKindEnum", read_only=True)
    license_scope = _choices(
        Deal.LicenseScope.choices, enum_name="FinanceLicenseScopeEnum", read_only=True, allow_blank=True
    )
    status = _choices(Deal.Status.choices, enum_name="FinanceDealStatusEnum", read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "deal_no",
            "kind",
            "license_scope",
            "patents",
            "seller",
            "seller_name",
            "buyer",
            "buyer_name",
            "contract_date",
            "contract_amount",
            "received_amount",
            "license_ends_on",
            "registration_no",
            "use_first_pay_later",
            "fee_waived",
            "source_reference",
            "inquiry",
            "open_license",
            "status",
            "terminated_on",
            "termination_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DealWriteSerializer(serializers.Serializer):
    deal_no = serializers.CharField(max_length=50)
    kind = _choices(Deal.Kind.choices, enum_name="FinanceDealKindEnum")
    license_scope = _choices(
        Deal.LicenseScope.choices, enum_name="FinanceLicenseScopeEnum", required=False, allow_blank=True
    )
    seller = _organization()
    buyer = _organization()
    patents = PatentNumbersField()
    contract_date = serializers.DateField()
    contract_amount = serializers.DecimalField(**MONEY)
    license_ends_on = serializers.DateField(required=False, allow_null=True)
    registration_no = serializers.CharField(max_length=50, required=False, allow_blank=True)
    use_first_pay_later = serializers.BooleanField(required=False)
    fee_waived = serializers.BooleanField(required=False)
    source_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class RegisterSerializer(serializers.Serializer):
    registration_no = serializers.CharField(max_length=50)


class TerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PaymentSerializer(serializers.ModelSerializer):
    deal_no = serializers.CharField(source="deal.deal_no", read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "deal", "deal_no", "date", "amount", "note", "created_at"]
        read_only_fields = fields


class PaymentWriteSerializer(serializers.Serializer):
    deal = serializers.PrimaryKeyRelatedField(
        queryset=Deal.objects.all(), help_text=_("交易 id（创建时必填，不能修改）")
    )
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Pledges, insurance, subsidies, filings -------------------------------------------------------


class PledgeSerializer(serializers.ModelSerializer):
    patents = serializers.SlugRelatedField(many=True, read_only=True, slug_field="application_no")
    borrower_name = serializers.CharField(source="borrower.name", read_only=True)
    status = _choices(Pledge.Status.choices, enum_name="FinancePledgeStatusEnum", read_only=True)

    class Meta:
        model = Pledge
        fields = [
            "id",
            "registration_no",
            "borrower",
            "borrower_name",
            "lender",
            "lender_name",
            "patents",
            "amount",
            "registration_date",
            "term_months",
            "has_guarantee",
            "has_insurance",
            "has_risk_compensation",
            "third_party",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PledgeWriteSerializer(serializers.Serializer):
    registration_no = serializers.CharField(max_length=50)
    borrower = _organization()
    lender = _organization(required=False, allow_null=True, help_text=_("银行用户登记时固定为本行。"))
    lender_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    patents = PatentNumbersField()
    amount = serializers.DecimalField(**MONEY)
    registration_date = serializers.DateField()
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    has_guarantee = serializers.BooleanField(required=False)
    has_insurance = serializers.BooleanField(required=False)
    has_risk_compensation = serializers.BooleanField(required=False)
    third_party = serializers.BooleanField(required=False, help_text=_("质押专利的权利人不是出质人。"))
    status = _choices(Pledge.Status.choices, enum_name="FinancePledgeStatusEnum", required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class InsurancePolicySerializer(serializers.ModelSerializer):
    patents = serializers.SlugRelatedField(many=True, read_only=True, slug_field="application_no")
    insured_name = serializers.CharField(source="insured.name", read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = [
            "id",
            "policy_no",
            "insured",
            "insured_name",
            "insurer",
            "insurer_name",
            "patents",
            "premium",
            "coverage",
            "start_date",
            "premium_subsidy",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InsurancePolicyWriteSerializer(serializers.Serializer):
    policy_no = serializers.CharField(max_length=60)
    insured = _organization()
    insurer = _organization(required=False, allow_null=True)
    insurer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    patents = PatentNumbersField()
    premium = serializers.DecimalField(**MONEY)
    coverage = serializers.DecimalField(**MONEY)
    start_date = serializers.DateField()
    premium_subsidy = serializers.DecimalField(**MONEY, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class SubsidySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    application_no = serializers.CharField(source="patent.application_no", read_only=True)
    status = _choices(Subsidy.Status.choices, enum_name="FinanceSubsidyStatusEnum", read_only=True)

    class Meta:
        model = Subsidy
        fields = [
            "id",
            "organization",
            "organization_name",
            "patent",
            "application_no",
            "official_fees",
            "requested_amount",
            "approved_amount",
            "status",
            "decision_date",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubsidyWriteSerializer(serializers.Serializer):
    organization = _organization()
    patent = PatentNumberField(help_text=_("专利申请号"))
    official_fees = serializers.DecimalField(**MONEY)
    requested_amount = serializers.DecimalField(**MONEY)
    approved_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    status = _choices(Subsidy.Status.choices, enum_name="FinanceSubsidyStatusEnum")
    decision_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class ProductFilingSerializer(serializers.ModelSerializer):
    patents = serializers.SlugRelatedField(many=True, read_only=True, slug_field="application_no")
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ProductFiling
        fields = [
            "id",
            "filing_no",
            "organization",
            "organization_name",
            "product_name",
            "patents",
            "filing_date",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductFilingWriteSerializer(serializers.Serializer):
    filing_no = serializers.CharField(max_length=60)
    organization = _organization()
    product_name = serializers.CharField(max_length=200)
    patents = PatentNumbersField()
    filing_date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)
