"""Saved searches and subscriptions (issue 16, item 5): an SME's saved patent search and an
institution's demand subscription, the daily digest (in the portal and by e-mail, once), and the
unsubscribe link that works without signing in."""

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from matching.models import Notification, Subscription
from matching.services import subscriptions as services
from portal.errors import ApplicationError
from portal.permissions import actor_for
from portal.schedule import BEAT_SCHEDULE
from tests.demands.factories import DemandFactory
from tests.patents.factories import PatentFactory, industry
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


def _publish(**fields):
    return PatentFactory(published=True, **fields)


def test_an_sme_saves_the_patent_search_it_sees(client):
    client.force_login(make_user("institution"))
    assert 'id="save-search"' not in client.get(reverse("patents:list")).content.decode()
    user = make_user("sme", email="sme@example.com")
    client.force_login(user)
    assert 'id="save-search"' in client.get(reverse("patents:list") + "?q=液压").content.decode()
    query = "q=%E6%B6%B2%E5%8E%8B&deal_kind=transfer&ipc=E21D&page=2&sort=price&per_page=50"
    response = client.post(reverse("matching:subscription-save-search"), {"query": query})
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=user)
    assert subscription.kind == "patents" and subscription.name == "液压"
    assert subscription.params == {"q": ["液压"], "deal_kind": ["transfer"], "ipc": ["E21D"]}
    page = client.get(reverse("matching:subscription-list")).content.decode()
    assert "液压" in page and "专利检索订阅" in page


def test_only_smes_save_patent_searches_and_only_institutions_subscribe_to_demands():
    with pytest.raises(PermissionDenied):
        services.subscription_create_patent_search(
            actor=actor_for(make_user("institution")), query={"q": "x"}
        )
    with pytest.raises(PermissionDenied):
        services.subscription_create_demands(actor=actor_for(make_user("sme")), ipc=["H01M"])
    with pytest.raises(ApplicationError):  # an invalid filter value
        services.subscription_create_patent_search(
            actor=actor_for(make_user("sme")), query={"deal_kind": "barter"}
        )
    with pytest.raises(ApplicationError):
        services.subscription_create_demands(actor=actor_for(make_user("institution")), ipc=["not a class"])
    with pytest.raises(ApplicationError):
        services.subscription_create_demands(actor=actor_for(make_user("institution")))


def test_daily_digest_lists_new_matching_items_once_and_emails_with_unsubscribe_links(
    client, celery_eager, django_capture_on_commit_callbacks
):
    sme_user = make_user("sme", email="sme@example.com")
    inst_user = make_user("institution", email="inst@example.com")
    search = services.subscription_create_patent_search(
        actor=actor_for(sme_user), query={"ipc": "E21D"}, name="支护"
    )
    alert = services.subscription_create_demands(
        actor=actor_for(inst_user), industries=[industry("coal")], ipc=["H01M"]
    )
    _publish(title="旧的液压支架", published_at=timezone.now() - dt.timedelta(hours=1))  # old news
    Subscription.objects.update(checked_at=timezone.now() - dt.timedelta(minutes=1))
    new_patent = _publish(title="一种新型液压支架", ipc_codes="E21D 23/04")
    _publish(title="一种锂电池", ipc_codes="H01M 10/052")  # not in the search
    coal = DemandFactory(title="煤矿智能开采需求", industry=industry("coal"))
    battery = DemandFactory(title="储能电池需求", ipc_hints="A01B;H01M 10/052")
    DemandFactory(title="乳品保鲜需求")  # neither
    DemandFactory(title="草稿需求", industry=industry("coal"), status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.subscription_digest_send(now=timezone.now() + dt.timedelta(seconds=2)) == 2
    sme_note = Notification.objects.get(user=sme_user, kind=Notification.Kind.DIGEST)
    assert "一种新型液压支架" in sme_note.body and new_patent.application_no in sme_note.body
    assert "锂电池" not in sme_note.body and "旧的液压支架" not in sme_note.body
    inst_note = Notification.objects.get(user=inst_user, kind=Notification.Kind.DIGEST)
    assert coal.code in inst_note.body and battery.code in inst_note.body
    assert "乳品保鲜" not in inst_note.body and "草稿需求" not in inst_note.body
    assert sorted(m.to[0] for m in mail.outbox) == ["inst@example.com", "sme@example.com"]
    assert all(n.emailed_at for n in Notification.objects.filter(kind=Notification.Kind.DIGEST))

    # Run again (the beat fires twice, a worker retries): nothing new, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.subscription_digest_send(now=timezone.now() + dt.timedelta(seconds=3)) == 0
    assert len(mail.outbox) == 2

    # The e-mail's unsubscribe link works without signing in: GET asks, POST stops it.
    message = next(m for m in mail.outbox if m.to == ["sme@example.com"])
    link = re.search(r"http\S*/matching/unsubscribe/\S+/|/matching/unsubscribe/\S+/", message.body).group(0)
    path = link[link.index("/matching/") :]
    assert client.get(path).status_code == 200
    assert Subscription.objects.get(pk=search.pk).active
    response = client.post(path)
    assert response.status_code == 200 and "已退订" in response.content.decode()
    assert not Subscription.objects.get(pk=search.pk).active
    assert Subscription.objects.get(pk=alert.pk).active
    _publish(title="又一种液压支架", ipc_codes="E21D 23/04")
    assert services.subscription_digest_send(now=timezone.now() + dt.timedelta(seconds=4)) == 0


def test_unsubscribe_tokens_cannot_be_forged(client):
    subscription = services.subscription_create_demands(
        actor=actor_for(make_user("institution")), ipc=["H01M"]
    )
    token = services.subscription_token(subscription)
    assert services.subscription_from_token(token) == subscription
    assert (
        client.get(reverse("matching:subscription-unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    )
    other = services.subscription_create_demands(actor=actor_for(make_user("institution")), ipc=["A01B"])
    # Another subscription's id under this user, or a token signed for something else: refused.
    mixed = signing.dumps({"s": other.pk, "u": subscription.user_id}, salt=services.TOKEN_SALT, compress=True)
    assert services.subscription_from_token(mixed) is None
    elsewhere = signing.dumps({"s": other.pk, "u": other.user_id}, salt="another.purpose", compress=True)
    assert services.subscription_from_token(elsewhere) is None
    assert services.subscription_from_token("not-a-token") is None
    subscription.delete()
    assert client.post(reverse("matching:subscription-unsubscribe", args=[token])).status_code == 404


def test_users_manage_only_their_own_subscriptions(client):
    subscription = services.subscription_create_demands(
        actor=actor_for(make_user("institution")), ipc=["H01M"]
    )
    client.force_login(make_user("institution"))
    assert client.post(reverse("matching:subscription-delete", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("matching:subscription-toggle", args=[subscription.pk])).status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk, active=True).exists()


def test_institutions_subscribe_on_the_manage_page_and_the_digest_runs_daily(client):
    user = make_user("agency")
    client.force_login(user)
    response = client.post(
        reverse("matching:subscription-list"), {"industries": ["coal"], "ipc": "H01M；A01B"}
    )
    assert response.status_code == 302
    assert Subscription.objects.get(user=user).params == {"industries": ["coal"], "ipc": ["H01M", "A01B"]}
    assert BEAT_SCHEDULE["matching-subscription-digest"]["task"] == (
        "matching.tasks.subscriptions.subscription_digest_send"
    )
