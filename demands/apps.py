from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demands"
    verbose_name = _("技术需求")

    def ready(self):
        from portal.home import register_home_stat

        from .selectors import demand_open_count

        register_home_stat(
            key="demands",
            label=_("征集中的技术需求"),
            count=demand_open_count,
            icon="bi-megaphone",
            order=20,
            url_name="demands:list",
        )

        from django.utils.translation import pgettext_lazy

        from portal.navigation import register_nav_item
        from portal.permissions import anyone

        from .permissions import has_own_demands

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="demands",
            label=pgettext_lazy("navbar", "技术需求"),
            url_name="demands:list",
            allowed=anyone,
            order=30,
        )
        register_nav_item(
            key="my-demands",
            label=_("我的需求"),
            url_name="demands:mine",
            allowed=has_own_demands,
            group="business",
            order=80,
        )
