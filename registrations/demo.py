"""Demo registrations for `seed_demo`: a sold-out event with a waitlist, registrations for free
events (confirmed at once), check-ins and session attendance at last month's workshop, and
progress through the sessions people are booked for."""

from datetime import timedelta

from events.models import Event
from registrations.models import (
    ProgressStatus,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionProgress,
    Ticket,
)
from registrations.services import booking, progress, waitlist
from users.models import User

# (event slug, attendees) booked through the booking service, in order.
BOOKINGS = [
    ("django-girls-workshop", ["alice", "bob", "carol"]),
    ("async-python-webinar", ["alice", "bob", "dave"]),
    ("berlin-python-meetup", ["alice", "erin"]),
]
WAITLIST = ("django-girls-workshop", ["dave", "erin"])
# Last month's event: registrations are closed, so they are written as they were then.
# {attendee: how many of its sessions they attended, in order; None: never came}.
PAST_ATTENDANCE = ("intro-to-django-past", {"alice": 3, "bob": 2, "carol": None})
# Progress someone has noted on a session of an upcoming event they are booked for.
PROGRESS = ("alice", "berlin-python-meetup", "Lightning talks", "Preparing a 5-minute talk.")


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
    _progress(events, users)
    log(
        f"Registrations: {booked} booked, {queued} on the waitlist of {slug}, "
        f"{checked_in} checked in at the past workshop; "
        f"{SessionProgress.objects.count()} progress rows."
    )


def _past_attendance(events: dict, users: dict) -> int:
    slug, attendance = PAST_ATTENDANCE
    event = events[slug]
    ticket_type = event.ticket_types.get()
    sessions = list(event.sessions.order_by("starts_at"))
    booked_at = event.starts_at - timedelta(days=10)
    checked_in = 0
    for username, sessions_attended in attendance.items():
        user = users[username]
        if Registration.objects.filter(event=event, user=user).exists():
            continue
        registration = Registration.objects.create(
            event=event,
            user=user,
            ticket_type=ticket_type,
            quantity=1,
            status=RegistrationStatus.CONFIRMED,
            unit_price=ticket_type.price,
            total_price=ticket_type.price,
            currency=event.currency,
            created_at=booked_at,
            confirmed_at=booked_at,
        )
        came = sessions_attended is not None
        ticket = Ticket.objects.create(
            registration=registration,
            event=event,
            ticket_type=ticket_type,
            attendee_name=user.full_name,
            checked_in_at=event.starts_at if came else None,
            checked_in_by=event.organizer if came else None,
        )
        for session in sessions[: sessions_attended or 0]:
            SessionAttendance.objects.create(
                ticket=ticket, session=session, checked_in_at=session.starts_at
            )
            SessionProgress.objects.update_or_create(
                user=user,
                session=session,
                defaults={"status": ProgressStatus.COMPLETED, "completed_at": session.ends_at},
            )
        checked_in += came
    return checked_in


def _progress(events: dict, users: dict) -> None:
    """The progress rows of the sessions booked above (as `progress/` makes them on first
    look), and one with notes."""
    for slug, usernames in BOOKINGS:
        for username in usernames:
            progress.progress_for(user=users[username], event=events[slug])
    username, slug, session_title, notes = PROGRESS
    row = progress.progress_for(user=users[username], event=events[slug]).get(
        session__title=session_title
    )
    if row.status == ProgressStatus.NOT_STARTED:
        progress.update_progress(progress=row, status=ProgressStatus.IN_PROGRESS, notes=notes)
