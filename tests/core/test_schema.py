"""The OpenAPI schema tells the truth about errors: a client generated from it knows every
error status an operation can answer, and the one shape of their bodies."""

import json

import pytest
import yaml
from jsonschema import validate

from config.schema import ERROR_SCHEMA
from tests.conftest import authenticated_client
from tests.factories import UserFactory
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
            if method in WRITE:  # 409 only where a conflict can happen: test_schema_docs.py
                expected |= {"413", "503"}
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


def body_schema(schema, path, method, status="200"):
    """The documented body of an answer, with the components it refers to, for jsonschema
    (OpenAPI's `nullable` read as JSON Schema's null type)."""
    text = json.dumps(
        {
            **schema["paths"][path][method]["responses"][status]["content"]["application/json"][
                "schema"
            ],
            "components": schema["components"],
        }
    )

    def nullable(node):
        if isinstance(node, dict):
            node = {key: nullable(value) for key, value in node.items()}
            if node.pop("nullable", False):
                return {"anyOf": [node, {"type": "null"}]}
            return node
        if isinstance(node, list):
            return [nullable(value) for value in node]
        return node

    return nullable(json.loads(text))


class TestTheUserDirectoryIsDocumentedAsAdminsSeeIt:
    """`users/` lists and changes accounts for admins only: the schema shows the admin's view
    (with `role` and `is_active` to change), and a profile reads as one of the three views."""

    def test_the_list_and_the_change_document_the_admin_fields(self, schema):
        components = schema["components"]["schemas"]
        listed = body_schema(schema, "/api/v1/users/", "get")
        item = listed["components"]["schemas"]["PaginatedAdminUserList"]["properties"]["results"]
        assert item["items"] == {"$ref": "#/components/schemas/AdminUser"}
        assert {"email", "is_active", "last_login", "role"} <= set(
            components["AdminUser"]["properties"]
        )
        change = schema["paths"]["/api/v1/users/{id}/"]["patch"]
        request = change["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert set(components[request.rsplit("/", 1)[1]]["properties"]) == {"role", "is_active"}

    def test_every_view_of_a_profile_matches_the_documented_answer(
        self, schema, user, user_client, admin_client
    ):
        other = UserFactory()
        documented = body_schema(schema, "/api/v1/users/{id}/", "get")
        for client, pk in (
            (authenticated_client(other), user.pk),  # someone else's public profile
            (user_client, user.pk),  # one's own account
            (admin_client, user.pk),  # an admin's view
        ):
            response = client.get(f"/api/v1/users/{pk}/")
            assert response.status_code == 200
            validate(response.json(), documented)
        admin_body = admin_client.get(f"/api/v1/users/{user.pk}/").json()
        assert {"is_active", "last_login", "email"} <= set(admin_body)
        listed = admin_client.get("/api/v1/users/").json()
        validate(listed, body_schema(schema, "/api/v1/users/", "get"))


def test_filters_document_what_they_accept(schema):
    """A client generated from the schema sends what the filters take: ids from 1 up (0 and
    below are a 400), a category by its slug."""

    def parameter(path, name):
        (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found["schema"]

    for path, name in [
        ("/api/v1/events/", "organizer"),
        ("/api/v1/sessions/", "event"),
        ("/api/v1/registrations/", "event"),
        ("/api/v1/activity-logs/", "user"),
    ]:
        assert parameter(path, name) == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert parameter("/api/v1/events/", "category") == {"type": "string"}
