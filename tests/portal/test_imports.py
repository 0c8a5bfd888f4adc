"""The shared import contract, exercised through the portal's own kinds."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.identifiers import make_credit_code
from portal.imports.base import parse_date, run_import
from portal.models import ImportJob, Organization, OrganizationYearStats
from portal.permissions import system_actor

pytestmark = pytest.mark.django_db

SME = make_credit_code("91150622MA0000001")
UNI = make_credit_code("12150602MB0000002")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


GOOD = f"credit_code,name,kind,region_code\n{SME},准格尔旗示例科技有限公司,sme,150622\n{UNI},示例学院,university,\n"


def test_import_creates_then_is_idempotent(tmp_path):
    path = write(tmp_path, "orgs.csv", GOOD)
    assert run_command("organizations", path) == (0, "created 2, updated 0, unchanged 0\n", "")
    assert run_command("organizations", path) == (0, "created 0, updated 0, unchanged 2\n", "")
    org = Organization.objects.get(credit_code=SME)
    assert org.region_id == "150622" and org.kind == "sme"
    assert Organization.objects.get(credit_code=UNI).region_id is None


def test_import_updates_changed_rows(tmp_path):
    run_command("organizations", write(tmp_path, "a.csv", GOOD))
    changed = GOOD.replace("示例学院", "示例大学")
    assert (
        run_command("organizations", write(tmp_path, "b.csv", changed))[1]
        == "created 0, updated 1, unchanged 1\n"
    )


def test_bad_rows_report_every_error_and_write_nothing(tmp_path):
    bad_code = SME[:-1] + ("0" if SME[-1] != "0" else "1")
    text = (
        "credit_code,name,kind,region_code\n"
        f"{UNI},好的一行,university,150602\n"
        f"{bad_code},校验位错,sme,150622\n"
        f"{SME},,planet,999999\n"
    )
    code, out, err = run_command("organizations", write(tmp_path, "bad.csv", text))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert any(line.startswith("row 3, column credit_code: ") for line in lines)
    assert (
        "row 4, column name: " in err
        and "row 4, column kind: " in err
        and "row 4, column region_code: " in err
    )
    assert Organization.objects.count() == 0


def test_duplicate_key_in_file_is_an_error(tmp_path):
    text = f"credit_code,name,kind,region_code\n{SME},甲,sme,\n{SME},乙,sme,\n"
    code, _out, err = run_command("organizations", write(tmp_path, "dup.csv", text))
    assert code == 1 and "row 3, column credit_code:" in err and "2" in err


def test_missing_required_column(tmp_path):
    code, _out, err = run_command("organizations", write(tmp_path, "m.csv", f"credit_code,name\n{SME},甲\n"))
    assert code == 1 and "row 1, column kind:" in err


def test_gb18030_and_bom_and_chinese_headers(tmp_path):
    text = f"统一社会信用代码,名称,类型,旗区代码\n{SME},准格尔旗示例科技有限公司,中小微企业,准格尔旗\n"
    assert run_command("organizations", write(tmp_path, "gb.csv", text, "gb18030"))[0] == 0
    assert Organization.objects.get(credit_code=SME).region_id == "150622"
    assert run_command("organizations", write(tmp_path, "bom.csv", text, "utf-8-sig"))[1].startswith(
        "created 0"
    )


def test_xlsx_with_numbers_and_dry_run(tmp_path):
    run_command("organizations", write(tmp_path, "o.csv", GOOD))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "年度", "营业收入", "从业人数"])
    sheet.append([SME, 2022, 1234567.5, 35])
    sheet.append([SME, 2023, "2,000,000", 40])
    path = tmp_path / "stats.xlsx"
    book.save(path)
    code, out, _err = run_command("org_stats", path, "--dry-run")
    assert code == 0 and out == "dry run: created 2, updated 0, unchanged 0\n"
    assert OrganizationYearStats.objects.count() == 0
    assert run_command("org_stats", path)[1] == "created 2, updated 0, unchanged 0\n"
    assert OrganizationYearStats.objects.get(year=2022).revenue == Decimal("1234567.50")
    assert run_command("org_stats", path)[1] == "created 0, updated 0, unchanged 2\n"


def test_org_stats_unknown_organization(tmp_path):
    text = f"credit_code,year,revenue,employees\n{SME},2022,-5,abc\n"
    code, _out, err = run_command("org_stats", write(tmp_path, "s.csv", text))
    assert code == 1
    assert (
        "row 2, column credit_code:" in err
        and "row 2, column revenue:" in err
        and "row 2, column employees:" in err
    )


@pytest.mark.parametrize(
    "name,content",
    [("x.xlsx", b"not a zip at all"), ("x.csv", b"\x00\x01\x02binary"), ("x.csv", b"")],
)
def test_unreadable_files_are_refused_cleanly(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    code, _out, err = run_command("organizations", path)
    assert code == 1 and err.startswith("row 1, column -:")


def test_parse_date_forms():
    assert str(parse_date("2023/5/6")) == "2023-05-06"
    assert str(parse_date("20230506")) == "2023-05-06"
    assert str(parse_date(45000)) == "2023-03-15"  # an Excel serial
    assert parse_date("2023-02-30") is None


def test_run_import_unknown_kind(tmp_path):
    from portal.imports.base import ImportFileError

    with pytest.raises(ImportFileError):
        run_import(actor=system_actor(), kind="nope", path=write(tmp_path, "a.csv", GOOD))


def test_browser_upload_preview_confirm(
    client, django_user_model, celery_eager, django_capture_on_commit_callbacks
):
    from portal.models import Membership

    bureau = Organization.objects.create(
        credit_code=make_credit_code("11150600MB0000003"),
        name="市市场监督管理局",
        kind="government",
        verified=True,
    )
    user = django_user_model.objects.create_user("staff", password="x-pass-12345")
    Membership.objects.create(user=user, organization=bureau)
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orgs.csv", GOOD.encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "ready"
    assert Organization.objects.filter(kind="sme").count() == 0  # validation writes nothing
    page = client.get(reverse("portal:import-detail", args=[job.pk]))
    assert "确认导入" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 2
    assert Organization.objects.filter(credit_code=SME).exists()


def test_browser_upload_errors_downloadable(
    client, django_user_model, celery_eager, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Membership

    bureau = Organization.objects.create(
        credit_code=make_credit_code("11150600MB0000003"), name="市局", kind="government", verified=True
    )
    user = django_user_model.objects.create_user("staff", password="x-pass-12345")
    Membership.objects.create(user=user, organization=bureau)
    client.force_login(user)
    upload = SimpleUploadedFile("bad.csv", b"credit_code,name,kind\n123,=cmd(),sme\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    report = client.get(reverse("portal:import-errors", args=[job.pk])).content.decode("utf-8-sig")
    assert "credit_code" in report and "2," in report


def test_sme_cannot_upload_organizations(client, django_user_model):
    sme = Organization.objects.create(credit_code=SME, name="企业", kind="sme", verified=True)
    from portal.models import Membership

    user = django_user_model.objects.create_user("sme", password="x-pass-12345")
    Membership.objects.create(user=user, organization=sme)
    client.force_login(user)
    assert client.get(reverse("portal:import-list")).status_code == 403


def test_large_dry_run_on_sqlite_validates_without_a_trial_write(tmp_path, settings):
    """SQLite has one writer: a dry run of a large file validates every row but does not hold the
    database in a trial write (PostgreSQL still counts created / updated rows in a rolled-back
    transaction). The import itself then counts."""
    from django.db import connection

    settings.PORTAL_IMPORT_SQLITE_TRIAL_WRITE_MAX_ROWS = 1
    path = write(tmp_path, "orgs.csv", GOOD)
    code, out, _err = run_command("organizations", path, "--dry-run")
    assert code == 0
    result = run_import(actor=system_actor(), kind="organizations", path=path, dry_run=True)
    if connection.vendor == "sqlite":
        assert out == "dry run: 2 rows valid; counts skipped (large file on SQLite)\n"
        assert result.ok and not result.counted and result.as_dict()["counted"] is False
        assert result.counts.created == 0
    else:
        assert out == "dry run: created 2, updated 0, unchanged 0\n"
        assert result.counted and result.counts.created == 2
    assert not Organization.objects.exists()
    # A bad row is still found without the trial write.
    bad = GOOD.replace(",sme,", ",no-such-kind,")
    assert run_command("organizations", write(tmp_path, "bad.csv", bad), "--dry-run")[0] == 1
    assert run_command("organizations", path)[1] == "created 2, updated 0, unchanged 0\n"


def test_sqlite_database_uses_the_write_ahead_log():
    """Pages keep reading while an import writes (a rollback journal would block them)."""
    from django.conf import settings as django_settings

    options = django_settings.DATABASES["default"].get("OPTIONS", {})
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in options["init_command"]
    else:
        assert "init_command" not in options


def test_preview_says_when_counts_come_with_the_import(
    client, django_user_model, celery_eager, django_capture_on_commit_callbacks, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from portal.models import Membership

    if connection.vendor != "sqlite":
        pytest.skip("the trial write is skipped on SQLite only")
    settings.PORTAL_IMPORT_SQLITE_TRIAL_WRITE_MAX_ROWS = 1
    bureau = Organization.objects.create(
        credit_code=make_credit_code("11150600MB0000003"),
        name="市市场监督管理局",
        kind="government",
        verified=True,
    )
    user = django_user_model.objects.create_user("staff", password="x-pass-12345")
    Membership.objects.create(user=user, organization=bureau)
    client.force_login(user)
    upload = SimpleUploadedFile("orgs.csv", GOOD.encode("utf-8"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert job.status == "ready" and job.message == "全部 2 行校验通过；新增与更新的条数在导入时统计。"
    page = client.get(reverse("portal:import-detail", args=[job.pk])).content.decode()
    assert "新增与更新的条数将在导入时统计" in page and "确认导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 2


def test_row_errors_and_outcome_are_in_the_uploaders_language(
    client, django_user_model, celery_eager, django_capture_on_commit_callbacks
):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Membership

    bureau = Organization.objects.create(
        credit_code=make_credit_code("11150600MB0000004"), name="市局", kind="government", verified=True
    )
    user = django_user_model.objects.create_user("staff-en", password="x-pass-12345")
    Membership.objects.create(user=user, organization=bureau)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("bad.csv", b"credit_code,name,kind\n123,ok,sme\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.options == {"language": "en"}
    messages = [e["message"] for e in job.result["errors"]]
    assert messages and not any(re.search(r"[\u4e00-\u9fff]", m) for m in messages), messages
    page = client.get(reverse("portal:import-detail", args=[job.pk])).content.decode()
    assert "1 error(s); nothing was written." in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("portal:import-list")).content.decode()
    assert "1 处错误，未写入任何数据。" in page
