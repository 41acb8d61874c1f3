"""Versions of the catalogue's cached pages (`events/cache.py`): a page is served only while the
versions it was made under are current.

- the whole catalogue's version moves when something every page may show changes (a category,
  a tag, an organizer's name), or after a bulk load;
- the list version moves when any event reads differently (lists show many events);
- each event's version moves when that event reads differently, so a booking at one event
  leaves the cached pages of every other event alone.

Versions are fresh values (nanosecond clock), not increments: a version is new even when its
key was evicted meanwhile.
"""

import time

from django.core.cache import cache
from django.db import transaction

CATALOGUE_KEY = "catalogue:version"
LIST_KEY = "catalogue:list-version"


def event_key(event_id: int) -> str:
    return f"catalogue:event:{event_id}:version"


def move(*keys: str) -> None:
    """New versions for these keys, at once (handlers call this after the commit)."""
    version = time.time_ns()
    cache.set_many(dict.fromkeys(keys, version), None)


def catalogue_changed() -> None:
    """Every cached page is stale once the current transaction commits (at once outside one,
    never if it rolls back). For bulk writes that record no facts (demo data, benchmarks)."""
    transaction.on_commit(lambda: move(CATALOGUE_KEY))


def current(found: dict, key: str) -> int:
    """The version under `key`, from what a `get_many` found, creating it when missing."""
    version = found.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key)
    return version
