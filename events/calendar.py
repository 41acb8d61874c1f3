"""iCalendar (RFC 5545) export of an event."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from events.models import Event, EventStatus


def event_calendar(event: Event, *, viewer) -> bytes:
    """One VEVENT with times in UTC. The online link is included only for those allowed to see
    it (the event must come from `with_listing_data`); everyone else gets the event's page on
    the frontend."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    entry = CalendarEvent()
    entry.add("uid", f"event-{event.pk}@{urlsplit(settings.FRONTEND_URL).hostname}")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    if event.location:
        entry.add("location", event.location)
    show_link = event.online_url and event.shows_online_url_to(viewer)
    page = f"{settings.FRONTEND_URL}/events/{event.slug}"
    entry.add("url", event.online_url if show_link else page)
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
