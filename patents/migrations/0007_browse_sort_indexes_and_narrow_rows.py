"""Browse-page indexes that serve the queries as written, and narrower rows.

- The browse orderings (patents/filters.py SORTS) are ``<column> ... NULLS LAST, id DESC`` over
  published listings. The old (listing_status, column) indexes could not serve a NULLS LAST
  descending order nor the id tiebreak, so the first page of 56,000 published listings was a
  sequential scan and a sort. One partial index per ordering, on published rows only, lets
  PostgreSQL read the first page from the index. SQLite cannot write NULLS LAST in an index:
  PostgreSQL only, like the search indexes.
- Rows were ~1.6 KB, most of it the abstract and the search text that only the detail page and
  longer keyword terms read; counting the matches of a common keyword or filter read the whole
  160 MB table. Stored out of line (STORAGE EXTERNAL, toast_tuple_target 1024) the table is
  ~2.5 times smaller and fits in shared buffers; writing rows costs the same (no more attempts to
  compress them). Existing rows move out of line when rewritten (VACUUM FULL, or an update).
- The pg_trgm index of the Latin search text covers published listings only, like the bigram
  index (0005): what the public searches, maintained only for the rows an import publishes.
- The owner's and the IPC rows' own foreign-key indexes duplicate the leading column of
  patent_owner_listing_idx and patent_ipc_unique_code: dropped (a large import maintains them).
"""

import django.db.models.deletion
from django.db import migrations, models

PUBLISHED = "WHERE listing_status = 'published'"
SORT_INDEXES = {
    "patent_pub_newest_idx": "published_at DESC NULLS LAST, id DESC",
    "patent_pub_price_idx": "asking_price ASC NULLS LAST, id DESC",
    "patent_pub_price_desc_idx": "asking_price DESC NULLS LAST, id DESC",
    "patent_pub_filed_idx": "application_date DESC NULLS LAST, id DESC",
    "patent_pub_remaining_idx": "expiry_date DESC NULLS LAST, id DESC",
    "patent_pub_trl_idx": "trl DESC NULLS LAST, id DESC",
    "patent_pub_updated_idx": "updated_at DESC, id DESC",
}
OUT_OF_LINE = ("abstract", "claims", "search_text")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS patent_search_latin_trgm")
    schema_editor.execute(
        f"CREATE INDEX patent_search_latin_trgm ON patents_patent USING gin (search_latin gin_trgm_ops) {PUBLISHED}"
    )
    for name, columns in SORT_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON patents_patent ({columns}) {PUBLISHED}")
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTERNAL" for column in OUT_OF_LINE)
    schema_editor.execute(f"ALTER TABLE patents_patent {storage}")
    schema_editor.execute("ALTER TABLE patents_patent SET (toast_tuple_target = 1024)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS patent_search_latin_trgm")
    schema_editor.execute(
        "CREATE INDEX patent_search_latin_trgm ON patents_patent USING gin (search_latin gin_trgm_ops)"
    )
    for name in SORT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    storage = ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in OUT_OF_LINE)
    schema_editor.execute(f"ALTER TABLE patents_patent {storage}")
    schema_editor.execute("ALTER TABLE patents_patent RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("patents", "0006_remove_patent_search_bigrams"),
        ("portal", "0003_agencies_and_import_jobs"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="patent", name="patent_listing_published_idx"),
        migrations.RemoveIndex(model_name="patent", name="patent_listing_price_idx"),
        migrations.RemoveIndex(model_name="patent", name="patent_listing_expiry_idx"),
        migrations.AlterField(
            model_name="patent",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="patents",
                to="portal.organization",
                verbose_name="权利人单位",
            ),
        ),
        migrations.AlterField(
            model_name="patentipc",
            name="patent",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ipc_entries",
                to="patents.patent",
                verbose_name="专利",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
