"""Template context shared by every page: the actor's role drives the navigation."""
from django.conf import settings

from .navigation import menu_for
from .permissions import Role, actor_for


def navigation(request):
    actor = actor_for(getattr(request, "user", None))
    return {
        "actor": actor,
        "Role": Role,
        "site_name": settings.PORTAL_SITE_NAME,
        **menu_for(actor.role, getattr(request, "path", "")),
    }
