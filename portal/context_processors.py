"""Template context shared by every page: the actor's role drives the navigation."""

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from .navigation import menu_for
from .permissions import Role, actor_for

# The default PORTAL_SITE_NAME, named here so that makemessages puts it in the catalog: the name
# shows translated where the catalog has it; a name set in the environment shows as it is.
gettext_noop("鄂尔多斯市专利转化运营服务平台")


def site_name() -> str:
    return gettext(settings.PORTAL_SITE_NAME)


def navigation(request):
    actor = actor_for(getattr(request, "user", None))
    return {
        "actor": actor,
        "Role": Role,
        "site_name": site_name(),
        **menu_for(actor, getattr(request, "path", "")),
    }
