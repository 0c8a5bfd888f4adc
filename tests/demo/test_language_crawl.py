"""One language at a time: every page each demo role can reach, in Chinese and in English, shows
no text of the other language.

The crawl starts at the home page and follows the site's own links (one or two URLs per view, so
the demo's hundreds of detail pages cost a few requests). User data is the users' own: on English
pages Chinese is allowed only where it is a stored value (an organization's name, a patent's title
or a cut of its abstract, ...), on Chinese pages English only where it is a stored value, a code
or a proper name on the allow-list. Interface text must be in the page's language.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.urls import Resolver404, resolve

from demo.seed import USERS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = [*USERS, "admin"]
PAGES_PER_VIEW = 1
MAX_PAGES = 160  # per role and language

# Views that change state on GET, leave the site, or serve files: not crawled.
SKIP_VIEWS = {"logout", "set_language", "javascript-catalog"}
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/healthz", "/metrics", "/__")

# Latin words that belong on Chinese pages: product, unit and standard names, codes.
LATIN_ALLOWED = {
    "IPC", "TRL", "PDF", "CSV", "XLSX", "Excel", "API", "KPI", "URL", "ID", "OK", "Token",
    "English", "CNIPA", "WIPO", "GB", "T", "QR", "SME", "PCT", "HTTP", "HTTPS", "JSON",
    "Bearer", "OpenAPI", "Swagger", "Redoc", "e", "g", "CPC", "SQL", "PNG", "SVG", "UTF",
    "Chromium", "CFU", "No", "TOTP", "DOCX", "CN", "ZL", "ICT", "GET", "POST",
    "clamp", "mean", "max", "min",  # function names of the ranking formula
}  # fmt: skip
# Chinese words that belong on English pages: the language menu names 中文 in itself.
CJK_ALLOWED = {"中文", "简体中文"}

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Codes in prose: URL paths (/api/auth/token/) and column names (owner_credit_code).
CODE_LIKE = re.compile(r"(?:/[\w.-]+)+/?|\b\w+_\w+\b")


def interface_msgids() -> set[str]:
    """The interface's Chinese texts (msgids of the catalog, split at placeholders)."""
    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    ids = set()
    for msgid in re.findall(r'^msgid "(.+)"$', po, flags=re.M):
        ids.update(CJK_RUN.findall(msgid))
    return ids


class TextAndLinks(HTMLParser):
    """The visible text of a page (plus the attributes a reader sees) and its links."""

    VISIBLE_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
    # Not prose: scripts, and code samples (an API call, a file's column codes) shown as code.
    SKIPPED = ("script", "style", "template", "code", "pre", "kbd", "samp")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIPPED:
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in self.VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


# Models whose text is the users' own data (not the interface's): allowed in either language.
USER_DATA_MODELS = {
    "portal.organization",
    "portal.region",
    "portal.industry",
    "auth.user",
    "patents.patent",
    "patents.navigationproject",
    "demands.demand",
    "finance.deal",
    "finance.pledge",
    "finance.insurancepolicy",
    "finance.productfiling",
    "finance.subsidy",
    "matching.event",
    "matching.inquiry",
    "finance.contract",  # the parties' contract text (a Chinese legal document, prefilled then edited)
    "finance.followup",
    "finance.followupanswer",
    "finance.typicalcase",
    "reports.planperiod",  # the plan's official name, entered by the bureau
}


def stored_values() -> tuple[set[str], str]:
    """Every stored text value of the user-data models: (whole values, all of them joined)."""
    values: set[str] = set()
    for label in USER_DATA_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name != "password"
        ]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    values.add(str(value).strip())
                    values.update(part.strip() for part in re.split(r"[;；\n]", str(value)) if part.strip())
    # The bureau's name is a deployment setting (reports, default organizer), a proper name.
    values.add(settings.REPORTS_BUREAU_NAME)
    return values, "\n".join(sorted(values))


def foreign_text(texts: list[str], language: str, whole: set[str], joined: str, msgids: set[str]) -> set[str]:
    found = set()
    for text in texts:
        text = text.strip()
        if not text or text in whole:
            continue
        cut = text.rstrip("…").rstrip(".")
        if len(cut) >= 4 and cut in joined:
            continue  # a stored value cut short in a list (an abstract's first lines)
        if language == "en":
            runs = [r for r in CJK_RUN.findall(text) if not _allowed_run(r, whole, joined, msgids)]
            if runs:  # a stored value inside a sentence ("… of 鄂尔多斯…（演示）"): take it out
                for value in whole:
                    if len(value) > 1 and value in text and CJK_RUN.search(value):
                        text = text.replace(value, " ")
                runs = [r for r in CJK_RUN.findall(text) if not _allowed_run(r, whole, joined, msgids)]
            found.update(runs)
        else:
            for word in LATIN_WORD.findall(CODE_LIKE.sub(" ", text)):
                if word in LATIN_ALLOWED or word.upper() in LATIN_ALLOWED:
                    continue
                if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", joined):
                    continue  # a stored value's (a code, an e-mail address, a name)
                found.add(word)
    return found


def _allowed_run(run: str, whole: set[str], joined: str, msgids: set[str]) -> bool:
    if run in CJK_ALLOWED or run in whole:
        return True
    # part of a stored value (a name, a title, a term of an abstract), not interface text
    return run in joined and run not in msgids


def crawl(client, language: str, whole: set[str], joined: str, msgids: set[str]) -> dict[str, set[str]]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    seen_urls: set[str] = set()
    per_view: dict[str, int] = defaultdict(int)
    queue = deque(["/"])
    problems: dict[str, set[str]] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        path = urlsplit(url).path
        if path.startswith(SKIP_PREFIXES):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name in SKIP_VIEWS:
            continue
        view = f"{match.namespace}:{match.url_name}"
        if per_view[view] >= PAGES_PER_VIEW:
            continue
        per_view[view] += 1
        response = client.get(url)
        pages += 1
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        assert response.status_code < 500, (url, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = TextAndLinks()
        parser.feed(response.content.decode())
        found = foreign_text(parser.texts, language, whole, joined, msgids)
        if found:
            problems[url] = found
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            if "page=" in parts.query or "format=" in parts.query or "export" in parts.path:
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return problems


def test_every_page_of_every_role_in_one_language(client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # After commit: the matching run's notifications (and their e-mails) as on a real first start.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    whole, joined = stored_values()
    msgids = interface_msgids()
    User = get_user_model()
    report = []
    for username in ROLES:
        for language in ("zh-hans", "en"):
            client.logout()
            client.force_login(User.objects.get(username=username))
            for url, words in sorted(crawl(client, language, whole, joined, msgids).items()):
                report.append(f"{username} {language} {url}: {' | '.join(sorted(words))}")
    assert not report, "\n".join(report)
