import pytest


@pytest.fixture
def fake_matching_task():
    """What ``demands_published`` announces, recorded in place of the matching engine's receiver
    (disconnected for the test, so that nothing is queued)."""
    from demands.signals import demands_published
    from matching import receivers

    calls = []

    def record(sender, *, demand_ids, **kwargs):
        calls.append({"demand_ids": demand_ids})

    demands_published.disconnect(dispatch_uid="matching.demands")
    demands_published.connect(record, dispatch_uid="test.demands")
    yield calls
    demands_published.disconnect(dispatch_uid="test.demands")
    receivers.connect()
