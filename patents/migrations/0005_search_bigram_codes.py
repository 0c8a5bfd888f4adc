"""Index the search bigrams as integers (integer[]) instead of characters in a tsvector.

The GIN index on ``to_tsvector('simple', search_bigrams)`` was most of the time of a large import
(~180 keys per patent). One on an integer array costs about half as much PostgreSQL time to
maintain and a third as much to build, and serves the same "all bigrams of the term" condition
with ``@>`` (see patents/search.py). A bigram's code is the 32-bit signed integer with its first
character's code point in the low 16 bits and its second's in the high 16 bits.

- The codes go to a new column, filled from the old one (0006 drops it), so that the new index
  never sees the characters of the old row versions.
- The column is stored out of line and uncompressed (STORAGE EXTERNAL): only the index and the
  rare row-by-row check read it, and the rows stay narrow.
- The index covers published listings only, what the browse page and the public API search: an
  import maintains it for the rows it publishes, not for the whole inventory (drafts are most of
  an institution's patents). An owner's inventory search is narrowed by owner first; staff
  searching every status check the codes row by row.
- The index is on ``patent_bigram_codes(search_bigram_codes)``, a function returning its argument
  whose declared cost tells the planner that reading a row's codes is not free (they are out of
  line): with the bare column PostgreSQL judged a sequential scan checking every row cheaper
  than the index for a common term, and took ten times longer. PL/pgSQL, so that it is never
  inlined (and its cost never lost).
"""

from django.db import migrations

import patents.search

FILL = """
    UPDATE patents_patent SET search_bigram_codes = ARRAY(
        SELECT DISTINCT
            (ascii(substr(pair, 1, 1))::bigint | (ascii(substr(pair, 2, 1))::bigint << 16))::bit(32)::integer AS code
        FROM unnest(string_to_array(search_bigrams, ' ')) AS pair
        WHERE char_length(pair) = 2
        ORDER BY code
    )
    WHERE search_bigrams <> ''
"""
FILL_BACK = """
    UPDATE patents_patent SET search_bigrams = array_to_string(ARRAY(
        SELECT chr(code & 65535) || chr((code >> 16) & 65535) FROM unnest(search_bigram_codes) AS code
    ), ' ')
"""
CREATE_FUNCTION = """
    CREATE OR REPLACE FUNCTION patent_bigram_codes(codes integer[]) RETURNS integer[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
    AS $$ BEGIN RETURN codes; END $$
"""


def _code(pair: str) -> int:
    code = ord(pair[0]) | ord(pair[1]) << 16
    return code - (1 << 32) if code >= 1 << 31 else code


def _python(apps, source: str, target: str, convert) -> None:
    Patent = apps.get_model("patents", "Patent")
    batch = []
    for patent in Patent.objects.only("pk", source).iterator(chunk_size=2000):
        setattr(patent, target, convert(getattr(patent, source)))
        batch.append(patent)
        if len(batch) >= 500:
            Patent.objects.bulk_update(batch, [target])
            batch = []
    Patent.objects.bulk_update(batch, [target])


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        return
    _python(
        apps,
        "search_bigrams",
        "search_bigram_codes",
        lambda text: sorted({_code(pair) for pair in text.split() if len(pair) == 2}),
    )


def fill_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_BACK)
        return
    _python(
        apps,
        "search_bigram_codes",
        "search_bigrams",
        lambda codes: " ".join(chr(c & 0xFFFF) + chr((c >> 16) & 0xFFFF) for c in codes),
    )


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE patents_patent ALTER COLUMN search_bigram_codes SET STORAGE EXTERNAL")
    schema_editor.execute("DROP INDEX IF EXISTS patent_search_bigrams_gin")
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS patent_search_bigram_codes_gin ON patents_patent "
        "USING gin (patent_bigram_codes(search_bigram_codes)) WHERE listing_status = 'published'"
    )
    # The planner takes no statistics from a partial index's expression: without these it guessed
    # 0.5 % of the rows for any term, and sorted 46,000 rows for the first page of a common one.
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS patent_bigram_codes_stats "
        "ON (patent_bigram_codes(search_bigram_codes)) FROM patents_patent"
    )


def unswap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS patent_bigram_codes_stats")
    schema_editor.execute("DROP INDEX IF EXISTS patent_search_bigram_codes_gin")
    schema_editor.execute("DROP FUNCTION IF EXISTS patent_bigram_codes(integer[])")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS patent_search_bigrams_gin ON patents_patent "
        "USING gin (to_tsvector('simple'::regconfig, search_bigrams))"
    )


class Migration(migrations.Migration):
    dependencies = [("patents", "0004_search_latin_trigram_index")]

    operations = [
        migrations.AddField(
            model_name="patent",
            name="search_bigram_codes",
            field=patents.search.BigramCodesField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, fill_back, elidable=False),
        migrations.RunPython(swap_indexes, unswap_indexes, elidable=False),
    ]
