"""Writes of file jobs: ask for one (recorded, then sent after commit), build it (the task)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.background import dispatch_on_commit
from portal.errors import ApplicationError
from portal.models import FileJob

from ..permissions import Actor
from .registry import kind_get

logger = logging.getLogger(__name__)

# The same file asked for again this soon (a double click, a reload of the old export URL) is the
# job already under way or just made, not a second build.
REUSE_WITHIN = timedelta(minutes=2)


@transaction.atomic
def file_job_request(*, kind: str, params: dict, actor: Actor, language: str = "") -> FileJob:
    """Record a job for ``actor`` and send its build after commit; an identical job of the same user
    that is under way or was finished moments ago is returned instead."""
    kind_get(kind)  # an unknown kind is a programming error, raised before anything is stored
    recent = (
        FileJob.objects.filter(
            requested_by=actor.user,
            kind=kind,
            params=params,
            language=language,
            created_at__gte=timezone.now() - REUSE_WITHIN,
        )
        .exclude(status=FileJob.Status.FAILED)
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent
    job = FileJob.objects.create(
        kind=kind, params=params, language=language, requested_by=actor.user, stage=_("排队等待后台任务")
    )
    dispatch_on_commit("portal.tasks.file_job_build", job_id=job.pk)
    return job


def _progress_writer(job_id: int):
    """Progress is written outside any transaction of the build, so the page sees it as it goes."""

    def write(percent: int, stage: str) -> None:
        FileJob.objects.filter(pk=job_id).update(
            progress=max(0, min(100, percent)), stage=stage[:100], updated_at=timezone.now()
        )

    return write


def file_job_build(*, job_id: int) -> FileJob | None:
    """Build the job's file and store it; a failure is recorded on the job (with the message the
    user should read) instead of being raised. Idempotent: a finished job is left as it is."""
    job = FileJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status == FileJob.Status.DONE:
        return job
    FileJob.objects.filter(pk=job_id).update(status=FileJob.Status.RUNNING, updated_at=timezone.now())
    # Stages and messages are written in the language the user read the page in.
    with translation.override(job.language or None):
        return _build(job)


def _build(job: FileJob) -> FileJob | None:
    progress = _progress_writer(job.pk)
    try:
        progress(5, _("开始生成"))
        built = kind_get(job.kind).build(job.params, job.requested_by, progress)
    except ApplicationError as error:
        message = error.message
    except PermissionDenied as error:
        message = str(error) or _("您无权生成该文件。")
    except Exception:  # the log has the traceback; the user gets a plain sentence
        logger.exception("file job %s (%s) failed", job.pk, job.kind)
        message = _("文件生成失败，请稍后重试；如仍失败，请联系平台管理员。")
    else:
        progress(95, _("保存文件"))
        job.refresh_from_db()
        if job.file:
            job.file.delete(save=False)
        job.file.save(built.filename, ContentFile(built.content), save=False)
        job.filename, job.content_type = built.filename, built.content_type
        job.status, job.progress, job.stage, job.error = FileJob.Status.DONE, 100, _("已完成"), ""
        job.finished_at = timezone.now()
        job.save()
        return job
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJob.Status.FAILED, error=message[:2000], stage="", finished_at=timezone.now()
    )
    return FileJob.objects.filter(pk=job.pk).first()


# Files made for one download are kept this long, then removed with their job (beat, nightly).
KEEP_FOR = timedelta(days=7)


def file_jobs_purge(*, older_than: timedelta = KEEP_FOR) -> int:
    """Delete the jobs asked for more than ``older_than`` ago, and their files. The number deleted."""
    old = FileJob.objects.filter(created_at__lt=timezone.now() - older_than)
    deleted = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
