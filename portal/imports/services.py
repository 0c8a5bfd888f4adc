"""Browser imports: an uploaded file becomes an ImportJob that is validated (a dry run), shown
as a preview with every row error, and imported when the user confirms. Both steps run in Celery
so large files never block a request; the job records progress for the page to poll."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import ImportJob, Organization
from portal.permissions import Actor, Role, actor_for

from .base import ImportFileError, importer_for, run_import
from .readers import check_upload

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".csv", ".xlsx"}
PROGRESS_EVERY = 2000


def importable_kinds(actor: Actor) -> list[tuple[str, str]]:
    """(kind, label) pairs this actor may upload."""
    from . import registry  # noqa: F401
    from .base import REGISTRY

    return [
        (k, str(cls.label or k)) for k, cls in sorted(REGISTRY.items()) if actor.role in cls.allowed_roles
    ]


def resolve_owner(*, actor: Actor, owner_code: str | None) -> str | None:
    """The owning organization a patent upload is for: an institution uploads for itself; an agency
    for an institution that named it as agency; bureau staff for anyone."""
    if actor.role == Role.INSTITUTION:
        return actor.organization.credit_code
    if not owner_code:
        return None
    owner = Organization.objects.filter(credit_code=owner_code.strip().upper()).first()
    if owner is None:
        raise ApplicationError(_("所属单位不存在：%(code)s") % {"code": owner_code})
    if actor.role == Role.AGENCY and not owner.agencies.filter(pk=actor.organization_id).exists():
        raise PermissionDenied(_("贵机构未受该单位委托，不能代其导入。"))
    return owner.credit_code


@transaction.atomic
def import_job_create(*, actor: Actor, kind: str, uploaded_file, owner_code: str | None = None) -> ImportJob:
    importer = importer_for(kind)
    if actor.role not in importer.allowed_roles:
        raise PermissionDenied(_("您无权导入此类数据。"))
    suffix = Path(uploaded_file.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ApplicationError(_("只接受 .csv 或 .xlsx 文件。"))
    if uploaded_file.size > settings.PORTAL_UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("文件过大：最大 %(max)d MB。") % {"max": settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    options = {}
    if "owner" in importer.option_names:
        owner = resolve_owner(actor=actor, owner_code=owner_code)
        if owner:
            options["owner"] = owner
    job = ImportJob(
        kind=kind,
        original_name=Path(uploaded_file.name).name[:255],
        options=options,
        organization=actor.organization,
        created_by=actor.user,
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}{suffix}", uploaded_file, save=False)
    try:
        check_upload(Path(job.file.path), uploaded_file.name)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise ApplicationError(str(exc)) from None
    job.save()
    from portal.tasks import import_job_validate

    transaction.on_commit(lambda: import_job_validate.delay(job_id=job.pk))
    return job


def _progress(job: ImportJob):
    def report(done: int, total: int | None) -> None:
        if done % PROGRESS_EVERY and total is None:
            return
        job.rows_done = done
        if total is not None:
            job.rows_total = total
        ImportJob.objects.filter(pk=job.pk).update(rows_done=job.rows_done, rows_total=job.rows_total)

    return report


def _run(job: ImportJob, *, dry_run: bool):
    # The importer acts as the uploader: it may check their scope and record them in history.
    actor = actor_for(job.created_by) if job.created_by_id else None
    try:
        return run_import(
            kind=job.kind,
            path=job.file.path,
            filename=job.original_name,
            options=job.options,
            actor=actor,
            dry_run=dry_run,
            progress=_progress(job),
        )
    except ImportFileError as exc:
        job.status, job.message = ImportJob.Status.INVALID, str(exc)
        job.result = {"errors": [{"row": 1, "column": "-", "message": str(exc)}]}
        return None


def import_job_validate(*, job: ImportJob) -> ImportJob:
    """Dry run: every row checked, counts of what the import would do."""
    result = _run(job, dry_run=True)
    if result is not None:
        job.result = result.as_dict()
        job.rows_total = job.rows_done = result.rows
        job.status = ImportJob.Status.READY if result.ok else ImportJob.Status.INVALID
        job.message = (
            result.counts.summary()
            if result.ok
            else _("%(n)d 处错误，未写入任何数据。") % {"n": len(result.errors)}
        )
    job.save(update_fields=["status", "result", "message", "rows_total", "rows_done", "updated_at"])
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.READY:
        raise ApplicationError(_("只有校验通过、待确认的导入任务才能执行导入。"))
    job.status, job.rows_done, job.task_id = ImportJob.Status.IMPORTING, 0, ""
    job.save(update_fields=["status", "rows_done", "task_id", "updated_at"])
    from portal.tasks import import_job_run

    transaction.on_commit(lambda: import_job_run.delay(job_id=job.pk))
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """The real import. Idempotent: running it twice changes nothing the second time."""
    if job.status == ImportJob.Status.DONE:
        return job
    try:
        result = _run(job, dry_run=False)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status, job.message = ImportJob.Status.FAILED, _("导入失败，数据未写入。请联系管理员。")
        result = None
    if result is not None:
        job.result = result.as_dict()
        job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.INVALID
        job.message = (
            result.counts.summary()
            if result.ok
            else _("数据在校验后发生变化，出现 %(n)d 处错误，未写入任何数据。") % {"n": len(result.errors)}
        )
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "result", "message", "rows_done", "rows_total", "finished_at", "updated_at"]
    )
    return job


def import_job_claim(*, job_id: int, status: str, task_id: str | None) -> ImportJob | None:
    """The job, when the task ``task_id`` may carry out its current step (``status``): no task has
    taken the step yet, or this very task took it before (its message came back after its worker
    died). None when the job has moved on or another task has the step (a duplicate message)."""
    task_id = task_id or f"direct-{uuid.uuid4().hex}"  # a task called as a plain function
    taken = (
        ImportJob.objects.filter(pk=job_id, status=status)
        .filter(Q(task_id="") | Q(task_id=task_id))
        .update(task_id=task_id)
    )
    return ImportJob.objects.filter(pk=job_id).first() if taken else None


def import_jobs_resend_lost(*, now=None) -> list[int]:
    """Send the task of every validating or importing job whose message no worker has taken
    within ``PORTAL_IMPORT_RESEND_SECONDS`` (lost with a broker that restarted without
    persistence, say). A message that was only slow to arrive finds the step taken and does
    nothing. Returns the ids of the jobs whose task was sent again."""
    from portal.tasks import import_job_run, import_job_validate

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PORTAL_IMPORT_RESEND_SECONDS)
    tasks = {ImportJob.Status.VALIDATING: import_job_validate, ImportJob.Status.IMPORTING: import_job_run}
    sent = []
    for job in ImportJob.objects.filter(status__in=list(tasks), task_id="", updated_at__lt=cutoff).order_by(
        "pk"
    ):
        # Mark the attempt first, so the next round waits a full period again.
        if not ImportJob.objects.filter(pk=job.pk, task_id="", status=job.status).update(updated_at=now):
            continue
        logger.warning(
            "import job %s: no worker took its %s step since %s; sending it again",
            job.pk,
            job.status,
            job.updated_at,
        )
        tasks[job.status].delay(job_id=job.pk)
        sent.append(job.pk)
    return sent
