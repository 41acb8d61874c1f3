"""Settings for `make bench`: production settings (the runner sets DJANGO_DEBUG=0 and the rest
in the environment) plus the floor view's URL conf and the data generator. Never deployed."""

from datetime import timedelta

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, SIMPLE_JWT

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
# Tokens minted before a run must outlive it.
SIMPLE_JWT = {**SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(hours=2)}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
