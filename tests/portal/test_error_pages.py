"""Error pages: styled, in the reader's language, each with a way back."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


def test_403_is_the_portal_page_with_the_reason_and_a_way_back(client):
    client.force_login(make_user("bank"))
    response = client.get(reverse("demands:mine"))
    assert response.status_code == 403
    text = response.text
    assert 'data-status="403"' in text and 'id="top-nav"' in text
    assert "“我的需求”只对中小微企业用户开放。" in text
    assert f'href="{reverse("workbench:home")}"' in text and "返回工作台" in text


def test_403_in_english_for_an_english_reader():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("bank"))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 403
    assert 'lang="en"' in response.text and 'data-status="403"' in response.text


def test_404_offers_the_workbench_to_a_signed_in_user(client):
    client.force_login(make_user("sme"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and reverse("workbench:home") in response.text


def test_csrf_failure_is_styled():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert 'data-status="403"' in response.text and "页面已过期" in response.text


def test_favicon(client):
    assert "img/favicon.svg" in client.get(reverse("portal:home")).text
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")
