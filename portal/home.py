"""The home page's counter cards: label, icon and link of each number.

Other apps add their own counters without portal importing them (dependencies point one way),
from their ``AppConfig.ready()``::

    from portal.home import register_home_stat

    register_home_stat(
        key="patents", label=_("可转化专利"), icon="bi-file-earmark-text", order=10,
        count=lambda: Patent.objects.available().count(), url_name="patents:list",
    )
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .selectors import verified_organization_counts


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


# The portal's own counters: verified organizations by audience (``verified_organization_counts``).
_ORGANIZATION_COUNTERS = (
    ("suppliers", _("认证高校院所与企业"), "bi-building"),
    ("smes", _("认证中小微企业"), "bi-shop"),
    ("agencies", _("知识产权服务机构"), "bi-briefcase"),
    ("financers", _("合作金融机构"), "bi-bank"),
)


def home_stats() -> list[HomeStat]:
    """Counters for the home page: the portal's organization counts (orders 50-53) and those other
    apps registered with ``register_home_stat``, sorted by order."""
    counts = verified_organization_counts()
    stats = [
        (50 + index, HomeStat(key=key, label=label, value=counts[key], icon=icon))
        for index, (key, label, icon) in enumerate(_ORGANIZATION_COUNTERS)
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
