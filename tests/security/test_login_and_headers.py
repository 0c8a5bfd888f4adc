"""Accounts and transport: login throttling (django-axes), strong passwords, and the security
headers and cookies of production (checked in a fresh interpreter on the production settings)."""

import json
import secrets

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.helpers.processes import clean_env, run_python
from tests.portal.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"


def attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Login throttling ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_user_from_that_address(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    user = make_user("sme")
    for _ in range(4):
        assert attempt(client, user.username, "wrong-password-1", "10.0.0.1").status_code == 200
    # The fifth failure locks: from now on even the right password is refused from that address.
    assert attempt(client, user.username, "wrong-password-1", "10.0.0.1").status_code == 429
    response = attempt(client, user.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 429 and not logged_in(client)
    # The API's token login is locked too.
    token = client.post(TOKEN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert token.status_code != 200 and "token" not in token.content.decode()

    # The lock is on the user+address pair: the user from elsewhere, and others from there, get in.
    other = make_user("sme")
    assert attempt(client, other.username, PASSWORD, "10.0.0.1").status_code == 302 and logged_in(client)
    client.logout()
    assert attempt(client, user.username, PASSWORD, "10.0.0.2").status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client):
    user = make_user("sme")
    for _ in range(4):
        attempt(client, user.username, "wrong-password-1", "10.0.0.3")
    assert attempt(client, user.username, PASSWORD, "10.0.0.3").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, user.username, "wrong-password-1", "10.0.0.3").status_code == 200
    assert attempt(client, user.username, PASSWORD, "10.0.0.3").status_code == 302


# --- Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short1", "password123", "1234567890123", "qwertyuiop", "zhangwei-2023"],
    ids=["too-short", "common", "numeric", "common-keyboard", "like-the-username"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password):
    user = make_user("none", username="zhangwei")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


@pytest.mark.django_db
def test_a_strong_password_passes():
    validate_password("Liang-Shan-2023-qiao", user=make_user("none", username="zhangwei"))


@pytest.mark.django_db
def test_signup_and_password_change_apply_the_validators(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "email": "n@example.com", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200 and response.context["form"].errors.get("password1")
    user = make_user("sme")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200 and response.context["form"].errors.get("new_password2")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Headers in every mode ----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/patents/", "/api/patents/", "/no-such-page/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert (
            "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        )
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


# --- Production ---------------------------------------------------------------------------------

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
client = Client()
page = client.get("/healthz", secure=True, HTTP_HOST="portal.example.cn")
plain = client.get("/healthz", HTTP_HOST="portal.example.cn")
print(json.dumps({
    "status": page.status_code,
    "headers": {k: page.get(k) for k in (
        "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
        "Content-Security-Policy", "Cross-Origin-Opener-Policy")},
    "plain_redirect": [plain.status_code, plain.get("Location")],
    "session": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE],
    "csrf": [s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE],
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],
    "proxy": s.SECURE_PROXY_SSL_HEADER,
}))
"""


def test_production_headers_and_cookies(tmp_path):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    completed = run_python(PRODUCTION_PROBE, env=env)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["status"] == 200
    headers = result["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    # Plain HTTP is sent to HTTPS; behind the proxy, X-Forwarded-Proto tells which one it was.
    assert result["plain_redirect"] == [301, "https://portal.example.cn/healthz"]
    assert result["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert result["session"] == [True, True, "Lax"]
    assert result["csrf"] == [True, "Lax"]
    assert result["hsts"] == [31536000, True, True]
