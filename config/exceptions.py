"""One error family for the domain, and the one place that turns any error into the API's shape.

Every response with a status of 400 or more has the body
`{"success": false, "message": str, "error_code": str, "details": dict}`.
Services raise `ApplicationError` (or `Conflict` for the 409 business codes); DRF's own exceptions,
Django's, and anything unexpected are translated here too, so no view formats an error by hand.
"""

import logging
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.fields import DateTimeField
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from config.throttling import throttle_refused_request

logger = logging.getLogger(__name__)


class ConflictCode(StrEnum):
    """The business conflicts the API answers with 409; the value is the `error_code`."""

    SOLD_OUT = "sold_out"
    ALREADY_REGISTERED = "already_registered"
    REGISTRATION_CLOSED = "registration_closed"
    ALREADY_ON_WAITLIST = "already_on_waitlist"
    SEATS_AVAILABLE = "seats_available"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CONFIRMED = "not_confirmed"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_REFUNDABLE = "not_refundable"
    ALREADY_PAID = "already_paid"
    PAYMENT_REQUIRED = "payment_required"
    ALREADY_REVIEWED = "already_reviewed"
    EVENT_HAS_REGISTRATIONS = "event_has_registrations"
    INVALID_STATE = "invalid_state"


class ApplicationError(Exception):
    """A rule of the domain said no. Raised by services; the handler renders it."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        details: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.status_code = status_code
        self.details = details or {}


class Conflict(ApplicationError):
    """409: the request is well formed but the current state forbids it."""

    def __init__(self, code: ConflictCode, message: str, *, details: dict | None = None):
        super().__init__(message, code=code, status_code=status.HTTP_409_CONFLICT, details=details)


def _api_value(value):
    """Times in `details` look like every other time in the API (UTC, whole seconds, `Z`)."""
    if isinstance(value, datetime):
        return DateTimeField().to_representation(value)
    return value


# Contention PostgreSQL resolves by cancelling one transaction (SQLSTATE): a lock wait that ran
# out (`lock_timeout`), a deadlock it broke, a serialization failure. The client may retry.
CONTENTION = {"55P03", "40P01", "40001"}


def busy() -> ApplicationError:
    return ApplicationError(
        "This is busy right now: please try again in a moment.",
        code="busy",
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        details={"retry_after": 1},
    )


def is_contention(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and (
        getattr(exc.__cause__, "sqlstate", None) in CONTENTION
    )


def error_body(message: str, code: str, details: dict | None = None) -> dict:
    details = {key: _api_value(value) for key, value in (details or {}).items()}
    return {"success": False, "message": message, "error_code": code, "details": details}


def error_response(message: str, code: str, status_code: int, details=None, headers=None):
    return Response(error_body(message, code, details), status=status_code, headers=headers)


def _validation_details(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: detail if isinstance(detail, list) else [detail]}


def _first_message(details: dict) -> str:
    """A readable sentence for the first problem, for clients that show a single message."""
    for field, messages in details.items():
        while isinstance(messages, dict) and messages:
            field, messages = next(iter(messages.items()))
        if isinstance(messages, list) and messages:
            first = messages[0]
            if isinstance(first, dict) and first:
                first = next(iter(first.values()))
                first = first[0] if isinstance(first, list) and first else first
            if field == api_settings.NON_FIELD_ERRORS_KEY:
                return str(first)
            return f"{field}: {first}"
    return "The request is not valid."


def _api_exception_code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    if isinstance(exc, exceptions.AuthenticationFailed):
        # SimpleJWT's token errors carry `token_not_valid`; every other authentication failure
        # (wrong credentials, inactive account) is reported as `not_authenticated`.
        codes = exc.get_codes()
        if isinstance(codes, dict):
            codes = codes.get("code")
        return "token_not_valid" if codes == "token_not_valid" else "not_authenticated"
    return exc.default_code


def _api_exception_message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])
    if isinstance(detail, list) and detail:
        return str(detail[0])
    return str(detail)


REFUSED_BEFORE_THROTTLING = (
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error leaves the API in the one shape."""
    if is_contention(exc):
        exc = busy()
    if isinstance(exc, ApplicationError):
        set_rollback()
        return error_response(exc.message, exc.code, exc.status_code, exc.details)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        return error_response(
            "The request body is too large.",
            "request_too_large",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, SuspiciousOperation):
        return error_response("The request was refused.", "bad_request", 400)

    if isinstance(exc, REFUSED_BEFORE_THROTTLING):
        exc = throttle_refused_request(context.get("view"), context.get("request")) or exc

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        set_rollback()
        return error_response(
            "Something went wrong on our side. It has been logged.", "server_error", 500
        )

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    code = _api_exception_code(exc)
    details: dict = {}
    if code == "validation_error":
        details = _validation_details(exc.detail)
        message = _first_message(details)
    else:
        message = _api_exception_message(exc)
        if isinstance(exc.detail, dict) and "messages" in exc.detail:
            details = {"messages": exc.detail["messages"]}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after": int(exc.wait)}
    response.data = error_body(message, code, details)
    return response
