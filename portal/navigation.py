"""The navigation menu by role, in one place. Entries whose page does not exist yet are skipped."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .permissions import Role

EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.ANONYMOUS}
STAFF = frozenset({Role.BUREAU, Role.DISTRICT_OFFICER, Role.ADMIN})
SUPPLY_SIDE = frozenset({Role.INSTITUTION, Role.AGENCY}) | STAFF
FINANCE = frozenset({Role.BANK, Role.INSURER}) | STAFF


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset


MAIN_MENU = (
    NavItem("patents", _("专利超市"), "patents:list", EVERYONE),
    NavItem("demands", _("技术需求"), "demands:list", EVERYONE),
    NavItem("events", _("对接活动"), "matching:event-list", EVERYONE),
    NavItem("navigation", _("专利导航"), "patents:navigation-list", EVERYONE),
    NavItem("cases", _("典型案例"), "finance:case-list", EVERYONE),
    NavItem("my-demands", _("我的需求"), "demands:mine", frozenset({Role.SME})),
    NavItem(
        "my-inquiries",
        _("我的咨询"),
        "matching:inquiry-list",
        frozenset({Role.SME, Role.INSTITUTION, Role.AGENCY}),
    ),
    NavItem("my-patents", _("本单位专利"), "patents:mine", frozenset({Role.INSTITUTION, Role.AGENCY})),
    NavItem("imports", _("数据导入"), "portal:import-list", SUPPLY_SIDE),
    NavItem("finance", _("交易与金融"), "finance:home", FINANCE | {Role.SME, Role.INSTITUTION}),
    NavItem("unserved", _("未满足需求"), "matching:unserved-demands", STAFF | {Role.AGENCY}),
    NavItem(
        "pledge-candidates",
        _("质押候选"),
        "finance:pledge-candidates",
        frozenset({Role.BANK, Role.BUREAU, Role.ADMIN}),
    ),
    NavItem("dashboard", _("监管看板"), "reports:dashboard", STAFF),
    NavItem("review", _("审核"), "portal:organization-review", STAFF),
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
        items.append({"key": item.key, "label": item.label, "url": url, "active": False})
    # The most specific entry wins: /demands/mine/ is "my demands", not "demands".
    matching = [i for i in items if i["url"] != "/" and path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items


def menu_for(role: Role, path: str = "") -> dict:
    return {"nav_items": _items(MAIN_MENU, role, path), "user_menu": _items(USER_MENU, role, path)}
