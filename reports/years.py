"""Which year a report page opens on: the latest year that has records (not the current year,
which has none until the first deal of January is entered), and whether a year has any."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils import timezone

from finance.models import Deal, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from patents.models import NavigationProject

from .kpi import records as r

# (model, date field, kind): the records the KPIs and activities count, by the date that places
# them in a year.
DATED = (
    (Deal, "contract_date", "date"),
    (Payment, "date", "date"),
    (Pledge, "registration_date", "date"),
    (ProductFiling, "filing_date", "date"),
    (Subsidy, "decision_date", "date"),
    (Event, "date", "date"),
    (NavigationProject, "year_started", "year"),
)


def latest_record_year(*, today: datetime.date | None = None) -> int | None:
    """The latest year, up to this one, in which any record is dated (None: no records at all).
    Records dated after this year (a planned event) do not count."""
    this_year = (today or timezone.localdate()).year
    latest = None
    for model, field, kind in DATED:
        if kind == "year":
            found = model.objects.filter(**{f"{field}__lte": this_year}).aggregate(m=Max(field))["m"]
        else:
            found = model.objects.filter(**{f"{field}__lt": datetime.date(this_year + 1, 1, 1)}).aggregate(
                m=Max(field)
            )["m"]
            found = found.year if found else None
        if found is not None and (latest is None or found > latest):
            latest = found
    return latest


def default_report_year(*, today: datetime.date | None = None) -> int:
    """The latest year with records, or last year when there are none yet."""
    today = today or timezone.localdate()
    return latest_record_year(today=today) or today.year - 1


def year_has_records(year: int) -> bool:
    return any(model.objects.filter(r.year_q(field, year, kind)).exists() for model, field, kind in DATED)
