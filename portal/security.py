"""Security middleware of the portal: the Content Security Policy, and a cap on request bodies.

Content Security Policy, enforced in every mode (Django 5.2 has none built in).

The policy (``PORTAL_CONTENT_SECURITY_POLICY`` in portal/settings/base.py) allows scripts, styles, fonts and
fetches from the portal's own origin only: no inline ``<script>``, no ``style="..."`` attributes,
no ``eval``. The vendored front end satisfies it: Bootstrap and ECharts set styles through the
CSSOM (allowed), htmx is told not to inject its indicator ``<style>`` nor to evaluate expressions
(``<meta name="htmx-config">`` in base.html), and the portal's own behaviour lives in
``static/js``. Bootstrap's icons in form controls are ``data:`` SVG images.

Django's technical 404/500 pages (DEBUG only) carry inline styles and scripts; they are left
without the header so that a developer can still read them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

HEADER = "Content-Security-Policy"


def policy_header(policy: dict[str, list[str]]) -> str:
    """The header value of a policy given as {directive: [sources]}."""
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header to every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy_header(settings.PORTAL_CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER in response:
            return response
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's technical pages: inline styles and scripts
        response[HEADER] = self.header
        return response


class RequestSizeLimitMiddleware:
    """Refuses (413) a request whose declared body is larger than it may be, before anything
    reads it: a multipart upload may carry ``PORTAL_UPLOAD_MAX_BYTES`` for the file plus
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for the other fields; any other body (a form, JSON for the
    API) ``REQUEST_BODY_MAX_BYTES``. The second limit matters because DRF's parsers read the
    request stream directly, past Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check: a 9 MB JSON
    demand was accepted. A file a little over the limit still reaches the upload form, which
    names the limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            limit = settings.PORTAL_UPLOAD_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
            if length > limit:
                message = _("上传内容过大：文件最大 %(max)d MB。") % {
                    "max": settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)
                }
                return self._refuse(request, message)
        elif length > settings.REQUEST_BODY_MAX_BYTES:
            message = _("请求内容过大：最大 %(max)d KB。") % {"max": settings.REQUEST_BODY_MAX_BYTES // 1024}
            return self._refuse(request, message)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, message: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class NullCharacterMiddleware:
    """Refuses (400) a URL or query string carrying a NUL character. PostgreSQL cannot store or
    compare text containing NUL, so ``?prefix=%00`` reached the database as a 500; no real
    parameter contains one. Form and JSON fields are refused by their own validators."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query.lower() or "\x00" in query:
            message = _("请求含有空字符（NUL），已拒绝。")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address for the login lockout and the rate limits.

    With ``PORTAL_TRUSTED_PROXIES`` = 0 (the default: gunicorn faces the clients) it is the
    connection's address. Behind N reverse proxies it is the address the outermost trusted proxy
    saw: the N-th entry of X-Forwarded-For counted from the right. Entries further left are
    written by the client and could name anyone, so they are never used; without this, every
    request behind a proxy had the proxy's address, and one attacker's failures locked a user
    out for everybody (the lockout is keyed on user name and address)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return hops[-proxies] if len(hops) >= proxies else (hops[0] if hops else remote)
