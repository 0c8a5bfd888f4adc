"""Thin views for the portal's own pages: home, accounts, profile and the review of organizations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .confirm import confirmation_page
from .context_processors import site_name
from .errors import ApplicationError
from .forms import (
    LoginForm,
    MembershipPreferencesForm,
    OrganizationContactForm,
    OrganizationFilterForm,
    OrganizationUnverifyForm,
    SignupForm,
    UserProfileForm,
    region_label,
)
from .home import home_stats
from .models import Membership
from .navigation import menu_for
from .permissions import Actor, Role, actor_for, require_organization_reviewer
from .selectors import (
    OrganizationStatus,
    membership_get,
    organization_get,
    organization_list,
    organization_members,
    organization_pending_count,
)
from .services import (
    ORGANIZATION_CONTACT_FIELDS,
    membership_update,
    organization_contact_update,
    organization_register,
    organization_reviewable_by,
    organization_unverify,
    organization_verify,
    user_update,
)
from .tokens import api_token_revoke, api_tokens_of, api_tokens_revoke_all

REVIEW_PAGE_SIZE = 20

# Icons and one-line descriptions for the home page's quick links, by navigation key. Entries come
# from portal.navigation, so a link shows only for the roles (and pages) the menu has.
QUICK_LINKS = {
    "workbench": ("bi-list-check", gettext_lazy("待办事项与提醒，登录后的第一站。")),
    "patents": ("bi-search", gettext_lazy("按产业、技术领域检索可转让、可许可的专利。")),
    "demands": ("bi-megaphone", gettext_lazy("浏览企业发布的技术需求，寻找合作机会。")),
    "events": ("bi-calendar-event", gettext_lazy("路演、供需对接会等线上线下活动。")),
    "navigation": ("bi-compass", gettext_lazy("重点产业专利导航项目及成果。")),
    "my-demands": ("bi-pencil-square", gettext_lazy("发布和管理本企业的技术需求。")),
    "my-inquiries": ("bi-chat-dots", gettext_lazy("查看专利咨询与对接进展。")),
    "my-patents": ("bi-collection", gettext_lazy("盘点本单位存量专利，发布可转化专利。")),
    "imports": ("bi-upload", gettext_lazy("批量导入专利清单等数据。")),
    "finance": ("bi-cash-coin", gettext_lazy("交易登记、质押融资、专利保险。")),
    "dashboard": ("bi-speedometer2", gettext_lazy("全市及各旗区的转化运营指标。")),
    "listing-review": ("bi-clipboard-check", gettext_lazy("审核提交的专利挂牌。")),
    "review": ("bi-patch-check", gettext_lazy("审核新注册单位。")),
    "profile": ("bi-person-gear", gettext_lazy("个人资料、单位联系信息与通知设置。")),
    "admin": ("bi-gear", gettext_lazy("后台数据维护。")),
}


def _quick_links(actor: Actor) -> list[dict]:
    menu = menu_for(actor)
    return [
        {**item, "icon": QUICK_LINKS[item["key"]][0], "description": QUICK_LINKS[item["key"]][1]}
        for item in (*menu["nav_items"], *menu["user_menu"])
        if item["key"] in QUICK_LINKS
    ]


def home(request):
    actor = actor_for(request.user)
    context = {
        "stats": home_stats(),
        "quick_links": _quick_links(actor),
        "pending_count": organization_pending_count(actor=actor),
    }
    return render(request, "portal/home.html", context)


# --- Accounts -------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Django's LoginView sets site_name to the host name; the portal's name is wanted.
        return {**super().get_context_data(**kwargs), "site_name": site_name()}


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已退出登录。"))
        return response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需重复注册。"))
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = organization_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                organization_name=data["organization_name"],
                credit_code=data["credit_code"],
                kind=data["kind"],
                region=data["region"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("注册成功！“%(name)s”已提交审核，审核通过后即可使用平台的全部功能。")
                % {"name": membership.organization.name},
            )
            return redirect("portal:home")
    return render(request, "portal/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    membership = membership_get(user=user)
    organization = membership.organization if membership else None
    is_org_admin = bool(membership and membership.role == Membership.Role.ADMIN)
    data = request.POST if request.method == "POST" else None

    user_form = UserProfileForm(data, instance=user, prefix="user")
    membership_form = (
        MembershipPreferencesForm(data, instance=membership, prefix="membership") if membership else None
    )
    organization_form = (
        OrganizationContactForm(data, instance=organization, prefix="org") if is_org_admin else None
    )
    forms = [form for form in (user_form, membership_form, organization_form) if form is not None]

    if request.method == "POST" and all(form.is_valid() for form in forms):
        try:
            user_update(user=user, **user_form.cleaned_data)
            if membership_form is not None:
                membership_update(membership=membership, **membership_form.cleaned_data)
            if organization_form is not None:
                organization_contact_update(
                    organization=organization,
                    by=user,
                    **{name: organization_form.cleaned_data[name] for name in ORGANIZATION_CONTACT_FIELDS},
                )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("资料已保存。"))
            return redirect("portal:profile")

    context = {
        "user_form": user_form,
        "membership_form": membership_form,
        "organization_form": organization_form,
        "membership": membership,
        "organization": organization,
        "is_org_admin": is_org_admin,
    }
    return render(request, "portal/profile.html", context)


# --- Review of organizations ----------------------------------------------------------------


def _reviewer(request) -> Actor:
    actor = actor_for(request.user)
    require_organization_reviewer(actor)
    return actor


def _district_of(user):
    membership = membership_get(user=user)
    return membership.district if membership else None


def _back_to_review(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("portal:organization-review")


@login_required
def organization_review(request):
    actor = _reviewer(request)
    query = request.GET.copy()
    # Reviewers come for the pending ones: that is the default; "status=" (empty) means all.
    query.setdefault("status", OrganizationStatus.PENDING)
    filter_form = OrganizationFilterForm(query)
    if actor.role == Role.DISTRICT_OFFICER:
        del filter_form.fields["region"]
    page_obj = Paginator(organization_list(actor=actor, **filter_form.filters()), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for organization in page_obj.object_list:
        organization.can_review = organization_reviewable_by(organization=organization, by=request.user)
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "organizations": page_obj.object_list,
        "pending_count": organization_pending_count(actor=actor),
        "district_name": region_label(_district_of(request.user))
        if actor.role == Role.DISTRICT_OFFICER
        else "",
    }
    return render(request, "portal/organization_review.html", context)


@login_required
def organization_detail(request, pk: int):
    actor = _reviewer(request)
    organization = organization_get(actor=actor, pk=pk)
    context = {
        "organization": organization,
        "members": organization_members(organization=organization),
        "can_review": organization_reviewable_by(organization=organization, by=request.user),
        "year_stats": organization.year_stats.all(),
        "unverify_form": OrganizationUnverifyForm(),
        "next": reverse("portal:organization-detail", args=[organization.pk]),
    }
    return render(request, "portal/organization_detail.html", context)


@login_required
@require_POST
def organization_verify_view(request, pk: int):
    actor = _reviewer(request)
    organization = organization_get(actor=actor, pk=pk)
    try:
        organization_verify(organization=organization, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已认证“%(name)s”。") % {"name": organization.name})
    return _back_to_review(request)


@login_required
@require_POST
def organization_unverify_view(request, pk: int):
    actor = _reviewer(request)
    organization = organization_get(actor=actor, pk=pk)
    form = OrganizationUnverifyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if organization.verified and organization_reviewable_by(organization=organization, by=request.user):
        page = confirmation_page(
            request,
            question=_("确定撤销“%(name)s”的认证吗？") % {"name": organization.name},
            detail=_("撤销后该单位的成员不能再发布信息，直到重新通过审核。"),
            cancel_url=reverse("portal:organization-detail", kwargs={"pk": organization.pk}),
        )
        if page is not None:
            return page
    try:
        organization_unverify(organization=organization, by=request.user, reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销“%(name)s”的认证。") % {"name": organization.name})
    return _back_to_review(request)


@login_required
@require_GET
def api_tokens(request):
    """The user's API tokens: when issued, from where, last used, expiry; revoke one or all."""
    return render(
        request,
        "portal/api_tokens.html",
        {"tokens": api_tokens_of(user=request.user), "ttl_days": settings.API_TOKEN_TTL_DAYS},
    )


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = api_tokens_of(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404(_("令牌不存在或已失效。"))
    api_token_revoke(token=token)
    messages.success(request, _("令牌 %(prefix)s… 已撤销。") % {"prefix": token.prefix})
    return redirect("portal:api-tokens")


@login_required
@require_POST
def api_tokens_revoke_all_view(request):
    count = api_tokens_revoke_all(user=request.user)
    messages.success(request, _("已撤销 %(count)d 个令牌。") % {"count": count})
    return redirect("portal:api-tokens")


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page names: the static icon."""
    return redirect(static("img/favicon.ico"), permanent=True)
