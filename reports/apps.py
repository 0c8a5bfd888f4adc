from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from .export_jobs import register_kinds

        register_kinds()  # the KPI files portal's file jobs build
