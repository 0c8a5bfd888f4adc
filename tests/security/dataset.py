"""One data set for the security tests: two organizations of each kind, every kind of record for
each, and one user per role the permission matrix walks.

Organizations "A" sit in 准格尔旗 (150622), the district of the district officer; organizations
"B" in 东胜区 (150602), outside it. ``agency_a`` acts for ``inst_a``; ``agency_b`` acts for no one.
Every record carries a marker (``MK<key>Z``) in a field its list pages show, so a test can tell
whether a page leaked it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from demands.models import Demand
from finance.models import CaseConsent, Contract, FollowUp, TypicalCase
from finance.services import contract_draft
from matching.models import EventRegistration, Inquiry, InquiryMessage, Notification, Subscription
from patents.models import NavigationProject, OpenLicense, Patent, SupplyBulletin
from portal.models import FileJob, ImportJob
from portal.permissions import actor_for
from reports.models import AnnualReport, AwardBudget, PlanPeriod, PlanPeriodReport
from tests.demands.factories import DemandFactory
from tests.finance.factories import (
    DealFactory,
    InsurancePolicyFactory,
    PaymentFactory,
    PledgeFactory,
    ProductFilingFactory,
    SubsidyFactory,
    bank,
    insurer,
)
from tests.matching.factories import EventFactory, MatchFactory
from tests.patents.factories import InstitutionFactory, PatentFactory, app_no
from tests.portal.factories import OrganizationFactory, make_user, region

# The actors of the matrix, in the order its tables list them.
ACTORS = (
    "anon",  # not signed in
    "sme_a",  # member of SME A (150622)
    "sme_b",  # member of another SME (150602)
    "inst_a",  # member of institution A (a university, 150622)
    "agency_a",  # agency acting for institution A
    "agency_b",  # agency acting for no one
    "bank_a",  # bank lending pledge_a
    "district",  # district officer of 150622
    "bureau",  # city bureau staff
    "admin",  # superuser
)

DISTRICT_A = "150622"
DISTRICT_B = "150602"


def marker(key: str) -> str:
    return f"MK{key}Z"


@dataclass
class Dataset:
    users: dict = field(default_factory=dict)  # actor -> user (no entry for "anon")
    orgs: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)  # key -> model instance

    def __getitem__(self, key):
        return self.objects[key]


def _patent(data: Dataset, key: str, owner, status: str, n: int) -> Patent:
    fields = {"listing_status": status, "title": f"{marker(key)} 一种液压支架"}
    if status == Patent.ListingStatus.SUBMITTED:
        fields["submitted_at"] = timezone.now()
    if status == Patent.ListingStatus.PUBLISHED:
        fields.update(published_at=timezone.now(), listed_until=timezone.localdate() + dt.timedelta(days=300))
    patent = PatentFactory(owner=owner, application_no=app_no(9_000_000 + n, year=2020), **fields)
    data.objects[key] = patent
    return patent


def build(media_file=ContentFile) -> Dataset:
    """Create the data set (the caller holds the transaction and the MEDIA_ROOT)."""
    data = Dataset()
    users = data.users
    users["sme_a"] = make_user("sme", district=DISTRICT_A)
    users["sme_b"] = make_user("sme", district=DISTRICT_B)
    users["inst_a"] = make_user("institution", district=DISTRICT_A)
    users["agency_a"] = make_user("agency")
    users["agency_b"] = make_user("agency")
    users["bank_a"] = make_user("bank")
    users["district"] = make_user("district_officer", district=DISTRICT_A)
    users["bureau"] = make_user("bureau")
    users["admin"] = make_user("admin")
    orgs = data.orgs
    for name in ("sme_a", "sme_b", "inst_a", "agency_a", "agency_b", "bank_a", "district", "bureau"):
        orgs[name] = actor_for(users[name]).organization
    orgs["inst_b"] = InstitutionFactory(region=region(DISTRICT_B), name=f"{marker('org_inst_b')}大学")
    orgs["bank_b"] = bank()
    orgs["insurer_a"] = insurer()
    orgs["insurer_b"] = insurer()
    orgs["inst_a"].agencies.add(orgs["agency_a"])
    data.objects["org_sme_a"] = orgs["sme_a"]
    data.objects["org_sme_b"] = orgs["sme_b"]
    for side, code in (("a", DISTRICT_A), ("b", DISTRICT_B)):
        orgs[f"sme_{side}"].name = f"{marker(f'org_sme_{side}')}有限公司"
        orgs[f"sme_{side}"].save(update_fields=["name"])
        data.objects[f"org_pending_{side}"] = OrganizationFactory(
            name=f"{marker(f'org_pending_{side}')}有限公司", region=region(code), verified=False
        )
    users["inst_b"] = make_user("institution", organization=orgs["inst_b"])
    # Contact persons are released by the double opt-in only.
    for side in ("a", "b"):
        orgs[f"inst_{side}"].contact_name = marker(f"contact_inst_{side}")
        orgs[f"inst_{side}"].save(update_fields=["contact_name"])

    # Patents: draft, submitted and published, of institution A and of institution B.
    n = 0
    for side in ("a", "b"):
        for status in ("draft", "submitted", "published"):
            n += 1
            _patent(data, f"p_{side}_{status}", orgs[f"inst_{side}"], status, n)
    for side in ("a", "b"):
        patent = data[f"p_{side}_published"]
        data.objects[f"ol_{side}"] = OpenLicense.objects.create(
            patent=patent,
            fee_mode=OpenLicense.FeeMode.LUMP_SUM,
            lump_sum=Decimal("10000.00"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=400),
            co_owners_consent=True,
        )
    bulletin = SupplyBulletin.objects.create(month=dt.date(2023, 5, 1), title="2023年5月专利供给信息")
    bulletin.patents.set([data["p_a_published"], data["p_b_published"]])
    data.objects["bulletin"] = bulletin
    for key, public in (("nav_public", True), ("nav_private", False)):
        project = NavigationProject.objects.create(
            title=marker(key),
            kind=NavigationProject.Kind.INDUSTRY_PLANNING,
            year_started=2022,
            report_public=public,
        )
        project.report_file.save(f"{key}.pdf", media_file(b"%PDF-1.4 navigation report"), save=True)
        data.objects[key] = project

    # Demands of SME A and SME B.
    for side in ("a", "b"):
        org = orgs[f"sme_{side}"]
        data.objects[f"d_{side}_draft"] = DemandFactory(
            organization=org, status=Demand.Status.DRAFT, title=f"{marker(f'd_{side}_draft')} 冷链"
        )
        data.objects[f"d_{side}_open"] = DemandFactory(
            organization=org,
            title=f"{marker(f'd_{side}_open')} 冷链",
            description=f"{marker(f'desc_d_{side}_open')} 需要冷链保鲜技术",
        )
    data.objects["d_a_verified"] = DemandFactory(
        organization=orgs["sme_a"],
        visibility=Demand.Visibility.VERIFIED,
        title=f"{marker('d_a_verified')} 冷链",
    )

    # Matching: an inquiry of each SME about the other side's published patent, a match, events.
    for side in ("a", "b"):
        inquiry = Inquiry.objects.create(
            patent=data[f"p_{side}_published"],
            organization=orgs[f"sme_{side}"],
            subject=marker(f"inq_{side}"),
            status=Inquiry.Status.REPLIED,
            first_replied_at=timezone.now(),
            created_by=users[f"sme_{side}"],
        )
        InquiryMessage.objects.create(
            inquiry=inquiry, author=users[f"sme_{side}"], organization=orgs[f"sme_{side}"], body="您好"
        )
        data.objects[f"inq_{side}"] = inquiry
        data.objects[f"n_{side}"] = Notification.objects.create(
            user=users[f"sme_{side}"],
            kind=Notification.Kind.SYSTEM,
            title=marker(f"n_{side}"),
            url="/matching/notifications/",
        )
    data.objects["match_a"] = MatchFactory(demand=data["d_a_open"], patent=data["p_a_published"])
    # Events are managed by city staff and by the officer of their district (issue 14): the
    # upcoming one is in the officer's district, the past one in the other.
    event = EventFactory(title=marker("event"), district=region(DISTRICT_A))
    EventRegistration.objects.create(event=event, organization=orgs["sme_a"], registered_by=users["sme_a"])
    data.objects["event"] = event
    data.objects["past_event"] = EventFactory(
        title=marker("past_event"),
        date=timezone.localdate() - dt.timedelta(days=30),
        district=region(DISTRICT_B),
    )

    # Finance: each kind of record for side A (parties in 150622) and side B (150602).
    for side in ("a", "b"):
        seller, buyer = orgs[f"inst_{side}"], orgs[f"sme_{side}"]
        patent = data[f"p_{side}_published"]
        data.objects[f"deal_{side}"] = DealFactory(
            deal_no=marker(f"deal_{side}"), seller=seller, buyer=buyer, patents=[patent]
        )
        paid = DealFactory(deal_no=marker(f"paydeal_{side}"), seller=seller, buyer=buyer, patents=[patent])
        data.objects[f"paydeal_{side}"] = paid
        data.objects[f"pay_{side}"] = PaymentFactory(deal=paid)
        data.objects[f"pledge_{side}"] = PledgeFactory(
            registration_no=marker(f"pledge_{side}"), borrower=buyer, lender=orgs[f"bank_{side}"], patents=[]
        )
        data.objects[f"policy_{side}"] = InsurancePolicyFactory(
            policy_no=marker(f"policy_{side}"), insured=seller, insurer=orgs[f"insurer_{side}"], patents=[]
        )
        data.objects[f"subsidy_{side}"] = SubsidyFactory(
            organization=seller,
            patent=PatentFactory(owner=seller, title=marker(f"subsidy_{side}")),
        )
        data.objects[f"filing_{side}"] = ProductFilingFactory(
            organization=buyer, product_name=marker(f"filing_{side}"), patents=[]
        )

    # Market features (issue 16): typical cases of deal_a (a draft both parties consented to) and
    # of deal_b (published); a bank-enterprise event at which SME A agreed to show its patents.
    for side, status in (("a", TypicalCase.Status.DRAFT), ("b", TypicalCase.Status.PUBLISHED)):
        deal = data[f"deal_{side}"]
        case = TypicalCase.objects.create(
            deal=deal,
            title=marker(f"case_{side}"),
            story="案例故事",
            status=status,
            published_at=timezone.now() if status == TypicalCase.Status.PUBLISHED else None,
        )
        for party, organization in (("seller", deal.seller), ("buyer", deal.buyer)):
            CaseConsent.objects.create(case=case, party=party, organization=organization)
        data.objects[f"case_{side}"] = case
    bank_event = EventFactory(title="银企对接会", kind="bank_sme", district=region(DISTRICT_A))
    EventRegistration.objects.create(
        event=bank_event,
        organization=orgs["sme_a"],
        registered_by=users["sme_a"],
        shares_with_banks=True,
        shares_with_banks_at=timezone.now(),
    )
    data.objects["bank_event"] = bank_event
    for side in ("a", "b"):
        data.objects[f"sub_{side}"] = Subscription.objects.create(
            user=users[f"sme_{side}"], kind="patents", name=marker(f"sub_{side}"), params={"q": ["液压"]}
        )
    # The conversion loop (issue 16): an agreed inquiry of each SME with its draft contract, and a
    # follow-up on each side's deal whose answer carries a marker.
    for side in ("a", "b"):
        agreed = Inquiry.objects.create(
            patent=data[f"p_{side}_published"],
            organization=orgs[f"sme_{side}"],
            subject="已达成意向",
            status=Inquiry.Status.AGREED,
            contacts_released=True,
            first_replied_at=timezone.now(),
            closed_at=timezone.now(),
            created_by=users[f"sme_{side}"],
        )
        data.objects[f"inq_agreed_{side}"] = agreed
        contract = contract_draft(inquiry=agreed, actor=actor_for(users[f"sme_{side}"]))
        Contract.objects.filter(pk=contract.pk).update(amount=Decimal("50000.00"))
        data.objects[f"contract_{side}"] = Contract.objects.get(pk=contract.pk)
        data.objects[f"fu_{side}"] = FollowUp.objects.create(
            deal=data[f"deal_{side}"],
            months=6,
            due_on=dt.date(2023, 11, 1),
            organization=orgs[f"sme_{side}"],
            status=FollowUp.Status.ANSWERED,
            implemented=True,
            product=marker(f"fu_{side}"),
            revenue=Decimal("1000.00"),
            jobs=1,
        )

    # Private files: an import upload of each institution and an annual report.
    for side in ("a", "b"):
        job = ImportJob(
            kind="patents",
            original_name=f"{marker(f'job_{side}')}.csv",
            organization=orgs[f"inst_{side}"],
            created_by=users[f"inst_{side}"],
            status=ImportJob.Status.READY,
            result={"errors": [{"row": 2, "column": "title", "message": "=HYPERLINK(1)"}]},
        )
        job.file.save(f"job_{side}.csv", media_file(b"application_no,title\n"), save=False)
        job.save()
        data.objects[f"job_{side}"] = job
    report = AnnualReport.objects.create(
        year=2022, status=AnnualReport.Status.READY, generated_at=timezone.now(), data={}
    )
    report.xlsx.save("annual-2022.xlsx", media_file(b"PK annual report"), save=True)
    data.objects["annual"] = report
    plan = PlanPeriod.objects.get(first_year=2021)  # seeded by reports migration 0004
    plan_report = PlanPeriodReport.objects.create(
        plan=plan, status=PlanPeriodReport.Status.READY, generated_at=timezone.now(), data={}
    )
    plan_report.xlsx.save("plan-2021-2023.xlsx", media_file(b"PK plan report"), save=True)
    data.objects["plan"], data.objects["plan_report"] = plan, plan_report
    AwardBudget.objects.create(year=2022, amount=Decimal("1000000.00"))
    # A file built for the bureau user (a KPI export): theirs alone.
    file_job = FileJob(
        kind="reports.kpi_export",
        params={"year": 2022, "district": None, "format": "xlsx"},
        requested_by=users["bureau"],
        status=FileJob.Status.DONE,
        progress=100,
        filename="kpi-2022.xlsx",
    )
    file_job.file.save("kpi-2022.xlsx", media_file(b"PK kpi export"), save=True)
    data.objects["file_bureau"] = file_job
    return data
