"""Issue 14, finding 5: an import whose file breaks part-way fails closed: the reader's error is a
row error, the job is finished (never left "validating"), the upload answers normally and nothing
is written."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.identifiers import make_credit_code
from portal.imports import run_import
from portal.imports.base import ImportFileError
from portal.models import ImportJob, Organization
from portal.permissions import system_actor
from tests.patents.factories import make_user

pytestmark = pytest.mark.django_db

ROWS = 50


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["credit_code", "name", "kind", "region_code"])
    for n in range(ROWS):
        sheet.append([make_credit_code(f"91150622MA{n:07d}"), f"示例科技有限公司{n}", "sme", "150622"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def broken_after_row_5(xml: str) -> str:
    start = xml.index('<row r="6"')
    return xml[:start] + '<row r="6"><c r="A6" t="inlineStr"><is><t>oops</t></c></row>' + xml[start:]


def entity_block(xml: str) -> str:
    doctype = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    # After the XML declaration when there is one (openpyxl writes none when lxml is installed).
    declaration = re.match(r"<\?xml[^>]*\?>", xml)
    at = declaration.end() if declaration else 0
    xml = xml[:at] + doctype + xml[at:]
    # The name cell of the 8th data row (row 9), however the writer escaped its text.
    return re.sub(r'(<c r="B9"[^>]*><is><t>)[^<]*(</t>)', lambda m: m.group(1) + "&b;" + m.group(2), xml)


def test_a_sheet_broken_part_way_is_a_row_error_of_a_finished_job(
    client, tmp_path, celery_eager, django_capture_on_commit_callbacks
):
    data = rewrite_sheet(workbook_bytes(), broken_after_row_5)
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(data)
    with pytest.raises(ImportFileError) as info:
        run_import(kind="organizations", path=path, actor=system_actor())
    assert info.value.row > 1 and "行无法读取" in str(info.value)

    client.force_login(make_user("bureau"))
    upload = SimpleUploadedFile("orgs.xlsx", data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID and job.finished_at is not None
    error = job.result["errors"][0]
    assert error["row"] > 1 and "行无法读取" in error["message"]
    page = client.get(reverse("portal:import-detail", args=[job.pk])).content.decode()
    assert "行无法读取" in page
    assert not Organization.objects.filter(name__startswith="示例科技").exists()


def test_a_sheet_with_an_entity_block_is_refused(
    client, tmp_path, celery_eager, django_capture_on_commit_callbacks
):
    """defusedxml (requirements.txt) makes openpyxl refuse any DTD: the workbook is refused when it
    is opened, the upload answers with the form's message and no job or row is written."""
    data = rewrite_sheet(workbook_bytes(), entity_block)
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(data)
    with pytest.raises(ImportFileError) as info:
        run_import(kind="organizations", path=path, actor=system_actor())
    assert "无法读取" in str(info.value)

    client.force_login(make_user("bureau"))
    upload = SimpleUploadedFile("orgs.xlsx", data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # refused by the upload's own check
        assert "Excel 文件已损坏或格式不正确" in response.content.decode() and not ImportJob.objects.exists()
    else:  # refused by the validation job: a finished, invalid job
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.INVALID and job.finished_at is not None
    assert not Organization.objects.filter(name__startswith="示例科技").exists()


def test_an_unexpected_error_is_a_failed_finished_job_not_a_500(
    client, celery_eager, monkeypatch, django_capture_on_commit_callbacks
):
    from portal.imports import services

    def explode(**kwargs):
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(services, "run_import", explode)
    client.force_login(make_user("bureau"))
    upload = SimpleUploadedFile("orgs.xlsx", workbook_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert job.result["errors"][0]["row"] == 1 and "secret" not in job.message
