"""The catalogue version: moves whenever how some event reads changes, so that cached pages of
the catalogue (`events/cache.py`) are never served after such a change."""

import functools
import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalogue:version"


def catalogue_changed() -> None:
    """Say that how some event reads has changed; cached pages stop being served once the
    current transaction commits (at once outside a transaction, and never if it rolls back)."""
    transaction.on_commit(_new_version)


def changes_catalogue(service):
    """Mark a service whose writes change how events read. Put it under `@transaction.atomic`,
    so the version moves only if the writes commit."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        catalogue_changed()
        return service(*args, **kwargs)

    return wrapper


def catalogue_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def _new_version() -> None:
    # A fresh value rather than an increment: it is new even if the key was evicted meanwhile.
    cache.set(VERSION_KEY, time.time_ns(), None)
