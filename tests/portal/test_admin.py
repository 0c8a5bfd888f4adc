"""The admin of portal models: every changelist and add page loads, search works, verify action."""

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.models import (
    ImportJob,
    Membership,
    Organization,
    OrganizationAlias,
    OrganizationChange,
    OrganizationYearStats,
    OutboxTask,
)
from portal.periods import organization_reclassify
from portal.permissions import Role, system_actor
from tests.portal.factories import MembershipFactory, OrganizationFactory, make_user

pytestmark = pytest.mark.django_db

PORTAL_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "portal"),
    key=lambda model: model._meta.model_name,
)


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.ADMIN))
    return client


@pytest.fixture
def data():
    organization = OrganizationFactory(name="鄂尔多斯羊绒研究院", kind=Organization.Kind.INSTITUTE)
    OrganizationYearStats.objects.create(
        organization=organization, year=2024, revenue=1_000_000, employees=30
    )
    membership = MembershipFactory(
        organization=organization, user__username="cashmere-admin", role=Membership.Role.ADMIN
    )
    ImportJob.objects.create(
        kind="patents",
        file="imports/2024/01/cashmere.csv",
        original_name="羊绒专利清单.csv",
        organization=organization,
        created_by=membership.user,
        status=ImportJob.Status.DONE,
    )
    OutboxTask.objects.create(name="portal.ping", kwargs={}, last_error="broker down (羊绒)")
    organization_reclassify(
        actor=system_actor(), organization=organization, region_id="150621", reason="迁址"
    )
    OrganizationAlias.objects.create(
        credit_code="91150602MA0000001X", name="羊绒研究所（重复）", organization=organization
    )
    return organization


def test_every_portal_model_is_registered():
    names = {model._meta.model_name for model in PORTAL_MODELS}
    assert names == {
        "region", "industry", "organization", "organizationyearstats", "membership", "importjob",
        "outboxtask", "organizationchange", "organizationalias",
    }  # fmt: skip


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_search_load(admin_client, data, model):
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model), {"q": "羊绒"}).status_code == 200
    # Jobs come from uploads, outbox rows from broker outages, the kind/district audit trail from
    # the services, merged aliases from the clean-up's merge: not from the admin.
    if model not in (ImportJob, OutboxTask, OrganizationChange, OrganizationAlias):
        assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m._meta.model_name)
def test_change_page_loads(admin_client, data, model):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Organization, "羊绒研究", 1),
        (Membership, "cashmere-admin", 1),
        (OrganizationYearStats, "羊绒研究", 1),
        (ImportJob, "羊绒专利", 1),
        (Organization, "没有这个单位", 0),
    ],
    ids=[
        "organization-by-name",
        "membership-by-username",
        "stats-by-organization",
        "job-by-file",
        "no-match",
    ],
)
def test_search_finds(admin_client, data, model, query, expected):
    response = admin_client.get(admin_url(model), {"q": query})
    assert response.context["cl"].result_count == expected


def test_search_organization_by_credit_code(admin_client, data):
    response = admin_client.get(admin_url(Organization), {"q": data.credit_code})
    assert list(response.context["cl"].result_list) == [data]


def test_non_staff_cannot_open_admin(client):
    client.force_login(make_user(Role.BUREAU))
    assert client.get(admin_url(Organization)).status_code == 302


def test_verify_action_calls_the_service(admin_client):
    pending = [OrganizationFactory(verified=False) for _ in range(2)]
    already = OrganizationFactory(verified=True)
    response = admin_client.post(
        admin_url(Organization),
        {"action": "verify_selected", "_selected_action": [org.pk for org in [*pending, already]]},
        follow=True,
    )
    assert response.status_code == 200
    for org in pending:
        org.refresh_from_db()
        assert org.verified and org.verified_at is not None
    text = response.text
    assert "已认证 2 家单位" in text
    assert "已经通过认证" in text  # the one already verified is reported, not silently skipped


def test_unverify_action(admin_client):
    organization = OrganizationFactory(verified=True)
    admin_client.post(
        admin_url(Organization), {"action": "unverify_selected", "_selected_action": [organization.pk]}
    )
    organization.refresh_from_db()
    assert not organization.verified


def test_autocomplete_for_membership_organization(admin_client, data):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "羊绒", "app_label": "portal", "model_name": "membership", "field_name": "organization"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["鄂尔多斯羊绒研究院"]
