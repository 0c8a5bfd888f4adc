from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CleanupConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cleanup"
    verbose_name = _("数据清理")

    def ready(self):
        # The admin of the lower apps is registered by now (django.contrib.admin comes first and
        # autodiscovers): give their change lists the data-quality filter the checks link to, the
        # bulk fixes as actions, and the annual reports the log of changes confirmed after freezing.
        from .admin import attach_actions, attach_report_log
        from .admin_filters import attach_quality_filters

        attach_quality_filters()
        attach_actions()
        attach_report_log()
