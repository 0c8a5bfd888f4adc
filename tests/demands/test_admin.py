"""The admin: list with search and filters, history, and the actions go through the services."""

import pytest
from django.urls import reverse

from demands.models import Demand

from .factories import DemandFactory, make_user

pytestmark = pytest.mark.django_db


def test_admin_list_search_history_and_close_action(client):
    demand = DemandFactory(title="煤矸石制备建材")
    DemandFactory(title="羊绒分梳")
    client.force_login(make_user("admin"))
    changelist = reverse("admin:demands_demand_changelist")
    response = client.get(changelist, {"q": "煤矸石", "status__exact": "open"})
    assert response.status_code == 200 and response.context["cl"].result_count == 1
    assert client.get(reverse("admin:demands_demand_history", args=[demand.pk])).status_code == 200
    client.post(changelist, {"action": "close_demands", "_selected_action": [demand.pk]})
    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED
    assert demand.history.first().history_user.is_superuser
