"""OpenAPI details drf-spectacular cannot guess: the JWT scheme, the filters' parameters, and the
errors (the one shape of every error body, and which `error_code`s each operation answers)."""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    name = "jwtAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "`Authorization: Bearer <access>` (the header type `JWT` works too). "
            "Get the token from `POST /api/v1/auth/jwt/create/`.",
        }


class FilterParameters(DjangoFilterExtension):
    """django-filter's query parameters as drf-spectacular makes them, and two things it leaves
    out: the description of a filter whose type is declared (`extend_schema_field`: ids, slugs),
    which is its help text as for every other filter; and the values of a choice whose choices
    are a function (ours read what the apps registered, never the database)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text, choices = filter_field.extra.get("help_text"), filter_field.extra.get("choices")
        for parameter in parameters:
            if help_text:
                parameter.setdefault("description", help_text)
            if callable(choices):
                parameter["schema"]["enum"] = [value for value, _label in choices()]
        return parameters


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every response with a status of 400 or more.",
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "message": {"type": "string", "description": "A sentence for people."},
        "error_code": {"type": "string", "description": "What went wrong, in snake_case."},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "For validation errors: {field: [messages]}.",
        },
    },
    "required": ["success", "message", "error_code", "details"],
}


@dataclass(frozen=True)
class ErrorCode:
    """An `error_code` the API answers: its status, when it comes, and a body as it reads."""

    status: int
    when: str
    message: str
    details: dict = field(default_factory=dict)


# Every `error_code` of the API, in the order the schema lists them (docs/api.md, Errors).
# tests/core/test_schema_docs.py checks this against the codes the code can raise.
ERROR_CODES = {
    "validation_error": ErrorCode(
        400,
        "a field is wrong: `details` is `{field: [messages]}`, `message` the first one",
        "event: This field is required.",
        {"event": ["This field is required."]},
    ),
    "parse_error": ErrorCode(
        400,
        "the body is not JSON that can be read",
        "JSON parse error - Expecting value: line 1 column 1 (char 0)",
    ),
    "bad_request": ErrorCode(
        400,
        "Django refused the request (a bad host, too many form fields)",
        "The request was refused.",
    ),
    "activation_disabled": ErrorCode(
        400,
        "e-mail activation is switched off (`AUTH_EMAIL_ACTIVATION`)",
        "E-mail activation is switched off: new accounts are active at once.",
    ),
    "provider_disabled": ErrorCode(
        400,
        "the payment provider is not configured here",
        "Payments with 'razorpay' are not available here.",
        {"provider": ["'razorpay' is not configured."]},
    ),
    "invalid_signature": ErrorCode(
        400,
        "the provider's signature does not check",
        "The payment confirmation does not carry a valid signature.",
    ),
    "payment_refused": ErrorCode(
        400,
        "the payment provider refused the call; `details.provider_code` says why",
        "The payment provider refused: Your card was declined.",
        {"provider_code": "card_declined"},
    ),
    "not_authenticated": ErrorCode(
        401,
        "no credentials, wrong credentials, or an inactive account",
        "Authentication credentials were not provided.",
    ),
    "token_not_valid": ErrorCode(
        401,
        "a token was rejected (expired, tampered with, blacklisted)",
        "Given token not valid for any token type",
        {
            "messages": [
                {
                    "token_class": "AccessToken",
                    "token_type": "access",
                    "message": "Token is expired",
                }
            ]
        },
    ),
    "permission_denied": ErrorCode(
        403,
        "your role or your relation to the object does not allow it",
        "You do not have permission to perform this action.",
    ),
    "csrf_failed": ErrorCode(
        403,
        "a session-cookie request without its CSRF token",
        "The CSRF check failed: send the X-CSRFToken header with a session, or authenticate "
        "with a token.",
    ),
    "not_found": ErrorCode(
        404, "no such object, one you may not see, or a page past the end", "Not found."
    ),
    "method_not_allowed": ErrorCode(
        405, "the path exists, but not with this method", 'Method "PUT" not allowed.'
    ),
    "not_acceptable": ErrorCode(
        406,
        "the `Accept` header allows none of the types the operation answers",
        "Could not satisfy the request Accept header.",
    ),
    "sold_out": ErrorCode(
        409,
        "not enough seats; `details.available` says how many are left",
        "Only 2 seat(s) left for Standard.",
        {"available": 2},
    ),
    "already_registered": ErrorCode(
        409,
        "you already hold a pending or confirmed registration for the event",
        "You already have a registration for this event.",
    ),
    "registration_closed": ErrorCode(
        409,
        "not open yet, past the deadline, cancelled, or no ticket type on sale",
        "Registration for this event is closed.",
    ),
    "already_on_waitlist": ErrorCode(
        409, "you are already waiting, or hold an offer", "You are already on the waitlist."
    ),
    "seats_available": ErrorCode(
        409,
        "seats are free: register instead",
        "Seats are available: register instead of joining the waitlist.",
    ),
    "already_checked_in": ErrorCode(
        409,
        "the ticket was admitted already; `details.checked_in_at` says when",
        "This ticket is already checked in.",
        {"checked_in_at": "2031-03-18T08:12:05Z"},
    ),
    "not_confirmed": ErrorCode(
        409, "the registration is not confirmed", "This ticket's registration is cancelled."
    ),
    "not_cancellable": ErrorCode(
        409,
        "the registration is not active, or the event has started",
        "The event has started: only its organizer can cancel now.",
    ),
    "event_has_registrations": ErrorCode(
        409,
        "people hold places at the event: cancel it instead",
        "This event has registrations, which are kept as records: cancel it instead.",
    ),
    "already_paid": ErrorCode(
        409, "the registration is paid already", "This registration is paid."
    ),
    "not_refundable": ErrorCode(
        409,
        "the payment is not paid, or everything is refunded already",
        "Everything paid is already refunded.",
    ),
    "already_reviewed": ErrorCode(
        409, "you have reviewed this event already", "You have reviewed this event already."
    ),
    "invalid_state": ErrorCode(
        409, "the object's state forbids the change", "A cancelled event cannot be changed."
    ),
    "request_too_large": ErrorCode(
        413, "the body is over `MAX_REQUEST_BYTES`", "The request body is too large."
    ),
    "unsupported_media_type": ErrorCode(
        415,
        "a body type other than JSON, form or multipart",
        'Unsupported media type "text/plain" in request.',
    ),
    "throttled": ErrorCode(
        429,
        "over a rate limit; `details.retry_after` and `Retry-After` say when to try again",
        "Request was throttled. Expected available in 42 seconds.",
        {"retry_after": 42},
    ),
    "server_error": ErrorCode(
        500, "a bug on our side, logged", "Something went wrong on our side. It has been logged."
    ),
    "provider_unavailable": ErrorCode(
        502,
        "the payment provider is not answering; nothing was charged",
        "The payment provider is not answering; nothing was charged. Please try again.",
    ),
    "busy": ErrorCode(
        503,
        "another change holds the event; retry after `details.retry_after` seconds",
        "This is busy right now: please try again in a moment.",
        {"retry_after": 1},
    ),
}

STATUS_TITLES = {
    400: "The request is not valid.",
    401: "No credentials, or bad ones.",
    403: "Not allowed.",
    404: "Not found, or not yours to see.",
    405: "Not with this method.",
    406: "Cannot answer in an acceptable type.",
    409: "Well formed, but the current state forbids it.",
    413: "The body is too large.",
    415: "Unsupported media type.",
    429: "Rate limited; see `Retry-After`.",
    500: "Our failure.",
    502: "The payment provider did not answer; retry.",
    503: "Busy; retry.",
}

# The codes every operation may answer, and those that come with input or with a write.
EVERY_OPERATION = (
    "bad_request",
    "not_authenticated",
    "token_not_valid",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "throttled",
    "server_error",
)
NEGOTIATED = ("not_acceptable",)  # answers in JSON; a file's is sent whatever `Accept` says
WITH_PARAMETERS = ("validation_error",)
WITH_BODY = ("validation_error", "parse_error")
# No `csrf_failed`: the session signs in the Browsable API only (config/authentication.py), so a
# JSON request is never checked for a CSRF token.
WRITES = ("request_too_large", "unsupported_media_type", "busy")
WRITE_METHODS = {"post", "put", "patch", "delete"}

ERRORS_EXTENSION = "x-error-codes"


def errors(*codes: str, **samples: str | tuple[str, dict]) -> dict:
    """`extend_schema(extensions=errors(...))`: the error codes an operation answers beyond the
    ones every operation does (`EVERY_OPERATION`, ...): its conflicts, and codes of its own
    such as `provider_disabled`. `document_errors` lists each under its status, with an
    example. A keyword gives a code with its own example: `invalid_state="A cancelled event
    cannot be changed."`, or `validation_error=(message, details)`."""
    declared: dict = {str(code): None for code in codes}
    for code, sample in samples.items():
        message, details = (sample, {}) if isinstance(sample, str) else sample
        declared[code] = {"message": message, "details": details}
    unknown = sorted(set(declared) - set(ERROR_CODES))
    if unknown:
        raise ImproperlyConfigured(f"Error codes without an entry in ERROR_CODES: {unknown}")
    return {ERRORS_EXTENSION: declared}


def error_example(code: str, message: str | None = None, details: dict | None = None) -> dict:
    entry = ERROR_CODES[code]
    body = {
        "success": False,
        "message": entry.message if message is None else message,
        "error_code": code,
        "details": entry.details if details is None else details,
    }
    return {"summary": code, "description": entry.when, "value": body}


# What the fields of a body, and the filters of a query, answer to a value they cannot read:
# the example of a `validation_error` is made of the operation's own first field.
BODY_MESSAGES = {
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "boolean": "Must be a valid boolean.",
    "array": 'Expected a list of items but got type "str".',
    "date-time": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    "decimal": "A valid number is required.",
    "enum": '"maybe" is not a valid choice.',
}
QUERY_MESSAGES = {
    "integer": "Enter a whole number.",
    "number": "Enter a number.",
    "boolean": "Use true or false.",
    "date-time": "Enter a valid date/time.",
    "enum": "Select a valid choice. maybe is not one of the available choices.",
}
NOT_FILTERS = {"page", "page_size", "ordering", "format"}


def _kind(schema: dict, components: dict) -> str:
    reference = schema.get("$ref") or next(
        (part["$ref"] for part in schema.get("allOf", []) if "$ref" in part), None
    )
    if reference:
        schema = components[reference.rsplit("/", 1)[1]]
    if "enum" in schema:
        return "enum"
    return schema.get("format") if schema.get("format") in BODY_MESSAGES else schema.get("type")


def _validation_sample(operation: dict, components: dict) -> tuple[str, dict] | None:
    """The `validation_error` the operation's first required field (or first field, or
    filter) gives when it is missing or unreadable; None when it has no such input."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = body.get("schema", {}).get("$ref")
    if reference:
        schema = components[reference.rsplit("/", 1)[1]]
        if schema.get("required"):
            return schema["required"][0], "This field is required."
        for name, prop in schema.get("properties", {}).items():
            kind = _kind(prop, components)
            if kind in BODY_MESSAGES:
                return name, BODY_MESSAGES[kind]
            if prop.get("maxLength"):
                return name, f"Ensure this field has no more than {prop['maxLength']} characters."
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query" or parameter["name"] in NOT_FILTERS:
            continue
        if parameter["name"] == "search":
            return "search", "Ensure this has at most 200 characters."
        kind = _kind(parameter.get("schema", {}), components)
        if kind in QUERY_MESSAGES:
            return parameter["name"], QUERY_MESSAGES[kind]
    return None


def _codes_of(method: str, operation: dict, declared: dict) -> list[str]:
    codes = set(EVERY_OPERATION) | set(declared)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "$ref" in body.get("schema", {}):  # a body a serializer reads (a webhook's is raw bytes)
        codes |= set(WITH_BODY)
    if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
        codes |= set(WITH_PARAMETERS)
    if method in WRITE_METHODS:
        codes |= set(WRITES)
    answers = {
        media_type
        for status, response in operation.get("responses", {}).items()
        if status.startswith("2")
        for media_type in response.get("content", {})
    }
    if answers <= {"application/json"}:
        codes |= set(NEGOTIATED)
    return [code for code in ERROR_CODES if code in codes]  # in the catalogue's order


def document_errors(result, generator, request, public):
    """POSTPROCESSING_HOOK: every operation lists the error statuses it can answer, each with
    the one error shape, the codes it may carry there, and an example body of each. The codes
    an operation adds to the common ones come from its `errors(...)`; an operation that
    declares no conflict has no 409."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    shared = components.setdefault("examples", {})
    schemas = components["schemas"]
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            declared = operation.pop(ERRORS_EXTENSION, {})
            by_status: dict[int, dict] = {}
            for code in _codes_of(method, operation, declared):
                sample = declared.get(code)
                if sample is None and code == "validation_error":
                    found = _validation_sample(operation, schemas)
                    if found:
                        name, message = found
                        sample = {"message": f"{name}: {message}", "details": {name: [message]}}
                if sample is None:
                    shared.setdefault(code, error_example(code))
                    example = {"$ref": f"#/components/examples/{code}"}
                else:
                    example = error_example(code, sample["message"], sample["details"])
                by_status.setdefault(ERROR_CODES[code].status, {})[code] = example
            responses = operation.setdefault("responses", {})
            for status, examples in sorted(by_status.items()):
                lines = "\n".join(f"- `{code}`: {ERROR_CODES[code].when}" for code in examples)
                responses.setdefault(
                    str(status),
                    {
                        "description": f"{STATUS_TITLES[status]}\n\n{lines}",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"},
                                "examples": examples,
                            }
                        },
                    },
                )
    return result


def layered_shapes_any_of(result, generator, request, public):
    """POSTPROCESSING_HOOK: a response that is one of several shapes, each adding fields to the
    one before (`PolymorphicProxySerializer` without a type field), is `anyOf`, not `oneOf`: a
    richer body also matches the leaner shapes, so "exactly one" would never hold."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if "oneOf" in component and "discriminator" not in component:
            component["anyOf"] = component.pop("oneOf")
    return result
