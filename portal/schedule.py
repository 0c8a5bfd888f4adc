"""The Celery beat schedule, in one place. Times are Asia/Shanghai."""

BEAT_SCHEDULE: dict = {}
