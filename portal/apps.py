from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from . import signals  # noqa: F401  (connects the receivers)
        from .models import Organization
        from .periods import organization_saved

        # Keeps the kind/district history in step with saves made outside portal.periods.
        post_save.connect(organization_saved, sender=Organization, dispatch_uid="portal.organization_saved")
