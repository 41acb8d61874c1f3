"""`dashboard/`: what matters to the caller, by role, assembled from parts.

Three sections: every user's own (upcoming registrations, counts), `organizer` (their events)
and `platform` (admins). Each app registers its parts for a section in `AppConfig.ready()`
(certificates: a count; notifications: the unread count; payments: revenue); a part returns a
dict that is merged into its section, nested dicts key by key. Each part is a fixed number of
aggregate queries.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from config.contributions import Contributions
from config.formats import api_datetime
from events.models import Event, EventStatus
from registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationStatus,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
    holds_seats,
)
from users.models import Role, User


def _registration_line(registration: Registration) -> dict:
    return {
        "id": registration.id,
        "event": registration.event_id,
        "event_title": registration.event.title,
        "starts_at": api_datetime(registration.event.starts_at),
        "user_name": registration.user.full_name,
        "quantity": registration.quantity,
        "status": registration.display_status,
        "total_price": str(registration.total_price),
        "currency": registration.currency,
        "created_at": api_datetime(registration.created_at),
    }


def _events_by_status(events) -> dict:
    now = timezone.now()
    published = Q(status=EventStatus.PUBLISHED)
    return events.aggregate(
        draft=Count("id", filter=Q(status=EventStatus.DRAFT)),
        published=Count("id", filter=published & Q(ends_at__gt=now)),
        completed=Count("id", filter=published & Q(ends_at__lte=now)),
        cancelled=Count("id", filter=Q(status=EventStatus.CANCELLED)),
    )


def _registrations_by_displayed_status(registrations) -> dict:
    """Counts by status as the API shows it: a hold that ran out is `expired` at once."""
    now = timezone.now()
    ran_out = Q(status=RegistrationStatus.PENDING, expires_at__lte=now)
    return registrations.aggregate(
        pending=Count("id", filter=holds_seats(now) & Q(status=RegistrationStatus.PENDING)),
        confirmed=Count("id", filter=Q(status=RegistrationStatus.CONFIRMED)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
        expired=Count("id", filter=Q(status=RegistrationStatus.EXPIRED) | ran_out),
        rejected=Count("id", filter=Q(status=RegistrationStatus.REJECTED)),
    )


SECTIONS = ("attendee", "organizer", "platform")
dashboard_parts = {
    section: Contributions(f"the dashboard's {section} part") for section in SECTIONS
}


def _assemble(section: str, user) -> dict:
    assembled: dict = {}
    for part in dashboard_parts[section]:
        for key, value in part(user).items():
            if isinstance(value, dict) and isinstance(assembled.get(key), dict):
                assembled[key] = {**assembled[key], **value}
            else:
                assembled[key] = value
    return assembled


@dashboard_parts["attendee"].register
def attendee_part(user) -> dict:
    now = timezone.now()
    upcoming = (
        Registration.objects.filter(holds_seats(now), user=user, event__starts_at__gt=now)
        .select_related("event", "user")
        .order_by("event__starts_at")[:5]
    )
    return {
        "upcoming_registrations": [_registration_line(r) for r in upcoming],
        "counts": {
            "registrations": Registration.objects.filter(holds_seats(now), user=user).count(),
            "attended_events": Ticket.objects.filter(
                registration__user=user, checked_in_at__isnull=False
            )
            .values("event")
            .distinct()
            .count(),
            "waitlist_entries": WaitlistEntry.objects.filter(
                user=user, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
            ).count(),
        },
    }


@dashboard_parts["organizer"].register
def organizer_part(user) -> dict:
    events = Event.objects.filter(organizer=user)
    registrations = Registration.objects.filter(event__organizer=user)
    recent = registrations.select_related("event", "user").order_by("-created_at")[:5]
    return {
        "events_by_status": _events_by_status(events),
        "attendees": registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(
            seats=Sum("quantity")
        )["seats"]
        or 0,
        "recent_registrations": [_registration_line(r) for r in recent],
    }


@dashboard_parts["platform"].register
def platform_part(user) -> dict:
    users_by_role = {role: 0 for role in Role.values}
    users_by_role.update(
        User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id"))
    )
    registrations_by_status = _registrations_by_displayed_status(Registration.objects.all())
    return {
        "users_by_role": users_by_role,
        "events_by_status": _events_by_status(Event.objects.all()),
        "registrations_by_status": registrations_by_status,
        "active_registrations": sum(registrations_by_status[s] for s in ACTIVE_STATUSES),
    }


def for_user(user) -> dict:
    data = {"role": user.role, **_assemble("attendee", user)}
    if user.is_organizer:
        data["organizer"] = _assemble("organizer", user)
    if user.is_admin:
        data["platform"] = _assemble("platform", user)
    return data
