"""Which import jobs a user may see: their organization's; city-level staff all of them; a district
officer their own and those of organizations in their district."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.models import ImportJob
from portal.permissions import Actor, import_job_visible_q


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by", "organization").filter(import_job_visible_q(actor))


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
