import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from config.filters import (
    TIME_HELP,
    DateTimeFilter,
    FilterSet,
    IdFilter,
    SlugChoiceFilter,
    StrictBooleanFilter,
)
from events.models import Category, Event, EventStatus, Level, Session, TicketType
from events.seating import seating

STATUS_FILTER_CHOICES = [
    (EventStatus.DRAFT, "draft"),
    (EventStatus.PUBLISHED, "published (not yet ended)"),
    ("ongoing", "ongoing (published, between start and end)"),
    (EventStatus.COMPLETED, "completed (published, ended)"),
    (EventStatus.CANCELLED, "cancelled"),
]


class EventFilter(FilterSet):
    category = SlugChoiceFilter(
        field_name="category",
        queryset=Category.objects.all(),
        help_text="Events in this category, given by its slug (`workshop`).",
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_FILTER_CHOICES,
        method="filter_status",
        help_text="The event's status as it reads now: a published event that has ended is "
        "`completed`, one under way also `ongoing`.",
    )
    is_online = StrictBooleanFilter(help_text="Online events (true) or in-person ones (false).")
    organizer = IdFilter(
        field_name="organizer_id", help_text="Events organized by this person (their user id)."
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, help_text="Who the event is for (`all`: every level)."
    )
    tags = django_filters.CharFilter(
        method="filter_tags", help_text="Comma-separated; events with any of these tags."
    )
    starts_after = DateTimeFilter(
        field_name="starts_at",
        lookup_expr="gte",
        help_text=f"Events starting at or after this time: {TIME_HELP}.",
    )
    starts_before = DateTimeFilter(
        field_name="starts_at",
        lookup_expr="lte",
        help_text=f"Events starting at or before this time: {TIME_HELP}.",
    )
    price_min = django_filters.NumberFilter(
        field_name="price",
        lookup_expr="gte",
        min_value=0,
        label="Minimum price",
        help_text="Events whose lowest ticket price (of the ticket types on sale) is at least "
        "this.",
    )
    price_max = django_filters.NumberFilter(
        field_name="price",
        lookup_expr="lte",
        min_value=0,
        label="Maximum price",
        help_text="Events whose lowest ticket price (of the ticket types on sale) is at most this.",
    )
    upcoming = StrictBooleanFilter(
        method="filter_upcoming",
        help_text="Published events that have not started yet (true), or every other event "
        "(false).",
    )
    has_availability = StrictBooleanFilter(
        method="filter_has_availability",
        help_text="Upcoming published events with a seat left, in the event and in a ticket "
        "type on sale (true), or every other event (false).",
    )

    class Meta:
        model = Event
        fields = [
            "category",
            "status",
            "is_online",
            "organizer",
            "level",
            "tags",
            "starts_after",
            "starts_before",
            "price_min",
            "price_max",
            "upcoming",
            "has_availability",
        ]

    def filter_status(self, events, name, value):
        now = timezone.now()
        published = Q(status=EventStatus.PUBLISHED)
        return events.filter(
            {
                EventStatus.DRAFT: Q(status=EventStatus.DRAFT),
                EventStatus.CANCELLED: Q(status=EventStatus.CANCELLED),
                EventStatus.PUBLISHED: published & Q(ends_at__gt=now),
                EventStatus.COMPLETED: published & Q(ends_at__lte=now),
                "ongoing": published & Q(starts_at__lte=now, ends_at__gt=now),
            }[value]
        )

    def filter_tags(self, events, name, value):
        names = [tag.strip().lower() for tag in value.split(",") if tag.strip()]
        if not names:
            return events
        tagged = Event.tags.through.objects.filter(event=OuterRef("pk"), tag__name__in=names)
        return events.filter(Exists(tagged))

    def filter_upcoming(self, events, name, value):
        now = timezone.now()
        if value:
            return events.filter(status=EventStatus.PUBLISHED, starts_at__gt=now)
        return events.exclude(status=EventStatus.PUBLISHED, starts_at__gt=now)

    def filter_has_availability(self, events, name, value):
        """Upcoming published events with a seat left under the capacity and in some active
        ticket type anyone may buy (not a hidden one). (`seats_taken` is annotated by the
        listing selector.)"""
        ticket_left = TicketType.objects.filter(
            event=OuterRef("pk"),
            is_active=True,
            is_hidden=False,
            quantity__gt=seating().taken_by_ticket_type(timezone.now()),
        )
        has_room = Q(
            Exists(ticket_left),
            capacity__gt=F("seats_taken"),
            status=EventStatus.PUBLISHED,
            starts_at__gt=timezone.now(),
        )
        return events.filter(has_room) if value else events.exclude(has_room)


class SessionFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Sessions of this event (its id).")
    speaker = IdFilter(
        field_name="speaker_id", help_text="Sessions this person speaks at (their user id)."
    )

    class Meta:
        model = Session
        fields = ["event", "speaker"]


class TicketTypeFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Ticket types of this event (its id).")
    is_active = StrictBooleanFilter(
        help_text="Ticket types on sale (true) or taken off sale (false)."
    )

    class Meta:
        model = TicketType
        fields = ["event", "is_active"]
