import re
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from config.formats import api_datetime, api_money
from config.serializers import IdField, ModelSerializer
from config.validators import validate_image
from events.models import Category, Event, EventStatus, Session, TicketType
from events.selectors import available_spots, shown_ticket_types

TIMEZONES = zoneinfo.available_timezones()
CURRENCY = re.compile(r"^[A-Z]{3}$")
# Fields an event accepts when it is created and refuses afterwards, with where to go instead.
CREATE_ONLY_FIELDS = {
    "price": "Prices are changed through ticket-types/ once the event exists.",
    "ticket_types": "Ticket types are managed through ticket-types/ once the event exists.",
    "status": "Use the publish and cancel actions to change the status.",
}


class TagListField(serializers.ListField):
    """Tags as a list of strings, read from the event's tag relation."""

    child = serializers.CharField(max_length=50)

    def to_representation(self, tags):
        return [tag.name for tag in tags.all()]


class CategorySerializer(ModelSerializer):
    """A category of events; `event_count` counts its public published events."""

    event_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "description", "event_count")


class TicketTypeSerializer(ModelSerializer):
    """A ticket type; `sold` counts seats taken (confirmed and held), `available` what is left."""

    sold = serializers.IntegerField(read_only=True, default=0)
    available = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000)
    max_per_order = serializers.IntegerField(min_value=1, max_value=100, default=10)

    class Meta:
        model = TicketType
        fields = (
            "id",
            "event",
            "name",
            "description",
            "price",
            "quantity",
            "sold",
            "available",
            "sales_start",
            "sales_end",
            "max_per_order",
            "is_active",
            "is_hidden",
        )
        extra_kwargs = {
            "is_hidden": {
                "help_text": "Left out of the event's `ticket_types[]` and of booking, but "
                "for holders of a promo code that unlocks it. Shown to the event's managers."
            }
        }
        # The name is unique per event: reported on `name` by `validate`, instead of DRF's
        # unique-together validator on `non_field_errors`.
        validators = []

    def get_available(self, ticket_type) -> int:
        return max(ticket_type.quantity - getattr(ticket_type, "sold", 0), 0)

    def to_representation(self, ticket_type):
        data = super().to_representation(ticket_type)
        request = self.context.get("request")
        if "is_hidden" in data and (
            request is None or not ticket_type.event.is_managed_by(request.user)
        ):
            del data["is_hidden"]  # others never see a hidden type: all they see are visible
        return data

    def validate(self, attrs):
        start = attrs.get("sales_start", getattr(self.instance, "sales_start", None))
        end = attrs.get("sales_end", getattr(self.instance, "sales_end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"sales_end": ["Must be after sales_start."]})
        event = attrs.get("event", getattr(self.instance, "event", None))
        name = attrs.get("name", getattr(self.instance, "name", None))
        if event is not None and name is not None:
            same_name = TicketType.objects.filter(event=event, name=name)
            if self.instance is not None:
                same_name = same_name.exclude(pk=self.instance.pk)
            if same_name.exists():
                raise serializers.ValidationError({"name": ["Already used for this event."]})
        return attrs


class InlineTicketTypeSerializer(TicketTypeSerializer):
    """A ticket type inside an event: the event is implied, and only visible types are listed
    (and those a promo code on the event's page unlocks)."""

    discounted_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        default=None,
        help_text="A seat's price with the promo code given as `?promo_code=` on the event's "
        "page, when the code prices this type; otherwise null.",
    )

    class Meta(TicketTypeSerializer.Meta):
        fields = (
            *(f for f in TicketTypeSerializer.Meta.fields if f not in ("event", "is_hidden")),
            "discounted_price",
        )


class SessionSerializer(ModelSerializer):
    """A session; a `room_or_link` that is a link is shown like the event's `online_url`
    (`viewer_is_attendee` is annotated by the sessions view)."""

    def to_representation(self, session):
        data = super().to_representation(session)
        request = self.context.get("request")
        data["room_or_link"] = session.room_or_link_for(
            request.user if request is not None else None,
            attending=getattr(session, "viewer_is_attendee", False),
        )
        return data

    class Meta:
        model = Session
        fields = (
            "id",
            "event",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "speaker",
            "speaker_name",
            "room_or_link",
        )
        # A speaker is a live account: a deactivated one reads like one that does not exist.
        extra_kwargs = {"speaker": {"queryset": get_user_model().objects.filter(is_active=True)}}

    def validate(self, attrs):
        start = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        end = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        return attrs


class InlineSessionSerializer(SessionSerializer):
    class Meta(SessionSerializer.Meta):
        fields = tuple(f for f in SessionSerializer.Meta.fields if f != "event")


class EventSerializer(ModelSerializer):
    """An event as the API shows it, and the input to create or change one.

    `price` and `ticket_types` are accepted on create only: afterwards ticket types are managed
    at `ticket-types/`. `status` is accepted on create only (`draft` or `published`);
    afterwards it moves through the `publish` and `cancel` actions.
    """

    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    tags = TagListField(max_length=20, required=False)
    organizer = IdField(read_only=True)
    organizer_name = serializers.CharField(source="organizer.full_name", read_only=True)
    # Every status an event reads as; on create only `draft` or `published` are accepted.
    status = serializers.ChoiceField(choices=EventStatus.choices, default=EventStatus.DRAFT)
    slug = serializers.SlugField(max_length=70, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    ticket_types = InlineTicketTypeSerializer(many=True, required=False)
    sessions = InlineSessionSerializer(many=True, read_only=True)
    attendees_count = serializers.IntegerField(source="seats_taken", read_only=True, default=0)
    available_spots = serializers.SerializerMethodField()
    waitlist_count = serializers.IntegerField(read_only=True, default=0)
    is_registration_open = serializers.BooleanField(read_only=True)
    average_rating = serializers.FloatField(read_only=True, default=None, allow_null=True)
    reviews_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Event
        fields = (
            "id",
            "slug",
            "title",
            "description",
            "category",
            "tags",
            "level",
            "organizer",
            "organizer_name",
            "is_online",
            "location",
            "online_url",
            "status",
            "starts_at",
            "ends_at",
            "timezone",
            "registration_opens_at",
            "registration_deadline",
            "capacity",
            "requires_approval",
            "visibility",
            "currency",
            "price",
            "refund_deadline_hours",
            "cover_image",
            "ticket_types",
            "sessions",
            "attendees_count",
            "available_spots",
            "waitlist_count",
            "is_registration_open",
            "average_rating",
            "reviews_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        extra_kwargs = {
            "refund_deadline_hours": {"max_value": 24 * 365},
            "cover_image": {"allow_null": True},  # null when there is none
        }

    def get_available_spots(self, event) -> int:
        return available_spots(event)

    def to_representation(self, event):
        data = super().to_representation(event)
        data["status"] = event.display_status
        request = self.context.get("request")
        viewer = request.user if request is not None else None
        if viewer is None or not event.shows_online_url_to(viewer):
            data["online_url"] = None
        attending = getattr(event, "viewer_is_attendee", False)
        for session, shown in zip(event.sessions.all(), data["sessions"], strict=True):
            shown["room_or_link"] = session.room_or_link_for(viewer, attending=attending)
        return data

    # --- input ------------------------------------------------------------------------------

    def validate_status(self, value):
        if value not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
            raise serializers.ValidationError(
                "An event starts as draft or published; use the cancel action to cancel it."
            )
        return value

    def validate_timezone(self, value):
        if value not in TIMEZONES:
            raise serializers.ValidationError(f"'{value}' is not an IANA time zone name.")
        return value

    def validate_currency(self, value):
        value = value.upper()
        if not CURRENCY.match(value):
            raise serializers.ValidationError("Use a three-letter ISO 4217 code such as EUR.")
        return value

    def validate_slug(self, value):
        if Event.objects.filter(slug=value).exclude(pk=getattr(self.instance, "pk", None)).exists():
            raise serializers.ValidationError("Another event already has this slug.")
        return value

    def validate_cover_image(self, upload):
        if upload:
            try:
                validate_image(upload, max_bytes=settings.EVENT_COVER_MAX_BYTES)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return upload

    def validate_ticket_types(self, ticket_types):
        names = [ticket_type["name"] for ticket_type in ticket_types]
        if len(names) != len(set(names)):
            raise serializers.ValidationError("Each ticket type needs its own name.")
        return ticket_types

    def validate(self, attrs):
        if self.instance is not None:
            for field, advice in CREATE_ONLY_FIELDS.items():
                if field in self.initial_data:
                    raise serializers.ValidationError({field: [advice]})
            attrs.pop("status", None)

        def current(field):
            return attrs.get(field, getattr(self.instance, field, None))

        starts_at, ends_at = current("starts_at"), current("ends_at")
        errors = {}
        if starts_at and ends_at and ends_at <= starts_at:
            errors["ends_at"] = ["Must be after starts_at."]
        deadline, opens = current("registration_deadline"), current("registration_opens_at")
        if deadline and starts_at and deadline > starts_at:
            errors["registration_deadline"] = ["Must not be after starts_at."]
        if opens and (deadline or starts_at) and opens >= (deadline or starts_at):
            errors["registration_opens_at"] = ["Must be before the registration deadline."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EventReadSerializer(serializers.BaseSerializer):
    """The event as `EventSerializer` shows it, built directly from the listing selector's
    annotations and prefetches. Lists render twenty of these per request; DRF's declarative
    fields cost about ten times as much. `tests/events/test_read_serializer.py` keeps the two
    identical."""

    def to_representation(self, event):
        request = self.context.get("request")
        viewer = request.user if request is not None else None
        seats_taken = getattr(event, "seats_taken", 0)
        cover = event.cover_image
        offer = getattr(event, "code_offer", None)
        prices = offer.prices if offer is not None else {}
        return {
            "id": event.id,
            "slug": event.slug,
            "title": event.title,
            "description": event.description,
            "category": event.category.slug if event.category_id else None,
            "tags": [tag.name for tag in event.tags.all()],
            "level": event.level,
            "organizer": event.organizer_id,
            "organizer_name": event.organizer.full_name,
            "is_online": event.is_online,
            "location": event.location,
            "online_url": (
                event.online_url or None
                if viewer is not None and event.shows_online_url_to(viewer)
                else None
            ),
            "status": event.display_status,
            "starts_at": api_datetime(event.starts_at),
            "ends_at": api_datetime(event.ends_at),
            "timezone": event.timezone,
            "registration_opens_at": api_datetime(event.registration_opens_at),
            "registration_deadline": api_datetime(event.registration_deadline),
            "capacity": event.capacity,
            "requires_approval": event.requires_approval,
            "visibility": event.visibility,
            "currency": event.currency,
            "price": api_money(getattr(event, "price", None)),
            "refund_deadline_hours": event.refund_deadline_hours,
            "cover_image": (
                (request.build_absolute_uri(cover.url) if request is not None else cover.url)
                if cover
                else None
            ),
            "ticket_types": [
                {
                    "id": ticket_type.id,
                    "name": ticket_type.name,
                    "description": ticket_type.description,
                    "price": api_money(ticket_type.price),
                    "quantity": ticket_type.quantity,
                    "sold": getattr(ticket_type, "sold", 0),
                    "available": max(ticket_type.quantity - getattr(ticket_type, "sold", 0), 0),
                    "sales_start": api_datetime(ticket_type.sales_start),
                    "sales_end": api_datetime(ticket_type.sales_end),
                    "max_per_order": ticket_type.max_per_order,
                    "is_active": ticket_type.is_active,
                    "discounted_price": api_money(prices.get(ticket_type.id)),
                }
                for ticket_type in shown_ticket_types(event)
            ],
            "sessions": [
                {
                    "id": session.id,
                    "title": session.title,
                    "description": session.description,
                    "starts_at": api_datetime(session.starts_at),
                    "ends_at": api_datetime(session.ends_at),
                    "speaker": session.speaker_id,
                    "speaker_name": session.speaker_name,
                    "room_or_link": session.room_or_link_for(
                        viewer, attending=getattr(event, "viewer_is_attendee", False)
                    ),
                }
                for session in event.sessions.all()
            ],
            "attendees_count": seats_taken,
            "available_spots": available_spots(event),
            "waitlist_count": getattr(event, "waitlist_count", 0),
            "is_registration_open": event.is_registration_open,
            # Annotated by the listing parts other apps register; these are their defaults.
            "average_rating": getattr(event, "average_rating", None),
            "reviews_count": getattr(event, "reviews_count", 0),
            "created_at": api_datetime(event.created_at),
            "updated_at": api_datetime(event.updated_at),
        }
