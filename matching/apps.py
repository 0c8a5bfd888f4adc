from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("供需匹配")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()

        from portal.navigation import USER, register_nav_item
        from portal.permissions import anyone, is_signed_in

        from . import permissions

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="events",
            label=_("对接活动"),
            url_name="matching:event-list",
            allowed=anyone,
            group="matchmaking",
            order=40,
        )
        register_nav_item(
            key="unserved",
            label=_("未满足需求"),
            url_name="matching:unserved-demands",
            allowed=permissions.can_see_unserved,
            group="matchmaking",
            order=70,
        )
        register_nav_item(
            key="my-inquiries",
            label=_("我的咨询"),
            url_name="matching:inquiry-list",
            allowed=permissions.has_inquiries,
            group="business",
            order=90,
        )
        register_nav_item(
            key="notifications",
            label=_("通知"),
            url_name="matching:notification-list",
            allowed=is_signed_in,
            order=20,
            menu=USER,
        )
        register_nav_item(
            key="subscriptions",
            label=_("我的订阅"),
            url_name="matching:subscription-list",
            allowed=permissions.has_subscriptions,
            order=30,
            menu=USER,
        )
