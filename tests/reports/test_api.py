"""/api/reports/...: the same JSON as the command, for bureau staff only; district officers get
their own district and are refused another."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reports import kpi
from tests.portal.factories import make_user
from tests.reports.conftest import A, B
from tests.reports.test_kpi import CITY_2023, DISTRICT_A_2023, in_plan

pytestmark = pytest.mark.django_db

KPI = reverse("api:reports-kpi")
TREND = reverse("api:reports-kpi-trend")
DISTRICTS = reverse("api:reports-kpi-districts")
FUNNEL = reverse("api:reports-funnel")
RANKING = reverse("api:reports-ranking")
ALL = [KPI, TREND, DISTRICTS, FUNNEL, RANKING]


@pytest.fixture
def api():
    return APIClient()


def as_role(api, role, **kwargs):
    user = make_user(role, **kwargs)
    api.force_authenticate(user)
    return user


def test_url_is_fixed():
    assert KPI == "/api/reports/kpi/"


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "bank", "insurer", "none"])
@pytest.mark.parametrize("url", ALL)
def test_other_roles_are_refused(api, role, url):
    as_role(api, role)
    assert api.get(url, {"year": 2023}).status_code == 403


@pytest.mark.parametrize("url", ALL)
def test_anonymous_is_refused(api, url):
    assert api.get(url, {"year": 2023}).status_code == 403


@pytest.mark.parametrize("role", ["bureau", "admin"])
def test_city_staff_get_the_command_json(api, kpi_data, role):
    as_role(api, role)
    response = api.get(KPI, {"year": 2023})
    assert response.status_code == 200
    assert response.json() == in_plan(CITY_2023)
    assert api.get(KPI, {"year": 2023, "district": A}).json() == in_plan(DISTRICT_A_2023)


def test_district_officer_is_scoped_to_their_district(api, kpi_data):
    as_role(api, "district_officer", district=A)
    assert api.get(KPI, {"year": 2023}).json() == in_plan(DISTRICT_A_2023)
    assert api.get(KPI, {"year": 2023, "district": A}).json() == in_plan(DISTRICT_A_2023)
    refused = api.get(KPI, {"year": 2023, "district": B})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "旗区工作人员只能查看本旗区的统计数据。"
    assert api.get(TREND, {"year": 2023}).json()["district"] == A
    assert api.get(FUNNEL, {"year": 2023}).json()["district"] == A
    assert api.get(TREND, {"year": 2023, "district": B}).status_code == 403
    # Comparing districts is for city staff.
    assert api.get(DISTRICTS, {"year": 2023}).status_code == 403
    assert api.get(RANKING, {"year": 2023}).status_code == 403


def test_bad_parameters_are_400(api, db):
    as_role(api, "bureau")
    response = api.get(KPI, {"year": "20x3"})
    assert response.status_code == 400 and "year" in response.json()["errors"]
    assert api.get(KPI, {"year": 1999}).status_code == 400
    response = api.get(KPI, {"year": 2023, "district": "150699"})
    assert response.status_code == 400
    assert response.json()["errors"]["district"] == ["未知的旗区代码：150699。"]


def test_year_defaults_to_the_latest_year_with_records(api, kpi_data):
    """Like the dashboards (reports/years.py): the hand-built data ends in 2024, while this year
    has no records yet; every endpoint without a year answers for 2024."""
    as_role(api, "bureau")
    assert dt.date.today().year > 2024
    assert api.get(KPI).json() == api.get(KPI, {"year": 2024}).json()
    assert api.get(KPI).json()["year"] == 2024
    assert api.get(TREND).json()["years"][-1] == 2024
    assert api.get(FUNNEL).json()["year"] == 2024
    assert api.get(DISTRICTS).json()["year"] == 2024
    assert api.get(RANKING).json()["year"] == 2024
    # A district officer without a year: their district, the same default year.
    as_role(api, "district_officer", district=A)
    report = api.get(KPI).json()
    assert (report["year"], report["district"]) == (2024, A)


def test_year_defaults_to_last_year_without_any_record(api, db):
    as_role(api, "bureau")
    assert api.get(KPI).json()["year"] == timezone.localdate().year - 1


def test_kpi_endpoint_query_count(api, kpi_data, django_assert_max_num_queries):
    as_role(api, "bureau")
    api.get(KPI, {"year": 2023})  # warm the session/user caches
    # The KPI queries, the district check, and authentication/membership look-ups.
    with django_assert_max_num_queries(kpi.query_count() + 4):
        assert api.get(KPI, {"year": 2023, "district": A}).status_code == 200


def test_districts_trend_funnel_ranking(api, kpi_data):
    as_role(api, "bureau")
    districts = api.get(DISTRICTS, {"year": 2023}).json()
    assert len(districts["districts"]) == 9
    a = next(row for row in districts["districts"] if row["code"] == A)
    assert a["indicators"] == in_plan(DISTRICT_A_2023)["indicators"]
    trend = api.get(TREND, {"year": 2023}).json()
    assert trend["years"] == [2021, 2022, 2023]
    funnel = api.get(FUNNEL, {"year": 2023}).json()
    assert [stage["label"] for stage in funnel["stages"]] == [
        "发布技术需求",
        "供需匹配",
        "对接咨询",
        "达成交易",
    ]
    ranking = api.get(RANKING, {"year": 2023}).json()
    # Two districts are ranked; the seven without any activity follow, unranked.
    assert [row["rank"] for row in ranking["districts"]] == [1, 2, *[None] * 7]
    assert [row["active"] for row in ranking["districts"]] == [True, True, *[False] * 7]
    assert "综合得分" in ranking["formula"]


def test_schema_documents_the_report_endpoints(api, db):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    for path in ALL:
        assert path in paths, path
    kpi_get = paths[KPI]["get"]
    assert {p["name"] for p in kpi_get["parameters"]} == {"year", "district"}
    assert set(kpi_get["responses"]) == {"200", "400", "403"}
