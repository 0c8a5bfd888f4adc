"""Reads of the portal: organizations scoped to who is asking, and the home page counts."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .identifiers import normalize_credit_code
from .models import Industry, Membership, Organization, OrganizationAlias, Region
from .permissions import Actor, can_review_organizations, organization_visible_q


def credit_code_ids() -> dict[str, int]:
    """Every credit code the portal knows → organization id: the organizations' own codes and the
    codes of duplicates merged into them (``OrganizationAlias``). The one look-up the importers
    use, so a file naming a merged duplicate lands on the kept organization."""
    ids = dict(OrganizationAlias.objects.values_list("credit_code", "organization_id"))
    ids.update(Organization.objects.values_list("credit_code", "id"))
    return ids


def organization_for_credit_code(code: str) -> Organization | None:
    """The organization a (normalised) credit code names, through a merged alias if need be."""
    organization = Organization.objects.filter(credit_code=code).first()
    if organization is None:
        alias = OrganizationAlias.objects.select_related("organization").filter(credit_code=code).first()
        organization = alias.organization if alias else None
    return organization


def organization_get_by_credit_code(value: str) -> Organization:
    """The organization a credit code names (as typed: normalised here, through a merged alias if
    need be); ValidationError for a malformed or unknown code. The one look-up of the forms and
    serializers that name an organization by its code."""
    code = normalize_credit_code(value)
    organization = organization_for_credit_code(code)
    if organization is None:
        raise ValidationError(_("平台上没有统一社会信用代码为 %(code)s 的单位。") % {"code": code})
    return organization


def region_by_code(code: str | None) -> Region | None:
    """The district a code names, None for none given; ValidationError for an unknown code."""
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError(_("未知的旗区代码：%(code)s。") % {"code": code})
    return region


def industries_by_codes(codes: list[str]) -> list[Industry]:
    """Industries from their codes, in the order given, each once; the ValidationError names every
    unknown code."""
    found = {i.code: i for i in Industry.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(_("未知的产业代码：%(codes)s。") % {"codes": "、".join(missing)})
    return [found[c] for c in dict.fromkeys(codes)]


class OrganizationStatus:
    """The review states shown in the review list's filter."""

    PENDING = "pending"
    VERIFIED = "verified"
    CHOICES = ((PENDING, _("待审核")), (VERIFIED, _("已认证")))


def organization_list(
    *, actor: Actor, q: str = "", kind: str = "", status: str = "", region: str = ""
) -> QuerySet[Organization]:
    """Organizations the actor may review: bureau staff all, a district officer those of their
    district, anyone else only their own organization. Optional filters narrow the list."""
    qs = Organization.objects.select_related("region").filter(organization_visible_q(actor))

    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if status == OrganizationStatus.PENDING:
        qs = qs.filter(verified=False)
    elif status == OrganizationStatus.VERIFIED:
        qs = qs.filter(verified=True)
    if region:
        qs = qs.filter(region_id=region)
    # Pending first, newest first: what a reviewer works through.
    return qs.order_by("verified", "-created_at", "pk")


def organization_get(*, actor: Actor, pk: int) -> Organization:
    """One organization the actor may review; 404 whether it is missing or out of scope."""
    return get_object_or_404(organization_list(actor=actor), pk=pk)


def organization_pending_count(*, actor: Actor) -> int:
    """How many organizations wait for this reviewer (0 for anyone who reviews nothing)."""
    if not can_review_organizations(actor):
        return 0
    return organization_list(actor=actor, status=OrganizationStatus.PENDING).count()


def organization_members(*, organization: Organization):
    """The members of an organization with their users, administrators first."""
    return organization.memberships.select_related("user", "district").order_by("role", "user__username")


def membership_get(*, user) -> Membership | None:
    """The user's membership with its organization, or None (anonymous, or no organization)."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.select_related("organization__region", "district").filter(user=user).first()


# --- Home page counters --------------------------------------------------------------------
# (labels, icons and links of the home page's cards: ``portal.home``)

# Verified organizations by audience.
_AUDIENCES = {
    "suppliers": Q(kind__in=Organization.SUPPLIER_KINDS),
    "smes": Q(kind=Organization.Kind.SME),
    "agencies": Q(kind=Organization.Kind.AGENCY),
    "financers": Q(kind__in=(Organization.Kind.BANK, Organization.Kind.INSURER)),
}


def verified_organization_counts() -> dict[str, int]:
    """How many verified organizations each audience has (suppliers, smes, agencies, financers), in
    one query."""
    counts = Organization.objects.filter(verified=True).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in _AUDIENCES.items()}
    )
    return {key: value or 0 for key, value in counts.items()}


# --- Organization search (the search box of organization fields) ---------------------------------

_Kind = Organization.Kind
# Which organizations each kind of organization field offers; the field names its scope and the
# search endpoint answers within it only, so a borrower's box never offers a bank.
ORGANIZATION_SCOPES: dict[str, tuple[str, ...]] = {
    # A party to a deal, pledge, policy, subsidy or filing: never a bank, insurer, agency or
    # government body.
    "party": tuple(k for k in _Kind if k not in (_Kind.BANK, _Kind.INSURER, _Kind.AGENCY, _Kind.GOVERNMENT)),
    "bank": (_Kind.BANK,),
    "insurer": (_Kind.INSURER,),
    # The enterprise of a patent navigation project.
    "enterprise": tuple(k for k in _Kind if k not in (_Kind.GOVERNMENT, _Kind.BANK, _Kind.INSURER)),
}
ORGANIZATION_SEARCH_LIMIT = 20


def organization_scope(scope: str) -> QuerySet[Organization]:
    """The organizations a field of this scope offers, by name (KeyError for an unknown scope)."""
    return Organization.objects.filter(kind__in=ORGANIZATION_SCOPES[scope]).order_by("name", "pk")


def organization_search(
    *, scope: str, q: str, limit: int = ORGANIZATION_SEARCH_LIMIT
) -> tuple[list[Organization], bool]:
    """Up to ``limit`` organizations of the scope whose name contains every word of ``q`` or whose
    unified social credit code starts with it, and whether there are more (one query)."""
    queryset = organization_scope(scope).only("pk", "name", "credit_code", "kind")
    words = q.split()
    if len(words) == 1 and len(words[0]) >= 2:
        word = words[0]
        queryset = queryset.filter(Q(name__icontains=word) | Q(credit_code__istartswith=word))
    else:
        for word in words:
            queryset = queryset.filter(name__icontains=word)
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit
