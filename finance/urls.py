"""Finance pages: finance:home, finance:<record>-list/-detail/-create/-update/-delete for the records
deal, pledge, insurance, subsidy and filing, the deal actions register, terminate and payments; contracts
drafted from inquiries, taking an open licence, and the follow-ups after a deal."""

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

# Market features (issue 16): typical cases, pledge candidates (finance/views.py).
urlpatterns += [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/consent/", views.case_consent, name="case-consent"),
    path("cases/<int:pk>/consent/withdraw/", views.case_consent_withdraw, name="case-consent-withdraw"),
    path("cases/<int:pk>/publish/", views.case_publish, name="case-publish"),
    path("cases/<int:pk>/unpublish/", views.case_unpublish, name="case-unpublish"),
    path("pledge-candidates/", views.pledge_candidates, name="pledge-candidates"),
    path(
        "pledge-candidates/<int:pk>/pledge/",
        views.pledge_candidate_create,
        name="pledge-candidate-create",
    ),
]

urlpatterns += [
    path("contracts/new/<int:pk>/", views.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("contracts/<int:pk>/confirm/", views.contract_confirm, name="contract-confirm"),
    path("contracts/<int:pk>/signed/", views.contract_record_signed, name="contract-record-signed"),
    path(
        "contracts/<int:pk>/download.<str:file_format>",
        views.contract_download,
        name="contract-download",
    ),
    path("open-licenses/<int:pk>/take/", views.open_license_take, name="open-license-take"),
    path("follow-ups/", views.follow_up_list, name="follow-up-list"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow-up-detail"),
]
