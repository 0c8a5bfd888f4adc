"""The conversion loop in the services: contracts drafted from agreed inquiries and signed into
linked deals, DOCX/PDF contracts, an open licence taken in one step, annual-fee reductions,
follow-ups 6 and 12 months after a deal with versioned answers, and the data migration that links
existing deals to their inquiries."""

import datetime as dt
import importlib
import io
import re
import zipfile
import zlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from finance import services
from finance.documents import contract_docx, contract_pdf
from finance.docx import docx_text
from finance.models import Contract, Deal, FollowUp
from finance.services.follow_ups import add_months
from matching.models import Notification
from patents.models import AnnualFeeReduction, OpenLicense, Patent
from patents.services import annual_fee_reduction_record, open_license_declare, patent_assert_can_license
from portal.errors import ApplicationError
from portal.permissions import actor_for, system_actor
from tests.finance.factories import DealFactory, InstitutionFactory, sme
from tests.matching.factories import make_patent
from tests.portal.factories import make_user

from .conversion_helpers import agreed_inquiry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- Contracts ------------------------------------------------------------------------------------


def test_either_side_drafts_a_prefilled_contract_once():
    sme_user, owner_user, inquiry = agreed_inquiry()
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(sme_user))
    patent = inquiry.patent
    assert (contract.seller_id, contract.buyer_id, contract.patent_id) == (
        patent.owner_id,
        inquiry.organization_id,
        patent.pk,
    )
    assert contract.kind == Deal.Kind.LICENSE and contract.license_scope == "ordinary"
    assert contract.amount == Decimal("80000.00") and contract.fee_mode == Contract.FeeMode.LUMP_SUM
    assert contract.territory and contract.term_starts_on == TODAY()
    assert TODAY() < contract.term_ends_on <= patent.expiry_date
    assert contract.status == Contract.Status.DRAFT
    # The other side is told; a second draft opens the same contract.
    assert Notification.objects.filter(user=owner_user, url__contains=f"/contracts/{contract.pk}/").exists()
    assert services.contract_draft(inquiry=inquiry, actor=actor_for(owner_user)) == contract


def test_only_parties_of_an_agreed_inquiry_draft():
    sme_user, owner_user, inquiry = agreed_inquiry()
    with pytest.raises(PermissionDenied):
        services.contract_draft(inquiry=inquiry, actor=actor_for(make_user("sme")))
    with pytest.raises(PermissionDenied):
        services.contract_draft(inquiry=inquiry, actor=actor_for(make_user("bureau")))
    other = make_patent(owner=actor_for(owner_user).organization)
    from matching.services.inquiries import inquiry_create

    open_inquiry = inquiry_create(actor=actor_for(sme_user), patent=other, body="您好")
    with pytest.raises(ApplicationError):
        services.contract_draft(inquiry=open_inquiry, actor=actor_for(sme_user))
    assert not Contract.objects.filter(inquiry=open_inquiry).exists()


def test_both_confirmations_sign_the_contract_into_a_linked_deal():
    sme_user, owner_user, inquiry = agreed_inquiry()
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(owner_user))
    contract = services.contract_update(
        contract=contract, actor=actor_for(owner_user), license_scope="exclusive", amount=Decimal("120000.00")
    )
    services.contract_confirm(contract=contract, actor=actor_for(owner_user))
    contract.refresh_from_db()
    assert contract.seller_confirmed_at and contract.status == Contract.Status.DRAFT
    # An edit withdraws both confirmations: the other side must confirm the text it signs.
    contract = services.contract_update(
        contract=contract, actor=actor_for(sme_user), territory="内蒙古自治区"
    )
    assert contract.seller_confirmed_at is None
    services.contract_confirm(contract=contract, actor=actor_for(sme_user))
    contract = services.contract_confirm(contract=contract, actor=actor_for(owner_user))
    assert contract.status == Contract.Status.SIGNED and contract.signed_on == TODAY()
    deal = contract.deal
    assert deal.inquiry == inquiry and Deal.objects.get(inquiry=inquiry) == deal
    assert (deal.kind, deal.license_scope, deal.contract_amount) == (
        "license",
        "exclusive",
        Decimal("120000.00"),
    )
    assert deal.license_ends_on == contract.term_ends_on and deal.deal_no == contract.contract_no
    assert list(deal.patents.all()) == [inquiry.patent]
    inquiry.refresh_from_db()
    assert inquiry.deal_reference == deal.deal_no
    assert contract.history.count() >= 3  # every revision of the draft is kept
    with pytest.raises(ApplicationError):
        services.contract_update(contract=contract, actor=actor_for(sme_user), territory="全国")


def test_terms_are_checked_before_signing():
    sme_user, _owner_user, inquiry = agreed_inquiry()
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(sme_user))
    beyond = inquiry.patent.expiry_date + dt.timedelta(days=1)
    contract = services.contract_update(
        contract=contract, actor=actor_for(sme_user), term_ends_on=beyond, fee_mode=Contract.FeeMode.ROYALTY
    )
    with pytest.raises(ValidationError) as error:
        services.contract_confirm(contract=contract, actor=actor_for(sme_user))
    assert {"term_ends_on", "royalty_rate"} <= set(error.value.message_dict)
    contract.refresh_from_db()
    assert contract.buyer_confirmed_at is None and not Deal.objects.filter(inquiry=inquiry).exists()


def test_staff_record_a_paper_signature_parties_cannot():
    sme_user, _owner_user, inquiry = agreed_inquiry()
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(sme_user))
    with pytest.raises(PermissionDenied):
        services.contract_record_signed(contract=contract, actor=actor_for(sme_user), signed_on=TODAY())
    bureau = actor_for(make_user("bureau"))
    with pytest.raises(ValidationError):
        services.contract_record_signed(
            contract=contract, actor=bureau, signed_on=TODAY() + dt.timedelta(days=1)
        )
    signed_on = TODAY() - dt.timedelta(days=3)
    contract = services.contract_record_signed(contract=contract, actor=bureau, signed_on=signed_on)
    assert contract.deal.contract_date == signed_on and contract.deal.inquiry_id == inquiry.pk
    assert contract.deal.history.first().history_user == bureau.user


def test_contract_files_docx_and_pdf_with_chinese_text():
    sme_user, _owner_user, inquiry = agreed_inquiry(title="一种羊绒纤维低损伤分梳装置")
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(sme_user))
    content = contract_docx(contract)
    text = docx_text(content)
    assert "专利实施许可合同" in text and "一种羊绒纤维低损伤分梳装置" in text
    assert inquiry.organization.name in text and inquiry.patent.owner.name in text
    assert "普通许可" in text and "80,000.00" in text
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert "Noto Serif CJK SC" in package.read("word/styles.xml").decode()
        assert package.testzip() is None
    pdf = contract_pdf(contract)
    assert pdf.startswith(b"%PDF") and b"/FontFile" in _pdf_objects(pdf)
    assert b"CJK" in _pdf_objects(pdf)  # the Noto CJK font is embedded


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed object streams inflated (font names live in them)."""
    parts = [pdf]
    for chunk in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(chunk))
        except zlib.error:
            continue
    return b"".join(parts)


# --- Open licence in one step ---------------------------------------------------------------------


def _declared(**fields):
    owner_user = make_user("institution")
    patent = make_patent(owner=actor_for(owner_user).organization)
    fields.setdefault("fee_mode", OpenLicense.FeeMode.LUMP_SUM)
    fields.setdefault("lump_sum", Decimal("20000.00"))
    declaration = open_license_declare(
        patent=patent,
        actor=system_actor(),
        starts_on=TODAY() - dt.timedelta(days=30),
        ends_on=TODAY() + dt.timedelta(days=800),
        **fields,
    )
    return owner_user, declaration


def test_a_verified_sme_takes_an_open_licence_on_the_published_terms():
    owner_user, declaration = _declared()
    sme_user = make_user("sme")
    deal = services.open_license_take(declaration=declaration, actor=actor_for(sme_user))
    assert (deal.kind, deal.license_scope, deal.contract_amount) == ("license", "open", Decimal("20000.00"))
    assert deal.open_license == declaration and deal.buyer == actor_for(sme_user).organization
    assert deal.seller_id == declaration.patent.owner_id and deal.license_ends_on == declaration.ends_on
    assert deal.contract_date == TODAY() and deal.status == Deal.Status.SIGNED
    assert Notification.objects.filter(user=owner_user, url__contains=f"/deals/{deal.pk}/").exists()
    # Non-exclusive: no exclusive or sole licence beside it; one licence per SME and declaration.
    with pytest.raises(ApplicationError):
        patent_assert_can_license(declaration.patent, "exclusive")
    with pytest.raises(ApplicationError):
        services.open_license_take(declaration=declaration, actor=actor_for(sme_user))
    # Another SME takes it too.
    assert (
        services.open_license_take(declaration=declaration, actor=actor_for(make_user("sme"))).pk != deal.pk
    )


def test_open_licence_term_stays_within_the_declaration_and_the_patent_life():
    _owner, declaration = _declared(fee_mode=OpenLicense.FeeMode.ROYALTY, royalty_rate=Decimal("3"))
    sme_user = make_user("sme")
    with pytest.raises(ValidationError) as error:
        services.open_license_take(
            declaration=declaration,
            actor=actor_for(sme_user),
            ends_on=declaration.ends_on + dt.timedelta(days=1),
        )
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # royalties only: the licensee's estimate
        services.open_license_take(declaration=declaration, actor=actor_for(sme_user))
    assert "expected_amount" in error.value.message_dict
    deal = services.open_license_take(
        declaration=declaration,
        actor=actor_for(sme_user),
        expected_amount=Decimal("5000"),
        ends_on=TODAY() + dt.timedelta(days=365),
    )
    assert deal.contract_amount == Decimal("5000") and "3" in deal.notes


def test_only_verified_smes_take_a_standing_open_licence():
    _owner_user, declaration = _declared()
    for user in (make_user("institution"), make_user("sme", verified=False), make_user("bureau")):
        with pytest.raises(PermissionDenied):
            services.open_license_take(declaration=declaration, actor=actor_for(user))
    from patents.services import open_license_withdraw

    open_license_withdraw(declaration=declaration, actor=system_actor())
    with pytest.raises(ApplicationError):
        services.open_license_take(declaration=declaration, actor=actor_for(make_user("sme")))
    assert not Deal.objects.filter(open_license=declaration).exists()


def test_annual_fee_reductions_of_open_licence_patents_are_tracked():
    owner_user, declaration = _declared()
    actor = actor_for(owner_user)
    record = annual_fee_reduction_record(
        declaration=declaration, actor=actor, fee_year=6, annual_fee=Decimal("2000.00"), paid_on=TODAY()
    )
    assert record.reduction == Decimal("300.00")  # 15 % by default
    with pytest.raises(ValidationError):  # once per fee year
        annual_fee_reduction_record(
            declaration=declaration, actor=actor, fee_year=6, annual_fee=Decimal("2000.00"), paid_on=TODAY()
        )
    with pytest.raises(ValidationError):  # paid before the declaration
        annual_fee_reduction_record(
            declaration=declaration,
            actor=actor,
            fee_year=7,
            annual_fee=Decimal("2000.00"),
            paid_on=declaration.starts_on - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        annual_fee_reduction_record(
            declaration=declaration,
            actor=actor_for(make_user("sme")),
            fee_year=8,
            annual_fee=Decimal("1"),
            paid_on=TODAY(),
        )
    assert AnnualFeeReduction.objects.filter(open_license__patent=declaration.patent).count() == 1


# --- Follow-ups -----------------------------------------------------------------------------------


def _deal_on(day, **fields):
    seller = InstitutionFactory()
    return DealFactory(seller=seller, buyer=fields.pop("buyer", None) or sme(), contract_date=day, **fields)


def test_follow_ups_are_requested_6_and_12_months_after_a_deal_once(
    celery_eager, django_capture_on_commit_callbacks
):
    today = dt.date(2026, 6, 15)
    buyer = sme()
    member = make_user("sme", organization=buyer, email="sme@example.com")
    six = _deal_on(dt.date(2025, 12, 15), buyer=buyer)
    twelve = _deal_on(dt.date(2025, 6, 10))
    too_old = _deal_on(dt.date(2024, 1, 10))  # due long ago: outside the catch-up window
    not_yet = _deal_on(dt.date(2026, 1, 2))
    institution_buyer = _deal_on(dt.date(2025, 12, 15), buyer=InstitutionFactory())
    terminated = _deal_on(
        dt.date(2025, 12, 1), status=Deal.Status.TERMINATED, terminated_on=dt.date(2026, 1, 1)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_up_request_due(today=today) == 2
    asked = set(FollowUp.objects.values_list("deal_id", "months"))
    # The 12-month deal's 6-month follow-up fell due in December, outside the catch-up window.
    assert asked == {(six.pk, 6), (twelve.pk, 12)}
    assert not {too_old.pk, not_yet.pk, institution_buyer.pk, terminated.pk} & {d for d, _m in asked}
    follow_up = FollowUp.objects.get(deal=six)
    assert follow_up.due_on == dt.date(2026, 6, 15) and follow_up.organization == buyer
    note = Notification.objects.get(user=member)
    assert six.deal_no in note.title and f"/follow-ups/{follow_up.pk}/" in note.url
    assert [m.to for m in mail.outbox] == [["sme@example.com"]]
    assert services.follow_up_request_due(today=today) == 0  # idempotent


def test_answers_are_versioned_and_the_latest_counts():
    deal = _deal_on(add_months(TODAY(), -6))
    buyer_user = make_user("sme", organization=deal.buyer)
    services.follow_up_request_due()
    follow_up = FollowUp.objects.get(deal=deal)
    with pytest.raises(ValidationError):
        services.follow_up_answer(
            follow_up=follow_up, actor=actor_for(buyer_user), implemented=True, product=""
        )
    first = services.follow_up_answer(follow_up=follow_up, actor=actor_for(buyer_user), implemented=False)
    second = services.follow_up_answer(
        follow_up=follow_up,
        actor=actor_for(buyer_user),
        implemented=True,
        product="智能液压支架",
        revenue=Decimal("350000.00"),
        jobs=6,
    )
    assert (first.revision, second.revision) == (1, 2)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.ANSWERED and follow_up.implemented
    assert (follow_up.product, follow_up.revenue, follow_up.jobs) == ("智能液压支架", Decimal("350000.00"), 6)
    assert follow_up.answers.count() == 2
    assert all(p.implemented and not p.dormant for p in Patent.objects.filter(deals=deal))
    for outsider in (
        make_user("sme"),
        make_user("bureau"),
        make_user("institution", organization=deal.seller),
    ):
        with pytest.raises(PermissionDenied):
            services.follow_up_answer(follow_up=follow_up, actor=actor_for(outsider), implemented=False)


def test_add_months_clamps_to_the_end_of_month():
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -6) == dt.date(2025, 9, 15)


# --- Data migration -------------------------------------------------------------------------------


def test_migration_links_deals_whose_references_identify_the_inquiry():
    link = importlib.import_module("finance.migrations.0005_link_deals_to_inquiries_from_references").link
    _sme_user, _owner_user, by_number = agreed_inquiry()
    _s2, _o2, by_reference = agreed_inquiry()
    _s3, _o3, ambiguous = agreed_inquiry()
    _s4, _o4, wrong_party = agreed_inquiry()
    by_reference.deal_reference = "HT-2023-7001"
    by_reference.save(update_fields=["deal_reference"])
    ambiguous.deal_reference = "HT-2023-7002"
    ambiguous.save(update_fields=["deal_reference"])

    def deal_for(inquiry, **fields):
        return DealFactory(
            seller=inquiry.patent.owner, buyer=inquiry.organization, patents=[inquiry.patent], **fields
        )

    a = deal_for(by_number, source_reference=f"咨询#{by_number.pk}")
    b = deal_for(by_reference, deal_no="HT-2023-7001")
    c1 = deal_for(ambiguous, deal_no="HT-2023-7002")
    c2 = deal_for(ambiguous, source_reference=str(ambiguous.pk))  # two deals claim it: neither linked
    d = DealFactory(source_reference=f"#{wrong_party.pk}")  # another buyer: not this inquiry's deal
    link(apps, None)
    linked = dict(
        Deal.objects.filter(pk__in=[a.pk, b.pk, c1.pk, c2.pk, d.pk]).values_list("pk", "inquiry_id")
    )
    assert linked == {a.pk: by_number.pk, b.pk: by_reference.pk, c1.pk: None, c2.pk: None, d.pk: None}
    link(apps, None)  # idempotent
    assert Deal.objects.filter(inquiry__isnull=False).count() == 2


def test_api_shows_the_links_both_ways():
    from rest_framework.test import APIClient

    sme_user, owner_user, inquiry = agreed_inquiry()
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(sme_user))
    services.contract_confirm(contract=contract, actor=actor_for(sme_user))
    deal = services.contract_confirm(contract=contract, actor=actor_for(owner_user)).deal
    client = APIClient()
    client.force_authenticate(sme_user)
    assert client.get(f"/api/inquiries/{inquiry.pk}/").json()["deal"] == deal.pk
    assert client.get(f"/api/finance/deals/{deal.pk}/").json()["inquiry"] == inquiry.pk


def test_docx_writer_escapes_text_and_drops_invalid_characters():
    from finance.docx import Paragraph, docx_bytes

    content = docx_bytes(
        [Paragraph('甲方 <&> "乙方"\x01\x0b', bold=True), Paragraph("第一行\n第二行")],
        font="Noto Serif CJK SC",
    )
    assert docx_text(content) == '甲方 <&> "乙方"\n第一行第二行'


def test_fee_reductions_are_recorded_and_shown_on_the_patent_page(client):
    owner_user, declaration = _declared()
    patent = declaration.patent
    Patent.objects.filter(pk=patent.pk).update(
        listing_status=Patent.ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        listed_until=TODAY() + dt.timedelta(days=90),
    )
    client.force_login(owner_user)
    url = f"/patents/{patent.application_no}/open-license/{declaration.pk}/fee-reductions/"
    response = client.post(url, {"fee_year": 6, "annual_fee": "2000.00", "paid_on": TODAY().isoformat()})
    assert response.status_code == 302
    page = client.get(f"/patents/{patent.application_no}/").content.decode()
    assert 'id="fee-reductions"' in page and "¥300.00" in page
    client.force_login(make_user("sme"))
    page = client.get(f"/patents/{patent.application_no}/").content.decode()
    assert 'id="take-open-license"' in page and 'id="fee-reduction-form"' not in page
