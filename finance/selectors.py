"""Reads of finance records, already narrowed to what the actor may see (``finance.permissions``)
and with the related rows the pages and the API need (a fixed number of queries per page).

For the KPI reports, the model querysets offer ``in_year(year)``; ``Deal.objects.with_received_amount()``
annotates 实际到账金额; ``Subsidy.objects.counted()`` are the approved and paid subsidies; and
``subsidy_cap_violations()`` lists the patents over the 50% cap (it must always be empty).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from matching.models import Event, EventRegistration
from patents.models import Patent
from portal.models import Organization
from portal.permissions import Actor, actor_for

from . import permissions
from .models import (
    PLEDGE_DUE_DAYS,
    SUBSIDY_CAP_RATIO,
    Contract,
    Deal,
    FollowUp,
    InsurancePolicy,
    Payment,
    Pledge,
    PledgePatent,
    ProductFiling,
    Subsidy,
    TypicalCase,
)
from .permissions import contract_visible_q, follow_up_visible_q
from .rules import subsidy_cap


def _patents() -> Prefetch:
    return Prefetch(
        "patents",
        queryset=Patent.objects.only("id", "application_no", "title", "owner_id").order_by("application_no"),
    )


def deal_list(*, actor: Actor) -> QuerySet[Deal]:
    return (
        Deal.objects.visible_to(actor)
        .select_related("buyer", "seller", "buyer__region", "seller__region")
        .prefetch_related(_patents())
        .with_received_amount()
    )


def deal_get(*, actor: Actor, pk: int) -> Deal:
    """The deal, or 404 when it is missing or not visible to the actor."""
    return get_object_or_404(deal_list(actor=actor), pk=pk)


def deal_payments(*, deal: Deal) -> QuerySet[Payment]:
    return deal.payments.order_by("date", "id")


def payment_list(*, actor: Actor) -> QuerySet[Payment]:
    return Payment.objects.visible_to(actor).select_related("deal", "deal__buyer", "deal__seller")


def payment_get(*, actor: Actor, pk: int) -> Payment:
    return get_object_or_404(payment_list(actor=actor), pk=pk)


def pledge_list(*, actor: Actor) -> QuerySet[Pledge]:
    return (
        Pledge.objects.visible_to(actor)
        .select_related("borrower", "borrower__region", "lender")
        .prefetch_related(_patents())
    )


def pledge_get(*, actor: Actor, pk: int) -> Pledge:
    return get_object_or_404(pledge_list(actor=actor), pk=pk)


def insurance_policy_list(*, actor: Actor) -> QuerySet[InsurancePolicy]:
    return (
        InsurancePolicy.objects.visible_to(actor)
        .select_related("insured", "insured__region", "insurer")
        .prefetch_related(_patents())
    )


def insurance_policy_get(*, actor: Actor, pk: int) -> InsurancePolicy:
    return get_object_or_404(insurance_policy_list(actor=actor), pk=pk)


def subsidy_list(*, actor: Actor) -> QuerySet[Subsidy]:
    return Subsidy.objects.visible_to(actor).select_related("organization", "organization__region", "patent")


def subsidy_get(*, actor: Actor, pk: int) -> Subsidy:
    return get_object_or_404(subsidy_list(actor=actor), pk=pk)


def product_filing_list(*, actor: Actor) -> QuerySet[ProductFiling]:
    return (
        ProductFiling.objects.visible_to(actor)
        .select_related("organization", "organization__region")
        .prefetch_related(_patents())
    )


def product_filing_get(*, actor: Actor, pk: int) -> ProductFiling:
    return get_object_or_404(product_filing_list(actor=actor), pk=pk)


def subsidy_patent_summary(*, patent_id: int) -> dict:
    """Approved total, fees basis and cap of one patent's subsidies (shown next to a subsidy)."""
    rows = Subsidy.objects.filter(patent_id=patent_id).aggregate(
        approved=Sum("approved_amount", filter=Q(status__in=Subsidy.COUNTED_STATUSES)),
        basis=Max("official_fees"),
    )
    approved = rows["approved"] or Decimal("0.00")
    basis = rows["basis"] or Decimal("0.00")
    cap = subsidy_cap(basis)
    return {
        "approved": approved,
        "basis": basis,
        "cap": cap,
        "remaining": max(cap - approved, Decimal("0.00")),
    }


def subsidy_cap_violations() -> QuerySet:
    """Patents whose approved and paid subsidies exceed 50% of the official fees (the services and
    importers refuse them, so this is a check for reports: it should always be empty)."""
    return (
        Subsidy.objects.order_by()
        .values("patent_id", "patent__application_no")
        .annotate(
            approved=Sum("approved_amount", filter=Q(status__in=Subsidy.COUNTED_STATUSES)),
            basis=Max("official_fees"),
        )
        .annotate(
            cap=ExpressionWrapper(
                F("basis") * Value(SUBSIDY_CAP_RATIO),
                output_field=DecimalField(max_digits=16, decimal_places=4),
            )
        )
        .filter(approved__gt=F("cap"))
        .order_by("patent__application_no")
    )


def finance_overview(*, actor: Actor) -> dict:
    """Counts and sums of the records the actor sees: all time and this year (one query each)."""
    year = timezone.localdate().year
    deals = Deal.objects.visible_to(actor).order_by()
    deal_totals = deals.aggregate(
        count=Count("id"),
        total=Sum("contract_amount"),
        year_count=Count("id", filter=Q(contract_date__year=year)),
        year_total=Sum("contract_amount", filter=Q(contract_date__year=year)),
        registered=Count("id", filter=Q(status=Deal.Status.REGISTERED)),
    )
    received = (
        Payment.objects.visible_to(actor)
        .order_by()
        .aggregate(total=Sum("amount"), year_total=Sum("amount", filter=Q(date__year=year)))
    )
    pledges = (
        Pledge.objects.visible_to(actor)
        .order_by()
        .aggregate(
            count=Count("id"),
            total=Sum("amount"),
            year_count=Count("id", filter=Q(registration_date__year=year)),
            year_total=Sum("amount", filter=Q(registration_date__year=year)),
            active=Count("id", filter=Q(status=Pledge.Status.ACTIVE)),
        )
    )
    policies = (
        InsurancePolicy.objects.visible_to(actor)
        .order_by()
        .aggregate(
            count=Count("id"),
            coverage_total=Sum("coverage"),
            year_count=Count("id", filter=Q(start_date__year=year)),
            premium_total=Sum("premium"),
        )
    )
    subsidies = (
        Subsidy.objects.visible_to(actor)
        .order_by()
        .aggregate(
            count=Count("id"),
            approved_total=Sum("approved_amount", filter=Q(status__in=Subsidy.COUNTED_STATUSES)),
            year_approved=Sum(
                "approved_amount", filter=Q(status__in=Subsidy.COUNTED_STATUSES, decision_date__year=year)
            ),
            pending=Count("id", filter=Q(status=Subsidy.Status.APPLIED)),
        )
    )
    filings = (
        ProductFiling.objects.visible_to(actor)
        .order_by()
        .aggregate(count=Count("id"), year_count=Count("id", filter=Q(filing_date__year=year)))
    )
    return {
        "year": year,
        "deals": deal_totals,
        "received": received,
        "pledges": pledges,
        "policies": policies,
        "subsidies": subsidies,
        "filings": filings,
    }


# --- Market features (issue 16): typical cases, pledge candidates ---------------------------------

# An SME's consent to show its patents to banks counts from registering for a bank-enterprise
# event until this many days after the event (a bank follows up on the meeting).
CANDIDATE_CONSENT_DAYS = 180


def typical_case_list(*, actor: Actor) -> QuerySet[TypicalCase]:
    """Cases the actor may read (published ones for everyone), newest first."""
    q = permissions.case_visible_q(actor)
    queryset = TypicalCase.objects.all() if q is None else TypicalCase.objects.filter(q)
    return queryset.select_related("deal", "deal__seller", "deal__buyer").prefetch_related(
        "consents", Prefetch("deal__patents", queryset=Patent.objects.only("id", "application_no", "title"))
    )


def typical_case_list_published() -> QuerySet[TypicalCase]:
    """The public list: published cases only, whoever asks."""
    return typical_case_list(actor=actor_for(None)).filter(status=TypicalCase.Status.PUBLISHED)


def typical_case_get(*, actor: Actor, pk: int) -> TypicalCase:
    """One case; 404 whether it is missing or not visible."""
    return get_object_or_404(typical_case_list(actor=actor), pk=pk)


def typical_case_deals(*, actor: Actor) -> QuerySet[Deal]:
    """Registered deals without a case yet, for the bureau's "new case" form."""
    return (
        Deal.objects.visible_to(actor)
        .filter(status=Deal.Status.REGISTERED, typical_case__isnull=True)
        .select_related("seller", "buyer")
        .order_by("-contract_date", "-id")
    )


def consenting_borrowers(*, today=None) -> QuerySet[Organization]:
    """Verified SMEs that agreed to show their pledgeable patents to banks: registered for a
    bank-enterprise event (not cancelled, not more than CANDIDATE_CONSENT_DAYS past) with consent."""
    today = today or timezone.localdate()
    consents = EventRegistration.objects.filter(
        organization_id=OuterRef("pk"),
        shares_with_banks=True,
        event__kind=Event.Kind.BANK_SME,
        event__date__gte=today - dt.timedelta(days=CANDIDATE_CONSENT_DAYS),
    ).exclude(event__status=Event.Status.CANCELLED)
    return (
        Organization.objects.filter(Exists(consents), kind=Organization.Kind.SME, verified=True)
        .select_related("region")
        .order_by("name")
    )


def pledge_candidates(*, owner_ids, today=None) -> QuerySet[Patent]:
    """Patents of ``owner_ids`` a bank could take as pledge: granted, in force (not past expiry)
    and not in an active or defaulted pledge (a released pledge frees the patent)."""
    today = today or timezone.localdate()
    pledged = PledgePatent.objects.filter(
        patent_id=OuterRef("pk"), pledge__status__in=[Pledge.Status.ACTIVE, Pledge.Status.DEFAULTED]
    )
    return (
        Patent.objects.filter(owner_id__in=owner_ids, legal_status=Patent.LegalStatus.GRANTED)
        .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=today))
        .exclude(Exists(pledged))
        .only("id", "application_no", "title", "patent_type", "owner_id", "grant_date", "expiry_date")
        .order_by("owner_id", "-grant_date", "application_no")
    )


def pledge_candidate_groups(*, actor: Actor) -> list[tuple[Organization, list[Patent]]]:
    """(SME, its candidate patents) for every consenting SME, for banks and city staff; [] for
    anyone else. Two queries whatever the number of SMEs."""
    if not permissions.can_see_pledge_candidates(actor):
        return []
    borrowers = list(consenting_borrowers())
    by_owner: dict[int, list[Patent]] = {b.pk: [] for b in borrowers}
    for patent in pledge_candidates(owner_ids=list(by_owner)):
        by_owner[patent.owner_id].append(patent)
    return [(b, by_owner[b.pk]) for b in borrowers]


def pledge_candidate_borrower(*, actor: Actor, pk: int) -> Organization:
    """One consenting SME; 404 when it did not consent or the actor may not see candidates."""
    if not permissions.can_see_pledge_candidates(actor):
        raise Http404
    return get_object_or_404(consenting_borrowers(), pk=pk)


# --- Contracts, open licences, follow-ups -----------------------------------------------------------


def _narrow(queryset: QuerySet, q) -> QuerySet:
    return queryset if q is None else queryset.filter(q)


def contract_list(*, actor: Actor) -> QuerySet:
    return _narrow(Contract.objects.all(), contract_visible_q(actor)).select_related(
        "patent", "seller", "buyer", "inquiry", "deal"
    )


def contract_get(*, actor: Actor, pk: int):
    """404 whether the contract is missing or not visible."""
    return get_object_or_404(contract_list(actor=actor), pk=pk)


def contract_history(*, contract) -> QuerySet:
    return contract.history.select_related("history_user").order_by("-history_date")[:20]


def follow_up_list(*, actor: Actor) -> QuerySet:
    return _narrow(FollowUp.objects.all(), follow_up_visible_q(actor)).select_related(
        "deal", "deal__seller", "organization"
    )


def follow_up_get(*, actor: Actor, pk: int):
    """404 whether the follow-up is missing or not visible."""
    return get_object_or_404(follow_up_list(actor=actor), pk=pk)


def follow_up_answers(*, follow_up) -> QuerySet:
    return follow_up.answers.select_related("answered_by").order_by("-revision")


def deal_follow_ups(*, deal: Deal) -> QuerySet:

    return FollowUp.objects.filter(deal=deal).prefetch_related("answers").order_by("months")


def pledge_due_count(*, actor: Actor, today=None) -> int:
    """Active pledges the actor may see as lender (a bank) or staff whose term ends within
    ``PLEDGE_DUE_DAYS`` or has ended (two queries)."""
    day = (today or timezone.localdate()) + dt.timedelta(days=PLEDGE_DUE_DAYS)
    queryset = Pledge.objects.visible_to(actor)
    if actor.organization_id is not None and not actor.is_staff_role:
        queryset = queryset.filter(lender_id=actor.organization_id)
    return queryset.due_by(day).count()
