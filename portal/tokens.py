"""API tokens: issue, authenticate, revoke (issue 14, finding 2).

A token is 40 random hex characters shown once; the database keeps its SHA-256, so a copy of the
database does not hand out working tokens. Every login (``POST /api/auth/token/``) issues a new
token: two scripts of one user do not share, and revoking one does not stop the other.

All of a user's tokens are revoked when their password changes (the change and reset pages, the
admin, ``changepassword``) or their account is deactivated: ``portal.signals`` watches the user
row, because these paths are Django's own and do not call a service of ours. Logging out of the
website leaves API tokens alone (they belong to scripts, not to the browser session); a script
logs out with ``DELETE /api/auth/token/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token as LegacyToken

from .models import ApiToken

# last_used_at is written at most this often per token (not one UPDATE per API request).
LAST_USED_PRECISION = dt.timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_ttl() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


@transaction.atomic
def api_token_issue(*, user, label: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key (which is not stored)."""
    key = secrets.token_hex(20)
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()  # expired ones are clutter
    token = ApiToken.objects.create(
        user=user, digest=_digest(key), prefix=key[:8], label=label[:200], expires_at=now + token_ttl()
    )
    return token, key


def api_token_authenticate(key: str):
    """(user, token) for a valid key, or None (unknown, expired, inactive user)."""
    if not key or len(key) > 64:
        return None
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key), expires_at__gt=now).first()
    if token is not None:
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token) if token.user.is_active else None
    # A token of rest_framework.authtoken (issued before these tokens): the same expiry, counted
    # from when it was created.
    legacy = LegacyToken.objects.select_related("user").filter(key=key, created__gt=now - token_ttl()).first()
    if legacy is not None and legacy.user.is_active:
        return legacy.user, legacy
    return None


def api_token_revoke(*, token) -> None:
    token.delete()


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every token of ``user``; the number revoked."""
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    legacy, _ = LegacyToken.objects.filter(user=user).delete()
    return revoked + legacy


def api_tokens_of(*, user):
    """The user's tokens that still work, newest first (for their tokens page)."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())
