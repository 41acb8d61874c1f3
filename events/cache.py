"""A response cache for what anonymous visitors read most: the event list and event pages.

It serves an entry only while nothing the entry shows can have changed:

- Every fact that changes how an event reads (the event itself, its ticket types and sessions,
  the registrations and waitlist entries behind its seat counts) moves that event's version and
  the list version once its transaction has committed: the apps subscribe `event_read_changed`
  to those facts. Facts that change what every page may show (a category, a tag, an organizer's
  name) move the whole catalogue's version (`catalogue_read_changed`). See `config.catalogue`.
  An entry carries the versions it was made under and is served only while they are current;
  the versions are read before the data, so an entry can never outlive a write.
- What changes with the clock alone (an event starting or ending, registration opening or
  closing, a hold running out) is bounded by `next_change_at()`: a list entry lives no longer
  than the earliest such moment anywhere in the catalogue, an event page no longer than its
  event's.

Only anonymous requests are cached (the join link and attendance depend on who asks), and only
when CATALOGUE_CACHE_SECONDS > 0, which needs a cache shared by every server process (Redis):
with a per-process cache each process would keep its own versions.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone

from config.catalogue import CATALOGUE_KEY, LIST_KEY, current, event_key, move
from config.facts import Fact
from events.models import Event, EventStatus
from events.seating import seating

CLOCK_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_deadline")


def event_read_changed(fact: Fact) -> None:
    """Handler: the fact's event reads differently (and so do lists)."""
    if fact.event_id is None:
        catalogue_read_changed(fact)
    else:
        move(LIST_KEY, event_key(fact.event_id))


def catalogue_read_changed(fact: Fact) -> None:
    """Handler: every page may read differently."""
    move(CATALOGUE_KEY)


def names_changed(fact: Fact) -> None:
    """Handler: an account changed; events show their organizer's name."""
    if {"first_name", "last_name"} & set(fact.data.get("changed", ())):
        move(CATALOGUE_KEY)


def next_change_at(now: datetime, *, event_id: int | None = None) -> datetime | None:
    """The next moment at which some event (or this one) would read differently with no write."""
    published = Event.objects.filter(status=EventStatus.PUBLISHED)
    if event_id is not None:
        published = published.filter(pk=event_id)
    moments = [
        published.filter(**{f"{field}__gt": now}).aggregate(m=Min(field))["m"]
        for field in CLOCK_FIELDS
    ]
    moments.append(seating().next_hold_expiry(now, event_id=event_id))
    return min((moment for moment in moments if moment is not None), default=None)


def _seconds_valid(versions: tuple, *, event_id: int | None = None) -> int:
    """How long an entry made now may be served: until the next change with the clock, at
    most CATALOGUE_CACHE_SECONDS. The next change is worked out once per set of versions."""
    now = timezone.now()
    key = f"catalogue:{event_id or 'list'}:{'-'.join(map(str, versions))}:next-change"
    next_change = cache.get(key)
    if next_change is None or next_change <= now:
        next_change = next_change_at(now, event_id=event_id) or datetime.max.replace(
            tzinfo=now.tzinfo
        )
        cache.set(key, next_change, settings.CATALOGUE_CACHE_SECONDS)
    return min(settings.CATALOGUE_CACHE_SECONDS, int((next_change - now).total_seconds()))


def _event_id(view) -> int | None:
    """The event an event page shows, or None for the list (and for ids that are not numbers,
    which are never cached)."""
    pk = str(view.kwargs.get("pk", ""))
    return int(pk) if pk.isdigit() else None


def cached_response(view, request, respond):
    """Answer an anonymous JSON read from the cache, or with `respond()` and keep the bytes."""
    event_id = _event_id(view) if view.action == "retrieve" else None
    if (
        settings.CATALOGUE_CACHE_SECONDS <= 0
        or request.user.is_authenticated
        or request.accepted_renderer.format != "json"
        or (view.action == "retrieve" and event_id is None)
    ):
        return respond()
    url = request.build_absolute_uri()
    key = f"catalogue:page:{hashlib.sha256(url.encode()).hexdigest()}"
    scope_key = LIST_KEY if event_id is None else event_key(event_id)
    # The page and the versions it depends on in one round trip.
    found = cache.get_many([CATALOGUE_KEY, scope_key, key])
    versions = (current(found, CATALOGUE_KEY), current(found, scope_key))
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return HttpResponse(entry[1], content_type=request.accepted_media_type)
    response = respond()
    if response.status_code == 200:
        body = request.accepted_renderer.render(
            response.data, request.accepted_media_type, view.get_renderer_context()
        )
        seconds = _seconds_valid(versions, event_id=event_id)
        if seconds > 0:
            cache.set(key, (versions, body), seconds)
        return HttpResponse(body, content_type=request.accepted_media_type)
    return response
