"""Matching subscribes to what the apps below it announce (connected in ``MatchingConfig.ready``):
new listings are scored against the open demands and new or changed demands are matched, each in
Celery tasks of bounded size; the owner of a reviewed listing is notified of the decision."""

from django.urls import reverse

from demands.signals import demands_published
from patents.signals import listing_reviewed, listings_published

from .services.notifications import notification_create, owner_side_organization_ids
from .tasks import match_demands, match_new_patents

# Ids per task: a patent batch is scored against every open demand in one pass of the engine; a
# demand is matched against the whole index, so its batches are smaller.
PATENT_BATCH = 5000
DEMAND_BATCH = 500


def queue_patent_matching(sender, *, patent_ids, **kwargs) -> None:
    for start in range(0, len(patent_ids), PATENT_BATCH):
        match_new_patents.delay(patent_ids=patent_ids[start : start + PATENT_BATCH])


def queue_demand_matching(sender, *, demand_ids, **kwargs) -> None:
    for start in range(0, len(demand_ids), DEMAND_BATCH):
        match_demands.delay(demand_ids=demand_ids[start : start + DEMAND_BATCH])


def notify_listing_reviewed(sender, *, patent, approved: bool, note: str, reviewer, **kwargs) -> None:
    """Tell the owner and the agencies acting for it how the review of their listing ended."""
    params = {"title": patent.title}
    if approved:
        code = "listing.approved"
        params["until"] = str(patent.listed_until)
        url = reverse("patents:detail", kwargs={"application_no": patent.application_no})
    else:
        code = "listing.rejected"
        params["note"] = note
        url = reverse("patents:edit", kwargs={"application_no": patent.application_no})
    notification_create(
        kind="status",
        url=url,
        organization_ids=owner_side_organization_ids([patent.owner_id])[patent.owner_id],
        exclude_user=reviewer,
        text_code=code,
        text_params=params,
    )


def connect() -> None:
    listings_published.connect(queue_patent_matching, dispatch_uid="matching.patents")
    demands_published.connect(queue_demand_matching, dispatch_uid="matching.demands")
    listing_reviewed.connect(notify_listing_reviewed, dispatch_uid="matching.notify_listing_reviewed")
