"""The patents REST API: published-only reads, owner/staff writes, same filters as the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from patents.models import NavigationProject, Patent
from tests.patents.factories import (
    InstitutionFactory,
    PatentFactory,
    agency_for,
    industry,
    institution_user,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def detail(patent, action=None):
    if action:
        return reverse(f"api:patent-{action}", args=[patent.application_no])
    return reverse("api:patent-detail", args=[patent.application_no])


def test_list_is_public_published_only_and_filtered(api):
    coal = PatentFactory(published=True, title="一种煤矿巷道支护装置", industries=[industry("coal")])
    PatentFactory(published=True, title="一种羊绒纺纱方法", ipc_codes="D01G 15/00")
    PatentFactory(title="草稿中的煤矿专利")
    response = api.get(reverse("api:patent-list"))
    assert response.status_code == 200 and response.data["count"] == 2
    response = api.get(reverse("api:patent-list"), {"q": "煤矿"})
    assert [row["application_no"] for row in response.data["results"]] == [coal.application_no]
    row = response.data["results"][0]
    assert row["industries"] == ["coal"] and row["owner"]["public_contact"]
    assert row["ipc_codes"][0]["code"] == "E21D 23/00" and row["ipc_codes"][0]["subclass_title"]
    assert row["deal_kinds"] == ["transfer"] and row["years_remaining"] > 10
    assert "contact_phone" not in row["owner"]
    response = api.get(reverse("api:patent-list"), {"ipc_section": "D"})
    assert response.data["count"] == 1
    assert api.get(reverse("api:patent-list"), {"industry": "no-such"}).status_code == 400


def test_retrieve_by_application_number_and_404_for_drafts(api):
    published, draft = PatentFactory(published=True), PatentFactory()
    assert api.get(detail(published)).data["application_no"] == published.application_no
    assert api.get(detail(draft)).status_code == 404
    api.force_authenticate(institution_user(draft.owner))
    assert api.get(detail(draft)).status_code == 200


def test_owner_creates_updates_and_submits(api):
    owner = InstitutionFactory()
    api.force_authenticate(institution_user(owner))
    response = api.post(
        reverse("api:patent-list"),
        {
            "application_no": "CN202223220665.2",
            "title": "一种无人机机载多功能盒",
            "ipc_codes": ["B64U20/80", "B64U101/30"],
            "application_date": "2022-12-02",
            "legal_status": "granted",
            "industries": ["electronics"],
            "deal_kinds": ["license"],
            "asking_price": "50000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["application_no"] == "202223220665.2"
    assert response.data["patent_type"] == "utility_model" and response.data["listing_status"] == "draft"
    patent = Patent.objects.get()
    assert patent.owner == owner
    response = api.patch(detail(patent), {"trl": 6, "keywords": ["无人机", "巡检"]}, format="json")
    assert (
        response.status_code == 200
        and response.data["trl"] == 6
        and response.data["keywords"] == ["无人机", "巡检"]
    )
    response = api.post(detail(patent, "submit"))
    assert response.status_code == 200 and response.data["listing_status"] == "submitted"
    assert api.post(detail(patent, "publish")).status_code == 403


def test_invalid_input_gets_one_error_shape(api):
    owner = InstitutionFactory()
    api.force_authenticate(institution_user(owner))
    response = api.post(
        reverse("api:patent-list"), {"application_no": "202223220665.3", "title": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["detail"] == "invalid" and "应为 2" in str(response.data["errors"]["application_no"])
    response = api.post(
        reverse("api:patent-list"),
        {"application_no": "202223220665.2", "title": "x", "ipc_codes": ["bad"]},
        format="json",
    )
    assert response.status_code == 400 and "ipc_codes" in response.data["errors"]


def test_an_institution_cannot_write_another_institutions_patent(api):
    theirs = PatentFactory(published=True, title="别人的专利")
    api.force_authenticate(institution_user())
    assert api.patch(detail(theirs), {"title": "改掉"}, format="json").status_code == 403
    assert api.delete(detail(theirs)).status_code == 403
    assert api.post(detail(theirs, "withdraw")).status_code == 403
    other_owner = InstitutionFactory()
    response = api.post(
        reverse("api:patent-list"),
        {"application_no": "202223220665.2", "title": "x", "owner": other_owner.credit_code},
        format="json",
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "别人的专利" and theirs.listing_status == "published"
    draft = PatentFactory()
    assert api.patch(detail(draft), {"title": "改掉"}, format="json").status_code == 404


def test_anonymous_cannot_write(api):
    patent = PatentFactory(published=True)
    assert api.patch(detail(patent), {"title": "x"}, format="json").status_code in (401, 403)
    assert api.post(reverse("api:patent-list"), {"title": "x"}, format="json").status_code in (401, 403)


def test_bureau_publishes_and_rejects(api):
    submitted = PatentFactory(listing_status="submitted")
    other = PatentFactory(listing_status="submitted")
    api.force_authenticate(make_user("bureau"))
    response = api.post(detail(submitted, "publish"))
    assert response.status_code == 200 and response.data["listing_status"] == "published"
    response = api.post(detail(other, "reject"), {"note": "请补充权利要求"}, format="json")
    assert response.status_code == 200 and response.data["listing_status"] == "draft"
    response = api.post(detail(submitted, "publish"))
    assert response.status_code == 400 and "已发布" in response.data["detail"]


def test_agency_writes_for_its_clients(api):
    patent = PatentFactory()
    api.force_authenticate(agency_for(patent.owner))
    assert api.patch(detail(patent), {"asking_price": "1000"}, format="json").status_code == 200
    assert api.post(detail(patent, "submit")).data["listing_status"] == "published"


def test_navigation_projects_api(api):
    NavigationProject.objects.create(title="煤炭导航", kind="industry_planning", year_started=2022)
    assert api.get(reverse("api:navigation-project-list")).data["count"] == 1
    payload = {"title": "乳业导航", "kind": "enterprise_operation", "year_started": 2024, "industry": "dairy"}
    api.force_authenticate(institution_user())
    assert api.post(reverse("api:navigation-project-list"), payload, format="json").status_code == 403
    api.force_authenticate(make_user("bureau"))
    response = api.post(reverse("api:navigation-project-list"), payload, format="json")
    assert response.status_code == 201 and response.data["industry"] == "dairy"


def test_ipc_titles_api(api):
    response = api.get(reverse("api:ipc-list"), {"level": "class", "prefix": "H0"})
    codes = [row["code"] for row in response.data["results"]]
    assert "H01" in codes and all(code.startswith("H0") for code in codes)
    assert api.get(reverse("api:ipc-detail", args=["H01M"])).data["title_en"].startswith("PROCESSES")


def test_schema_is_valid_and_documents_the_patents_endpoints(api):
    response = api.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/patents/" in paths and "/api/patents/{application_no}/submit/" in paths
    names = {p["name"] for p in paths["/api/patents/"]["get"]["parameters"]}
    assert {
        "q",
        "industry",
        "ipc_section",
        "ipc_class",
        "ipc_subclass",
        "owner_kind",
        "deal_kind",
        "sort",
    } <= names
