"""The report endpoints under /api/reports/: the KPI report (the same JSON as ``manage.py
kpi_report``), the trend, the district comparison and ranking, and the funnel. The dashboard's
charts draw from them. Bureau staff only; a district officer gets their own district."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import actor_for
from reports import kpi
from reports.permissions import can_view_city_reports, can_view_reports, scoped_district
from reports.ranking import district_ranking
from reports.years import default_report_year

from . import serializers

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description=_('错误：{"detail": "...", "errors": {...}}'))


class IsReportViewer(drf_permissions.BasePermission):
    """City bureau staff, district officers and superusers."""

    message = _("统计报表仅对市、旗区知识产权管理部门工作人员开放。")

    def has_permission(self, request, view):
        return can_view_reports(actor_for(request.user))


class IsCityStaff(IsReportViewer):
    """City-level staff: the views that compare districts."""

    message = _("旗区对比和绩效排名仅对市级工作人员开放。")

    def has_permission(self, request, view):
        return can_view_city_reports(actor_for(request.user))


class ReportView(APIView):
    permission_classes = [IsReportViewer]
    query_serializer = serializers.KpiQuerySerializer

    def params(self, request) -> tuple[int, str | None]:
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Like the dashboards: without a year, the latest year that has records (the current
        # year has none until the first record of January is entered).
        year = query.validated_data.get("year") or default_report_year()
        try:
            district = scoped_district(actor_for(request.user), query.validated_data.get("district"))
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return year, district


class KpiReportView(ReportView):
    @extend_schema(
        summary=_("年度绩效指标（与 manage.py kpi_report --format json 相同）"),
        parameters=[serializers.KpiQuerySerializer],
        responses={200: serializers.KpiReportSerializer, 400: ERROR, 403: ERROR},
    )
    def get(self, request):
        year, district = self.params(request)
        return Response(kpi.kpi_report(year=year, district=district))


class KpiTrendView(ReportView):
    @extend_schema(
        summary=_("各指标 2021 年至该年度的逐年数值（最多最近 15 年）"),
        parameters=[serializers.KpiQuerySerializer],
        responses={200: serializers.TrendSerializer, 400: ERROR, 403: ERROR},
    )
    def get(self, request):
        year, district = self.params(request)
        return Response(kpi.kpi_trend(year=year, district=district))


class FunnelView(ReportView):
    @extend_schema(
        summary=_("转化漏斗：技术需求 → 匹配 → 咨询 → 交易"),
        parameters=[serializers.KpiQuerySerializer],
        responses={200: serializers.FunnelSerializer, 400: ERROR, 403: ERROR},
    )
    def get(self, request):
        year, district = self.params(request)
        return Response(kpi.kpi_funnel(year=year, district=district))


class KpiDistrictsView(ReportView):
    permission_classes = [IsCityStaff]
    query_serializer = serializers.YearQuerySerializer

    @extend_schema(
        summary=_("各旗区年度绩效指标（市级工作人员）"),
        parameters=[serializers.YearQuerySerializer],
        responses={200: serializers.DistrictsReportSerializer, 400: ERROR, 403: ERROR},
    )
    def get(self, request):
        year, _district = self.params(request)
        return Response({"year": year, "districts": kpi.kpi_districts(year=year)})


class RankingView(ReportView):
    permission_classes = [IsCityStaff]
    query_serializer = serializers.YearQuerySerializer

    @extend_schema(
        summary=_("旗区绩效排名（市级工作人员）"),
        parameters=[serializers.YearQuerySerializer],
        responses={200: serializers.RankingSerializer, 400: ERROR, 403: ERROR},
    )
    def get(self, request):
        year, _district = self.params(request)
        return Response(district_ranking(year=year))
