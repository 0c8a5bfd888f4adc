"""Root URL configuration: each app mounts its own urls and API routes."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.healthz import healthz
from portal.views import favicon

api_patterns = [
    path("", include("portal.api.urls")),
    path("", include("patents.api.urls")),
    path("", include("demands.api.urls")),
    path("", include("matching.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from a URL: no inline script (Content-Security-Policy).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include((api_patterns, "api"))),
    path("patents/", include("patents.urls")),
    path("demands/", include("demands.urls")),
    path("matching/", include("matching.urls")),
    path("finance/", include("finance.urls")),
    path("reports/", include("reports.urls")),
    path("workbench/", include("reports.workbench_urls")),
    path("", include("portal.urls_site")),
]

# Unmatched /api/ paths answer in the API's JSON error shape (documented in the schema).
handler404 = "portal.api.exceptions.not_found"

admin.site.site_header = settings.PORTAL_SITE_NAME
admin.site.site_title = settings.PORTAL_SITE_NAME
