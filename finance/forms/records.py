"""Forms of the finance records pages (deals with their actions, pledges, insurance, subsidies,
product filings) and the fields they share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patents.models import Patent
from patents.selectors import patents_by_numbers
from portal.forms import AmountField, BootstrapFormMixin, OrganizationField
from portal.selectors import ORGANIZATION_SCOPES

from ..models import (
    Deal,
    InsurancePolicy,
    Payment,
    Pledge,
    ProductFiling,
    Subsidy,
)
from ..services import SUBSIDY_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatentNumbersField(forms.CharField):
    """Application numbers in, a list of patents out."""

    def __init__(self, *, single: bool = False, **kwargs):
        self.single = single
        kwargs.setdefault(
            "widget",
            forms.TextInput() if single else forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        )
        kwargs.setdefault(
            "help_text",
            _("如 202110123456.X，可带 CN/ZL 前缀。")
            if single
            else _("每行一个申请号（或以分号分隔），如 202110123456.X。"),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Patent):
            return value.application_no
        if isinstance(value, list | tuple):
            return "\n".join(p.application_no if isinstance(p, Patent) else str(p) for p in value)
        return value

    def clean(self, value):
        if isinstance(value, Patent):  # a disabled field gives back its initial value
            return value if self.single else [value]
        if isinstance(value, list | tuple):
            return list(value)
        value = super().clean(value)
        if not value:
            return None if self.single else []
        patents = patents_by_numbers(value, single=self.single)
        return patents[0] if self.single else patents


# Who can be a party to a deal, a pledge, a policy, a subsidy or a filing: enterprises, universities
# and institutes; never a bank, an insurer, an agency or a government body (portal's "party" scope).
PARTY_KINDS = ORGANIZATION_SCOPES["party"]


class ServiceForm(BootstrapFormMixin, forms.ModelForm):
    """A model form whose instance is never touched: the service does the validation and saving."""

    # Fields shown across the whole form; the others in two columns.
    full_width: tuple[str, ...] = ("patents", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            # Every money field (yuan, two decimals) takes "50万" like the importers do.
            if type(field) is forms.DecimalField and field.decimal_places == 2:
                self.fields[name] = field = AmountField.replacing(field)
                field.widget.attrs["class"] = "form-control"
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("请选择")
            elif isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", _("请选择")), *field.choices[1:]]

    def _post_clean(self):
        pass

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                name = name.removesuffix("_id")
                if name in self.fields:
                    self.add_error(name, messages)
                    widget = self.fields[name].widget
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                    widget.attrs["aria-invalid"] = "true"
                else:
                    self.add_error(None, messages)
        else:
            self.add_error(None, error.messages)


class DealForm(ServiceForm):
    patents = PatentNumbersField(label=_("专利申请号"))
    seller = OrganizationField(scope="party", label=_("转让方/许可方"))
    buyer = OrganizationField(scope="party", label=_("受让方/被许可方"))

    class Meta:
        model = Deal
        fields = [
            "deal_no",
            "contract_date",
            "seller",
            "buyer",
            "kind",
            "license_scope",
            "patents",
            "contract_amount",
            "registration_no",
            "license_ends_on",
            "source_reference",
            "use_first_pay_later",
            "fee_waived",
            "notes",
        ]
        widgets = {"contract_date": DATE, "license_ends_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["patents"] = list(self.instance.patents.all())
            if self.instance.registration_no or self.instance.status == Deal.Status.TERMINATED:
                for name in ("kind", "license_scope", "seller", "buyer", "patents", "contract_date"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("合同已登记或终止，不能修改。")
        self.fields["license_scope"].choices = [
            ("", _("（非许可交易不填）")),
            *self.fields["license_scope"].choices[1:],
        ]


class RegisterForm(BootstrapFormMixin, forms.Form):
    registration_no = forms.CharField(
        label=_("登记号"), max_length=50, widget=forms.TextInput(attrs={"placeholder": _("登记（备案）号")})
    )


class TerminateForm(BootstrapFormMixin, forms.Form):
    terminated_on = forms.DateField(label=_("终止日期"), widget=DATE)
    reason = forms.CharField(
        label=_("终止原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentForm(ServiceForm):
    class Meta:
        model = Payment
        fields = ["date", "amount", "note"]
        widgets = {"date": DATE}


class PledgeForm(ServiceForm):
    patents = PatentNumbersField(label=_("质押专利申请号"))
    borrower = OrganizationField(scope="party", label=_("出质人（借款单位）"))
    lender = OrganizationField(
        scope="bank",
        label=_("质权人（银行）"),
        required=False,
        help_text=_("平台上登记的银行；不在平台上的银行请只填写下方名称。"),
    )

    class Meta:
        model = Pledge
        fields = [
            "registration_no",
            "registration_date",
            "borrower",
            "status",
            "lender",
            "lender_name",
            "patents",
            "amount",
            "term_months",
            "has_guarantee",
            "has_insurance",
            "has_risk_compensation",
            "third_party",
            "notes",
        ]
        widgets = {"registration_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, lender_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lender_name"].required = False
        self.fields["lender_name"].help_text = _("选择了平台上的银行时可留空。")
        if self.instance.pk:
            self.initial["patents"] = list(self.instance.patents.all())
        if lender_fixed:  # a bank records its own pledges
            del self.fields["lender"]
            del self.fields["lender_name"]


class InsurancePolicyForm(ServiceForm):
    patents = PatentNumbersField(label=_("投保专利申请号"))
    insured = OrganizationField(scope="party", label=_("被保险单位"))
    insurer = OrganizationField(
        scope="insurer",
        label=_("保险机构"),
        required=False,
        help_text=_("平台上登记的保险机构；不在平台上的请只填写下方名称。"),
    )

    class Meta:
        model = InsurancePolicy
        fields = [
            "policy_no",
            "start_date",
            "insured",
            "insurer",
            "insurer_name",
            "patents",
            "premium",
            "premium_subsidy",
            "coverage",
            "notes",
        ]
        widgets = {"start_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insurer_name"].required = False
        self.fields["insurer_name"].help_text = _("选择了平台上的保险机构时可留空。")
        if self.instance.pk:
            self.initial["patents"] = list(self.instance.patents.all())


class SubsidyForm(ServiceForm):
    organization = OrganizationField(scope="party", label=_("申请单位"))
    patent = PatentNumbersField(single=True, label=_("专利申请号"))

    class Meta:
        model = Subsidy
        fields = list(SUBSIDY_FIELDS)
        widgets = {"decision_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["patent"] = self.instance.patent


class ProductFilingForm(ServiceForm):
    organization = OrganizationField(scope="party", label=_("备案单位"))
    patents = PatentNumbersField(label=_("涉及专利申请号"))

    class Meta:
        model = ProductFiling
        fields = ["filing_no", "filing_date", "organization", "product_name", "patents", "notes"]
        widgets = {"filing_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["patents"] = list(self.instance.patents.all())
