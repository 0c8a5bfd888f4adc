"""Patents and demands announce (their ``signals``), matching subscribes (``matching/receivers``):
the layers stay one-way (`.importlinter`) and publishing still queues matching after commit."""

import pytest

from demands.signals import demands_published
from matching import receivers, tasks
from patents.signals import listings_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The tasks' ``delay`` recording its calls: what the receivers would send to the broker."""
    calls = []
    for name in ("match_demands", "match_new_patents"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            receivers,
            name,
            type(name, (), {"delay": staticmethod(lambda _n=name, **kw: calls.append((_n, kw)))}),
        )
        assert task  # the real task exists
    return calls


def test_receivers_are_connected_when_django_starts():
    assert listings_published.has_listeners() and demands_published.has_listeners()


def test_announced_ids_are_queued_in_batches(queued, monkeypatch):
    monkeypatch.setattr(receivers, "PATENT_BATCH", 2)
    monkeypatch.setattr(receivers, "DEMAND_BATCH", 3)
    listings_published.send(sender=None, patent_ids=[1, 2, 3])
    demands_published.send(sender=None, demand_ids=[4, 5, 6, 7])
    assert queued == [
        ("match_new_patents", {"patent_ids": [1, 2]}),
        ("match_new_patents", {"patent_ids": [3]}),
        ("match_demands", {"demand_ids": [4, 5, 6]}),
        ("match_demands", {"demand_ids": [7]}),
    ]


def test_publishing_a_listing_announces_it_after_commit(queued, django_capture_on_commit_callbacks):
    from patents.services import patent_queue_matching

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        patent_queue_matching(patent_ids=[9, 8, 9])
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [("match_new_patents", {"patent_ids": [8, 9]})]
