"""The Celery beat schedule, in one place. Times are Asia/Shanghai."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "patents-daily-maintenance": {
        "task": "patents.tasks.patent_daily_maintenance",
        "schedule": crontab(hour=1, minute=0),
    },
    "patents-monthly-supply-bulletin": {
        "task": "patents.tasks.supply_bulletin_publish",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    "matching-nightly-full-run": {
        "task": "matching.tasks.runs.match_full_run",
        "schedule": crontab(hour=2, minute=30),
    },
    "matching-resume-stuck-runs": {
        "task": "matching.tasks.runs.match_runs_watchdog",
        "schedule": crontab(minute="*/5"),
    },
    "portal-resend-lost-import-jobs": {
        "task": "portal.tasks.import_jobs_watchdog",
        "schedule": crontab(minute="*"),
    },
    "portal-send-outbox-tasks": {"task": "portal.tasks.outbox_flush", "schedule": crontab(minute="*")},
    "portal-purge-old-file-jobs": {
        "task": "portal.tasks.file_jobs_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    "matching-subscription-digest": {
        "task": "matching.tasks.subscriptions.subscription_digest_send",
        "schedule": crontab(hour=7, minute=30),
    },
    "finance-follow-up-requests": {
        "task": "finance.tasks.follow_up_request_due",
        "schedule": crontab(hour=9, minute=0),
    },
    "demands-expire-due": {"task": "demands.tasks.demand_expire_due", "schedule": crontab(hour=0, minute=15)},
    "reports-annual-report-previous-year": {
        "task": "reports.tasks.annual_report_request_previous_year",
        "schedule": crontab(month_of_year=1, day_of_month=5, hour=3, minute=0),
    },
    "cleanup-weekly-data-quality": {
        "task": "cleanup.tasks.data_quality_weekly",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}
