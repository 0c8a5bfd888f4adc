"""Issue 14, finding 6 (low): a bank cannot rename the lender of its pledge; NUL characters in a
URL are a 400, not a database error; an owner id beyond 64 bits is not a 500 on SQLite. (Deeply
nested JSON: tests/security/test_size_limits.py.)"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from finance.models import Pledge
from tests.finance.factories import PatentFactory, make_user, sme

pytestmark = pytest.mark.django_db


def test_a_bank_cannot_rename_the_lender_of_its_pledge():
    user = make_user("bank")
    bank = user.membership.organization
    api = APIClient()
    api.force_authenticate(user)
    borrower = sme()
    payload = {
        "registration_no": "Y-LOW-1",
        "borrower": borrower.pk,
        "lender_name": "另一家银行",
        "patents": [PatentFactory(owner=borrower).application_no],
        "amount": "1000000",
        "registration_date": "2023-07-01",
        "term_months": 12,
    }
    response = api.post(reverse("api:finance-pledge-list"), payload, format="json")
    assert response.status_code == 201, response.data
    pledge = Pledge.objects.get()
    assert pledge.lender == bank and pledge.lender_name == bank.name
    response = api.patch(
        reverse("api:finance-pledge-detail", args=[pledge.pk]), {"lender_name": "另一家银行"}, format="json"
    )
    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.lender_name == bank.name and response.data["lender_name"] == bank.name


@pytest.mark.parametrize(
    "path",
    ["/api/ipc/?prefix=%00", "/patents/navigation/?industry=%00", "/patents/?q=a%00b", "/api/patents/?q=%00"],
)
def test_nul_characters_in_the_query_are_refused(client, path):
    assert client.get(path).status_code == 400


def test_nul_in_the_path_is_refused(client):
    assert client.get("/patents/%00/").status_code in (400, 404)


def test_a_search_for_a_literal_percent_zero_zero_is_not_refused(client):
    assert client.get("/patents/", {"q": "%00"}).status_code == 200  # sent as %2500


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "1e400", "99999999999999999999999999"])
def test_an_owner_id_out_of_range_is_not_a_500(client, value):
    assert client.get("/patents/", {"owner": value}).status_code in (200, 400)
    assert APIClient().get("/api/patents/", {"owner": value}).status_code == 400
