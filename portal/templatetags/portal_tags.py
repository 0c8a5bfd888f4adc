"""Template helpers: query-string editing for filters/pagination, money display."""

from django import template
from django.conf import settings

from portal.imports.base import ImportFileError, importer_for
from portal.money import format_wan, format_yuan
from portal.permissions import SYSTEM_USERNAME

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination keeps filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def yuan(value) -> str:
    return format_yuan(value)


@register.filter
def wan(value) -> str:
    return format_wan(value)


@register.filter
def import_kind_label(kind: str) -> str:
    """An import kind's name in the reader's language ("patents" -> 专利清单); the code if unknown."""
    try:
        return str(importer_for(kind).label)
    except ImportFileError:
        return kind


@register.filter
def is_system_user(user) -> bool:
    """No user, or the system actor's (jobs, commands): pages show either as "系统"."""
    return user is None or user.get_username() == SYSTEM_USERNAME


@register.filter
def language_own_name(code: str) -> str:
    """A language named in itself for the language menu (settings.LANGUAGES: 中文, English)."""
    return dict(settings.LANGUAGES).get(code, code)
