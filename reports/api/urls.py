"""Report API under /api/reports/; URL names api:reports-kpi, -kpi-trend, -kpi-districts,
-funnel, -ranking."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/kpi/", views.KpiReportView.as_view(), name="reports-kpi"),
    path("reports/kpi/trend/", views.KpiTrendView.as_view(), name="reports-kpi-trend"),
    path("reports/kpi/districts/", views.KpiDistrictsView.as_view(), name="reports-kpi-districts"),
    path("reports/funnel/", views.FunnelView.as_view(), name="reports-funnel"),
    path("reports/ranking/", views.RankingView.as_view(), name="reports-ranking"),
]
