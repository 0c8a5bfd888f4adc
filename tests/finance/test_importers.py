"""The import contract for every finance kind: errors as `row N, column C: reason` with exit
status 1 and nothing written; upsert by natural key; re-importing changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from patents.models import Patent
from tests.finance.factories import (
    DealFactory,
    InstitutionFactory,
    PatentFactory,
    PaymentFactory,
    SubsidyFactory,
    app_no,
    bank,
    insurer,
    sme,
)

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def run(kind, path, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", kind, str(path), *extra, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip(), err.getvalue()


def csv_file(tmp_path, name, rows: list[list]):
    path = tmp_path / name
    path.write_text("\n".join(",".join(str(c) for c in row) for row in rows) + "\n", encoding="utf-8")
    return path


def snapshot():
    """Everything an import may write: rows of every finance table, their history, patent owners."""
    models = (Deal, Payment, Pledge, InsurancePolicy, Subsidy, ProductFiling)
    return (
        [m.objects.count() for m in models],
        [m.history.count() for m in models],
        list(Deal.patents.through.objects.values_list("deal_id", "patent_id").order_by("pk")),
        list(
            Patent.objects.values_list(
                "pk", "owner_id", "transfer_count", "license_count", "implemented"
            ).order_by("pk")
        ),
    )


@pytest.fixture
def world():
    university = InstitutionFactory()
    buyer = sme()
    patents = [PatentFactory(owner=university) for _ in range(3)]
    return {"university": university, "buyer": buyer, "patents": patents}


DEAL_HEADER = [
    "deal_no",
    "kind",
    "license_scope",
    "seller_credit_code",
    "buyer_credit_code",
    "application_nos",
    "contract_date",
    "contract_amount",
    "registration_no",
]


def deal_row(world, deal_no="HT-1", **overrides):
    p = world["patents"]
    row = {
        "deal_no": deal_no,
        "kind": "transfer",
        "license_scope": "",
        "seller_credit_code": world["university"].credit_code,
        "buyer_credit_code": world["buyer"].credit_code,
        "application_nos": f"{p[0].application_no};{p[1].application_no}",
        "contract_date": "2023-05-01",
        "contract_amount": "100000",
        "registration_no": "",
    }
    row.update(overrides)
    return [row[name] for name in DEAL_HEADER]


# --- deals ------------------------------------------------------------------------------------------


def test_deals_create_then_unchanged_on_reimport(tmp_path, world):
    path = csv_file(
        tmp_path,
        "deals.csv",
        [
            DEAL_HEADER,
            deal_row(world),
            deal_row(
                world,
                "HT-2",
                kind="license",
                license_scope="普通许可",
                application_nos=world["patents"][2].application_no,
                contract_date="2023/06/01",
            ),
        ],
    )
    assert run("deals", path) == (0, "created 2, updated 0, unchanged 0", "")
    assert run("deals", path) == (0, "created 0, updated 0, unchanged 2", "")
    deal = Deal.objects.get(deal_no="HT-1")
    assert set(deal.patents.values_list("pk", flat=True)) == {world["patents"][0].pk, world["patents"][1].pk}
    assert deal.status == Deal.Status.SIGNED and deal.history.count() == 1
    assert deal.history.get().history_change_reason == "批量导入"
    assert list(
        deal.history.get().patents.values_list("patent_id", flat=True).order_by("patent_id")
    ) == sorted([world["patents"][0].pk, world["patents"][1].pk])
    assert Deal.objects.get(deal_no="HT-2").license_scope == "ordinary"


def test_deals_with_chinese_headers(tmp_path, world):
    header = [
        "合同编号",
        "交易类型",
        "许可方式",
        "转让方统一社会信用代码",
        "受让方统一社会信用代码",
        "专利申请号",
        "合同日期",
        "合同金额",
        "登记号",
    ]
    path = csv_file(tmp_path, "交易.csv", [header, deal_row(world, kind="转让")])
    assert run("deals", path)[0] == 0
    assert Deal.objects.get().kind == Deal.Kind.TRANSFER


def test_imported_registration_moves_the_patents_once(tmp_path, world):
    path = csv_file(tmp_path, "deals.csv", [DEAL_HEADER, deal_row(world, registration_no="2023990001")])
    assert run("deals", path)[0] == 0
    for patent in world["patents"][:2]:
        patent.refresh_from_db()
        assert patent.owner == world["buyer"] and patent.transfer_count == 1 and not patent.dormant
    assert Deal.objects.get().status == Deal.Status.REGISTERED
    assert run("deals", path) == (0, "created 0, updated 0, unchanged 1", "")
    world["patents"][0].refresh_from_db()
    assert world["patents"][0].transfer_count == 1


def test_registering_an_existing_signed_deal_by_reimport(tmp_path, world):
    run("deals", csv_file(tmp_path, "a.csv", [DEAL_HEADER, deal_row(world)]))
    code, out, _err = run(
        "deals", csv_file(tmp_path, "b.csv", [DEAL_HEADER, deal_row(world, registration_no="R-9")])
    )
    assert (code, out) == (0, "created 0, updated 1, unchanged 0")
    world["patents"][0].refresh_from_db()
    assert world["patents"][0].owner == world["buyer"]


def test_a_chain_of_transfers_in_one_file(tmp_path, world):
    third = sme()
    rows = [
        DEAL_HEADER,
        deal_row(world, registration_no="R-1"),
        deal_row(
            world,
            "HT-2",
            seller_credit_code=world["buyer"].credit_code,
            buyer_credit_code=third.credit_code,
            application_nos=world["patents"][0].application_no,
            contract_date="2023-08-01",
            registration_no="R-2",
        ),
    ]
    assert run("deals", csv_file(tmp_path, "chain.csv", rows))[0] == 0
    world["patents"][0].refresh_from_db()
    world["patents"][1].refresh_from_db()
    assert world["patents"][0].owner == third and world["patents"][0].transfer_count == 2
    assert world["patents"][1].owner == world["buyer"]


def test_deal_errors_are_reported_and_nothing_is_written(tmp_path, world):
    other = InstitutionFactory()
    before = snapshot()
    rows = [
        DEAL_HEADER,
        deal_row(world),  # valid, but the file fails as a whole
        deal_row(world, "HT-2", seller_credit_code=other.credit_code),  # seller does not own
        deal_row(world, "HT-3", buyer_credit_code=world["university"].credit_code),  # buyer = seller
        deal_row(world, "HT-4", contract_amount="0", contract_date=TOMORROW),
        deal_row(world, "HT-5", kind="license"),  # no scope
        deal_row(world, "HT-6", application_nos="202110999999.1"),
        deal_row(world, "HT-7", kind="gift", seller_credit_code="91150602MA00000000"),
        deal_row(world, "HT-1"),  # duplicate key in the file
    ]
    code, out, err = run("deals", csv_file(tmp_path, "bad.csv", rows))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert any(
        line.startswith("row 3, column seller_credit_code: 转让方在合同日期不是专利") for line in lines
    )
    assert any(line.startswith("row 4, column buyer_credit_code: ") for line in lines)
    assert any(line.startswith("row 5, column contract_date: 日期不能晚于今天") for line in lines)
    assert any(line.startswith("row 5, column contract_amount: ") for line in lines)
    assert any(line.startswith("row 6, column license_scope: ") for line in lines)
    assert any(line.startswith("row 7, column application_nos: ") for line in lines)
    assert any(line.startswith("row 8, column kind: ") for line in lines)
    assert any(line.startswith("row 8, column seller_credit_code: ") for line in lines)
    assert any(line.startswith("row 9, column deal_no: ") for line in lines)
    assert lines[-1].endswith("nothing written")
    assert snapshot() == before


def test_an_open_license_blocks_an_imported_exclusive_license(tmp_path, world):
    patent = world["patents"][0]
    Patent.objects.filter(pk=patent.pk).update(open_license=True)
    before = snapshot()
    row = deal_row(world, kind="license", license_scope="独占许可", application_nos=patent.application_no)
    code, _out, err = run("deals", csv_file(tmp_path, "lic.csv", [DEAL_HEADER, row]))
    assert code == 1 and "row 2, column application_nos: " in err and "开放许可" in err
    assert snapshot() == before


def test_a_registered_deal_cannot_be_rewritten_by_import(tmp_path, world):
    run("deals", csv_file(tmp_path, "a.csv", [DEAL_HEADER, deal_row(world, registration_no="R-1")]))
    before = snapshot()
    code, _out, err = run(
        "deals",
        csv_file(
            tmp_path,
            "b.csv",
            [DEAL_HEADER, deal_row(world, buyer_credit_code=sme().credit_code, registration_no="R-1")],
        ),
    )
    assert code == 1 and "row 2, column buyer_credit_code: 合同已登记" in err
    code, _out, err = run("deals", csv_file(tmp_path, "c.csv", [DEAL_HEADER, deal_row(world)]))
    assert code == 1 and "row 2, column registration_no: " in err
    assert snapshot()[0] == before[0]


def test_deals_from_xlsx_with_excel_dates(tmp_path, world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(DEAL_HEADER)
    row = deal_row(world)
    row[6] = dt.datetime(2023, 5, 1)
    row[7] = 100000
    sheet.append(row)
    path = tmp_path / "deals.xlsx"
    workbook.save(path)
    assert run("deals", path)[0] == 0
    assert Deal.objects.get().contract_date == dt.date(2023, 5, 1)


# --- payments ---------------------------------------------------------------------------------------


def test_payments_are_added_once(tmp_path):
    deal = DealFactory(deal_no="HT-9")
    rows = [
        ["deal_no", "date", "amount"],
        ["HT-9", "2023-06-01", "30000"],
        ["HT-9", "2023/07/01", "20000.50"],
    ]
    path = csv_file(tmp_path, "payments.csv", rows)
    assert run("payments", path) == (0, "created 2, updated 0, unchanged 0", "")
    assert run("payments", path) == (0, "created 0, updated 0, unchanged 2", "")
    assert Payment.objects.count() == 2
    assert Deal.objects.with_received_amount().get(pk=deal.pk).received_amount == Decimal("50000.50")
    # Chinese headers, and the same payments with another spelling of the amount.
    rows = [["合同编号", "到账日期", "到账金额"], ["HT-9", "2023-06-01", "¥30000.00"]]
    assert run("payments", csv_file(tmp_path, "p2.csv", rows)) == (0, "created 0, updated 0, unchanged 1", "")


def test_payment_errors_and_nothing_written(tmp_path):
    DealFactory(deal_no="HT-9", contract_date=dt.date(2023, 5, 1))
    terminated = DealFactory(deal_no="HT-T", status=Deal.Status.TERMINATED, terminated_on=dt.date(2023, 7, 1))
    assert terminated.pk
    PaymentFactory(deal=DealFactory(deal_no="HT-P"), date=dt.date(2023, 6, 1), amount=Decimal("10"))
    before = snapshot()
    rows = [
        ["deal_no", "date", "amount"],
        ["HT-9", "2023-06-01", "30000"],
        ["HT-9", "2023-04-30", "1"],
        ["HT-T", "2023-07-02", "1"],
        ["HT-9", TOMORROW, "1"],
        ["HT-9", "2023-06-02", "-5"],
        ["NOPE", "2023-06-02", "5"],
        ["HT-9", "2023-06-01", "30000"],
    ]
    code, _out, err = run("payments", csv_file(tmp_path, "bad.csv", rows))
    assert code == 1
    assert "row 3, column date: 到账日期 2023-04-30 早于合同日期 2023-05-01。" in err
    assert "row 4, column date: 合同已于 2023-07-01 终止" in err
    assert "row 5, column date: " in err and "row 6, column amount: " in err
    assert "row 7, column deal_no: 交易不存在" in err and "row 8, column deal_no: " in err
    assert snapshot() == before


# --- pledges and insurance ----------------------------------------------------------------------


def test_pledges_link_the_bank_by_name_and_are_idempotent(tmp_path):
    borrower, lender = sme(), bank(name="中国银行鄂尔多斯分行")
    patent = PatentFactory(owner=borrower)
    header = [
        "质押登记号",
        "出质人统一社会信用代码",
        "质权人",
        "专利申请号",
        "融资金额",
        "登记日期",
        "期限（月）",
    ]
    rows = [
        header,
        [
            "Y2023000001",
            borrower.credit_code,
            "中国银行鄂尔多斯分行",
            patent.application_no,
            "5000000",
            "2023-07-01",
            "12",
        ],
        [
            "Y2023000002",
            borrower.credit_code,
            "外地农商银行",
            patent.application_no,
            "1000000",
            "2023-08-01",
            "6",
        ],
    ]
    path = csv_file(tmp_path, "pledges.csv", rows)
    assert run("pledges", path) == (0, "created 2, updated 0, unchanged 0", "")
    assert run("pledges", path) == (0, "created 0, updated 0, unchanged 2", "")
    first, second = Pledge.objects.order_by("registration_no")
    assert first.lender == lender and second.lender is None and second.lender_name == "外地农商银行"
    assert list(first.patents.all()) == [patent]
    rows[1][4] = "6000000"
    assert run("pledges", csv_file(tmp_path, "p2.csv", rows)) == (0, "created 0, updated 1, unchanged 1", "")
    assert first.history.count() == 2


def test_pledge_errors_and_nothing_written(tmp_path):
    borrower = sme()
    patent = PatentFactory(owner=borrower)
    header = [
        "registration_no",
        "borrower_credit_code",
        "lender",
        "application_nos",
        "amount",
        "registration_date",
        "term_months",
    ]
    rows = [
        header,
        ["Y1", borrower.credit_code, "某银行", patent.application_no, "0", TOMORROW, "0"],
        ["Y2", borrower.credit_code, "", "", "100", "2023-01-01", "12"],
    ]
    before = snapshot()
    code, _out, err = run("pledges", csv_file(tmp_path, "bad.csv", rows))
    assert code == 1
    for column in ("amount", "registration_date", "term_months"):
        assert f"row 2, column {column}: " in err
    assert "row 3, column lender: " in err and "row 3, column application_nos: " in err
    assert snapshot() == before


def test_a_bank_imports_its_own_pledges_only(tmp_path):
    from portal.imports.base import run_import
    from portal.imports.services import importable_kinds
    from portal.permissions import actor_for
    from tests.portal.factories import make_user

    own, other = bank(name="中国银行鄂尔多斯分行"), bank(name="鄂尔多斯农商银行")
    actor = actor_for(make_user("bank", organization=own))
    assert "pledges" in dict(importable_kinds(actor=actor))
    assert "pledges" not in dict(importable_kinds(actor=actor_for(make_user("sme"))))
    borrower = sme()
    patent = PatentFactory(owner=borrower)
    Pledge.objects.create(
        registration_no="Y-OTHER",
        borrower=borrower,
        lender=other,
        lender_name=other.name,
        amount=Decimal("100"),
        registration_date=dt.date(2023, 1, 1),
        term_months=12,
    )
    header = ["registration_no", "borrower_credit_code", "lender", "application_nos", "amount",
              "registration_date", "term_months"]  # fmt: skip
    good = [
        header,
        ["Y-OWN", borrower.credit_code, own.name, patent.application_no, "500000", "2023-07-01", "12"],
    ]
    result = run_import(kind="pledges", path=csv_file(tmp_path, "own.csv", good), actor=actor)
    assert result.ok and result.counts.created == 1
    assert Pledge.objects.get(registration_no="Y-OWN").lender == own

    bad = [
        header,
        ["Y-NEW", borrower.credit_code, other.name, patent.application_no, "500000", "2023-07-01", "12"],
        ["Y-OTHER", borrower.credit_code, own.name, patent.application_no, "999", "2023-07-01", "12"],
    ]
    before = snapshot()
    result = run_import(kind="pledges", path=csv_file(tmp_path, "bad.csv", bad), actor=actor)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert "本行" in errors[(2, "lender")] and "其他质权人" in errors[(3, "registration_no")]
    assert snapshot() == before
    # Staff (and the command line) may still record any bank's pledges.
    staff = actor_for(make_user("bureau"))
    assert run_import(kind="pledges", path=csv_file(tmp_path, "staff.csv", bad), actor=staff).ok


def test_insurance_import(tmp_path):
    insured, company = sme(), insurer(name="人保财险鄂尔多斯分公司")
    patent = PatentFactory(owner=insured)
    header = ["保单号", "被保险人统一社会信用代码", "保险机构", "专利申请号", "保费", "保额", "起保日期"]
    rows = [
        header,
        [
            "PICC-1",
            insured.credit_code,
            "人保财险鄂尔多斯分公司",
            patent.application_no,
            "3000",
            "300000",
            "2023-03-01",
        ],
    ]
    path = csv_file(tmp_path, "insurance.csv", rows)
    assert run("insurance", path) == (0, "created 1, updated 0, unchanged 0", "")
    assert run("insurance", path) == (0, "created 0, updated 0, unchanged 1", "")
    assert InsurancePolicy.objects.get().insurer == company
    before = snapshot()
    rows.append(
        ["PICC-2", insured.credit_code, "人保财险鄂尔多斯分公司", patent.application_no, "0", "-1", TOMORROW]
    )
    code, _out, err = run("insurance", csv_file(tmp_path, "bad.csv", rows))
    assert (
        code == 1
        and "row 3, column 保费: " in err
        and "row 3, column 保额: " in err
        and "row 3, column 起保日期: " in err
    )
    assert snapshot() == before


# --- subsidies --------------------------------------------------------------------------------------

SUBSIDY_HEADER = [
    "org_credit_code",
    "application_no",
    "official_fees",
    "requested_amount",
    "approved_amount",
    "status",
    "decision_date",
]


def test_subsidies_import_and_decision_of_a_pending_application(tmp_path):
    patent = PatentFactory()
    org = patent.owner.credit_code
    rows = [SUBSIDY_HEADER, [org, patent.application_no, "1000", "500", "", "applied", ""]]
    assert run("subsidies", csv_file(tmp_path, "a.csv", rows))[1] == "created 1, updated 0, unchanged 0"
    rows = [SUBSIDY_HEADER, [org, patent.application_no, "1000", "500", "400", "已批准", "2023-09-01"]]
    path = csv_file(tmp_path, "b.csv", rows)
    assert run("subsidies", path)[1] == "created 0, updated 1, unchanged 0"
    assert run("subsidies", path)[1] == "created 0, updated 0, unchanged 1"
    subsidy = Subsidy.objects.get()
    assert subsidy.status == Subsidy.Status.APPROVED and subsidy.approved_amount == Decimal("400")


def test_subsidy_cap_across_the_database_and_the_file(tmp_path):
    existing = SubsidyFactory(approved_amount=Decimal("300"))  # of ¥1,000 fees: ¥200 left
    patent, org = existing.patent, existing.organization.credit_code
    before = snapshot()
    rows = [
        SUBSIDY_HEADER,
        [org, patent.application_no, "1000", "150", "150", "approved", "2023-10-01"],
        [org, patent.application_no, "1000", "100", "100", "paid", "2023-11-01"],  # 300+150+100 > 500
    ]
    code, _out, err = run("subsidies", csv_file(tmp_path, "cap.csv", rows))
    assert code == 1 and "row 2" not in err
    assert (
        f"row 3, column approved_amount: 专利 {patent.application_no} 累计批准资助 550.00 元，超过已缴官费 1000.00 元的 50%（上限 500.00 元）。"
        in err
    )
    assert snapshot() == before
    rows[2][3] = rows[2][4] = "50"
    assert run("subsidies", csv_file(tmp_path, "ok.csv", rows))[0] == 0
    assert sum(s.approved_amount for s in Subsidy.objects.counted()) == Decimal("500")


def test_subsidy_rules_in_import(tmp_path):
    pending = PatentFactory(legal_status=Patent.LegalStatus.PENDING, grant_date=None)
    utility = PatentFactory(application_no=app_no(777, type_digit="2"))
    before = snapshot()
    rows = [
        SUBSIDY_HEADER,
        [pending.owner.credit_code, pending.application_no, "1000", "300", "300", "paid", "2023-09-01"],
        [utility.owner.credit_code, utility.application_no, "1000", "300", "300", "approved", "2023-09-01"],
        [utility.owner.credit_code, utility.application_no, "1000", "300", "400", "maybe", TOMORROW],
    ]
    code, _out, err = run("subsidies", csv_file(tmp_path, "bad.csv", rows))
    assert code == 1
    assert "row 2, column status: " in err and "尚未授权" in err
    assert "row 3, column application_no: " in err and "发明专利" in err
    assert "row 4, column status: " in err and "row 4, column decision_date: " in err
    assert snapshot() == before


# --- filings ----------------------------------------------------------------------------------------


def test_filings_import_marks_patents_implemented(tmp_path):
    organization = sme()
    patent = PatentFactory()
    header = ["备案号", "统一社会信用代码", "产品名称", "涉及专利", "备案日期"]
    rows = [header, ["BA-1", organization.credit_code, "智能液压支架", patent.application_no, "2023-08-01"]]
    path = csv_file(tmp_path, "filings.csv", rows)
    assert run("filings", path) == (0, "created 1, updated 0, unchanged 0", "")
    assert run("filings", path) == (0, "created 0, updated 0, unchanged 1", "")
    patent.refresh_from_db()
    assert patent.implemented and not patent.dormant
    before = snapshot()
    rows.append(["BA-2", organization.credit_code, "", "", TOMORROW])
    code, _out, err = run("filings", csv_file(tmp_path, "bad.csv", rows))
    assert (
        code == 1
        and "row 3, column 产品名称: " in err
        and "row 3, column 涉及专利: " in err
        and "row 3, column 备案日期: " in err
    )
    assert snapshot() == before


def test_dry_run_writes_nothing(tmp_path, world):
    before = snapshot()
    path = csv_file(tmp_path, "deals.csv", [DEAL_HEADER, deal_row(world, registration_no="R-1")])
    assert run("deals", path, "--dry-run") == (0, "dry run: created 1, updated 0, unchanged 0", "")
    assert snapshot() == before


def test_one_registration_number_for_two_deals_is_an_error(tmp_path, world):
    rows = [
        DEAL_HEADER,
        deal_row(world, application_nos=world["patents"][0].application_no, registration_no="R-1"),
        deal_row(world, "HT-2", application_nos=world["patents"][1].application_no, registration_no="R-1"),
    ]
    before = snapshot()
    code, _out, err = run("deals", csv_file(tmp_path, "dup.csv", rows))
    assert code == 1 and "row 3, column registration_no: 登记号 R-1 已用于合同 HT-1。" in err
    assert snapshot() == before


def test_two_rows_cannot_decide_the_same_pending_subsidy(tmp_path):
    patent = PatentFactory()
    org = patent.owner.credit_code
    run(
        "subsidies",
        csv_file(
            tmp_path,
            "a.csv",
            [SUBSIDY_HEADER, [org, patent.application_no, "1000", "100", "", "applied", ""]],
        ),
    )
    rows = [
        SUBSIDY_HEADER,
        [org, patent.application_no, "1000", "100", "100", "approved", "2023-09-01"],
        [org, patent.application_no, "1000", "100", "", "applied", ""],
    ]
    before = snapshot()
    code, _out, err = run("subsidies", csv_file(tmp_path, "b.csv", rows))
    assert code == 1 and "row 3, column decision_date: 与第 2 行对应同一条资助记录。" in err
    assert snapshot() == before


def test_browser_upload_of_a_finance_kind_by_bureau_staff(
    client, settings, tmp_path, celery_eager, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from portal.models import ImportJob
    from tests.finance.factories import make_user

    settings.MEDIA_ROOT = tmp_path
    DealFactory(deal_no="HT-9")
    client.force_login(make_user("bureau"))
    page = client.get(reverse("portal:import-list")).content.decode()
    for kind in ("deals", "payments", "pledges", "insurance", "subsidies", "filings"):
        assert f'value="{kind}"' in page
    upload = SimpleUploadedFile("到账.csv", "合同编号,到账日期,到账金额\nHT-9,2023-06-01,1000\n".encode())
    with django_capture_on_commit_callbacks(execute=True):  # the Celery tasks run eagerly on commit
        response = client.post(reverse("portal:import-list"), {"kind": "payments", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.READY, job.result
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Payment.objects.get().amount == Decimal("1000")


@pytest.mark.parametrize("role", ["bank", "insurer", "sme", "institution"])
def test_finance_kinds_are_not_offered_to_other_roles(client, role):
    """Only staff import finance records; a bank imports its pledges (and only those)."""
    from django.urls import reverse

    from tests.finance.factories import make_user

    client.force_login(make_user(role))
    response = client.get(reverse("portal:import-list"))
    page = response.content.decode()
    if role == "bank":
        assert 'value="pledges"' in page and 'value="deals"' not in page and 'value="payments"' not in page
    else:
        assert response.status_code == 403 or 'value="pledges"' not in page
