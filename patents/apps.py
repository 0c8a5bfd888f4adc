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
