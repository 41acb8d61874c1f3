"""The OpenAPI schema tells the truth about errors: a client generated from it knows every
error status an operation can answer, and the one shape of their bodies."""

import pytest
import yaml
from jsonschema import validate

from config.schema import ERROR_SCHEMA
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

WRITE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_lists_its_error_statuses_with_the_error_shape(schema):
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "401", "403", "404", "429", "500"}
            if method in WRITE:
                expected |= {"409", "413", "503"}
            responses = operation["responses"]
            assert expected <= set(responses), (method, path)
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == reference


def test_answers_without_a_body_are_documented_as_204(schema):
    for name in ("reset_password", "reset_password_confirm", "set_password", "activation"):
        responses = schema["paths"][f"/api/v1/auth/users/{name}/"]["post"]["responses"]
        assert "204" in responses and "200" not in responses, name


def test_real_error_bodies_match_the_documented_shape(api_client, user_client):
    for response in (
        api_client.get("/api/v1/auth/users/me/"),
        api_client.post("/api/v1/auth/password_strength/", {}),
        user_client.get("/api/v1/activity-logs/"),
        api_client.get("/api/v1/events/999999/"),
    ):
        assert response.status_code >= 400
        validate(response.json(), ERROR_SCHEMA)
    body = assert_error(
        api_client.post("/api/v1/auth/password_strength/", {}), 400, "validation_error"
    )
    validate(body, ERROR_SCHEMA)


def test_the_served_schema_is_the_same_document(api_client, schema):
    served = yaml.safe_load(api_client.get("/api/v1/schema/").content)
    assert served["components"]["schemas"]["Error"] == ERROR_SCHEMA


def test_an_events_status_lists_every_value_it_reads_as(schema):
    enum = schema["components"]["schemas"]["EventStatusEnum"]["enum"]
    assert sorted(enum) == ["cancelled", "completed", "draft", "published"]


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_an_event_cannot_be_created_cancelled_or_completed(organizer_client, status):
    body = assert_error(
        organizer_client.post(
            "/api/v1/events/",
            {
                "title": "T",
                "starts_at": "2031-01-01T10:00:00Z",
                "ends_at": "2031-01-01T12:00:00Z",
                "capacity": 5,
                "status": status,
            },
            format="json",
        ),
        400,
        "validation_error",
    )
    assert "status" in body["details"]


@pytest.mark.parametrize(
    "component, field",
    [
        ("Event", "cover_image"),
        ("Event", "average_rating"),
        ("WaitlistEntry", "position"),
        ("PublicUser", "avatar"),
        ("UserCreate", "avatar"),  # a new account has none yet
    ],
)
def test_fields_that_can_be_null_say_so(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable") is True
