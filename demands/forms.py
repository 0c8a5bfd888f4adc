"""Forms of the demand pages: validation and labels only; the services do the writing."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import AmountField, BootstrapFormMixin
from portal.limits import TEXT_LONG
from portal.models import Industry, Region
from portal.money import WAN

from .models import Demand
from .services import DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _default_deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)


def _check_deadline(value: dt.date | None) -> dt.date | None:
    if value is None:
        return value
    today = timezone.localdate()
    if value < today:
        raise forms.ValidationError(_("截止日期不能早于今天。"))
    if value > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise forms.ValidationError(_("截止日期最长为两年之内。"))
    return value


class DemandForm(BootstrapFormMixin, forms.Form):
    """Post or edit a demand. Budgets are entered in 万元 and handed to the services in yuan."""

    title = forms.CharField(
        label=_("需求名称"),
        max_length=200,
        help_text=_("一句话说明需要什么技术，如“煤矸石制备新型建材技术”。"),
        widget=forms.TextInput(attrs={"placeholder": _("如：羊绒纺纱设备节能改造技术")}),
    )
    description = forms.CharField(
        label=_("需求描述"),
        max_length=TEXT_LONG,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写明企业现状、要解决的问题、技术指标和应用场景。描述只对认证的高校院所和服务机构可见。"),
    )
    industry = forms.ModelChoiceField(
        label=_("所属产业"),
        queryset=Industry.objects.all(),
        required=False,
        empty_label=_("其他 / 不属于所列产业"),
    )
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=300,
        required=False,
        help_text=_("用逗号或分号分隔，如：煤矸石；建材；综合利用。关键词有助于匹配合适的专利。"),
    )
    ipc_hints = forms.CharField(
        label=_("IPC分类号（选填）"),
        max_length=200,
        required=False,
        help_text=_("如了解相关专利分类号可填写，如 C04B、H01M 10/052；不清楚可不填。"),
    )
    deal_kinds = forms.MultipleChoiceField(
        label=_("可接受的合作方式"),
        choices=Demand.DealKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。转让：取得专利权；许可：获得使用权；作价入股：以专利出资合作。"),
        error_messages={"required": _("请至少选择一种合作方式。")},
    )
    budget_min = AmountField(
        label=_("预算下限（万元）"),
        unit=WAN,
        required=False,
        help_text=_("留空表示面议。可写 30 或 30万。"),
    )
    budget_max = AmountField(
        label=_("预算上限（万元）"),
        unit=WAN,
        required=False,
        help_text=_("留空表示不设上限或面议。"),
    )
    district = forms.ModelChoiceField(
        label=_("所在旗区"),
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("与企业所在旗区相同"),
    )
    deadline = forms.DateField(
        label=_("截止日期"),
        initial=_default_deadline,
        widget=DATE_INPUT,
        help_text=_("过了这一天需求自动过期，之后可以续期。默认半年。"),
    )
    visibility = forms.ChoiceField(
        label=_("公开范围"),
        choices=Demand.Visibility.choices,
        initial=Demand.Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text=_("无论哪种，企业联系方式都只在双方同意对接后才交换。"),
    )

    def __init__(self, *args, current_deadline: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing an expired demand must not force a new deadline: renewal is its own step.
        self.current_deadline = current_deadline
        # Choice groups are laid out by the template (form-check), not as one control.
        for name in ("deal_kinds", "visibility"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_for(cls, demand: Demand) -> dict:
        return {
            "title": demand.title,
            "description": demand.description,
            "industry": demand.industry_id,
            "keywords": "；".join(demand.keyword_list),
            "ipc_hints": "；".join(demand.ipc_list),
            "deal_kinds": demand.deal_kinds,
            "budget_min": demand.budget_min,
            "budget_max": demand.budget_max,
            "district": demand.district_id,
            "deadline": demand.deadline,
            "visibility": demand.visibility,
        }

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        if value is not None and value == self.current_deadline:
            return value
        return _check_deadline(value)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("预算上限不能低于预算下限。"))
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned data as the services take it (budgets in yuan, as ``AmountField`` cleans them)."""
        return dict(self.cleaned_data)


class DemandRenewForm(BootstrapFormMixin, forms.Form):
    deadline = forms.DateField(label=_("新的截止日期"), initial=_default_deadline, widget=DATE_INPUT)

    def clean_deadline(self):
        return _check_deadline(self.cleaned_data.get("deadline"))


# Model fields that a service's ValidationError may name → the form field that shows the error.
MODEL_TO_FORM_FIELD = {
    "wants_transfer": "deal_kinds",
    "wants_license": "deal_kinds",
    "wants_equity": "deal_kinds",
}


def add_model_errors(form: forms.Form, error) -> None:
    """Show a model ValidationError (from a service) on the matching form fields."""
    if not hasattr(error, "message_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        field = MODEL_TO_FORM_FIELD.get(field, field)
        form.add_error(field if field in form.fields else None, messages)
