"""Which import jobs a user may see: their organization's; city-level staff all of them; a district
officer their own and those of organizations in their district."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.models import ImportJob
from portal.permissions import Actor, Role


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.select_related("created_by", "organization")
    if actor.sees_whole_city:
        return qs
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        # An upload holds an organization's business data: like its records, it stays in its district.
        return qs.filter(Q(organization__region_id=actor.district_code) | Q(created_by=actor.user))
    if actor.organization is None:
        return qs.none()
    return qs.filter(organization=actor.organization)


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    return get_object_or_404(import_job_list(actor=actor), pk=pk)
