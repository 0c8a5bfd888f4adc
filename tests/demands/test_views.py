"""Demand pages: browse, detail, my demands, the form and the state buttons, per role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand

from .factories import DemandFactory, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("demands:list")
MINE = reverse("demands:mine")
NEW = reverse("demands:demand-create")


def detail(demand, action="demand-detail"):
    return reverse(f"demands:{action}", args=[demand.code])


def login(client, role, **kwargs):
    user = make_user(role, **kwargs)
    client.force_login(user)
    return user


def form_data(**overrides):
    data = {
        "title": "羊绒分梳设备节能改造技术",
        "description": "降低分梳能耗，提升无毛绒得率。",
        "deal_kinds": ["transfer", "license"],
        "budget_min": "20",
        "budget_max": "50",
        "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "visibility": "public",
        "keywords": "羊绒，分梳",
    }
    data.update(overrides)
    return data


def test_browse_page_shows_open_public_summaries_with_count(client):
    DemandFactory(title="煤矸石制备建材", description="秘密的工艺细节")
    DemandFactory(title="仅认证机构可见的需求", visibility=Demand.Visibility.VERIFIED)
    DemandFactory(title="一条草稿", status=Demand.Status.DRAFT)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "煤矸石制备建材" in html and "共 1 条需求" in html
    assert "秘密的工艺细节" not in html
    assert "仅认证机构可见的需求" not in html and "一条草稿" not in html


def test_browse_page_search_filters_and_empty_state(client):
    DemandFactory(title="煤矸石制备建材")
    html = client.get(LIST, {"q": "煤矸"}).content.decode()
    assert "煤矸石制备建材" in html and "共 1 条需求" in html
    html = client.get(LIST, {"q": "石墨烯"}).content.decode()
    assert "没有符合条件的需求" in html and "共 0 条需求" in html
    html = client.get(LIST, {"budget_min": "很多"}).content.decode()
    assert "请输入金额" in html
    Demand.objects.all().delete()
    assert "暂时没有征集中的技术需求" in client.get(LIST).content.decode()


def test_browse_page_paginates(client):
    for _ in range(25):
        DemandFactory()
    assert "第 1 / 2 页" in client.get(LIST).content.decode()
    assert client.get(LIST, {"page": 2}).context["page_obj"].object_list.__len__() == 5


def test_browse_page_query_count(client, django_assert_max_num_queries):
    for _ in range(20):
        DemandFactory()
    login(client, "institution")
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["demands"]) == 20


def test_detail_hides_details_from_anonymous_and_shows_them_to_verified_institutions(client):
    demand = DemandFactory(description="秘密的工艺细节")
    html = client.get(detail(demand)).content.decode()
    assert demand.title in html and "秘密的工艺细节" not in html and demand.organization.name not in html
    assert 'id="details-locked"' in html
    login(client, "institution", verified=False)
    assert "秘密的工艺细节" not in client.get(detail(demand)).content.decode()
    login(client, "institution")
    html = client.get(detail(demand)).content.decode()
    assert "秘密的工艺细节" in html and demand.organization.name in html
    assert demand.organization.contact_phone not in html  # contacts only after double opt-in


def test_another_sme_cannot_read_or_change_a_draft(client):
    draft = DemandFactory(status=Demand.Status.DRAFT)
    login(client, "sme")
    assert client.get(detail(draft)).status_code == 404
    assert client.get(detail(draft, "demand-edit")).status_code == 404
    for action in ("demand-publish", "demand-close", "demand-renew", "demand-delete"):
        assert client.post(detail(draft, action)).status_code == 404, action
    draft.refresh_from_db()
    assert draft.status == Demand.Status.DRAFT


def test_another_sme_sees_an_open_demand_but_cannot_change_it(client):
    demand = DemandFactory()
    login(client, "sme")
    assert client.get(detail(demand)).status_code == 200
    assert client.get(detail(demand, "demand-edit")).status_code == 403
    assert client.post(detail(demand, "demand-edit"), form_data()).status_code == 403
    assert client.post(detail(demand, "demand-close")).status_code == 403
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN


@pytest.mark.parametrize("role", ["district_officer", "institution", "agency"])
def test_read_only_roles_cannot_change_demands(client, role):
    demand = DemandFactory()
    login(client, role)
    assert client.get(detail(demand)).status_code == 200
    assert client.get(detail(demand, "demand-edit")).status_code == 403
    assert client.post(detail(demand, "demand-close")).status_code == 403
    assert client.get(NEW).status_code == 403


def test_anonymous_is_sent_to_login(client):
    demand = DemandFactory()
    for url in (NEW, MINE, detail(demand, "demand-edit")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("portal:login") in response.url


def test_sme_posts_a_demand_and_publishes_it(client):
    user = login(client, "sme")
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, form_data(save="1"))
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == detail(demand)
    assert demand.status == Demand.Status.DRAFT and demand.created_by == user
    assert (demand.budget_min, demand.budget_max) == (200000, 500000)  # entered in 万元
    assert demand.keywords == "羊绒;分梳"
    response = client.post(detail(demand, "demand-publish"), follow=True)
    assert "已发布" in response.content.decode()
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN


def test_form_shows_validation_errors(client):
    login(client, "sme")
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        NEW, form_data(deal_kinds=[], budget_min="80", budget_max="10", deadline=past, title="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"deal_kinds", "budget_max", "deadline", "title"}
    assert "请至少选择一种合作方式" in response.content.decode()
    assert not Demand.objects.exists()


def test_unverified_sme_cannot_publish_from_the_form(client):
    login(client, "sme", verified=False)
    response = client.post(NEW, form_data(publish="1"))
    assert response.status_code == 200 and "尚未通过认证" in response.content.decode()
    assert not Demand.objects.exists()


def test_owner_edits_renews_and_closes(client):
    demand = DemandFactory(deadline=timezone.localdate() - dt.timedelta(days=2), status=Demand.Status.EXPIRED)
    login(client, "sme", organization=demand.organization)
    assert client.get(detail(demand, "demand-edit")).status_code == 200
    # The past deadline may stay as it is while editing; renewal is a separate step.
    data = form_data(title="新的需求名称", deadline=demand.deadline.isoformat())
    response = client.post(detail(demand, "demand-edit"), data)
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.title == "新的需求名称" and demand.status == Demand.Status.EXPIRED
    new_deadline = timezone.localdate() + dt.timedelta(days=30)
    client.post(detail(demand, "demand-renew"), {"deadline": new_deadline.isoformat()})
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN and demand.deadline == new_deadline
    client.post(detail(demand, "demand-close"))
    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED
    assert client.get(detail(demand, "demand-edit")).status_code == 302  # closed: back to the page


def test_state_errors_are_shown_as_messages(client):
    demand = DemandFactory(status=Demand.Status.CLOSED)
    login(client, "sme", organization=demand.organization)
    response = client.post(detail(demand, "demand-publish"), follow=True)
    assert "只有草稿状态的需求可以发布" in response.content.decode()


def test_my_demands_page(client, django_assert_max_num_queries):
    demand = DemandFactory(title="本企业的需求")
    draft = DemandFactory(organization=demand.organization, status=Demand.Status.DRAFT, title="本企业的草稿")
    DemandFactory(title="别人的需求")
    for _ in range(15):
        DemandFactory(organization=demand.organization)
    login(client, "sme", organization=demand.organization)
    with django_assert_max_num_queries(10):
        response = client.get(MINE)
    html = response.content.decode()
    assert "本企业的需求" in html and "本企业的草稿" in html and "别人的需求" not in html
    html = client.get(MINE, {"status": "draft"}).content.decode()
    assert draft.title in html and "本企业的需求" not in html
    assert client.get(MINE, {"status": "closed"}).context["page_obj"].paginator.count == 0


@pytest.mark.parametrize("role", ["institution", "bureau", "none"])
def test_my_demands_is_for_smes(client, role):
    login(client, role)
    assert client.get(MINE).status_code == 403


def test_duplicate_warning_is_shown_to_the_owner(client):
    original = DemandFactory(title="乳制品冷链保鲜技术需求")
    login(client, "sme", organization=original.organization)
    response = client.post(NEW, form_data(title="乳制品冷链保鲜技术", save="1"), follow=True)
    html = response.content.decode()
    assert "可能重复" in html and original.code in html
    copy = Demand.objects.exclude(pk=original.pk).get()
    assert copy.duplicate_of == original
    assert 'id="duplicate-warning"' in client.get(detail(copy)).content.decode()
