"""Finance pages: finance:home, finance:<record>-list/-detail/-create/-update/-delete for the records
deal, pledge, insurance, subsidy and filing, and the deal actions register, terminate and payments."""

from django.urls import path

from . import views

app_name = "finance"

PATHS = {
    "deal": "deals",
    "pledge": "pledges",
    "insurance": "insurance",
    "subsidy": "subsidies",
    "filing": "filings",
}

urlpatterns = [path("", views.home, name="home")]
for key, record in views.RECORDS.items():
    prefix = PATHS[key]
    urlpatterns += [
        path(f"{prefix}/", views.list_view(record), name=f"{key}-list"),
        path(f"{prefix}/new/", views.create_view(record), name=f"{key}-create"),
        path(f"{prefix}/<int:pk>/", views.detail_view(record), name=f"{key}-detail"),
        path(f"{prefix}/<int:pk>/edit/", views.update_view(record), name=f"{key}-update"),
        path(f"{prefix}/<int:pk>/delete/", views.delete_view(record), name=f"{key}-delete"),
    ]
urlpatterns += [
    path("deals/<int:pk>/register/", views.deal_register, name="deal-register"),
    path("deals/<int:pk>/terminate/", views.deal_terminate, name="deal-terminate"),
    path("deals/<int:pk>/payments/new/", views.payment_create, name="payment-create"),
    path("payments/<int:pk>/delete/", views.payment_delete, name="payment-delete"),
]
