"""Writes of pledges, insurance policies, subsidies and product filings."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from patents import services as patent_services
from patents.models import Patent
from portal.models import Organization
from portal.permissions import Actor

from .. import permissions, rules
from ..history import delete_with_history, save_with_history
from ..models import InsurancePolicy, Pledge, ProductFiling, Subsidy
from ._common import (
    acting_user,
    full_clean,
    raise_if,
    require_create,
    require_write,
    set_fields,
    today,
    unique_patents,
)

# --- Pledges --------------------------------------------------------------------------------------

PLEDGE_FIELDS = frozenset(
    {
        "registration_no",
        "borrower",
        "lender",
        "lender_name",
        "amount",
        "registration_date",
        "term_months",
        "has_guarantee",
        "has_insurance",
        "has_risk_compensation",
        "third_party",
        "status",
        "notes",
    }
)


def _check_pledge(pledge: Pledge, patents: list[Patent]) -> None:
    errors = rules.pledge_errors(
        borrower_id=pledge.borrower_id,
        lender_id=pledge.lender_id,
        amount=pledge.amount,
        registration_date=pledge.registration_date,
        term_months=pledge.term_months,
        patent_count=len(patents),
        today=today(),
        foreign_patents=[p.application_no for p in patents if p.owner_id != pledge.borrower_id],
        third_party=pledge.third_party,
    )
    if pledge.lender is not None and pledge.lender.kind != Organization.Kind.BANK:
        errors.append(("lender", _("质权人须为银行。")))
    raise_if(errors)
    full_clean(pledge)


def _pledge_defaults(pledge: Pledge, actor: Actor) -> None:
    if permissions.lender_fixed(actor, Pledge):
        pledge.lender = actor.organization
    if pledge.lender is not None:
        # A registered lender is shown by its own name: a bank renaming "its" lender would make
        # bureau pages show another bank (issue 14). Free text only for unregistered lenders.
        pledge.lender_name = pledge.lender.name
    pledge.lender_name = (pledge.lender_name or "").strip()
    pledge.registration_no = (pledge.registration_no or "").strip()


@transaction.atomic
def pledge_create(*, actor: Actor, patents: Iterable[Patent], **fields) -> Pledge:
    """Record a pledge financing. A bank records its own pledges (it is the lender)."""
    require_create(actor, Pledge)
    pledge = Pledge()
    set_fields(pledge, fields, PLEDGE_FIELDS)
    _pledge_defaults(pledge, actor)
    require_write(actor, pledge)
    patents = unique_patents(patents)
    _check_pledge(pledge, patents)
    return save_with_history(pledge, user=acting_user(actor), patents=patents)


@transaction.atomic
def pledge_update(
    *, pledge: Pledge, actor: Actor, patents: Iterable[Patent] | None = None, **fields
) -> Pledge:
    require_write(actor, pledge)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    set_fields(pledge, fields, PLEDGE_FIELDS)
    _pledge_defaults(pledge, actor)
    require_write(actor, pledge)
    patent_list = unique_patents(patents) if patents is not None else list(pledge.patents.all())
    _check_pledge(pledge, patent_list)
    return save_with_history(
        pledge, user=acting_user(actor), patents=patent_list if patents is not None else None
    )


@transaction.atomic
def pledge_delete(*, pledge: Pledge, actor: Actor) -> None:
    require_write(actor, pledge)
    delete_with_history(pledge, user=acting_user(actor))


# --- Insurance ------------------------------------------------------------------------------------

INSURANCE_FIELDS = frozenset(
    {
        "policy_no",
        "insured",
        "insurer",
        "insurer_name",
        "premium",
        "coverage",
        "start_date",
        "premium_subsidy",
        "notes",
    }
)


def _check_policy(policy: InsurancePolicy, patents: list[Patent]) -> None:
    errors = rules.insurance_errors(
        insured_id=policy.insured_id,
        insurer_id=policy.insurer_id,
        premium=policy.premium,
        coverage=policy.coverage,
        premium_subsidy=policy.premium_subsidy,
        start_date=policy.start_date,
        patent_count=len(patents),
        today=today(),
    )
    if policy.insurer is not None and policy.insurer.kind != Organization.Kind.INSURER:
        errors.append(("insurer", _("保险机构须为保险类单位。")))
    raise_if(errors)
    full_clean(policy)


def _policy_defaults(policy: InsurancePolicy) -> None:
    if policy.insurer is not None and not (policy.insurer_name or "").strip():
        policy.insurer_name = policy.insurer.name
    policy.insurer_name = (policy.insurer_name or "").strip()
    policy.policy_no = (policy.policy_no or "").strip()
    if policy.premium_subsidy is None:
        policy.premium_subsidy = Decimal("0.00")


@transaction.atomic
def insurance_policy_create(*, actor: Actor, patents: Iterable[Patent], **fields) -> InsurancePolicy:
    require_create(actor, InsurancePolicy)
    policy = InsurancePolicy()
    set_fields(policy, fields, INSURANCE_FIELDS)
    _policy_defaults(policy)
    require_write(actor, policy)
    patents = unique_patents(patents)
    _check_policy(policy, patents)
    return save_with_history(policy, user=acting_user(actor), patents=patents)


@transaction.atomic
def insurance_policy_update(
    *, policy: InsurancePolicy, actor: Actor, patents: Iterable[Patent] | None = None, **fields
) -> InsurancePolicy:
    require_write(actor, policy)
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    set_fields(policy, fields, INSURANCE_FIELDS)
    _policy_defaults(policy)
    require_write(actor, policy)
    patent_list = unique_patents(patents) if patents is not None else list(policy.patents.all())
    _check_policy(policy, patent_list)
    return save_with_history(
        policy, user=acting_user(actor), patents=patent_list if patents is not None else None
    )


@transaction.atomic
def insurance_policy_delete(*, policy: InsurancePolicy, actor: Actor) -> None:
    require_write(actor, policy)
    delete_with_history(policy, user=acting_user(actor))


# --- Subsidies ------------------------------------------------------------------------------------

# What a subsidy's create and update set; the form shows them in this order.
SUBSIDY_FIELDS = (
    "organization",
    "patent",
    "official_fees",
    "requested_amount",
    "approved_amount",
    "status",
    "decision_date",
    "notes",
)


def _check_subsidy(subsidy: Subsidy) -> None:
    # Lock the patent: approvals of one patent are decided one after the other (the 50% cap).
    Patent.objects.select_for_update().filter(pk=subsidy.patent_id).first()
    facts = rules.load_patent_facts([subsidy.patent_id]).get(subsidy.patent_id)
    errors = rules.subsidy_errors(
        status=subsidy.status,
        official_fees=subsidy.official_fees,
        requested_amount=subsidy.requested_amount,
        approved_amount=subsidy.approved_amount,
        decision_date=subsidy.decision_date,
        patent=facts,
        today=today(),
    )
    if not errors and facts is not None:
        others = Subsidy.objects.filter(patent_id=subsidy.patent_id).exclude(pk=subsidy.pk)
        rows = [*others.values_list("status", "approved_amount", "official_fees")]
        rows.append((subsidy.status, subsidy.approved_amount, subsidy.official_fees))
        errors += rules.subsidy_cap_errors(application_no=facts.application_no, subsidies=rows)
    raise_if(errors)
    full_clean(subsidy)


@transaction.atomic
def subsidy_create(*, actor: Actor, **fields) -> Subsidy:
    """Record a subsidy application or decision; approved amounts of one patent may total at most
    50% of its official fees, and a subsidy is paid only after the patent is granted."""
    require_create(actor, Subsidy)
    subsidy = Subsidy()
    set_fields(subsidy, fields, SUBSIDY_FIELDS)
    require_write(actor, subsidy)
    _check_subsidy(subsidy)
    return save_with_history(subsidy, user=acting_user(actor))


@transaction.atomic
def subsidy_update(*, subsidy: Subsidy, actor: Actor, **fields) -> Subsidy:
    require_write(actor, subsidy)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    set_fields(subsidy, fields, SUBSIDY_FIELDS)
    require_write(actor, subsidy)
    _check_subsidy(subsidy)
    return save_with_history(subsidy, user=acting_user(actor))


@transaction.atomic
def subsidy_delete(*, subsidy: Subsidy, actor: Actor) -> None:
    require_write(actor, subsidy)
    delete_with_history(subsidy, user=acting_user(actor))


# --- Product filings ------------------------------------------------------------------------------

FILING_FIELDS = frozenset({"filing_no", "organization", "product_name", "filing_date", "notes"})


def _check_filing(filing: ProductFiling, patents: list[Patent]) -> None:
    raise_if(rules.filing_errors(filing_date=filing.filing_date, patent_count=len(patents), today=today()))
    full_clean(filing)


def _mark_implemented(patents: Iterable[Patent]) -> None:
    for patent in patents:
        if not patent.implemented:
            patent_services.patent_record_implemented(patent=patent)


@transaction.atomic
def product_filing_create(*, actor: Actor, patents: Iterable[Patent], **fields) -> ProductFiling:
    """Record a patent product filing; its patents count as implemented from then on."""
    require_create(actor, ProductFiling)
    filing = ProductFiling()
    set_fields(filing, fields, FILING_FIELDS)
    filing.filing_no = (filing.filing_no or "").strip()
    require_write(actor, filing)
    patents = unique_patents(patents)
    _check_filing(filing, patents)
    save_with_history(filing, user=acting_user(actor), patents=patents)
    _mark_implemented(patents)
    return filing


@transaction.atomic
def product_filing_update(
    *, filing: ProductFiling, actor: Actor, patents: Iterable[Patent] | None = None, **fields
) -> ProductFiling:
    require_write(actor, filing)
    filing = ProductFiling.objects.select_for_update().get(pk=filing.pk)
    set_fields(filing, fields, FILING_FIELDS)
    require_write(actor, filing)
    patent_list = unique_patents(patents) if patents is not None else list(filing.patents.all())
    _check_filing(filing, patent_list)
    save_with_history(filing, user=acting_user(actor), patents=patent_list if patents is not None else None)
    _mark_implemented(patent_list)
    return filing


@transaction.atomic
def product_filing_delete(*, filing: ProductFiling, actor: Actor) -> None:
    require_write(actor, filing)
    delete_with_history(filing, user=acting_user(actor))
