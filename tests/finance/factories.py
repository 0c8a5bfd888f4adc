"""Test data for finance records; organizations, users and patents come from the portal and
patents factories.

- ``sme(**kw)`` / ``bank(**kw)`` / ``insurer(**kw)``: verified organizations of that kind in 东胜区
  (``region=region("150622")`` to move them, ``region=None`` for outside the city).
- ``DealFactory``: a signed transfer from a new university to a new SME, dated 2023-05-01, for
  ¥100,000, of one new patent owned by the seller (``patents=[...]`` to choose them). Saved as is:
  use the services to test rules and what follows a registration.
- ``PaymentFactory``, ``PledgeFactory``, ``InsurancePolicyFactory``, ``SubsidyFactory``,
  ``ProductFilingFactory``: valid records of each kind (pledge lent by a new bank, policy by a new
  insurer, an approved subsidy of ¥300 on ¥1,000 of official fees).
"""

import datetime as dt
import itertools
from decimal import Decimal

import factory

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from portal.models import Organization
from tests.patents.factories import InstitutionFactory, PatentFactory, app_no  # noqa: F401  (re-exported)
from tests.portal.factories import OrganizationFactory, credit_code, make_user, region  # noqa: F401

_numbers = itertools.count(1)


def sme(**kwargs) -> Organization:
    return OrganizationFactory(kind=Organization.Kind.SME, **kwargs)


def bank(**kwargs) -> Organization:
    kwargs.setdefault("name", f"测试银行{next(_numbers)}支行")
    return OrganizationFactory(kind=Organization.Kind.BANK, **kwargs)


def insurer(**kwargs) -> Organization:
    kwargs.setdefault("name", f"测试保险{next(_numbers)}公司")
    return OrganizationFactory(kind=Organization.Kind.INSURER, **kwargs)


class _WithPatents(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def patents(self, create, extracted, **kwargs):
        if not create:
            return
        owner = (
            getattr(self, "seller", None) or getattr(self, "borrower", None) or getattr(self, "insured", None)
        )
        owner = owner or getattr(self, "organization", None)
        self.patents.set(extracted if extracted is not None else [PatentFactory(owner=owner)])


class DealFactory(_WithPatents):
    class Meta:
        model = Deal

    deal_no = factory.Sequence(lambda n: f"HT-2023-{n:04d}")
    kind = Deal.Kind.TRANSFER
    seller = factory.SubFactory(InstitutionFactory)
    buyer = factory.LazyFunction(sme)
    contract_date = dt.date(2023, 5, 1)
    contract_amount = Decimal("100000.00")
    status = Deal.Status.SIGNED


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    deal = factory.SubFactory(DealFactory)
    date = dt.date(2023, 6, 1)
    amount = Decimal("50000.00")


class PledgeFactory(_WithPatents):
    class Meta:
        model = Pledge

    registration_no = factory.Sequence(lambda n: f"Y2023{n:06d}")
    borrower = factory.LazyFunction(sme)
    lender = factory.LazyFunction(bank)
    lender_name = factory.LazyAttribute(lambda o: o.lender.name if o.lender else "某银行")
    amount = Decimal("5000000.00")
    registration_date = dt.date(2023, 7, 1)
    term_months = 12


class InsurancePolicyFactory(_WithPatents):
    class Meta:
        model = InsurancePolicy

    policy_no = factory.Sequence(lambda n: f"PICC2023{n:06d}")
    insured = factory.LazyFunction(sme)
    insurer = factory.LazyFunction(insurer)
    insurer_name = factory.LazyAttribute(lambda o: o.insurer.name if o.insurer else "某保险公司")
    premium = Decimal("3000.00")
    coverage = Decimal("300000.00")
    start_date = dt.date(2023, 3, 1)


class SubsidyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subsidy

    organization = factory.SubFactory(InstitutionFactory)
    patent = factory.LazyAttribute(lambda o: PatentFactory(owner=o.organization))
    official_fees = Decimal("1000.00")
    requested_amount = Decimal("500.00")
    approved_amount = Decimal("300.00")
    status = Subsidy.Status.APPROVED
    decision_date = dt.date(2023, 9, 1)


class ProductFilingFactory(_WithPatents):
    class Meta:
        model = ProductFiling

    filing_no = factory.Sequence(lambda n: f"BA2023{n:05d}")
    organization = factory.LazyFunction(sme)
    product_name = factory.Sequence(lambda n: f"智能液压支架{n}型")
    filing_date = dt.date(2023, 8, 1)
