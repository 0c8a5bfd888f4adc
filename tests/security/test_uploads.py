"""Uploads: size limits at the upload page and the API, types checked by content (fake, NUL-laden,
bomb and malformed files are refused with a message and nothing is stored), files kept outside
the static root, and private files served only through views that check permissions."""

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from patents.models import NavigationProject
from portal.models import ImportJob
from reports.models import AnnualReport
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db

UPLOAD = "/imports/"
CSV = "application_no,title\n202110123456.X,一种液压支架\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def upload(client, name: str, content: bytes, kind: str = "patents"):
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def institution(client):
    client.force_login(make_user("institution"))
    return client


def refused(response, media, fragment: str) -> None:
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert fragment in errors, errors
    assert not ImportJob.objects.exists()
    assert stored_files(media) == []


# --- What is accepted --------------------------------------------------------------------------


def test_a_real_csv_and_a_real_xlsx_are_accepted(institution, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        assert upload(institution, "patents.csv", CSV.encode()).status_code == 302
        content = xlsx_bytes([["application_no", "title"], ["202110123456.X", "一种液压支架"]])
        assert upload(institution, "patents.xlsx", content).status_code == 302
    assert ImportJob.objects.count() == 2
    assert len(stored_files(media)) == 2


# --- Size ----------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_at_the_upload_page(institution, media, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1024 * 1024
    big = CSV.encode() + b"202110123456.X,x\n" * (1024 * 1024 // 17 + 10)
    refused(upload(institution, "big.csv", big), media, "文件过大")


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(institution, media, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = upload(institution, "huge.csv", CSV.encode() * 200)
    assert response.status_code == 413 and "上传内容过大" in response.content.decode()
    assert not ImportJob.objects.exists() and stored_files(media) == []


def test_an_api_body_over_the_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    client.force_login(make_user("sme"))
    body = json.dumps({"title": "需求", "description": "x" * 4000, "deal_kinds": ["transfer"]})
    response = client.post("/api/demands/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    settings.REQUEST_BODY_MAX_BYTES = 1024  # a body that is not an upload: its own, smaller limit
    response = client.post("/api/demands/", body * 3, content_type="application/json")
    assert response.status_code == 413
    from demands.models import Demand

    assert not Demand.objects.exists()


# --- Content, not only the name -------------------------------------------------------------------


def test_an_xlsx_that_is_a_zip_of_something_else(institution, media):
    fake = zip_bytes({"readme.txt": b"not a workbook", "photo.jpg": b"\xff\xd8\xff"})
    refused(upload(institution, "patents.xlsx", fake), media, "不是 Excel 工作簿")


def test_a_text_file_named_xlsx(institution, media):
    refused(upload(institution, "patents.xlsx", CSV.encode()), media, "内容不是有效的 Excel 文件")


def test_a_csv_with_nul_bytes(institution, media):
    content = CSV.encode() + b"202110123457.8,\x00\x00\x00\n"
    refused(upload(institution, "patents.csv", content), media, "空字符")


def test_a_utf16_csv_is_not_text_the_importer_reads(institution, media):
    refused(upload(institution, "patents.csv", CSV.encode("utf-16")), media, "CSV")


def test_an_xlsx_bomb(institution, media):
    # A sheet of one repeated row: 10 MB of XML that deflates to a few kilobytes (> 200:1).
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 200 + b"</t></is></c></row>"
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    sheet += row * (10 * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"
    real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["application_no"]])))
    files = {name: real.read(name) for name in real.namelist()}
    files["xl/worksheets/sheet1.xml"] = sheet
    bomb = zip_bytes(files)
    assert len(sheet) / len(bomb) >= 200
    refused(upload(institution, "patents.xlsx", bomb), media, "压缩炸弹")


def test_a_malformed_xlsx(institution, media):
    real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["application_no"]])))
    files = {name: real.read(name) for name in real.namelist()}
    files["xl/workbook.xml"] = b"<workbook><sheets><sheet name='x' r:id='broken'"  # cut off
    refused(upload(institution, "patents.xlsx", zip_bytes(files)), media, "无法打开")


def test_a_truncated_xlsx(institution, media):
    content = xlsx_bytes([["application_no"], ["202110123456.X"]])
    refused(upload(institution, "patents.xlsx", content[: len(content) // 2]), media, "Excel 文件已损坏")


def test_a_legacy_xls(institution, media):
    refused(upload(institution, "patents.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100), media, ".csv 或 .xlsx")


# --- Where files live and who gets them ------------------------------------------------------------


def test_media_lives_outside_the_static_root_and_is_not_served():
    media = Path(settings.MEDIA_ROOT).resolve()
    for static_dir in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        static_dir = static_dir.resolve()
        assert not media.is_relative_to(static_dir) and not static_dir.is_relative_to(media)
    for path in ("/media/imports/2024/01/x.csv", settings.MEDIA_URL + "navigation/2023/report.pdf"):
        with pytest.raises(Resolver404):
            resolve(path)


def test_private_files_only_through_permission_checks(client, media):
    owner = make_user("institution")
    job = ImportJob(
        kind="patents",
        original_name="patents.csv",
        organization=owner.membership.organization,
        created_by=owner,
        status=ImportJob.Status.INVALID,
        result={"errors": [{"row": 2, "column": "title", "message": "缺少标题"}]},
    )
    job.file.save("patents.csv", ContentFile(CSV.encode()), save=False)
    job.save()
    project = NavigationProject.objects.create(
        title="煤炭产业专利导航", kind="industry_planning", year_started=2023
    )
    project.report_file.save("report.pdf", ContentFile(b"%PDF-1.4 secret"), save=True)
    report = AnnualReport.objects.create(year=2023, status="ready", data={})
    report.xlsx.save("annual.xlsx", ContentFile(b"PK annual"), save=True)
    for path in (job.file.name, project.report_file.name, report.xlsx.name):
        assert client.get(settings.MEDIA_URL + path).status_code == 404

    client.force_login(make_user("institution"))  # another institution
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/errors.csv").status_code == 404
    assert client.get(f"/patents/navigation/{project.pk}/report/").status_code == 404
    assert client.get(f"/reports/annual/{report.pk}/download/xlsx/").status_code == 403

    client.force_login(owner)
    assert client.get(f"/imports/{job.pk}/errors.csv").status_code == 200
    client.force_login(make_user("bureau"))
    response = client.get(f"/patents/navigation/{project.pk}/report/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 secret"
    assert client.get(f"/reports/annual/{report.pk}/download/xlsx/").status_code == 200
