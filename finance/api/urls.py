"""Finance API under /api/finance/: deals (with register and terminate), payments, pledges,
insurance-policies, subsidies, product-filings; URL names api:finance-<record>-list/-detail."""

from rest_framework.routers import SimpleRouter

from . import market, views

router = SimpleRouter()
router.register("finance/deals", views.DealViewSet, basename="finance-deal")
router.register("finance/payments", views.PaymentViewSet, basename="finance-payment")
router.register("finance/pledges", views.PledgeViewSet, basename="finance-pledge")
router.register(
    "finance/insurance-policies", views.InsurancePolicyViewSet, basename="finance-insurance-policy"
)
router.register("finance/subsidies", views.SubsidyViewSet, basename="finance-subsidy")
router.register("finance/product-filings", views.ProductFilingViewSet, basename="finance-product-filing")

urlpatterns = router.urls + market.urlpatterns  # market: price guidance (issue 16)
