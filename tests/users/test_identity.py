"""Usernames and e-mail addresses cannot stand in for each other, and a deleted account's
scrubbed names can never be taken first (issue: account takeover by a username shaped like an
e-mail address, and a blocked account deletion)."""

import pytest

from tests.conftest import authenticated_client
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import assert_error
from users.models import User

pytestmark = pytest.mark.django_db

SIGN_UP = "/api/v1/auth/users/"
LOGIN = "/api/v1/auth/jwt/create/"
ME = "/api/v1/auth/users/me/"


def sign_up(client, username, email):
    return client.post(
        SIGN_UP,
        {
            "username": username,
            "email": email,
            "password": "A-long-enough-passphrase-9",
            "first_name": "New",
            "last_name": "Person",
        },
        format="json",
    )


def signs_in_as(client, identifier) -> int | None:
    response = client.post(LOGIN, {"username": identifier, "password": TEST_PASSWORD})
    if response.status_code != 200:
        return None
    me = authenticated_client_for_token(response.json()["access"]).get(ME)
    return me.json()["id"]


def authenticated_client_for_token(access):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


class TestUsernames:
    def test_a_username_shaped_like_an_email_address_is_refused(self, api_client):
        body = assert_error(
            sign_up(api_client, "victim@corp.example", "attacker@example.com"),
            400,
            "validation_error",
        )
        assert "username" in body["details"]
        assert not User.objects.filter(email="attacker@example.com").exists()

    def test_usernames_are_one_name_whatever_the_case(self, api_client):
        UserFactory(username="alice")
        body = assert_error(
            sign_up(api_client, "Alice", "other-alice@example.com"), 400, "validation_error"
        )
        assert body["details"]["username"] == ["A user with that username already exists."]

    def test_the_database_keeps_usernames_unique_whatever_the_case(self):
        from django.db import IntegrityError, transaction

        UserFactory(username="bob")
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(username="BOB")


class TestSigningIn:
    def test_an_identifier_with_an_at_sign_is_an_email_address(self, api_client):
        owner = UserFactory(username="carol", email="carol@example.com")
        assert signs_in_as(api_client, "CAROL@example.com") == owner.pk

    def test_a_username_signs_in_whatever_its_case(self, api_client):
        owner = UserFactory(username="dave")
        assert signs_in_as(api_client, "DAVE") == owner.pk

    def test_an_email_address_never_matches_a_username(self, api_client):
        # An account made before the rule, whose username looks like someone's address.
        squatter = UserFactory(email="squatter@example.com")
        User.objects.filter(pk=squatter.pk).update(username="victim@corp.example")
        victim = UserFactory(username="victim", email="victim@corp.example")
        assert signs_in_as(api_client, "victim@corp.example") == victim.pk


class TestDeletingAnAccount:
    def test_the_scrubbed_names_cannot_be_taken_first(self, api_client, user):
        # What the old scrubbing produced, registered by someone else before the delete.
        taken = sign_up(api_client, f"deleted-user-{user.pk}", f"deleted-user-{user.pk}@x.io")
        assert taken.status_code == 201
        assert_error(
            sign_up(api_client, f"deleted@{user.pk}", "z@example.com"), 400, "validation_error"
        )

        response = authenticated_client(user).delete(
            ME, {"current_password": TEST_PASSWORD}, format="json"
        )

        assert response.status_code == 204
        user.refresh_from_db()
        assert (user.is_active, user.username, user.email) == (False, f"deleted@{user.pk}", "")

    def test_two_deleted_accounts_do_not_collide(self):
        first, second = UserFactory(), UserFactory()
        for account in (first, second):
            response = authenticated_client(account).delete(
                ME, {"current_password": TEST_PASSWORD}, format="json"
            )
            assert response.status_code == 204
        assert set(User.objects.filter(is_active=False).values_list("email", flat=True)) == {""}


class TestSignUpTakesOnlyWhatItDocuments:
    def test_a_password_over_128_characters_is_refused(self, api_client):
        response = api_client.post(
            SIGN_UP,
            {
                "username": "longpass",
                "email": "longpass@example.com",
                "password": "Aa1!" * 250_000,
                "first_name": "L",
                "last_name": "P",
            },
            format="json",
        )
        body = assert_error(response, 400, "validation_error")
        assert "password" in body["details"]
        assert not User.objects.filter(username="longpass").exists()

    def test_an_avatar_sent_with_sign_up_is_not_stored(self, api_client):
        from io import BytesIO

        from PIL import Image

        image = BytesIO()
        Image.new("RGB", (8, 8)).save(image, format="PNG")
        image.seek(0)
        image.name = "face.png"
        response = api_client.post(
            SIGN_UP,
            {
                "username": "withface",
                "email": "withface@example.com",
                "password": "A-long-enough-passphrase-9",
                "first_name": "W",
                "last_name": "F",
                "avatar": image,
            },
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["avatar"] is None
        assert not User.objects.get(username="withface").avatar
