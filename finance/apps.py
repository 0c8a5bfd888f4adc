from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = _("交易与金融")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from portal.navigation import register_nav_item
        from portal.permissions import anyone

        from . import permissions

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="cases",
            label=_("典型案例"),
            url_name="finance:case-list",
            allowed=anyone,
            group="matchmaking",
            order=60,
        )
        register_nav_item(
            key="finance",
            label=pgettext_lazy("navbar", "交易与金融"),
            url_name="finance:home",
            allowed=permissions.can_view_finance,
            order=120,
        )
        register_nav_item(
            key="pledge-candidates",
            label=_("质押候选"),
            url_name="finance:pledge-candidates",
            allowed=permissions.can_see_pledge_candidates,
            group="business",
            order=130,
        )
