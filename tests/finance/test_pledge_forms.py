"""Pledge forms that catch mistakes: a patent the borrower does not hold, amounts in 万元."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance import services
from finance.models import Pledge
from portal.permissions import actor_for
from tests.finance.factories import sme
from tests.finance.test_services import errors_of, pledge_args
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return actor_for(make_user("bureau"))


def test_a_patent_the_borrower_does_not_hold_is_refused(staff):
    stranger = PatentFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.pledge_create(actor=staff, **pledge_args(patents=[stranger]))
    assert stranger.application_no in " ".join(errors_of(excinfo)["patents"])


def test_a_third_party_pledge_is_accepted_when_marked(staff):
    stranger = PatentFactory()
    pledge = services.pledge_create(actor=staff, **pledge_args(patents=[stranger], third_party=True))
    assert pledge.third_party and list(pledge.patents.all()) == [stranger]


def test_the_form_takes_wan_and_refuses_someone_elses_patent(client):
    user = make_user("bank")
    client.force_login(user)
    borrower = sme()
    data = {
        "registration_no": "Y-WAN-1",
        "borrower": borrower.pk,
        "patents": PatentFactory().application_no,
        "amount": "50万",
        "registration_date": "2023-07-01",
        "term_months": "24",
        "status": "active",
    }
    response = client.post(reverse("finance:pledge-create"), data)
    assert response.status_code == 200 and not Pledge.objects.exists()
    assert "第三方质押" in response.text
    data["third_party"] = "on"
    response = client.post(reverse("finance:pledge-create"), data)
    pledge = Pledge.objects.get(registration_no="Y-WAN-1")
    assert response.status_code == 302 and pledge.amount == 500000 and pledge.third_party


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [("500000", 500000), ("50万", 500000), ("1.2亿", 120000000), ("¥1,000", 1000), ("30万元", 300000)],
)
def test_amount_field_is_the_importers_parser(typed, yuan):
    from portal.forms import AmountField
    from portal.money import WAN, to_yuan

    assert AmountField().clean(typed) == yuan == to_yuan(typed)
    # A field in 万元 reads a bare number in 万元 and a written unit as written.
    assert AmountField(unit=WAN).clean("50") == 500000 == AmountField(unit=WAN).clean("50万")


def test_amount_field_rejects_words():
    from portal.forms import AmountField

    with pytest.raises(ValidationError):
        AmountField().clean("五十万")
    with pytest.raises(ValidationError):
        AmountField().clean("-5")


def test_demand_form_accepts_wan(client):
    from demands.models import Demand
    from tests.demands.test_views import form_data

    client.force_login(make_user("sme"))
    client.post(reverse("demands:demand-create"), form_data(budget_min="30", budget_max="50万"))
    demand = Demand.objects.filter(title=form_data()["title"]).first()
    assert demand is not None and (demand.budget_min, demand.budget_max) == (300000, 500000)


def test_borrowers_are_chosen_among_enterprises_and_institutions_with_a_search_box(client):
    from finance.forms import PledgeForm
    from portal.models import Organization
    from tests.finance.factories import bank
    from tests.patents.factories import InstitutionFactory

    enterprise, university, lender = sme(), InstitutionFactory(), bank()
    government = make_user("bureau").membership.organization
    choices = set(PledgeForm().fields["borrower"].queryset)
    assert {enterprise, university} <= choices and not {lender, government} & choices
    assert all(o.kind not in (Organization.Kind.BANK, Organization.Kind.GOVERNMENT) for o in choices)
    client.force_login(make_user("bank"))
    assert "data-org-search" in client.get(reverse("finance:pledge-create")).text
