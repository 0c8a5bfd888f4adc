"""The daily expiry job: the task runs the service; beat schedules it every night (Asia/Shanghai)."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.utils import timezone

from demands.models import Demand
from demands.tasks import demand_expire_due
from portal.schedule import BEAT_SCHEDULE

from .factories import DemandFactory

pytestmark = pytest.mark.django_db


def test_task_expires_demands_past_their_deadline(celery_eager):
    past = DemandFactory(deadline=timezone.localdate() - dt.timedelta(days=1))
    current = DemandFactory()
    assert demand_expire_due.delay().get() == 1
    assert demand_expire_due.delay().get() == 0
    assert Demand.objects.get(pk=past.pk).status == Demand.Status.EXPIRED
    assert Demand.objects.get(pk=current.pk).status == Demand.Status.OPEN


def test_task_is_in_the_beat_schedule_daily():
    entry = BEAT_SCHEDULE["demands-expire-due"]
    assert entry["task"] == demand_expire_due.name
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {15}
