from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from portal.navigation import register_nav_item

        from . import permissions

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="workbench",
            label=_("工作台"),
            url_name="workbench:home",
            allowed=permissions.can_use_workbench,
            order=10,
        )
        register_nav_item(
            key="dashboard",
            label=_("监管看板"),
            url_name="reports:dashboard",
            allowed=permissions.can_view_reports,
            group="supervision",
            order=140,
        )
