"""A minimal DOCX (WordprocessingML) writer for generated contracts: paragraphs of plain text,
bold or sized, left/centre/right aligned, in a Chinese font.

Why not python-docx: it requires lxml, and with lxml installed openpyxl switches to its lxml
reader and writer, which changes what the XLSX exports and imports do with some cell text (the
escaping and fail-closed import tests catch it). A contract needs only paragraphs, which the
standard library writes in a few lines."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Characters XML 1.0 does not allow (user text may carry them); they are dropped.
INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    size_pt: float | None = None
    align: str = ""  # "", "center" or "right"


def _styles(font: str, size_pt: float) -> str:
    name = quoteattr(font)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W}">'
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f"<w:rFonts w:ascii={name} w:hAnsi={name} w:eastAsia={name} w:cs={name}/>"
        f'<w:sz w:val="{round(size_pt * 2)}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/>'
        '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults></w:styles>"
    )


def _paragraph(paragraph: Paragraph) -> str:
    properties = f'<w:pPr><w:jc w:val="{paragraph.align}"/></w:pPr>' if paragraph.align else ""
    run_properties = ""
    if paragraph.bold or paragraph.size_pt:
        run_properties = "<w:rPr>"
        run_properties += "<w:b/>" if paragraph.bold else ""
        run_properties += f'<w:sz w:val="{round(paragraph.size_pt * 2)}"/>' if paragraph.size_pt else ""
        run_properties += "</w:rPr>"
    lines = INVALID_XML.sub("", paragraph.text).split("\n")
    texts = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:p>{properties}<w:r>{run_properties}{texts}</w:r></w:p>"


def docx_bytes(paragraphs: list[Paragraph], *, font: str, size_pt: float = 11) -> bytes:
    """The document as a .docx file (A4, 2 cm margins)."""
    body = "".join(_paragraph(p) for p in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>'
        "</w:sectPr></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        package.writestr("word/document.xml", document)
        package.writestr("word/styles.xml", _styles(font, size_pt))
    return buffer.getvalue()


def docx_text(content: bytes) -> str:
    """The text of a .docx written here, one line per paragraph (for tests and checks)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        root = ElementTree.fromstring(package.read("word/document.xml"))
    lines = []
    for paragraph in root.iter(f"{{{W}}}p"):
        lines.append("".join(node.text or "" for node in paragraph.iter(f"{{{W}}}t")))
    return "\n".join(lines)
