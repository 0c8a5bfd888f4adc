"""The survey import (`import_data demands FILE`) and its contract."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand
from portal.imports.services import importable_kinds
from portal.models import ImportJob, Organization
from portal.permissions import actor_for

from .factories import DemandFactory, OrganizationFactory, make_user

pytestmark = pytest.mark.django_db

EVAL = Path("/work/shared/eval")
HEADER = "code,org_credit_code,title,description,industry,keywords,ipc,deal_kinds,budget_min,budget_max,district,deadline,status\n"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, text, name="demands.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def sme():
    return OrganizationFactory(kind=Organization.Kind.SME, verified=False)


def good_rows(sme):
    deadline = (timezone.localdate() + dt.timedelta(days=100)).isoformat()
    return (
        HEADER
        + f"D2023-0001,{sme.credit_code},煤矸石制备建材,利用煤矸石生产免烧砖,煤炭,煤矸石；建材,C04B,转让;许可,10万,50万,150622,{deadline},\n"
        + f"D2023-0002,{sme.credit_code},羊绒分梳设备改造,降低能耗,cashmere,,,,,,准格尔旗,,draft\n"
    )


def test_import_creates_then_is_idempotent(tmp_path, sme):
    path = write(tmp_path, good_rows(sme))
    assert run("demands", path) == (0, "created 2, updated 0, unchanged 0\n", "")
    assert run("demands", path) == (0, "created 0, updated 0, unchanged 2\n", "")
    first, second = Demand.objects.order_by("code")
    assert first.status == "open" and first.published_at is not None and first.source == "survey"
    assert first.industry.code == "coal" and first.keywords == "煤矸石;建材" and first.ipc_hints == "C04B"
    assert (first.budget_min, first.budget_max) == (Decimal("100000.00"), Decimal("500000.00"))
    assert first.deal_kinds == ["transfer", "license"] and first.district_id == "150622"
    assert second.status == "draft" and second.published_at is None and second.deadline is None
    assert second.deal_kinds == ["transfer", "license", "equity"]  # empty: any kind of deal
    assert second.industry.code == "cashmere" and second.district_id == "150622"
    assert first.history.count() == 1  # imports are audited too


def test_import_updates_changed_rows_and_publishes_drafts(tmp_path, sme):
    run("demands", write(tmp_path, good_rows(sme)))
    changed = good_rows(sme).replace("煤矸石制备建材", "煤矸石制备新型建材").replace(",draft\n", ",open\n")
    assert run("demands", write(tmp_path, changed, "b.csv"))[1] == "created 0, updated 2, unchanged 0\n"
    second = Demand.objects.get(code="D2023-0002")
    assert second.status == "open" and second.published_at is not None


def test_bad_file_reports_every_error_and_writes_nothing(tmp_path, sme):
    DemandFactory(code="TAKEN-1")
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    text = (
        HEADER
        + f"D2023-0001,{sme.credit_code},好的一行,描述,,,,,,,,,\n"
        + f"bad code!,{university.credit_code},,,planet,,XYZ,赠送,-5,abc,999999,2023-13-45,done\n"
        + "D2023-0003,911506225200000099,标题,描述,,,,,80万,10万,,,\n"
        + f"TAKEN-1,{sme.credit_code},标题,描述,,,,,,,,,\n"
        + f"D2023-0001,{sme.credit_code},重复,描述,,,,,,,,,\n"
    )
    before = Demand.objects.count()
    code, out, err = run("demands", write(tmp_path, text))
    assert code == 1 and out == ""
    for expected in (
        "row 3, column code: ",
        "row 3, column org_credit_code: ",  # not an SME
        "row 3, column title: ",
        "row 3, column description: ",
        "row 3, column industry: ",
        "row 3, column ipc: ",
        "row 3, column deal_kinds: ",
        "row 3, column budget_min: ",
        "row 3, column budget_max: ",
        "row 3, column district: ",
        "row 3, column deadline: ",
        "row 3, column status: ",
        "row 4, column org_credit_code: ",  # check character / unknown
        "row 4, column budget_max: ",  # min > max
        "row 5, column code: ",  # belongs to another organization
        "row 6, column code: ",  # repeats row 2
    ):
        assert expected in err, expected
    assert "不是中小微企业" in err and "已被其他企业的需求使用" in err
    assert Demand.objects.count() == before


def test_missing_required_columns(tmp_path):
    code, _out, err = run("demands", write(tmp_path, "code,title\nD1,标题\n"))
    assert code == 1
    assert "row 1, column org_credit_code:" in err and "row 1, column description:" in err


def test_gb18030_with_chinese_headers(tmp_path, sme):
    text = (
        "需求编号,统一社会信用代码,需求名称,需求描述,所属产业,合作方式,旗区\n"
        f"D2023-0100,{sme.credit_code},乳制品冷链保鲜,需要保鲜包装,乳业,作价入股,伊金霍洛旗\n"
    )
    assert run("demands", write(tmp_path, text, encoding="gb18030"))[0] == 0
    demand = Demand.objects.get(code="D2023-0100")
    assert demand.title == "乳制品冷链保鲜" and demand.industry.code == "dairy"
    assert demand.deal_kinds == ["equity"] and demand.district_id == "150627"


def test_xlsx_with_dates_and_numbers(tmp_path, sme):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "org_credit_code", "title", "description", "budget_min", "budget_max", "deadline"])
    deadline = timezone.localdate() + dt.timedelta(days=30)
    sheet.append(["D2023-0200", sme.credit_code, "洗煤设备节能", "降低洗选能耗", 200000, 800000.5, deadline])
    path = tmp_path / "demands.xlsx"
    book.save(path)
    assert run("demands", path) == (0, "created 1, updated 0, unchanged 0\n", "")
    demand = Demand.objects.get()
    assert demand.deadline == deadline and demand.budget_max == Decimal("800000.50")
    assert run("demands", path)[1] == "created 0, updated 0, unchanged 1\n"


def test_past_deadline_is_stored_expired_and_a_reimport_never_reopens(tmp_path, sme):
    past = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    text = HEADER + f"D2023-0300,{sme.credit_code},旧需求,描述,,,,,,,,{past},open\n"
    path = write(tmp_path, text)
    assert run("demands", path)[1] == "created 1, updated 0, unchanged 0\n"
    assert Demand.objects.get().status == "expired"
    assert run("demands", path)[1] == "created 0, updated 0, unchanged 1\n"
    Demand.objects.update(status="closed")
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert run("demands", write(tmp_path, text.replace(past, future), "b.csv"))[0] == 0
    assert Demand.objects.get().status == "closed"
    code, _out, err = run("demands", write(tmp_path, text.replace(",open\n", ",draft\n"), "c.csv"))
    assert code == 1 and "row 2, column status: " in err and "不能改回草稿" in err


def test_import_flags_duplicates_and_queues_matching(
    tmp_path, sme, fake_matching_task, django_capture_on_commit_callbacks
):
    calls = fake_matching_task
    text = (
        HEADER
        + f"D2023-0401,{sme.credit_code},乳制品冷链保鲜技术需求,描述,乳业,,,,,,,,\n"
        + f"D2023-0402,{sme.credit_code},乳制品冷链保鲜技术,描述,乳业,,,,,,,,\n"
        + f"D2023-0403,{sme.credit_code},草稿需求,描述,,,,,,,,,draft\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run("demands", write(tmp_path, text))[0] == 0
    flagged = Demand.objects.get(code="D2023-0402")
    assert flagged.duplicate_of.code == "D2023-0401"
    open_ids = set(Demand.objects.filter(status="open").values_list("pk", flat=True))
    assert calls == [{"demand_ids": sorted(open_ids)}]  # one batch, not one task per demand


def test_dry_run_writes_nothing(tmp_path, sme):
    code, out, _err = run("demands", write(tmp_path, good_rows(sme)), "--dry-run")
    assert code == 0 and out == "dry run: created 2, updated 0, unchanged 0\n"
    assert not Demand.objects.exists()


def test_the_evaluation_file_imports():
    assert run("organizations", EVAL / "organizations.csv")[0] == 0
    code, out, err = run("demands", EVAL / "demands.csv")
    assert (code, err) == (0, "")
    expected = sum(1 for _ in (EVAL / "demands.csv").open(encoding="utf-8")) - 1
    assert out == f"created {expected}, updated 0, unchanged 0\n"
    assert Demand.objects.filter(status="open", source="survey").count() == expected
    assert run("demands", EVAL / "demands.csv")[1] == f"created 0, updated 0, unchanged {expected}\n"


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("agency", True),
        ("bureau", True),
        ("district_officer", True),
        ("admin", True),
        ("sme", False),
        ("institution", False),
    ],
)
def test_who_may_upload_surveys_in_the_browser(role, allowed):
    kinds = {kind for kind, _label in importable_kinds(actor=actor_for(make_user(role)))}
    assert ("demands" in kinds) is allowed


def test_agency_uploads_a_survey_in_the_browser(
    client, sme, tmp_path, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(make_user("agency"))
    upload = SimpleUploadedFile("survey.csv", good_rows(sme).encode("gb18030"), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "demands", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "ready" and not Demand.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 2
    assert Demand.objects.filter(source="survey").count() == 2
