"""Which import jobs a user may see: their organization's, or all for bureau staff."""
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import ImportJob
from portal.permissions import Actor


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("created_by", "organization")
    if actor.is_staff_role:
        return qs
    if actor.organization is None:
        return qs.none()
    return qs.filter(organization=actor.organization)


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    return get_object_or_404(import_job_list(actor=actor), pk=pk)
