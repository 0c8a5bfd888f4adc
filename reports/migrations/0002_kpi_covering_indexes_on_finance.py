"""Covering indexes on finance tables for the KPI queries (PostgreSQL only).

The KPI report reads each year's deals, payments and pledges once and needs from each row only a
few columns (dates, parties, amounts); with these indexes PostgreSQL answers from the index alone
(index-only scans) instead of visiting the wide table rows. See benchmarks/kpi.py for the effect
with 1,000,000 deals and 2,000,000 payments. They live in a reports migration because the KPI
report is what needs them; ``IF NOT EXISTS`` keeps this harmless if finance adds the same ones.
"""

from django.db import migrations

INDEXES = {
    "reports_payment_date_cover_idx": "finance_payment (date) INCLUDE (deal_id, amount)",
    "reports_deal_date_cover_idx": "finance_deal (contract_date) INCLUDE (id, buyer_id, seller_id, kind, contract_amount)",
    "reports_deal_parties_cover_idx": "finance_deal (id) INCLUDE (buyer_id, seller_id, kind, contract_date)",
    "reports_pledge_date_cover_idx": "finance_pledge (registration_date) INCLUDE (borrower_id, amount)",
    "reports_subsidy_decision_cover_idx": (
        "finance_subsidy (decision_date) INCLUDE (organization_id, patent_id, status, approved_amount)"
    ),
    "reports_subsidy_patent_decision_idx": (
        "finance_subsidy (patent_id, decision_date) INCLUDE (status, approved_amount, official_fees)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_annual_report"),
        ("finance", "0001_deals_payments_pledges_insurance_subsidies_filings"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
