"""Merging organizations: every relation moves, conflicts are refused before anything is written,
the duplicate's credit code is honoured by later imports, a dry run writes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from cleanup.models import CleanupRun
from cleanup.services import MergeConflicts, organization_merge
from cleanup.services.merge import organization_m2m_tables, organization_relations
from demands.models import Demand
from finance.models import Deal, FollowUp, Payment
from matching.models import EventRegistration, Inquiry
from patents.models import NavigationProject, Patent
from portal.errors import ApplicationError
from portal.imports.base import run_import
from portal.models import (
    ImportJob,
    Organization,
    OrganizationAlias,
    OrganizationChange,
    OrganizationYearStats,
)
from portal.permissions import actor_for, system_actor
from portal.services import organization_register
from tests.demands.factories import DemandFactory
from tests.finance.factories import (
    DealFactory,
    InsurancePolicyFactory,
    PaymentFactory,
    PledgeFactory,
    ProductFilingFactory,
    SubsidyFactory,
    sme,
)
from tests.matching.factories import EventFactory
from tests.patents.factories import InstitutionFactory, PatentFactory, app_no, industry
from tests.portal.factories import MembershipFactory, OrganizationFactory, make_user, region

pytestmark = pytest.mark.django_db


def every_relation_of(drop: Organization, other: Organization) -> None:
    """One row in every relation to ``drop`` (``other`` as the counterpart where one is needed)."""
    patent = PatentFactory(owner=drop)
    NavigationProject.objects.create(title="导航", kind="rd", enterprise=drop, year_started=2023)
    DemandFactory(organization=drop)
    Inquiry.objects.create(patent=PatentFactory(owner=other), organization=drop, subject="咨询")
    EventRegistration.objects.create(event=EventFactory(), organization=drop)
    DealFactory(seller=drop, buyer=other, patents=[patent])
    bought = DealFactory(seller=other, buyer=drop, patents=[PatentFactory(owner=other)])
    FollowUp.objects.create(deal=bought, months=6, due_on=dt.date(2024, 1, 1), organization=drop)
    PledgeFactory(borrower=drop, lender=other)
    PledgeFactory(borrower=other, lender=drop)
    InsurancePolicyFactory(insured=drop, insurer=other)
    InsurancePolicyFactory(insured=other, insurer=drop)
    SubsidyFactory(organization=drop, patent=patent)
    ProductFilingFactory(organization=drop)
    OrganizationYearStats.objects.create(
        organization=drop, year=2022, revenue=Decimal(1_000_000), employees=10
    )
    MembershipFactory(organization=drop)
    OrganizationChange.objects.create(organization=drop, action="correction", reason="旧记录")
    ImportJob.objects.create(kind="patents", original_name="a.csv", organization=drop)
    OrganizationAlias.objects.create(credit_code="91150602MA0000000X", name="更早的重复", organization=drop)
    drop.agencies.add(OrganizationFactory(kind="agency"))
    OrganizationFactory(kind="sme").agencies.add(drop)
    drop.industries.add(industry("coal"))


def references_to(organization_id: int) -> dict[str, int]:
    found = {}
    for relation in organization_relations():
        count = relation.model._base_manager.filter(**{f"{relation.field}_id": organization_id}).count()
        if count:
            found[relation.label] = count
    for through, columns in organization_m2m_tables():
        for column in columns:
            count = through._base_manager.filter(**{f"{column}_id": organization_id}).count()
            if count:
                found[f"{through._meta.label}.{column}"] = count
    return found


def test_every_relation_is_moved():
    keep, drop, other = sme(name="保留公司"), sme(name="重复公司"), InstitutionFactory()
    every_relation_of(drop, other)
    before = references_to(drop.pk)
    # The data set covers every relation there is (a new foreign key fails here until planted).
    relations = {r.label for r in organization_relations()}
    assert relations <= set(before), relations - set(before)
    assert {"finance.Deal.seller", "finance.Deal.buyer", "matching.Inquiry.organization"} <= relations

    admin = make_user("admin")
    plan, outcome = organization_merge(keep=keep, drop=drop, actor=actor_for(admin))

    assert outcome.applied and set(plan.moves) == set(before)
    assert references_to(drop.pk) == {}
    assert not Organization.objects.filter(pk=drop.pk).exists()
    after = references_to(keep.pk)
    for label, count in before.items():
        assert after.get(label, 0) >= count, label
    assert Deal.objects.filter(seller=keep).count() == 1 and Deal.objects.filter(buyer=keep).count() == 1
    alias = OrganizationAlias.objects.get(credit_code=drop.credit_code)
    assert alias.organization == keep and alias.merged_by == admin and alias.name == "重复公司"
    assert OrganizationAlias.objects.filter(organization=keep).count() == 2  # the older alias came along
    run = CleanupRun.objects.get(kind=CleanupRun.Kind.MERGE)
    assert run.performed_by == admin and run.details["drop"]["credit_code"] == drop.credit_code
    # Finance records keep their history: the move is a history entry by the acting user.
    moved_deal = Deal.objects.get(buyer=keep)
    assert moved_deal.history.first().history_user == admin


def test_conflicts_are_shown_and_refused_before_writing():
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    OrganizationYearStats.objects.create(
        organization=keep, year=2023, revenue=Decimal(5_000_000), employees=50
    )
    OrganizationYearStats.objects.create(
        organization=drop, year=2023, revenue=Decimal(50_000_000), employees=50
    )
    event = EventFactory()
    EventRegistration.objects.create(event=event, organization=keep)
    EventRegistration.objects.create(event=event, organization=drop)
    DemandFactory(organization=drop)

    with pytest.raises(MergeConflicts) as refused:
        organization_merge(keep=keep, drop=drop, actor=system_actor())
    relations = sorted(c.relation for c in refused.value.plan.conflicts)
    assert relations == [
        "matching.EventRegistration.organization",
        "portal.OrganizationYearStats.organization",
    ]
    assert "年度=2023" in refused.value.message
    # Nothing written.
    assert Organization.objects.filter(pk=drop.pk).exists()
    assert Demand.objects.filter(organization=drop).count() == 1
    assert not OrganizationAlias.objects.exists() and not CleanupRun.objects.exists()

    # Resolved by keeping the kept organization's rows.
    organization_merge(keep=keep, drop=drop, actor=system_actor(), drop_conflicting=True)
    assert list(OrganizationYearStats.objects.values_list("organization", "revenue")) == [
        (keep.pk, Decimal("5000000.00"))
    ]
    assert EventRegistration.objects.filter(event=event).count() == 1


def test_dry_run_writes_nothing_but_reports_the_impact():
    keep, drop = sme(name="保留公司"), sme(name="重复公司", region=region("150622"))
    deal = DealFactory(buyer=drop, contract_date=dt.date(2023, 5, 1))
    PaymentFactory(deal=deal)
    counts = {m: m.objects.count() for m in (Organization, Deal, Payment, OrganizationAlias, CleanupRun)}

    plan, outcome = organization_merge(keep=keep, drop=drop, actor=system_actor(), dry_run=True)

    assert not outcome.applied and plan.moves["finance.Deal.buyer"] == 1
    assert {m: m.objects.count() for m in counts} == counts
    assert Deal.objects.get(pk=deal.pk).buyer_id == drop.pk
    # The deal moves from 准格尔旗 (the duplicate's district) to 东胜区 (the kept one's) in 2023.
    moved = {(c["scope"], c["indicator"], c["value"]) for c in outcome.impact if c["year"] == 2023}
    assert ("150622", "sme_acquisitions", "deals") in moved and (
        "150602",
        "sme_acquisitions",
        "deals",
    ) in moved
    assert (None, "sme_acquisitions", "deals") not in moved  # the city total is the same


def test_a_later_import_naming_the_duplicate_lands_on_the_kept_organization(tmp_path):
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    organization_merge(keep=keep, drop=drop, actor=system_actor())
    stats = tmp_path / "stats.csv"
    stats.write_text(f"credit_code,year,revenue,employees\n{drop.credit_code},2024,3000000,30\n")
    result = run_import(actor=system_actor(), kind="org_stats", path=stats)
    assert not result.errors
    assert OrganizationYearStats.objects.get(year=2024).organization == keep
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(f"credit_code,name,kind,region_code\n{drop.credit_code},重复公司,sme,150602\n")
    result = run_import(actor=system_actor(), kind="organizations", path=orgs)
    assert not result.errors
    assert not Organization.objects.filter(credit_code=drop.credit_code).exists()
    assert Organization.objects.get(pk=keep.pk).name == "保留公司"


def test_command_runs_the_same_service():
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    DemandFactory(organization=drop)
    out = io.StringIO()
    call_command("merge_organizations", keep.credit_code, drop.credit_code, "--dry-run", stdout=out)
    assert "demands.Demand.organization: 1" in out.getvalue()
    assert Organization.objects.filter(pk=drop.pk).exists()
    call_command("merge_organizations", keep.credit_code, drop.credit_code, stdout=out)
    assert Demand.objects.get().organization == keep
    with pytest.raises(CommandError):
        call_command("merge_organizations", keep.credit_code, keep.credit_code)


def test_relations_are_found_generically():
    """The merge reads the relations from _meta: each foreign key to Organization is one of them."""
    expected = {
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.is_relation
        and f.related_model is Organization
        and not f.remote_field.hidden
        and model._meta.label != "portal.OrganizationPeriod"
        and not model._meta.auto_created
    }
    assert {r.label for r in organization_relations()} == expected


def test_patent_import_and_registration_honour_the_alias(tmp_path):
    keep, drop = InstitutionFactory(name="保留大学"), InstitutionFactory(name="重复大学")
    organization_merge(keep=keep, drop=drop, actor=system_actor())
    patents = tmp_path / "patents.csv"
    number = app_no(9_000_001)
    patents.write_text(f"application_no,title,owner_credit_code\n{number},一种测试装置,{drop.credit_code}\n")
    result = run_import(actor=system_actor(), kind="patents", path=patents)
    assert not result.errors, result.errors
    assert Patent.objects.get(application_no=number).owner == keep
    with pytest.raises(ApplicationError):
        organization_register(
            username="newcomer",
            email="n@example.com",
            password="a-long-password-2024",
            organization_name="重复大学",
            credit_code=drop.credit_code,
            kind="university",
        )
