"""The menu each role sees, read from the data-nav attributes of the rendered home page.

Entries of apps whose pages do not exist yet are skipped by the navigation, so keys of other apps
are checked both ways: never shown to a role that should not see them, and shown to a role that
should whenever their page exists.
"""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from portal import home
from portal.models import Organization
from portal.permissions import Role
from tests.portal.factories import OrganizationFactory, make_user

pytestmark = pytest.mark.django_db

PUBLIC = {"patents", "demands", "events", "navigation", "cases"}
SIGNED_IN = {"workbench", "profile", "notifications"}
STAFF = PUBLIC | SIGNED_IN | {"imports", "finance", "unserved", "dashboard", "review", "listing-review"}

# Written out here, not derived from portal.navigation, so a change there has to be deliberate.
EXPECTED = {
    Role.ANONYMOUS: PUBLIC | {"login", "signup"},
    Role.NONE: PUBLIC | SIGNED_IN,
    Role.SME: PUBLIC | SIGNED_IN | {"my-demands", "my-inquiries", "finance", "subscriptions"},
    Role.INSTITUTION: PUBLIC
    | SIGNED_IN
    | {"my-inquiries", "my-patents", "imports", "finance", "subscriptions"},
    # An agency acting for no institution yet: no "our patents" (see test_agency_menu_with_a_client).
    Role.AGENCY: PUBLIC
    | SIGNED_IN
    | {"my-inquiries", "imports", "finance", "unserved", "listing-review", "subscriptions"},
    # A bank imports its own pledges.
    Role.BANK: PUBLIC | SIGNED_IN | {"finance", "pledge-candidates", "imports"},
    Role.INSURER: PUBLIC | SIGNED_IN | {"finance"},
    Role.DISTRICT_OFFICER: STAFF,
    Role.BUREAU: STAFF | {"pledge-candidates"},
    Role.ADMIN: STAFF | {"admin", "pledge-candidates"},
}

URL_NAMES = {
    "patents": "patents:list",
    "demands": "demands:list",
    "events": "matching:event-list",
    "navigation": "patents:navigation-list",
    "my-demands": "demands:mine",
    "my-inquiries": "matching:inquiry-list",
    "my-patents": "patents:mine",
    "imports": "portal:import-list",
    "finance": "finance:home",
    "unserved": "matching:unserved-demands",
    "dashboard": "reports:dashboard",
    "review": "portal:organization-review",
    "listing-review": "patents:review",
    "workbench": "workbench:home",
    "profile": "portal:profile",
    "notifications": "matching:notification-list",
    "admin": "admin:index",
    "cases": "finance:case-list",
    "pledge-candidates": "finance:pledge-candidates",
    "subscriptions": "matching:subscription-list",
    "login": "portal:login",
    "signup": "portal:signup",
}

# Pages of the portal itself: these must show whatever the other apps have built.
ALWAYS_PRESENT = {"review", "profile", "admin", "login", "signup", "workbench"}


def page_exists(key: str) -> bool:
    try:
        reverse(URL_NAMES[key])
    except NoReverseMatch:
        return False
    return True


def rendered_keys(client) -> set[str]:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return set(re.findall(r'data-nav="([^"]+)"', response.text))


@pytest.mark.parametrize("role", list(EXPECTED), ids=str)
def test_menu_for_role(client, role):
    if role != Role.ANONYMOUS:
        client.force_login(make_user(role))
    keys = rendered_keys(client)
    allowed = EXPECTED[role]

    assert keys <= allowed, f"{role} sees {sorted(keys - allowed)}"
    assert allowed & ALWAYS_PRESENT <= keys, f"{role} misses {sorted((allowed & ALWAYS_PRESENT) - keys)}"
    existing = {key for key in allowed if page_exists(key)}
    assert existing <= keys, f"{role} misses {sorted(existing - keys)}"


@pytest.mark.parametrize("role", [Role.SME, Role.INSTITUTION, Role.BANK])
def test_review_link_hidden_from_non_staff(client, role):
    client.force_login(make_user(role))
    assert "review" not in rendered_keys(client)


def test_pending_organization_member_keeps_role_menu(client):
    # Unverified organizations get the menu of their role, less the pages that need verification.
    client.force_login(make_user(Role.SME, verified=False))
    keys = rendered_keys(client)
    assert "profile" in keys and "my-demands" in keys and "review" not in keys
    assert "finance" not in keys  # the finance pages answer 403 until the organization is verified


def test_agency_menu_with_a_client(client):
    from tests.patents.factories import InstitutionFactory

    user = make_user(Role.AGENCY)
    InstitutionFactory().agencies.add(user.membership.organization)
    client.force_login(user)
    assert "my-patents" in rendered_keys(client)


def test_active_item_is_marked(client):
    client.force_login(make_user(Role.BUREAU))
    response = client.get(reverse("portal:organization-review"))
    assert re.search(r'class="dropdown-item active" data-nav="review"', response.text)
    assert re.search(
        r'class="nav-link dropdown-toggle active"[^>]*data-nav-group="supervision"', response.text
    )


def test_quick_links_follow_the_menu(client):
    client.force_login(make_user(Role.BUREAU))
    response = client.get(reverse("portal:home"))
    quick = set(re.findall(r'data-quick="([^"]+)"', response.text))
    assert "review" in quick and "my-demands" not in quick
    client.force_login(make_user(Role.SME))
    response = client.get(reverse("portal:home"))
    assert "review" not in set(re.findall(r'data-quick="([^"]+)"', response.text))


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.SME, Role.BUREAU, Role.DISTRICT_OFFICER])
def test_home_page_query_count_is_bounded(client, role, django_assert_max_num_queries):
    if role != Role.ANONYMOUS:
        client.force_login(make_user(role))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:home")).status_code == 200


def test_home_counts_verified_organizations_only(client):
    OrganizationFactory(kind=Organization.Kind.SME, verified=True)
    OrganizationFactory(kind=Organization.Kind.SME, verified=False)
    OrganizationFactory(kind=Organization.Kind.UNIVERSITY, verified=True)
    OrganizationFactory(kind=Organization.Kind.BANK, verified=True)
    OrganizationFactory(kind=Organization.Kind.INSURER, verified=True)
    stats = {stat.key: stat.value for stat in client.get(reverse("portal:home")).context["stats"]}
    assert (stats["smes"], stats["suppliers"], stats["agencies"], stats["financers"]) == (1, 1, 0, 2)


def test_home_stats_accept_counters_from_other_apps(client):
    home.register_home_stat(key="test-widgets", label="测试计数", count=lambda: 42, order=1)
    try:
        stats = client.get(reverse("portal:home")).context["stats"]
        assert stats[0].key == "test-widgets" and stats[0].value == 42
        assert 'data-stat="test-widgets"' in client.get(reverse("portal:home")).text
    finally:
        home._HOME_STAT_PROVIDERS.pop("test-widgets")


def test_chinese_by_default_english_by_choice(client, settings):
    # A browser asking for English still gets Chinese until the user switches.
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in response.text and "唤醒沉睡专利" in response.text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("portal:home"))
    assert '<html lang="en">' in response.text
    assert "Waking dormant patents" in response.text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "唤醒沉睡专利" in client.get(reverse("portal:home")).text


def test_review_queue_in_the_staff_menu_with_a_badge(client):
    from patents.models import Patent
    from tests.patents.factories import PatentFactory

    client.force_login(make_user(Role.BUREAU))
    assert 'id="nav-review-count"' not in client.get(reverse("portal:home")).text
    PatentFactory.create_batch(2, listing_status=Patent.ListingStatus.SUBMITTED)
    text = client.get(reverse("portal:home")).text
    assert re.search(
        r'data-nav="listing-review" href="/patents/review/">[^<]*<span[^>]*id="nav-review-count">2<', text
    )
    client.force_login(make_user(Role.SME))
    assert 'id="nav-review-count"' not in client.get(reverse("portal:home")).text
