import django_filters

from config.filters import FilterSet, IdFilter, StrictBooleanFilter
from registrations.models import (
    PromoCode,
    Registration,
    RegistrationStatus,
    SessionProgress,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
    holds_seats,
)


class RegistrationFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Registrations for this event (its id).")
    status = django_filters.ChoiceFilter(
        choices=RegistrationStatus.choices,
        method="filter_status",
        help_text="The registration's status as it reads now: a pending one whose hold ran "
        "out is `expired`.",
    )

    class Meta:
        model = Registration
        fields = ["event", "status"]

    def filter_status(self, registrations, name, value):
        """As displayed: a pending registration whose hold ran out is `expired`."""
        if value == RegistrationStatus.PENDING:
            return registrations.filter(holds_seats(), status=RegistrationStatus.PENDING)
        if value == RegistrationStatus.EXPIRED:
            return registrations.filter(
                status__in=[RegistrationStatus.PENDING, RegistrationStatus.EXPIRED]
            ).exclude(holds_seats())
        return registrations.filter(status=value)


class TicketFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Tickets for this event (its id).")

    class Meta:
        model = Ticket
        fields = ["event"]


class WaitlistFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Places in this event's waitlist (its id).")
    status = django_filters.ChoiceFilter(
        choices=WaitlistStatus.choices, help_text="Where the place in the queue stands."
    )

    class Meta:
        model = WaitlistEntry
        fields = ["event", "status"]


class ProgressFilter(FilterSet):
    event = IdFilter(
        field_name="session__event_id", help_text="Progress in the sessions of this event (its id)."
    )

    class Meta:
        model = SessionProgress
        fields = ["event"]


class PromoCodeFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Codes of this event (its id).")
    is_active = StrictBooleanFilter(
        label="Active", help_text="Codes that can be used (true) or switched off (false)."
    )

    class Meta:
        model = PromoCode
        fields = ["event", "is_active"]
