"""Checks shared by the report tests."""

import re
import zlib


def pdf_streams(data: bytes) -> bytes:
    """The PDF's streams, decompressed where they are Flate-encoded."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            # decompressobj tolerates the end-of-line that may precede "endstream".
            chunks.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            chunks.append(match.group(1))
    return b"\n".join(chunks)


def assert_chinese_pdf(data: bytes, text: str) -> None:
    """A PDF that embeds a Noto CJK font whose ToUnicode map covers every character of ``text``
    (so the text is drawn with real glyphs, not missing-glyph boxes)."""
    assert data.startswith(b"%PDF-")
    streams = pdf_streams(data)
    assert b"Noto-Sans-CJK" in streams or b"Noto-Sans-CJK" in data
    lower = streams.lower()
    for char in text:
        assert f"<{ord(char):04x}>".encode() in lower, char
