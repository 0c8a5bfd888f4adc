"""Inventory, derived fields, listing lifecycle, licensing facts, open licenses, bulletins."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patents import services
from patents.models import NavigationProject, OpenLicense, Patent, PatentIpc
from patents.search import bigram_code
from portal.errors import ApplicationError
from portal.permissions import actor_for, system_actor
from tests.patents.factories import (
    InstitutionFactory,
    PatentFactory,
    agency_for,
    app_no,
    industry,
    institution_user,
    make_user,
)

pytestmark = pytest.mark.django_db


def actor(user):
    return actor_for(user)


# --- inventory and derived fields ----------------------------------------------------------------


def test_create_derives_type_expiry_ipc_and_search_columns():
    owner = InstitutionFactory()
    user = institution_user(owner)
    patent = services.patent_create(
        actor=actor(user),
        owner=owner,
        application_no="CN202223220665.2",
        title="一种无人机机载多功能盒",
        abstract="用于煤矿巡检的无人机",
        ipc_codes="B64U20/80;B64U101/30",
        application_date=dt.date(2022, 12, 2),
        grant_date=dt.date(2023, 3, 28),
        legal_status=Patent.LegalStatus.GRANTED,
        industries=[industry("coal")],
    )
    assert patent.application_no == "202223220665.2"
    assert patent.patent_type == Patent.Type.UTILITY_MODEL
    assert patent.expiry_date == dt.date(2032, 12, 1)
    assert patent.ipc_codes == "B64U 20/80; B64U 101/30" and patent.ipc_main == "B64U 20/80"
    rows = list(
        PatentIpc.objects.filter(patent=patent)
        .order_by("-is_main", "code")
        .values_list("code", "subclass", "main_group", "is_main")
    )
    assert rows == [("B64U 20/80", "B64U", "B64U 20/00", True), ("B64U 101/30", "B64U", "B64U 101/00", False)]
    assert "煤矿" in patent.search_text and bigram_code("煤矿") in patent.search_bigram_codes
    assert patent.dormant is True
    assert list(patent.industries.values_list("code", flat=True)) == ["coal"]
    assert patent.history.count() == 1


def test_create_rejects_duplicates_bad_ipc_and_dates_after_the_number_year():
    owner = InstitutionFactory()
    existing = PatentFactory(owner=owner)
    with pytest.raises(ValidationError) as info:
        services.patent_create(
            actor=system_actor(), owner=owner, application_no=existing.application_no, title="重复"
        )
    assert "application_no" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.patent_create(
            actor=system_actor(), owner=owner, application_no=app_no(900), title="x", ipc_codes="H01X 10/00"
        )
    assert "H01X" in " ".join(info.value.message_dict["ipc_codes"])
    with pytest.raises(ValidationError) as info:
        services.patent_create(
            actor=system_actor(), owner=owner, application_no=app_no(901), title="x", ipc_codes="H01M10"
        )
    assert "ipc_codes" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.patent_create(
            actor=system_actor(),
            owner=owner,
            application_no=app_no(902, year=2021),
            title="x",
            application_date=dt.date(2022, 1, 1),
        )
    assert "application_date" in info.value.message_dict
    assert Patent.objects.count() == 1


def test_an_institution_cannot_create_or_edit_for_another_owner():
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    user = institution_user(mine)
    with pytest.raises(PermissionDenied):
        services.patent_create(actor=actor(user), owner=theirs, application_no=app_no(5), title="x")
    patent = PatentFactory(owner=theirs, published=True)
    with pytest.raises(PermissionDenied):
        services.patent_update(patent=patent, actor=actor(user), title="改名")
    patent.refresh_from_db()
    assert patent.title != "改名"


@pytest.mark.parametrize(
    "changes,dormant",
    [
        ({}, True),
        ({"implemented": True}, False),
        ({"legal_status": Patent.LegalStatus.PENDING}, False),
        ({"legal_status": Patent.LegalStatus.LAPSED}, False),
        ({"license_count": 1}, False),
        ({"last_transferred_on": dt.date(2023, 1, 1)}, False),
        ({"application_date": dt.date(2000, 1, 1)}, False),  # term over
    ],
)
def test_dormant_derivation(changes, dormant):
    patent = PatentFactory(application_no=app_no(1, year=2021))
    services.patent_update(patent=patent, actor=system_actor(), **changes)
    patent.refresh_from_db()
    assert patent.dormant is dormant
    assert Patent.objects.filter(dormant=dormant, pk=patent.pk).exists()


def test_refresh_dormant_stores_the_flag():
    patent = PatentFactory()
    Patent.objects.filter(pk=patent.pk).update(implemented=True)
    patent.refresh_from_db()
    assert patent.dormant is True
    assert services.patent_refresh_dormant(patent=patent) is False
    assert Patent.objects.get(pk=patent.pk).dormant is False


# --- listing lifecycle ----------------------------------------------------------------------------


def test_submit_review_publish_renew_withdraw():
    patent = PatentFactory()
    owner_user = institution_user(patent.owner)
    bureau = make_user("bureau")
    services.patent_submit(patent=patent, actor=actor(owner_user))
    assert patent.listing_status == Patent.ListingStatus.SUBMITTED and patent.submitted_at
    with pytest.raises(PermissionDenied):
        services.patent_publish(patent=patent, actor=actor(owner_user))
    services.patent_publish(patent=patent, actor=actor(bureau))
    patent.refresh_from_db()
    today = timezone.localdate()
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED
    assert patent.listed_until == today.replace(year=today.year + 1)
    published_at = patent.published_at
    Patent.objects.filter(pk=patent.pk).update(listed_until=today + dt.timedelta(days=3))
    patent.refresh_from_db()
    services.patent_renew(patent=patent, actor=actor(owner_user))
    assert patent.listed_until == today.replace(year=today.year + 1)
    assert patent.published_at == published_at  # "newly listed" keeps the first publication
    services.patent_withdraw(patent=patent, actor=actor(owner_user))
    assert patent.listing_status == Patent.ListingStatus.WITHDRAWN
    assert patent.history.count() >= 4


def test_reject_needs_a_note_and_returns_a_draft():
    patent = PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)
    reviewer = make_user("bureau")
    with pytest.raises(ApplicationError):
        services.patent_reject(patent=patent, actor=actor(reviewer), note=" ")
    services.patent_reject(patent=patent, actor=actor(reviewer), note="请补充摘要")
    assert (patent.listing_status, patent.review_note) == (Patent.ListingStatus.DRAFT, "请补充摘要")


def test_district_officer_reviews_only_their_district():
    from tests.portal.factories import region

    patent = PatentFactory(owner=InstitutionFactory(region=region("150622")), listing_status="submitted")
    other = PatentFactory(owner=InstitutionFactory(region=region("150602")), listing_status="submitted")
    officer = make_user("district_officer", district="150622")
    services.patent_publish(patent=patent, actor=actor(officer))
    with pytest.raises(PermissionDenied):
        services.patent_publish(patent=other, actor=actor(officer))


def test_agency_acting_for_the_owner_publishes():
    patent = PatentFactory()
    agency = agency_for(patent.owner)
    stranger_agency = make_user("agency")
    with pytest.raises(PermissionDenied):
        services.patent_submit(patent=patent, actor=actor(stranger_agency))
    services.patent_submit(patent=patent, actor=actor(agency))
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED


def test_direct_publish_setting_lets_verified_institutions_publish(settings):
    patent = PatentFactory()
    user = institution_user(patent.owner)
    settings.PORTAL_DIRECT_PUBLISH = True
    services.patent_submit(patent=patent, actor=actor(user))
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED

    unverified = PatentFactory(owner=InstitutionFactory(verified=False))
    services.patent_submit(patent=unverified, actor=actor(institution_user(unverified.owner)))
    assert unverified.listing_status == Patent.ListingStatus.SUBMITTED


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"legal_status": Patent.LegalStatus.LAPSED}, "不能挂牌"),
        ({"offers_transfer": False}, "交易方式"),
    ],
)
def test_only_patents_in_force_with_a_deal_kind_can_be_listed(changes, message):
    patent = PatentFactory(**changes)
    with pytest.raises(ApplicationError, match=message):
        services.patent_submit(patent=patent, actor=actor(make_user("bureau")))


def test_a_patent_that_lapses_is_withdrawn_at_once():
    patent = PatentFactory(published=True)
    services.patent_update(patent=patent, actor=system_actor(), legal_status=Patent.LegalStatus.LAPSED)
    assert patent.listing_status == Patent.ListingStatus.WITHDRAWN


def test_daily_maintenance(settings):
    today = timezone.localdate()
    due = PatentFactory(published=True, listed_until=today - dt.timedelta(days=1))
    soon = PatentFactory(published=True, listed_until=today + dt.timedelta(days=10))
    later = PatentFactory(published=True)
    lapsed = PatentFactory(published=True)
    Patent.objects.filter(pk=lapsed.pk).update(legal_status=Patent.LegalStatus.LAPSED)  # e.g. by an import
    old = PatentFactory(
        published=True, application_no=app_no(77, year=2004), application_date=dt.date(2004, 1, 5)
    )
    make_user("institution", organization=soon.owner)  # someone to remind
    result = services.patent_daily_maintenance(actor=system_actor(), today=today)
    assert result["listings_expired"] == 1 and result["term_expired"] == 1 and result["withdrawn"] == 2
    states = dict(Patent.objects.values_list("pk", "listing_status"))
    assert states[due.pk] == "expired" and states[later.pk] == "published"
    assert states[lapsed.pk] == "withdrawn" and states[old.pk] == "withdrawn"
    assert Patent.objects.get(pk=old.pk).legal_status == "expired"
    assert result["reminded"] == 1 and len(mail.outbox) == 1 and soon.application_no in mail.outbox[0].body
    again = services.patent_daily_maintenance(
        actor=system_actor(), today=today
    )  # idempotent: nothing left to do
    assert again == {
        "term_expired": 0,
        "withdrawn": 0,
        "listings_expired": 0,
        "reminded": 0,
        "open_licenses_ended": 0,
    }
    assert len(mail.outbox) == 1


# --- licensing facts (called by finance) ------------------------------------------------------------


def test_record_transfer_changes_owner_and_ends_dormancy():
    patent = PatentFactory(published=True)
    buyer = InstitutionFactory(kind="soe")
    services.patent_record_transfer(patent=patent, new_owner=buyer, transferred_on=dt.date(2024, 5, 1))
    patent.refresh_from_db()
    assert (
        patent.owner == buyer
        and patent.transfer_count == 1
        and patent.last_transferred_on == dt.date(2024, 5, 1)
    )
    assert patent.listing_status == Patent.ListingStatus.TRADED and patent.dormant is False


def test_exclusive_license_blocks_other_licenses_and_open_license():
    patent = PatentFactory(published=True)
    services.patent_assert_can_license(patent, "ordinary")
    services.patent_record_license(
        patent=patent,
        scope="exclusive",
        licensed_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=400),
    )
    patent.refresh_from_db()
    assert patent.dormant is False and patent.license_count == 1 and patent.listing_status == "traded"
    with pytest.raises(ApplicationError, match="独占或排他"):
        services.patent_assert_can_license(patent, "ordinary")
    with pytest.raises(ApplicationError):
        services.open_license_declare(
            patent=patent,
            actor=system_actor(),
            fee_mode="royalty",
            royalty_rate=Decimal("3"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=800),
        )


# --- open license -------------------------------------------------------------------------------------


def declare(patent, **overrides):
    today = timezone.localdate()
    values = {
        "patent": patent,
        "actor": system_actor(),
        "fee_mode": OpenLicense.FeeMode.ROYALTY,
        "royalty_rate": Decimal("3.5"),
        "fee_standard": "按年销售额 3.5% 提成，每年结算",
        "starts_on": today,
        "ends_on": today.replace(year=today.year + 2),
    }
    values.update(overrides)
    return services.open_license_declare(**values)


def test_open_license_declaration_blocks_exclusive_and_sole_licenses():
    patent = PatentFactory(published=True)
    declaration = declare(patent)
    patent.refresh_from_db()
    assert patent.open_license and patent.offers_license and declaration.status == "active"
    for scope in ("exclusive", "sole"):
        with pytest.raises(ApplicationError, match="开放许可"):
            services.patent_assert_can_license(patent, scope)
        with pytest.raises(ApplicationError):
            services.patent_record_license(patent=patent, scope=scope, licensed_on=timezone.localdate())
    services.patent_assert_can_license(patent, "ordinary")
    services.patent_assert_can_license(patent, "open")
    services.open_license_withdraw(declaration=declaration, actor=system_actor())
    patent.refresh_from_db()
    assert not patent.open_license
    services.patent_assert_can_license(patent, "exclusive")


def test_open_license_term_rules():
    today = timezone.localdate()
    patent = PatentFactory(application_no=app_no(3, year=2015), application_date=dt.date(2015, 1, 10))
    with pytest.raises(ValidationError) as info:
        declare(patent, ends_on=today + dt.timedelta(days=200))
    assert "至少为一年" in " ".join(info.value.message_dict["ends_on"])
    with pytest.raises(ValidationError) as info:
        declare(patent, ends_on=dt.date(2035, 1, 10))  # expiry is 2035-01-09
    assert "2035-01-09" in " ".join(info.value.message_dict["ends_on"])
    declare(patent, ends_on=dt.date(2035, 1, 9))
    with pytest.raises(ApplicationError, match="已有有效"):
        declare(patent)


def test_open_license_needs_all_co_owners_and_a_granted_patent_and_fee_terms():
    co_owned = PatentFactory(applicants="测试大学甲;鄂尔多斯某能源集团")
    with pytest.raises(ValidationError) as info:
        declare(co_owned)
    assert "co_owners_consent" in info.value.message_dict
    declare(co_owned, co_owners_consent=True)
    with pytest.raises(ApplicationError, match="已授权"):
        declare(PatentFactory(legal_status=Patent.LegalStatus.PENDING))
    with pytest.raises(ValidationError) as info:
        declare(PatentFactory(), fee_mode="entry_fee_royalty", royalty_rate=None)
    assert {"entry_fee", "royalty_rate"} <= set(info.value.message_dict)


def test_open_license_ends_with_its_term():
    patent = PatentFactory(published=True)
    declaration = declare(patent)
    later = declaration.ends_on + dt.timedelta(days=1)
    assert services.patent_daily_maintenance(actor=system_actor(), today=later)["open_licenses_ended"] == 1
    patent.refresh_from_db()
    declaration.refresh_from_db()
    assert declaration.status == "ended" and not patent.open_license


# --- supply bulletin -------------------------------------------------------------------------------


def test_supply_bulletin_lists_patents_newly_listed_that_month_and_is_idempotent():
    now = timezone.now()
    this_month = PatentFactory(published=True)
    last_month = PatentFactory(published=True, published_at=now - dt.timedelta(days=40))
    withdrawn = PatentFactory(published_at=now, listing_status=Patent.ListingStatus.WITHDRAWN)
    bulletin = services.supply_bulletin_publish(month=timezone.localdate())
    again = services.supply_bulletin_publish(month=timezone.localdate())
    assert bulletin.pk == again.pk and again.patent_count == 1
    assert list(again.patents.all()) == [this_month]
    assert last_month not in again.patents.all() and withdrawn not in again.patents.all()
    assert str(timezone.localdate().year) in again.title


def test_previous_month():
    assert services.previous_month(dt.date(2025, 1, 1)) == dt.date(2024, 12, 1)
    assert services.previous_month(dt.date(2025, 3, 31)) == dt.date(2025, 2, 1)


# --- navigation projects ---------------------------------------------------------------------------


def test_only_staff_manage_navigation_projects():
    bureau = make_user("bureau")
    project = services.navigation_project_create(
        actor=actor(bureau),
        title="煤炭产业专利导航",
        kind="industry_planning",
        year_started=2023,
        industry=industry(),
    )
    assert project.created_by == bureau
    with pytest.raises(PermissionDenied):
        services.navigation_project_update(project=project, actor=actor(institution_user()), title="x")
    services.navigation_project_delete(project=project, actor=actor(bureau))
    assert not NavigationProject.objects.exists()
