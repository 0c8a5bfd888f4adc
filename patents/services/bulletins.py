"""The monthly supply bulletin (集中定期发布)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Patent, SupplyBulletin

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Supply bulletin (集中定期发布)
# ---------------------------------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


@transaction.atomic
def supply_bulletin_publish(*, month: datetime.date) -> SupplyBulletin:
    """Publish (or refresh) the bulletin of the patents first listed in ``month`` and still on
    offer. Idempotent: running it again for the same month gives the same bulletin."""
    first = month.replace(day=1)
    start, end = month_bounds(first)
    patents = list(
        Patent.objects.filter(
            listing_status=Patent.ListingStatus.PUBLISHED, published_at__gte=start, published_at__lt=end
        ).values_list("pk", flat=True)
    )
    bulletin, _created = SupplyBulletin.objects.update_or_create(
        month=first,
        defaults={
            "title": _("%(year)d年%(month)d月专利供给信息公告") % {"year": first.year, "month": first.month},
            "patent_count": len(patents),
            "published_at": timezone.now(),
        },
    )
    bulletin.patents.set(patents)
    return bulletin


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
