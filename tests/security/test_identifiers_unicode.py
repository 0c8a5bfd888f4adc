"""Issue 14, finding 1: identifiers typed with digits of another script (٢٠٢٤, ２０２４, २०२४) are
folded to ASCII at every entry point before validation and uniqueness; a look-alike that is not a
digit is refused by name; and a row stored before the fix neither breaks any page listing it nor
survives the data migration in its old form."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from patents.identifiers import normalize_application_no
from patents.ipc import normalize_ipc
from patents.models import Patent
from portal.identifiers import make_credit_code, normalize_credit_code
from portal.imports import run_import
from portal.permissions import actor_for
from tests.patents.factories import InstitutionFactory, PatentFactory, app_no, institution_user, make_user

pytestmark = pytest.mark.django_db

ARABIC = "٢٠٢٤10199009.3"  # the exact number of the issue
ASCII = "202410199009.3"
migration = importlib.import_module("patents.migrations.0008_fold_application_numbers_to_ascii")


@pytest.mark.parametrize(
    "typed",
    [
        ARABIC,
        "２０２４１０１９９００９．３",
        "२०२४10199009.3",
        "২০২৪10199009.3",
        "202410199009。3",
        "ZL " + ARABIC,
    ],
)
def test_every_script_s_digits_fold_to_the_ascii_number(typed):
    assert normalize_application_no(typed) == ASCII


@pytest.mark.parametrize("typed", ["2024101990〇9.3", "2O2410199009.3", "2024101990𐩀9.3", "2024101990⑨9.3x"])
def test_look_alikes_are_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as info:
        normalize_application_no(typed)
    assert typed in info.value.messages[0]


def test_look_alike_message_names_the_character():
    with pytest.raises(ValidationError) as info:
        normalize_application_no("2024101990〇9.3")
    assert "“〇”" in info.value.messages[0] and info.value.code == "charset"


def test_credit_codes_and_ipc_codes_fold_too():
    code = make_credit_code("91150602MA0N00001")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_credit_code(full_width.lower()) == code
    assert normalize_ipc("H٠١M ١٠/٠٥٢") == "H01M 10/052"


def _post_issue_number(api, owner, number=ARABIC):
    return api.post(
        reverse("api:patent-list"),
        {
            "application_no": number,
            "title": "x",
            "deal_kinds": ["transfer"],
            "application_date": "2024-01-05",
        },
        format="json",
    )


def test_the_issue_s_post_stores_the_ascii_number_and_its_ascii_twin_is_a_duplicate():
    owner = InstitutionFactory()
    api = APIClient()
    api.force_authenticate(institution_user(owner))
    response = _post_issue_number(api, owner)
    assert response.status_code == 201, response.data
    assert response.data["application_no"] == ASCII
    assert list(Patent.objects.values_list("application_no", flat=True)) == [ASCII]
    for twin in (ASCII, "２０２４１０１９９００９．３"):
        response = _post_issue_number(api, owner, twin)
        assert response.status_code == 400 and "已登记" in response.data["errors"]["application_no"][0]
    assert Patent.objects.count() == 1


def test_browser_form_folds_the_number():
    owner = InstitutionFactory()
    from django.test import Client

    client = Client()
    client.force_login(institution_user(owner))
    response = client.post(
        reverse("patents:create"),
        {
            "application_no": ARABIC,
            "owner": owner.pk,
            "title": "一种装置",
            "legal_status": "pending",
            "deal_kinds": ["transfer"],
            "application_date": "2024-01-05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Patent.objects.get().application_no == ASCII
    response = client.post(
        reverse("patents:create"),
        {
            "application_no": ASCII,
            "owner": owner.pk,
            "title": "一种装置",
            "legal_status": "pending",
            "deal_kinds": ["transfer"],
            "application_date": "2024-01-05",
        },
    )
    assert response.status_code == 200 and "已登记" in response.content.decode()
    assert Patent.objects.count() == 1


def test_importer_folds_the_number_and_sees_the_twin(tmp_path):
    owner = InstitutionFactory()
    user = institution_user(owner)
    path = tmp_path / "p.csv"
    path.write_text(
        f"application_no,title,application_date\n{ARABIC},一种装置,2024-01-05\n", encoding="utf-8"
    )
    report = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(user)
    )
    assert report.ok, report.errors
    assert Patent.objects.get().application_no == ASCII
    path.write_text(f"application_no,title,application_date\n{ASCII},一种装置,2024-01-05\n", encoding="utf-8")
    report = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(user)
    )
    assert (
        report.ok and report.counts.created == 0 and Patent.objects.count() == 1
    )  # the same patent: unchanged, not a twin


def _legacy_row(**kwargs):
    """A published patent whose number was stored with Arabic-Indic digits before the fix."""
    patent = PatentFactory(published=True, application_no=ASCII, application_date=None, **kwargs)
    Patent.objects.filter(pk=patent.pk).update(application_no=ARABIC)
    patent.refresh_from_db()
    return patent


def test_pages_listing_a_legacy_row_never_fail(client):
    patent = _legacy_row()
    assert patent.application_no == ARABIC
    Patent.objects.filter(pk=PatentFactory(application_no=app_no(5)).pk).update(listing_status="submitted")
    Patent.objects.filter(pk=patent.pk).update(listing_status="published")
    anonymous = APIClient()
    assert client.get(reverse("patents:list")).status_code == 200
    assert anonymous.get(reverse("api:patent-list")).status_code == 200
    assert ARABIC in anonymous.get(reverse("api:patent-list")).content.decode()
    # The link built for it leads to it.
    response = client.get(reverse("patents:detail", args=[patent.application_no]))
    assert response.status_code == 200 and patent.title in response.content.decode()
    response = anonymous.get(reverse("api:patent-detail", args=[patent.application_no]))
    assert response.status_code == 200 and response.data["title"] == patent.title
    client.force_login(institution_user(patent.owner))
    assert client.get(reverse("patents:mine")).status_code == 200
    client.force_login(make_user("bureau"))
    assert client.get(reverse("patents:review")).status_code == 200
    Patent.objects.filter(pk=patent.pk).update(listing_status="submitted")
    assert client.get(reverse("patents:review")).status_code == 200
    client.force_login(make_user("admin"))
    assert client.get(reverse("admin:patents_patent_change", args=[patent.pk])).status_code == 200
    assert client.get(reverse("admin:patents_patent_changelist")).status_code == 200


def test_migration_rewrites_a_legacy_number_in_ascii():
    patent = _legacy_row()
    migration.fold_numbers(apps, None)
    patent.refresh_from_db()
    assert patent.application_no == ASCII and patent.listing_status == "published"


def test_migration_flags_a_legacy_duplicate_of_an_ascii_twin_instead_of_crashing():
    legacy = _legacy_row()
    twin = PatentFactory(published=True, application_no=ASCII, application_date=None)
    migration.fold_numbers(apps, None)
    legacy.refresh_from_db()
    twin.refresh_from_db()
    assert legacy.application_no == ARABIC and legacy.listing_status == "withdrawn"
    assert legacy.review_note.startswith("重复申请号") and ASCII in legacy.review_note
    assert twin.listing_status == "published" and twin.review_note == ""
