"""Template tags of the market features that other apps' pages show (price guidance)."""

from django import template

from portal.permissions import actor_for

from ..permissions import can_see_price_guidance
from ..pricing import price_guidance_for_patent

register = template.Library()


@register.simple_tag(takes_context=True)
def price_guidance(context, patent):
    """The price references for a patent's listing, or None for visitors not signed in with an
    organization (the guidance is for the parties on the platform)."""
    actor = actor_for(context["request"].user)
    if not can_see_price_guidance(actor):
        return None
    return price_guidance_for_patent(patent=patent)
