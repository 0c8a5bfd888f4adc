"""A patent export's header row is in the reader's language and imports back either way."""

import pytest
from django.utils import translation

from patents.exports import EXPORT_COLUMNS, EXPORT_HEADERS_ZH, export_header
from patents.importers import PatentImporter

pytestmark = pytest.mark.django_db


def test_export_header_follows_the_language_and_is_an_import_alias():
    with translation.override("zh-hans"):
        header = export_header()
    assert header[0] == "申请号" and not any(h.isascii() and h.isalpha() for h in header)
    with translation.override("en"):
        assert export_header() == list(EXPORT_COLUMNS)
    aliases = {c.name: c.aliases for c in PatentImporter.columns}
    for name, chinese in EXPORT_HEADERS_ZH.items():
        assert chinese in aliases[name], name
