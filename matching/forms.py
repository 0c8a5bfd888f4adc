"""Forms of the matching pages: inquiries and their thread, events, registrations, outcomes."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from demands.models import Demand
from demands.selectors import demands_by_codes
from patents.models import Patent
from patents.selectors import patents_by_numbers
from portal.forms import BootstrapFormMixin
from portal.limits import TEXT_LONG
from portal.models import Industry, Organization
from portal.selectors import organization_get_by_credit_code

from .models import Event, Inquiry
from .services.events import EVENT_FIELDS

_SPLIT = re.compile(r"[\s,，;；、]+")


def _items(value: str) -> list[str]:
    return [item for item in _SPLIT.split(value or "") if item]


class InquiryForm(BootstrapFormMixin, forms.Form):
    subject = forms.CharField(
        label=_("主题"),
        max_length=200,
        required=False,
        help_text=_("留空则使用“咨询专利：专利名称”。"),
    )
    body = forms.CharField(
        label=_("咨询内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "说明贵企业的应用场景、希望的合作方式（转让、许可或作价入股）和想了解的问题。"
            "专利权人接受咨询后，双方才能看到彼此的联系方式。"
        ),
    )
    demand = forms.ModelChoiceField(
        label=_("相关需求"),
        queryset=Demand.objects.none(),
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("可选：关联本单位的一条技术需求，便于对方了解背景。"),
    )
    match = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, demands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if demands is not None:
            self.fields["demand"].queryset = demands


class InquiryMessageForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("留言"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("输入回复内容……")}),
    )


class InquiryTransitionForm(BootstrapFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("改为"), choices=Inquiry.Status.choices)
    note = forms.CharField(
        label=_("说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deal_reference = forms.CharField(
        label=_("成交合同编号"),
        max_length=50,
        required=False,
        help_text=_("达成合作后可填写在“交易与金融”中登记的合同编号。"),
    )


class InquiryAcceptForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventForm(BootstrapFormMixin, forms.ModelForm):
    """An event with its industries, the patents it presents (application numbers) and the
    demands it addresses (demand codes)."""

    industries = forms.ModelMultipleChoiceField(
        label=_("产业"), queryset=Industry.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    patent_numbers = forms.CharField(
        label=_("推介专利"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "202110123456.X\n202020654321.5"}),
        help_text=_("已挂牌专利的申请号，每行一个（也可用逗号、分号分隔）。"),
    )
    demand_codes = forms.CharField(
        label=_("对接需求"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "D2023-0042"}),
        help_text=_("征集中需求的编号，每行一个。"),
    )

    class Meta:
        model = Event
        fields = [*EVENT_FIELDS]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "park": _("如在产业园区举办，填写园区名称。"),
            "organizer": _("如：鄂尔多斯市市场监督管理局（知识产权局）"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].widget.attrs["class"] = "form-check-input"
        # Left out (an older client): a new event is planned, an edited one keeps its status.
        self.fields["status"].required = False
        if self.instance.pk:
            self.initial.setdefault("industries", list(self.instance.industries.all()))
            self.initial.setdefault(
                "patent_numbers", "\n".join(self.instance.patents.values_list("application_no", flat=True))
            )
            self.initial.setdefault(
                "demand_codes", "\n".join(self.instance.demands.values_list("code", flat=True))
            )

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or self.instance.status or Event.Status.PLANNED

    def clean_patent_numbers(self) -> list[Patent]:
        return patents_by_numbers(self.cleaned_data.get("patent_numbers", ""))

    def clean_demand_codes(self) -> list[Demand]:
        return demands_by_codes(_items(self.cleaned_data.get("demand_codes", "")))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in EVENT_FIELDS},
            "industries": data["industries"],
            "patents": data["patent_numbers"],
            "demands": data["demand_codes"],
        }


class EventOutcomeForm(BootstrapFormMixin, forms.Form):
    intentions_signed = forms.IntegerField(label=_("签约意向数"), min_value=0)
    outcome_notes = forms.CharField(
        label=_("活动成效"),
        required=False,
        max_length=TEXT_LONG,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("参会情况、达成的意向和随后签订的交易（可写合同编号）。"),
    )


class EventRegistrationForm(BootstrapFormMixin, forms.Form):
    """Bureau staff register an organization by its unified social credit code."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)

    def clean_credit_code(self) -> Organization:
        return organization_get_by_credit_code(self.cleaned_data["credit_code"])


class DemandSubscriptionForm(BootstrapFormMixin, forms.Form):
    """An institution's subscription to new demands (issue 16, item 5)."""

    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    industries = forms.ModelMultipleChoiceField(
        queryset=Industry.objects.all(),
        label=_("产业"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    ipc = forms.CharField(
        label=_("IPC分类"),
        max_length=200,
        required=False,
        help_text=_("以分号分隔，如 A01B;H01M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].widget.attrs["class"] = "form-check-input"

    def ipc_list(self) -> list[str]:
        text = self.cleaned_data.get("ipc") or ""
        return [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]
