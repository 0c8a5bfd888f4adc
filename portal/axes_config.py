"""django-axes (login lockout) under a name in the reader's language: its own AppConfig is named
"Axes", which the admin index would show on Chinese pages. Installed in its place in
INSTALLED_APPS; the app label stays ``axes`` (same tables, migrations and admin URLs). Its model and
field names are translated by the project's catalogue (locale/, msgids of django-axes)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = _("登录保护")
