"""Celery adapters for match runs: ids in, re-fetch, call one service."""

from celery import shared_task

from matching.services import runs
from portal.permissions import system_actor

__all__ = [
    "match_chunk",
    "match_demand",
    "match_demands",
    "match_full_run",
    "match_new_patents",
    "match_runs_watchdog",
]


@shared_task(acks_late=True, bind=True)
def match_chunk(self, *, chunk_id: int) -> None:
    runs.match_chunk_process(chunk_id=chunk_id, worker=self.request.hostname or "")


@shared_task(acks_late=True)
def match_demand(*, demand_id: int) -> None:
    runs.demand_match(demand_id=demand_id)


@shared_task(acks_late=True)
def match_demands(*, demand_ids: list[int]) -> None:
    """Several demands at once (imports, batches of saves)."""
    runs.demands_match(demand_ids=demand_ids)


@shared_task(acks_late=True)
def match_new_patents(*, patent_ids: list[int]) -> None:
    runs.patents_match_new(patent_ids=patent_ids)


@shared_task(acks_late=True)
def match_full_run() -> int:
    """Nightly full run (beat)."""
    return runs.match_run_start(actor=system_actor()).pk


@shared_task
def match_runs_watchdog() -> list[int]:
    """Resume runs that made no progress for too long (beat, every few minutes)."""
    return runs.match_runs_resume_stuck()
