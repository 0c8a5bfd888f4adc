"""Each import kind offers a CSV and an XLSX template; the preview shows rows as they will be saved."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

import portal.imports.registry  # noqa: F401  (every app's importers register themselves)
from portal.imports.base import REGISTRY, run_import
from portal.imports.templates import import_template_file, import_template_rows
from portal.permissions import system_actor
from tests.finance.factories import bank, sme
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_has_a_chinese_template_with_an_example_row(kind):
    header, example = import_template_rows(kind)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) or name.isupper() for name in header), header
    required = [c for c in REGISTRY[kind].columns if c.required]
    # Every required column has an example value.
    assert all(example[i] for i in range(len(required))), (kind, header, example)
    book = load_workbook(io.BytesIO(import_template_file(kind, "xlsx")))
    rows = list(book.active.values)
    assert list(rows[0]) == header and [v or "" for v in rows[1]] == example
    text = import_template_file(kind, "csv").decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == header


def test_the_template_of_a_kind_one_may_upload(client):
    client.force_login(make_user("bank"))
    response = client.get(reverse("portal:import-template", args=["pledges", "csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "质押登记号" in response.content.decode("utf-8-sig")
    assert client.get(reverse("portal:import-template", args=["patents", "csv"])).status_code == 404
    assert client.get(reverse("portal:import-template", args=["pledges", "pdf"])).status_code == 404
    page = client.get(reverse("portal:import-list")).text
    assert reverse("portal:import-template", args=["pledges", "xlsx"]) in page


def test_the_preview_shows_rows_as_they_will_be_saved(tmp_path):
    borrower = sme()
    lender = bank()
    patent = PatentFactory(owner=borrower)
    path = tmp_path / "pledges.csv"
    path.write_text(
        "质押登记号,出质人统一社会信用代码,质权人,专利申请号,融资金额,登记日期,期限（月）\n"
        f"Y-P-1,{borrower.credit_code},{lender.name},{patent.application_no},50万,2023/7/1,12\n",
        encoding="utf-8",
    )
    result = run_import(actor=system_actor(), kind="pledges", path=path, dry_run=True)
    assert result.ok
    preview = result.as_dict()["preview"]
    assert preview["header"][0] == "质押登记号"
    row = dict(zip(preview["header"], preview["rows"][0], strict=True))
    assert row["融资金额"] == "500,000.00" and row["登记日期"] == "2023-07-01"


def test_the_import_page_lists_columns_in_the_readers_language():
    from django.utils import translation

    from portal.imports.templates import import_template_list

    with translation.override("zh-hans"):
        (chinese,) = import_template_list([("organizations", "单位")])
    with translation.override("en"):
        (english,) = import_template_list([("organizations", "Organizations")])
    assert ("统一社会信用代码", True) in chinese["columns"]
    assert ("credit_code", True) in english["columns"] and english["kind"] == "organizations"
