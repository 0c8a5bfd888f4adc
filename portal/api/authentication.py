"""``Authorization: Token <key>`` with the portal's expiring, revocable tokens (portal.tokens)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from portal.tokens import api_token_authenticate


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        found = api_token_authenticate(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销，请重新登录获取。"))
        return found
