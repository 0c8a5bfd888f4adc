from rest_framework.routers import SimpleRouter

from .views import EventViewSet, InquiryViewSet, NotificationViewSet

router = SimpleRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
router.register("events", EventViewSet, basename="event")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
