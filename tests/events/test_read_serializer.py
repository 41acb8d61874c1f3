"""The fast read path (`EventReadSerializer`) must show exactly what `EventSerializer` shows."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from events.models import Event
from events.selectors import with_listing_data
from events.serializers import EventReadSerializer, EventSerializer
from registrations.services import booking
from tests.factories import (
    EventFactory,
    SessionFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.helpers import iso

pytestmark = pytest.mark.django_db


def context_for(user):
    request = Request(APIRequestFactory().get("/api/v1/events/"))
    request.user = user
    return {"request": request}


def both(event, user):
    fresh = with_listing_data(Event.objects.filter(pk=event.pk), user).get()
    context = context_for(user)
    return EventSerializer(fresh, context=context).data, EventReadSerializer(
        fresh, context=context
    ).data


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, "PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def rich_event():
    event = EventFactory(
        is_online=True,
        online_url="https://meet.example.com/x",
        tags=["python", "django"],
        registration_deadline=timezone.now() + timedelta(days=5),
        cover_image=png(),
        capacity=10,
    )
    TicketTypeFactory(event=event, price="0.00", quantity=5)
    TicketTypeFactory(
        event=event,
        price="12.50",
        quantity=5,
        is_active=False,
        sales_end=timezone.now() + timedelta(days=2),
    )
    SessionFactory(event=event, speaker=UserFactory(), speaker_name="Grace", room_or_link="A")
    return event


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "attendee", "stranger"])
def test_both_serializers_agree_for_every_kind_of_viewer(rich_event, viewer):
    attendee = UserFactory()
    booking.register_for_event(user=attendee, event=rich_event, quantity=2)
    # Joined after the booking: an entry made while seats are free is promoted by it.
    WaitlistEntryFactory(event=rich_event)
    user = {
        "anonymous": AnonymousUser(),
        "owner": rich_event.organizer,
        "attendee": attendee,
        "stranger": UserFactory(),
    }[viewer]

    declared, fast = both(rich_event, user)

    assert fast == declared
    assert list(fast) == list(declared)  # same field order too
    # Agreeing proves nothing when both show the same wrong value: the numbers themselves.
    assert fast["status"] == "published" and fast["is_registration_open"] is True
    assert fast["attendees_count"] == 2
    assert fast["available_spots"] == 3  # the capacity leaves 8, the one active type 5 - 2
    assert fast["waitlist_count"] == 1
    assert fast["price"] == "0.00"  # the lowest active price; the 12.50 type is inactive
    assert fast["average_rating"] is None and fast["reviews_count"] == 0  # no reviews yet
    assert fast["tags"] == ["django", "python"]
    assert fast["category"] == rich_event.category.slug
    assert fast["organizer"] == rich_event.organizer_id
    assert fast["organizer_name"] == rich_event.organizer.full_name
    assert fast["starts_at"] == iso(rich_event.starts_at)
    assert fast["registration_deadline"] == iso(rich_event.registration_deadline)
    assert fast["capacity"] == 10 and fast["currency"] == rich_event.currency
    assert fast["cover_image"].startswith("http://testserver/media/events/covers/cover")
    assert [
        (t["price"], t["quantity"], t["sold"], t["available"], t["is_active"])
        for t in fast["ticket_types"]
    ] == [("0.00", 5, 2, 3, True), ("12.50", 5, 0, 5, False)]
    [session] = fast["sessions"]
    assert session["speaker_name"] == "Grace" and session["room_or_link"] == "A"
    assert session["speaker"] is not None
    shows_link = viewer in ("owner", "attendee")
    assert fast["online_url"] == ("https://meet.example.com/x" if shows_link else None)


def test_both_serializers_agree_on_a_completed_event_without_extras():
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(starts_at=past, ends_at=past + timedelta(hours=2), category=None)
    declared, fast = both(event, AnonymousUser())
    assert fast == declared
    assert fast["status"] == "completed" and fast["price"] is None
    assert fast["category"] is None and fast["tags"] == [] and fast["ticket_types"] == []
    assert fast["attendees_count"] == 0 and fast["available_spots"] == 0
    assert fast["waitlist_count"] == 0 and fast["is_registration_open"] is False
    assert fast["average_rating"] is None and fast["reviews_count"] == 0
    assert fast["cover_image"] is None and fast["online_url"] is None
