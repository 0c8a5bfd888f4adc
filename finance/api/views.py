"""REST API of finance records: one ModelViewSet per record, reading through the selectors (so
everyone sees exactly what the pages show them) with the same FilterSets as the list pages
(kind, year, district, organization, q), and writing through the services: bureau staff write,
district officers within their district, banks their own pledges."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.permissions import actor_for

from .. import filters, permissions, selectors, services
from . import serializers as s

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='错误：{"detail": "...", "errors": {...}}')


def _crud_schema(label: str, read, write):
    return extend_schema_view(
        list=extend_schema(summary=f"{label}列表"),
        retrieve=extend_schema(summary=f"{label}详情", responses={200: read, 401: ERROR, 404: ERROR}),
        create=extend_schema(
            summary=f"登记{label}", request=write, responses={201: read, 400: ERROR, 401: ERROR, 403: ERROR}
        ),
        update=extend_schema(
            summary=f"修改{label}",
            request=write,
            responses={200: read, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        ),
        partial_update=extend_schema(
            summary=f"修改{label}（部分字段）",
            request=write,
            responses={200: read, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        ),
        destroy=extend_schema(
            summary=f"删除{label}", responses={204: None, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR}
        ),
    )


class FinanceViewSet(viewsets.ModelViewSet):
    """Reads scoped by the selector; writes through one service each, which check permissions."""

    permission_classes = [IsAuthenticated]
    write_serializer_class: type
    list_selector = None
    create_service = None
    update_service = None
    delete_service = None
    instance_arg = ""

    def get_queryset(self):
        return type(self).list_selector(actor=actor_for(self.request.user))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return self.serializer_class

    def _output(self, obj, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def _input(self, *, partial: bool = False) -> dict:
        serializer = self.write_serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _writable(self, obj):
        if not permissions.can_write(actor_for(self.request.user), obj):
            raise PermissionDenied(_("您无权修改该记录。"))
        return obj

    def create(self, request, *args, **kwargs):
        actor = actor_for(request.user)
        if not permissions.can_create(actor, self.serializer_class.Meta.model):
            raise PermissionDenied(_("您无权登记此类记录。"))
        obj = type(self).create_service(actor=actor, **self._input())
        return self._output(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self._writable(self.get_object())
        data = self._input(partial=kwargs.pop("partial", False))
        obj = type(self).update_service(actor=actor_for(request.user), **{self.instance_arg: obj}, **data)
        return self._output(obj)

    def destroy(self, request, *args, **kwargs):
        obj = self._writable(self.get_object())
        type(self).delete_service(actor=actor_for(request.user), **{self.instance_arg: obj})
        return Response(status=status.HTTP_204_NO_CONTENT)


@_crud_schema("交易", s.DealSerializer, s.DealWriteSerializer)
class DealViewSet(FinanceViewSet):
    serializer_class = s.DealSerializer
    write_serializer_class = s.DealWriteSerializer
    filterset_class = filters.DealFilterSet
    list_selector = selectors.deal_list
    create_service = services.deal_create
    update_service = services.deal_update
    delete_service = services.deal_delete
    instance_arg = "deal"

    @extend_schema(
        summary="登记合同（转让、作价入股的专利权人随之变更）",
        request=s.RegisterSerializer,
        responses={200: s.DealSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        deal = self._writable(self.get_object())
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_register(deal=deal, actor=actor_for(request.user), **serializer.validated_data)
        return self._output(deal)

    @extend_schema(
        summary="终止合同",
        request=s.TerminateSerializer,
        responses={200: s.DealSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        deal = self._writable(self.get_object())
        serializer = s.TerminateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        deal = services.deal_terminate(
            deal=deal,
            actor=actor_for(request.user),
            terminated_on=data["terminated_on"],
            reason=data["reason"],
        )
        return self._output(deal)


@_crud_schema("到账款项", s.PaymentSerializer, s.PaymentWriteSerializer)
class PaymentViewSet(FinanceViewSet):
    serializer_class = s.PaymentSerializer
    write_serializer_class = s.PaymentWriteSerializer
    filterset_class = filters.PaymentFilterSet
    list_selector = selectors.payment_list
    update_service = services.payment_update
    delete_service = services.payment_delete
    instance_arg = "payment"

    def create(self, request, *args, **kwargs):
        actor = actor_for(request.user)
        data = self._input()
        deal = data.pop("deal")
        if not selectors.deal_list(actor=actor).filter(pk=deal.pk).exists():
            raise ValidationError({"deal": [_("交易不存在。")]})
        payment = services.payment_create(deal=deal, actor=actor, **data)
        return self._output(payment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        payment = self._writable(self.get_object())
        data = self._input(partial=kwargs.pop("partial", False))
        deal = data.pop("deal", None)
        if deal is not None and deal.pk != payment.deal_id:
            raise ValidationError({"deal": [_("到账款项不能转到其他交易。")]})
        payment = services.payment_update(payment=payment, actor=actor_for(request.user), **data)
        return self._output(payment)


@_crud_schema("质押融资", s.PledgeSerializer, s.PledgeWriteSerializer)
class PledgeViewSet(FinanceViewSet):
    serializer_class = s.PledgeSerializer
    write_serializer_class = s.PledgeWriteSerializer
    filterset_class = filters.PledgeFilterSet
    list_selector = selectors.pledge_list
    create_service = services.pledge_create
    update_service = services.pledge_update
    delete_service = services.pledge_delete
    instance_arg = "pledge"


@_crud_schema("专利保险", s.InsurancePolicySerializer, s.InsurancePolicyWriteSerializer)
class InsurancePolicyViewSet(FinanceViewSet):
    serializer_class = s.InsurancePolicySerializer
    write_serializer_class = s.InsurancePolicyWriteSerializer
    filterset_class = filters.InsurancePolicyFilterSet
    list_selector = selectors.insurance_policy_list
    create_service = services.insurance_policy_create
    update_service = services.insurance_policy_update
    delete_service = services.insurance_policy_delete
    instance_arg = "policy"


@_crud_schema("专利资助", s.SubsidySerializer, s.SubsidyWriteSerializer)
class SubsidyViewSet(FinanceViewSet):
    serializer_class = s.SubsidySerializer
    write_serializer_class = s.SubsidyWriteSerializer
    filterset_class = filters.SubsidyFilterSet
    list_selector = selectors.subsidy_list
    create_service = services.subsidy_create
    update_service = services.subsidy_update
    delete_service = services.subsidy_delete
    instance_arg = "subsidy"


@_crud_schema("专利产品备案", s.ProductFilingSerializer, s.ProductFilingWriteSerializer)
class ProductFilingViewSet(FinanceViewSet):
    serializer_class = s.ProductFilingSerializer
    write_serializer_class = s.ProductFilingWriteSerializer
    filterset_class = filters.ProductFilingFilterSet
    list_selector = selectors.product_filing_list
    create_service = services.product_filing_create
    update_service = services.product_filing_update
    delete_service = services.product_filing_delete
    instance_arg = "filing"
