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
    WaitlistEntryFactory(event=event)
    return event


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "attendee", "stranger"])
def test_both_serializers_agree_for_every_kind_of_viewer(rich_event, viewer):
    attendee = UserFactory()
    booking.register_for_event(user=attendee, event=rich_event, quantity=2)
    user = {
        "anonymous": AnonymousUser(),
        "owner": rich_event.organizer,
        "attendee": attendee,
        "stranger": UserFactory(),
    }[viewer]

    declared, fast = both(rich_event, user)

    assert fast == declared
    assert list(fast) == list(declared)  # same field order too


def test_both_serializers_agree_on_a_completed_event_without_extras():
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(starts_at=past, ends_at=past + timedelta(hours=2), category=None)
    declared, fast = both(event, AnonymousUser())
    assert fast == declared
    assert fast["status"] == "completed" and fast["price"] is None
