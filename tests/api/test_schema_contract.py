"""The API against its own OpenAPI schema: generated without warnings, and fuzzed by schemathesis."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ProductFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# What the contract promises: no 5xx, and every answer (status, type, headers, body) as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db
def test_the_schema_is_generated_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))

    text = target.read_text()
    for documented in ("Idempotency-Key", "/api/v1/orders", "/api/v1/awards", "ErrorBody", "insufficient_points"):
        assert documented in text


@pytest.fixture
def _test_connection_kept():
    """The real WSGI handler closes "old" connections around each request; in a test that would
    close the connection holding the test's transaction. Django's test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(_test_connection_kept, employee, give_points, django_user_model):
    from django.contrib.auth.models import Permission

    employee.user_permissions.add(Permission.objects.get(codename="award_points"))
    give_points(employee, 5000)
    ProductFactory.create_batch(3)
    return Token.objects.create(user=employee).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error_or_breaks_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_the_schema_lists_every_notification_kind_the_apps_declare():
    from drf_spectacular.generators import SchemaGenerator

    from notifications.kinds import notification_kind_list

    document = SchemaGenerator().get_schema(request=None, public=True)

    assert sorted(document["components"]["schemas"]["KindEnum"]["enum"]) == sorted(
        kind.code for kind in notification_kind_list()
    )
    assert len(notification_kind_list()) == 16  # wishlist (2), expiry (1) and recognition (4) included
