"""The OpenAPI schema documents the API's error answers as they are given.

Every error of the API has one JSON shape (``portal.api.exceptions``): ``{"detail": "...",
"errors": {...}}``. ``PortalAutoSchema`` adds it to each operation for the status codes that
operation can answer, unless the view already declares them:

- 400: input was refused (a body or query parameters failed validation, or a service refused the
  change) — every write, and reads that take query parameters;
- 403: not signed in, a bad token, or not allowed — views that authenticate;
- 404: an object in the path that does not exist or may not be seen, or a page past the end of a
  list (unmatched /api/ paths answer the same JSON 404: ``portal.api.exceptions.not_found``);
- 429: too many requests — throttled views.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="字段 → 错误信息")

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "请求内容或查询参数无效，或操作被拒绝",
    "403": "未登录、令牌无效或无权执行此操作",
    "404": "对象不存在或无权查看，或页码超出范围",
    "429": "请求过于频繁",
}


class PortalAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        view = self.view
        codes = []
        reads = self.method in ("GET", "HEAD")
        has_query = self._is_list_view() or any(
            getattr(p, "location", "query") == "query" for p in self.get_override_parameters()
        )
        if not reads or has_query:
            codes.append("400")
        if view.get_authenticators():
            # Not signed in where it is needed, or a bad token (refused even where anyone may read).
            # Never 401: the first authenticator (the session) sends no WWW-Authenticate, so DRF
            # answers 403 for both.
            codes.append("403")
        paginated = self._is_list_view() and getattr(view, "pagination_class", None) is not None
        if "{" in self.path or paginated:
            codes.append("404")
        if getattr(view, "throttle_scope", None):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
