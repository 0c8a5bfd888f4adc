"""Report pages: reports:dashboard, drilldown, ranking, award-export, kpi-export, annual-list and
annual-/plan-report- detail/status/approve/regenerate/download, plan-report-request, statistics, conversion, conversion-deals."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("drilldown/<str:key>/", views.drilldown, name="drilldown"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/award.<str:file_format>", views.award_export, name="award-export"),
    path("export/", views.kpi_export, name="kpi-export"),
    path("annual/", views.annual_report_list, name="annual-list"),
    path("annual/<int:pk>/", views.annual_report_detail, name="annual-detail"),
    path("annual/<int:pk>/status/", views.annual_report_status, name="annual-status"),
    path("annual/<int:pk>/approve/", views.annual_report_approve, name="annual-approve"),
    path("annual/<int:pk>/regenerate/", views.annual_report_regenerate, name="annual-regenerate"),
    path(
        "annual/<int:pk>/download/<str:file_format>/",
        views.annual_report_download,
        name="annual-download",
    ),
    path("plan/", views.plan_report_request, name="plan-report-request"),
    path("plan/<int:pk>/", views.plan_report_detail, name="plan-report-detail"),
    path("plan/<int:pk>/status/", views.plan_report_status, name="plan-report-status"),
    path("plan/<int:pk>/approve/", views.plan_report_approve, name="plan-report-approve"),
    path("plan/<int:pk>/regenerate/", views.plan_report_regenerate, name="plan-report-regenerate"),
    path(
        "plan/<int:pk>/download/<str:file_format>/",
        views.plan_report_download,
        name="plan-report-download",
    ),
    path("statistics/", views.statistics, name="statistics"),
    path("conversion/", views.conversion_overview, name="conversion"),
    path("conversion/deals/", views.conversion_deals, name="conversion-deals"),
]
