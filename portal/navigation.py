"""The navigation menu: a registry where each app contributes its entries, each with the
predicate (from that app's ``permissions.py``) that decides who sees it. Portal is the bottom
layer and imports no app, so the apps register from their ``AppConfig.ready()``::

    from portal.navigation import register_nav_item

    register_nav_item(key="finance", label=_("交易与金融"), url_name="finance:home",
                      allowed=permissions.can_view_finance, order=120)

An entry is shown exactly to the actors its predicate allows, the same predicate the page itself
asks, so a menu can neither hide a page a role may use nor offer one that answers 403
(tests/security/test_permission_matrix.py checks both for every role). Entries whose page does
not exist (an app not installed) are skipped.

Entries with a ``group`` are shown together in a dropdown menu of the navbar (so that the bar
fits on one line at 1366 px for every role); a group left with a single entry for a role is
shown as a plain link."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import permissions
from .permissions import Actor

MAIN, USER = "main", "user"


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    allowed: Callable[[Actor], bool]
    group: str = ""
    order: int = 100
    menu: str = MAIN


# The dropdown menus of the navbar: key -> label.
GROUPS = {
    "matchmaking": pgettext_lazy("navbar", "对接服务"),
    "business": pgettext_lazy("navbar", "业务办理"),
    "supervision": pgettext_lazy("navbar", "监管审核"),
}

_ITEMS: dict[str, NavItem] = {}


def register_nav_item(
    *,
    key: str,
    label,
    url_name: str,
    allowed: Callable[[Actor], bool],
    group: str = "",
    order: int = 100,
    menu: str = MAIN,
) -> None:
    """Add (or replace, by key) a menu entry shown to the actors for whom ``allowed(actor)`` holds."""
    if group and group not in GROUPS:
        raise ValueError(f"unknown navbar group {group!r}")
    _ITEMS[key] = NavItem(key, label, url_name, allowed, group, order, menu)


def registered_items() -> list[NavItem]:
    """Every entry, in menu order (for the tests)."""
    return sorted(_ITEMS.values(), key=lambda item: (item.menu, item.order, item.key))


# Portal's own pages.
register_nav_item(
    key="imports",
    label=_("数据导入"),
    url_name="portal:import-list",
    allowed=permissions.can_import,
    group="business",
    order=110,
)
register_nav_item(
    key="review",
    label=_("单位审核"),
    url_name="portal:organization-review",
    allowed=permissions.can_review_organizations,
    group="supervision",
    order=160,
)
register_nav_item(
    key="profile",
    label=_("个人资料"),
    url_name="portal:profile",
    allowed=permissions.is_signed_in,
    order=10,
    menu=USER,
)
register_nav_item(
    key="admin",
    label=_("后台管理"),
    url_name="admin:index",
    allowed=permissions.can_use_admin,
    order=90,
    menu=USER,
)


def _items(menu: str, actor: Actor, path: str) -> list[dict]:
    items = []
    for item in registered_items():
        if item.menu != menu or not item.allowed(actor):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url, "active": False, "group": item.group})
    # The most specific entry wins: /demands/mine/ is "my demands", not "demands".
    matching = [i for i in items if i["url"] != "/" and path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items


def _tree(items: list[dict]) -> list[dict]:
    """The navbar's entries: plain links, and groups (``children``) in the order of their first entry."""
    sizes: dict[str, int] = {}
    for item in items:
        if item["group"]:
            sizes[item["group"]] = sizes.get(item["group"], 0) + 1
    tree, groups = [], {}
    for item in items:
        group = item["group"]
        if not group or sizes[group] == 1:
            tree.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
            groups[group]["active"] |= item["active"]
        else:
            groups[group] = {
                "key": group,
                "label": GROUPS[group],
                "children": [item],
                "active": item["active"],
            }
            tree.append(groups[group])
    return tree


def menu_for(actor: Actor, path: str = "") -> dict:
    nav_items = _items(MAIN, actor, path)
    return {"nav_items": nav_items, "nav_tree": _tree(nav_items), "user_menu": _items(USER, actor, path)}
