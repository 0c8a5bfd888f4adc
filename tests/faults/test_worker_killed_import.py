"""A Celery worker killed (SIGKILL) in the middle of an import job: Redis hands the task to the
next worker once the visibility timeout has passed, the import runs again, the job ends DONE and
every row is there exactly once. With the production visibility timeout (an hour) the heartbeat
does it sooner: the job's task stops beating, the watchdog restarts the step within seconds.

The import writes all its rows in one transaction, so the killed attempt leaves nothing behind
(PostgreSQL rolls back when the worker's connection dies) and the second attempt creates them all;
``acks_late`` + ``task_reject_on_worker_lost`` keep the message until a worker finishes it. The
worker gets CELERY_VISIBILITY_TIMEOUT=2 (production: 3600, longer than any task).
"""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.imports import services
from portal.models import ImportJob, Organization
from portal.permissions import actor_for, system_actor
from portal.tasks import import_job_run
from tests.portal.factories import make_user

from .support import tasks_not_sent, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 30_000
QUEUE = "q-faults-import"  # this test's workers only: the session worker never takes the job
VISIBILITY_TIMEOUT = 2


def organizations_csv(rows: int) -> bytes:
    from portal.identifiers import make_credit_code

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["credit_code", "name", "kind", "region_code"])
    for n in range(rows):
        writer.writerow([make_credit_code(f"91150602MB{n:07d}"), f"断电测试企业{n}有限公司", "sme", "150602"])
    return out.getvalue().encode("utf-8")


def importer_writing(table: str) -> bool:
    """Whether another connection is inside a transaction that has written to ``table``.

    An INSERT takes a ROW EXCLUSIVE lock that is held until the transaction ends, so this sees
    the whole write phase; looking for an INSERT as the last statement in pg_stat_activity missed
    it when the machine was busy (the importer's SELECTs and progress updates come in between).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
            "AND l.pid <> pg_backend_pid()",
            [table],
        )
        return cursor.fetchone()[0] > 0


def job_status(job_id: int) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)


def confirmed_job(rows: int) -> ImportJob:
    """An organizations import of ``rows`` rows, validated here and confirmed, its task not sent."""
    actor = actor_for(make_user("bureau"))
    upload = SimpleUploadedFile("organizations.csv", organizations_csv(rows), content_type="text/csv")
    with tasks_not_sent():
        job = services.import_job_create(actor=actor, kind="organizations", uploaded_file=upload)
    job = services.import_job_validate(job=job)  # the preview step, here in this process
    assert job.status == ImportJob.Status.READY, job.message
    with tasks_not_sent():
        job = services.import_job_confirm(actor=system_actor(), job=job)
    assert job.status == ImportJob.Status.IMPORTING
    return job


def kill_while_writing(worker, job: ImportJob) -> None:
    wait_for(
        lambda: (
            importer_writing(Organization._meta.db_table) or job_status(job.pk) != ImportJob.Status.IMPORTING
        ),
        timeout=240,  # validation of the rows comes first; slow when the machine is busy
        interval=0.02,
        message="the import to start writing",
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING, (
        f"the import ended before it could be killed: {job.message} {job.result}"
    )
    time.sleep(0.2)  # some chunks written, the transaction still open
    worker.kill()
    # The killed attempt left no row: its transaction died with its connection.
    wait_for(lambda: not importer_writing(Organization._meta.db_table), timeout=20, message="the rollback")


def test_killed_worker_import_runs_again_without_duplicates(settings, tmp_path, postgres_only, start_worker):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    env = {"DJANGO_MEDIA_ROOT": str(media), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    job = confirmed_job(ROWS)
    before = Organization.objects.count()

    first = start_worker(queues=QUEUE, env=env)
    import_job_run.apply_async(kwargs={"job_id": job.pk}, queue=QUEUE)
    kill_while_writing(first, job)
    assert Organization.objects.count() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING

    start_worker(queues=QUEUE, env=env)  # Redis redelivers the unacknowledged task to it
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.IMPORTING,
        timeout=240,
        interval=0.2,
        message="the job to finish on the second worker",
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.result["created"] == ROWS and job.result["updated"] == job.result["unchanged"] == 0
    assert Organization.objects.count() == before + ROWS
    assert (
        Organization.objects.filter(name__startswith="断电测试企业").values("credit_code").distinct().count()
        == ROWS
    )


def test_killed_worker_import_is_restarted_by_the_watchdog_not_after_an_hour(
    settings, postgres_only, start_worker, celery_worker
):
    """Production settings: the broker would hand the message on after an hour. The task beats every
    second here; once it has been silent PORTAL_IMPORT_STALL_SECONDS the watchdog (run here as beat
    would run it) takes the step away from the dead task and sends it again, to the session's
    worker on the default queue (same media folder as this process)."""
    rows = 12_000
    settings.PORTAL_IMPORT_STALL_SECONDS = 3
    env = {"CELERY_VISIBILITY_TIMEOUT": "3600", "PORTAL_IMPORT_HEARTBEAT_SECONDS": "1"}
    job = confirmed_job(rows)
    before = Organization.objects.count()

    first = start_worker(queues=QUEUE, env=env)
    import_job_run.apply_async(kwargs={"job_id": job.pk}, queue=QUEUE)
    kill_while_writing(first, job)
    assert Organization.objects.count() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING and job.task_id  # still taken by the dead task

    wait_for(
        lambda: services.import_jobs_restart_stalled() == [job.pk],
        timeout=30,
        interval=0.5,
        message="the watchdog to see the silent task",
    )
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.IMPORTING,
        timeout=240,
        interval=0.2,
        message="the restarted step to finish",
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.restarts == 1 and job.result["created"] == rows
    assert Organization.objects.count() == before + rows
