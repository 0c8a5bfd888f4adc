"""Browser imports: an uploaded file becomes an ImportJob that is validated (a dry run), shown
as a preview with every row error, and imported when the user confirms. Both steps run in Celery
so large files never block a request; the job records progress for the page to poll."""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import ImportHeartbeat, ImportJob
from portal.permissions import Actor, Role, actor_for, can_import_kind, managed_owner_ids
from portal.selectors import organization_for_credit_code

from .base import ImportFileError, importer_for, importers, run_import
from .readers import check_upload

logger = logging.getLogger(__name__)
LANGUAGE_OPTION = "language"
ALLOWED_SUFFIXES = {".csv", ".xlsx"}
PROGRESS_EVERY = 2000


def importable_kinds(actor: Actor) -> list[tuple[str, str]]:
    """(kind, label) pairs this actor may upload."""
    return [(k, str(cls.label or k)) for k, cls in sorted(importers().items()) if can_import_kind(actor, cls)]


def resolve_owner(*, actor: Actor, owner_code: str | None) -> str | None:
    """The owning organization a patent upload is for: an institution uploads for itself; an agency
    for an institution that named it as agency; bureau staff for anyone."""
    if actor.role == Role.INSTITUTION:
        return actor.organization.credit_code
    if not owner_code:
        return None
    owner = organization_for_credit_code(owner_code.strip().upper())
    if owner is None:
        raise ApplicationError(_("所属单位不存在：%(code)s") % {"code": owner_code})
    if actor.role == Role.AGENCY and owner.pk not in managed_owner_ids(actor):
        raise PermissionDenied(_("贵机构未受该单位委托，不能代其导入。"))
    return owner.credit_code


@transaction.atomic
def import_job_create(*, actor: Actor, kind: str, uploaded_file, owner_code: str | None = None) -> ImportJob:
    importer = importer_for(kind)
    if not can_import_kind(actor, importer):
        raise PermissionDenied(_("您无权导入此类数据。"))
    suffix = Path(uploaded_file.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ApplicationError(_("只接受 .csv 或 .xlsx 文件。"))
    if uploaded_file.size > settings.PORTAL_UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("文件过大：最大 %(max)d MB。") % {"max": settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    # The uploader's language: the job's row errors and messages are written in it (the worker
    # has no request). Not an importer option: _run takes it out.
    options = {LANGUAGE_OPTION: translation.get_language() or settings.LANGUAGE_CODE}
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
    options = dict(job.options or {})
    language = options.pop(LANGUAGE_OPTION, None) or settings.LANGUAGE_CODE
    with translation.override(language):
        return _run_in_language(job, options, dry_run=dry_run)


def _run_in_language(job: ImportJob, options: dict, *, dry_run: bool):
    # The importer acts as the uploader: it may check their scope and record them in history.
    actor = actor_for(job.created_by) if job.created_by_id else None
    try:
        return run_import(
            kind=job.kind,
            path=job.file.path,
            filename=job.original_name,
            options=options,
            actor=actor,
            dry_run=dry_run,
            progress=_progress(job),
        )
    except ImportFileError as exc:
        job.status, job.message = ImportJob.Status.INVALID, str(exc)
        job.result = {"errors": [{"row": exc.row, "column": "-", "message": str(exc)}]}
        job.finished_at = timezone.now()
        return None
    except Exception:  # fail closed: a finished, failed job, never one "validating" forever
        logger.exception("import job %s: %s step failed", job.pk, "validation" if dry_run else "import")
        # The reader's own errors are ImportFileError, with their row; anything else is ours, and
        # its text (SQL, paths) is for the log, not the page.
        message = _("处理文件时出错，未写入任何数据。请联系管理员（导入任务 %(id)d）。") % {"id": job.pk}
        job.status, job.message = ImportJob.Status.FAILED, message
        job.result = {"errors": [{"row": job.rows_done + 1, "column": "-", "message": message}]}
        job.finished_at = timezone.now()
        return None


def import_job_validate(*, job: ImportJob) -> ImportJob:
    """Dry run: every row checked, counts of what the import would do."""
    result = _run(job, dry_run=True)
    if result is not None:
        job.result = result.as_dict()
        job.rows_total = job.rows_done = result.rows
        job.status = ImportJob.Status.READY if result.ok else ImportJob.Status.INVALID
        if not result.ok:
            job.message = _("%(n)d 处错误，未写入任何数据。") % {"n": len(result.errors)}
        elif result.counted:
            job.message = result.counts.summary()
        else:
            job.message = _("全部 %(n)d 行校验通过；新增与更新的条数在导入时统计。") % {"n": result.rows}
    job.save(
        update_fields=["status", "result", "message", "rows_total", "rows_done", "finished_at", "updated_at"]
    )
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
    result = _run(job, dry_run=False)
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
    if not taken:
        return None
    _beat(job_id, task_id)
    return ImportJob.objects.filter(pk=job_id).first()


def _beat(job_id: int, task_id: str) -> None:
    ImportHeartbeat.objects.update_or_create(
        job_id=job_id, defaults={"task_id": task_id, "beat_at": timezone.now()}
    )


@contextlib.contextmanager
def import_job_heartbeat(*, job_id: int, task_id: str):
    """While the block runs, a thread records every PORTAL_IMPORT_HEARTBEAT_SECONDS that the
    task ``task_id`` is alive (on its own connection, outside the import's transaction). A worker
    that is killed stops beating; the watchdog then restarts the step within minutes instead of
    waiting for the broker to redeliver the message (an hour: the visibility timeout)."""
    stop = threading.Event()

    def run():
        try:
            while not stop.wait(settings.PORTAL_IMPORT_HEARTBEAT_SECONDS):
                try:
                    _beat(job_id, task_id)
                except Exception:  # a missed beat is not worth failing the import for
                    logger.warning("import job %s: heartbeat not recorded", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"import-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _stalled(now) -> list[ImportJob]:
    """Running jobs whose step was taken by a task that has not shown a sign of life within
    PORTAL_IMPORT_STALL_SECONDS: its worker was killed, lost its connection, or hangs."""
    cutoff = now - timedelta(seconds=settings.PORTAL_IMPORT_STALL_SECONDS)
    running = ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING], updated_at__lt=cutoff
    ).exclude(task_id="")
    beats = dict(
        ImportHeartbeat.objects.filter(job_id__in=[job.pk for job in running]).values_list(
            "job_id", "beat_at"
        )
    )
    return [job for job in running if beats.get(job.pk) is None or beats[job.pk] < cutoff]


def import_jobs_restart_stalled(*, now=None) -> list[int]:
    """Take a stalled step away from its dead task and send it again (the step starts over: it is
    a dry run, or an import whose transaction died with its worker), at most
    PORTAL_IMPORT_MAX_RESTARTS times; then the job fails with a message. The ids restarted."""
    from portal.tasks import import_job_run, import_job_validate

    now = now or timezone.now()
    tasks = {ImportJob.Status.VALIDATING: import_job_validate, ImportJob.Status.IMPORTING: import_job_run}
    restarted = []
    for job in _stalled(now):
        if job.restarts >= settings.PORTAL_IMPORT_MAX_RESTARTS:
            message = _("处理该文件的后台进程多次中断，已停止；未写入任何数据。请稍后重新上传或联系管理员。")
            ImportJob.objects.filter(pk=job.pk, status=job.status, task_id=job.task_id).update(
                status=ImportJob.Status.FAILED, message=message, finished_at=now, updated_at=now
            )
            continue
        message = _("处理该文件的后台进程已中断，%(time)s 已自动重新开始（第 %(n)d 次）。") % {
            "time": timezone.localtime(now).strftime("%H:%M"),
            "n": job.restarts + 1,
        }
        if not ImportJob.objects.filter(pk=job.pk, status=job.status, task_id=job.task_id).update(
            task_id="", restarts=job.restarts + 1, message=message, rows_done=0, updated_at=now
        ):
            continue  # it moved on meanwhile
        logger.warning(
            "import job %s: task %s of its %s step stalled; restarting", job.pk, job.task_id, job.status
        )
        tasks[job.status].delay(job_id=job.pk)
        restarted.append(job.pk)
    return restarted


def import_job_activity(job: ImportJob) -> str:
    """What is happening to a running job, for its page."""
    if not job.is_running:
        return ""
    now = timezone.now()
    if not job.task_id:
        return _("排队中：等待后台进程接手（已等待 %(s)d 秒）。") % {
            "s": max(0, (now - job.updated_at).total_seconds())
        }
    beat = (
        ImportHeartbeat.objects.filter(job_id=job.pk, task_id=job.task_id)
        .values_list("beat_at", flat=True)
        .first()
    )
    quiet = (now - (beat or job.updated_at)).total_seconds()
    if quiet > settings.PORTAL_IMPORT_STALL_SECONDS:
        return _("后台进程已 %(s)d 秒没有响应，系统将在几分钟内自动重新开始。") % {"s": quiet}
    return _("后台进程正在处理（%(s)d 秒前仍在运行）。") % {"s": max(0, quiet)}


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
