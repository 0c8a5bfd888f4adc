"""The portal's middleware.

- ``PortalLocaleMiddleware``: the portal speaks Chinese unless the user picks English with the
  language switch: a city portal's pages should not change language with the browser's
  Accept-Language header.
- ``RequestContextMiddleware``: a request id, and the request's context in every log record.
- ``DatabaseUnavailableMiddleware``: a friendly 503 instead of a traceback while PostgreSQL is down.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation

from portal.logging import request_context_reset, request_context_set


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# --- Request context for logs -------------------------------------------------------------------

request_logger = logging.getLogger("portal.request")
database_logger = logging.getLogger("portal.database")

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the reverse proxy is kept when it looks like one (no log injection).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class RequestContextMiddleware:
    """Gives each request an id (the proxy's ``X-Request-ID`` or a new one), returns it in the
    response header, makes it and the path and user part of every log record of the request
    (``portal.logging.ContextFilter``) and logs one ``portal.request`` line per request with the
    status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_context_set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={"status": response.status_code, "duration_ms": duration_ms},
            )
        finally:
            request_context_reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


# --- Database outages ---------------------------------------------------------------------------

DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_reachable() -> bool:
    """Whether the default database answers now (a fresh connection if the old one broke)."""
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _wants_json(request) -> bool:
    return request.path_info.startswith("/api/") or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


def database_unavailable_response(request):
    """503 with ``Retry-After``: JSON ``{"detail": ...}`` for the API, else a page that needs
    neither the database nor a request context (templates/503.html)."""
    message = "服务暂时不可用：数据库连接中断，请稍后重试。"
    request_id = getattr(request, "request_id", "")
    if _wants_json(request):
        response = JsonResponse({"detail": message, "request_id": request_id}, status=503)
    else:
        html = loader.get_template("503.html").render(
            {"site_name": settings.PORTAL_SITE_NAME, "request_id": request_id}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is unreachable, answer 503 (a friendly page, or JSON under /api/) instead
    of a 500 with a traceback; the next request after the database is back works again, with no
    restart (Django opens a new connection: CONN_HEALTH_CHECKS drops the broken one).

    Two paths, because Django turns an exception into a 500 response at every middleware layer:
    ``process_exception`` handles connection errors raised by a view or while rendering its
    template (including the lazy session and user loads that happen there); and a 500 produced
    anywhere else below this middleware (e.g. the session middleware saving the session) is
    replaced by the 503 when the database turns out not to answer. Keep it near the top of
    MIDDLEWARE, above the session and authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and not database_reachable():
            database_logger.error("database unreachable: %s %s answered 503", request.method, request.path)
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN_ERRORS):
            return None
        database_logger.error("database error, answering 503: %s", exception, exc_info=exception)
        return database_unavailable_response(request)
