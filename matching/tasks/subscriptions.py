"""Celery adapters for the daily subscription digest (issue 16, item 5)."""

from celery import shared_task

__all__ = ["subscription_digest_send", "subscription_digest_send_email"]


@shared_task(acks_late=True)
def subscription_digest_send() -> int:
    """The daily digest of saved searches and subscriptions (beat: portal/schedule.py)."""
    from ..services import subscriptions

    return subscriptions.subscription_digest_send()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def subscription_digest_send_email(*, notification_id: int, subscription_ids: list[int]) -> bool:
    """E-mail one digest with its unsubscribe links (idempotent: sent at most once)."""
    from ..models import Notification
    from ..services import subscriptions

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return False
    return subscriptions.subscription_digest_send_email(
        notification=notification, subscription_ids=subscription_ids
    )
