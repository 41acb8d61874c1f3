import pytest
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/jwt/create/"
REFRESH = "/api/v1/auth/jwt/refresh/"
VERIFY = "/api/v1/auth/jwt/verify/"
LOGOUT = "/api/v1/auth/jwt/logout/"
ME = "/api/v1/auth/users/me/"


def login(client, username, password=TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


def tokens_for(client, user):
    response = login(client, user.username)
    assert response.status_code == 200
    return response.json()


class TestLogin:
    def test_username_and_password_give_access_and_refresh(self, api_client, user):
        response = login(api_client, user.username)
        assert response.status_code == 200
        assert set(response.json()) == {"access", "refresh"}
        entry = ActivityLog.objects.get(action="login")
        assert entry.user == user and entry.ip_address == "127.0.0.1"

    def test_email_works_as_the_username_whatever_its_case(self, api_client):
        user = UserFactory(email="Grace.Hopper@example.com")
        response = login(api_client, "grace.hopper@EXAMPLE.com")
        assert response.status_code == 200
        assert ActivityLog.objects.get(action="login").user == user

    def test_wrong_password_is_401_and_logged_against_the_account(self, api_client, user):
        assert_error(login(api_client, user.username, "wrong-password"), 401, "not_authenticated")
        entry = ActivityLog.objects.get(action="login_failed")
        assert entry.user == user
        assert entry.username == user.username

    def test_unknown_username_is_401_and_logged_without_an_account(self, api_client):
        assert_error(login(api_client, "nobody-here"), 401, "not_authenticated")
        entry = ActivityLog.objects.get(action="login_failed")
        assert entry.user is None
        assert entry.username == "nobody-here"

    def test_inactive_account_cannot_sign_in(self, api_client):
        user = UserFactory(is_active=False)
        assert_error(login(api_client, user.username), 401, "not_authenticated")

    def test_missing_fields_are_400_and_not_logged_as_failures(self, api_client):
        body = assert_error(api_client.post(LOGIN, {}, format="json"), 400, "validation_error")
        assert {"username", "password"} <= set(body["details"])
        assert not ActivityLog.objects.exists()

    @pytest.mark.parametrize("header_type", ["Bearer", "JWT"])
    def test_both_header_types_authenticate(self, api_client, user, header_type):
        access = tokens_for(api_client, user)["access"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{header_type} {access}")
        assert client.get(ME).json()["username"] == user.username


class TestRefresh:
    def test_refresh_rotates_and_blacklists_the_old_token(self, api_client, user):
        old = tokens_for(api_client, user)["refresh"]

        response = api_client.post(REFRESH, {"refresh": old}, format="json")

        assert response.status_code == 200
        assert set(response.json()) == {"access", "refresh"}
        assert response.json()["refresh"] != old
        reused = api_client.post(REFRESH, {"refresh": old}, format="json")
        assert_error(reused, 401, "token_not_valid")

    def test_rotated_refresh_token_keeps_working(self, api_client, user):
        first = tokens_for(api_client, user)["refresh"]
        second = api_client.post(REFRESH, {"refresh": first}, format="json").json()["refresh"]
        assert api_client.post(REFRESH, {"refresh": second}, format="json").status_code == 200

    def test_garbage_refresh_token_is_401(self, api_client):
        assert_error(
            api_client.post(REFRESH, {"refresh": "abc"}, format="json"), 401, "token_not_valid"
        )

    def test_access_token_cannot_be_used_to_refresh(self, api_client, user):
        access = tokens_for(api_client, user)["access"]
        assert_error(
            api_client.post(REFRESH, {"refresh": access}, format="json"), 401, "token_not_valid"
        )

    def test_missing_refresh_is_400(self, api_client):
        assert_error(api_client.post(REFRESH, {}, format="json"), 400, "validation_error")


class TestVerify:
    def test_valid_token_verifies(self, api_client, user):
        access = tokens_for(api_client, user)["access"]
        response = api_client.post(VERIFY, {"token": access}, format="json")
        assert response.status_code == 200

    def test_tampered_token_is_401(self, api_client, user):
        access = tokens_for(api_client, user)["access"]
        tampered = access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")
        assert_error(
            api_client.post(VERIFY, {"token": tampered}, format="json"), 401, "token_not_valid"
        )

    def test_blacklisted_refresh_token_does_not_verify(self, api_client, user):
        refresh = tokens_for(api_client, user)["refresh"]
        api_client.post(REFRESH, {"refresh": refresh}, format="json")
        assert_error(
            api_client.post(VERIFY, {"token": refresh}, format="json"), 401, "token_not_valid"
        )


class TestLogout:
    def test_logout_blacklists_the_refresh_token(self, api_client, user):
        tokens = tokens_for(api_client, user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

        response = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

        assert response.status_code == 205
        assert_error(
            api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json"),
            401,
            "token_not_valid",
        )
        assert ActivityLog.objects.filter(action="logout", user=user).exists()

    def test_logout_needs_authentication(self, api_client, user):
        refresh = tokens_for(api_client, user)["refresh"]
        assert_error(
            api_client.post(LOGOUT, {"refresh": refresh}, format="json"), 401, "not_authenticated"
        )

    def test_cannot_log_out_someone_elses_token(self, api_client, user):
        other_refresh = tokens_for(api_client, UserFactory())["refresh"]
        api_client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {tokens_for(api_client, user)['access']}"
        )
        body = assert_error(
            api_client.post(LOGOUT, {"refresh": other_refresh}, format="json"),
            400,
            "validation_error",
        )
        assert "refresh" in body["details"]
        assert (
            api_client.post(REFRESH, {"refresh": other_refresh}, format="json").status_code == 200
        )

    @pytest.mark.parametrize("data", [{}, {"refresh": "not-a-token"}, {"refresh": 12}])
    def test_bad_refresh_values_are_400(self, user_client, data):
        assert_error(user_client.post(LOGOUT, data, format="json"), 400, "validation_error")

    def test_logging_out_twice_is_refused_the_second_time(self, api_client, user):
        tokens = tokens_for(api_client, user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
        assert_error(
            api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json"),
            400,
            "validation_error",
        )
