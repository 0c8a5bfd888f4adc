"""Forms of the conversion pages: contracts, signing, taking an open licence, follow-up answers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import BootstrapFormMixin

from ..models import (
    Contract,
)
from ..services import CONTRACT_FIELDS
from .records import DATE


class ContractForm(BootstrapFormMixin, forms.ModelForm):
    """The editable terms of a draft contract (parties and patent come from the inquiry)."""

    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
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
