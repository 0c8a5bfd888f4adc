"""A file job's page (progress, then the download link), its JSON status (polled by the page)
and the download; all for the user who asked for the file only."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..progress import progress_payload
from . import selectors
from .registry import kind_get


def status_payload(job) -> dict:
    """The job's state as the progress script reads it, with its download once made."""
    download_url = reverse("portal:file-job-download", args=[job.pk]) if job.file else None
    return progress_payload(job, download_url=download_url)


@login_required
@require_GET
def file_job_detail(request, pk: int):
    job = selectors.file_job_get(user=request.user, pk=pk)
    kind = kind_get(job.kind)
    return render(
        request,
        "portal/file_job.html",
        {
            "job": job,
            "title": kind.title(job.params),
            "back_url": kind.back(job.params),
            "back_label": kind.back_label,
            "state": status_payload(job),
        },
    )


@login_required
@require_GET
def file_job_status(request, pk: int):
    return JsonResponse(status_payload(selectors.file_job_get(user=request.user, pk=pk)))


@login_required
@require_GET
def file_job_download(request, pk: int):
    job = selectors.file_job_get(user=request.user, pk=pk)
    if job.is_busy or not job.file:
        raise Http404  # not made yet (or failed): the job's page says which
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=job.content_type
    )
