"""REST API of patents: reads through the selectors (published only for the public), writes
through the services by the owner's members, its agencies and bureau staff."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions as drf_permissions
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.models import Organization
from portal.permissions import actor_for

from .. import permissions, selectors, services
from ..filters import PatentFilterSet
from ..models import IpcEntry, NavigationProject, Patent
from .serializers import (
    IpcEntrySerializer,
    NavigationProjectSerializer,
    PatentSerializer,
    PatentWriteSerializer,
    ReviewNoteSerializer,
    SupplyBulletinSerializer,
)

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description=_('错误：{"detail": "...", "errors": {...}}'))
APPLICATION_NO = OpenApiParameter(
    "application_no", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("申请号，如 202110123456.X")
)


class PatentPermission(drf_permissions.BasePermission):
    """Reads for everyone (the selector narrows them); writes need a signed-in user whose rights
    the services check per patent."""

    def has_permission(self, request, view):
        return request.method in drf_permissions.SAFE_METHODS or request.user.is_authenticated


def _state_change(summary: str, request_serializer=None):
    return extend_schema(
        summary=summary,
        parameters=[APPLICATION_NO],
        request=request_serializer,
        responses={200: PatentSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )


@extend_schema_view(
    list=extend_schema(summary=_("专利列表（公众仅见已发布挂牌；与浏览页相同的筛选参数）")),
    retrieve=extend_schema(
        summary=_("专利详情"), parameters=[APPLICATION_NO], responses={200: PatentSerializer, 404: ERROR}
    ),
    create=extend_schema(
        summary=_("登记专利（草稿）"),
        request=PatentWriteSerializer,
        responses={201: PatentSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
    ),
    update=extend_schema(
        summary=_("修改专利"),
        parameters=[APPLICATION_NO],
        request=PatentWriteSerializer,
        responses={200: PatentSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=extend_schema(
        summary=_("修改专利（部分字段）"),
        parameters=[APPLICATION_NO],
        request=PatentWriteSerializer,
        responses={200: PatentSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    ),
    destroy=extend_schema(
        summary=_("删除从未发布的专利"),
        parameters=[APPLICATION_NO],
        responses={204: None, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class PatentViewSet(viewsets.ModelViewSet):
    serializer_class = PatentSerializer
    filterset_class = PatentFilterSet
    permission_classes = [PatentPermission]
    lookup_field = "application_no"
    lookup_value_regex = r"\d{8}(?:\d{4})?\.[\dXx]"  # as patents.urls.ApplicationNoConverter

    def get_queryset(self) -> QuerySet:
        return selectors.patent_list(actor=actor_for(self.request.user))

    def get_object(self) -> Patent:
        return selectors.patent_get(
            actor=actor_for(self.request.user), application_no=self.kwargs[self.lookup_field]
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return PatentWriteSerializer
        if self.action == "reject":
            return ReviewNoteSerializer
        return PatentSerializer

    def _output(self, patent: Patent, status_code=status.HTTP_200_OK) -> Response:
        fresh = selectors.patent_get(actor=actor_for(self.request.user), pk=patent.pk)
        return Response(
            PatentSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        actor = actor_for(request.user)
        serializer = PatentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = data.get("owner")
        if owner is None:
            owners = Organization.objects.filter(pk__in=permissions.managed_owner_ids(actor))
            if owners.count() != 1:
                raise ValidationError({"owner": [_("请指定权利人统一社会信用代码。")]})
            owner = owners.get()
        if not permissions.can_create_for(actor, owner):
            raise PermissionDenied(_("无权为该单位登记专利。"))
        for name in ("application_no", "title"):
            if not data.get(name):
                raise ValidationError({name: [_("该字段是必填项。")]})
        patent = services.patent_create(
            actor=actor,
            owner=owner,
            application_no=data["application_no"],
            **serializer.to_service_fields(),
        )
        return self._output(patent, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        patent = self.get_object()
        serializer = PatentWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if "application_no" in serializer.validated_data or "owner" in serializer.validated_data:
            raise ValidationError({"detail": _("申请号和权利人不能修改（权属变更请办理转让登记）。")})
        fields = serializer.to_service_fields()
        if not partial and "title" not in fields:
            raise ValidationError({"title": [_("该字段是必填项。")]})
        patent = services.patent_update(patent=patent, actor=actor_for(request.user), **fields)
        return self._output(patent)

    def destroy(self, request, *args, **kwargs):
        services.patent_delete(patent=self.get_object(), actor=actor_for(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @_state_change(_("提交挂牌（审核人或可直接发布的单位提交即发布）"))
    @action(detail=True, methods=["post"])
    def submit(self, request, application_no=None):
        return self._output(services.patent_submit(patent=self.get_object(), actor=actor_for(request.user)))

    @_state_change(_("审核通过并发布"))
    @action(detail=True, methods=["post"])
    def publish(self, request, application_no=None):
        return self._output(services.patent_publish(patent=self.get_object(), actor=actor_for(request.user)))

    @_state_change(_("退回修改"), ReviewNoteSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, application_no=None):
        serializer = ReviewNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patent = services.patent_reject(
            patent=self.get_object(),
            actor=actor_for(request.user),
            note=serializer.validated_data.get("note", ""),
        )
        return self._output(patent)

    @_state_change(_("撤回挂牌"))
    @action(detail=True, methods=["post"])
    def withdraw(self, request, application_no=None):
        return self._output(services.patent_withdraw(patent=self.get_object(), actor=actor_for(request.user)))

    @_state_change(_("续期 12 个月"))
    @action(detail=True, methods=["post"])
    def renew(self, request, application_no=None):
        return self._output(services.patent_renew(patent=self.get_object(), actor=actor_for(request.user)))


class NavigationPermission(drf_permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return request.user.is_authenticated and permissions.can_manage_navigation(actor_for(request.user))


@extend_schema_view(
    list=extend_schema(summary=_("专利导航项目列表")),
    retrieve=extend_schema(
        summary=_("专利导航项目"), responses={200: NavigationProjectSerializer, 404: ERROR}
    ),
    create=extend_schema(
        summary=_("新建导航项目（知识产权局）"),
        responses={201: NavigationProjectSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
    ),
    update=extend_schema(
        summary=_("修改导航项目"),
        responses={200: NavigationProjectSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=extend_schema(
        summary=_("修改导航项目（部分字段）"),
        responses={200: NavigationProjectSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    ),
    destroy=extend_schema(
        summary=_("删除导航项目"), responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR}
    ),
)
class NavigationProjectViewSet(viewsets.ModelViewSet):
    serializer_class = NavigationProjectSerializer
    permission_classes = [NavigationPermission]
    filterset_fields = ["kind", "status", "year_started"]

    def get_queryset(self):
        return selectors.navigation_project_list()

    def perform_create(self, serializer):
        serializer.instance = services.navigation_project_create(
            actor=actor_for(self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.navigation_project_update(
            project=serializer.instance, actor=actor_for(self.request.user), **serializer.validated_data
        )

    def perform_destroy(self, instance: NavigationProject):
        services.navigation_project_delete(project=instance, actor=actor_for(self.request.user))


@extend_schema_view(
    list=extend_schema(summary=_("专利供给信息公告（按月）")),
    retrieve=extend_schema(
        summary=_("某月公告"),
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM")
        ],
        responses={200: SupplyBulletinSerializer, 404: ERROR},
    ),
)
class SupplyBulletinViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SupplyBulletinSerializer
    lookup_field = "month"
    lookup_value_regex = r"\d{4}-\d{2}"

    def get_queryset(self):
        return selectors.supply_bulletin_list().prefetch_related("patents")

    def get_object(self):
        year, month = (int(part) for part in self.kwargs["month"].split("-"))
        return selectors.supply_bulletin_get(year=year, month=month)


@extend_schema_view(
    list=extend_schema(
        summary=_("IPC 分类名称（部、大类、小类、大组）"),
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=IpcEntry.Level.values),
            OpenApiParameter("prefix", OpenApiTypes.STR, description=_("分类号前缀，如 H01")),
        ],
    ),
    retrieve=extend_schema(summary=_("一个 IPC 分类"), responses={200: IpcEntrySerializer, 404: ERROR}),
)
class IpcEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IpcEntrySerializer
    lookup_value_regex = r"[A-Ha-h][0-9A-Za-z]{0,3}"  # main groups ("H01M 10/00") via ?prefix=

    def get_queryset(self):
        queryset = IpcEntry.objects.order_by("code")
        level = self.request.query_params.get("level")
        if level in IpcEntry.Level.values:
            queryset = queryset.filter(level=level)
        prefix = (self.request.query_params.get("prefix") or "").strip().upper()
        if prefix:
            queryset = queryset.filter(code__startswith=prefix)
        return queryset
