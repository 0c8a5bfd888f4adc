"""The Celery beat schedule, in one place. Times are Asia/Shanghai."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "patents-daily-maintenance": {"task": "patents.tasks.patent_daily_maintenance", "schedule": crontab(hour=1, minute=0)},
    "patents-monthly-supply-bulletin": {"task": "patents.tasks.supply_bulletin_publish", "schedule": crontab(day_of_month=1, hour=6, minute=0)},
    "demands-expire-due": {"task": "demands.tasks.demand_expire_due", "schedule": crontab(hour=0, minute=15)},
}
