"""Finance pages: finance:home, finance:<record>-list/-detail/-create/-update/-delete for the records
deal, pledge, insurance, subsidy and filing, the deal actions register, terminate and payments; contracts
drafted from inquiries, taking an open licence, and the follow-ups after a deal."""

from django.urls import path

from . import conversion_views, views

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
urlpatterns += [
    path("contracts/new/<int:pk>/", conversion_views.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", conversion_views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", conversion_views.contract_edit, name="contract-edit"),
    path("contracts/<int:pk>/confirm/", conversion_views.contract_confirm, name="contract-confirm"),
    path(
        "contracts/<int:pk>/signed/", conversion_views.contract_record_signed, name="contract-record-signed"
    ),
    path(
        "contracts/<int:pk>/download.<str:file_format>",
        conversion_views.contract_download,
        name="contract-download",
    ),
    path("open-licenses/<int:pk>/take/", conversion_views.open_license_take, name="open-license-take"),
    path("follow-ups/", conversion_views.follow_up_list, name="follow-up-list"),
    path("follow-ups/<int:pk>/", conversion_views.follow_up_detail, name="follow-up-detail"),
]
