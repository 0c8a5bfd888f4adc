"""The navigation menu by role, in one place. Entries whose page does not exist yet are skipped.

Entries with a ``group`` are shown together in a dropdown menu of the navbar (so that the bar
fits on one line at 1366 px for every role); a group left with a single entry for a role is
shown as a plain link."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .permissions import Role

EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.ANONYMOUS}
STAFF = frozenset({Role.BUREAU, Role.DISTRICT_OFFICER, Role.ADMIN})
SUPPLY_SIDE = frozenset({Role.INSTITUTION, Role.AGENCY}) | STAFF
FINANCE = frozenset({Role.BANK, Role.INSURER}) | STAFF


REVIEWERS = STAFF | {Role.AGENCY}


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset
    group: str = ""


# The dropdown menus of the navbar: key -> label.
GROUPS = {
    "matchmaking": pgettext_lazy("navbar", "对接服务"),
    "business": pgettext_lazy("navbar", "业务办理"),
    "supervision": pgettext_lazy("navbar", "监管审核"),
}


MAIN_MENU = (
    NavItem("workbench", _("工作台"), "workbench:home", SIGNED_IN),
    NavItem("patents", pgettext_lazy("navbar", "专利超市"), "patents:list", EVERYONE),
    NavItem("demands", pgettext_lazy("navbar", "技术需求"), "demands:list", EVERYONE),
    NavItem("events", _("对接活动"), "matching:event-list", EVERYONE, "matchmaking"),
    NavItem("navigation", _("专利导航"), "patents:navigation-list", EVERYONE, "matchmaking"),
    NavItem("cases", _("典型案例"), "finance:case-list", EVERYONE, "matchmaking"),
    NavItem("unserved", _("未满足需求"), "matching:unserved-demands", STAFF | {Role.AGENCY}, "matchmaking"),
    NavItem("my-demands", _("我的需求"), "demands:mine", frozenset({Role.SME}), "business"),
    NavItem(
        "my-inquiries",
        _("我的咨询"),
        "matching:inquiry-list",
        frozenset({Role.SME, Role.INSTITUTION, Role.AGENCY}),
        "business",
    ),
    NavItem(
        "my-patents", _("本单位专利"), "patents:mine", frozenset({Role.INSTITUTION, Role.AGENCY}), "business"
    ),
    NavItem("imports", _("数据导入"), "portal:import-list", SUPPLY_SIDE, "business"),
    NavItem(
        "finance",
        pgettext_lazy("navbar", "交易与金融"),
        "finance:home",
        FINANCE | {Role.SME, Role.INSTITUTION},
    ),
    NavItem(
        "pledge-candidates",
        _("质押候选"),
        "finance:pledge-candidates",
        frozenset({Role.BANK, Role.BUREAU, Role.ADMIN}),
        "business",
    ),
    NavItem("dashboard", _("监管看板"), "reports:dashboard", STAFF, "supervision"),
    NavItem("listing-review", _("挂牌审核"), "patents:review", REVIEWERS, "supervision"),
    NavItem("review", _("单位审核"), "portal:organization-review", STAFF, "supervision"),
)

USER_MENU = (
    NavItem("profile", _("个人资料"), "portal:profile", SIGNED_IN),
    NavItem("notifications", _("通知"), "matching:notification-list", SIGNED_IN),
    NavItem(
        "subscriptions",
        _("我的订阅"),
        "matching:subscription-list",
        frozenset({Role.SME, Role.INSTITUTION, Role.AGENCY}),
    ),
    NavItem("admin", _("后台管理"), "admin:index", frozenset({Role.ADMIN})),
)


def _items(menu, role: Role, path: str) -> list[dict]:
    items = []
    for item in menu:
        if role not in item.roles:
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


def menu_for(role: Role, path: str = "") -> dict:
    nav_items = _items(MAIN_MENU, role, path)
    return {"nav_items": nav_items, "nav_tree": _tree(nav_items), "user_menu": _items(USER_MENU, role, path)}
