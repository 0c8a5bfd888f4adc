"""Organizations in time (issue 13): the kind and district periods, their changes from a date
(default today), corrections from the start with an audit trail, the admin form, the
organizations import's effective_from, the data migration, and the org_stats preview warning."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.errors import ApplicationError
from portal.imports.base import run_import
from portal.models import Organization, OrganizationChange, OrganizationPeriod
from portal.periods import KEEP, Span, apply_change, organization_correct, organization_reclassify
from portal.permissions import Role, actor_for, system_actor
from tests.portal.factories import OrganizationFactory, credit_code, make_user, region

pytestmark = pytest.mark.django_db
D = dt.date
A, B = "150622", "150602"


def spans(organization) -> list[tuple]:
    rows = OrganizationPeriod.objects.filter(organization=organization).values_list(
        "valid_from", "valid_to", "kind", "region_id"
    )
    return sorted(rows, key=lambda r: r[0] or D(1, 1, 1))


def test_apply_change_splits_and_merges():
    start = [Span(None, None, "sme", A)]
    moved = apply_change(start, start=D(2023, 6, 1), region_id=B)
    assert [(s.valid_from, s.valid_to, s.kind, s.region_id) for s in moved] == [
        (None, D(2023, 6, 1), "sme", A),
        (D(2023, 6, 1), None, "sme", B),
    ]
    # A kind change from an earlier date leaves the move alone (per attribute).
    both = apply_change(moved, start=D(2022, 1, 1), kind="large_enterprise")
    assert [(s.valid_from, s.kind, s.region_id) for s in both] == [
        (None, "sme", A),
        (D(2022, 1, 1), "large_enterprise", A),
        (D(2023, 6, 1), "large_enterprise", B),
    ]
    # Moving back from the move's date merges the periods again.
    back = apply_change(both, start=D(2023, 6, 1), region_id=A)
    assert [(s.valid_from, s.valid_to, s.kind) for s in back] == [
        (None, D(2022, 1, 1), "sme"),
        (D(2022, 1, 1), None, "large_enterprise"),
    ]
    # From the start: one period.
    assert len(apply_change(both, start=None, kind="soe", region_id=KEEP)) == 2
    assert len(apply_change(both, start=None, kind="soe", region_id=A)) == 1


def test_a_new_organization_has_one_period_from_the_start():
    organization = OrganizationFactory(kind="sme", region=region(A))
    assert spans(organization) == [(None, None, "sme", A)]


def test_reclassify_defaults_to_today_and_is_recorded():
    organization = OrganizationFactory(kind="sme", region=region(A))
    user = make_user(Role.ADMIN)
    assert organization_reclassify(
        organization=organization, actor=actor_for(user), kind="large_enterprise", reason="年报"
    )
    today = timezone.localdate()
    assert spans(organization) == [(None, today, "sme", A), (today, None, "large_enterprise", A)]
    organization.refresh_from_db()
    assert organization.kind == "large_enterprise"
    change = OrganizationChange.objects.get()
    assert (change.action, change.effective_from, change.changed_by, change.reason) == (
        "change",
        today,
        user,
        "年报",
    )
    # The same change again is no change.
    assert not organization_reclassify(
        actor=system_actor(), organization=organization, kind="large_enterprise"
    )
    with pytest.raises(ApplicationError, match="不能晚于今天"):
        organization_reclassify(
            actor=system_actor(),
            organization=organization,
            region_id=B,
            effective_from=today + dt.timedelta(days=1),
        )
    with pytest.raises(ApplicationError):
        organization_reclassify(actor=system_actor(), organization=organization, kind="martian")


def test_correction_from_the_start_needs_a_reason_and_rewrites_the_history():
    organization = OrganizationFactory(kind="sme", region=region(A))
    organization_reclassify(
        actor=system_actor(), organization=organization, region_id=B, effective_from=D(2023, 1, 1)
    )
    with pytest.raises(ApplicationError, match="原因"):
        organization_correct(actor=system_actor(), organization=organization, kind="soe", reason="")
    organization_correct(actor=system_actor(), organization=organization, kind="soe", reason="登记有误")
    assert spans(organization) == [(None, D(2023, 1, 1), "soe", A), (D(2023, 1, 1), None, "soe", B)]
    assert OrganizationChange.objects.filter(action="correction", effective_from__isnull=True).count() == 1


def test_admin_change_with_an_effective_date_and_a_correction(client):
    organization = OrganizationFactory(kind="sme", region=region(A))
    client.force_login(make_user(Role.ADMIN))
    url = reverse("admin:portal_organization_change", args=[organization.pk])
    form = {
        "name": organization.name,
        "credit_code": organization.credit_code,
        "kind": "sme",
        "region": B,
        "effective_from": "2023-07-01",
        "change_reason": "迁址",
        "contact_name": "", "contact_phone": "", "contact_email": "", "address": "", "website": "",
        "public_contact": "", "description": "",
    }  # fmt: skip
    for prefix in ("memberships", "year_stats", "periods", "changes"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert spans(organization) == [(None, D(2023, 7, 1), "sme", A), (D(2023, 7, 1), None, "sme", B)]
    # A correction without a reason is refused; with one, it applies from the start.
    form.update(
        kind="large_enterprise", region=B, effective_from="", correct_from_start="on", change_reason=""
    )
    form.update({"periods-INITIAL_FORMS": "0", "changes-INITIAL_FORMS": "0"})
    assert client.post(url, form).status_code == 200
    form["change_reason"] = "营业执照为大型企业"
    assert client.post(url, form).status_code == 302
    assert [s[2] for s in spans(organization)] == ["large_enterprise", "large_enterprise"]
    assert OrganizationChange.objects.filter(organization=organization).count() == 2
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:portal_organizationchange_changelist")).status_code == 200


def write_csv(tmp_path, rows, name="orgs.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def test_organizations_import_effective_from(tmp_path):
    organization = OrganizationFactory(kind="sme", region=region(A))
    header = ["统一社会信用代码", "名称", "类型", "旗区", "生效日期"]
    rows = [header, [organization.credit_code, organization.name, "中小微企业", "东胜区", "2022-03-01"]]
    result = run_import(actor=system_actor(), kind="organizations", path=write_csv(tmp_path, rows))
    assert result.ok and result.counts.updated == 1
    assert spans(organization) == [(None, D(2022, 3, 1), "sme", A), (D(2022, 3, 1), None, "sme", B)]
    # Again: unchanged (idempotent). Backdating the same values further is a change.
    assert (
        run_import(
            actor=system_actor(), kind="organizations", path=write_csv(tmp_path, rows)
        ).counts.unchanged
        == 1
    )
    rows[1][4] = "2021-01-01"
    assert (
        run_import(actor=system_actor(), kind="organizations", path=write_csv(tmp_path, rows)).counts.updated
        == 1
    )
    assert spans(organization) == [(None, D(2021, 1, 1), "sme", A), (D(2021, 1, 1), None, "sme", B)]
    # A date in the future is an error naming the row and column; nothing is written.
    rows[1][3], rows[1][4] = "准格尔旗", (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    result = run_import(actor=system_actor(), kind="organizations", path=write_csv(tmp_path, rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "生效日期")]
    assert spans(organization)[-1][3] == B
    # A new organization's values hold from the start.
    new = [header, [credit_code(9999), "新企业", "sme", "150621", "2024-01-01"]]
    result = run_import(actor=system_actor(), kind="organizations", path=write_csv(tmp_path, new, "new.csv"))
    assert result.ok and result.counts.created == 1
    assert spans(Organization.objects.get(credit_code=credit_code(9999))) == [(None, None, "sme", "150621")]


def test_migration_gives_every_organization_one_open_period():
    organization = OrganizationFactory(kind="soe", region=None)
    OrganizationPeriod.objects.all().delete()
    migration = importlib.import_module("portal.migrations.0005_organization_kind_and_district_periods")
    migration.open_periods_from_the_start(apps, None)
    assert spans(organization) == [(None, None, "soe", None)]
    assert OrganizationPeriod.objects.count() == Organization.objects.count()


def test_org_stats_preview_warns_on_implausible_revenue_per_employee(tmp_path):
    organization = OrganizationFactory(kind="sme", region=region(A))
    rows = [
        ["统一社会信用代码", "年度", "营业收入", "从业人数"],
        [organization.credit_code, "2023", "500", "10"],  # 50 yuan a head: 万元 under a bare header?
        [organization.credit_code, "2022", "5000000", "10"],
    ]
    result = run_import(actor=system_actor(), kind="org_stats", path=write_csv(tmp_path, rows), dry_run=True)
    assert result.ok
    assert [(w.row, w.column) for w in result.warnings] == [(2, "营业收入")]
    assert result.as_dict()["warnings"][0]["row"] == 2
    err = io.StringIO()
    call_command("import_data", "org_stats", str(write_csv(tmp_path, rows)), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("warning: row 2, column 营业收入: ")


def test_org_stats_preview_warns_above_a_hundred_million_a_head_and_not_on_the_bounds(tmp_path):
    """Revenue per employee under 1,000 or over 100,000,000 yuan is implausible; the bounds are not."""
    organization = OrganizationFactory(kind="sme", region=region(A))
    rows = [
        ["统一社会信用代码", "年度", "营业收入", "从业人数"],
        [organization.credit_code, "2023", "1000000001", "10"],  # 100,000,000.10 a head
        [organization.credit_code, "2022", "1000000000", "10"],  # 100,000,000 a head: plausible
        [organization.credit_code, "2021", "10000", "10"],  # 1,000 a head: plausible
    ]
    result = run_import(actor=system_actor(), kind="org_stats", path=write_csv(tmp_path, rows), dry_run=True)
    assert result.ok
    assert [(w.row, w.column) for w in result.warnings] == [(2, "营业收入")]


def test_org_stats_revenue_in_wan_yuan(tmp_path):
    organization = OrganizationFactory(kind="sme", region=region(A))
    rows = [
        ["统一社会信用代码", "年度", "营业收入(万元)", "从业人数"],
        [organization.credit_code, "2023", "500.5", "10"],
    ]
    result = run_import(actor=system_actor(), kind="org_stats", path=write_csv(tmp_path, rows))
    assert result.ok and not result.warnings
    assert str(organization.year_stats.get().revenue) == "5005000.00"
    bad = [
        ["统一社会信用代码", "年度", "营业收入", "从业人数(万元)"],
        [organization.credit_code, "2023", "5", "10"],
    ]
    assert [
        e.column
        for e in run_import(actor=system_actor(), kind="org_stats", path=write_csv(tmp_path, bad)).errors
    ] == ["从业人数(万元)"]
