"""seed_demo: one login per role, idempotent."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from portal.permissions import Role, actor_for

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "sme_demo": Role.SME,
    "sme_demo2": Role.SME,
    "institution_demo": Role.INSTITUTION,
    "agency_demo": Role.AGENCY,
    "bank_demo": Role.BANK,
    "district_demo": Role.DISTRICT_OFFICER,
    "bureau_demo": Role.BUREAU,
    "admin": Role.ADMIN,
}


def _counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


@pytest.mark.slow
def test_seed_demo_creates_logins_and_is_idempotent(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for username in EXPECTED_ROLES:
        assert username in text
    assert "demo-pass-2024" in text
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    from django.contrib.auth import get_user_model

    User = get_user_model()
    for username, role in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert actor_for(user).role == role, username
        response = client.post(reverse("portal:login"), {"username": username, "password": "demo-pass-2024"})
        assert response.status_code == 302, username
        client.logout()
    assert actor_for(User.objects.get(username="district_demo")).district_code == "150622"
    assert (
        User.objects.get(username="sme_demo").membership.organization_id
        != User.objects.get(username="sme_demo2").membership.organization_id
    )
