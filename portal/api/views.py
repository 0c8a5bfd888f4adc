"""Token login for API clients: POST username + password, get {"token": "..."}; DELETE with the
token revokes it (an API logout)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.authentication import ExpiringTokenAuthentication
from portal.tokens import api_token_issue, api_token_revoke


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    # Only the token itself: a DELETE must name the token it revokes, and a POST needs no session
    # (so no CSRF exemption to reason about).
    authentication_classes = [ExpiringTokenAuthentication]
    throttle_scope = "token"

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        description=_("每次登录签发一个新令牌，有效期见 API_TOKEN_TTL_DAYS（默认 30 天）。"),
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        agent = request.META.get("HTTP_USER_AGENT", "")
        _token, key = api_token_issue(user=serializer.validated_data["user"], label=f"API · {agent}")
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None}, description=_("撤销本次请求所用的令牌。"))
    def delete(self, request):
        if request.auth is None:
            raise NotAuthenticated(_("请在 Authorization 头中提供要撤销的令牌。"))
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
