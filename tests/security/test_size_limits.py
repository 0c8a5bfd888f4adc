"""Issue 14, finding 4 (and the nested-JSON part of finding 6): free text has a size limit at every
entry point, request bodies too, and the matching engine reads a bounded length of any text."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from demands.models import Demand
from matching.engine.docs import TEXT_MAX, DemandDoc, PatentDoc
from patents.models import Patent
from portal.imports import run_import
from portal.limits import TEXT_LONG
from portal.permissions import actor_for, system_actor
from tests.demands.test_api import PAYLOAD
from tests.demands.test_views import NEW, form_data
from tests.patents.factories import InstitutionFactory, app_no, institution_user, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sme_api():
    api = APIClient()
    api.force_authenticate(make_user("sme"))
    return api


def test_a_nine_million_character_demand_is_refused_before_it_is_read(sme_api):
    body = json.dumps({**PAYLOAD, "description": "煤" * 9_000_000, "publish": True})
    response = sme_api.generic("POST", reverse("api:demand-list"), body, content_type="application/json")
    assert response.status_code == 413 and "KB" in response.json()["detail"]
    assert not Demand.objects.exists()


def test_a_description_over_the_limit_is_a_field_error(sme_api):
    response = sme_api.post(
        reverse("api:demand-list"), {**PAYLOAD, "description": "煤" * (TEXT_LONG + 1)}, format="json"
    )
    assert response.status_code == 400 and "description" in response.json()["errors"]
    response = sme_api.post(
        reverse("api:demand-list"), {**PAYLOAD, "description": "煤" * TEXT_LONG}, format="json"
    )
    assert response.status_code == 201


def test_the_demand_form_refuses_it_too(client):
    client.force_login(make_user("sme"))
    response = client.post(NEW, form_data(description="煤" * (TEXT_LONG + 1)))
    assert response.status_code == 200 and response.context["form"].errors["description"]
    assert not Demand.objects.exists()


def test_the_patent_api_and_the_model_refuse_a_long_abstract():
    owner = InstitutionFactory()
    api = APIClient()
    api.force_authenticate(institution_user(owner))
    response = api.post(
        reverse("api:patent-list"),
        {"application_no": app_no(1), "title": "x", "abstract": "a" * (TEXT_LONG + 1)},
        format="json",
    )
    assert response.status_code == 400 and "abstract" in response.json()["errors"]
    from django.core.exceptions import ValidationError

    from patents.services import patent_create

    with pytest.raises(ValidationError):
        patent_create(
            actor=system_actor(),
            owner=owner,
            application_no=app_no(2),
            title="x",
            claims="c" * (TEXT_LONG + 1),
        )
    assert not Patent.objects.exists()


def test_an_imported_cell_over_the_limit_is_a_row_error(tmp_path):
    owner = InstitutionFactory()
    path = tmp_path / "p.csv"
    path.write_text(
        f"application_no,title,abstract\n{app_no(3)},一种装置,{'长' * (TEXT_LONG + 1)}\n", encoding="utf-8"
    )
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(make_user("bureau"))
    )
    assert not result.ok and result.errors[0].row == 2 and "20000" in result.errors[0].message
    assert not Patent.objects.exists()


def test_the_engine_reads_a_bounded_length():
    demand = DemandDoc(id=1, code="D1", description="煤" * 1_000_000, title="t" * 50_000)
    assert len(demand.description) == TEXT_MAX and len(demand.title) == TEXT_MAX
    patent = PatentDoc(id=1, application_no="x", abstract="a" * 100_000, claims="c")
    assert len(patent.abstract) == TEXT_MAX and patent.claims == "c"


def test_deeply_nested_json_is_a_400_not_a_500():
    response = APIClient().generic(
        "POST", reverse("api:auth-token"), "[" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400
