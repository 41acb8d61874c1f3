"""`auth/users/me/`, passwords and the password-strength meter."""

import io
import re

import pytest
from PIL import Image

from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import assert_error
from users.models import ActivityLog, User

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/users/me/"
LOGIN = "/api/v1/auth/jwt/create/"
REFRESH = "/api/v1/auth/jwt/refresh/"

CONTRACT_FIELDS = {
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "full_name",
    "role",
    "is_organizer",
    "bio",
    "phone",
    "avatar",
    "website",
    "organization",
    "twitter",
    "linkedin",
    "github",
    "facebook",
    "newsletter_subscribed",
    "notifications_enabled",
    "email_verified",
    "date_joined",
}


def image_file(fmt="PNG", size=(64, 64), name="avatar.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


def refresh_token(client, user, password=TEST_PASSWORD):
    return client.post(
        LOGIN, {"username": user.username, "password": password}, format="json"
    ).json()["refresh"]


class TestMe:
    def test_me_returns_every_contract_field(self, user_client, user):
        body = user_client.get(ME).json()
        assert set(body) == CONTRACT_FIELDS
        assert body["id"] == user.id
        assert body["date_joined"].endswith("Z")

    def test_profile_fields_can_be_patched(self, user_client, user):
        response = user_client.patch(
            ME,
            {
                "bio": "Pythonista",
                "website": "https://example.org",
                "newsletter_subscribed": True,
                "notifications_enabled": False,
            },
            format="json",
        )
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.bio == "Pythonista" and user.newsletter_subscribed
        assert user.notifications_enabled is False

    def test_role_and_verification_are_read_only(self, user_client, user):
        response = user_client.patch(
            ME, {"role": "admin", "email_verified": True, "username": "renamed"}, format="json"
        )
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.role == "attendee" and not user.is_staff
        assert user.email_verified is False
        assert user.username != "renamed"

    def test_date_joined_is_read_only(self, user_client, user):
        joined = user_client.get(ME).json()["date_joined"]
        response = user_client.patch(
            ME, {"date_joined": "2001-01-01T00:00:00Z", "bio": "Still here"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["date_joined"] == joined
        assert response.json()["bio"] == "Still here"  # the rest of the request applies
        before = user.date_joined
        user.refresh_from_db()
        assert user.date_joined == before and user.date_joined.year != 2001
        put = user_client.put(
            ME, {"email": user.email, "date_joined": "2001-01-01T00:00:00Z"}, format="json"
        )
        assert put.status_code == 200 and put.json()["date_joined"] == joined
        user.refresh_from_db()
        assert user.date_joined == before

    def test_changing_email_clears_verification(self, user_client, user):
        User.objects.filter(pk=user.pk).update(email_verified=True)
        response = user_client.patch(
            ME, {"email": "fresh@example.com", "current_password": TEST_PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.json()
        user.refresh_from_db()
        assert user.email == "fresh@example.com" and user.email_verified is False

    @pytest.mark.parametrize("password", [None, "", "wrong-password"])
    def test_changing_email_needs_the_current_password(self, user_client, user, password):
        data = {"email": "taken-over@example.com"}
        if password is not None:
            data["current_password"] = password
        body = assert_error(user_client.patch(ME, data, format="json"), 400, "validation_error")
        assert "current_password" in body["details"]
        user.refresh_from_db()
        assert user.email != "taken-over@example.com"

    def test_the_same_email_in_another_case_needs_no_password(self, user_client, user):
        response = user_client.patch(ME, {"email": user.email.upper(), "bio": "Hi"}, format="json")
        assert response.status_code == 200

    def test_email_taken_by_another_account_is_refused(self, user_client):
        UserFactory(email="taken@example.com")
        body = assert_error(
            user_client.patch(ME, {"email": "TAKEN@example.com"}, format="json"),
            400,
            "validation_error",
        )
        assert "email" in body["details"]

    def test_put_replaces_the_profile(self, user_client, user):
        response = user_client.put(
            ME, {"email": user.email, "first_name": "Put", "last_name": "Name"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["full_name"] == "Put Name"

    @pytest.mark.parametrize(
        "data",
        [
            {"website": "not a url"},
            {"email": ""},
            {"bio": "x" * 2001},
            {"newsletter_subscribed": "perhaps"},
        ],
    )
    def test_bad_profile_values_are_refused(self, user_client, data):
        body = assert_error(user_client.patch(ME, data, format="json"), 400, "validation_error")
        assert set(data) <= set(body["details"])

    def test_me_needs_authentication(self, api_client):
        assert_error(api_client.get(ME), 401, "not_authenticated")


class TestAvatar:
    def test_avatar_upload_returns_its_url(self, user_client, user):
        response = user_client.patch(ME, {"avatar": image_file()}, format="multipart")
        assert response.status_code == 200, response.json()
        assert re.match(
            r"^http://testserver/media/avatars/\d+/avatar.*\.png$", response.json()["avatar"]
        )

    def test_a_file_that_is_not_an_image_is_refused(self, user_client):
        fake = io.BytesIO(b"%PDF-1.4 definitely not a picture")
        fake.name = "avatar.png"
        body = assert_error(
            user_client.patch(ME, {"avatar": fake}, format="multipart"), 400, "validation_error"
        )
        assert "avatar" in body["details"]

    def test_an_oversized_avatar_is_refused(self, user_client, settings):
        settings.AVATAR_MAX_BYTES = 100
        body = assert_error(
            user_client.patch(ME, {"avatar": image_file(size=(200, 200))}, format="multipart"),
            400,
            "validation_error",
        )
        assert "KiB" in body["details"]["avatar"][0]

    def test_an_image_with_too_many_pixels_is_refused(self, user_client, settings):
        settings.IMAGE_MAX_PIXELS = 100
        assert_error(
            user_client.patch(ME, {"avatar": image_file()}, format="multipart"),
            400,
            "validation_error",
        )

    def test_an_unsupported_image_format_is_refused(self, user_client):
        bmp = image_file(fmt="BMP", name="avatar.bmp")
        assert_error(
            user_client.patch(ME, {"avatar": bmp}, format="multipart"), 400, "validation_error"
        )

    def test_avatar_can_be_removed(self, user_client, user):
        user_client.patch(ME, {"avatar": image_file()}, format="multipart")
        response = user_client.patch(ME, {"avatar": None}, format="json")
        assert response.status_code == 200
        assert response.json()["avatar"] is None


class TestDeleteAccount:
    def test_deleting_deactivates_and_scrubs_but_keeps_the_row(self, api_client, user):
        refresh = refresh_token(api_client, user)
        api_client.credentials(
            HTTP_AUTHORIZATION="Bearer "
            + api_client.post(
                LOGIN, {"username": user.username, "password": TEST_PASSWORD}, format="json"
            ).json()["access"]
        )

        response = api_client.delete(ME, {"current_password": TEST_PASSWORD}, format="json")

        assert response.status_code == 204
        user.refresh_from_db()
        assert user.is_active is False
        assert user.first_name == user.last_name == user.phone == ""
        # Scrubbed to what nobody can register (an @ in the name, no address): see test_identity
        assert user.email == ""
        assert user.username == f"deleted@{user.pk}"
        assert not user.has_usable_password()
        assert_error(
            api_client.post(REFRESH, {"refresh": refresh}, format="json"), 401, "token_not_valid"
        )
        assert ActivityLog.objects.filter(action="account_deleted", user=user).exists()

    def test_wrong_current_password_keeps_the_account(self, user_client, user):
        body = assert_error(
            user_client.delete(ME, {"current_password": "nope"}, format="json"),
            400,
            "validation_error",
        )
        assert "current_password" in body["details"]
        user.refresh_from_db()
        assert user.is_active

    def test_missing_current_password_is_refused(self, user_client):
        assert_error(user_client.delete(ME, {}, format="json"), 400, "validation_error")


class TestSetPassword:
    URL = "/api/v1/auth/users/set_password/"

    def test_changing_password_ends_other_sessions(self, api_client, user, user_client):
        refresh = refresh_token(api_client, user)

        response = user_client.post(
            self.URL,
            {"current_password": TEST_PASSWORD, "new_password": "Brand-New-Pass-77"},
            format="json",
        )

        assert response.status_code == 204
        user.refresh_from_db()
        assert user.check_password("Brand-New-Pass-77")
        assert_error(
            api_client.post(REFRESH, {"refresh": refresh}, format="json"), 401, "token_not_valid"
        )
        assert ActivityLog.objects.filter(action="password_changed", user=user).exists()

    def test_wrong_current_password_is_refused(self, user_client, user):
        body = assert_error(
            user_client.post(
                self.URL,
                {"current_password": "wrong", "new_password": "Brand-New-Pass-77"},
                format="json",
            ),
            400,
            "validation_error",
        )
        assert "current_password" in body["details"]
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)

    def test_weak_new_password_is_refused(self, user_client):
        body = assert_error(
            user_client.post(
                self.URL, {"current_password": TEST_PASSWORD, "new_password": "123"}, format="json"
            ),
            400,
            "validation_error",
        )
        assert "new_password" in body["details"]

    def test_needs_authentication(self, api_client):
        assert_error(api_client.post(self.URL, {}, format="json"), 401, "not_authenticated")


class TestPasswordReset:
    URL = "/api/v1/auth/users/reset_password/"
    CONFIRM = "/api/v1/auth/users/reset_password_confirm/"

    @pytest.fixture
    def ask(self, api_client, django_capture_on_commit_callbacks):
        """Ask for a reset; the mail goes from a task started after the commit."""

        def ask(email):
            with django_capture_on_commit_callbacks(execute=True):
                return api_client.post(self.URL, {"email": email}, format="json")

        return ask

    def test_known_address_gets_a_reset_mail(self, ask, user, mailoutbox):
        response = ask(user.email.upper())
        assert response.status_code == 204
        assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]

    def test_unknown_address_gets_the_same_answer_and_no_mail(self, ask, mailoutbox):
        response = ask("ghost@example.com")
        assert response.status_code == 204
        assert mailoutbox == []

    def test_known_and_unknown_addresses_take_the_same_path(
        self, api_client, user, django_assert_num_queries
    ):
        """No lookup and no mail inside the request, so its timing tells nothing."""
        with django_assert_num_queries(0):
            known = api_client.post(self.URL, {"email": user.email}, format="json")
        with django_assert_num_queries(0):
            unknown = api_client.post(self.URL, {"email": "ghost@example.com"}, format="json")
        assert known.status_code == unknown.status_code == 204
        assert known.content == unknown.content

    def test_malformed_address_is_400(self, api_client):
        assert_error(
            api_client.post(self.URL, {"email": "nope"}, format="json"), 400, "validation_error"
        )

    def test_the_mailed_link_sets_a_new_password(self, ask, api_client, user, mailoutbox):
        ask(user.email)
        uid, token = re.search(r"reset-password/([^/\s]+)/([^/\s]+)", mailoutbox[0].body).groups()

        response = api_client.post(
            self.CONFIRM,
            {"uid": uid, "token": token, "new_password": "Reset-Pass-2026"},
            format="json",
        )

        assert response.status_code == 204
        user.refresh_from_db()
        assert user.check_password("Reset-Pass-2026") and user.email_verified
        assert ActivityLog.objects.filter(action="password_reset", user=user).exists()
        reused = api_client.post(
            self.CONFIRM,
            {"uid": uid, "token": token, "new_password": "Another-Pass-2026"},
            format="json",
        )
        assert_error(reused, 400, "validation_error")

    def test_a_bad_token_is_refused(self, api_client, user):
        from djoser.utils import encode_uid

        response = api_client.post(
            self.CONFIRM,
            {"uid": encode_uid(user.pk), "token": "bad", "new_password": "Reset-Pass-2026"},
            format="json",
        )
        body = assert_error(response, 400, "validation_error")
        assert "token" in body["details"]


class TestPasswordStrength:
    URL = "/api/v1/auth/password_strength/"

    def test_a_weak_password_scores_low_with_feedback(self, api_client):
        body = api_client.post(self.URL, {"password": "password"}, format="json").json()
        assert body["score"] == 0 and body["level"] == "very_weak"
        assert body["feedback"]
        assert body == {
            **body,
            "has_uppercase": False,
            "has_lowercase": True,
            "has_digit": False,
            "has_special": False,
            "length": 8,
        }

    def test_a_strong_password_scores_high(self, api_client):
        body = api_client.post(
            self.URL, {"password": "Correct-Horse-Battery-Staple-91"}, format="json"
        ).json()
        assert body["score"] == 4 and body["level"] == "very_strong"
        assert body["has_uppercase"] and body["has_digit"] and body["has_special"]
        assert set(body) == {
            "score",
            "level",
            "feedback",
            "has_uppercase",
            "has_lowercase",
            "has_digit",
            "has_special",
            "length",
        }

    @pytest.mark.parametrize("data", [{}, {"password": ""}, {"password": "x" * 129}])
    def test_missing_empty_or_oversized_password_is_400(self, api_client, data):
        assert_error(api_client.post(self.URL, data, format="json"), 400, "validation_error")

    def test_nothing_is_logged(self, api_client):
        api_client.post(self.URL, {"password": "whatever"}, format="json")
        assert not ActivityLog.objects.exists()
