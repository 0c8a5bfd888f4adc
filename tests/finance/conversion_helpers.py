"""Shared set-up for the conversion-loop tests: an SME and an institution with an agreed inquiry
about a published patent (asking price ¥80,000), through the real inquiry services."""

from decimal import Decimal

from matching.models import Inquiry
from matching.services.inquiries import inquiry_accept, inquiry_create, inquiry_transition
from portal.permissions import actor_for
from tests.matching.factories import make_patent
from tests.portal.factories import make_user


def agreed_inquiry(*, sme_user=None, owner_user=None, price: str = "80000.00", **patent_fields):
    owner_user = owner_user or make_user("institution")
    sme_user = sme_user or make_user("sme")
    patent_fields.setdefault("asking_price", Decimal(price))
    patent = make_patent(owner=actor_for(owner_user).organization, **patent_fields)
    inquiry = inquiry_create(
        actor=actor_for(sme_user), patent=patent, body="我公司希望以普通许可方式实施该专利。"
    )
    inquiry_accept(inquiry=inquiry, actor=actor_for(owner_user))
    inquiry_transition(
        inquiry=inquiry, to=Inquiry.Status.AGREED, actor=actor_for(owner_user), note="同意许可"
    )
    inquiry.refresh_from_db()
    return sme_user, owner_user, inquiry
