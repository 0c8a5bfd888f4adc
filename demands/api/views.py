"""REST API of demands: reads per visibility, writes by the owning SME through the services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.permissions import actor_for

from .. import services
from ..filters import DemandFilterSet
from ..permissions import can_close, can_create, can_edit
from ..selectors import demand_get, demand_list
from .serializers import DemandRenewSerializer, DemandSerializer, DemandWriteSerializer

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description=_('错误：{"detail": "...", "errors": {...}}'))


class DemandPermission(permissions.BasePermission):
    """Anyone reads what the selector shows; SMEs create; only the owner edits (bureau may close)."""

    message = _("您无权执行此操作。")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        if view.action == "create":
            return can_create(actor_for(request.user))
        return True

    def has_object_permission(self, request, view, demand):
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "close":
            return can_close(actor_for(request.user), demand)
        return can_edit(actor_for(request.user), demand)


@extend_schema_view(
    list=extend_schema(summary=_("技术需求列表（按可见范围）")),
    retrieve=extend_schema(summary=_("技术需求详情"), responses={200: DemandSerializer, 404: ERROR}),
    create=extend_schema(
        summary=_("发布技术需求（中小微企业）"),
        request=DemandWriteSerializer,
        responses={201: DemandSerializer, 400: ERROR, 403: ERROR},
    ),
    update=extend_schema(
        summary=_("修改技术需求"),
        request=DemandWriteSerializer,
        responses={200: DemandSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    partial_update=extend_schema(
        summary=_("修改技术需求（部分字段）"),
        request=DemandWriteSerializer,
        responses={200: DemandSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
    destroy=extend_schema(summary=_("删除草稿"), responses={204: None, 400: ERROR, 403: ERROR, 404: ERROR}),
)
class DemandViewSet(viewsets.ModelViewSet):
    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet
    permission_classes = [DemandPermission]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]+"

    def get_queryset(self):
        return demand_list(actor=actor_for(self.request.user))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return DemandWriteSerializer
        if self.action == "renew":
            return DemandRenewSerializer
        return DemandSerializer

    def _output(self, demand, status_code=status.HTTP_200_OK):
        fresh = demand_get(actor=actor_for(self.request.user), code=demand.code)
        return Response(
            DemandSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        serializer = DemandWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = services.demand_create(actor=actor_for(request.user), **serializer.validated_data)
        return self._output(demand, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        demand = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = DemandWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("publish", None)
        demand = services.demand_update(demand=demand, actor=actor_for(request.user), **changes)
        return self._output(demand)

    def destroy(self, request, *args, **kwargs):
        services.demand_delete(demand=self.get_object(), actor=actor_for(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("发布草稿"),
        request=None,
        responses={200: DemandSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, code=None):
        return self._output(services.demand_publish(demand=self.get_object(), actor=actor_for(request.user)))

    @extend_schema(
        summary=_("关闭需求"),
        request=None,
        responses={200: DemandSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, code=None):
        return self._output(services.demand_close(demand=self.get_object(), actor=actor_for(request.user)))

    @extend_schema(
        summary=_("续期"),
        request=DemandRenewSerializer,
        responses={200: DemandSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, code=None):
        demand = self.get_object()
        serializer = DemandRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = services.demand_renew(
            demand=demand, actor=actor_for(request.user), deadline=serializer.validated_data.get("deadline")
        )
        return self._output(demand)
