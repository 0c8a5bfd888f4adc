from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from portal.navigation import register_nav_item

        from . import permissions
        from .export_jobs import register_kinds

        # Menu entries, each shown to whom its page's predicate allows (portal/navigation.py).
        register_nav_item(
            key="workbench",
            label=_("工作台"),
            url_name="workbench:home",
            allowed=permissions.can_use_workbench,
            order=10,
            icon="bi-list-check",
            description=_("待办事项与提醒，登录后的第一站。"),
        )
        register_nav_item(
            key="dashboard",
            label=_("监管看板"),
            url_name="reports:dashboard",
            allowed=permissions.can_view_reports,
            group="supervision",
            order=140,
            icon="bi-speedometer2",
            description=_("全市及各旗区的转化运营指标。"),
        )

        register_kinds()  # the KPI files portal's file jobs build
