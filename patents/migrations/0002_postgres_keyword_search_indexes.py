"""PostgreSQL only: indexes that serve the Chinese keyword search (see patents/search.py).

- a GIN index on to_tsvector('simple', search_bigrams): finds candidates for Chinese terms of two or
  more characters, which pg_trgm cannot (LIKE '%煤矿%' has no trigram);
- a pg_trgm GIN index on search_text: serves LIKE '%term%' for Latin/digit terms of 3+ characters.
Other databases (SQLite in development) scan; the model state is unchanged, so these indexes are
not in Meta.indexes. Migrating backwards keeps the pg_trgm extension (other apps may use it).
"""

from django.db import migrations

CREATE = [
    # Needs the CREATE privilege on the database, or an administrator creating it beforehand.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS patent_search_bigrams_gin ON patents_patent "
    "USING gin (to_tsvector('simple'::regconfig, search_bigrams))",
    "CREATE INDEX IF NOT EXISTS patent_search_text_trgm ON patents_patent USING gin (search_text gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS patent_search_bigrams_gin",
    "DROP INDEX IF EXISTS patent_search_text_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("patents", "0001_patent_inventory_listings_bulletins_navigation")]

    operations = [
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
