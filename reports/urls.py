"""Report pages: reports:dashboard, drilldown, ranking, kpi-export, annual-list/-detail/-approve/
-regenerate/-download, statistics."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("drilldown/<str:key>/", views.drilldown, name="drilldown"),
    path("ranking/", views.ranking, name="ranking"),
    path("export/", views.kpi_export, name="kpi-export"),
    path("annual/", views.annual_report_list, name="annual-list"),
    path("annual/<int:pk>/", views.annual_report_detail, name="annual-detail"),
    path("annual/<int:pk>/approve/", views.annual_report_approve, name="annual-approve"),
    path("annual/<int:pk>/regenerate/", views.annual_report_regenerate, name="annual-regenerate"),
    path("annual/<int:pk>/download/<str:file_format>/", views.annual_report_download, name="annual-download"),
    path("statistics/", views.statistics, name="statistics"),
]
