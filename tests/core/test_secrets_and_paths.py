"""No committed key signs anything, and no path shows Django's debug page."""

import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from config.settings import development_secret_key
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

COMMITTED_KEY = "django-insecure-development-only-key-never-use-in-production"


def test_each_checkout_makes_its_own_key_and_keeps_it(tmp_path):
    first = development_secret_key(tmp_path / "a")
    assert first == development_secret_key(tmp_path / "a")
    assert first != development_secret_key(tmp_path / "b")
    assert len(first) >= 50
    assert oct((tmp_path / "a").stat().st_mode)[-3:] == "600"


def test_the_key_is_not_the_one_that_used_to_be_committed(settings):
    assert settings.SECRET_KEY != COMMITTED_KEY
    assert settings.SIMPLE_JWT["SIGNING_KEY"] != COMMITTED_KEY


def test_a_token_signed_with_the_old_committed_key_is_refused(api_client, user):
    import jwt

    token = AccessToken.for_user(user)
    forged = jwt.encode(token.payload, COMMITTED_KEY, algorithm="HS256")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert_error(api_client.get("/api/v1/auth/users/me/"), 401, "token_not_valid")


@pytest.mark.parametrize(
    "path", ["/nothing-here/", "/api/v1/events%0A/", "/api/v1/%0A", "/apple-touch-icon.png"]
)
def test_unknown_paths_are_a_json_404_even_when_debugging(client, settings, path):
    settings.DEBUG = True
    response = client.get(path)
    assert response.status_code == 404
    body = json.loads(response.content)
    assert (body["success"], body["error_code"]) == (False, "not_found")
