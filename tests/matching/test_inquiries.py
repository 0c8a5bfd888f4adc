"""Inquiries: who sees and changes them (services, pages, API), the state machine, the double
opt-in contact release and the figures for reports."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from demands.models import Demand
from matching import selectors
from matching.models import Inquiry, InquiryMessage, Notification
from matching.services.inquiries import (
    inquiry_accept,
    inquiry_create,
    inquiry_reply,
    inquiry_set_deal_reference,
    inquiry_transition,
)
from portal.errors import ApplicationError
from portal.permissions import actor_for

from .factories import (
    DemandFactory,
    MatchFactory,
    agency_for,
    institution_with_patent,
    make_patent,
    make_user,
)

pytestmark = pytest.mark.django_db

S = Inquiry.Status


@pytest.fixture
def owner_user():
    user, _patent = institution_with_patent()
    return user


@pytest.fixture
def patent(owner_user):
    return owner_user.membership.organization.patents.get()


@pytest.fixture
def sme_user():
    return make_user("sme")


@pytest.fixture
def demand(sme_user):
    return DemandFactory(organization=sme_user.membership.organization)


@pytest.fixture
def inquiry(sme_user, patent, demand):
    return inquiry_create(actor=actor_for(sme_user), patent=patent, body="请问能否普通许可？", demand=demand)


def org(user):
    return user.membership.organization


def detail_url(inquiry):
    return reverse("matching:inquiry-detail", args=[inquiry.pk])


# --- Creating -------------------------------------------------------------------------------------


def test_sme_creates_inquiry_and_owner_side_with_its_agency_is_notified(sme_user, owner_user, patent):
    agency_user = agency_for(org(owner_user))
    colleague = make_user("sme", organization=org(sme_user))
    outsider = make_user("institution")

    inquiry = inquiry_create(actor=actor_for(sme_user), patent=patent, body="我们想了解许可费用。")

    assert inquiry.status == S.NEW
    assert inquiry.organization == org(sme_user)
    assert inquiry.subject == f"咨询专利：{patent.title}"
    first = inquiry.messages.get()
    assert (first.status_from, first.status_to, first.body) == ("", S.NEW, "我们想了解许可费用。")
    notified = set(Notification.objects.filter(kind=Notification.Kind.INQUIRY).values_list("user", flat=True))
    assert notified == {owner_user.pk, agency_user.pk}
    assert not Notification.objects.filter(user__in=[sme_user, colleague, outsider]).exists()


def test_duplicate_open_inquiry_is_refused_until_the_first_is_closed(sme_user, patent, inquiry):
    colleague = make_user("sme", organization=org(sme_user))
    with pytest.raises(ApplicationError, match="已就该专利发起过咨询"):
        inquiry_create(actor=actor_for(colleague), patent=patent, body="再问一次")

    inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(sme_user))
    again = inquiry_create(actor=actor_for(colleague), patent=patent, body="重新咨询")
    assert again.pk != inquiry.pk


def test_another_sme_may_ask_about_the_same_patent(patent, inquiry):
    other = inquiry_create(actor=actor_for(make_user("sme")), patent=patent, body="我们也感兴趣")
    assert other.status == S.NEW


@pytest.mark.parametrize(
    "role, kwargs",
    [("institution", {}), ("agency", {}), ("bureau", {}), ("sme", {"verified": False})],
)
def test_only_members_of_a_verified_sme_send_inquiries(patent, role, kwargs):
    with pytest.raises(PermissionDenied):
        inquiry_create(actor=actor_for(make_user(role, **kwargs)), patent=patent, body="你好")


def test_inquiry_about_an_unpublished_patent_is_refused(sme_user, owner_user):
    draft = make_patent(owner=org(owner_user), published=False)
    with pytest.raises(ApplicationError, match="未挂牌"):
        inquiry_create(actor=actor_for(sme_user), patent=draft, body="你好")


def test_inquiry_cannot_name_another_organizations_demand_or_match(sme_user, patent):
    foreign = DemandFactory()
    with pytest.raises(ApplicationError, match="本单位"):
        inquiry_create(actor=actor_for(sme_user), patent=patent, body="你好", demand=foreign)
    match = MatchFactory(demand=foreign, patent=patent)
    with pytest.raises(ApplicationError, match="不符"):
        inquiry_create(actor=actor_for(sme_user), patent=patent, body="你好", match=match)


def test_inquiry_from_a_match_takes_its_demand(sme_user, patent, demand):
    match = MatchFactory(demand=demand, patent=patent)
    inquiry = inquiry_create(actor=actor_for(sme_user), patent=patent, body="你好", match=match)
    assert (inquiry.match, inquiry.demand) == (match, demand)


def test_body_is_required(sme_user, patent):
    with pytest.raises(ApplicationError, match="请填写内容"):
        inquiry_create(actor=actor_for(sme_user), patent=patent, body="   ")


# --- Replying -------------------------------------------------------------------------------------


def test_owner_first_reply_answers_the_inquiry(inquiry, owner_user, sme_user):
    inquiry_reply(inquiry=inquiry, actor=actor_for(owner_user), body="可以，欢迎来校面谈。")
    inquiry.refresh_from_db()
    assert inquiry.status == S.REPLIED
    assert inquiry.first_replied_at is not None
    reply = inquiry.messages.last()
    assert (reply.status_from, reply.status_to, reply.organization) == (S.NEW, S.REPLIED, org(owner_user))
    note = Notification.objects.get(user=sme_user, kind=Notification.Kind.REPLY)
    assert org(owner_user).name in note.title
    assert note.url == detail_url(inquiry)

    first_reply = inquiry.first_replied_at
    inquiry_reply(inquiry=inquiry, actor=actor_for(sme_user), body="好的，下周可以吗？")
    inquiry_reply(inquiry=inquiry, actor=actor_for(owner_user), body="可以。")
    inquiry.refresh_from_db()
    assert inquiry.status == S.REPLIED
    assert inquiry.first_replied_at == first_reply
    assert inquiry.messages.count() == 4


def test_sme_follow_up_does_not_count_as_a_reply(inquiry, sme_user, owner_user):
    inquiry_reply(inquiry=inquiry, actor=actor_for(sme_user), body="补充一下需求背景。")
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.first_replied_at) == (S.NEW, None)
    assert Notification.objects.filter(user=owner_user, kind=Notification.Kind.REPLY).exists()


def test_agency_acting_for_the_owner_answers(inquiry, owner_user):
    agency_user = agency_for(org(owner_user))
    inquiry_reply(inquiry=inquiry, actor=actor_for(agency_user), body="我们代表学校回复。")
    inquiry.refresh_from_db()
    assert inquiry.status == S.REPLIED


def test_no_messages_once_closed(inquiry, sme_user, owner_user):
    inquiry_transition(inquiry=inquiry, to=S.DECLINED, actor=actor_for(owner_user), note="暂不对外许可")
    with pytest.raises(ApplicationError, match="已谢绝，不能再留言"):
        inquiry_reply(inquiry=inquiry, actor=actor_for(sme_user), body="再考虑一下？")


# --- State machine --------------------------------------------------------------------------------


def _bring_to(inquiry, status, owner_user, sme_user):
    path = {
        S.NEW: [],
        S.REPLIED: [S.REPLIED],
        S.NEGOTIATING: [S.REPLIED, S.NEGOTIATING],
        S.AGREED: [S.REPLIED, S.AGREED],
        S.DECLINED: [S.DECLINED],
        S.WITHDRAWN: [S.WITHDRAWN],
    }[status]
    for step in path:
        by = sme_user if step == S.WITHDRAWN else owner_user
        inquiry_transition(inquiry=inquiry, to=step, actor=actor_for(by), note="说明")
    inquiry.refresh_from_db()
    assert inquiry.status == status


ILLEGAL = [
    (S.NEW, S.NEGOTIATING),
    (S.NEW, S.AGREED),
    (S.REPLIED, S.NEW),
    (S.NEGOTIATING, S.REPLIED),
    (S.AGREED, S.WITHDRAWN),
    (S.AGREED, S.DECLINED),
    (S.DECLINED, S.NEGOTIATING),
    (S.WITHDRAWN, S.REPLIED),
]


@pytest.mark.parametrize("current, requested", ILLEGAL)
def test_illegal_transitions_are_refused_naming_both_statuses(
    inquiry, owner_user, sme_user, current, requested
):
    _bring_to(inquiry, current, owner_user, sme_user)
    before = inquiry.messages.count()
    for by in (owner_user, sme_user):
        with pytest.raises(ApplicationError) as caught:
            inquiry_transition(inquiry=inquiry, to=requested, actor=actor_for(by), note="试试")
        message = caught.value.message
        assert f"不能将咨询从“{current.label}”改为“{requested.label}”" in message
    inquiry.refresh_from_db()
    assert inquiry.status == current
    assert inquiry.messages.count() == before


def test_refusal_says_what_is_possible_or_that_it_is_over(inquiry, owner_user, sme_user):
    with pytest.raises(ApplicationError, match="当前状态下只能改为：已回复、已谢绝、已撤回"):
        inquiry_transition(inquiry=inquiry, to=S.AGREED, actor=actor_for(owner_user))
    inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(sme_user))
    with pytest.raises(ApplicationError, match="该咨询已结束"):
        inquiry_transition(inquiry=inquiry, to=S.NEGOTIATING, actor=actor_for(sme_user))


def test_unknown_status_is_refused(inquiry, owner_user):
    with pytest.raises(ApplicationError, match="未知的咨询状态"):
        inquiry_transition(inquiry=inquiry, to="approved", actor=actor_for(owner_user))


@pytest.mark.parametrize("requested", [S.DECLINED, S.AGREED, S.REPLIED])
def test_sme_side_cannot_take_the_owners_steps(inquiry, owner_user, sme_user, requested):
    if requested == S.AGREED:
        _bring_to(inquiry, S.REPLIED, owner_user, sme_user)
    with pytest.raises(ApplicationError, match=f"只有专利权人一方可以将咨询改为“{requested.label}”"):
        inquiry_transition(inquiry=inquiry, to=requested, actor=actor_for(sme_user), note="x")


def test_owner_side_cannot_withdraw_the_smes_inquiry(inquiry, owner_user):
    with pytest.raises(ApplicationError, match="只有咨询企业可以将咨询改为“已撤回”"):
        inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(owner_user))


def test_both_sides_may_mark_negotiating(inquiry, owner_user, sme_user):
    _bring_to(inquiry, S.REPLIED, owner_user, sme_user)
    inquiry_transition(inquiry=inquiry, to=S.NEGOTIATING, actor=actor_for(sme_user), note="约定下周面谈")
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEGOTIATING
    assert Notification.objects.filter(user=owner_user, kind=Notification.Kind.STATUS).exists()


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "bureau", "district_officer", "bank"])
def test_non_parties_cannot_change_an_inquiry(inquiry, role):
    stranger = make_user(role)
    with pytest.raises(PermissionDenied):
        inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(stranger))
    with pytest.raises(PermissionDenied):
        inquiry_reply(inquiry=inquiry, actor=actor_for(stranger), body="插一句")
    with pytest.raises(PermissionDenied):
        inquiry_accept(inquiry=inquiry, actor=actor_for(stranger))
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW
    assert inquiry.messages.count() == 1


def test_agreement_records_the_deal_releases_contacts_and_marks_the_demand_matched(
    inquiry, owner_user, sme_user, demand
):
    _bring_to(inquiry, S.NEGOTIATING, owner_user, sme_user)
    inquiry_transition(
        inquiry=inquiry,
        to=S.AGREED,
        actor=actor_for(owner_user),
        note="签订许可合同",
        deal_reference="HT-2023-007",
    )
    inquiry.refresh_from_db()
    demand.refresh_from_db()
    assert inquiry.status == S.AGREED
    assert inquiry.deal_reference == "HT-2023-007"
    assert inquiry.contacts_released
    assert inquiry.closed_at is not None
    assert demand.status == Demand.Status.MATCHED
    statuses = list(inquiry.messages.exclude(status_to="").values_list("status_from", "status_to"))
    assert statuses == [
        ("", S.NEW),
        (S.NEW, S.REPLIED),
        (S.REPLIED, S.NEGOTIATING),
        (S.NEGOTIATING, S.AGREED),
    ]

    inquiry_set_deal_reference(inquiry=inquiry, actor=actor_for(owner_user), deal_reference="HT-2023-008")
    inquiry.refresh_from_db()
    assert inquiry.deal_reference == "HT-2023-008"
    with pytest.raises(PermissionDenied):
        inquiry_set_deal_reference(inquiry=inquiry, actor=actor_for(sme_user), deal_reference="X")


def test_deal_reference_only_with_agreement(inquiry, owner_user):
    with pytest.raises(ApplicationError, match="只有达成合作时"):
        inquiry_transition(inquiry=inquiry, to=S.DECLINED, actor=actor_for(owner_user), deal_reference="HT-1")


def test_declining_a_new_inquiry_counts_as_the_first_response(inquiry, owner_user):
    inquiry_transition(inquiry=inquiry, to=S.DECLINED, actor=actor_for(owner_user), note="该专利已独占许可")
    inquiry.refresh_from_db()
    assert inquiry.first_replied_at is not None
    assert inquiry.closed_at is not None


# --- Double opt-in --------------------------------------------------------------------------------


def test_contacts_are_released_only_when_the_owner_accepts(inquiry, owner_user, sme_user):
    for user in (owner_user, sme_user):
        assert selectors.inquiry_contacts(actor=actor_for(user), inquiry=inquiry) is None

    with pytest.raises(ApplicationError, match="只有专利权人一方可以接受咨询"):
        inquiry_accept(inquiry=inquiry, actor=actor_for(sme_user))

    inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))
    inquiry.refresh_from_db()
    assert inquiry.contacts_released
    assert inquiry.status == S.NEGOTIATING
    assert inquiry.first_replied_at is not None
    steps = list(inquiry.messages.exclude(status_to="").values_list("status_from", "status_to"))
    assert steps[-2:] == [(S.NEW, S.REPLIED), (S.REPLIED, S.NEGOTIATING)]

    for user in (owner_user, sme_user):
        contacts = selectors.inquiry_contacts(actor=actor_for(user), inquiry=inquiry)
        assert contacts["owner"]["contact_phone"] == org(owner_user).contact_phone
        assert contacts["asker"]["organization"] == org(sme_user).name
    # An unrelated organization still cannot read the inquiry at all.
    with pytest.raises(Exception):  # noqa: B017  (Http404)
        selectors.inquiry_get(actor=actor_for(make_user("sme")), pk=inquiry.pk)

    with pytest.raises(ApplicationError, match="已接受该咨询"):
        inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))


def test_a_closed_inquiry_cannot_be_accepted(inquiry, owner_user, sme_user):
    inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(sme_user))
    with pytest.raises(ApplicationError, match="不能接受“已撤回”的咨询"):
        inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))


def test_detail_page_hides_contacts_until_accepted(client, inquiry, owner_user, sme_user):
    owner_org = org(owner_user)
    owner_org.contact_phone, owner_org.contact_email = "0477-1112222", "tto@example.edu.cn"
    owner_org.save()
    client.force_login(sme_user)
    page = client.get(detail_url(inquiry)).content.decode()
    assert "0477-1112222" not in page and "tto@example.edu.cn" not in page
    assert 'id="contacts-hidden"' in page

    inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))
    page = client.get(detail_url(inquiry)).content.decode()
    assert "0477-1112222" in page and "tto@example.edu.cn" in page
    assert org(sme_user).contact_phone in page


# --- Scoping --------------------------------------------------------------------------------------


def test_who_sees_which_inquiries(inquiry, owner_user, sme_user, patent):
    second_patent = make_patent()
    other = inquiry_create(actor=actor_for(make_user("sme")), patent=second_patent, body="你好")
    agency_user = agency_for(org(owner_user))
    other_agency = make_user("agency")

    def visible(user):
        return set(selectors.inquiry_list(actor=actor_for(user)).values_list("pk", flat=True))

    assert visible(sme_user) == {inquiry.pk}
    assert visible(make_user("sme", organization=org(sme_user))) == {inquiry.pk}
    assert visible(owner_user) == {inquiry.pk}
    assert visible(agency_user) == {inquiry.pk}
    assert visible(other_agency) == set()
    assert visible(make_user("institution")) == set()
    assert visible(make_user("sme")) == set()
    assert visible(make_user("bank")) == set()
    assert visible(make_user("none")) == set()
    assert visible(make_user("bureau")) == {inquiry.pk, other.pk}
    assert visible(make_user("admin")) == {inquiry.pk, other.pk}
    # Both organizations are in 东胜区 (150602): its officer sees both, another district's none.
    assert visible(make_user("district_officer", district="150602")) == {inquiry.pk, other.pk}
    assert visible(make_user("district_officer", district="150627")) == set()
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


def test_anonymous_visitors_are_sent_to_login(client, inquiry):
    for url in (reverse("matching:inquiry-list"), detail_url(inquiry)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("portal:login") in response["Location"]


def test_another_sme_can_neither_read_nor_change_the_inquiry(client, inquiry):
    client.force_login(make_user("sme"))
    assert client.get(detail_url(inquiry)).status_code == 404
    for name, data in (
        ("matching:inquiry-transition", {"to": "withdrawn"}),
        ("matching:inquiry-reply", {"body": "插一句"}),
        ("matching:inquiry-accept", {}),
    ):
        assert client.post(reverse(name, args=[inquiry.pk]), data).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW and inquiry.messages.count() == 1
    assert inquiry.subject not in client.get(reverse("matching:inquiry-list")).content.decode()


def test_another_institution_sees_no_inquiry_about_someone_elses_patent(client, inquiry):
    client.force_login(make_user("institution"))
    assert client.get(detail_url(inquiry)).status_code == 404
    page = client.get(reverse("matching:inquiry-list")).content.decode()
    assert inquiry.subject not in page
    assert 'id="empty-state"' in page


def test_pages_offer_each_side_only_its_own_actions(client, inquiry, owner_user, sme_user):
    client.force_login(owner_user)
    page = client.get(detail_url(inquiry)).content.decode()
    assert 'id="accept-button"' in page
    assert 'data-transition="declined"' in page
    assert 'data-transition="withdrawn"' not in page

    client.force_login(sme_user)
    page = client.get(detail_url(inquiry)).content.decode()
    assert 'id="accept-button"' not in page
    assert 'data-transition="withdrawn"' in page
    assert 'data-transition="declined"' not in page

    client.force_login(make_user("bureau"))
    page = client.get(detail_url(inquiry)).content.decode()
    assert 'id="inquiry-actions"' not in page
    assert 'id="reply-form"' not in page


def test_page_shows_the_services_refusal(client, inquiry, sme_user):
    client.force_login(sme_user)
    response = client.post(
        reverse("matching:inquiry-transition", args=[inquiry.pk]), {"to": "agreed"}, follow=True
    )
    assert "不能将咨询从“新咨询”改为“已达成”" in response.content.decode()


def test_owner_replies_through_the_page(client, inquiry, owner_user):
    client.force_login(owner_user)
    response = client.post(reverse("matching:inquiry-reply", args=[inquiry.pk]), {"body": "欢迎来谈"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == S.REPLIED


def test_create_page_for_sme_and_redirect_to_an_open_inquiry(client, sme_user, patent, demand):
    client.force_login(sme_user)
    url = reverse("matching:inquiry-create", args=[patent.application_no])
    page = client.get(url)
    assert page.status_code == 200
    assert demand.title in page.content.decode()
    response = client.post(url, {"body": "想了解转让价格", "demand": demand.pk})
    inquiry = Inquiry.objects.get()
    assert response["Location"] == detail_url(inquiry)
    assert inquiry.demand == demand
    assert client.get(url)["Location"] == detail_url(inquiry)


def test_create_page_refused_to_institutions(client, patent):
    client.force_login(make_user("institution"))
    assert client.get(reverse("matching:inquiry-create", args=[patent.application_no])).status_code == 403


def test_inquiry_list_query_count(client, django_assert_max_num_queries, owner_user, patent):
    for _ in range(3):
        inquiry_create(actor=actor_for(make_user("sme")), patent=patent, body="你好")
    client.force_login(owner_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("matching:inquiry-list"))
    assert response.content.decode().count("data-inquiry=") == 3


# --- API ------------------------------------------------------------------------------------------


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_anonymous_sees_no_inquiries(inquiry):
    assert api().get("/api/inquiries/").status_code in (401, 403)
    assert api().get(f"/api/inquiries/{inquiry.pk}/").status_code in (401, 403)


def test_api_scoping_and_contacts(inquiry, owner_user, sme_user):
    assert api(make_user("sme")).get(f"/api/inquiries/{inquiry.pk}/").status_code == 404
    assert api(make_user("sme")).get("/api/inquiries/").json()["count"] == 0
    body = api(sme_user).get(f"/api/inquiries/{inquiry.pk}/").json()
    assert body["contacts"] is None
    assert body["actions"] == {
        "side": "asker",
        "can_message": True,
        "can_accept": False,
        "transitions": ["withdrawn"],
    }
    assert [m["status_to"] for m in body["messages"]] == ["new"]

    response = api(owner_user).post(f"/api/inquiries/{inquiry.pk}/accept/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "negotiating"
    body = api(sme_user).get(f"/api/inquiries/{inquiry.pk}/").json()
    assert body["contacts"]["owner"]["contact_name"] == org(owner_user).contact_name


def test_api_create_and_state_actions(sme_user, owner_user, patent, demand):
    client = api(sme_user)
    response = client.post(
        "/api/inquiries/",
        {"patent": patent.application_no, "body": "想了解", "demand": demand.code},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["demand"] == demand.code

    refused = client.post(f"/api/inquiries/{pk}/decline/", {}, format="json")
    assert refused.status_code == 400
    assert "只有专利权人一方" in refused.json()["detail"]

    illegal = api(owner_user).post(f"/api/inquiries/{pk}/agree/", {"deal_reference": "HT-1"}, format="json")
    assert illegal.status_code == 400
    assert "不能将咨询从“新咨询”改为“已达成”" in illegal.json()["detail"]

    assert (
        api(owner_user).post(f"/api/inquiries/{pk}/reply/", {"body": "可以"}, format="json").json()["status"]
        == "replied"
    )
    assert (
        api(owner_user).post(f"/api/inquiries/{pk}/negotiate/", {}, format="json").json()["status"]
        == "negotiating"
    )
    agreed = (
        api(owner_user).post(f"/api/inquiries/{pk}/agree/", {"deal_reference": "HT-1"}, format="json").json()
    )
    assert (agreed["status"], agreed["deal_reference"], agreed["contacts_released"]) == (
        "agreed",
        "HT-1",
        True,
    )
    assert api(make_user("sme")).post(f"/api/inquiries/{pk}/withdraw/", {}, format="json").status_code == 404


def test_api_institution_cannot_create(patent):
    response = api(make_user("institution")).post(
        "/api/inquiries/", {"patent": patent.application_no, "body": "x"}, format="json"
    )
    assert response.status_code == 403


def test_api_list_query_count(django_assert_max_num_queries, owner_user, patent):
    for _ in range(4):
        inquiry_create(actor=actor_for(make_user("sme")), patent=patent, body="你好")
    with django_assert_max_num_queries(8):
        response = api(owner_user).get("/api/inquiries/")
    assert response.json()["count"] == 4


# --- Figures --------------------------------------------------------------------------------------


def test_inquiry_stats(owner_user, patent):
    bureau = actor_for(make_user("bureau"))
    created = timezone.now() - dt.timedelta(days=10)
    rows = []
    for hours, to in ((2, S.AGREED), (4, S.DECLINED), (10, S.REPLIED), (None, S.NEW)):
        inquiry = inquiry_create(actor=actor_for(make_user("sme")), patent=patent, body="你好")
        if to != S.NEW:
            inquiry_reply(inquiry=inquiry, actor=actor_for(owner_user), body="回复")
        if to in (S.AGREED, S.DECLINED):
            inquiry_transition(inquiry=inquiry, to=to, actor=actor_for(owner_user))
        rows.append((inquiry, hours))
    for inquiry, hours in rows:
        Inquiry.objects.filter(pk=inquiry.pk).update(
            created_at=created, first_replied_at=created + dt.timedelta(hours=hours) if hours else None
        )

    stats = selectors.inquiry_stats(actor=bureau)
    assert stats["total"] == 4
    assert stats["by_status"] == {
        "new": 1,
        "replied": 1,
        "negotiating": 0,
        "agreed": 1,
        "declined": 1,
        "withdrawn": 0,
    }
    assert stats["replied"] == 3
    assert stats["median_first_reply"] == dt.timedelta(hours=4)
    assert stats["median_first_reply_hours"] == 4.0
    assert stats["conversion_rate"] == 0.25
    assert stats["reply_rate"] == 0.75
    assert selectors.inquiry_stats(actor=bureau, year=created.year - 1)["total"] == 0
    assert selectors.inquiry_stats(actor=actor_for(make_user("sme")))["total"] == 0
    empty = selectors.inquiry_stats(actor=actor_for(make_user("institution")))
    assert (empty["conversion_rate"], empty["median_first_reply"]) == (None, None)


def test_every_change_is_timestamped(inquiry, owner_user, sme_user):
    inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))
    inquiry_transition(inquiry=inquiry, to=S.WITHDRAWN, actor=actor_for(sme_user), note="另有选择")
    times = list(InquiryMessage.objects.filter(inquiry=inquiry).values_list("created_at", flat=True))
    assert len(times) == 4
    assert all(t is not None for t in times)
    assert times == sorted(times)
