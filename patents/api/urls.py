from rest_framework.routers import SimpleRouter

from .views import IpcEntryViewSet, NavigationProjectViewSet, PatentViewSet, SupplyBulletinViewSet

router = SimpleRouter()
router.register("patents", PatentViewSet, basename="patent")
router.register("navigation-projects", NavigationProjectViewSet, basename="navigation-project")
router.register("supply-bulletins", SupplyBulletinViewSet, basename="supply-bulletin")
router.register("ipc", IpcEntryViewSet, basename="ipc")

urlpatterns = router.urls
