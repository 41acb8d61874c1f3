import re

import pytest

from tests.factories import UserFactory
from tests.helpers import assert_error
from users.models import ActivityLog, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/users/"


def payload(**overrides):
    return {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password": "Tangerine-Walrus-93",
        "first_name": "New",
        "last_name": "Comer",
        **overrides,
    }


def test_registering_creates_an_active_attendee(api_client):
    response = api_client.post(URL, payload(), format="json", HTTP_USER_AGENT="pytest-agent")

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "newcomer"
    assert body["role"] == "attendee"
    assert body["full_name"] == "New Comer"
    assert body["email_verified"] is False
    assert "password" not in body and "re_password" not in body
    user = User.objects.get(username="newcomer")
    assert user.is_active and user.check_password("Tangerine-Walrus-93")
    log = ActivityLog.objects.get(action="register")
    assert log.user == user
    assert log.ip_address == "127.0.0.1"
    assert log.user_agent == "pytest-agent"


def test_registering_as_organizer_is_allowed(api_client):
    response = api_client.post(URL, payload(role="organizer"), format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "organizer"
    assert response.json()["is_organizer"] is True


def test_nobody_registers_as_admin(api_client):
    body = assert_error(
        api_client.post(URL, payload(role="admin"), format="json"), 400, "validation_error"
    )
    assert "role" in body["details"]
    assert not User.objects.filter(username="newcomer").exists()


def test_profile_fields_may_be_given_at_registration(api_client):
    response = api_client.post(
        URL, payload(phone="+44 20 7946 0000", organization="ACME"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["phone"] == "+44 20 7946 0000"
    assert User.objects.get(username="newcomer").organization == "ACME"


def test_re_password_must_match_when_given(api_client):
    body = assert_error(
        api_client.post(URL, payload(re_password="something-else-1"), format="json"),
        400,
        "validation_error",
    )
    assert "re_password" in body["details"]


def test_matching_re_password_is_accepted(api_client):
    response = api_client.post(URL, payload(re_password="Tangerine-Walrus-93"), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "password",
    ["password", "12345678901", "short1!", "newcomer-newcomer"],
    ids=["common", "numeric", "too-short", "like-the-username"],
)
def test_weak_passwords_are_refused(api_client, password):
    body = assert_error(
        api_client.post(URL, payload(password=password), format="json"), 400, "validation_error"
    )
    assert "password" in body["details"]


def test_taken_username_is_refused(api_client):
    UserFactory(username="newcomer")
    body = assert_error(api_client.post(URL, payload(), format="json"), 400, "validation_error")
    assert "username" in body["details"]


@pytest.fixture
def sign_up(api_client, django_capture_on_commit_callbacks):
    """Sign up with `payload(**overrides)`, running what waits for the commit (the mails)."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(URL, payload(**overrides), format="json")

    return post


@pytest.mark.parametrize("activation", [False, True], ids=["active-at-once", "activation"])
class TestSignUpDoesNotTellWhetherAnAddressIsRegistered:
    """An address that already has an account gets the same answer as a new one, with no
    second account; its owner is told by e-mail instead."""

    @pytest.fixture(autouse=True)
    def activation_setting(self, settings, activation):
        settings.AUTH_EMAIL_ACTIVATION = activation

    def test_a_registered_address_reads_like_a_new_one(self, sign_up, mailoutbox, activation):
        owner = UserFactory(username="owner", email="Known@Example.com")
        fresh = sign_up(username="first", email="fresh@example.com")
        taken = sign_up(username="second", email="known@example.com")

        assert taken.status_code == fresh.status_code == 201
        fresh_body, taken_body = fresh.json(), taken.json()
        assert "id" not in fresh_body
        assert set(taken_body) == set(fresh_body)
        for field in set(fresh_body) - {"username", "email", "date_joined"}:
            assert taken_body[field] == fresh_body[field], field
        assert taken_body["username"] == "second"
        assert taken_body["email"] == "known@example.com"
        assert not User.objects.filter(username="second").exists()
        assert User.objects.filter(email__iexact="known@example.com").get() == owner
        mails = {mail.to[0]: mail for mail in mailoutbox}
        assert "owner" in mails["Known@Example.com"].body
        assert "no new account was created" in mails["Known@Example.com"].body
        assert ("fresh@example.com" in mails) is activation

    def test_a_taken_username_is_still_refused(self, sign_up):
        """Usernames are public (profiles show them): saying one is taken reveals nothing."""
        UserFactory(username="Newcomer")
        body = assert_error(sign_up(email="other@example.com"), 400, "validation_error")
        assert "username" in body["details"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "not-an-address"),
        ("email", ""),
        ("username", "x" * 151),
        ("username", "has spaces"),
        ("role", "emperor"),
        ("first_name", {"an": "object"}),
        ("first_name", ""),
        ("last_name", ""),
    ],
)
def test_bad_values_are_refused(api_client, field, value):
    body = assert_error(
        api_client.post(URL, payload(**{field: value}), format="json"), 400, "validation_error"
    )
    assert field in body["details"]
    assert User.objects.count() == 0


def test_registration_accepts_form_data(api_client):
    response = api_client.post(URL, payload(), format="multipart")
    assert response.status_code == 201


class TestEmailActivation:
    @pytest.fixture(autouse=True)
    def activation_on(self, settings):
        settings.AUTH_EMAIL_ACTIVATION = True
        from djoser.conf import settings as djoser_settings

        settings.DJOSER = {**settings.DJOSER, "SEND_ACTIVATION_EMAIL": True}
        assert djoser_settings.SEND_ACTIVATION_EMAIL

    def _uid_and_token(self, mail):
        uid, token = re.search(r"activate/([^/\s]+)/([^/\s]+)", mail.body).groups()
        return {"uid": uid, "token": token}

    def test_new_account_waits_for_activation(self, api_client, sign_up, mailoutbox):
        sign_up()

        assert User.objects.get(username="newcomer").is_active is False
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["newcomer@example.com"]
        login = api_client.post(
            "/api/v1/auth/jwt/create/",
            {"username": "newcomer", "password": "Tangerine-Walrus-93"},
            format="json",
        )
        assert_error(login, 401, "not_authenticated")

    def test_activation_link_activates_and_verifies(self, api_client, sign_up, mailoutbox):
        sign_up()

        response = api_client.post(
            f"{URL}activation/", self._uid_and_token(mailoutbox[0]), format="json"
        )

        assert response.status_code == 204
        user = User.objects.get(username="newcomer")
        assert user.is_active and user.email_verified
        assert ActivityLog.objects.filter(action="account_activated", user=user).exists()

    def test_activation_with_a_bad_token_is_refused(self, api_client, sign_up, mailoutbox):
        sign_up()
        data = {**self._uid_and_token(mailoutbox[0]), "token": "wrong-token"}

        assert_error(
            api_client.post(f"{URL}activation/", data, format="json"), 400, "validation_error"
        )
        assert User.objects.get(username="newcomer").is_active is False

    def test_activation_can_be_resent(self, api_client, sign_up, mailoutbox):
        sign_up()
        response = api_client.post(
            f"{URL}resend_activation/", {"email": "newcomer@example.com"}, format="json"
        )
        assert response.status_code == 204
        assert len(mailoutbox) == 2


def test_activation_endpoints_say_when_activation_is_off(api_client):
    assert_error(
        api_client.post(f"{URL}activation/", {"uid": "x", "token": "y"}, format="json"),
        400,
        "activation_disabled",
    )
    assert_error(
        api_client.post(f"{URL}resend_activation/", {"email": "a@example.com"}, format="json"),
        400,
        "activation_disabled",
    )


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "username", "password"])
def test_the_contracts_required_fields_are_required(api_client, field):
    data = payload()
    del data[field]
    body = assert_error(api_client.post(URL, data, format="json"), 400, "validation_error")
    assert field in body["details"]
