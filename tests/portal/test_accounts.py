"""Sign-up, log-in/out, password reset, profile and the pending-review banner."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from portal.errors import ApplicationError
from portal.models import Membership, Organization
from portal.permissions import Role, actor_for
from portal.services import organization_register
from tests.portal.factories import PASSWORD, OrganizationFactory, credit_code, make_user, region

pytestmark = pytest.mark.django_db

User = get_user_model()
SIGNUP = reverse("portal:signup")
GOOD_CODE = "911506225200000043"


def signup_data(**overrides):
    data = {
        "username": "wangfang",
        "email": "wangfang@example.com",
        "password1": "Grassland-Tech-2024",
        "password2": "Grassland-Tech-2024",
        "organization_name": "准格尔旗草原科技有限公司",
        "credit_code": GOOD_CODE,
        "kind": Organization.Kind.SME,
        "region": "150622",
        "contact_name": "王芳",
        "contact_phone": "13800000000",
    }
    data.update(overrides)
    return data


def test_signup_page_renders_in_chinese(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert "统一社会信用代码" in response.text
    # Government bodies do not register themselves.
    assert 'value="government"' not in response.text


def test_signup_creates_pending_organization_with_admin_membership(client):
    response = client.post(SIGNUP, signup_data(credit_code=" 91150622 5200000043 ".lower()))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")

    user = User.objects.get(username="wangfang")
    assert user.check_password("Grassland-Tech-2024")
    membership = Membership.objects.select_related("organization").get(user=user)
    assert membership.role == Membership.Role.ADMIN
    organization = membership.organization
    assert organization.credit_code == GOOD_CODE  # stored in canonical form
    assert organization.kind == Organization.Kind.SME
    assert organization.region_id == "150622"
    assert organization.verified is False and organization.verified_at is None
    assert organization.contact_name == "王芳"
    assert organization.contact_email == "wangfang@example.com"
    # Signed in straight away.
    assert client.get(reverse("portal:home")).context["user"] == user


def test_signup_outside_the_city_leaves_region_empty(client):
    response = client.post(
        SIGNUP,
        signup_data(region="outside", kind=Organization.Kind.UNIVERSITY, credit_code="12150602510000000T"),
    )
    assert response.status_code == 302
    organization = Organization.objects.get(credit_code="12150602510000000T")
    assert organization.region is None
    assert organization.kind == Organization.Kind.UNIVERSITY


def test_signup_refuses_a_credit_code_already_registered(client):
    OrganizationFactory(credit_code=GOOD_CODE, name="已注册公司")
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 200
    assert "已在平台注册" in " ".join(response.context["form"].errors["credit_code"])
    assert not User.objects.filter(username="wangfang").exists()
    assert Organization.objects.filter(credit_code=GOOD_CODE).count() == 1


def test_signup_explains_a_wrong_check_character(client):
    response = client.post(SIGNUP, signup_data(credit_code="911506225200000044"))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["credit_code"])
    assert "校验位错误" in errors and "应为 3" in errors
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("password1", {"password1": "12345678", "password2": "12345678"}),
        ("password2", {"password2": "Something-Else-2024"}),
        ("kind", {"kind": Organization.Kind.GOVERNMENT}),
        ("region", {"region": "110101"}),
        ("region", {"region": ""}),  # outside the city is a choice of its own, not a blank
        ("email", {"email": "not-an-address"}),
    ],
)
def test_signup_rejects_invalid_input(client, field, overrides):
    response = client.post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="wangfang").exists()


def test_signup_refuses_a_taken_username(client):
    make_user(Role.SME, username="WangFang")
    response = client.post(SIGNUP, signup_data())
    assert "username" in response.context["form"].errors


def test_register_service_refuses_government_and_duplicates():
    with pytest.raises(ApplicationError):
        organization_register(
            username="gov",
            email="gov@example.com",
            password="Grassland-Tech-2024",
            organization_name="某局",
            credit_code=credit_code(9_000_001),
            kind=Organization.Kind.GOVERNMENT,
        )
    OrganizationFactory(credit_code=GOOD_CODE)
    with pytest.raises(ApplicationError, match="已在平台注册"):
        organization_register(
            username="dup",
            email="dup@example.com",
            password="Grassland-Tech-2024",
            organization_name="重复公司",
            credit_code=GOOD_CODE,
            kind=Organization.Kind.SME,
            region=region("150622"),
        )
    assert not User.objects.filter(username__in=["gov", "dup"]).exists()


def test_login_with_username_and_password(client):
    user = make_user(Role.SME)
    response = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("workbench:home")  # the landing page after login
    assert client.get(reverse("portal:home")).context["user"] == user


def test_login_with_wrong_password_shows_chinese_error(client):
    user = make_user(Role.SME)
    response = client.post(reverse("portal:login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text


def test_logout_needs_post(client):
    client.force_login(make_user(Role.SME))
    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert not client.get(reverse("portal:home")).context["user"].is_authenticated


def test_password_reset_sends_a_working_link(client):
    user = make_user(Role.SME, email="reset@example.com")
    response = client.post(reverse("portal:password-reset"), {"email": "reset@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("portal:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset@example.com"]
    assert "重设密码" in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "New-Grassland-2025", "new_password2": "New-Grassland-2025"},
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("New-Grassland-2025")


def test_password_reset_for_unknown_email_sends_nothing(client):
    response = client.post(reverse("portal:password-reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(client):
    user = make_user(Role.SME)
    client.force_login(user)
    response = client.post(
        reverse("portal:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Changed-Pass-2025",
            "new_password2": "Changed-Pass-2025",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Changed-Pass-2025")


def test_profile_requires_login(client):
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


def profile_data(user, organization=None, **overrides):
    data = {
        "user-last_name": "赵",
        "user-first_name": "明",
        "user-email": "zhao@example.com",
    }
    if organization is not None:
        data.update(
            {
                "org-contact_name": "钱经理",
                "org-contact_phone": "0477-1234567",
                "org-contact_email": "office@example.com",
                "org-address": "鄂尔多斯市东胜区",
                "org-website": "https://example.com",
                "org-public_contact": "技术转移办公室 0477-1234567",
                "org-description": "乳制品研发。",
            }
        )
    data.update(overrides)
    return data


def test_profile_edit_by_organization_admin(client):
    user = make_user(Role.SME)
    organization = user.membership.organization
    client.force_login(user)
    assert client.get(reverse("portal:profile")).status_code == 200

    response = client.post(reverse("portal:profile"), profile_data(user, organization))
    assert response.status_code == 302
    user.refresh_from_db()
    organization.refresh_from_db()
    assert (user.last_name, user.first_name, user.email) == ("赵", "明", "zhao@example.com")
    assert organization.contact_name == "钱经理"
    assert organization.public_contact == "技术转移办公室 0477-1234567"
    # Unchecked box = notifications off.
    assert Membership.objects.get(user=user).email_notifications is False

    response = client.post(
        reverse("portal:profile"),
        profile_data(user, organization, **{"membership-email_notifications": "on"}),
    )
    assert Membership.objects.get(user=user).email_notifications is True


def test_profile_member_cannot_edit_organization_contact(client):
    organization = OrganizationFactory(contact_name="原联系人")
    user = make_user(Role.SME, organization=organization)
    client.force_login(user)
    response = client.get(reverse("portal:profile"))
    assert response.context["organization_form"] is None
    assert "本单位管理员维护" in response.text

    client.post(reverse("portal:profile"), profile_data(user, organization))
    organization.refresh_from_db()
    assert organization.contact_name == "原联系人"
    user.refresh_from_db()
    assert user.email == "zhao@example.com"


def test_profile_rejects_invalid_email(client):
    user = make_user(Role.BUREAU)
    client.force_login(user)
    response = client.post(reverse("portal:profile"), profile_data(user, **{"user-email": "bad"}))
    assert response.status_code == 200
    assert "email" in response.context["user_form"].errors
    user.refresh_from_db()
    assert user.email != "bad"


def test_pending_banner_on_every_page_until_verified(client):
    user = make_user(Role.SME, verified=False)
    client.force_login(user)
    for name in ("portal:home", "portal:profile", "portal:password-change"):
        assert "您的单位正在等待审核" in client.get(reverse(name)).text, name

    organization = user.membership.organization
    organization.verified = True
    organization.save()
    assert "您的单位正在等待审核" not in client.get(reverse("portal:home")).text


@pytest.mark.parametrize("role", [Role.SME, Role.BUREAU, Role.DISTRICT_OFFICER, Role.ADMIN])
def test_no_pending_banner_for_verified_users_and_staff(client, role):
    client.force_login(make_user(role))
    assert "您的单位正在等待审核" not in client.get(reverse("portal:home")).text


def test_no_pending_banner_for_visitors(client):
    assert "您的单位正在等待审核" not in client.get(reverse("portal:home")).text


def test_signed_up_user_sees_the_banner(client):
    client.post(SIGNUP, signup_data())
    response = client.get(reverse("portal:home"))
    assert "您的单位正在等待审核" in response.text
    assert actor_for(response.context["user"]).is_verified is False
