from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DemandMatchesView, EventViewSet, InquiryViewSet, NotificationViewSet

router = SimpleRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
router.register("events", EventViewSet, basename="event")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("demands/<slug:code>/matches/", DemandMatchesView.as_view(), name="demand-matches"),
    *router.urls,
]
