from django.conf import settings
from django.http import JsonResponse

from config.exceptions import error_body


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over MAX_REQUEST_BYTES before anything reads it.
    Django caps form fields, but DRF's JSON parser and file uploads would read any size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return JsonResponse(
                error_body(
                    f"The request body is {length} bytes; the limit is "
                    f"{settings.MAX_REQUEST_BYTES}.",
                    "request_too_large",
                ),
                status=413,
            )
        return self.get_response(request)


class RateLimitHeadersMiddleware:
    """Adds `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix time at which the window
    resets) to every response whose request went through a rate limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        rate_limit = getattr(request, "rate_limit", None)
        if rate_limit is not None:
            response["X-RateLimit-Limit"] = str(rate_limit["limit"])
            response["X-RateLimit-Remaining"] = str(rate_limit["remaining"])
            response["X-RateLimit-Reset"] = str(rate_limit["reset"])
        return response
