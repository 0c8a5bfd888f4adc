"""The KPI's covering indexes on deals also carry the deal's status (PostgreSQL only), and the
organization periods get one for the as-of look-ups.

Since issue 13 a terminated deal is left out of every figure but the received amount, so the
deal queries test ``status``; without it in the index, PostgreSQL reads every deal row of the
year from the table instead of from the index alone (a year's city report: about half its
time). The look-up of the period covering a record's date (organizations that changed kind or
district) reads the period from the index alone as well.
"""

from django.db import migrations

OLD = {
    "reports_deal_date_cover_idx": "finance_deal (contract_date) INCLUDE (id, buyer_id, seller_id, kind, contract_amount)",
    "reports_deal_parties_cover_idx": "finance_deal (id) INCLUDE (buyer_id, seller_id, kind, contract_date)",
}
NEW = {
    "reports_deal_date_status_cover_idx": (
        "finance_deal (contract_date) INCLUDE (id, buyer_id, seller_id, kind, status, contract_amount)"
    ),
    "reports_deal_parties_status_cover_idx": "finance_deal (id) INCLUDE (buyer_id, seller_id, kind, status, contract_date)",
    "reports_org_period_asof_cover_idx": (
        "portal_organizationperiod (organization_id, valid_from) INCLUDE (valid_to, kind, region_id)"
    ),
}


def _swap(schema_editor, drop: dict, create: dict) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in create.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def forwards(apps, schema_editor):
    _swap(schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_kpi_covering_indexes_on_finance"),
        ("portal", "0005_organization_kind_and_district_periods"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
