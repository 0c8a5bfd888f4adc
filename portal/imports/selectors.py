"""Which import jobs a user may see: their organization's; city-level staff all of them; a district
officer their own and those of organizations in their district."""

from django.db.models import Count, Q, QuerySet
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


def import_job_workbench_counts(*, actor: Actor) -> dict[str, int]:
    """The actor's imports that need a look (one query): ``errors`` (rejected rows or failed),
    ``ready`` (checked, waiting for the uploader's confirmation) and ``running``."""
    Status = ImportJob.Status
    return (
        import_job_list(actor=actor)
        .order_by()
        .aggregate(
            errors=Count("pk", filter=Q(status__in=(Status.INVALID, Status.FAILED))),
            ready=Count("pk", filter=Q(status=Status.READY)),
            running=Count("pk", filter=Q(status__in=(Status.VALIDATING, Status.IMPORTING))),
        )
    )
