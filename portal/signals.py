"""Security reactions to changes of a user row: a changed password or a deactivated account
revokes all the user's API tokens (see portal.tokens for why this is a signal)."""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .tokens import api_tokens_revoke_all


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_credential_change(sender, instance, update_fields=None, **kwargs):
    instance._portal_revoke_tokens = False
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login: no query
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is not None:
        instance._portal_revoke_tokens = before["password"] != instance.password or (
            before["is_active"] and not instance.is_active
        )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_tokens(sender, instance, **kwargs):
    if getattr(instance, "_portal_revoke_tokens", False):
        api_tokens_revoke_all(user=instance)
        instance._portal_revoke_tokens = False
