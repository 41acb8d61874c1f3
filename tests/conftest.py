import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import AdminFactory, OrganizerFactory, UserFactory


def pytest_configure(config):
    from django.conf import settings

    # Hashing with PBKDF2 at full strength makes every login in the suite cost ~100 ms.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need row locks and real concurrency: on SQLite they are
    skipped with the reason, and `.ci/run` runs them against PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        # Each race opens dozens of connections: under pytest-xdist (`--dist loadgroup`) they
        # all run on one worker, one after another, within PostgreSQL's connection limit.
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(pytest.mark.xdist_group("postgres-races"))
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL=postgres://...; .ci/run does)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Every test starts with empty rate-limit counters and its own media folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def one_rate_window():
    """The clock stands still: the rate limits count in fixed windows (a minute, an hour), and a
    test whose requests straddled a window's end would find its count started again."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def api_client():
    return APIClient()


def authenticated_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def organizer(db):
    return OrganizerFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def user_client(user):
    return authenticated_client(user)


@pytest.fixture
def organizer_client(organizer):
    return authenticated_client(organizer)


@pytest.fixture
def admin_client(admin_user):
    return authenticated_client(admin_user)


@pytest.fixture
def admin_site(client, admin_user):
    """The Django admin, signed in as an admin."""
    client.force_login(admin_user)
    return client
