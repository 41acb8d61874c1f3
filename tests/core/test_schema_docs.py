"""The OpenAPI schema is something a frontend can be built from in Swagger UI: every operation
has a summary of its own and a description that reads as prose, lists the error codes it can
answer under their statuses (409 only where a conflict can happen, and every conflict that can),
and the main writes show examples that are valid against their schemas and read like the real
answers."""

import ast
import copy
import functools
import inspect
import re
import textwrap
import types
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import ComponentRegistry
from drf_spectacular.settings import spectacular_settings
from jsonschema import Draft4Validator
from rest_framework import exceptions

from config.exceptions import ConflictCode, _api_exception_code
from config.schema import (
    ERROR_CODES,
    EVERY_OPERATION,
    NEGOTIATED,
    WITH_BODY,
    WITH_PARAMETERS,
    WRITES,
)
from config.serializers import ModelSerializer
from tests.conftest import authenticated_client
from tests.factories import EventFactory, OrganizerFactory, TicketFactory, TicketTypeFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "config",
    "users",
    "events",
    "registrations",
    "payments",
    "notifications",
    "reviews",
    "certificates",
)
COMMON = {*EVERY_OPERATION, *NEGOTIATED, *WITH_PARAMETERS, *WITH_BODY, *WRITES}
# A conflict the code names on a path the operation never takes; the schema leaves it out.
UNREACHABLE_CONFLICTS = {
    # `create_event` publishes the draft it has just made: never anything but a draft.
    "events_create": {"invalid_state"},
    # `apply_success` confirms through `seats.confirm` only once the hold is known to count.
    "payments_verify_create": {"invalid_state"},
    "payments_webhooks_stripe_create": {"invalid_state"},
    "payments_webhooks_razorpay_create": {"invalid_state"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def documented_codes(operation, status=None) -> set[str]:
    return {
        code
        for answer, response in operation["responses"].items()
        if answer >= "400" and (status is None or answer == str(status))
        for code in response["content"]["application/json"]["examples"]
    }


class TestEveryOperationIsDescribed:
    def test_every_operation_has_a_short_summary_of_its_own(self, schema):
        summaries = [operation.get("summary") for _, _, operation in operations(schema)]
        assert len(summaries) > 100 and all(summaries)
        assert len(set(summaries)) == len(summaries), "two operations share a summary"
        for summary in summaries:
            assert len(summary) <= 50 and summary[0].isupper() and not summary.endswith(".")

    def test_every_description_renders_as_prose_in_swagger_ui(self, schema):
        """Swagger UI renders descriptions as CommonMark: an indented line would become a code
        block, a `#` a heading."""
        markdown = pytest.importorskip("markdown_it").MarkdownIt("commonmark")
        texts = [operation.get("description") for _, _, operation in operations(schema)]
        assert all(texts)
        texts += [
            response["description"]
            for _, _, operation in operations(schema)
            for response in operation["responses"].values()
        ]
        texts += [c.get("description", "") for c in schema["components"]["schemas"].values()]
        for text in texts:
            tags = set(re.findall(r"<(\w+)", markdown.render(text)))
            assert tags <= {"p", "code", "ul", "li", "em", "strong", "a"}, (tags, text)

    def test_components_are_not_described_by_the_shared_base_serializer(self, schema):
        note = inspect.cleandoc(ModelSerializer.__doc__)
        components = schema["components"]["schemas"].items()
        assert [name for name, c in components if c.get("description") == note] == []

    def test_a_wrapped_docstring_reads_as_one_paragraph(self, schema):
        """Docstrings lose their indentation (`inspect.cleandoc`), so their wrapped lines join
        into one paragraph."""
        markdown = pytest.importorskip("markdown_it").MarkdownIt("commonmark")
        for path in ("/api/v1/reviews/", "/api/v1/certificates/verify/{number}/"):
            description = schema["paths"][path]["get"]["description"]
            assert "\n" in description and not re.search(r"^\s", description, re.MULTILINE)
            html = markdown.render(description)
            assert html.startswith("<p>") and html.count("<p>") == 1, html


class TestEveryOperationListsItsErrors:
    def test_every_error_status_has_the_error_shape_and_names_its_codes(self, schema):
        for path, method, operation in operations(schema):
            for status, response in operation["responses"].items():
                if status < "400":
                    continue
                content = response["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, path
                for code, example in content["examples"].items():
                    assert ERROR_CODES[code].status == int(status), (method, path, code)
                    assert f"- `{code}`: " in response["description"], (method, path, code)
                    example = resolve(schema, example)
                    assert example["value"]["error_code"] == code

    def test_common_statuses_are_listed_everywhere(self, schema):
        for path, method, operation in operations(schema):
            codes = documented_codes(operation)
            assert {"not_authenticated", "not_found", "throttled", "server_error"} <= codes
            if method != "get":
                assert {"request_too_large", "unsupported_media_type", "busy"} <= codes, path

    def test_only_operations_with_a_conflict_document_409(self, schema):
        with_conflicts = {
            operation["operationId"]
            for _, _, operation in operations(schema)
            if "409" in operation["responses"]
        }
        assert len(with_conflicts) == 21
        assert "notifications_read_all_create" not in with_conflicts
        assert "auth_users_create" not in with_conflicts
        for _, _, operation in operations(schema):
            if "409" in operation["responses"]:
                assert documented_codes(operation, 409) <= set(ConflictCode)

    @pytest.mark.parametrize(
        "operation_id, conflicts",
        [
            ("registrations_create", {"sold_out", "already_registered", "registration_closed"}),
            (
                "waitlist_create",
                {
                    "seats_available",
                    "already_on_waitlist",
                    "already_registered",
                    "registration_closed",
                },
            ),
            ("tickets_check_in_create", {"already_checked_in", "not_confirmed"}),
            ("payments_create", {"already_paid", "invalid_state"}),
            ("reviews_create", {"not_confirmed", "invalid_state", "already_reviewed"}),
            ("events_destroy", {"event_has_registrations"}),
            ("registrations_cancel_create", {"not_cancellable"}),
        ],
    )
    def test_the_main_writes_name_their_conflicts(self, schema, operation_id, conflicts):
        (operation,) = [o for _, _, o in operations(schema) if o["operationId"] == operation_id]
        assert documented_codes(operation, 409) == conflicts
        assert raised_by(operation_id)[409] == conflicts

    def test_every_documented_code_can_be_raised_by_the_operation(self, schema):
        """Beyond the codes every operation shares, each documented code is one the view, or a
        service it calls, names: the schema invents no error."""
        for _, _, operation in operations(schema):
            own = documented_codes(operation) - COMMON
            raised = set().union(*raised_by(operation["operationId"]).values())
            assert own <= raised, (operation["operationId"], own - raised)

    def test_every_conflict_the_code_can_raise_is_documented(self, schema):
        """Read the other way: a `Conflict` added to a service shows in the schema of every
        operation that reaches it, or this fails."""
        for _, _, operation in operations(schema):
            operation_id = operation["operationId"]
            raised = raised_by(operation_id)[409] - UNREACHABLE_CONFLICTS.get(operation_id, set())
            assert raised == documented_codes(operation, 409), operation_id

    def test_the_catalogue_holds_exactly_the_codes_the_project_answers(self):
        answered = {code: 409 for code in ConflictCode if code != ConflictCode.PAYMENT_REQUIRED}
        answered |= application_error_codes()
        for exception in (  # DRF's own, as the error handler names them
            exceptions.ValidationError(),
            exceptions.ParseError(),
            exceptions.NotAuthenticated(),
            exceptions.AuthenticationFailed(),
            exceptions.PermissionDenied(),
            exceptions.NotFound(),
            exceptions.MethodNotAllowed("PUT"),
            exceptions.NotAcceptable(),
            exceptions.UnsupportedMediaType("text/plain"),
            exceptions.Throttled(),
        ):
            answered[_api_exception_code(exception)] = exception.status_code
        answered["token_not_valid"] = 401  # SimpleJWT's, see config/exceptions.py
        assert set(answered) == set(ERROR_CODES)
        assert {code: ERROR_CODES[code].status for code in answered} == answered


class TestExamples:
    MAIN_WRITES = {
        "auth_users_create": ("request", "201"),
        "auth_jwt_create_create": ("request", "200"),
        "events_create": ("request", "201"),
        "registrations_create": ("request", "201"),
        "waitlist_create": ("request", "201"),
        "payments_create": ("request", "201"),
        "payments_verify_create": ("request", "200"),
        "tickets_check_in_create": ("request", "200"),
        "reviews_create": ("request", "201"),
        "reviews_vote_create": ("request", "200"),
        "events_issue_certificates_create": ("200",),
        "notifications_read_all_create": ("200",),
        "webhooks_create": ("request", "201"),
    }

    def test_the_main_writes_show_examples(self, schema):
        found = {}
        for _, _, operation in operations(schema):
            parts = []
            if "examples" in operation.get("requestBody", {}).get("content", {}).get(
                "application/json", {}
            ):
                parts.append("request")
            for status, response in operation["responses"].items():
                if status < "400" and "examples" in response.get("content", {}).get(
                    "application/json", {}
                ):
                    parts.append(status)
            found[operation["operationId"]] = tuple(parts)
        for operation_id, parts in self.MAIN_WRITES.items():
            assert set(parts) <= set(found[operation_id]), operation_id
        booking = schema["paths"]["/api/v1/registrations/"]["post"]["responses"]["201"]
        assert set(booking["content"]["application/json"]["examples"]) == {
            "FreeBooking",
            "PaidBooking",
        }

    def test_every_example_is_valid_against_its_schema(self, schema):
        checked = 0
        for path, method, operation in operations(schema):
            bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
            bodies += [(s, r.get("content", {})) for s, r in operation["responses"].items()]
            for where, content in bodies:
                media = content.get("application/json", {})
                for name, example in media.get("examples", {}).items():
                    validator = Draft4Validator(strict(schema, media["schema"]))
                    value = resolve(schema, example)["value"]
                    errors = [error.message for error in validator.iter_errors(value)]
                    assert not errors, (method, path, where, name, errors)
                    checked += 1
        assert checked > 1000

    def test_a_free_booking_reads_like_its_example(self, schema, user_client):
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, price=0)
        response = user_client.post(
            "/api/v1/registrations/", {"event": event.pk, "ticket_type": ticket_type.pk}
        )
        assert response.status_code == 201
        example = response_example(schema, "/api/v1/registrations/", "post", "201", "Free")
        assert shape(response.json()) == shape(example)

    def test_a_new_webhook_reads_like_its_example(self, schema, organizer_client, settings):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        response = organizer_client.post(
            "/api/v1/webhooks/",
            {"url": "https://hooks.example.com/eventhub", "events": ["payment.succeeded"]},
            format="json",
        )
        assert response.status_code == 201
        example = response_example(schema, "/api/v1/webhooks/", "post", "201", "")
        assert shape(response.json()) == shape(example)

    def test_a_long_title_made_unique_keeps_the_documented_slug_length(
        self, schema, organizer_client
    ):
        """Found by the fuzzer from the create example: the second event of a 200-character
        title was answered with a 72-character slug."""
        limit = schema["components"]["schemas"]["Event"]["properties"]["slug"]["maxLength"]
        body = {
            "title": "A" * 200,
            "starts_at": "2031-04-02T17:00:00Z",
            "ends_at": "2031-04-02T18:30:00Z",
            "capacity": 5,
        }
        slugs = [organizer_client.post("/api/v1/events/", body).json()["slug"] for _ in range(3)]
        assert len(set(slugs)) == 3
        assert all(len(slug) <= limit for slug in slugs), slugs

    def test_the_conflict_examples_are_the_real_answers(self, schema, user_client):
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, price=0)
        booking = {"event": event.pk, "ticket_type": ticket_type.pk}
        user_client.post("/api/v1/registrations/", booking)
        body = assert_error(
            user_client.post("/api/v1/registrations/", booking), 409, "already_registered"
        )
        assert body == error_example(schema, "/api/v1/registrations/", "already_registered")

        organizer = OrganizerFactory()
        ticket = TicketFactory(registration__event__organizer=organizer)
        client = authenticated_client(organizer)
        assert client.post("/api/v1/tickets/check_in/", {"code": ticket.code}).status_code == 200
        body = assert_error(
            client.post("/api/v1/tickets/check_in/", {"code": ticket.code}),
            409,
            "already_checked_in",
        )
        documented = error_example(schema, "/api/v1/tickets/check_in/", "already_checked_in")
        assert body["message"] == documented["message"]
        assert set(body["details"]) == set(documented["details"])
        body = assert_error(
            client.post("/api/v1/tickets/check_in/", {"code": "unknown"}), 404, "not_found"
        )
        assert body == error_example(schema, "/api/v1/tickets/check_in/", "not_found")

    def test_a_validation_example_is_the_operations_own_first_field(
        self, schema, api_client, user_client
    ):
        example = error_example(schema, "/api/v1/events/", "validation_error", "get")
        body = assert_error(
            api_client.get("/api/v1/events/?has_availability=maybe"), 400, "validation_error"
        )
        assert body == example
        example = error_example(schema, "/api/v1/reviews/", "validation_error")
        body = assert_error(user_client.post("/api/v1/reviews/", {}), 400, "validation_error")
        assert body["message"] == example["message"] == "event: This field is required."
        assert example["details"].items() <= body["details"].items()


def resolve(schema, node):
    """A `$ref` to a component (an example, a schema), followed."""
    while isinstance(node, dict) and "$ref" in node:
        _, section, name = node["$ref"].lstrip("#/").split("/")
        node = schema["components"][section][name]
    return node


def strict(schema, media_schema):
    """The media's schema with its components, for jsonschema: OpenAPI's `nullable` read as
    JSON Schema's null, and objects closed, so an example with a misspelt field fails."""

    def convert(node):
        if isinstance(node, list):
            return [convert(value) for value in node]
        if not isinstance(node, dict):
            return node
        node = {key: convert(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node

    return convert(copy.deepcopy({**media_schema, "components": schema["components"]}))


def response_example(schema, path, method, status, name_starts):
    examples = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    return next(e for n, e in examples["examples"].items() if n.startswith(name_starts))["value"]


def error_example(schema, path, code, method="post"):
    for response in schema["paths"][path][method]["responses"].values():
        examples = response.get("content", {}).get("application/json", {}).get("examples", {})
        if code in examples:
            return resolve(schema, examples[code])["value"]
    raise AssertionError(f"{path} documents no {code}")


def shape(value):
    """The keys of a body, nested, and which are null: what a client reads."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


# The codes an operation can raise, read from its view's code and every function of the project
# it calls (by name, through `self`, through a module), transitively. It over-approximates (a
# branch never taken still counts), which is what "every documented code can be raised" needs;
# the other direction lists its exceptions in UNREACHABLE_CONFLICTS.

FOLLOWED = ("rest_framework.mixins", "djoser.views")
HTTP_STATUS = re.compile(r"HTTP_(\d{3})")


@functools.cache
def views_by_operation() -> dict:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    registry = ComponentRegistry()
    views = {}
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        operation = view.schema.get_operation(path, path_regex, "^/api/v1", method, registry)
        if operation:
            views[operation["operationId"]] = (type(view), getattr(view, "action", None) or method)
    return views


def raised_by(operation_id: str) -> dict[int, set[str]]:
    view_class, handler = views_by_operation()[operation_id]
    by_status: dict[int, set[str]] = {409: set()}
    for status, code in codes_in(getattr(view_class, handler.lower()), view_class, set()):
        by_status.setdefault(status, set()).add(code)
    return by_status


def is_ours(function) -> bool:
    module = getattr(function, "__module__", "") or ""
    return module.split(".")[0] in APPS or module in FOLLOWED


def codes_in(function, view_class, seen) -> set[tuple[int, str]]:
    function = inspect.unwrap(getattr(function, "__func__", function))
    if not isinstance(function, types.FunctionType) or function in seen or not is_ours(function):
        return set()
    seen.add(function)
    scope = {**function.__globals__, **inspect.getclosurevars(function).nonlocals}
    found = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "ConflictCode":
            found.add((409, ConflictCode[node.attr].value))
        if not isinstance(node, ast.Call):
            continue
        if getattr(node.func, "id", None) == "ApplicationError":
            found |= application_error(node)
            continue
        for callee in callees(node.func, scope, function, view_class):
            found |= codes_in(callee, view_class, seen)
    return found


def callees(func, scope, function, view_class):
    if isinstance(func, ast.Name):
        yield scope.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "self":
            yield getattr(view_class, func.attr, None)
        elif isinstance(scope.get(func.value.id), types.ModuleType | type):
            yield getattr(scope[func.value.id], func.attr, None)
    elif isinstance(func, ast.Attribute) and is_super(func.value):
        # `super().name(...)`: the next class of the view's MRO after the one defining it
        owner = function.__qualname__.split(".")[0]
        names = [base.__name__ for base in view_class.__mro__]
        if owner in names:
            for base in view_class.__mro__[names.index(owner) + 1 :]:
                if func.attr in vars(base):
                    yield vars(base)[func.attr]
                    break


def is_super(node: ast.expr) -> bool:
    return is_call_of(node, "super")


def application_error(call: ast.Call) -> set[tuple[int, str]]:
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if not isinstance(keywords.get("code"), ast.Constant):
        return set()
    status = status_of(keywords["status_code"]) if "status_code" in keywords else 400
    return {(status, keywords["code"].value)}


def status_of(node: ast.expr) -> int:
    """`500`, or `status.HTTP_413_REQUEST_ENTITY_TOO_LARGE`, as a number."""
    if isinstance(node, ast.Constant):
        return node.value
    return int(HTTP_STATUS.search(ast.unparse(node)).group(1))


def application_error_codes() -> dict[str, int]:
    """Every `ApplicationError(..., code="...")` in the project, and the codes the error handler,
    the middleware and the JSON error views write themselves, with their statuses."""
    codes = {}
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            for node in ast.walk(ast.parse(source.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None)
                if name == "ApplicationError":
                    codes |= {code: status for status, code in application_error(node)}
                elif name == "error_response" and isinstance(node.args[1], ast.Constant):
                    codes[node.args[1].value] = status_of(node.args[2])
                elif name == "JsonResponse" and is_call_of(node.args[0], "error_body"):
                    keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                    codes[node.args[0].args[1].value] = status_of(keywords["status"])
    return codes


def is_call_of(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == name
