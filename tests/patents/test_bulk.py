"""The import's PostgreSQL COPY path (patents/bulk.py) writes what the portable ORM path writes:
patents with their derived fields, one history row per created or changed patent, IPC rows and
industries; re-importing changes nothing."""

from unittest import mock

import pytest
from django.db import connection

from patents import bulk
from patents.models import Patent, PatentIpc
from portal.imports import run_import
from portal.permissions import actor_for, system_actor
from tests.patents.factories import InstitutionFactory, app_no, institution_user

pytestmark = pytest.mark.django_db

HEADER = (
    "application_no,title,abstract,ipc,applicants,application_date,grant_date,legal_status,"
    "industries,deal_kinds,open_license,asking_price,trl,implemented,keywords,listing_status"
)
ROWS = [
    f"{app_no(1)},一种煤矿巷道液压支护装置,用于综采工作面的支护,E21D23/00;E21D15/00,测试大学,"
    "2021-03-01,2022-06-01,granted,煤炭,transfer;license,no,300000,7,no,支护;液压,published",
    f"{app_no(2)},一种发酵乳的制备方法,乳酸菌发酵，“全角”标点,A23C 9/12,测试大学,"
    "2021-04-02,,pending,乳业;agriculture,equity,yes,面议,,yes,,draft",
    f"{app_no(3, year=2022, type_digit='2')},一种羊绒分梳机,,D01G 15/00,测试大学,2022-01-05,2022-08-01,granted,,,no,,,no,,draft",
    f"{app_no(4)},LiFePO4 cathode,,H01M 4/58,Test University,2021-05-01,,pending,,,no,,,no,,draft",  # no bigram
]
# The same patents a year later: a lapsed patent (its listing withdrawn), new IPC codes and
# industries, a new title; the others unchanged.
CHANGED = [
    ROWS[0]
    .replace("granted,煤炭", "lapsed,煤炭;equipment")
    .replace("E21D23/00;E21D15/00", "E21D 23/04")
    .replace(",published", ",draft"),
    ROWS[1].replace("一种发酵乳的制备方法", "一种低糖发酵乳的制备方法").replace("乳业;agriculture", "乳业"),
    ROWS[2],
    ROWS[3],
]
CHANGING = ("id", "created_at", "updated_at", "published_at", "submitted_at", "history_id", "history_date")


def import_rows(tmp_path, owner, rows, actor=None):
    path = tmp_path / "patents.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor or system_actor()
    )
    assert result.ok, result.error_lines()
    return result.counts.summary()


def snapshot() -> dict:
    """Everything the import wrote, without ids and timestamps (which differ between runs)."""
    patent_fields = [f.attname for f in Patent._meta.concrete_fields if f.attname not in CHANGING]
    history = Patent.history.model
    history_fields = [f.attname for f in history._meta.concrete_fields if f.attname not in CHANGING]
    through = Patent.industries.through
    return {
        "patents": list(Patent.objects.order_by("application_no").values(*patent_fields)),
        "history": list(history.objects.order_by("application_no", "history_id").values(*history_fields)),
        "ipc": list(
            PatentIpc.objects.order_by("patent__application_no", "code").values_list(
                "patent__application_no", "code", "section", "klass", "subclass", "main_group", "is_main"
            )
        ),
        "industries": sorted(through.objects.values_list("patent__application_no", "industry__code")),
    }


def run_both_imports(tmp_path, owner, actor=None) -> dict:
    first = import_rows(tmp_path, owner, ROWS, actor)
    again = import_rows(tmp_path, owner, ROWS, actor)
    changed = import_rows(tmp_path, owner, CHANGED, actor)
    return {"summaries": (first, again, changed), **snapshot()}


def wipe() -> None:
    Patent.objects.all().delete()
    Patent.history.model.objects.all().delete()


@pytest.fixture
def postgresql():
    if not bulk.copy_supported():
        pytest.skip("COPY is PostgreSQL's (psycopg 3); on SQLite the import uses Django's bulk operations")


def test_copy_path_writes_rows_history_ipc_and_industries(tmp_path, postgresql):
    owner = InstitutionFactory()
    user = institution_user(owner)
    with mock.patch.object(bulk, "copy_rows", wraps=bulk.copy_rows) as copy_rows:
        assert import_rows(tmp_path, owner, ROWS, actor_for(user)) == "created 4, updated 0, unchanged 0"
    tables = {call.args[0] for call in copy_rows.call_args_list}
    assert tables == {
        "patents_patent",
        "patents_historicalpatent",
        "patents_patentipc",
        "patents_patent_industries",
    }
    coal = Patent.objects.get(application_no=app_no(1))
    assert coal.listing_status == "submitted" and coal.ipc_main == "E21D 23/00" and coal.dormant
    assert coal.patent_type == "invention" and str(coal.expiry_date) == "2041-02-28"
    assert "煤矿" in coal.search_text and coal.search_bigram_codes and "e21d" in coal.search_latin
    assert list(coal.ipc_entries.values_list("code", "is_main")) == [
        ("E21D 23/00", True),
        ("E21D 15/00", False),
    ]
    assert list(coal.industries.values_list("code", flat=True)) == ["coal"]
    assert Patent.objects.get(application_no=app_no(4)).search_bigram_codes == []
    history = coal.history.get()
    assert history.history_type == "+" and history.history_user == user and history.title == coal.title
    assert history.history_change_reason is None
    with connection.cursor() as cursor:  # the ids were taken from the table's sequence
        cursor.execute("SELECT currval(pg_get_serial_sequence('patents_patent', 'id'))")
        assert cursor.fetchone()[0] >= max(Patent.objects.values_list("pk", flat=True))

    assert import_rows(tmp_path, owner, ROWS) == "created 0, updated 0, unchanged 4"
    assert Patent.history.model.objects.count() == 4

    assert import_rows(tmp_path, owner, CHANGED) == "created 0, updated 2, unchanged 2"
    coal.refresh_from_db()
    assert coal.legal_status == "lapsed" and coal.listing_status == "withdrawn" and not coal.dormant
    assert list(coal.ipc_entries.values_list("code", flat=True)) == ["E21D 23/04"]
    assert sorted(coal.industries.values_list("code", flat=True)) == ["coal", "equipment"]
    assert [h.history_type for h in coal.history.order_by("history_date", "history_id")] == ["+", "~"]
    assert coal.history.latest().legal_status == "lapsed"


def test_copy_and_orm_paths_write_the_same(tmp_path, postgresql):
    owner = InstitutionFactory()
    actor = actor_for(institution_user(owner))
    copied = run_both_imports(tmp_path, owner, actor)
    wipe()
    with (
        mock.patch.object(bulk, "copy_supported", return_value=False),
        mock.patch.object(bulk, "copy_rows", side_effect=AssertionError("COPY used")),
    ):
        through_orm = run_both_imports(tmp_path, owner, actor)
    assert copied["summaries"] == (
        "created 4, updated 0, unchanged 0",
        "created 0, updated 0, unchanged 4",
        "created 0, updated 2, unchanged 2",
    )
    for key in ("summaries", "patents", "history", "ipc", "industries"):
        assert copied[key] == through_orm[key], key


def test_a_failing_copy_leaves_nothing_behind(tmp_path, postgresql):
    owner = InstitutionFactory()
    with (
        mock.patch.object(bulk, "ipc_insert", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        import_rows(tmp_path, owner, ROWS)
    assert not Patent.objects.exists() and not Patent.history.model.objects.exists()
    with connection.cursor() as cursor:  # the connection is still usable
        cursor.execute("SELECT 1")
