"""API access: token from username + password, then Authorization: Token ..."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_token_login_and_use(client, django_user_model):
    django_user_model.objects.create_user("api_user", password="s3cret-pass-2024")
    response = client.post("/api/auth/token/", {"username": "api_user", "password": "s3cret-pass-2024"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"} and len(token) == 40
    again = client.post("/api/auth/token/", {"username": "api_user", "password": "s3cret-pass-2024"})
    assert again.json()["token"] == token


def test_token_login_refused_with_json_error(client, django_user_model):
    django_user_model.objects.create_user("api_user", password="s3cret-pass-2024")
    response = client.post("/api/auth/token/", {"username": "api_user", "password": "wrong"})
    assert response.status_code == 400
    assert "detail" in response.json()


def test_schema_and_docs_load(client):
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


def test_api_docs_use_vendored_assets_not_a_cdn(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
