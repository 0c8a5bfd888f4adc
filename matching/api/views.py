"""REST API of the matchmaking workflow: inquiries (one action per state change), events and the
caller's notifications. Querysets are the selectors; writes are the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from demands.selectors import demand_get, demand_list_mine
from patents.selectors import patent_get
from portal.errors import ApplicationError
from portal.permissions import actor_for

from .. import permissions as matching_permissions
from .. import selectors
from ..filters import EventFilterSet, InquiryFilterSet, NotificationFilterSet
from ..services import events as event_services
from ..services import inquiries as inquiry_services
from ..services import notifications as notification_services
from .serializers import (
    CountSerializer,
    DemandMatchesSerializer,
    EventOutcomeSerializer,
    EventRegisterSerializer,
    EventRegistrationSerializer,
    EventSerializer,
    EventWriteSerializer,
    InquiryAgreeSerializer,
    InquiryBodySerializer,
    InquiryCreateSerializer,
    InquiryDetailSerializer,
    InquiryNoteSerializer,
    InquirySerializer,
    NotificationSerializer,
)

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description=_('错误：{"detail": "...", "errors": {...}}'))
ERRORS = {400: ERROR, 403: ERROR, 404: ERROR}


def _state_change(summary: str, request_serializer=None):
    return extend_schema(
        summary=summary, request=request_serializer, responses={200: InquiryDetailSerializer, **ERRORS}
    )


# --- Inquiries ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("对接咨询列表（本单位发起或收到的）")),
    retrieve=extend_schema(
        summary=_("对接咨询详情（含沟通记录）"), responses={200: InquiryDetailSerializer, 404: ERROR}
    ),
    create=extend_schema(
        summary=_("发起咨询（中小微企业）"),
        request=InquiryCreateSerializer,
        responses={201: InquiryDetailSerializer, **ERRORS},
    ),
)
class InquiryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Inquiries the caller's organization sent or received (bureau staff: all). Contact details
    are null until the patent owner accepts. Anonymous callers see none."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = InquiryFilterSet
    serializer_class = InquirySerializer

    def get_queryset(self):
        return selectors.inquiry_list(actor=actor_for(self.request.user))

    def get_serializer_class(self):
        if self.action == "list":
            return InquirySerializer
        return InquiryDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request.user)}

    def _output(self, inquiry, status_code=status.HTTP_200_OK):
        fresh = selectors.inquiry_get(actor=actor_for(self.request.user), pk=inquiry.pk)
        return Response(
            InquiryDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._input(InquiryCreateSerializer)
        actor = actor_for(request.user)
        patent = patent_get(actor=actor, application_no=data["patent"])
        demand = None
        if data.get("demand"):
            demand = demand_list_mine(actor=actor).filter(code=data["demand"]).first()
            if demand is None:
                raise ApplicationError(_("本单位没有编号为 %(code)s 的需求。") % {"code": data["demand"]})
        match = selectors.match_get(actor=actor, pk=data["match"]) if data.get("match") else None
        inquiry = inquiry_services.inquiry_create(
            actor=actor_for(request.user),
            patent=patent,
            body=data["body"],
            subject=data.get("subject", ""),
            demand=demand,
            match=match,
        )
        return self._output(inquiry, status.HTTP_201_CREATED)

    @_state_change(_("留言 / 回复（专利权人一方的首次留言即为回复）"), InquiryBodySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        data = self._input(InquiryBodySerializer)
        return self._output(
            inquiry_services.inquiry_reply(
                inquiry=self.get_object(), actor=actor_for(request.user), body=data["body"]
            )
        )

    @_state_change(_("接受咨询，交换双方联系方式（专利权人一方）"), InquiryNoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self._input(InquiryNoteSerializer)
        return self._output(
            inquiry_services.inquiry_accept(
                inquiry=self.get_object(), actor=actor_for(request.user), note=data["note"]
            )
        )

    def _transition(self, to: str, serializer_class=InquiryNoteSerializer):
        data = self._input(serializer_class)
        inquiry = inquiry_services.inquiry_transition(
            inquiry=self.get_object(),
            to=to,
            actor=actor_for(self.request.user),
            note=data["note"],
            deal_reference=data.get("deal_reference", ""),
        )
        return self._output(inquiry)

    @_state_change(_("标记为洽谈中（双方均可）"), InquiryNoteSerializer)
    @action(detail=True, methods=["post"])
    def negotiate(self, request, pk=None):
        return self._transition("negotiating")

    @_state_change(_("达成合作（专利权人一方），可填写成交合同编号"), InquiryAgreeSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        return self._transition("agreed", InquiryAgreeSerializer)

    @_state_change(_("谢绝（专利权人一方）"), InquiryNoteSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._transition("declined")

    @_state_change(_("撤回咨询（咨询企业）"), InquiryNoteSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition("withdrawn")


# --- Notifications ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("我的通知")),
    retrieve=extend_schema(summary=_("通知详情"), responses={200: NotificationSerializer, 404: ERROR}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first (``?unread=true`` for unread ones)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    @extend_schema(summary=_("标为已读"), request=None, responses={200: NotificationSerializer, 404: ERROR})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_services.notification_mark_read(
            notification=self.get_object(), actor=actor_for(request.user)
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary=_("全部标为已读"), request=None, responses={200: CountSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response(
            {"count": notification_services.notification_mark_all_read(actor=actor_for(request.user))}
        )

    @extend_schema(summary=_("未读通知数"), responses={200: CountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": selectors.notification_unread_count(user=request.user)})


# --- Events -------------------------------------------------------------------------------------


class EventPermission(permissions.BasePermission):
    """Anyone reads the calendar; signed-in users register; staff manage (checked again by the
    services)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        if view.action in ("create", "update", "partial_update", "outcome"):
            return matching_permissions.can_manage_events(actor_for(request.user))
        return True


@extend_schema_view(
    list=extend_schema(summary=_("对接活动（路演、供需对接会、培训）")),
    retrieve=extend_schema(summary=_("活动详情"), responses={200: EventSerializer, 404: ERROR}),
    create=extend_schema(
        summary=_("新建活动（知识产权局工作人员）"),
        request=EventWriteSerializer,
        responses={201: EventSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary=_("修改活动"), request=EventWriteSerializer, responses={200: EventSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary=_("修改活动（部分字段）"),
        request=EventWriteSerializer,
        responses={200: EventSerializer, **ERRORS},
    ),
)
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    permission_classes = [EventPermission]

    def get_queryset(self):
        return selectors.event_list_with_references(actor=actor_for(self.request.user))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return EventWriteSerializer
        return EventSerializer

    def _output(self, event, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=event.pk)
        return Response(
            EventSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        serializer = EventWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = event_services.event_create(actor=actor_for(request.user), **serializer.validated_data)
        return self._output(event, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        # DRF's get_object_or_404: a malformed id is a 404, not a 500.
        event = get_object_or_404(selectors.event_list(), pk=kwargs["pk"])
        serializer = EventWriteSerializer(data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        event = event_services.event_update(
            event=event, actor=actor_for(request.user), **serializer.validated_data
        )
        return self._output(event)

    @extend_schema(
        summary=_("报名（本单位；工作人员可代其他单位报名）"),
        request=EventRegisterSerializer,
        responses={201: EventRegistrationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        event = self.get_object()
        organization = self._organization(request)
        registration = event_services.event_register(
            event=event, actor=actor_for(request.user), organization=organization
        )
        return Response(EventRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("取消报名"), request=EventRegisterSerializer, responses={204: None, **ERRORS})
    @action(detail=True, methods=["post"])
    def unregister(self, request, pk=None):
        event = self.get_object()
        event_services.event_unregister(
            event=event, actor=actor_for(request.user), organization=self._organization(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _organization(self, request):
        serializer = EventRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("credit_code")

    @extend_schema(
        summary=_("记录活动成效（签约意向数、成效说明）"),
        request=EventOutcomeSerializer,
        responses={200: EventSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        event = self.get_object()
        serializer = EventOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = event_services.event_record_outcome(
            event=event, actor=actor_for(request.user), **serializer.validated_data
        )
        return self._output(event)


# --- Matches of a demand --------------------------------------------------------------------------


class DemandMatchesView(APIView):
    """The patents recommended for one demand, best first: only matches whose calibrated
    relevance reached the threshold, so there may be few or none. To the demand's SME and bureau
    staff; 404 for others (as for a missing demand). A constant number of queries."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary=_("需求的推荐专利"),
        responses={200: DemandMatchesSerializer, 404: ERROR},
        operation_id="demand_matches",
    )
    def get(self, request, code: str):
        actor = actor_for(request.user)
        demand = demand_get(actor=actor, code=code)
        return Response(
            DemandMatchesSerializer(selectors.match_json_for_demand(actor=actor, demand=demand)).data
        )
