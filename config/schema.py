"""OpenAPI details drf-spectacular cannot guess."""

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

ERRORS = {
    "400": "Invalid input (`validation_error`, `parse_error`, `bad_request`).",
    "401": "No or bad credentials (`not_authenticated`, `token_not_valid`).",
    "403": "Not allowed (`permission_denied`, `csrf_failed`).",
    "404": "Not found, or not yours to see (`not_found`).",
    "405": "Method not allowed (`method_not_allowed`).",
    "429": "Rate limited (`throttled`); see `Retry-After`.",
    "500": "Our failure (`server_error`).",
}
WRITE_ERRORS = {
    "409": "The current state forbids it (a conflict code such as `sold_out`).",
    "413": "The body is too large (`request_too_large`).",
    "415": "Unsupported media type (`unsupported_media_type`).",
    "503": "Busy: another change holds the event; retry (`busy`).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    """POSTPROCESSING_HOOK: every operation lists the error statuses it can answer, each with
    the one error shape, so a client generated from the schema knows them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = {**ERRORS, **(WRITE_ERRORS if method in WRITE_METHODS else {})}
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result


def layered_shapes_any_of(result, generator, request, public):
    """POSTPROCESSING_HOOK: a response that is one of several shapes, each adding fields to the
    one before (`PolymorphicProxySerializer` without a type field), is `anyOf`, not `oneOf`: a
    richer body also matches the leaner shapes, so "exactly one" would never hold."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if "oneOf" in component and "discriminator" not in component:
            component["anyOf"] = component.pop("oneOf")
    return result
