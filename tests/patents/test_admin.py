"""Admin: search, filters, bulk publish/withdraw through the services, edits keep derived fields."""

import pytest
from django.urls import reverse

from patents.models import Patent
from tests.patents.factories import PatentFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin"))
    return client


def test_changelist_search_and_filters(admin_client):
    PatentFactory(title="一种煤矿支护装置", published=True)
    PatentFactory(title="一种羊绒纺纱方法")
    url = reverse("admin:patents_patent_changelist")
    body = admin_client.get(url, {"q": "煤矿"}).content.decode()
    assert "一种煤矿支护装置" in body and "一种羊绒纺纱方法" not in body
    body = admin_client.get(url, {"listing_status__exact": "draft"}).content.decode()
    assert "一种羊绒纺纱方法" in body and "一种煤矿支护装置" not in body


def test_bulk_publish_and_withdraw_actions(admin_client):
    drafts = [PatentFactory(), PatentFactory()]
    lapsed = PatentFactory(legal_status=Patent.LegalStatus.LAPSED)
    url = reverse("admin:patents_patent_changelist")
    pks = [p.pk for p in [*drafts, lapsed]]
    admin_client.post(url, {"action": "publish_selected", "_selected_action": pks})
    states = dict(Patent.objects.values_list("pk", "listing_status"))
    assert [states[p.pk] for p in drafts] == ["published", "published"] and states[lapsed.pk] == "draft"
    admin_client.post(url, {"action": "withdraw_selected", "_selected_action": [drafts[0].pk]})
    assert Patent.objects.get(pk=drafts[0].pk).listing_status == "withdrawn"
    response = admin_client.post(url, {"action": "export_csv", "_selected_action": pks})
    # Chinese headers on a Chinese page (the import reads them as aliases of application_no, title)
    assert response.content.decode("utf-8-sig").startswith("申请号,专利名称")


def test_change_form_keeps_derived_fields(admin_client):
    patent = PatentFactory()
    url = reverse("admin:patents_patent_change", args=[patent.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"ipc_codes": "h01m10/052", "implemented": "on", "industries": [], "owner": patent.owner_id})
    for key in (
        "offers_transfer",
        "offers_license",
        "offers_equity",
        "open_license",
        "use_first_pay_later",
        "sme_fee_waiver",
    ):
        if not data.get(key):
            data.pop(key, None)
    for prefix in ("ipc_entries", "open_licenses"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    patent.refresh_from_db()
    assert patent.ipc_main == "H01M 10/052" and patent.ipc_entries.get().subclass == "H01M"
    assert patent.dormant is False
