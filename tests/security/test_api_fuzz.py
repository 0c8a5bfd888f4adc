"""Property-based fuzzing of the REST API from its own OpenAPI schema (/api/schema/) with
schemathesis, in process (WSGI), as a signed-in city bureau user (token authentication): no
request may end in a 5xx, and every answer must be one the schema documents, with the documented
content type and body. A bounded number of examples per operation keeps it to a minute or two.

The schema is loaded lazily (``schemathesis.pytest.from_fixture``): building the test cases
from it takes ~15 s, which collection alone (``-k healthz``, every pytest-xdist worker) would
otherwise pay. The operations are split into a few tests by path so that xdist can spread them;
the last one takes every operation the others do not, so none is left out."""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.dataset import build

schema = schemathesis.pytest.from_fixture("api_schema")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 4
GROUPS = {
    "patents": r"^/api/patents/",
    "reference": r"^/api/(ipc|supply-bulletins|navigation-projects)/",
    "demands": r"^/api/(demands|inquiries)/",
    "events": r"^/api/(events|notifications)/",
    "deals": r"^/api/finance/(deals|payments)/",
    "pledges": r"^/api/finance/(pledges|insurance-policies)/",
    "subsidies": r"^/api/finance/(product-filings|subsidies)/",
}
# One test per group runs its operations one after another (schemathesis subtests): the whole
# group is one pytest item, so the default timeout (300 s) would cut a group short on a loaded
# machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def api_schema(token, django_db_blocker):
    """Depends on ``token`` so that the module's transaction opens in the setup phase, outside
    each test's own transaction (schemathesis would otherwise ask for ``token`` inside the test,
    and the module transaction would end up nested in the first test's and break later tests)."""
    # The WSGI request's request_started signal checks the database connection.
    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # DELETE /api/auth/token/ revokes the token the fuzzer signs in with, after which every other
    # operation would only see 401s (its revocation: tests/portal/test_api_auth.py).
    return schema.exclude(method="DELETE", path="/api/auth/token/")


@pytest.fixture(scope="module")
def token(django_db_setup, django_db_blocker, tmp_path_factory):
    """A bureau user's API token, with the security data set for the generated requests to find
    (built once, rolled back at the end of the module)."""
    media = tmp_path_factory.mktemp("fuzz-media")
    # Like Django's test client: the WSGI handler must not close the connection (and with it
    # this transaction) at the end of each request. SQLite in memory ignores it, PostgreSQL not.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    # The token endpoint allows 20 logins a minute; fuzzing it must not trip the throttle.
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min"}}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, REST_FRAMEWORK=rates),
        transaction.atomic(),
    ):
        data = build()
        yield Token.objects.create(user=data.users["bureau"]).key
        transaction.set_rollback(True)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def fuzz(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


hypothesis_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.include(path_regex=GROUPS["patents"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_patents_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["reference"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_reference_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["demands"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_demands_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["events"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_events_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["deals"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_deals_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["pledges"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_pledges_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.include(path_regex=GROUPS["subsidies"]).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_subsidies_api_conforms_to_its_schema(case, token):
    fuzz(case, token)


@schema.exclude(path_regex="|".join(GROUPS.values())).parametrize()
@hypothesis_settings
@pytest.mark.django_db
def test_other_api_conforms_to_its_schema(case, token):
    """Reports, authentication and any operation added later under a new path."""
    fuzz(case, token)
