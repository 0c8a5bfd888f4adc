"""Celery adapters for notification e-mail and new-match announcements: ids in, re-fetch,
return quietly when the row is gone, call one service."""

from celery import shared_task

__all__ = ["notification_send_email", "notify_new_matches"]


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_send_email(*, notification_id: int) -> bool:
    """Send one notification's e-mail copy (idempotent: sent at most once)."""
    from ..models import Notification
    from ..services import notifications

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return False
    return notifications.notification_send_email(notification=notification)


@shared_task(acks_late=True)
def notify_new_matches(*, match_ids: list[int]) -> int:
    """Announce a run's new high-scoring matches to both sides (each match once)."""
    from ..services import notifications

    return notifications.notify_new_matches(match_ids=match_ids)
