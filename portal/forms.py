"""Forms of the portal's pages; they validate input, services do the writing."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .identifiers import normalize_credit_code
from .models import Membership, Organization, Region
from .money import WAN, to_yuan
from .permissions import SYSTEM_USERNAME
from .selectors import OrganizationStatus, organization_scope
from .services import SIGNUP_KINDS, organization_already_registered_message

User = get_user_model()


def region_label(region: Region | None) -> str:
    """A region's name in the active language (the English name when English is active)."""
    return region.label if region is not None else ""


AMOUNT_LIMIT = Decimal("1e12")


class AmountField(forms.DecimalField):
    """An amount of money, cleaned to Decimal yuan by the importers' parser (``portal.money.to_yuan``):
    accepts "500000", "¥1,000", "50万", "1.2亿". ``unit``: yuan per unit of a bare number, e.g.
    ``WAN`` for a field labelled in 万元, where "50" and "50万" are both 500,000 yuan."""

    widget = forms.TextInput

    def __init__(self, *, unit: Decimal = Decimal(1), min_value=0, **kwargs):
        self.unit = Decimal(unit)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(min_value=min_value, **kwargs)
        example = _("如 30 或 30万") if self.unit == WAN else _("如 500000 或 50万")
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("placeholder", example)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
            if value in self.empty_values:
                return None
        try:
            amount = to_yuan(value, self.unit)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError(_("请输入金额，如 500000、50万 或 1.2亿。"), code="invalid") from None
        if not amount.is_finite() or abs(amount) >= AMOUNT_LIMIT:
            raise ValidationError(_("金额超出范围。"), code="invalid")
        return amount

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text input: "50万" is allowed
        return attrs

    def prepare_value(self, value):
        """Show a yuan amount in the field's unit (a 万元 field shows 500000 as 50)."""
        if isinstance(value, Decimal) and self.unit != 1:
            text = format(value / self.unit, "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
        return value

    @classmethod
    def replacing(cls, field: forms.Field) -> "AmountField":
        """An AmountField with the label, help, requirement and initial value of a model form's field."""
        return cls(
            label=field.label,
            required=field.required,
            help_text=field.help_text,
            initial=field.initial,
            max_digits=getattr(field, "max_digits", None) or 14,
            decimal_places=getattr(field, "decimal_places", None) or 2,
        )


class OrganizationField(forms.ModelChoiceField):
    """An organization of one scope (``portal.selectors.ORGANIZATION_SCOPES``: the kinds the field
    accepts). The page adds a search box that asks the server (``portal:organization-search``,
    static/js/behaviours.js) for the matching organizations of that scope; without JavaScript it
    is the plain list."""

    def __init__(self, *args, scope: str, **kwargs):
        kwargs.setdefault("queryset", organization_scope(scope))
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.widget.attrs["data-org-search"] = _("输入名称或信用代码筛选")
        self.widget.attrs["data-org-source"] = format_lazy(
            "{}?{}", reverse_lazy("portal:organization-search"), urlencode({"scope": scope})
        )
        self.widget.attrs["data-org-more"] = _("还有更多结果，请输入更多文字缩小范围")

    def label_from_instance(self, obj):
        return organization_label(obj)


def organization_label(organization) -> str:
    return f"{organization.name}（{organization.credit_code}）"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_label(obj)


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, ``is-invalid`` on fields with errors; ``{{ form }}``
    renders each field with portal/includes/field.html."""

    template_name = "portal/includes/form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系市知识产权局。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs["placeholder"] = _("请输入用户名")
        self.fields["password"].widget.attrs["placeholder"] = _("请输入密码")


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


KIND_CHOICES = [
    ("", _("请选择单位类型")),
    (_("技术需求方"), [(Organization.Kind.SME.value, Organization.Kind.SME.label)]),
    (
        _("专利权人（供给方）"),
        [(kind.value, kind.label) for kind in SIGNUP_KINDS if kind in Organization.SUPPLIER_KINDS],
    ),
    (
        _("服务与金融机构"),
        [
            (kind.value, kind.label)
            for kind in (Organization.Kind.AGENCY, Organization.Kind.BANK, Organization.Kind.INSURER)
        ],
    ),
]


class SignupForm(BootstrapFormMixin, forms.Form):
    """One form for the account and the organization it registers."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("用于登录，可使用字母、数字和 @/./+/-/_，不超过150个字符。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        help_text=_("用于找回密码和接收审核结果通知。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("请再次输入密码。"),
    )
    organization_name = forms.CharField(
        label=_("单位名称"),
        max_length=200,
        help_text=_("与营业执照或法人证书上的名称一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18位，见营业执照或法人证书。"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "style": "text-transform: uppercase"}),
    )
    kind = forms.ChoiceField(label=_("单位类型"), choices=KIND_CHOICES)
    region = forms.ChoiceField(
        label=_("所在旗区"),
        help_text=_("单位注册地所在的旗区；不在鄂尔多斯市的单位请选择“市外单位”。"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    error_messages = {"password_mismatch": _("两次输入的密码不一致。")}

    OUTSIDE_CITY = "outside"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so it is in the visitor's language.
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        # An explicit "outside the city" choice, so that leaving the region empty is a decision.
        self.fields["region"].choices = [
            ("", _("请选择")),
            (_("鄂尔多斯市"), [(region.code, region_label(region)) for region in Region.objects.all()]),
            (self.OUTSIDE_CITY, _("市外单位（不在鄂尔多斯市）")),
        ]

    def clean_region(self) -> Region | None:
        code = self.cleaned_data["region"]
        return None if code == self.OUTSIDE_CITY else Region.objects.get(code=code)

    def clean_username(self):
        username = self.cleaned_data["username"]
        # The system actor's name is reserved even before the system first acts.
        if username.casefold() == SYSTEM_USERNAME or User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用。"), code="unique")
        return username

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        if Organization.objects.filter(credit_code=code).exists():
            raise ValidationError(organization_already_registered_message(), code="registered")
        return code

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(self.error_messages["password_mismatch"]))
        elif password1:
            user = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, user=user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserProfileForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "email"]
        labels = {"last_name": _("姓"), "first_name": _("名"), "email": _("电子邮箱")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class MembershipPreferencesForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["email_notifications"]
        help_texts = {"email_notifications": _("审核结果、匹配推荐和咨询回复等通过邮件通知我。")}


class OrganizationContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "website",
            "public_contact",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class OrganizationFilterForm(BootstrapFormMixin, forms.Form):
    """The review list's filters (GET); invalid values are ignored, not errors."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("单位名称或统一社会信用代码")}),
    )
    kind = forms.ChoiceField(
        label=_("单位类型"), required=False, choices=[("", _("全部类型")), *Organization.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *OrganizationStatus.CHOICES]
    )
    region = RegionChoiceField(
        label=_("旗区"), required=False, queryset=Region.objects.all(), empty_label=_("全部旗区")
    )

    def filters(self) -> dict:
        """Keyword arguments for ``organization_list``."""
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        region = data.get("region")
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "status": data.get("status", ""),
            "region": region.pk if region else "",
        }


class OrganizationUnverifyForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("将通过邮件告知该单位管理员。"),
    )
