"""Forms for the patents pages; they collect input, the services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import AmountField, OrganizationField
from portal.models import Industry, Organization

from .identifiers import normalize_application_no
from .models import NavigationProject, OpenLicense, Patent
from .services import NAVIGATION_FIELDS

PATENT_FORM_FIELDS = [
    "title",
    "abstract",
    "claims",
    "ipc_codes",
    "applicants",
    "inventors",
    "application_date",
    "grant_date",
    "publication_no",
    "legal_status",
    "industries",
    "keywords",
    "trl",
    "implemented",
    "license_scope",
    "use_first_pay_later",
    "sme_fee_waiver",
    "asking_price",
]

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Bootstrap classes on every widget."""

    amount_fields: tuple[str, ...] = ()

    def _style(self):
        # Money fields take "50万" like the importers (the one parser, portal.money.to_yuan).
        for name in self.amount_fields:
            if name in self.fields:
                self.fields[name] = AmountField.replacing(self.fields[name])
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class PatentForm(BootstrapMixin, forms.ModelForm):
    """Inventory data and listing terms. On creation also the number and (for staff and agencies)
    the owner."""

    amount_fields = ("asking_price",)

    application_no = forms.CharField(
        label=_("申请号"), max_length=30, help_text=_("如 202110123456.X；可带 CN/ZL 前缀，小数点可省略。")
    )
    owner = forms.ModelChoiceField(label=_("权利人单位"), queryset=Organization.objects.none())
    deal_kinds = forms.MultipleChoiceField(
        label=_("交易方式"),
        choices=Patent.DealKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("所属产业"),
        queryset=Industry.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Patent
        fields = PATENT_FORM_FIELDS
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 5}),
            "claims": forms.Textarea(attrs={"rows": 4}),
            "application_date": DATE_INPUT,
            "grant_date": DATE_INPUT,
            "ipc_codes": forms.TextInput(attrs={"placeholder": "H01M 10/052; H01M 4/58"}),
            "applicants": forms.TextInput(attrs={"placeholder": _("多个以分号分隔")}),
            "inventors": forms.TextInput(attrs={"placeholder": _("多个以分号分隔")}),
            "keywords": forms.TextInput(attrs={"placeholder": _("多个以分号分隔")}),
        }

    def __init__(self, *args, owners=None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            owners = owners if owners is not None else Organization.objects.none()
            self.fields["owner"].queryset = owners
            if owners.count() == 1:
                self.fields["owner"].initial = owners.first()
                self.fields["owner"].widget = forms.HiddenInput()
        else:
            del self.fields["application_no"]
            del self.fields["owner"]
            self.fields["deal_kinds"].initial = self.instance.deal_kinds
        self.fields["trl"].widget = forms.Select(
            choices=[("", "—")] + [(n, f"TRL {n}") for n in range(1, 10)]
        )
        self._style()

    def clean_application_no(self):
        try:
            return normalize_application_no(self.cleaned_data["application_no"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def _post_clean(self):
        # The services validate the model (derived fields, constraints), not the ModelForm.
        pass

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in PATENT_FORM_FIELDS}
        for name in (
            "abstract",
            "claims",
            "ipc_codes",
            "applicants",
            "inventors",
            "publication_no",
            "keywords",
        ):
            data[name] = data[name] or ""
        data["license_scope"] = data["license_scope"] or ""
        kinds = set(self.cleaned_data.get("deal_kinds") or [])
        data["offers_transfer"] = Patent.DealKind.TRANSFER in kinds
        data["offers_license"] = Patent.DealKind.LICENSE in kinds
        data["offers_equity"] = Patent.DealKind.EQUITY in kinds
        data["industries"] = list(self.cleaned_data.get("industries") or [])
        return data


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过并发布")), ("reject", _("退回修改"))])
    note = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OpenLicenseForm(BootstrapMixin, forms.ModelForm):
    amount_fields = ("lump_sum", "entry_fee")

    class Meta:
        model = OpenLicense
        fields = [
            "fee_mode",
            "lump_sum",
            "entry_fee",
            "royalty_rate",
            "fee_standard",
            "starts_on",
            "ends_on",
            "co_owners_consent",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "fee_standard": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _post_clean(self):
        pass


class FeeReductionForm(BootstrapMixin, forms.Form):
    """An annual-fee reduction for a fee year paid under an open license."""

    fee_year = forms.IntegerField(label=_("年度（第几年）"), min_value=1, max_value=20)
    annual_fee = forms.DecimalField(label=_("应缴年费（元）"), min_value=0, max_digits=14, decimal_places=2)
    reduction = forms.DecimalField(
        label=_("减免金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("留空按应缴年费的 15% 计算。"),
    )
    paid_on = forms.DateField(label=_("缴费日期"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class NavigationProjectForm(BootstrapMixin, forms.ModelForm):
    enterprise = OrganizationField(scope="enterprise", label=_("承担/服务企业"), required=False)

    class Meta:
        model = NavigationProject
        fields = list(NAVIGATION_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _post_clean(self):
        pass


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], initial="xlsx")
