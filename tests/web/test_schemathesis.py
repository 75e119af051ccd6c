"""Schemathesis against the live app: every operation of ``/api/v1/openapi.json``, with data
that fits its schema and data that does not, answers a declared status, media type and body,
and never a 500.

Bounded: :data:`EXAMPLES` per operation and mode, derandomized (the same cases on every run),
no deadline, no network (the app is called through WSGI), the rate limits off and the anonymous
caps raised, so that the answers are the API's own and not 429. Staff credentials (HTTP Basic)
go with some of the requests, so the staff-only list answers 200 (and is checked) as well as
401. A stored shortlist's 200 is checked by ``tests/web/test_openapi.py`` (random ids are 404).

Each test draws from an operation's strategy (``as_strategy``) itself: schemathesis 4.32's
pytest loader (``schemathesis.pytest.from_fixture``) fails with this pytest (9.2: ``'Function' object
has no attribute '_nodeid'``), and building the app at import time would slow every collection.
"""

from __future__ import annotations

import base64
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import FIXTURES
from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, make_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
STAFF = {"Authorization": "Basic " + base64.b64encode(f"{STAFF_EMAIL}:{STAFF_PASSWORD}".encode()).decode()}
#: examples per operation: enough to reach each route's answers, within ~60 s on one core
EXAMPLES = 100


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    app = make_app(
        FIXTURES / "tiny",
        tmp_path_factory.mktemp("schemathesis") / "instance",
        TECHVALLEY_RATELIMIT_ENABLED=False,
        TECHVALLEY_ANON_SAVES_PER_DAY=1_000_000,
        # few draws: the answers' shape, not their statistics, is under test
        TECHVALLEY_API_ROBUSTNESS_DRAWS=5,
        TECHVALLEY_API_MAX_DRAWS=20,
    )
    add_staff(app)
    return app


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


#: every operation of the document (a test below keeps the list whole)
OPERATIONS = [
    ("/api/v1/sites", "GET"),
    ("/api/v1/rank", "POST"),
    ("/api/v1/shortlists", "POST"),
    ("/api/v1/shortlists", "GET"),
    ("/api/v1/shortlists/{shortlist_id}", "GET"),
    ("/api/v1/pipeline", "GET"),
    ("/api/v1/openapi.json", "GET"),
]


def test_every_operation_is_fuzzed(api_schema):
    declared = {(path, method.upper()) for path, item in api_schema.raw_schema["paths"].items() for method in item}
    assert declared == set(OPERATIONS)


#: the operations with a body or a query to get wrong (the others have nothing to negate)
NEGATABLE = [("/api/v1/rank", "POST"), ("/api/v1/shortlists", "POST"), ("/api/v1/shortlists", "GET")]
CASES = [(*op, GenerationMode.POSITIVE) for op in OPERATIONS] + [(*op, GenerationMode.NEGATIVE) for op in NEGATABLE]


@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=[f"{m} {p} {g}" for p, m, g in CASES])
def test_api_answers_what_it_declares(api_app, api_schema, path, method, mode):
    from web.extensions import db
    from web.models import LoginFailure

    with api_app.app_context():  # the random credentials of earlier operations lock the client out
        db.session.query(LoginFailure).delete()
        db.session.commit()
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode), staff=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def answers_what_it_declares(case, staff):
        # identity: called through WSGI, nothing would undo the compression (tested on its own)
        headers = {"Accept-Encoding": "identity", **(STAFF if staff else {})}
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    statuses: Counter[int] = Counter()
    answers_what_it_declares()
    if mode is GenerationMode.POSITIVE and "{" not in path:
        # not only errors: some bodies were ranked, and their shortlists checked against the schema
        assert statuses[200] + statuses[201] > 0, statuses


def test_a_page_number_beyond_any_offset_is_400_not_500(api_app):
    """Found by schemathesis: a page number whose row offset overflows SQLite's integers was
    a 500 (OverflowError in the query)."""
    response = api_app.test_client().get(
        "/api/v1/shortlists?page=14659376056600372016502777315328&per_page=192", headers=STAFF)
    assert response.status_code == 400
    assert "is not a whole number from 1 to 2147483647" in response.get_json()["error"]
