"""Reads of the portal: organizations scoped to who is asking, and the home page counters.

Other apps add their own home page counters without portal importing them (dependencies point
one way), from their ``AppConfig.ready()``::

    from portal.selectors import register_home_stat

    register_home_stat(
        key="patents", label=_("可转化专利"), icon="bi-file-earmark-text", order=10,
        count=lambda: Patent.objects.available().count(), url_name="patents:list",
    )
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organization, OrganizationAlias
from .permissions import Actor, Role


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
    qs = Organization.objects.select_related("region")
    if actor.role in (Role.BUREAU, Role.ADMIN):
        pass
    elif actor.role == Role.DISTRICT_OFFICER:
        qs = qs.filter(region_id=actor.district_code)
    elif actor.organization_id:
        qs = qs.filter(pk=actor.organization_id)
    else:
        return qs.none()

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
    if not actor.is_staff_role:
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


@dataclass(frozen=True)
class HomeStat:
    key: str
    label: str
    value: int
    icon: str = "bi-bar-chart"
    url: str | None = None


@dataclass(frozen=True)
class _HomeStatProvider:
    key: str
    label: str
    count: Callable[[], int]
    icon: str
    order: int
    url_name: str | None


_HOME_STAT_PROVIDERS: dict[str, _HomeStatProvider] = {}


def register_home_stat(
    *,
    key: str,
    label,
    count: Callable[[], int],
    icon: str = "bi-bar-chart",
    order: int = 100,
    url_name: str | None = None,
) -> None:
    """Add (or replace, by key) a counter on the home page. ``count`` runs on each home page view."""
    _HOME_STAT_PROVIDERS[key] = _HomeStatProvider(key, label, count, icon, order, url_name)


def _url_or_none(url_name: str | None) -> str | None:
    if not url_name:
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


# The portal's own counters: verified organizations by audience, in one query.
_ORGANIZATION_COUNTERS = (
    ("suppliers", _("认证高校院所与企业"), "bi-building", Q(kind__in=Organization.SUPPLIER_KINDS)),
    ("smes", _("认证中小微企业"), "bi-shop", Q(kind=Organization.Kind.SME)),
    ("agencies", _("知识产权服务机构"), "bi-briefcase", Q(kind=Organization.Kind.AGENCY)),
    (
        "financers",
        _("合作金融机构"),
        "bi-bank",
        Q(kind__in=(Organization.Kind.BANK, Organization.Kind.INSURER)),
    ),
)


def home_stats() -> list[HomeStat]:
    """Counters for the home page: the portal's organization counts (orders 50-53) and those other
    apps registered with ``register_home_stat``, sorted by order."""
    counts = Organization.objects.filter(verified=True).aggregate(
        **{key: Count("pk", filter=condition) for key, _label, _icon, condition in _ORGANIZATION_COUNTERS}
    )
    stats = [
        (50 + index, HomeStat(key=key, label=label, value=counts[key] or 0, icon=icon))
        for index, (key, label, icon, _condition) in enumerate(_ORGANIZATION_COUNTERS)
    ]
    for provider in _HOME_STAT_PROVIDERS.values():
        stats.append(
            (
                provider.order,
                HomeStat(
                    key=provider.key,
                    label=provider.label,
                    value=provider.count(),
                    icon=provider.icon,
                    url=_url_or_none(provider.url_name),
                ),
            )
        )
    return [stat for _order, stat in sorted(stats, key=lambda pair: pair[0])]


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
