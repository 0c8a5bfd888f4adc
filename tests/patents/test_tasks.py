"""The daily listing job and the monthly supply bulletin: tasks run the services; beat schedules them."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.utils import timezone

from patents.models import Patent, SupplyBulletin
from patents.tasks import patent_daily_maintenance, supply_bulletin_publish
from portal.schedule import BEAT_SCHEDULE
from tests.patents.factories import PatentFactory

pytestmark = pytest.mark.django_db


def test_daily_task_expires_listings(celery_eager):
    due = PatentFactory(published=True, listed_until=timezone.localdate() - dt.timedelta(days=1))
    result = patent_daily_maintenance.delay().get()
    assert result["listings_expired"] == 1
    assert Patent.objects.get(pk=due.pk).listing_status == "expired"
    assert patent_daily_maintenance.delay().get()["listings_expired"] == 0


def test_monthly_task_publishes_the_previous_months_bulletin(celery_eager):
    last_month = timezone.now() - dt.timedelta(days=timezone.localdate().day + 1)
    patent = PatentFactory(published=True, published_at=last_month)
    result = supply_bulletin_publish.delay().get()
    bulletin = SupplyBulletin.objects.get()
    assert result == {"month": bulletin.month.isoformat(), "patents": 1}
    assert list(bulletin.patents.all()) == [patent]
    supply_bulletin_publish.delay().get()
    assert SupplyBulletin.objects.count() == 1


def test_beat_schedule():
    daily = BEAT_SCHEDULE["patents-daily-maintenance"]
    assert daily["task"] == patent_daily_maintenance.name and isinstance(daily["schedule"], crontab)
    assert daily["schedule"].hour == {1} and daily["schedule"].minute == {0}
    monthly = BEAT_SCHEDULE["patents-monthly-supply-bulletin"]
    assert monthly["task"] == supply_bulletin_publish.name
    assert monthly["schedule"].day_of_month == {1} and monthly["schedule"].hour == {6}


@pytest.mark.django_db(transaction=True)
def test_bulletin_task_on_a_real_worker(celery_worker):
    from tests.patents.factories import InstitutionFactory

    owner = InstitutionFactory()
    PatentFactory(owner=owner, published=True)
    month = timezone.localdate().replace(day=1).isoformat()
    result = supply_bulletin_publish.delay(month).get(timeout=30)
    assert result == {"month": month, "patents": 1}
