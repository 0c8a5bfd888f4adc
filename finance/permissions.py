"""Who sees and who writes finance records; querysets, views, the API and services ask here.

- City bureau staff and superusers: everything, read and write.
- District officers: the records one of whose parties is in their district (a deal's buyer or
  seller, a pledge's borrower, a policy's insured, a subsidy's or filing's organization), read
  and write.
- Banks: the pledges they lend, read and write. Insurers: the policies they underwrite, read.
- A verified organization of any kind: the records it is a party to (deals as buyer or seller,
  pledges as borrower, policies as insured, its subsidies and filings), read only; patent holders
  (and the agencies acting for them) also the deals on the patents they hold.
- Anonymous users, users without an organization and pending organizations: nothing.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from portal.permissions import Actor, Role, can_import

# The parties of each record, by model name: the fields holding organizations.
PARTIES = {
    "deal": ("buyer", "seller"),
    "payment": ("deal__buyer", "deal__seller"),
    "pledge": ("borrower",),
    "insurancepolicy": ("insured",),
    "subsidy": ("organization",),
    "productfiling": ("organization",),
}
# The financial institution's own side of a record, by model name.
INSTITUTION_SIDE = {"pledge": (Role.BANK, "lender"), "insurancepolicy": (Role.INSURER, "insurer")}
# Models that bank users may create and edit (their own pledges).
BANK_WRITABLE = {"pledge"}

# The import kinds of finance's importers (finance/importers/).
IMPORT_KINDS = frozenset({"deals", "payments", "pledges", "insurance", "subsidies", "filings"})

NOTHING = Q(pk__in=[])


def _name(model) -> str:
    return model._meta.model_name


def _district_q(model, district_code: str) -> Q:
    q = Q()
    for field in PARTIES[_name(model)]:
        q |= Q(**{f"{field}__region_id": district_code})
    return q


def _party_q(model, organization_ids: set[int]) -> Q:
    q = Q()
    for field in PARTIES[_name(model)]:
        q |= Q(**{f"{field}_id__in": organization_ids})
    return q


def _patents_held_q(model, owner_ids: set[int]) -> Q:
    """Deals (or payments of deals) on patents held by ``owner_ids``."""
    from .models import Deal

    through = Deal.patents.through
    deal_ref = "pk" if _name(model) == "deal" else "deal_id"
    return Q(Exists(through.objects.filter(deal_id=OuterRef(deal_ref), patent__owner_id__in=owner_ids)))


def _held_patent_owner_ids(actor: Actor) -> set[int]:
    from patents.permissions import managed_owner_ids

    return managed_owner_ids(actor)


def visible_q(model, actor: Actor) -> Q | None:
    """The filter for the records ``actor`` may see; None means all."""
    if actor.sees_whole_city:
        return None
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return _district_q(model, actor.district_code)
    if actor.organization is None or not actor.is_verified or actor.role in (Role.ANONYMOUS, Role.NONE):
        return NOTHING
    name = _name(model)
    q = _party_q(model, {actor.organization_id})
    side = INSTITUTION_SIDE.get(name)
    if side and actor.role == side[0]:
        q |= Q(**{f"{side[1]}_id": actor.organization_id})
    if name in ("deal", "payment"):
        owner_ids = _held_patent_owner_ids(actor)
        if owner_ids:
            q |= _patents_held_q(model, owner_ids)
    return q


def editable_q(model, actor: Actor) -> Q | None:
    """The filter for the records ``actor`` may change or delete; None means all."""
    if actor.sees_whole_city:
        return None
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return _district_q(model, actor.district_code)
    if actor.role == Role.BANK and actor.is_verified and _name(model) in BANK_WRITABLE:
        return Q(lender_id=actor.organization_id)
    return NOTHING


def can_view_finance(actor: Actor) -> bool:
    """Whether the finance pages are of any use to the actor (for menus and the overview)."""
    return actor.is_staff_role or (actor.organization is not None and actor.is_verified)


def can_import_records(actor: Actor) -> bool:
    """The finance page's import button: whoever may upload some finance kind (a bank its pledges)."""
    return can_import(actor, IMPORT_KINDS)


def lender_fixed(actor: Actor, model) -> bool:
    """A bank's pledge form names the bank itself as lender."""
    return actor.role == Role.BANK and _name(model) in BANK_WRITABLE


def can_see_history(actor: Actor, obj) -> bool:
    """The audit trail names staff members: shown to staff and to those who may edit."""
    return actor.is_staff_role or can_write(actor, obj)


def can_see_price_guidance(actor: Actor) -> bool:
    """Price references of listings are for the organizations on the platform and staff."""
    return actor.role not in (Role.ANONYMOUS, Role.NONE)


def can_create(actor: Actor, model) -> bool:
    """Whether the actor may create records of this kind at all (parties are checked by can_write)."""
    if actor.is_staff_role:
        return True
    return actor.role == Role.BANK and actor.is_verified and _name(model) in BANK_WRITABLE


def _parties(obj) -> list:
    name = _name(type(obj))
    if name == "payment":
        return [obj.deal.buyer, obj.deal.seller]
    return [getattr(obj, field) for field in PARTIES[name] if getattr(obj, f"{field}_id", None) is not None]


def can_write(actor: Actor, obj) -> bool:
    """Whether the actor may save ``obj`` as it now stands (saved or not): a district officer only
    records with a party in the district, a bank only pledges it lends."""
    if actor.sees_whole_city:
        return True
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return any(party.region_id == actor.district_code for party in _parties(obj))
    if actor.role == Role.BANK and actor.is_verified and _name(type(obj)) in BANK_WRITABLE:
        return obj.lender_id == actor.organization_id
    return False


# --- Market features (issue 16): typical cases and pledge candidates ------------------------------


def can_manage_cases(actor: Actor) -> bool:
    """City bureau staff (and superusers) write, publish and withdraw typical cases."""
    return actor.sees_whole_city


def case_party_of(actor: Actor, case) -> str | None:
    """The side of the case's deal the actor's verified organization is on (seller first), or None."""
    if actor.organization_id is None or not actor.is_verified:
        return None
    if case.deal.seller_id == actor.organization_id:
        return "seller"
    if case.deal.buyer_id == actor.organization_id:
        return "buyer"
    return None


def case_visible_q(actor: Actor) -> Q | None:
    """Typical cases the actor may read: published ones for everyone; drafts and withdrawn ones to
    city staff and to members of the deal's parties (who give their consent on the page)."""
    if actor.sees_whole_city:
        return None
    q = Q(status="published")
    if actor.organization_id is not None and actor.is_verified:
        q |= Q(deal__seller_id=actor.organization_id) | Q(deal__buyer_id=actor.organization_id)
    return q


def can_see_pledge_candidates(actor: Actor) -> bool:
    """Verified banks (银企对接) and city staff see the pledge candidates of consenting SMEs."""
    return actor.sees_whole_city or (actor.role == Role.BANK and actor.is_verified)


def can_record_candidate_pledge(actor: Actor) -> bool:
    """A bank records, from the candidates, the pledges it lends."""
    return actor.role == Role.BANK and actor.is_verified


# --- Contracts drafted from inquiries, follow-ups after deals ---------------------------------------
# A contract's sides: the seller's members and the agencies acting for it, the buyer's members.
# Staff read them (district officers: a party in their district) and record a signature made on
# paper; they never confirm on a party's behalf. A follow-up is the buyer's to answer; staff read it.

SELLER, BUYER = "seller", "buyer"


def contract_side(actor: Actor, contract) -> str | None:
    """ "seller", "buyer" or None."""
    if actor.organization is None or not actor.is_verified:
        return None
    if contract.seller_id in _held_patent_owner_ids(actor):
        return SELLER
    if actor.organization_id == contract.buyer_id:
        return BUYER
    return None


def staff_sees_parties(actor: Actor, *organizations) -> bool:
    if actor.sees_whole_city:
        return True
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return any(org.region_id == actor.district_code for org in organizations)
    return False


def can_view_contract(actor: Actor, contract) -> bool:
    return contract_side(actor, contract) is not None or staff_sees_parties(
        actor, contract.seller, contract.buyer
    )


def can_record_signed(actor: Actor, contract) -> bool:
    """Staff who may record deals with these parties may record a contract signed on paper."""
    return staff_sees_parties(actor, contract.seller, contract.buyer)


def contract_visible_q(actor: Actor) -> Q | None:
    if actor.sees_whole_city:
        return None
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return Q(seller__region_id=actor.district_code) | Q(buyer__region_id=actor.district_code)
    if actor.organization is None or not actor.is_verified:
        return NOTHING
    return Q(buyer_id=actor.organization_id) | Q(seller_id__in=_held_patent_owner_ids(actor))


def can_answer_follow_up(actor: Actor, follow_up) -> bool:
    return actor.is_verified and actor.organization_id == follow_up.organization_id


def follow_up_visible_q(actor: Actor) -> Q | None:
    if actor.sees_whole_city:
        return None
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return Q(organization__region_id=actor.district_code)
    if actor.organization is None or not actor.is_verified:
        return NOTHING
    return Q(organization_id=actor.organization_id)
