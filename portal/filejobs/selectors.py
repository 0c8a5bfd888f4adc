"""Reads of file jobs: a job is seen only by the user who asked for it (its file holds what that
user may see, e.g. a district officer's own district); anyone else gets a 404."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import FileJob


def file_job_list(*, user) -> QuerySet[FileJob]:
    if user is None or not user.is_authenticated:
        return FileJob.objects.none()
    return FileJob.objects.filter(requested_by=user)


def file_job_get(*, user, pk: int) -> FileJob:
    return get_object_or_404(file_job_list(user=user), pk=pk)
