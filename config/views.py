"""Views that belong to no app: the health check and the JSON answers Django gives outside DRF."""

import gzip
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView

from config.exceptions import error_body

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unreachable")
        return False


def _cache_ok() -> bool:
    try:
        cache.set("health-check", "ok", 10)
        return cache.get("health-check") == "ok"
    except Exception:
        logger.exception("Health check: cache unreachable")
        return False


FAVICON = (settings.BASE_DIR / "config" / "favicon.ico").read_bytes()


@require_safe
def favicon(request):
    """`/favicon.ico`, which browsers ask for on every site's first page (the admin and the
    Browsable API name no icon of their own): without it, a 404 in the browser's console."""
    return HttpResponse(
        FAVICON, content_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


@never_cache
def health(request):
    """`/health/`: 200 when the database and the cache answer, 503 when either does not."""
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, built once per process for each of its formats: it changes only
    with the code, that is with a deploy, and building it takes 0.4-1 s, which every load of
    the docs page paid. Kept gzipped too, for the clients that take it (the JSON is over a
    megabyte, mostly the error examples, and compresses about twentyfold); the schema holds no
    secret, so compressing it gives nothing away."""

    _built: dict = {}

    def _key(self, request):
        lang = request.GET.get("lang")
        if request.GET.get("version") or (
            lang and lang not in {code for code, _ in settings.LANGUAGES}
        ):
            return None  # not a form worth keeping (the API has one version)
        return (request.accepted_renderer.format, request.accepted_renderer.media_type, lang)

    @extend_schema(**SCHEMA_KWARGS)  # as drf-spectacular's own view: left out of the schema
    def get(self, request, *args, **kwargs):
        built = self._built.get(self._key(request))
        if built is None:
            return super().get(request, *args, **kwargs)
        content, gzipped, headers = built
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(content, headers=headers)
        else:
            response = HttpResponse(gzipped, headers={**headers, "Content-Encoding": "gzip"})
        patch_vary_headers(response, ["Accept-Encoding"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = self._key(request) if hasattr(request, "accepted_renderer") else None
        if key is not None and response.status_code == 200 and key not in self._built:
            response.render()
            self._built[key] = (
                response.content,
                gzip.compress(response.content, mtime=0),
                {name: response[name] for name in ("Content-Type", "Content-Disposition")},
            )
        return response


@csrf_exempt  # an unknown path is 404 whatever the method, never a CSRF page
def not_found(request, exception=None):
    return JsonResponse(
        error_body(
            f"Nothing is at {request.path}. API paths start with /api/v1/ and end with a slash.",
            "not_found",
        ),
        status=404,
    )


def bad_request(request, exception=None):
    return JsonResponse(error_body("The request was refused.", "bad_request"), status=400)


def permission_denied(request, exception=None):
    return JsonResponse(
        error_body("You do not have permission to do this.", "permission_denied"), status=403
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: under /api/ a JSON 403 in the error shape; elsewhere (the admin's
    forms) Django's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(
                "The CSRF check failed: send the X-CSRFToken header with a session, or "
                "authenticate with a token.",
                "csrf_failed",
            ),
            status=403,
        )
    return django_csrf_failure(request, reason=reason)


def server_error(request):
    return JsonResponse(
        error_body("Something went wrong on our side. It has been logged.", "server_error"),
        status=500,
    )
