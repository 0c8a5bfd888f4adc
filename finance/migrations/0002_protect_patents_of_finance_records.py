"""The patents of deals, pledges, policies and filings get explicit link models whose foreign key to
the patent is PROTECT, so that deleting a patent a finance record names is refused.

The link tables stay as they are (same table, columns and unique pair as Django's automatic ones),
so only the migration state changes; the m2m history models follow the new link model names."""

import django.db.models.deletion
from django.db import migrations, models


def link(name, table, owner_field, owner_model):
    return migrations.CreateModel(
        name=name,
        fields=[
            (
                "id",
                models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
            ),
            (owner_field, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=owner_model)),
            ("patent", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="patents.patent")),
        ],
        options={"db_table": table, "unique_together": {(owner_field, "patent")}},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_deals_payments_pledges_insurance_subsidies_filings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                link("DealPatent", "finance_deal_patents", "deal", "finance.deal"),
                migrations.AlterField(
                    model_name="deal",
                    name="patents",
                    field=models.ManyToManyField(
                        related_name="deals",
                        through="finance.DealPatent",
                        to="patents.patent",
                        verbose_name="专利",
                    ),
                ),
                link("PledgePatent", "finance_pledge_patents", "pledge", "finance.pledge"),
                migrations.AlterField(
                    model_name="pledge",
                    name="patents",
                    field=models.ManyToManyField(
                        related_name="pledges",
                        through="finance.PledgePatent",
                        to="patents.patent",
                        verbose_name="质押专利",
                    ),
                ),
                link(
                    "InsurancePolicyPatent",
                    "finance_insurancepolicy_patents",
                    "insurancepolicy",
                    "finance.insurancepolicy",
                ),
                migrations.AlterField(
                    model_name="insurancepolicy",
                    name="patents",
                    field=models.ManyToManyField(
                        related_name="insurance_policies",
                        through="finance.InsurancePolicyPatent",
                        to="patents.patent",
                        verbose_name="投保专利",
                    ),
                ),
                link(
                    "ProductFilingPatent",
                    "finance_productfiling_patents",
                    "productfiling",
                    "finance.productfiling",
                ),
                migrations.AlterField(
                    model_name="productfiling",
                    name="patents",
                    field=models.ManyToManyField(
                        related_name="product_filings",
                        through="finance.ProductFilingPatent",
                        to="patents.patent",
                        verbose_name="涉及专利",
                    ),
                ),
            ],
        ),
        migrations.RenameModel("HistoricalDeal_patents", "HistoricalDealPatent"),
        migrations.AlterModelOptions(
            name="historicaldealpatent", options={"verbose_name": "HistoricalDealPatent"}
        ),
        migrations.RenameModel("HistoricalPledge_patents", "HistoricalPledgePatent"),
        migrations.AlterModelOptions(
            name="historicalpledgepatent", options={"verbose_name": "HistoricalPledgePatent"}
        ),
        migrations.RenameModel("HistoricalInsurancePolicy_patents", "HistoricalInsurancePolicyPatent"),
        migrations.AlterModelOptions(
            name="historicalinsurancepolicypatent",
            options={"verbose_name": "HistoricalInsurancePolicyPatent"},
        ),
        migrations.RenameModel("HistoricalProductFiling_patents", "HistoricalProductFilingPatent"),
        migrations.AlterModelOptions(
            name="historicalproductfilingpatent", options={"verbose_name": "HistoricalProductFilingPatent"}
        ),
        # The history link fields as simple_history now declares them (no tablespace: no SQL).
        migrations.AlterField(
            model_name="historicaldealpatent",
            name="deal",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.deal",
            ),
        ),
        migrations.AlterField(
            model_name="historicaldealpatent",
            name="patent",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patents.patent",
            ),
        ),
        migrations.AlterField(
            model_name="historicalinsurancepolicypatent",
            name="insurancepolicy",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.insurancepolicy",
            ),
        ),
        migrations.AlterField(
            model_name="historicalinsurancepolicypatent",
            name="patent",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patents.patent",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpledgepatent",
            name="patent",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patents.patent",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpledgepatent",
            name="pledge",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.pledge",
            ),
        ),
        migrations.AlterField(
            model_name="historicalproductfilingpatent",
            name="patent",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patents.patent",
            ),
        ),
        migrations.AlterField(
            model_name="historicalproductfilingpatent",
            name="productfiling",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.productfiling",
            ),
        ),
    ]
