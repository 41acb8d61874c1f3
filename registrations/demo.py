"""Demo registrations for `seed_demo`: a sold-out event with a waitlist, registrations for free
events (confirmed at once), and check-ins at last month's workshop."""

from datetime import timedelta

from events.models import Event
from registrations.models import Registration, RegistrationStatus, Ticket
from registrations.services import booking, waitlist
from users.models import User

# (event slug, attendees) booked through the booking service, in order.
BOOKINGS = [
    ("django-girls-workshop", ["alice", "bob", "carol"]),
    ("async-python-webinar", ["alice", "bob", "dave"]),
    ("berlin-python-meetup", ["alice", "erin"]),
]
WAITLIST = ("django-girls-workshop", ["dave", "erin"])
# Last month's event: registrations are closed, so they are written as they were then.
PAST_ATTENDANCE = ("intro-to-django-past", {"alice": True, "bob": True, "carol": False})


def seed(log) -> None:
    users = {user.username: user for user in User.objects.all()}
    events = {event.slug: event for event in Event.objects.all()}
    booked = 0
    for slug, usernames in BOOKINGS:
        for username in usernames:
            if not Registration.objects.filter(event=events[slug], user=users[username]).exists():
                booking.register_for_event(user=users[username], event=events[slug])
                booked += 1
    slug, usernames = WAITLIST
    queued = 0
    for username in usernames:
        if not events[slug].waitlist.filter(user=users[username]).exists():
            waitlist.join_waitlist(user=users[username], event=events[slug])
            queued += 1
    checked_in = _past_attendance(events, users)
    log(
        f"Registrations: {booked} booked, {queued} on the waitlist of {slug}, "
        f"{checked_in} checked in at the past workshop."
    )


def _past_attendance(events: dict, users: dict) -> int:
    slug, attendance = PAST_ATTENDANCE
    event = events[slug]
    ticket_type = event.ticket_types.get()
    checked_in = 0
    for username, attended in attendance.items():
        if Registration.objects.filter(event=event, user=users[username]).exists():
            continue
        registration = Registration.objects.create(
            event=event,
            user=users[username],
            ticket_type=ticket_type,
            quantity=1,
            status=RegistrationStatus.CONFIRMED,
            unit_price=ticket_type.price,
            total_price=ticket_type.price,
            currency=event.currency,
            confirmed_at=event.starts_at - timedelta(days=7),
        )
        Ticket.objects.create(
            registration=registration,
            event=event,
            ticket_type=ticket_type,
            attendee_name=users[username].full_name,
            checked_in_at=event.starts_at if attended else None,
            checked_in_by=event.organizer if attended else None,
        )
        checked_in += attended
    return checked_in
