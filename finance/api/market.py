"""API of the market features: price guidance for a listing (``api:price-guidance``)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from patents.selectors import patent_get
from portal.permissions import actor_for

from ..permissions import can_see_price_guidance
from ..pricing import price_guidance_for_patent


class SeesPriceGuidance(BasePermission):
    """The organizations on the platform and staff, as on the patent page (finance.permissions)."""

    def has_permission(self, request, view):
        return can_see_price_guidance(actor_for(request.user))


GuidanceSerializer = inline_serializer(
    many=True,
    name="PriceGuidance",
    fields={
        "kind": serializers.CharField(),
        "enough": serializers.BooleanField(),
        "basis": serializers.CharField(required=False),
        "comparable": serializers.CharField(required=False),
        "count": serializers.IntegerField(required=False),
        "low_wan": serializers.CharField(required=False),
        "high_wan": serializers.CharField(required=False),
        "first_year": serializers.IntegerField(required=False),
        "last_year": serializers.IntegerField(required=False),
    },
)


@extend_schema(
    summary="Price guidance from comparable recorded deals",
    description="Bands (万元, interquartile range widened to coarse bands) per deal kind the "
    "listing offers; `enough` is false below 5 comparable deals. Never parties or exact amounts.",
    responses=GuidanceSerializer,
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, SeesPriceGuidance])
def price_guidance(request, application_no: str):
    patent = patent_get(actor=actor_for(request.user), application_no=application_no)
    return Response([item.as_dict() for item in price_guidance_for_patent(patent=patent)])


urlpatterns = [
    path(
        "finance/price-guidance/<str:application_no>/",
        price_guidance,
        name="price-guidance",
    ),
]
