"""Issue 14, finding 7: an institution's own export imported again reports every row unchanged
(CSV and XLSX): the formula guard's apostrophe is not stored back and prose keeps its full-width
punctuation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from patents import services
from patents.models import Patent
from portal.imports import run_import
from portal.permissions import actor_for, system_actor
from tests.patents.factories import InstitutionFactory, app_no, industry, institution_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory():
    owner = InstitutionFactory()
    user = institution_user(owner)
    actor = actor_for(user)
    titles = ["=1+1 一种公式样的名称", "-一种以减号开头的装置", "@一种以艾特开头的方法", "一种普通的装置"]
    for n, title in enumerate(titles, start=1):
        services.patent_create(
            actor=actor,
            owner=owner,
            application_no=app_no(n),
            title=title,
            abstract="本发明涉及煤矿；具体涉及支护。+号开头的第二句；还有“引号”。",
            claims="1. 一种装置，其特征在于：包括支架；以及底座。",
            applicants=f"{owner.name}；另一申请人",
            inventors="张三；李四",
            keywords="支护；液压",
            ipc_codes="E21D 23/00; E21D 15/00",
            application_date=dt.date(2021, 3, 1),
            legal_status=Patent.LegalStatus.GRANTED,
            grant_date=dt.date(2022, 6, 1),
            offers_transfer=True,
            offers_license=n % 2 == 0,
            asking_price=Decimal("120000.50") if n % 2 else None,
            trl=5,
            industries=[industry("coal")],
        )
    return owner, user


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_unchanged_export_imports_as_unchanged(client, inventory, tmp_path, fmt):
    owner, user = inventory
    client.force_login(user)
    response = client.get(reverse("patents:export"), {"format": fmt} if fmt == "csv" else {})
    assert response.status_code == 200
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(response.content)
    before = {p.pk: (p.title, p.abstract, p.applicants, p.updated_at) for p in Patent.objects.all()}
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=actor_for(user)
    )
    assert result.ok, result.errors[:3]
    assert (result.counts.created, result.counts.updated, result.counts.unchanged) == (0, 0, 4)
    after = {p.pk: (p.title, p.abstract, p.applicants, p.updated_at) for p in Patent.objects.all()}
    assert after == before
    assert Patent.objects.filter(title="=1+1 一种公式样的名称").exists()


def test_a_gb18030_csv_whose_first_chinese_character_is_past_256_kb(tmp_path):
    owner = InstitutionFactory()
    filler = "".join(f"{app_no(n)},A device {n} {'x' * 280},2021-03-01\n" for n in range(1, 1001))
    assert len(filler.encode()) > 256 * 1024
    text = (
        "application_no,title,application_date\n" + filler + f"{app_no(1001)},一种煤矿支护装置,2021-03-01\n"
    )
    path = tmp_path / "gb.csv"
    path.write_bytes(text.encode("gb18030"))
    result = run_import(
        kind="patents", path=path, options={"owner": owner.credit_code}, actor=system_actor(), dry_run=True
    )
    assert result.ok, result.errors[:3]
    assert result.counts.created == 1001
