"""The English catalog (locale/en/LC_MESSAGES/django.po) is complete, and the compiled .mo that
Django reads is the .po compiled: a fuzzy or empty msgstr, or a .po edited without recompiling,
shows Chinese to English users.

Refresh with ``make messages`` (makemessages + compilemessages), translate what is new, compile.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
CONTEXT_SEPARATOR = "\x04"  # how gettext keys a msgctxt'd message: "context\x04msgid"
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; 0 when singular

    @property
    def key(self) -> str:
        return f"{self.msgctxt}{CONTEXT_SEPARATOR}{self.msgid}" if self.msgctxt is not None else self.msgid

    def describe(self) -> str:
        context = f" [{self.msgctxt}]" if self.msgctxt is not None else ""
        return f"line {self.line}{context}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a .po file (obsolete ``#~`` entries are left out), header included."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field the next continuation line extends

    def finish():
        nonlocal current, target
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)
        current, target = None, None

    def append(text: str):
        name, index = target
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None and target[0] == "msgstr":
                finish()  # a comment after a msgstr starts the next entry
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            append(ast.literal_eval(line))
            continue
        keyword, _space, rest = line.partition(" ")
        if (
            keyword in {"msgctxt", "msgid"}
            and current is not None
            and target is not None
            and target[0] == "msgstr"
        ):
            finish()
        if current is None:
            current = Entry(line=number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword in {"msgctxt", "msgid", "msgid_plural"}:
            target = (keyword, None)
            setattr(current, keyword, "")
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
        if keyword == "msgid":
            current.line = number
        append(ast.literal_eval(rest))
    finish()
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    """The entries without the header (msgid "")."""
    return [entry for entry in entries if entry.msgid]


def test_catalog_has_messages(entries, messages):
    header = [entry for entry in entries if not entry.msgid]
    assert len(header) == 1 and "Plural-Forms: nplurals=2;" in header[0].msgstr[0]
    assert len(messages) > 1000  # the portal's strings, not an accidentally emptied catalog


def test_no_fuzzy_entries(entries):
    """Django ignores fuzzy entries: their English never shows."""
    fuzzy = [entry.describe() for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {PO_PATH.name}:\n" + "\n".join(fuzzy)


def test_no_untranslated_entries(messages):
    untranslated = []
    for entry in messages:
        expected = 2 if entry.msgid_plural is not None else 1  # Plural-Forms: nplurals=2
        forms = [entry.msgstr.get(index, "") for index in range(expected)]
        if not all(form.strip() for form in forms):
            untranslated.append(entry.describe())
    assert not untranslated, f"{len(untranslated)} untranslated entries in {PO_PATH.name}:\n" + "\n".join(
        untranslated
    )


def test_no_duplicate_entries(messages):
    keys = [entry.key for entry in messages]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates


def test_named_placeholders_are_kept(messages):
    """%(name)s placeholders (and {{ name }} of blocktranslate, which become them) survive translation."""
    wrong = []
    for entry in messages:
        if "python-format" not in entry.flags:
            continue
        wanted = set(NAMED_PLACEHOLDER.findall(entry.msgid)) | set(
            NAMED_PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        for index, text in entry.msgstr.items():
            if set(NAMED_PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{entry.describe()} msgstr[{index}] = {text!r}")
    assert not wrong, "\n".join(wrong)


def _catalog(mo_path: Path) -> dict:
    with mo_path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _expected_catalog(messages: list[Entry]) -> dict:
    """What msgfmt makes of the .po: translated, non-fuzzy messages; plurals keyed (msgid, n)."""
    catalog = {}
    for entry in messages:
        if "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr.items():
                if text:
                    catalog[(entry.key, index)] = text
        elif entry.msgstr.get(0):
            catalog[entry.key] = entry.msgstr[0]
    return catalog


def test_mo_is_compiled_from_po(messages):
    """The committed .mo holds exactly the .po's translations (run compilemessages after editing)."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages"
    compiled = _catalog(MO_PATH)
    compiled.pop("", None)  # the header
    expected = _expected_catalog(messages)
    missing = sorted(str(key) for key in expected.keys() - compiled.keys())
    stale = sorted(str(key) for key in compiled.keys() - expected.keys())
    changed = sorted(str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
    assert not (missing or stale or changed), (
        f"{MO_PATH.name} is out of date with {PO_PATH.name}: run "
        "`python manage.py compilemessages -l en --ignore=.venv`\n"
        f"missing: {missing[:10]}\nstale: {stale[:10]}\nchanged: {changed[:10]}"
    )
    assert len(compiled) == len(expected)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_po_compiles_and_matches_mo(tmp_path):
    """msgfmt --check-format accepts the .po (placeholders, plural forms), and compiling it anew gives
    the same messages as the committed .mo."""
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", str(fresh), str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    assert _catalog(fresh) == _catalog(MO_PATH)
