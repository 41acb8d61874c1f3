"""A response cache for what anonymous visitors read most: the event list and event pages.

It serves an entry only while nothing the entry shows can have changed:

- Every write that changes how an event reads (the event itself, its ticket types, sessions,
  tags and category, its organizer's name, and the registrations and waitlist entries behind
  its seat counts) moves the catalogue version once its transaction commits
  (`config.catalogue`). Entries carry the version they were made under and are served only
  while it is current; the version is read before the data, so an entry can never outlive a
  write.
- What changes with the clock alone (an event starting or ending, registration opening or
  closing, a hold running out) is bounded by `next_change_at()`: no entry lives past the
  earliest such moment anywhere in the catalogue.

Only anonymous requests are cached (the join link and attendance depend on who asks), and only
when CATALOGUE_CACHE_SECONDS > 0, which needs a cache shared by every server process (Redis):
with a per-process cache each process would keep its own version.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone

from config.catalogue import VERSION_KEY, catalogue_version
from events.models import Event, EventStatus


def next_change_at(now: datetime) -> datetime | None:
    """The next moment at which some event would read differently with no write at all."""
    from registrations.models import Registration, RegistrationStatus

    published = Event.objects.filter(status=EventStatus.PUBLISHED)
    moments = [
        published.filter(**{f"{field}__gt": now}).aggregate(m=Min(field))["m"]
        for field in ("starts_at", "ends_at", "registration_opens_at", "registration_deadline")
    ]
    moments.append(
        Registration.objects.filter(
            status=RegistrationStatus.PENDING, expires_at__gt=now
        ).aggregate(m=Min("expires_at"))["m"]
    )
    return min((moment for moment in moments if moment is not None), default=None)


def _seconds_valid(version: int) -> int:
    """How long an entry made now may be served: until the next change with the clock, at
    most CATALOGUE_CACHE_SECONDS. The next change is worked out once per version."""
    now = timezone.now()
    key = f"catalogue:{version}:next-change"
    next_change = cache.get(key)
    if next_change is None or next_change <= now:
        next_change = next_change_at(now) or datetime.max.replace(tzinfo=now.tzinfo)
        cache.set(key, next_change, settings.CATALOGUE_CACHE_SECONDS)
    return min(settings.CATALOGUE_CACHE_SECONDS, int((next_change - now).total_seconds()))


def cached_response(view, request, respond):
    """Answer an anonymous JSON read from the cache, or with `respond()` and keep the bytes."""
    if (
        settings.CATALOGUE_CACHE_SECONDS <= 0
        or request.user.is_authenticated
        or request.accepted_renderer.format != "json"
    ):
        return respond()
    url = request.build_absolute_uri()
    key = f"catalogue:page:{hashlib.sha256(url.encode()).hexdigest()}"
    # The page and the current version in one round trip; a page made under another version
    # is not served.
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or catalogue_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return HttpResponse(entry[1], content_type=request.accepted_media_type)
    response = respond()
    if response.status_code == 200:
        body = request.accepted_renderer.render(
            response.data, request.accepted_media_type, view.get_renderer_context()
        )
        seconds = _seconds_valid(version)
        if seconds > 0:
            cache.set(key, (version, body), seconds)
        return HttpResponse(body, content_type=request.accepted_media_type)
    return response
