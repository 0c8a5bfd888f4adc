"""Forms of the finance pages. They parse input (application numbers, organizations, dates);
the services validate and write, and their errors are put back on the form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patents.models import Patent
from patents.selectors import patents_by_numbers
from portal.forms import AmountField, BootstrapFormMixin, OrganizationField
from portal.models import Organization
from portal.selectors import ORGANIZATION_SCOPES

from .models import (
    CaseConsent,
    Contract,
    Deal,
    InsurancePolicy,
    Payment,
    Pledge,
    ProductFiling,
    Subsidy,
    TypicalCase,
)

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
        fields = [
            "organization",
            "patent",
            "official_fees",
            "requested_amount",
            "approved_amount",
            "status",
            "decision_date",
            "notes",
        ]
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


# --- Market features (issue 16): typical cases, pledges from the candidates ----------------------


class TypicalCaseForm(BootstrapFormMixin, forms.ModelForm):
    """The text of a typical case; on creation also the deal it tells of (a registered deal)."""

    deal = forms.ModelChoiceField(queryset=Deal.objects.none(), label=_("交易"), required=True)

    class Meta:
        model = TypicalCase
        fields = ["deal", "title", "summary", "story", "results"]
        widgets = {"story": forms.Textarea(attrs={"rows": 8}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, deals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["deal"]
        else:
            self.fields["deal"].queryset = deals if deals is not None else Deal.objects.none()
            self.fields["deal"].label_from_instance = lambda d: (
                f"{d.deal_no} · {d.seller.name} → {d.buyer.name}"
            )

    def _post_clean(self):
        pass  # the service validates and saves

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "deal"}


class CaseConsentForm(BootstrapFormMixin, forms.Form):
    party = forms.ChoiceField(label=_("当事方"), choices=CaseConsent.Party.choices)
    evidence = forms.CharField(
        label=_("同意方式"),
        max_length=300,
        required=False,
        help_text=_("代当事方记录时必填，如“书面同意书（2024-03-01）”。"),
    )


class CandidatePledgeForm(PledgeForm):
    """The pledge form of a bank, opened from a consenting SME's candidates: the borrower is fixed
    and only that SME's candidate patents may be chosen."""

    patents = forms.ModelMultipleChoiceField(
        queryset=Patent.objects.none(), label=_("质押专利"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, borrower, candidates, **kwargs):
        super().__init__(*args, lender_fixed=True, **kwargs)
        self.fields["borrower"].queryset = Organization.objects.filter(pk=borrower.pk)
        self.fields["borrower"].initial = borrower.pk
        self.fields["borrower"].disabled = True
        self.fields["patents"].queryset = candidates
        self.fields["patents"].empty_label = None  # ServiceForm gives choice fields a "please choose"
        self.fields["patents"].label_from_instance = lambda p: f"{p.application_no} {p.title}"
        self.fields["patents"].widget.attrs["class"] = "form-check-input"


# --- Contracts, open licences, follow-ups -----------------------------------------------------------


class ContractForm(BootstrapFormMixin, forms.ModelForm):
    """The editable terms of a draft contract (parties and patent come from the inquiry)."""

    class Meta:
        model = Contract
        fields = [
            "contract_no",
            "kind",
            "license_scope",
            "scope_of_use",
            "territory",
            "term_starts_on",
            "term_ends_on",
            "fee_mode",
            "amount",
            "entry_fee",
            "royalty_rate",
            "payment_terms",
            "other_terms",
        ]
        widgets = {
            "term_starts_on": DATE,
            "term_ends_on": DATE,
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "other_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["license_scope"].required = False


class SignedOnForm(BootstrapFormMixin, forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)


class OpenLicenseTakeForm(BootstrapFormMixin, forms.Form):
    ends_on = forms.DateField(
        label=_("许可期限至"), required=False, widget=DATE, help_text=_("留空为开放许可期限届满日。")
    )
    expected_amount = forms.DecimalField(
        label=_("预计许可使用费（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("仅提成支付方式填写，作为合同金额登记。"),
    )
    confirm = forms.BooleanField(label=_("本单位确认按声明公布的条件实施该专利并支付许可使用费"))


class FollowUpAnswerForm(BootstrapFormMixin, forms.Form):
    implemented = forms.TypedChoiceField(
        label=_("专利是否已实施"),
        choices=[("yes", _("已实施")), ("no", _("尚未实施"))],
        coerce=lambda value: value == "yes",
        widget=forms.Select,
    )
    product = forms.CharField(label=_("实施产品"), max_length=200, required=False)
    revenue = forms.DecimalField(
        label=_("由此带来的收入（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    jobs = forms.IntegerField(label=_("带动就业（人）"), required=False, min_value=0, max_value=1_000_000)
    notes = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
