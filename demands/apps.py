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
