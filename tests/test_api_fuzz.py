"""Schemathesis over every operation of the OpenAPI document, signed in as each role.

No 5xx, every status documented, every response matching its documented schema and content type.
"""

from __future__ import annotations

import contextvars
import os
from typing import Any

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from stockpile.auth import services as auth_services
from tests import factories
from tests.inventory.helpers import receive

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["admin", "continuity", "logistics", "region"]
EXAMPLES = 10


class IsolatedWsgi:
    """Each fuzzed request gets its own app context, as in production (the test holds one for its data)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        def run() -> Any:
            _cv_app.set(None)  # type: ignore[arg-type]
            return list(self.app(environ, start_response))

        return contextvars.copy_context().run(run)


@pytest.fixture
def api_schema(app, db, users):
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 50)
    factories.process()
    db.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", IsolatedWsgi(app))


def test_every_operation_holds_under_generated_input_for_every_role(api_schema, users) -> None:
    tokens = {role: auth_services.create_token(users[role].email) for role in ROLES}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        fuzz_operation(operation, tokens)


def fuzz_operation(operation: Any, tokens: dict[str, str]) -> None:
    """Hypothesis over one operation: every generated request, sent as every role, must pass the checks."""

    @given(case=operation.as_strategy())
    # In CI the examples are derandomised so a landing never depends on luck; locally each run explores anew.
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=bool(os.environ.get("CI")))
    def run(case: Any) -> None:
        for role, token in tokens.items():
            try:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
            except Exception as error:
                error.add_note(f"operation {operation.label} as {role}")
                raise

    run()
