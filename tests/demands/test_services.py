"""Services of demands: creation, the state rules, expiry, renewal, duplicates and the matching hook."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from demands import services
from demands.models import Demand
from portal.errors import ApplicationError
from portal.permissions import actor_for, system_actor

from .factories import DemandFactory, industry, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def create(user, **overrides):
    data = {
        "title": "煤矸石制备新型建材技术",
        "description": "利用煤矸石生产免烧砖，需要配方与成型工艺。",
        "deal_kinds": ["transfer", "license"],
    }
    return services.demand_create(actor=actor_for(user), **{**data, **overrides})


def test_create_assigns_yearly_codes_and_defaults():
    user = make_user("sme", district="150622")
    first, second = create(user), create(user, title="羊绒分梳设备升级")
    year = TODAY().year
    assert (first.code, second.code) == (f"D{year}-0001", f"D{year}-0002")
    assert first.status == Demand.Status.DRAFT and first.published_at is None
    assert first.district_id == "150622"  # the organization's district
    assert first.deadline == TODAY() + dt.timedelta(days=services.DEFAULT_VALIDITY_DAYS)
    assert first.source == Demand.Source.ONLINE and first.created_by == user
    assert first.deal_kinds == ["transfer", "license"]
    assert first.history.first().history_user == user


def test_next_code_continues_after_imported_codes_and_past_9999():
    year = TODAY().year
    DemandFactory(code=f"D{year}-0041")
    DemandFactory(code="DEV-0001")
    assert services.demand_next_code() == f"D{year}-0042"
    DemandFactory(code=f"D{year}-9999")
    assert services.demand_next_code() == f"D{year}-10000"


def test_create_normalizes_keywords_and_ipc():
    demand = create(make_user("sme"), keywords="煤矸石，建材; 煤矸石", ipc_hints="c04b，h01m10/052")
    assert demand.keywords == "煤矸石;建材"
    assert demand.ipc_hints == "C04B;H01M 10/052"


@pytest.mark.parametrize("role", ["institution", "agency", "bureau", "district_officer", "none"])
def test_only_sme_members_create(role):
    with pytest.raises(PermissionDenied):
        create(make_user(role))


def test_create_validates_fields():
    user = make_user("sme")
    with pytest.raises(ValidationError) as excinfo:
        create(user, budget_min=Decimal("500000"), budget_max=Decimal("100000"))
    assert "budget_max" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        create(user, deal_kinds=[])
    assert "wants_transfer" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        create(user, ipc_hints="XYZ")
    assert "ipc_hints" in excinfo.value.message_dict
    with pytest.raises(ApplicationError, match="截止日期不能早于今天"):
        create(user, deadline=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="最长"):
        create(user, deadline=TODAY() + dt.timedelta(days=services.MAX_VALIDITY_DAYS + 1))
    with pytest.raises(ApplicationError, match="未知的合作方式"):
        create(user, deal_kinds=["gift"])
    assert Demand.objects.count() == 0


def test_budget_constraints_hold_in_the_database():
    demand = DemandFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Demand.objects.filter(pk=demand.pk).update(budget_min=Decimal("10"), budget_max=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Demand.objects.filter(pk=demand.pk).update(budget_min=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Demand.objects.filter(pk=demand.pk).update(status="open", published_at=None)


def test_publish_rules():
    user = make_user("sme")
    demand = create(user)
    published = services.demand_publish(demand=demand, actor=actor_for(user))
    assert published.status == Demand.Status.OPEN and published.published_at is not None
    with pytest.raises(ApplicationError, match="只有草稿状态的需求可以发布"):
        services.demand_publish(demand=published, actor=actor_for(user))


def test_unverified_sme_saves_drafts_but_cannot_publish():
    user = make_user("sme", verified=False)
    demand = create(user)
    with pytest.raises(ApplicationError, match="尚未通过认证"):
        services.demand_publish(demand=demand, actor=actor_for(user))
    with pytest.raises(ApplicationError, match="尚未通过认证"):
        create(user, title="另一条", publish=True)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.DRAFT


def test_another_sme_cannot_change_a_demand():
    demand = DemandFactory(status=Demand.Status.DRAFT)
    stranger = make_user("sme")
    for call in (
        lambda: services.demand_update(demand=demand, actor=actor_for(stranger), title="篡改"),
        lambda: services.demand_publish(demand=demand, actor=actor_for(stranger)),
        lambda: services.demand_close(demand=demand, actor=actor_for(stranger)),
        lambda: services.demand_renew(demand=demand, actor=actor_for(stranger)),
        lambda: services.demand_delete(demand=demand, actor=actor_for(stranger)),
    ):
        with pytest.raises(PermissionDenied):
            call()
    demand.refresh_from_db()
    assert demand.title != "篡改" and demand.status == Demand.Status.DRAFT


def test_bureau_may_close_but_district_officer_may_not():
    demand = DemandFactory()
    with pytest.raises(PermissionDenied):
        services.demand_close(demand=demand, actor=actor_for(make_user("district_officer")))
    services.demand_close(demand=demand, actor=actor_for(make_user("bureau")))
    assert demand.status == Demand.Status.CLOSED and demand.closed_at is not None


def test_state_rules_for_close_update_and_delete():
    demand = DemandFactory()
    owner = make_user("sme", organization=demand.organization)
    services.demand_update(demand=demand, actor=actor_for(owner), title="新名称")
    assert Demand.objects.get(pk=demand.pk).title == "新名称"
    with pytest.raises(ApplicationError, match="只能删除未发布过的草稿"):
        services.demand_delete(demand=demand, actor=actor_for(owner))
    services.demand_close(demand=demand, actor=actor_for(owner))
    with pytest.raises(ApplicationError, match="已关闭的需求不能再修改"):
        services.demand_update(demand=demand, actor=actor_for(owner), title="再改")
    with pytest.raises(ApplicationError, match="已关闭的需求不能关闭"):
        services.demand_close(demand=demand, actor=actor_for(owner))
    with pytest.raises(ApplicationError, match="只有征集中或已过期的需求可以续期"):
        services.demand_renew(demand=demand, actor=actor_for(owner))
    with pytest.raises(ApplicationError, match="只有征集中的需求可以标记为已对接"):
        services.demand_mark_matched(actor=system_actor(), demand=demand)


def test_draft_is_deleted():
    user = make_user("sme")
    demand = create(user)
    services.demand_delete(demand=demand, actor=actor_for(user))
    assert not Demand.objects.exists()


def test_expire_due_expires_past_deadline_only_and_is_idempotent():
    today = TODAY()
    past = DemandFactory(deadline=today - dt.timedelta(days=1))
    on_deadline = DemandFactory(deadline=today)
    no_deadline = DemandFactory(deadline=None)
    draft = DemandFactory(status=Demand.Status.DRAFT, deadline=today - dt.timedelta(days=3))
    assert services.demand_expire_due(actor=system_actor()) == 1
    assert services.demand_expire_due(actor=system_actor()) == 0
    statuses = dict(Demand.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: "expired",
        on_deadline.pk: "open",
        no_deadline.pk: "open",
        draft.pk: "draft",
    }
    past.refresh_from_db()
    assert past.closed_at is not None
    assert past.history.first().history_change_reason == "deadline passed"
    # The next day, the demand whose deadline was today expires too.
    assert services.demand_expire_due(actor=system_actor(), today=today + dt.timedelta(days=1)) == 1


def test_renew_reopens_an_expired_demand_and_extends_an_open_one():
    demand = DemandFactory(deadline=TODAY() - dt.timedelta(days=1))
    owner = make_user("sme", organization=demand.organization)
    services.demand_expire_due(actor=system_actor())
    demand.refresh_from_db()
    renewed = services.demand_renew(demand=demand, actor=actor_for(owner))
    assert renewed.status == Demand.Status.OPEN and renewed.closed_at is None
    assert renewed.deadline == TODAY() + dt.timedelta(days=services.DEFAULT_VALIDITY_DAYS)
    with pytest.raises(ApplicationError, match="须晚于当前截止日期"):
        services.demand_renew(demand=renewed, actor=actor_for(owner), deadline=renewed.deadline)
    later = renewed.deadline + dt.timedelta(days=10)
    assert services.demand_renew(demand=renewed, actor=actor_for(owner), deadline=later).deadline == later
    with pytest.raises(ApplicationError, match="截止日期不能早于今天"):
        services.demand_renew(demand=renewed, actor=actor_for(owner), deadline=TODAY() - dt.timedelta(days=1))


def test_similar_open_demand_of_same_organization_is_flagged():
    user = make_user("sme")
    dairy = industry("dairy")
    original = create(user, title="乳制品冷链保鲜技术需求", industry=dairy, publish=True)
    assert original.duplicate_of is None
    # A draft that repeats an open demand is flagged at once, before it is published.
    draft = create(user, title="乳制品冷链保鲜技术", industry=dairy)
    assert draft.duplicate_of == original
    published = services.demand_publish(demand=draft, actor=actor_for(user))
    assert published.duplicate_of == original
    # Different industry, different wording, another organization: no flag.
    assert create(user, title="乳制品冷链保鲜技术", industry=industry("coal")).duplicate_of is None
    assert create(user, title="羊绒分梳设备节能改造", industry=dairy).duplicate_of is None
    assert create(make_user("sme"), title="乳制品冷链保鲜技术", industry=dairy).duplicate_of is None
    # Once the original is closed, the other one is no longer a duplicate.
    services.demand_close(demand=original, actor=actor_for(user))
    published.refresh_from_db()
    assert published.duplicate_of is None


def test_title_similarity_tells_one_character_chemicals_apart():
    assert (
        services.title_similarity("三氧化二铁技术需求", "三氧化二铝技术需求") < services.DUPLICATE_THRESHOLD
    )
    assert (
        services.title_similarity("羊绒纺纱设备改造升级", "羊绒纺纱设备升级需求")
        >= services.DUPLICATE_THRESHOLD
    )


def test_matching_is_queued_after_commit_on_publish_edit_and_renew(
    fake_matching_task, django_capture_on_commit_callbacks
):
    user = make_user("sme")
    with django_capture_on_commit_callbacks(execute=True):
        demand = create(user)
    assert fake_matching_task == []  # drafts are not matched
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_publish(demand=demand, actor=actor_for(user))
    assert fake_matching_task == [{"demand_ids": [demand.pk]}]
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_update(demand=demand, actor=actor_for(user), description="新的描述，指标更明确。")
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_close(demand=demand, actor=actor_for(user))
    assert fake_matching_task == [{"demand_ids": [demand.pk]}] * 2


def test_publishing_works_without_a_subscriber(django_capture_on_commit_callbacks):
    """demands announce, matching subscribes: with no receiver connected nothing is queued."""
    from demands.signals import demands_published
    from matching import receivers

    demands_published.disconnect(dispatch_uid="matching.demands")
    try:
        user = make_user("sme")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            demand = create(user, publish=True)
        assert len(callbacks) == 1 and demand.status == "open"
    finally:
        receivers.connect()
