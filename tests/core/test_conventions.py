"""The conventions every endpoint inherits: error shape, pagination, rate limits, health, docs."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_security_headers import compose_environment
from tests.factories import UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


class TestErrorShape:
    def test_unknown_api_path_is_a_json_404(self, api_client):
        assert_error(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")

    def test_path_without_trailing_slash_is_a_json_404_not_a_redirect(self, api_client):
        response = api_client.post("/api/v1/auth/users", {}, format="json")
        assert_error(response, 404, "not_found")

    def test_unknown_path_outside_the_api_is_a_json_404(self, api_client):
        assert_error(api_client.get("/nowhere/"), 404, "not_found")

    def test_wrong_method_is_405(self, api_client):
        assert_error(api_client.get("/api/v1/auth/jwt/create/"), 405, "method_not_allowed")

    def test_missing_credentials_is_401_not_authenticated(self, api_client):
        assert_error(api_client.get("/api/v1/auth/users/me/"), 401, "not_authenticated")

    def test_garbage_token_is_401_token_not_valid(self, api_client):
        api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        assert_error(api_client.get("/api/v1/auth/users/me/"), 401, "token_not_valid")

    def test_forbidden_is_403_permission_denied(self, user_client):
        assert_error(user_client.get("/api/v1/activity-logs/"), 403, "permission_denied")

    def test_malformed_json_is_400_parse_error(self, api_client):
        response = api_client.post(
            "/api/v1/auth/password_strength/", '{"password": ', content_type="application/json"
        )
        assert_error(response, 400, "parse_error")

    def test_unsupported_media_type_is_415(self, api_client):
        response = api_client.post(
            "/api/v1/auth/password_strength/", "password", content_type="text/plain"
        )
        assert_error(response, 415, "unsupported_media_type")

    def test_validation_errors_list_each_field(self, api_client):
        body = assert_error(
            api_client.post("/api/v1/auth/users/", {}, format="json"), 400, "validation_error"
        )
        assert {"username", "email", "password"} <= set(body["details"])
        assert body["message"].startswith(("username", "email", "password"))

    def test_wrong_types_are_validation_errors(self, api_client):
        response = api_client.post(
            "/api/v1/auth/password_strength/", {"password": ["a", "list"]}, format="json"
        )
        body = assert_error(response, 400, "validation_error")
        assert "password" in body["details"]

    def test_json_body_that_is_not_an_object_is_a_validation_error(self, api_client):
        response = api_client.post(
            "/api/v1/auth/jwt/create/", "[1, 2]", content_type="application/json"
        )
        assert_error(response, 400, "validation_error")

    def test_oversized_body_is_413_before_it_is_read(self, api_client, settings):
        settings.MAX_REQUEST_BYTES = 1024
        response = api_client.post(
            "/api/v1/auth/password_strength/", {"password": "x" * 2048}, format="json"
        )
        assert_error(response, 413, "request_too_large")


@pytest.mark.urls("tests.core.failing_urls")
class TestServerErrors:
    def test_unhandled_exception_in_a_view_is_json_500_without_a_trace(self, api_client):
        response = api_client.get("/boom/")
        body = assert_error(response, 500, "server_error")
        assert "RuntimeError" not in response.content.decode()
        assert "Traceback" not in body["message"]

    def test_handler500_answers_json(self, rf):
        from config.views import server_error

        response = server_error(rf.get("/"))
        assert response.status_code == 500
        assert json.loads(response.content)["error_code"] == "server_error"


class TestPagination:
    def test_lists_have_count_next_previous_results(self, admin_client):
        UserFactory.create_batch(3)
        body = admin_client.get("/api/v1/users/?page_size=2").json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 4  # three users and the admin
        assert len(body["results"]) == 2
        assert "page=2" in body["next"]

    def test_page_size_is_capped_at_100(self, admin_client):
        UserFactory.create_batch(105)
        body = admin_client.get("/api/v1/users/?page_size=500").json()
        assert len(body["results"]) == 100

    def test_default_page_size_is_20(self, admin_client):
        UserFactory.create_batch(25)
        assert len(admin_client.get("/api/v1/users/").json()["results"]) == 20

    def test_page_past_the_end_is_404(self, admin_client):
        assert_error(admin_client.get("/api/v1/users/?page=99"), 404, "not_found")

    def test_unknown_ordering_field_is_ignored(self, admin_client):
        assert admin_client.get("/api/v1/users/?ordering=password").status_code == 200

    def test_invalid_filter_value_is_400(self, admin_client):
        response = admin_client.get("/api/v1/users/?role=emperor")
        body = assert_error(response, 400, "validation_error")
        assert "role" in body["details"]


@pytest.mark.usefixtures("one_rate_window")
class TestRateLimits:
    def test_every_response_carries_rate_limit_headers(self, api_client):
        response = api_client.post(
            "/api/v1/auth/password_strength/", {"password": "abc"}, format="json"
        )
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "1000"
        assert response["X-RateLimit-Remaining"] == "999"
        assert int(response["X-RateLimit-Reset"]) > 0

    def test_authenticated_users_are_limited_per_user(self, user_client, settings):
        settings.API_THROTTLE_USER = "2/minute"
        assert user_client.get("/api/v1/auth/users/me/")["X-RateLimit-Remaining"] == "1"
        assert user_client.get("/api/v1/auth/users/me/")["X-RateLimit-Remaining"] == "0"
        response = user_client.get("/api/v1/auth/users/me/")
        body = assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) >= 1
        assert body["details"]["retry_after"] >= 1
        assert response["X-RateLimit-Remaining"] == "0"

    def test_anonymous_clients_are_limited_per_address(self, api_client, settings):
        settings.API_THROTTLE_ANON = "1/hour"
        url = "/api/v1/auth/password_strength/"
        assert api_client.post(url, {"password": "a"}, format="json").status_code == 200
        assert_error(api_client.post(url, {"password": "a"}, format="json"), 429, "throttled")

    def test_login_has_the_stricter_auth_scope(self, api_client, settings):
        settings.API_THROTTLE_AUTH = "3/minute"
        url = "/api/v1/auth/jwt/create/"
        for _ in range(3):
            response = api_client.post(url, {"username": "x", "password": "y"}, format="json")
            assert response.status_code == 401
        assert response["X-RateLimit-Limit"] == "3"
        assert_error(
            api_client.post(url, {"username": "x", "password": "y"}, format="json"),
            429,
            "throttled",
        )

    @pytest.mark.parametrize(
        "path, data",
        [
            ("/api/v1/auth/users/", {}),
            ("/api/v1/auth/users/reset_password/", {"email": "a@example.com"}),
            ("/api/v1/auth/users/reset_password_confirm/", {}),
        ],
    )
    def test_registration_and_password_reset_have_the_auth_scope(
        self, api_client, settings, path, data
    ):
        settings.API_THROTTLE_AUTH = "1/minute"
        api_client.post(path, data, format="json")
        assert_error(api_client.post(path, data, format="json"), 429, "throttled")


class TestHealth:
    def test_health_reports_database_and_cache(self, api_client):
        response = api_client.get("/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}

    def test_health_is_503_when_the_cache_is_down(self, api_client, settings):
        # A Redis cache on a port where nothing listens: a real connection failure.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }
        response = api_client.get("/health/")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "cache": "unavailable",
        }

    def test_health_is_503_when_the_database_is_down(self, api_client, monkeypatch):
        from django.db import OperationalError, connection

        def unreachable(*args, **kwargs):
            raise OperationalError("could not connect to server: Connection refused")

        # The failure is outside our code: the connection cannot be (re)established.
        with monkeypatch.context() as patch:
            patch.setattr(connection, "ensure_connection", unreachable)
            response = api_client.get("/health/")

        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "unavailable",
            "cache": "ok",
        }
        assert api_client.get("/health/").status_code == 200  # and back once it answers


class TestDocs:
    def test_openapi_schema_is_served(self, api_client):
        response = api_client.get("/api/v1/schema/?format=json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/auth/jwt/create/" in schema["paths"]

    def test_schema_generates_without_warnings(self, tmp_path):
        from django.core.management import call_command

        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
        )
        assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")

    def test_swagger_ui_uses_local_assets_only(self, api_client):
        response = api_client.get("/api/v1/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui" in html
        assert "cdn." not in html and "unpkg" not in html

    def test_browsable_api_renders_html(self, api_client):
        response = api_client.get("/api/v1/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert "text/html" in response["Content-Type"]


def test_production_settings_pass_check_deploy():
    """With DJANGO_DEBUG off the settings are strict: `check --deploy` has nothing to say."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.usefixtures("one_rate_window")
class TestRefusedRequestsAreRateLimitedToo:
    """DRF refuses bad credentials and permissions before it throttles; those answers still
    carry the headers and count against the limit."""

    def test_a_401_carries_the_rate_limit_headers(self, api_client):
        response = api_client.get("/api/v1/registrations/")
        assert response.status_code == 401
        assert response["X-RateLimit-Limit"] == "1000"

    def test_a_403_carries_the_rate_limit_headers(self, user_client):
        response = user_client.get("/api/v1/users/")
        assert response.status_code == 403
        assert response["X-RateLimit-Remaining"] == "99"

    def test_bad_tokens_are_counted_and_throttled(self, api_client, settings):
        settings.API_THROTTLE_ANON = "2/minute"
        api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        for _ in range(2):
            assert api_client.get("/api/v1/registrations/").status_code == 401
        response = api_client.get("/api/v1/registrations/")
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/?organizer=99999999999999999999",
        "/api/v1/registrations/?event=99999999999999999999",
        "/api/v1/tickets/?event=0",
        "/api/v1/sessions/?event=-1",
        "/api/v1/activity-logs/?user=99999999999999999999",
    ],
)
def test_ids_out_of_range_in_filters_are_400_not_500(admin_client, url):
    assert_error(admin_client.get(url), 400, "validation_error")


def test_the_compose_configuration_passes_check_deploy():
    """docker-compose.yml with .env.example (its secrets filled in, as compose demands) gives
    the strict settings: debugging off, `check --deploy` silent."""
    root = Path(__file__).resolve().parents[2]
    env = compose_environment()
    assert env["DJANGO_DEBUG"] == "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
