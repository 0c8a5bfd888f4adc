"""`import_data patents FILE [--owner CREDIT_CODE] [--dry-run]`: error report, atomicity,
idempotence, encodings, XLSX and the 61-column commercial export."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from patents.models import Patent, PatentIpc
from patents.search import bigram_code
from portal.imports import run_import
from portal.permissions import actor_for
from tests.patents.factories import (
    InstitutionFactory,
    PatentFactory,
    app_no,
    industry,
    institution_user,
    make_user,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "samples" / "cn_patents_zhongke_sample.csv"

HEADER = (
    "application_no,title,abstract,claims,ipc,applicants,inventors,application_date,grant_date,legal_status,"
    "industries,deal_kinds,open_license,asking_price,trl,implemented,keywords,listing_status"
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", "patents", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, text, name="patents.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def good_rows():
    return [
        f"{app_no(1)},一种煤矿巷道液压支护装置,用于综采工作面,1.一种支护装置,E21D23/00;E21D15/00,测试大学,张三;李四,"
        "2021-03-01,2022-06-01,granted,煤炭,transfer;license,no,300000,7,no,支护;液压,published",
        f"{app_no(2)},一种发酵乳的制备方法,乳酸菌发酵,,A23C 9/12,测试大学,王五,2021-04-02,,pending,乳业;agriculture,"
        "equity,yes,面议,,yes,,draft",
    ]


@pytest.fixture
def owner():
    return InstitutionFactory()


def test_import_creates_then_re_import_changes_nothing(tmp_path, owner):
    path = write(tmp_path, "\n".join([HEADER, *good_rows()]) + "\n")
    assert run(path, "--owner", owner.credit_code) == (0, "created 2, updated 0, unchanged 0\n", "")
    first = Patent.objects.get(application_no=app_no(1))
    assert first.owner == owner and first.listing_status == "published" and first.listed_until
    assert first.ipc_codes == "E21D 23/00; E21D 15/00" and first.dormant
    assert bigram_code("煤矿") in first.search_bigram_codes
    assert set(first.industries.values_list("code", flat=True)) == {"coal"}
    assert PatentIpc.objects.filter(patent=first).count() == 2
    second = Patent.objects.get(application_no=app_no(2))
    assert second.asking_price is None and second.open_license and second.implemented and not second.dormant
    assert set(second.industries.values_list("code", flat=True)) == {"dairy", "agriculture"}
    history = first.history.count()
    assert run(path, "--owner", owner.credit_code) == (0, "created 0, updated 0, unchanged 2\n", "")
    assert first.history.count() == history


def test_changed_rows_are_updated_and_derived_fields_follow(tmp_path, owner):
    rows = good_rows()
    run(write(tmp_path, "\n".join([HEADER, *rows])), "--owner", owner.credit_code)
    rows[0] = rows[0].replace("granted,煤炭", "lapsed,煤炭").replace(",published", ",draft")
    rows[1] = rows[1].replace("乳业;agriculture", "乳业")
    code, out, _err = run(write(tmp_path, "\n".join([HEADER, *rows]), "b.csv"), "--owner", owner.credit_code)
    assert (code, out) == (0, "created 0, updated 2, unchanged 0\n")
    first = Patent.objects.get(application_no=app_no(1))
    assert first.legal_status == "lapsed" and not first.dormant
    assert (
        first.listing_status == "withdrawn"
    )  # a lapsed patent's listing is withdrawn, "draft" never unpublishes
    assert list(Patent.objects.get(application_no=app_no(2)).industries.values_list("code", flat=True)) == [
        "dairy"
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path, owner):
    PatentFactory(owner=owner, application_no=app_no(50), title="已有专利")
    before = Patent.objects.count()
    bad = [
        HEADER,
        good_rows()[0],
        f"{app_no(3)[:-1]}{'0' if app_no(3)[-1] != '0' else '1'},校验位错误,,,,,,,,,,,,,,,,",
        f"{app_no(4)},,,,H01X 10/00,,,2021-13-01,,未知状态,钢铁,barter,maybe,-5,12,,,",
        f"{app_no(5)},日期在申请号年份之后,,,,,,2022-01-01,2021-01-01,,,,,,,,,",
        f"{app_no(1)},文件中重复,,,,,,,,,,,,,,,,",
        f"{app_no(6)},失效专利不能发布,,,,,,,,lapsed,,transfer,,,,,,published",
    ]
    code, out, err = run(write(tmp_path, "\n".join(bad)), "--owner", owner.credit_code)
    assert code == 1 and out == ""
    lines = err.splitlines()
    expected = [
        "row 3, column application_no: ",
        "row 4, column title: ",
        "row 4, column ipc: ",
        "row 4, column application_date: ",
        "row 4, column legal_status: ",
        "row 4, column industries: ",
        "row 4, column deal_kinds: ",
        "row 4, column open_license: ",
        "row 4, column asking_price: ",
        "row 4, column trl: ",
        "row 5, column application_date: ",
        "row 6, column application_no: ",
        "row 7, column listing_status: ",
    ]
    for prefix in expected:
        assert any(line.startswith(prefix) for line in lines), (prefix, err)
    assert "应为" in next(line for line in lines if line.startswith("row 3,"))  # names the check character
    assert "H01X" in err and "钢铁" in err
    assert Patent.objects.count() == before


def test_chinese_headers_and_owner_column(tmp_path, owner):
    other = InstitutionFactory(kind="institute")
    text = (
        "申请号,专利名称,摘要,主分类号,申请日,法律状态,权利人统一社会信用代码\n"
        f"CN{app_no(7)},一种羊绒分梳方法,羊绒加工,D01G15/00,2021-01-05,有权-审定授权,{owner.credit_code}\n"
        f"ZL{app_no(8)},一种牛奶杀菌装置,乳品,A23C3/02,2021-02-06,审中-实质审查,{other.credit_code}\n"
    )
    assert run(write(tmp_path, text))[0:2] == (0, "created 2, updated 0, unchanged 0\n")
    assert Patent.objects.get(application_no=app_no(7)).owner == owner
    assert Patent.objects.get(application_no=app_no(8)).legal_status == "pending"


def test_owner_is_required_and_must_exist(tmp_path):
    path = write(tmp_path, f"application_no,title\n{app_no(9)},无权利人\n")
    code, _out, err = run(path)
    assert code == 1 and "row 1, column owner_credit_code:" in err
    code, _out, err = run(path, "--owner", "91150602MA0000000X")
    assert code == 1 and err.startswith("row 1, column --owner:")
    sme = make_user("sme").membership.organization
    code, _out, err = run(path, "--owner", sme.credit_code)
    assert code == 1 and "不是专利权人" in err
    assert not Patent.objects.exists()


def test_a_patent_of_another_owner_is_not_taken_over(tmp_path, owner):
    theirs = PatentFactory(application_no=app_no(10), title="别人的")
    code, _out, err = run(
        write(tmp_path, f"application_no,title\n{app_no(10)},抢注\n"), "--owner", owner.credit_code
    )
    assert code == 1 and err.startswith("row 2, column application_no:") and theirs.owner.name in err
    theirs.refresh_from_db()
    assert theirs.owner != owner and theirs.title == "别人的"


def test_dry_run_writes_nothing(tmp_path, owner):
    path = write(tmp_path, "\n".join([HEADER, *good_rows()]))
    assert run(path, "--owner", owner.credit_code, "--dry-run") == (
        0,
        "dry run: created 2, updated 0, unchanged 0\n",
        "",
    )
    assert not Patent.objects.exists()


def test_gb18030_csv_as_written_by_chinese_excel(tmp_path, owner):
    text = (
        "申请号,名称,摘要,IPC,申请日\r\n"
        + f"{app_no(11)},一种煤矸石综合利用方法,煤矸石制砖,C04B33/00,2021/05/06\r\n"
    )
    path = write(tmp_path, text, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert run(path, "--owner", owner.credit_code)[0:2] == (0, "created 1, updated 0, unchanged 0\n")
    assert Patent.objects.get().title == "一种煤矸石综合利用方法"


def test_utf8_with_bom(tmp_path, owner):
    path = write(tmp_path, "\ufeff" + "\n".join([HEADER, *good_rows()]))
    assert run(path, "--owner", owner.credit_code)[0] == 0


def test_xlsx_with_typed_cells(tmp_path, owner):
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "申请号",
            "专利名称",
            "申请日",
            "授权公告日",
            "法律状态",
            "交易方式",
            "挂牌价格",
            "技术成熟度",
            "所属产业",
        ]
    )
    sheet.append(
        [
            app_no(12),
            "一种乳酸菌发酵剂",
            dt.datetime(2021, 6, 1),
            dt.date(2023, 1, 2),
            "有效",
            "转让;许可",
            120000,
            5.0,
            "乳业",
        ]
    )
    sheet.append(
        [
            app_no(13),
            "一种羊绒染色方法",
            dt.datetime(2021, 7, 1),
            None,
            "审中",
            "作价入股",
            None,
            None,
            "羊绒",
        ]
    )
    path = tmp_path / "patents.xlsx"
    workbook.save(path)
    assert run(path, "--owner", owner.credit_code)[0:2] == (0, "created 2, updated 0, unchanged 0\n")
    patent = Patent.objects.get(application_no=app_no(12))
    assert patent.trl == 5 and patent.asking_price == 120000 and patent.offers_license
    assert patent.application_date == dt.date(2021, 6, 1)
    assert run(path, "--owner", owner.credit_code)[1] == "created 0, updated 0, unchanged 2\n"


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample not available")
def test_the_61_column_commercial_export_with_owner(owner):
    code, out, err = run(SAMPLE, "--owner", owner.credit_code)
    assert (code, out, err) == (0, "created 10, updated 0, unchanged 0\n", "")
    patent = Patent.objects.get(application_no="202223220665.2")
    assert patent.title == "一种无人机机载多功能盒" and patent.patent_type == "utility_model"
    assert patent.ipc_codes == "B64U 20/80; B64U 101/30"
    assert (
        patent.application_date.isoformat() == "2022-12-02" and patent.grant_date.isoformat() == "2023-03-28"
    )
    assert patent.publication_no == "CN218751475U" and patent.legal_status == "granted"
    assert patent.inventors == "刘迪;刘敏;王煜伟;付艳波;王元卓" and patent.claims.startswith(
        "1.一种无人机机载多功能盒"
    )
    assert patent.dormant  # 专利转移次数 0, 许可次数 0
    pending = Patent.objects.get(application_no="202211740332.4")
    assert pending.legal_status == "pending" and pending.grant_date is None  # 授权公告日 "0"
    assert Patent.objects.get(application_no="202211359874.7").patent_type == "invention"  # 发明公开;发明授权
    assert run(SAMPLE, "--owner", owner.credit_code)[1] == "created 0, updated 0, unchanged 10\n"


def test_browser_import_by_an_institution_submits_instead_of_publishing(tmp_path, owner):
    path = write(tmp_path, "\n".join([HEADER, *good_rows()]))
    user = institution_user(owner)
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(user)
    )
    assert result.ok and result.counts.created == 2
    first = Patent.objects.get(application_no=app_no(1))
    assert first.listing_status == "submitted"  # needs review
    assert first.history.first().history_user == user
    # The uploader is told: the result counts the listings that wait for review.
    assert result.as_dict()["submitted"] == Patent.objects.filter(listing_status="submitted").count() > 0
    stranger = InstitutionFactory()
    result = run_import(
        kind="patents", path=path, options={"owner": stranger.credit_code}, actor=actor_for(user)
    )
    assert not result.ok and result.errors[0].column == "--owner"


def test_industry_names_codes_and_patent_type_check(tmp_path, owner):
    text = f"申请号,名称,专利类型,产业\n{app_no(14)},一种装置,实用新型,{industry('coal').name}\n"
    code, _out, err = run(write(tmp_path, text), "--owner", owner.credit_code)
    assert code == 1 and err.startswith("row 2, column 专利类型:") and "发明" in err


def test_agency_and_bureau_import_on_behalf_of_an_institution(tmp_path, owner):
    from tests.patents.factories import agency_for

    path = write(tmp_path, "\n".join([HEADER, *good_rows()]))
    agency = agency_for(owner)
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(agency)
    )
    assert result.ok and result.counts.created == 2
    assert Patent.objects.get(application_no=app_no(1)).listing_status == "published"  # the agency reviews
    other = InstitutionFactory()
    result = run_import(
        kind="patents", path=path, options={"owner": other.credit_code}, actor=actor_for(agency)
    )
    assert not result.ok and "无权" in result.errors[0].message
    bureau = make_user("bureau")
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(bureau)
    )
    assert result.ok and result.counts.unchanged == 2


def test_publishing_a_lapsed_patent_again_is_a_no_op(tmp_path, owner):
    PatentFactory(owner=owner, application_no=app_no(1), legal_status="lapsed", listing_status="withdrawn")
    text = f"application_no,title,deal_kinds,listing_status\n{app_no(1)},另一个标题,transfer,published\n"
    path = write(tmp_path, text)
    code, out, _err = run(path, "--owner", owner.credit_code)
    assert code == 0 and "updated 1" in out  # the title changed
    assert Patent.objects.get().listing_status == "withdrawn"
    assert run(path, "--owner", owner.credit_code)[1] == "created 0, updated 0, unchanged 1\n"


def test_the_file_is_read_and_cleaned_once(tmp_path, owner, monkeypatch):
    """The rows cleaned while validating are spooled and written from there (spool_cleaned)."""
    from patents.importers import PatentImporter
    from portal.imports import readers

    cleaned, opened = [], []
    clean_row, open_table = PatentImporter.clean_row, readers.open_table
    monkeypatch.setattr(
        PatentImporter, "clean_row", lambda self, row: cleaned.append(row.number) or clean_row(self, row)
    )
    monkeypatch.setattr(readers, "open_table", lambda *args: opened.append(args) or open_table(*args))
    path = write(tmp_path, "\n".join([HEADER, *good_rows()]))
    assert run(path, "--owner", owner.credit_code)[:2] == (0, "created 2, updated 0, unchanged 0\n")
    assert cleaned == [2, 3] and len(opened) == 1
