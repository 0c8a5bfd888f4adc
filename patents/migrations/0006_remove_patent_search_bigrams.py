"""The characters of the search bigrams are replaced by their integer codes (0005)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patents", "0005_search_bigram_codes")]

    operations = [
        migrations.RemoveField(model_name="patent", name="search_bigrams"),
    ]
