"""Free-text size limits at the model level (issue 14, finding 4; portal/limits.py): event texts,
inquiry messages and the reports' narrative refuse longer text whatever the entry point."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from matching.models import Event, InquiryMessage
from matching.services.events import event_create, event_record_outcome
from portal.limits import MESSAGE_MAX, TEXT_LONG, TEXT_SHORT
from portal.permissions import actor_for
from reports.models import AnnualReport, PlanPeriod, PlanPeriodReport

from .factories import EventFactory, make_user
from .test_events import event_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Event, "description", TEXT_LONG),
        (Event, "outcome_notes", TEXT_LONG),
        (InquiryMessage, "body", MESSAGE_MAX),
        (AnnualReport, "narrative", TEXT_LONG),
        (PlanPeriodReport, "narrative", TEXT_LONG),
        (PlanPeriod, "note", TEXT_SHORT),
    ],
)
def test_free_text_fields_carry_their_limit(model, field, limit):
    model_field = model._meta.get_field(field)
    assert model_field.max_length == limit
    model_field.run_validators("x" * limit)
    with pytest.raises(ValidationError):
        model_field.run_validators("x" * (limit + 1))


def test_event_texts_are_bounded_in_the_services_and_the_api():
    staff = make_user("bureau")
    with pytest.raises(ValidationError) as error:
        event_create(actor=actor_for(staff), **event_fields(description="介" * (TEXT_LONG + 1)))
    assert "description" in error.value.message_dict
    held = EventFactory(date=dt.date.today() - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        event_record_outcome(
            event=held, actor=actor_for(staff), intentions_signed=1, outcome_notes="效" * (TEXT_LONG + 1)
        )
    assert "outcome_notes" in error.value.message_dict
    held.refresh_from_db()
    assert held.outcome_notes == ""
    event_record_outcome(
        event=held, actor=actor_for(staff), intentions_signed=1, outcome_notes="效" * TEXT_LONG
    )
    api = APIClient()
    api.force_authenticate(staff)
    response = api.post(
        f"/api/events/{held.pk}/outcome/",
        {"intentions_signed": 1, "outcome_notes": "效" * (TEXT_LONG + 1)},
        format="json",
    )
    assert response.status_code == 400
