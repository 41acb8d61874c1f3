"""The Django admin changes the catalogue through the same services as the API: it is not a
side door around the seats, the lock, the log or the cancellation cascade."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db.models.fields.files import FieldFile
from django.forms import MultiWidget
from django.utils import timezone

from events.models import Event
from registrations.models import Registration, WaitlistEntry
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    TicketTypeFactory,
    WaitlistEntryFactory,
)
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

CHANGE = "/admin/events/event/{pk}/change/"


def _put(data: dict, name: str, field, value) -> None:
    widget = field.widget
    if value is None or value is False or isinstance(value, FieldFile):
        return
    if isinstance(widget, MultiWidget):
        for index, part in enumerate(widget.decompress(value)):
            if part is not None:
                data[f"{name}_{index}"] = part
    elif isinstance(value, list | tuple):
        data[name] = [getattr(item, "pk", item) for item in value]
    else:
        data[name] = value


def form_data(page, **changes) -> dict:
    """What the admin's change form would post back as it stands, with `changes` applied."""
    data: dict = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        _put(data, name, field, form[name].value())
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name, field in inline_form.fields.items():
                _put(data, inline_form.add_prefix(name), field, inline_form[name].value())
    for name, value in changes.items():
        data.pop(f"{name}_0", None)
        data.pop(f"{name}_1", None)
        data[name] = value
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def event():
    event = EventFactory(capacity=3)
    TicketTypeFactory(event=event, price="0.00", quantity=3)
    return event


def book(event, n: int):
    ticket_type = event.ticket_types.get()
    return [RegistrationFactory(event=event, ticket_type=ticket_type, quantity=1) for _ in range(n)]


class TestCapacity:
    def test_a_capacity_below_the_seats_taken_is_refused(self, admin_site, event):
        book(event, 2)
        page = admin_site.get(CHANGE.format(pk=event.pk))
        response = admin_site.post(
            CHANGE.format(pk=event.pk), form_data(page, capacity=1, title="Changed too")
        )
        assert response.status_code == 302
        assert any("2 seats are already taken" in line for line in messages_of(response))
        event.refresh_from_db()
        assert (event.capacity, event.title) != (1, "Changed too")
        assert event.capacity == 3
        assert not ActivityLog.objects.filter(action="event_updated").exists()

    def test_more_capacity_goes_to_the_waitlist(self, admin_site, event, admin_user):
        book(event, 3)
        waiting = WaitlistEntryFactory(event=event, quantity=1)
        TicketTypeFactory(event=event, name="More", price="0.00", quantity=5)
        page = admin_site.get(CHANGE.format(pk=event.pk))
        response = admin_site.post(CHANGE.format(pk=event.pk), form_data(page, capacity=4))
        assert response.status_code == 302
        waiting.refresh_from_db()
        assert waiting.status == "converted"
        assert Registration.objects.filter(event=event, status="confirmed").count() == 4
        entry = ActivityLog.objects.get(action="event_updated")
        assert entry.user == admin_user and entry.metadata["changed"] == ["capacity"]

    def test_an_inline_ticket_quantity_below_what_was_sold_is_refused(self, admin_site, event):
        book(event, 2)
        page = admin_site.get(CHANGE.format(pk=event.pk))
        data = form_data(page)
        data["ticket_types-0-quantity"] = 1
        response = admin_site.post(CHANGE.format(pk=event.pk), data)
        assert response.status_code == 302
        assert any("already taken" in line for line in messages_of(response))
        assert event.ticket_types.get().quantity == 3


class TestStatus:
    def test_the_status_cannot_be_edited_in_the_form(self, admin_site, event):
        page = admin_site.get(CHANGE.format(pk=event.pk))
        assert "status" not in page.context["adminform"].form.fields
        admin_site.post(CHANGE.format(pk=event.pk), form_data(page, status="cancelled"))
        event.refresh_from_db()
        assert event.status == "published"

    def test_cancelling_from_the_list_cancels_every_registration(self, admin_site, event):
        registrations = book(event, 2)
        waiting = WaitlistEntryFactory(event=event)
        response = admin_site.post(
            "/admin/events/event/",
            {"action": "cancel_events", "_selected_action": [event.pk]},
        )
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.status == "cancelled"
        assert {r.status for r in Registration.objects.filter(event=event)} == {"cancelled"}
        assert ActivityLog.objects.filter(action="registration_cancelled").count() == len(
            registrations
        )
        assert WaitlistEntry.objects.get(pk=waiting.pk).status == "left"

    def test_publishing_from_the_list_applies_the_publishing_rules(self, admin_site):
        ready = EventFactory(status="draft")
        TicketTypeFactory(event=ready)
        no_tickets = EventFactory(status="draft", title="No tickets yet")
        response = admin_site.post(
            "/admin/events/event/",
            {"action": "publish_events", "_selected_action": [ready.pk, no_tickets.pk]},
        )
        assert response.status_code == 302
        lines = messages_of(response)
        assert "1 event(s) published." in lines
        assert any(line.startswith("No tickets yet:") for line in lines)
        ready.refresh_from_db()
        no_tickets.refresh_from_db()
        assert (ready.status, no_tickets.status) == ("published", "draft")


class TestCreateAndDelete:
    def test_an_event_created_in_the_admin_goes_through_the_service(self, admin_site):
        organizer = OrganizerFactory()
        page = admin_site.get("/admin/events/event/add/")
        starts = timezone.now() + timedelta(days=10)
        data = form_data(page)
        data.update(
            {
                "title": "Made in the admin",
                "slug": "made-in-the-admin",
                "organizer": organizer.pk,
                "starts_at_0": starts.date().isoformat(),
                "starts_at_1": "10:00:00",
                "ends_at_0": starts.date().isoformat(),
                "ends_at_1": "12:00:00",
                "capacity": 20,
                "timezone": "UTC",
                "currency": "USD",
                "level": "all",
                "visibility": "public",
                "refund_deadline_hours": 24,
                "ticket_types-TOTAL_FORMS": 1,
                "ticket_types-0-name": "Standard",
                "ticket_types-0-price": "5.00",
                "ticket_types-0-quantity": 20,
                "ticket_types-0-max_per_order": 4,
                "ticket_types-0-is_active": "on",
            }
        )
        response = admin_site.post("/admin/events/event/add/", data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        event = Event.objects.get(slug="made-in-the-admin")
        assert event.organizer == organizer and event.status == "draft"
        assert list(event.ticket_types.values_list("name", "quantity")) == [("Standard", 20)]
        assert ActivityLog.objects.filter(action="event_created", target_id=str(event.pk)).exists()

    def test_an_event_is_deleted_through_the_service(self, admin_site, admin_user, event):
        response = admin_site.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not Event.objects.filter(pk=event.pk).exists()
        entry = ActivityLog.objects.get(action="event_deleted")
        assert entry.user == admin_user and entry.metadata["event"] == event.pk

    def test_an_event_with_registrations_cannot_be_deleted(self, admin_site, event):
        book(event, 1)
        response = admin_site.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403  # registrations are records the admin never deletes
        assert Event.objects.filter(pk=event.pk).exists()
        assert not ActivityLog.objects.filter(action="event_deleted").exists()

    def test_deleting_several_deletes_each_through_the_service(self, admin_site, event):
        extra = TicketTypeFactory(event=event, name="Extra")
        other = TicketTypeFactory(event=EventFactory(), name="Other")
        response = admin_site.post(
            "/admin/events/tickettype/",
            {"action": "delete_selected", "_selected_action": [extra.pk, other.pk], "post": "yes"},
        )
        assert response.status_code == 302
        deleted = ActivityLog.objects.filter(action="ticket_type_deleted")
        assert sorted(entry.target_id for entry in deleted) == sorted(
            [str(extra.pk), str(other.pk)]
        )
        assert list(event.ticket_types.all()) == [event.ticket_types.exclude(pk=extra.pk).get()]
        assert not event.ticket_types.filter(pk=extra.pk).exists()
