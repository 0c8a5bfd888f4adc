"""Patent pages. A patent's pages are addressed by its canonical application number."""

from django.urls import path, register_converter

from . import views


class ApplicationNoConverter:
    """202110123456.X or the older 89100002.X (validated by the selectors).

    ``\\d`` rather than ``[0-9]``: numbers are stored in ASCII, but a row written before they
    were folded (digits of another script) must still have links, or every list showing it
    fails (the selectors find such a row by its stored number, else by the folded one)."""

    regex = r"\d{8}(?:\d{4})?\.[\dXx]"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(ApplicationNoConverter, "appno")

app_name = "patents"
urlpatterns = [
    path("", views.patent_list, name="list"),
    path("ipc/subclasses/", views.ipc_subclasses, name="ipc-subclasses"),
    path("mine/", views.patent_mine, name="mine"),
    path("mine/export/", views.patent_export, name="export"),
    path("new/", views.patent_create, name="create"),
    path("review/", views.patent_review, name="review"),
    path("bulletins/", views.bulletin_list, name="bulletin-list"),
    path("bulletins/<int:year>/<int:month>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:year>/<int:month>/xlsx/", views.bulletin_xlsx, name="bulletin-xlsx"),
    path("navigation/", views.navigation_list, name="navigation-list"),
    path("navigation/new/", views.navigation_create, name="navigation-create"),
    path("navigation/<int:pk>/", views.navigation_detail, name="navigation-detail"),
    path("navigation/<int:pk>/edit/", views.navigation_edit, name="navigation-edit"),
    path("navigation/<int:pk>/delete/", views.navigation_delete, name="navigation-delete"),
    path("navigation/<int:pk>/report/", views.navigation_report, name="navigation-report"),
    path("<appno:application_no>/", views.patent_detail, name="detail"),
    path("<appno:application_no>/edit/", views.patent_edit, name="edit"),
    path("<appno:application_no>/submit/", views.patent_submit, name="submit"),
    path("<appno:application_no>/publish/", views.patent_publish, name="publish"),
    path("<appno:application_no>/withdraw/", views.patent_withdraw, name="withdraw"),
    path("<appno:application_no>/renew/", views.patent_renew, name="renew"),
    path("<appno:application_no>/delete/", views.patent_delete, name="delete"),
    path("<appno:application_no>/review/", views.patent_review_decide, name="review-decide"),
    path("<appno:application_no>/open-license/", views.open_license_declare, name="open-license"),
    path(
        "<appno:application_no>/open-license/<int:pk>/withdraw/",
        views.open_license_withdraw,
        name="open-license-withdraw",
    ),
    path(
        "<appno:application_no>/open-license/<int:pk>/fee-reductions/",
        views.fee_reduction_create,
        name="fee-reduction-create",
    ),
]
