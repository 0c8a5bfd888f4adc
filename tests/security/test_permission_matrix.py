"""The permission matrix: every URL pattern and API route, for every role, read and write.

Routes are discovered from the URL resolver, so a new route fails ``test_every_route_is_classified``
until it has a row in ``RULES``. Each row names a route, the object its URL points at (from
``tests/security/dataset.py``: organizations "A" in the district officer's 准格尔旗, "B" outside
it) and who may read (GET) and who may write (POST, and PUT/PATCH/DELETE where the API route has
them). List rows name the objects whose markers must not appear for those who may not read them.

How a response counts:
- ``denied``: 401, 403, 404, 405, or a redirect to a login page;
- ``refused``: the view answered with an error message (state or permission refusal) and changed
  nothing; counts as denied;
- ``invalid``: 400, or a form re-shown with errors: the request got past the permission checks
  and failed validation; counts as allowed (the payloads are minimal on purpose);
- ``ok``: anything else below 500. A 5xx is always a failure.
Every request runs in a savepoint that is rolled back, so writes never change the data set.

The last section checks the links each role is shown against the same rows: every link and button
of its pages works for it, its menu offers exactly the pages it may open, and write buttons show
exactly to the writers.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.forms import BaseForm
from django.test import Client, override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from matching.services.subscriptions import subscription_token
from patents.models import Patent
from tests.patents.factories import app_no
from tests.security.dataset import ACTORS, build, marker

# --- Who ----------------------------------------------------------------------------------------

ALL = frozenset(ACTORS)
USERS = ALL - {"anon"}
NOBODY = frozenset()
STAFF = frozenset({"district", "bureau", "admin"})
CITY = frozenset({"bureau", "admin"})
SMES = frozenset({"sme_a", "sme_b"})
OWNER_A = frozenset({"inst_a", "agency_a"})  # institution A and the agency acting for it
MANAGERS_A = OWNER_A | CITY  # edit institution A's inventory
REVIEWERS_A = frozenset({"agency_a"}) | STAFF  # review and publish institution A's listings
IMPORTERS = frozenset({"inst_a", "agency_a", "agency_b", "bank_a"}) | STAFF  # a bank: its own pledges
FINANCE_WRITERS_A = frozenset({"district"}) | CITY  # records with a party in 150622
INSTITUTIONS = frozenset({"inst_a", "agency_a", "agency_b"})  # subscribe to demands

# Who may read each object of the data set (its detail page, and its marker on list pages).
SEES = {
    "p_a_draft": OWNER_A | STAFF,
    "p_a_submitted": OWNER_A | STAFF,
    "p_a_published": ALL,
    "p_b_draft": CITY,
    "p_b_submitted": CITY,
    "p_b_published": ALL,
    "d_a_draft": {"sme_a"} | STAFF,
    "d_a_open": ALL,
    "d_a_verified": {"sme_a", "inst_a", "agency_a", "agency_b"} | STAFF,  # verified institutions
    "d_b_draft": {"sme_b"} | STAFF,  # district officers read every demand of the city
    "d_b_open": ALL,
    # The details of an open public demand: to the SME, verified institutions and agencies, staff.
    "desc_d_a_open": {"sme_a", "inst_a", "agency_a", "agency_b"} | STAFF,
    # Institution A's contact person: on its patents' pages to its side and staff only.
    "contact_inst_a": OWNER_A | STAFF,
    "inq_a": {"sme_a"} | OWNER_A | STAFF,
    "inq_b": {"sme_b"} | CITY,
    "n_a": {"sme_a"},
    "n_b": {"sme_b"},
    "deal_a": {"sme_a"} | OWNER_A | STAFF,
    "deal_b": {"sme_b"} | CITY,
    "paydeal_a": {"sme_a"} | OWNER_A | STAFF,
    "paydeal_b": {"sme_b"} | CITY,
    "pay_a": {"sme_a"} | OWNER_A | STAFF,
    "pay_b": {"sme_b"} | CITY,
    "pledge_a": {"sme_a", "bank_a"} | STAFF,
    "pledge_b": {"sme_b"} | CITY,
    "policy_a": {"inst_a"} | STAFF,
    "policy_b": CITY,
    "subsidy_a": {"inst_a"} | STAFF,
    "subsidy_b": CITY,
    "filing_a": {"sme_a"} | STAFF,
    "filing_b": {"sme_b"} | CITY,
    "job_a": {"inst_a"} | STAFF,
    "job_b": CITY,  # an upload of an institution outside the district officer's district
    "fu_a": {"sme_a"} | STAFF,  # a follow-up answer: the buyer and staff
    "fu_b": {"sme_b"} | CITY,
    "org_sme_a": STAFF,
    "org_sme_b": CITY,
    "org_pending_a": STAFF,
    "org_pending_b": CITY,
    # Typical cases: a draft to city staff and the deal's parties; a published one to everyone.
    "case_a": frozenset({"sme_a", "inst_a"}) | CITY,
    "case_b": ALL,
    "sub_a": {"sme_a"},
    "sub_b": {"sme_b"},
}
PATENTS = tuple(f"p_{s}_{t}" for s in "ab" for t in ("draft", "submitted", "published"))
DEMANDS = ("d_a_draft", "d_a_open", "d_a_verified", "d_b_draft", "d_b_open")
INQUIRIES = ("inq_a", "inq_b")
NOTES = ("n_a", "n_b")
JOBS = ("job_a", "job_b")
ORGS = ("org_sme_a", "org_sme_b", "org_pending_a", "org_pending_b")
FINANCE = {
    "deal": ("deal_a", "deal_b", "paydeal_a", "paydeal_b"),
    "pledge": ("pledge_a", "pledge_b"),
    "insurance": ("policy_a", "policy_b"),
    "subsidy": ("subsidy_a", "subsidy_b"),
    "filing": ("filing_a", "filing_b"),
}
FINANCE_API = {
    "deal": "finance-deal",
    "pledge": "finance-pledge",
    "insurance": "finance-insurance-policy",
    "subsidy": "finance-subsidy",
    "filing": "finance-product-filing",
}
FINANCE_OBJECT = {
    "deal": "deal",
    "pledge": "pledge",
    "insurance": "policy",
    "subsidy": "subsidy",
    "filing": "filing",
}


def _future(days: int = 60) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# --- The rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class R:
    """One row: ``route`` (URL name) with its URL pointing at ``target`` (a data set key);
    ``get``/``write``: who is allowed (None: the method is not checked on this route);
    ``data``: the payload of writes (a dict, or a function of the data set); ``query`` is added
    to GETs; ``shows``: data set keys whose markers only their readers (``SEES``) may find;
    ``rejects``: denied actors for whom a 400 is the expected refusal (a business rule of the
    service, or an object named in the body that they cannot see); ``actors``: who is checked
    (everyone, unless the answer is public and costly to compute)."""

    route: str
    target: str | None = None
    get: frozenset | None = None
    write: frozenset | None = None
    data: dict | Callable | None = None
    query: str = ""
    shows: tuple = ()
    kwargs: dict = field(default_factory=dict)
    rejects: frozenset = frozenset()
    actors: tuple = ACTORS
    either: frozenset = frozenset()  # actors whose answer is not asserted (any answer below 500)
    methods: tuple | None = None  # the write methods this row checks (None: all of the route's)


def _rows_for_finance() -> list[R]:
    rows = []
    for key, keys in FINANCE.items():
        obj = FINANCE_OBJECT[key]
        creators = STAFF | ({"bank_a"} if key == "pledge" else set())
        writers_a = FINANCE_WRITERS_A | ({"bank_a"} if key == "pledge" else set())
        api = FINANCE_API[key]
        rows += [
            R(f"finance:{key}-list", None, USERS, shows=keys),
            R(f"finance:{key}-create", None, creators, creators),
            R(f"api:{api}-list", None, USERS, creators, shows=keys),
        ]
        for side, writers in (("a", writers_a), ("b", CITY)):
            target = f"{obj}_{side}"
            rows += [
                R(f"finance:{key}-detail", target, SEES[target]),
                R(f"finance:{key}-update", target, writers, writers),
                R(f"finance:{key}-delete", target, writers, writers),
                R(f"api:{api}-detail", target, SEES[target], writers, data={}),
            ]
    return rows


def _patent_payload(data):
    return {
        "owner": data.orgs["inst_a"].credit_code,
        "application_no": app_no(8_000_001, year=2020),
        "title": "新专利",
    }


def _demand_payload(_data):
    return {"title": "新需求", "description": "需要冷链技术", "deal_kinds": ["transfer"]}


def _event_payload(_data):
    return {"title": "新活动", "kind": "roadshow", "date": _future(), "venue": "会议室", "organizer": "市局"}


def _navigation_payload(_data):
    return {"title": "新导航项目", "kind": "industry_planning", "year_started": 2023}


RULES: list[R] = [
    # --- portal: public pages, accounts -----------------------------------------------------
    R("healthz", None, ALL),
    R("favicon", None, ALL),
    R("set_language", None, ALL, ALL, data={"language": "zh-hans"}),
    R("javascript-catalog", None, ALL),
    R("portal:home", None, ALL),
    R("workbench:home", None, USERS),
    R("portal:login", None, ALL, ALL, data={"username": "nobody", "password": "wrong-password-1"}),
    R("portal:logout", None, NOBODY, ALL),
    R("portal:signup", None, ALL, ALL),
    R("portal:profile", None, USERS, USERS),
    R("portal:password-change", None, USERS, USERS),
    R("portal:api-tokens", None, USERS),
    R("portal:api-tokens-revoke-all", None, NOBODY, USERS),
    # Only one's own tokens: no actor has token 999999 (tests/portal/test_api_auth.py revokes real ones).
    R("portal:api-token-revoke", None, NOBODY, NOBODY, kwargs={"pk": 999999}),
    R("portal:password-change-done", None, USERS),
    R("portal:password-reset", None, ALL, ALL, data={"email": "nobody@example.com"}),
    R("portal:password-reset-done", None, ALL),
    R("portal:password-reset-confirm", None, ALL, kwargs={"uidb64": "MQ", "token": "bad-token"}),
    R("portal:password-reset-complete", None, ALL),
    R("api:auth-token", None, None, ALL, data={"username": "nobody", "password": "wrong"}, methods=("POST",)),
    # DELETE revokes the token the request carries; a session (the matrix's clients) is not one.
    R("api:auth-token", None, None, NOBODY, methods=("DELETE",)),
    R("api:schema", None, ALL, actors=("anon", "sme_a", "admin")),  # public; takes a second to build
    R("api:docs", None, ALL),
    # Review of organizations: staff, district officers within their district.
    R("portal:organization-review", None, STAFF, query="status=", shows=ORGS),
    R("portal:organization-detail", "org_sme_a", STAFF),
    R("portal:organization-detail", "org_sme_b", CITY),
    R("portal:organization-verify", "org_pending_a", NOBODY, STAFF),
    R("portal:organization-verify", "org_pending_b", NOBODY, CITY),
    R("portal:organization-unverify", "org_sme_a", NOBODY, STAFF, data={"reason": "复核"}),
    R("portal:organization-unverify", "org_sme_b", NOBODY, CITY, data={"reason": "复核"}),
    # Imports: uploads and their files are the uploader's organization's (and staff's).
    R("portal:import-list", None, IMPORTERS, IMPORTERS, shows=JOBS),
    R("portal:import-detail", "job_a", SEES["job_a"]),
    R("portal:import-detail", "job_b", SEES["job_b"]),
    R("portal:import-confirm", "job_a", NOBODY, SEES["job_a"]),
    R("portal:import-confirm", "job_b", NOBODY, SEES["job_b"]),
    R("portal:import-errors", "job_a", SEES["job_a"]),
    # Templates of the kinds one may upload: patents for owners' side and staff, pledges for banks and staff.
    R(
        "portal:import-template",
        None,
        frozenset({"inst_a", "agency_a", "agency_b"}) | CITY,
        kwargs={"kind": "patents", "file_format": "xlsx"},
    ),
    R("portal:import-template", None, STAFF | {"bank_a"}, kwargs={"kind": "pledges", "file_format": "csv"}),
    R("portal:import-errors", "job_b", SEES["job_b"]),
    # --- patents ----------------------------------------------------------------------------
    R("patents:list", None, ALL, shows=PATENTS),
    R("patents:ipc-subclasses", None, ALL, query="ipc_class=E21"),
    R("patents:mine", None, MANAGERS_A, shows=PATENTS),
    R("patents:export", None, MANAGERS_A, query="format=csv", shows=PATENTS),
    R("patents:create", None, MANAGERS_A, MANAGERS_A),
    R("patents:review", None, frozenset({"agency_a", "agency_b"}) | STAFF, shows=PATENTS),
    R("patents:bulletin-list", None, ALL),
    R("patents:bulletin-detail", "bulletin", ALL),
    R("patents:bulletin-xlsx", "bulletin", ALL),
    R("patents:navigation-list", None, ALL),
    R("patents:navigation-create", None, STAFF, STAFF),
    R("patents:navigation-detail", "nav_private", ALL),
    R("patents:navigation-edit", "nav_private", STAFF, STAFF),
    R("patents:navigation-delete", "nav_private", NOBODY, STAFF),
    R("patents:navigation-report", "nav_public", ALL),
    R("patents:navigation-report", "nav_private", STAFF),  # a report not made public
    *[R("patents:detail", key, SEES[key]) for key in PATENTS if key != "p_a_published"],
    R("patents:detail", "p_a_published", ALL, shows=("contact_inst_a",)),
    R("patents:edit", "p_a_draft", MANAGERS_A, MANAGERS_A),
    R("patents:edit", "p_b_draft", CITY, CITY),
    R("patents:submit", "p_a_draft", NOBODY, MANAGERS_A),
    R("patents:submit", "p_b_draft", NOBODY, CITY),
    R("patents:publish", "p_a_submitted", NOBODY, REVIEWERS_A),
    R("patents:publish", "p_b_submitted", NOBODY, CITY),
    R("patents:withdraw", "p_a_published", NOBODY, MANAGERS_A | {"district"}),
    R("patents:withdraw", "p_b_published", NOBODY, CITY),
    R("patents:renew", "p_a_published", NOBODY, MANAGERS_A | {"district"}),
    R("patents:renew", "p_b_published", NOBODY, CITY),
    R("patents:delete", "p_a_draft", NOBODY, MANAGERS_A),
    R("patents:delete", "p_b_draft", NOBODY, CITY),
    R("patents:review-decide", "p_a_submitted", NOBODY, REVIEWERS_A, data={"decision": "approve"}),
    R("patents:review-decide", "p_b_submitted", NOBODY, CITY, data={"decision": "approve"}),
    R("patents:open-license", "p_a_published", MANAGERS_A, MANAGERS_A),
    R("patents:open-license", "p_b_published", CITY, CITY),
    R("patents:open-license-withdraw", "ol_a", NOBODY, MANAGERS_A),
    R("patents:open-license-withdraw", "ol_b", NOBODY, CITY),
    R("api:patent-list", None, ALL, MANAGERS_A, data=_patent_payload, shows=PATENTS),
    R("api:patent-detail", "p_a_draft", SEES["p_a_draft"], MANAGERS_A, data={"title": "新标题"}),
    R("api:patent-detail", "p_b_draft", SEES["p_b_draft"], CITY, data={"title": "新标题"}),
    R("api:patent-detail", "p_b_published", ALL),
    R("api:patent-submit", "p_a_draft", None, MANAGERS_A),
    R("api:patent-submit", "p_b_draft", None, CITY),
    R("api:patent-publish", "p_a_submitted", None, REVIEWERS_A),
    R("api:patent-publish", "p_b_submitted", None, CITY),
    R("api:patent-reject", "p_a_submitted", None, REVIEWERS_A, data={"note": "请补充"}),
    R("api:patent-reject", "p_b_submitted", None, CITY, data={"note": "请补充"}),
    R("api:patent-withdraw", "p_a_published", None, MANAGERS_A | {"district"}),
    R("api:patent-withdraw", "p_b_published", None, CITY),
    R("api:patent-renew", "p_a_published", None, MANAGERS_A | {"district"}),
    R("api:patent-renew", "p_b_published", None, CITY),
    R("api:navigation-project-list", None, ALL, STAFF, data=_navigation_payload),
    R("api:navigation-project-detail", "nav_private", ALL, STAFF, data=_navigation_payload),
    R("api:supply-bulletin-list", None, ALL),
    R("api:supply-bulletin-detail", "bulletin", ALL),
    R("api:ipc-list", None, ALL),
    R("api:ipc-detail", None, ALL, kwargs={"pk": "E21D"}),
    # --- demands ----------------------------------------------------------------------------
    R("demands:list", None, ALL, query="status=", shows=DEMANDS),
    R("demands:mine", None, SMES, shows=DEMANDS),
    R("demands:demand-create", None, SMES, SMES),
    *[R("demands:demand-detail", key, SEES[key]) for key in DEMANDS if key != "d_a_open"],
    R("demands:demand-detail", "d_a_open", ALL, shows=("desc_d_a_open",)),
    R("demands:demand-edit", "d_a_draft", {"sme_a"}, {"sme_a"}),
    R("demands:demand-edit", "d_b_draft", {"sme_b"}, {"sme_b"}),
    R("demands:demand-publish", "d_a_draft", NOBODY, {"sme_a"}),
    R("demands:demand-close", "d_a_open", NOBODY, {"sme_a"} | CITY),
    R("demands:demand-renew", "d_a_open", NOBODY, {"sme_a"}, data=lambda d: {"deadline": _future(120)}),
    R("demands:demand-delete", "d_a_draft", NOBODY, {"sme_a"}),
    R("demands:demand-delete", "d_b_draft", NOBODY, {"sme_b"}),
    R("api:demand-list", None, ALL, SMES, data=_demand_payload, query="status=", shows=DEMANDS),
    R("api:demand-detail", "d_a_draft", SEES["d_a_draft"], {"sme_a"}, data=_demand_payload),
    R("api:demand-detail", "d_b_draft", SEES["d_b_draft"], {"sme_b"}, data=_demand_payload),
    R("api:demand-detail", "d_a_verified", SEES["d_a_verified"]),
    R("api:demand-detail", "d_a_open", ALL, shows=("desc_d_a_open",)),
    R("api:demand-publish", "d_a_draft", None, {"sme_a"}),
    R("api:demand-close", "d_a_open", None, {"sme_a"} | CITY),
    R("api:demand-renew", "d_a_open", None, {"sme_a"}, data=lambda d: {"deadline": _future(120)}),
    # --- matching ---------------------------------------------------------------------------
    R("matching:inquiry-list", None, USERS, shows=INQUIRIES),
    R("matching:inquiry-create", "p_a_published", SMES, SMES, data={"subject": "咨询", "body": "您好"}),
    # Not accepted yet: the contact persons are for city staff only (double opt-in).
    R("matching:inquiry-detail", "inq_a", SEES["inq_a"], shows=(("contact_inst_a", CITY),)),
    R("matching:inquiry-detail", "inq_b", SEES["inq_b"]),
    R("matching:inquiry-reply", "inq_a", NOBODY, {"sme_a"} | OWNER_A, data={"body": "留言"}),
    R("matching:inquiry-reply", "inq_b", NOBODY, {"sme_b"}, data={"body": "留言"}),
    R("matching:inquiry-accept", "inq_a", NOBODY, OWNER_A),
    R("matching:inquiry-accept", "inq_b", NOBODY, NOBODY),
    R("matching:inquiry-transition", "inq_a", NOBODY, {"sme_a"} | OWNER_A, data={"to": "negotiating"}),
    R("matching:inquiry-transition", "inq_b", NOBODY, {"sme_b"}, data={"to": "negotiating"}),
    R("matching:patent-matches", None, frozenset({"inst_a", "agency_a", "agency_b"}) | STAFF),
    # Open demands with nothing recommended: bureau staff and service agencies.
    R("matching:unserved-demands", None, frozenset({"agency_a", "agency_b"}) | STAFF),
    # A demand's recommended patents: its SME and staff; 404 for everyone else.
    R("api:demand-matches", "d_a_open", {"sme_a"} | STAFF),
    R("api:demand-matches", "d_b_open", {"sme_b"} | STAFF),
    R("api:demand-matches", "d_a_draft", {"sme_a"} | STAFF),
    R("matching:notification-list", None, USERS, shows=NOTES),
    R("matching:notification-read-all", None, NOBODY, USERS),
    R("matching:notification-read", "n_a", NOBODY, {"sme_a"}),
    R("matching:notification-read", "n_b", NOBODY, {"sme_b"}),
    R("matching:event-list", None, ALL),
    R("matching:event-create", None, STAFF, STAFF),
    R("matching:event-detail", "event", ALL),
    R("matching:event-edit", "event", STAFF, STAFF),
    # sme_a's organization is registered already (refused); staff register another organization.
    R(
        "matching:event-register",
        "event",
        NOBODY,
        frozenset({"sme_b", "inst_a", "agency_a", "agency_b"}) | STAFF,
        data=lambda d: {"credit_code": d.orgs["sme_b"].credit_code},
    ),
    R(
        "matching:event-unregister",
        "event",
        NOBODY,
        {"sme_a"} | STAFF,
        data=lambda d: {"organization": d.orgs["sme_a"].pk},
    ),
    R(
        "matching:event-outcome",
        "past_event",  # in district B: not the district officer's
        NOBODY,
        CITY,
        data={"intentions_signed": 2, "outcome_notes": ""},
    ),
    R(
        "api:inquiry-list",
        None,
        USERS,
        SMES,
        data=lambda d: {"patent": d["p_a_published"].application_no, "body": "您好"},
        shows=INQUIRIES,
    ),
    R("api:inquiry-detail", "inq_a", SEES["inq_a"], shows=(("contact_inst_a", CITY),)),
    R("api:inquiry-detail", "inq_b", SEES["inq_b"]),
    R("api:inquiry-reply", "inq_a", None, {"sme_a"} | OWNER_A, data={"body": "留言"}),
    R("api:inquiry-reply", "inq_b", None, {"sme_b"}, data={"body": "留言"}),
    # A party acting for the other side is refused by the service's rules (400), others get 403/404.
    R("api:inquiry-accept", "inq_a", None, OWNER_A, data={"note": ""}, rejects={"sme_a"}),
    R("api:inquiry-agree", "inq_a", None, OWNER_A, data={"note": ""}, rejects={"sme_a"}),
    R("api:inquiry-decline", "inq_a", None, OWNER_A, data={"note": ""}, rejects={"sme_a"}),
    R("api:inquiry-negotiate", "inq_a", None, {"sme_a"} | OWNER_A, data={"note": ""}),
    R("api:inquiry-withdraw", "inq_a", None, {"sme_a"}, data={"note": ""}, rejects=OWNER_A),
    R("api:inquiry-withdraw", "inq_b", None, {"sme_b"}, data={"note": ""}),
    R("api:event-list", None, ALL, CITY, data=_event_payload),  # no district: a city-wide event
    R("api:event-detail", "event", ALL, STAFF, data=_event_payload),
    R("api:event-outcome", "past_event", None, CITY, data={"intentions_signed": 2}),  # district B
    # Without a credit code one registers one's own organization (sme_a's is registered: 400,
    # staff have no organization to register: 400); banks and insurers do not take part.
    R("api:event-register", "event", None, USERS - {"bank_a"}, data={}),
    R(
        "api:event-unregister",
        "event",
        None,
        {"sme_a"} | STAFF,
        data=lambda d: {"credit_code": d.orgs["sme_a"].credit_code},
    ),
    R("api:notification-list", None, USERS, shows=NOTES),
    R("api:notification-unread-count", None, USERS),
    R("api:notification-read-all", None, None, USERS),
    R("api:notification-detail", "n_a", {"sme_a"}),
    R("api:notification-read", "n_a", None, {"sme_a"}),
    R("api:notification-read", "n_b", None, {"sme_b"}),
    # --- finance ----------------------------------------------------------------------------
    R("finance:home", None, USERS),
    *_rows_for_finance(),
    R("finance:deal-register", "deal_a", NOBODY, FINANCE_WRITERS_A, data={"registration_no": "DJ2023001"}),
    R("finance:deal-register", "deal_b", NOBODY, CITY, data={"registration_no": "DJ2023001"}),
    R(
        "finance:deal-terminate",
        "deal_a",
        NOBODY,
        FINANCE_WRITERS_A,
        data={"terminated_on": "2023-12-01", "reason": "违约"},
    ),
    R(
        "finance:deal-terminate",
        "deal_b",
        NOBODY,
        CITY,
        data={"terminated_on": "2023-12-01", "reason": "违约"},
    ),
    R(
        "finance:payment-create",
        "deal_a",
        NOBODY,
        FINANCE_WRITERS_A,
        data={"date": "2023-06-01", "amount": "100.00"},
    ),
    R("finance:payment-create", "deal_b", NOBODY, CITY, data={"date": "2023-06-01", "amount": "100.00"}),
    R("finance:payment-delete", "pay_a", NOBODY, FINANCE_WRITERS_A),
    R("finance:payment-delete", "pay_b", NOBODY, CITY),
    R("api:finance-deal-register", "deal_a", None, FINANCE_WRITERS_A, data={"registration_no": "DJ2023001"}),
    R("api:finance-deal-register", "deal_b", None, CITY, data={"registration_no": "DJ2023001"}),
    R(
        "api:finance-deal-terminate",
        "deal_a",
        None,
        FINANCE_WRITERS_A,
        data={"terminated_on": "2023-12-01", "reason": "违约"},
    ),
    # A deal one cannot see is "not found" in the body: 400.
    R(
        "api:finance-payment-list",
        None,
        USERS,
        FINANCE_WRITERS_A,
        data=lambda d: {"deal": d["deal_a"].pk, "date": "2023-06-01", "amount": "100.00"},
        rejects=USERS - SEES["deal_a"],
    ),
    R("api:finance-payment-detail", "pay_a", SEES["pay_a"], FINANCE_WRITERS_A, data={}),
    R("api:finance-payment-detail", "pay_b", SEES["pay_b"], CITY, data={}),
    # --- market features (issue 16, items 4-7) ------------------------------------------------
    R("api:price-guidance", "p_a_published", USERS),
    R("api:price-guidance", "p_a_draft", SEES["p_a_draft"] - {"anon"}),
    R("finance:case-list", None, ALL, shows=("case_a", "case_b")),
    R("finance:case-detail", "case_a", SEES["case_a"]),
    R("finance:case-detail", "case_b", ALL),
    R("finance:case-create", None, CITY, CITY),
    R("finance:case-edit", "case_a", CITY, CITY),
    # A party consents (or withdraws) for itself; staff for a named party, with its evidence.
    R("finance:case-consent", "case_a", NOBODY, {"sme_a", "inst_a"}, data={}, actors=tuple(ALL - CITY)),
    R(
        "finance:case-consent",
        "case_a",
        NOBODY,
        CITY,
        data={"party": "buyer", "evidence": "书面同意书"},
        actors=tuple(ALL - {"sme_a", "inst_a"}),
    ),
    R("finance:case-consent-withdraw", "case_a", NOBODY, {"sme_a", "inst_a"}, actors=tuple(ALL - CITY)),
    R(
        "finance:case-consent-withdraw",
        "case_a",
        NOBODY,
        CITY,
        data={"party": "seller"},
        actors=tuple(ALL - {"sme_a", "inst_a"}),
    ),
    R("finance:case-publish", "case_a", NOBODY, CITY),
    R("finance:case-unpublish", "case_b", NOBODY, CITY),
    R("finance:pledge-candidates", None, frozenset({"bank_a"}) | CITY),
    R("finance:pledge-candidate-create", "org_sme_a", {"bank_a"}, {"bank_a"}),
    R("matching:event-share-with-banks", "bank_event", NOBODY, {"sme_a"}, data={"shares": "0"}),
    R(
        "matching:subscription-list",
        None,
        USERS,
        INSTITUTIONS,
        data={"ipc": "H01M"},
        shows=("sub_a", "sub_b"),
    ),
    R("matching:subscription-save-search", None, NOBODY, SMES, data={"query": "q=液压"}),
    R("matching:subscription-delete", "sub_a", NOBODY, {"sme_a"}),
    R("matching:subscription-toggle", "sub_a", NOBODY, {"sme_a"}),
    # The e-mail's link: its signed token is the proof, no sign-in.
    R("matching:subscription-unsubscribe", "sub_a", ALL, ALL),
    # --- the conversion loop (issue 16) -----------------------------------------------------
    # Either side of an agreed inquiry drafts (or opens) its contract; staff read, never draft.
    R("finance:contract-create", "inq_agreed_a", None, {"sme_a"} | OWNER_A),
    R("finance:contract-create", "inq_agreed_b", None, {"sme_b"}),
    R("finance:contract-detail", "contract_a", {"sme_a"} | OWNER_A | STAFF),
    R("finance:contract-detail", "contract_b", {"sme_b"} | CITY),
    R("finance:contract-edit", "contract_a", {"sme_a"} | OWNER_A, {"sme_a"} | OWNER_A),
    R("finance:contract-edit", "contract_b", {"sme_b"}, {"sme_b"}),
    R("finance:contract-confirm", "contract_a", None, {"sme_a"} | OWNER_A),
    R("finance:contract-confirm", "contract_b", None, {"sme_b"}),
    # A signature made on paper: staff who may record deals with these parties.
    R(
        "finance:contract-record-signed",
        "contract_a",
        None,
        FINANCE_WRITERS_A,
        data=lambda d: {"signed_on": timezone.localdate().isoformat()},
    ),
    R(
        "finance:contract-record-signed",
        "contract_b",
        None,
        CITY,
        data=lambda d: {"signed_on": timezone.localdate().isoformat()},
    ),
    R("finance:contract-download", "contract_a", {"sme_a"} | OWNER_A | STAFF, kwargs={"file_format": "docx"}),
    R("finance:contract-download", "contract_b", {"sme_b"} | CITY, kwargs={"file_format": "docx"}),
    # The terms of a published open licence are public to users; verified SMEs take it.
    R("finance:open-license-take", "ol_a", USERS, SMES, data={"confirm": "on"}),
    R("finance:open-license-take", "ol_b", USERS, SMES, data={"confirm": "on"}),
    R("finance:follow-up-list", None, USERS, shows=("fu_a", "fu_b")),
    R("finance:follow-up-detail", "fu_a", SEES["fu_a"], {"sme_a"}),
    R("finance:follow-up-detail", "fu_b", SEES["fu_b"], {"sme_b"}),
    R(
        "patents:fee-reduction-create",
        "ol_a",
        None,
        MANAGERS_A,
        data=lambda d: {"fee_year": 3, "annual_fee": "900.00", "paid_on": timezone.localdate().isoformat()},
    ),
    R(
        "patents:fee-reduction-create",
        "ol_b",
        None,
        CITY,
        data=lambda d: {"fee_year": 3, "annual_fee": "900.00", "paid_on": timezone.localdate().isoformat()},
    ),
    R("reports:conversion", None, STAFF),
    R("reports:conversion", None, CITY, query="district=150602"),  # another district's figures
    R("reports:conversion-deals", None, STAFF, query="buyer=1"),
    R("reports:conversion-deals", None, CITY, query="district=150602"),
    # --- reports (district officers: their district only; comparisons: city staff) -----------
    R("reports:dashboard", None, STAFF),
    R("reports:dashboard", None, CITY, query="district=150602"),  # another district's figures
    R("reports:kpi-export", None, CITY, query="format=csv&district=150602"),
    R("api:reports-kpi", None, CITY, query="district=150602"),
    R("reports:drilldown", None, STAFF, kwargs={"key": "sme_acquisitions.deals"}),
    R("reports:ranking", None, CITY, CITY, data={"amount": "1000000.00"}),  # the year's award budget
    R("reports:award-export", None, CITY, kwargs={"file_format": "csv"}, query="year=2022"),
    R("reports:kpi-export", None, STAFF, query="format=csv"),
    R("reports:statistics", None, STAFF),
    R("reports:annual-list", None, CITY, CITY, data={"year": 2021}),
    R("reports:annual-detail", "annual", CITY),
    R("reports:annual-status", "annual", CITY),
    R("reports:annual-approve", "annual", CITY, CITY),  # GET: the confirmation page
    R("reports:annual-regenerate", "annual", NOBODY, CITY),
    R("reports:annual-download", "annual", CITY, kwargs={"file_format": "xlsx"}),
    R("reports:plan-report-request", None, None, CITY, data=lambda d: {"plan": d["plan"].pk}),
    R("reports:plan-report-detail", "plan_report", CITY),
    R("reports:plan-report-status", "plan_report", CITY),
    R("reports:plan-report-approve", "plan_report", CITY, CITY),
    R("reports:plan-report-regenerate", "plan_report", NOBODY, CITY),
    R("reports:plan-report-download", "plan_report", CITY, kwargs={"file_format": "xlsx"}),
    R("api:reports-kpi", None, STAFF),
    R("api:reports-kpi-trend", None, STAFF),
    R("api:reports-funnel", None, STAFF),
    R("api:reports-kpi-districts", None, CITY),
    R("api:reports-ranking", None, CITY),
    # --- Django admin: superusers only (bureau staff are not is_staff) ---------------------
    R("admin:login", None, ALL, ALL, data={"username": "nobody", "password": "wrong"}),
    R("admin:index", None, {"admin"}, {"admin"}),
    # Others are sent to the admin index, which asks them to log in.
    R("admin:logout", None, NOBODY, {"admin"}, actors=("admin",)),
    R("admin:autocomplete", None, NOBODY),  # answers 403 without its parameters, even to superusers
    R("admin:view_on_site", None, NOBODY),  # no model has get_absolute_url: 404 for everyone
    R("admin:<catch-all>", None, NOBODY),
]
# Every other admin route: the admin site lets in is_staff users only, whatever their portal role,
# so the roles below stand for all. Superusers open every change list; other admin pages may be
# closed to them too (read-only records: no add, no change), so their answer is not asserted.
ADMIN_ACTORS = ("anon", "sme_a", "inst_a", "district", "bureau", "admin")
SUPERUSER = frozenset({"admin"})
RULES += [
    # --- Data clean-up (issue 18): superusers only; the merge page previews on GET and answers
    # an empty POST with its form's errors (nothing merged).
    R("admin:cleanup_qualitycount_changelist", None, SUPERUSER, SUPERUSER, actors=ADMIN_ACTORS),
    R("admin:cleanup_merge", None, SUPERUSER, SUPERUSER, actors=ADMIN_ACTORS),
    R("admin:cleanup_cleanuprun_changelist", None, SUPERUSER, SUPERUSER, actors=ADMIN_ACTORS),
    R("admin:cleanup_frozenreportchange_changelist", None, SUPERUSER, SUPERUSER, actors=ADMIN_ACTORS),
    R("admin:portal_organizationalias_changelist", None, SUPERUSER, SUPERUSER, actors=ADMIN_ACTORS),
]


# --- Discovery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    kwargs: tuple[str, ...]
    methods: tuple[str, ...]  # write methods to check besides GET
    has_get: bool
    is_api: bool
    positional: int = 0  # unnamed groups (django-simple-history's admin history pages)


def _kwarg_names(pattern) -> tuple[str, ...]:
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _methods(callback) -> tuple[tuple[str, ...], bool, bool]:
    actions = getattr(callback, "actions", None)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    is_api = actions is not None or (cls is not None and hasattr(cls, "permission_classes"))
    if actions is not None:
        methods = tuple(m.upper() for m in actions if m != "get")
        return methods, "get" in actions, True
    if is_api:
        names = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)]
        return tuple(m.upper() for m in names if m != "get"), "get" in names, True
    return ("POST",), True, False


def discover() -> list[Route]:
    routes = []

    def walk(patterns, prefix: str, namespace: str | None, kwargs: tuple[str, ...]):
        for entry in patterns:
            names = kwargs + _kwarg_names(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns, names)
            elif isinstance(entry, URLPattern):
                name = entry.name or "<catch-all>"
                full = f"{namespace}:{name}" if namespace else name
                methods, has_get, is_api = _methods(entry.callback)
                regex = entry.pattern.regex
                positional = regex.groups - len(regex.groupindex)
                routes.append(
                    Route(full, prefix + str(entry.pattern), names, methods, has_get, is_api, positional)
                )

    walk(get_resolver().url_patterns, "", None, ())
    return routes


ROUTES = discover()
ROUTE_NAMES = sorted({route.name for route in ROUTES})
ROUTES_BY_NAME = {route.name: route for route in ROUTES}


def rules_for(name: str) -> list[R]:
    rows = [row for row in RULES if row.route == name]
    if not rows and name.startswith("admin:"):
        superuser = frozenset({"admin"})
        if name.endswith("_changelist"):
            rows = [R(name, None, superuser, superuser, actors=ADMIN_ACTORS)]
        else:
            rows = [R(name, None, NOBODY, NOBODY, actors=ADMIN_ACTORS, either=superuser)]
    return rows


def test_every_route_is_classified():
    unclassified = [name for name in ROUTE_NAMES if not rules_for(name)]
    assert not unclassified, "routes without a row in RULES (add who may read and write them): " + ", ".join(
        unclassified
    )


def test_every_rule_names_a_route():
    assert not {row.route for row in RULES} - set(ROUTE_NAMES)


# --- The data set and the clients ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """The data set of tests/security/dataset.py, built once for this module and rolled back at
    its end; each request below runs in a savepoint of its own."""
    media = tempfile.TemporaryDirectory(prefix="portal-security-media-")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media.name), transaction.atomic():
        data = build()
        data.clients = {}
        for actor in ACTORS:
            client = Client(raise_request_exception=False)
            if actor != "anon":
                client.force_login(data.users[actor])
            data.clients[actor] = (client, dict(client.cookies.items()))
        yield data
        transaction.set_rollback(True)
    media.cleanup()


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _admin_models() -> dict[str, type]:
    return {f"{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry}


ADMIN_MODELS = _admin_models()


def _admin_kwargs(route: Route) -> dict:
    kwargs = {}
    short = route.name.split(":", 1)[1]
    model = next((m for prefix, m in ADMIN_MODELS.items() if short.startswith(prefix)), None)
    for name in route.kwargs:
        if name == "object_id":
            obj = model._default_manager.order_by("pk").first() if model else None
            kwargs[name] = str(obj.pk) if obj else "0"
        elif name == "app_label":
            kwargs[name] = "portal"
        elif name == "content_type_id":
            kwargs[name] = ContentType.objects.get_for_model(Patent).pk
        elif name == "url":
            kwargs[name] = "no-such-page/"
        else:
            kwargs[name] = "1"
    return kwargs


def url_for(route: Route, row: R, data) -> str:
    kwargs = dict(row.kwargs)
    obj = data[row.target] if row.target else None
    for name in route.kwargs:
        if name in kwargs:
            continue
        if route.name.startswith("admin:"):
            kwargs.update(_admin_kwargs(route))
            break
        if name == "application_no":
            kwargs[name] = getattr(obj, "application_no", None) or obj.patent.application_no
        elif name == "code":
            kwargs[name] = obj.code
        elif name == "token":  # a subscription's unsubscribe link
            kwargs[name] = subscription_token(obj)
        elif name == "pk":
            kwargs[name] = obj.pk
        elif name == "year":
            kwargs[name] = obj.month.year
        elif name == "month":
            kwargs[name] = obj.month.month if "year" in route.kwargs else f"{obj.month:%Y-%m}"
        else:
            raise AssertionError(f"{route.name}: no value for the URL parameter {name!r}")
    if route.name == "admin:<catch-all>":
        return "/admin/no-such-page/"
    if route.positional:
        return reverse(route.name, args=["1"] * route.positional)
    return reverse(route.name, kwargs=kwargs)


def _error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is None:
        return []
    found = list(getattr(storage, "_queued_messages", [])) + list(storage._loaded_messages)
    return [str(m) for m in found if m.level >= messages.ERROR]


def _form_errors(response) -> bool:
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else context.values():
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                return True
    return False


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"HTTP {status}"
    if status in (401, 403, 404, 405):
        return "denied"
    if 300 <= status < 400:
        location = response.get("Location", "")
        if any(path in location for path in LOGIN_PATHS):
            return "denied"
        return "refused" if _error_messages(response) else "ok"
    if status == 400:
        return "invalid"
    if _error_messages(response):
        return "refused"
    if _form_errors(response):
        return "invalid"
    return "ok"


ALLOWED = {"ok", "invalid"}
DENIED = {"denied", "refused"}


def request(data, actor: str, method: str, url: str, payload=None, is_api: bool = False):
    """One request as ``actor`` (session cookies as after login), in a savepoint rolled back."""
    client, cookies = data.clients[actor]
    client.cookies.clear()
    for key, value in cookies.items():
        client.cookies[key] = value.value
    send = getattr(client, method.lower())
    kwargs = {}
    if method != "GET":
        kwargs = {"data": payload or {}}
        if is_api:
            kwargs["content_type"] = "application/json"
    with transaction.atomic():
        response = send(url, **kwargs)
        transaction.set_rollback(True)
    return response


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def check_row(data, route: Route, row: R) -> list[str]:
    problems = []
    url = url_for(route, row, data)
    payload = row.data(data) if callable(row.data) else row.data
    checks = []
    if row.get is not None and route.has_get:
        checks.append(("GET", row.get))
    if row.write is not None:
        checks += [
            (method, row.write) for method in route.methods if row.methods is None or method in row.methods
        ]
    for method, allowed in checks:
        for actor in row.actors:
            target = url + (f"?{row.query}" if row.query and method == "GET" else "")
            response = request(data, actor, method, target, payload, route.is_api)
            got = outcome(response)
            if actor in row.either and not got.startswith("HTTP"):
                continue
            expected = (
                ALLOWED if actor in allowed else DENIED | ({"invalid"} if actor in row.rejects else set())
            )
            if got not in expected:
                want = "allow" if actor in allowed else "deny"
                problems.append(
                    f"{method} {target} as {actor}: expected {want}, got {got} ({response.status_code})"
                )
                continue
            if method == "GET" and row.shows and got == "ok":
                body = _content(response)
                shown = [(key, SEES[key]) if isinstance(key, str) else key for key in row.shows]
                leaked = [key for key, who in shown if actor not in who and marker(key) in body]
                if leaked:
                    problems.append(f"GET {target} as {actor}: shows {', '.join(leaked)}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_route_permissions(dataset, name):
    route = ROUTES_BY_NAME[name]
    problems = []
    for row in rules_for(name):
        problems += check_row(dataset, route, row)
    assert not problems, "\n".join(problems)


def test_markers_are_distinct():
    keys = [*list(SEES), "org_inst_b", "contact_inst_b", "event", "past_event", "nav_public", "nav_private"]
    assert not [(a, b) for a in keys for b in keys if a != b and marker(a) in marker(b)]
    assert re.fullmatch(r"MK\w+Z", marker("p_a_draft"))


# --- Links: each role sees exactly the links it may use --------------------------------------------
# The menu (portal/navigation.py, entries registered by the apps with their own predicates), the
# workbench and the main pages are rendered for every actor; every link and button on them must
# work for that actor (a GET link is not denied; a POST button is not answered 403/404), every menu
# entry must be shown exactly to those the rows above let open its page, and the buttons that lead
# to a write are shown exactly to those who may make it.

# The menu's entries (data-nav keys) and their pages.
NAV_ROUTES = {
    "workbench": "workbench:home",
    "patents": "patents:list",
    "demands": "demands:list",
    "events": "matching:event-list",
    "navigation": "patents:navigation-list",
    "cases": "finance:case-list",
    "unserved": "matching:unserved-demands",
    "my-demands": "demands:mine",
    "my-inquiries": "matching:inquiry-list",
    "my-patents": "patents:mine",
    "imports": "portal:import-list",
    "finance": "finance:home",
    "pledge-candidates": "finance:pledge-candidates",
    "dashboard": "reports:dashboard",
    "listing-review": "patents:review",
    "review": "portal:organization-review",
    "profile": "portal:profile",
    "notifications": "matching:notification-list",
    "subscriptions": "matching:subscription-list",
    "admin": "admin:index",
}
# Actors who may open an entry's page but are not offered it in the menu, and why.
NOT_IN_MENU = {
    # Banks and staff are no side of an inquiry ("my inquiries"); staff supervise them from the
    # workbench and the conversion report.
    "my-inquiries": frozenset({"bank_a"}) | STAFF,
    # City staff open any inventory from the review queue and the patent pages; "our patents"
    # names the actor's own organization.
    "my-patents": CITY,
    # Nothing to subscribe to: banks and staff get an empty page.
    "subscriptions": frozenset({"bank_a"}) | STAFF,
}
# Buttons to a write, on a page: shown exactly to the actors who may make that write (by default
# the writers of the linked route's row above, for routes without an object).
BUTTONS = (
    # A bank imports its own pledges (the finance page's import button; the bug of issue 17).
    ("finance:home", "portal:import-list", frozenset({"bank_a"}) | STAFF),
    ("finance:pledge-list", "finance:pledge-create", None),
    ("finance:deal-list", "finance:deal-create", None),
    ("patents:mine", "patents:create", None),
    ("demands:mine", "demands:demand-create", None),
    ("matching:event-list", "matching:event-create", None),
    ("finance:case-list", "finance:case-create", None),
    ("patents:navigation-list", "patents:navigation-create", None),
)
# Links and buttons not followed: they change the session or cost seconds without telling more.
NOT_FOLLOWED = {"portal:logout", "set_language", "api:schema", "api:docs"}


def _allowed(name: str, method: str = "GET", target=None) -> frozenset:
    """Who the rows above let read (GET) or write a route (without an object, or at ``target``)."""
    who = set()
    for row in rules_for(name):
        if row.target == target:
            value = row.get if method == "GET" else row.write
            who |= value or set()
    return frozenset(who)


class _Links(HTMLParser):
    """The internal links (``<a href>``) and POST forms (action, hidden inputs, first named
    button) of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "data": {}}
            self.forms.append(self._form)
        elif (
            self._form is not None and tag == "input" and attrs.get("type") == "hidden" and attrs.get("name")
        ):
            self._form["data"][attrs["name"]] = attrs.get("value") or ""
        elif self._form is not None and tag == "button" and attrs.get("name"):
            self._form["data"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _parse(body: str) -> _Links:
    parser = _Links()
    parser.feed(body)
    return parser


def _route_of(url: str) -> str | None:
    path = urlsplit(url).path
    if path.startswith(("/static/", "/media/")):
        return None
    try:
        return resolve(path).view_name
    except Resolver404:
        return "<nowhere>"


def _main(body: str) -> str:
    """The page's own content, without the menu."""
    return body[body.index('<main class="container') : body.index("</main>")]


def _nav_keys(body: str) -> set[str]:
    return set(re.findall(r'data-nav="([^"]+)"', body))


def _pages(data, actor: str) -> list[str]:
    """The workbench and main pages of an actor: the home page, every page of its menu, and the
    detail pages of a published patent and an open demand."""
    pages = [reverse("portal:home")]
    if actor != "anon":
        pages.append(reverse("workbench:home"))
    pages += [
        reverse(NAV_ROUTES[key])
        for key in sorted(_nav_keys(_content(request(data, actor, "GET", pages[0]))))
        if key in NAV_ROUTES and key not in ("admin", "workbench")
    ]
    pages += [
        reverse("patents:detail", kwargs={"application_no": data["p_a_published"].application_no}),
        reverse("demands:demand-detail", kwargs={"code": data["d_a_open"].code}),
    ]
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_every_link_and_button_works_for_the_role(dataset, actor):
    problems = []
    followed: set = set()
    for page in _pages(dataset, actor):
        response = request(dataset, actor, "GET", page)
        assert outcome(response) == "ok", f"{page} as {actor}: {response.status_code}"
        found = _parse(_content(response))
        for link in dict.fromkeys(unescape(link) for link in found.links):
            name = _route_of(link)
            if name is None or name in NOT_FOLLOWED:
                continue
            # One link per route and path is enough (list pages link many rows of one kind).
            key = name if name.endswith(("-detail", "-download")) else (name, urlsplit(link).path)
            if key in followed:
                continue
            followed.add(key)
            got = outcome(request(dataset, actor, "GET", link))
            # A visitor offered a link to a page that asks to sign in first (an inquiry, say).
            if got not in ALLOWED and not (actor == "anon" and got == "denied"):
                problems.append(f"{page} as {actor}: the link {link} ({name}) is {got}")
        for form in found.forms:
            action = unescape(form["action"]) or page
            name = _route_of(action)
            if name is None or name in NOT_FOLLOWED or ("POST", action) in followed:
                continue
            followed.add(("POST", action))
            got = outcome(request(dataset, actor, "POST", action, form["data"]))
            # A business refusal (a state, a duplicate) is an answer; a 403 or 404 means the
            # button should not have been shown.
            if got == "denied" or got.startswith("HTTP"):
                problems.append(f"{page} as {actor}: the button to {action} ({name}) is {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_menu_shows_exactly_the_pages_each_role_may_use(dataset):
    problems = []
    for actor in ACTORS:
        shown = _nav_keys(_content(request(dataset, actor, "GET", reverse("portal:home"))))
        for key, name in NAV_ROUTES.items():
            expected = _allowed(name) - NOT_IN_MENU.get(key, frozenset())
            if actor in expected and key not in shown:
                problems.append(f"{actor} may use {name} but the menu hides {key!r}")
            if actor not in expected and key in shown:
                problems.append(f"{actor} is offered {key!r} ({name}) in the menu but may not use it")
    assert not problems, "\n".join(problems)


def test_menu_exceptions_are_real():
    """An actor named in NOT_IN_MENU may open the page (else the entry would simply be hidden)."""
    for key, actors in NOT_IN_MENU.items():
        assert actors <= _allowed(NAV_ROUTES[key]), key


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "linked", "who"), BUTTONS, ids=[f"{p}>{b}" for p, b, _ in BUTTONS])
def test_write_buttons_are_shown_exactly_to_who_may_write(dataset, page, linked, who):
    who = _allowed(linked, "POST") if who is None else who
    readers = _allowed(page)
    problems = []
    for actor in sorted(readers):
        body = _main(_content(request(dataset, actor, "GET", reverse(page))))
        shown = any(_route_of(unescape(link)) == linked for link in _parse(body).links)
        if actor in who and not shown:
            problems.append(f"{page} as {actor}: no link to {linked}, which {actor} may use")
        if actor not in who and shown:
            problems.append(f"{page} as {actor}: a link to {linked}, which {actor} may not use")
    assert not problems, "\n".join(problems)
