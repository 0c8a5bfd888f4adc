"""Application numbers stored with digits of another script (٢٠٢٤10199009.3, accepted before
numbers were folded to ASCII) are rewritten in ASCII.

When the ASCII twin already exists (the same number registered twice, once in each script) the
migration does not merge or delete anything: the two rows may belong to different owners and
carry deals. It takes the non-ASCII duplicate off the market (a live listing becomes withdrawn),
leaves its number as it was (its links still resolve, see patents.urls) and writes a review note
starting with "重复申请号" so the bureau can find it in the admin and delete or merge it by hand.
"""

import unicodedata

from django.db import migrations

NOTE = "重复申请号：与已登记的 %s 相同（数据迁移 0008 未修改），请核对后删除本条。"


def _fold(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text).upper()


def fold_numbers(apps, schema_editor):
    Patent = apps.get_model("patents", "Patent")
    suspects = Patent.objects.filter(application_no__regex=r"[^0-9.X]").only(
        "pk", "application_no", "listing_status", "review_note", "search_text"
    )
    for patent in suspects.iterator():
        canonical = _fold(patent.application_no)
        if canonical == patent.application_no or not canonical.isascii():
            continue
        if Patent.objects.filter(application_no=canonical).exclude(pk=patent.pk).exists():
            if patent.listing_status in ("submitted", "published"):
                patent.listing_status = "withdrawn"
            patent.review_note = (NOTE % canonical + " " + patent.review_note)[:500].strip()
            patent.save(update_fields=["listing_status", "review_note"])
            continue
        patent.search_text = patent.search_text.replace(patent.application_no, canonical)
        patent.application_no = canonical
        patent.save(update_fields=["application_no", "search_text"])


class Migration(migrations.Migration):
    dependencies = [("patents", "0007_browse_sort_indexes_and_narrow_rows")]

    operations = [migrations.RunPython(fold_numbers, migrations.RunPython.noop)]
