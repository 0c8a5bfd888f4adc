"""Matching subscribes to what the apps below it announce (connected in ``MatchingConfig.ready``):
new listings are scored against the open demands, new or changed demands are matched, each in
Celery tasks of bounded size."""

from demands.signals import demands_published
from patents.signals import listings_published

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


def connect() -> None:
    listings_published.connect(queue_patent_matching, dispatch_uid="matching.patents")
    demands_published.connect(queue_demand_matching, dispatch_uid="matching.demands")
