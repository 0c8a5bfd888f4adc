"""API access: token from username + password, then Authorization: Token ...; tokens expire,
are revoked by DELETE /api/auth/token/, by the user on their tokens page, and all at once when the
password changes (change page, reset, admin) or the account is deactivated (issue 14, finding 2)."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token as LegacyToken
from rest_framework.test import APIClient

from portal.models import ApiToken

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-2024"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("api_user", password=PASSWORD, email="api@example.invalid")


def login(client, password=PASSWORD):
    return client.post("/api/auth/token/", {"username": "api_user", "password": password})


def works(key) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status = api.get(reverse("api:patent-list")).status_code
    assert status in (200, 401, 403), status
    return status == 200


def test_token_login_and_use(client, user):
    response = login(client)
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"} and len(token) == 40
    assert works(token)
    again = login(client).json()["token"]
    assert again != token and works(again) and works(token)  # one per login: scripts do not share
    stored = ApiToken.objects.filter(user=user)
    assert stored.count() == 2 and token not in str(list(stored.values()))  # only the digest is kept


def test_token_login_refused_with_json_error(client, user):
    response = login(client, "wrong")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_tokens_expire_after_the_configured_days(client, user, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = login(client).json()["token"]
    token = ApiToken.objects.get()
    assert dt.timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not works(key)
    legacy = LegacyToken.objects.create(user=user)  # issued before these tokens existed
    assert works(legacy.key)
    LegacyToken.objects.update(created=timezone.now() - dt.timedelta(days=31))
    assert not works(legacy.key)


def test_delete_revokes_the_caller_s_token_only(client, user):
    first, second = login(client).json()["token"], login(client).json()["token"]
    api = APIClient()
    assert api.delete("/api/auth/token/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.delete("/api/auth/token/").status_code == 204
    assert not works(first) and works(second)
    assert api.delete("/api/auth/token/").status_code == 401


def test_password_change_reset_admin_and_deactivation_revoke_every_token(client, user, django_user_model):
    def tokens():
        return [login(client).json()["token"] for _ in range(2)]

    keys = tokens()
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        reverse("portal:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "An0ther-pass-2025",
            "new_password2": "An0ther-pass-2025",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not any(works(k) for k in keys) and not ApiToken.objects.exists()
    user.set_password(PASSWORD)
    user.save()

    keys = tokens()
    browser = Client()  # a visitor who forgot the password
    browser.post(reverse("portal:password-reset"), {"email": user.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    response = browser.post(
        form_url, {"new_password1": "Reset-pass-2025x", "new_password2": "Reset-pass-2025x"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not any(works(k) for k in keys)
    user.refresh_from_db()
    user.set_password(PASSWORD)
    user.save()

    keys = tokens()
    user.last_name = "改名"
    user.save()  # other changes keep the tokens
    assert all(works(k) for k in keys)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not ApiToken.objects.exists()
    user.is_active = True
    user.save()

    keys = tokens()
    admin = Client()
    admin.force_login(
        django_user_model.objects.create_superuser("root", password="Root-pass-2025", email="r@x.invalid")
    )
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Admin-set-2025x", "password2": "Admin-set-2025x", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not any(works(k) for k in keys)


def test_tokens_page_lists_and_revokes(client, user, django_user_model):
    keys = [login(client).json()["token"] for _ in range(3)]
    other = django_user_model.objects.create_user("other", password=PASSWORD)
    others = ApiToken.objects.create(
        user=other, digest="x" * 64, prefix="otherxxx", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    browser = Client()
    browser.force_login(user)
    page = browser.get(reverse("portal:api-tokens")).content.decode()
    assert all(k[:8] in page for k in keys) and keys[0] not in page and "otherxxx" not in page
    mine = ApiToken.objects.filter(user=user).order_by("created_at", "id").first()
    assert browser.post(reverse("portal:api-token-revoke", args=[others.pk])).status_code == 404
    assert browser.post(reverse("portal:api-token-revoke", args=[mine.pk])).status_code == 302
    assert not works(keys[0]) and works(keys[1])
    assert browser.post(reverse("portal:api-tokens-revoke-all")).status_code == 302
    assert not any(works(k) for k in keys) and ApiToken.objects.filter(user=other).exists()
    assert "没有有效的 API 令牌" in browser.get(reverse("portal:api-tokens")).content.decode()
    assert browser.get(reverse("portal:api-token-revoke", args=[mine.pk])).status_code == 405


def test_schema_and_docs_load(client):
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


def test_api_docs_use_vendored_assets_not_a_cdn(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
