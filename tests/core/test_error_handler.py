"""The one exception handler: every kind of failure leaves the API in the error shape, with the
status and code that fit it (`config/exceptions.py`)."""

import json

import pytest
from django.test import override_settings

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.core.failing_urls")
class TestDjangosOwnExceptions:
    def test_a_django_validation_error_is_a_400_on_its_fields(self, api_client):
        body = assert_error(
            api_client.get("/refuse/?kind=model-validation"), 400, "validation_error"
        )
        assert body["details"] == {"capacity": ["Must be at least 3."]}
        assert body["message"] == "capacity: Must be at least 3."

    def test_djangos_permission_denied_is_a_403(self, api_client):
        assert_error(api_client.get("/refuse/"), 403, "permission_denied")

    def test_a_deadlock_postgresql_broke_is_a_503_to_retry(self, api_client):
        body = assert_error(api_client.get("/contended/"), 503, "busy")
        assert body["details"] == {"retry_after": 1}

    def test_any_other_database_error_is_still_a_500(self, api_client):
        assert_error(api_client.get("/contended/?kind=other"), 500, "server_error")


class TestOversizedOrSuspiciousForms:
    """Multipart forms are read by Django's own limits, whose errors reach the handler."""

    def test_too_many_form_fields_is_a_400_bad_request(self, api_client):
        fields = {f"field{n}": "x" for n in range(30)}
        with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
            response = api_client.post(
                "/api/v1/auth/password_strength/", fields, format="multipart"
            )
        body = assert_error(response, 400, "bad_request")
        assert body["message"] == "The request was refused."


def test_a_rejected_token_says_why_in_details(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    body = assert_error(api_client.get("/api/v1/auth/users/me/"), 401, "token_not_valid")
    assert body["details"]["messages"] and isinstance(body["details"]["messages"], list)


def test_json_nested_too_deeply_is_400_parse_error(api_client):
    # A hundred thousand deep: Python 3.11's parser gives up at a thousand, 3.12's and 3.13's
    # go further (a thousand deep parses there, and is then a plain validation error).
    body = "[" * 100_000 + "]" * 100_000
    response = api_client.post(
        "/api/v1/auth/password_strength/", body, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")
    assert "nested too deeply" in response.json()["message"]


class TestCsrf:
    """Every answer under /api/ is JSON in the error shape, CSRF refusals included."""

    @pytest.fixture
    def browser(self):
        from django.test import Client

        return Client(enforce_csrf_checks=True)

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_an_unknown_api_path_is_404_whatever_the_method(self, browser, method):
        response = getattr(browser, method)("/api/v1/no-such-thing/")
        assert_error(response, 404, "not_found")

    def test_a_signed_in_browser_asking_for_json_is_anonymous(self, browser, user):
        """The session signs in the Browsable API only (config/authentication.py): with JSON
        the cookie counts for nothing, so there is no CSRF to check."""
        browser.force_login(user)
        response = browser.post(
            "/api/v1/registrations/", {"event": 1}, content_type="application/json"
        )
        assert_error(response, 401, "not_authenticated")

    def test_the_browsable_api_without_the_token_gets_a_403(self, browser, user):
        browser.force_login(user)
        response = browser.post("/api/v1/registrations/", {"event": 1}, HTTP_ACCEPT="text/html")
        assert response.status_code == 403
        assert "CSRF Failed" in response.content.decode()

    def test_the_failure_view_answers_json_under_the_api(self, rf):
        from config.views import csrf_failure

        response = csrf_failure(rf.post("/api/v1/anything/"))
        body = json.loads(response.content)
        assert response.status_code == 403
        assert (body["success"], body["error_code"]) == (False, "csrf_failed")
        assert "X-CSRFToken" in body["message"]

    def test_the_admin_keeps_djangos_page(self, browser):
        response = browser.post("/admin/login/", {"username": "x", "password": "y"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")
