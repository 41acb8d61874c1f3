from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from certificates.urls import router as certificates_router
from config import views
from events.urls import router as events_router
from notifications.urls import router as notifications_router
from payments.urls import router as payments_router
from registrations.urls import router as registrations_router
from reviews.urls import router as reviews_router
from users.urls import router as users_router
from users.urls import site_patterns


class PublicAPIRootView(APIRootView):
    """Every resource of the API, version 1. Sign in with the **Log in** link (top right) to
    act as an account here; clients authenticate with a JWT (`auth/jwt/create/`). The
    documentation, with every operation's parameters, errors and examples, is at
    [`docs/`](docs/)."""

    name = "EventHub API"
    permission_classes = [AllowAny]


# One router for every app's resources, so the browsable API root lists them all.
# No `.json` format-suffix routes (`?format=` still works): half the patterns to resolve.
api_router = DefaultRouter()
api_router.include_format_suffixes = False
api_router.APIRootView = PublicAPIRootView
for app_router in (
    users_router,
    events_router,
    registrations_router,
    payments_router,
    notifications_router,
    reviews_router,
    certificates_router,
):
    api_router.registry.extend(app_router.registry)

api_v1 = [
    path("", include(api_router.urls)),  # first: the most requested routes resolve soonest
    path("", include("users.urls")),
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    path("", include("payments.urls")),
    path("", include("certificates.urls")),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ is a JSON 404, in development too (no HTML debug page, and no
    # APPEND_SLASH redirect that would turn a POST into a GET).
    re_path(r"^[\s\S]*$", views.not_found),
]

urlpatterns = [
    *site_patterns,
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # The Browsable API's sign-in (a session, for that renderer only; see
    # config/authentication.py).
    path("api-auth/", include("rest_framework.urls")),
    path("api/v1/", include(api_v1)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Every other path is a JSON 404, in development too (never Django's debug page). [\s\S]
# rather than "." so that a path with an encoded newline (%0A) matches as well.
urlpatterns.append(re_path(r"^[\s\S]*$", views.not_found))

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
