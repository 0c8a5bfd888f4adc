"""The dashboard's PDF export in headless Chromium: a click shows the job's progress at once, and
the download link once the file is made (issue 15: nothing slower than a second blocks a request)."""

import pytest

from portal.filejobs import services as filejobs
from portal.models import FileJob
from tests.reports.conftest import A, build_kpi_data
from tests.reports.test_browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_pdf_export_shows_progress_then_the_download(page, live_server, monkeypatch):
    build_kpi_data()
    # The job is held (as if the worker had not taken it yet) and built by the test when it chooses;
    # meanwhile the page's polling is cut off, so that the test and the live server never use the
    # in-memory database at the same time.
    sent = []
    monkeypatch.setattr(filejobs, "dispatch_on_commit", lambda task, **kwargs: sent.append(kwargs))
    sign_in(page, live_server, "bureau")
    page.route("**/files/*/status/", lambda route: route.abort())
    page.goto(f"/reports/?year=2023&district={A}")
    page.click("#export-pdf")
    page.wait_for_selector("#job-progress")
    assert page.locator("#job-percent").inner_text() == "0%"
    assert "排队" in page.locator("#job-stage").inner_text()
    assert page.locator("#file-job-download").count() == 0
    page.wait_for_load_state("networkidle")

    [kwargs] = sent
    filejobs.file_job_build(**kwargs)
    assert FileJob.objects.get().status == FileJob.Status.DONE
    page.unroute("**/files/*/status/")

    link = page.wait_for_selector("#file-job-download", timeout=15_000)
    assert f"kpi-2023-{A}.pdf" in link.inner_text()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"kpi-2023-{A}.pdf"
    page.screenshot(path="/tmp/kpi-export-job.png", full_page=True)
