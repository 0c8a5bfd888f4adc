from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patents"
    verbose_name = _("专利")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from portal.models import Industry

        from .search import forget_industry_names

        # Keyword search keeps the industries' names per process (patents/search.py).
        post_save.connect(forget_industry_names, sender=Industry, dispatch_uid="patents-industry-names")
        post_delete.connect(forget_industry_names, sender=Industry, dispatch_uid="patents-industry-names-del")

        from django.utils.translation import pgettext_lazy

        from portal.navigation import register_nav_item
        from portal.permissions import anyone

        from . import permissions

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="patents",
            label=pgettext_lazy("navbar", "专利超市"),
            url_name="patents:list",
            allowed=anyone,
            order=20,
        )
        register_nav_item(
            key="navigation",
            label=_("专利导航"),
            url_name="patents:navigation-list",
            allowed=anyone,
            group="matchmaking",
            order=50,
        )
        register_nav_item(
            key="my-patents",
            label=_("本单位专利"),
            url_name="patents:mine",
            allowed=permissions.has_own_inventory,
            group="business",
            order=100,
        )
        register_nav_item(
            key="listing-review",
            label=_("挂牌审核"),
            url_name="patents:review",
            allowed=permissions.can_review_any,
            group="supervision",
            order=150,
        )
