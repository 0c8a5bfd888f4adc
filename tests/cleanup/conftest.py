"""Data for the clean-up tests: a small clean data set in which every check finds nothing."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.identifiers import make_credit_code
from portal.models import Organization, OrganizationYearStats
from tests.finance.factories import DealFactory, PaymentFactory, PledgeFactory, sme
from tests.patents.factories import InstitutionFactory, PatentFactory, industry
from tests.portal.factories import region


def outside_code(n: int) -> str:
    """A credit code issued outside the city (呼和浩特 150100)."""
    return make_credit_code(f"12150100MB{n:07d}")


def clean_data() -> SimpleNamespace:
    """Organizations with districts and names that differ, SMEs with their yearly figures, patents
    with IPC and industry, a published listing in force, plausible amounts and dates."""
    o = SimpleNamespace()
    o.university = InstitutionFactory(name="鄂尔多斯应用技术学院", region=region("150602"))
    o.outside = InstitutionFactory(
        name="内蒙古某大学", region=None, credit_code=outside_code(1), kind=Organization.Kind.UNIVERSITY
    )
    o.sme = sme(name="准格尔旗煤机制造有限公司", region=region("150622"))
    o.sme2 = sme(name="东胜区羊绒制品有限公司", region=region("150602"))
    coal = industry("coal")
    o.patents = [
        PatentFactory(owner=o.university, industries=[coal], published=(i == 0), ipc_codes="E21D 23/00")
        for i in range(6)
    ]
    o.deals = []
    for i, patent in enumerate(o.patents):
        buyer = o.sme if i % 2 == 0 else o.sme2
        o.deals.append(
            DealFactory(
                seller=o.university,
                buyer=buyer,
                patents=[patent],
                contract_amount=Decimal(100_000 + 10_000 * i),
                contract_date=dt.date(2023, 3 + i, 1),
            )
        )
    for deal in o.deals:
        PaymentFactory(deal=deal, amount=Decimal("50000.00"), date=dt.date(2023, 11, 1))
    for organization in (o.sme, o.sme2):
        OrganizationYearStats.objects.create(
            organization=organization, year=2023, revenue=Decimal("8000000"), employees=40
        )
    return o


@pytest.fixture
def clean(db):
    return clean_data()


__all__ = ["PledgeFactory", "clean_data", "outside_code"]
