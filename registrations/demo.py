"""Demo registrations for `seed_demo`: a sold-out event with a waitlist, registrations for free
events (confirmed at once), check-ins and session attendance at last month's workshop, and
progress through the sessions people are booked for."""

from datetime import timedelta

from events.models import Event
from registrations.models import (
    DiscountType,
    ProgressStatus,
    PromoCode,
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
# Promo and access codes: (event slug, code, description, discount type, value, max uses,
# days before the start it ends (None: at the start), the hidden ticket type it opens or None).
PROMO_CODES = [
    ("drf-deep-dive", "EARLYBIRD", "Early bird: 15% off until a week before.",
     DiscountType.PERCENT, "15", 20, 7, None),
    ("drf-deep-dive", "SPEAKER-COMP", "Free seats for speakers.",
     DiscountType.PERCENT, "100", 5, None, None),
    ("pydata-conference-2027", "SPONSOR-2027", "Opens the sponsors' free ticket type.",
     DiscountType.NONE, "0", 10, None, "Sponsor"),
]  # fmt: skip
# Someone who booked with a code: (attendee, event slug, code).
BOOKED_WITH_CODE = ("bob", "drf-deep-dive", "SPEAKER-COMP")
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
    codes = _promo_codes(events, users)
    log(
        f"Registrations: {booked} booked, {queued} on the waitlist of {slug}, "
        f"{checked_in} checked in at the past workshop; "
        f"{SessionProgress.objects.count()} progress rows; {codes} promo codes added."
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


def _promo_codes(events: dict, users: dict) -> int:
    """The demo's codes (written as an organizer would make them), and a booking with one."""
    added = 0
    for slug, code, description, kind, value, max_uses, ends, hidden in PROMO_CODES:
        event = events[slug]
        promo_code, created = PromoCode.objects.get_or_create(
            event=event,
            code=code,
            defaults={
                "description": description,
                "discount_type": kind,
                "discount_value": value,
                "max_uses": max_uses,
                "valid_until": None if ends is None else event.starts_at - timedelta(days=ends),
                "unlocks_hidden": hidden is not None,
            },
        )
        if created and hidden is not None:
            promo_code.ticket_types.set(event.ticket_types.filter(name=hidden))
        added += created
    username, slug, code = BOOKED_WITH_CODE
    if not Registration.objects.filter(event=events[slug], user=users[username]).exists():
        booking.register_for_event(user=users[username], event=events[slug], promo_code=code)
    return added
