from rest_framework import serializers

from config.serializers import IdField, ModelSerializer
from events.models import Event, Session, TicketType
from registrations.models import (
    DiscountType,
    ProgressStatus,
    PromoCode,
    Registration,
    RegistrationStatus,
    SessionProgress,
    Ticket,
    WaitlistEntry,
)


class TicketSerializer(ModelSerializer):
    """A ticket: one seat of a registration, admitted at the door by its `code`."""

    event_title = serializers.CharField(source="event.title", read_only=True)
    is_valid = serializers.SerializerMethodField(
        help_text="True while the registration is confirmed: the ticket admits its holder."
    )

    class Meta:
        model = Ticket
        fields = (
            "code",
            "event",
            "event_title",
            "registration",
            "attendee_name",
            "ticket_type",
            "checked_in_at",
            "is_valid",
        )
        read_only_fields = fields

    def get_is_valid(self, ticket) -> bool:
        return ticket.registration.status == RegistrationStatus.CONFIRMED


class RegistrationTicketSerializer(TicketSerializer):
    """A ticket inside its registration: the event and registration are implied."""

    class Meta(TicketSerializer.Meta):
        fields = ("code", "attendee_name", "ticket_type", "checked_in_at")


class PromoCodeField(serializers.CharField):
    """A promo code by what people type: written in any case (blank: none), read as stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, promo_code):
        return promo_code.code


class RegistrationSerializer(ModelSerializer):
    """A registration: seats of one ticket type at an event, held or confirmed, with its
    tickets once confirmed."""

    event = IdField(queryset=Event.objects.all())
    event_title = serializers.CharField(source="event.title", read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    ticket_type = IdField(
        queryset=TicketType.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the cheapest ticket type on sale.",
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
    status = serializers.CharField(source="display_status", read_only=True)
    tickets = RegistrationTicketSerializer(many=True, read_only=True)
    payment_status = serializers.SerializerMethodField(
        help_text="`free`, or for a paid registration `unpaid` until it is confirmed, then `paid`."
    )
    promo_code = PromoCodeField(
        help_text="A promo or access code of the event, in any case; it prices `unit_price`."
    )
    discount_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="What the promo code took off the whole registration.",
    )

    class Meta:
        model = Registration
        fields = (
            "id",
            "event",
            "event_title",
            "user",
            "user_name",
            "ticket_type",
            "quantity",
            "status",
            "unit_price",
            "total_price",
            "currency",
            "promo_code",
            "discount_amount",
            "special_requirements",
            "expires_at",
            "tickets",
            "payment_status",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        )
        read_only_fields = (
            "id",
            "user",
            "unit_price",
            "total_price",
            "currency",
            "expires_at",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        )

    def get_payment_status(self, registration) -> str:
        if registration.is_free:
            return "free"
        return "paid" if registration.confirmed_at else "unpaid"


class AttendeeSerializer(ModelSerializer):
    """One line of an event's attendee list."""

    user_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    ticket_type_name = serializers.CharField(source="ticket_type.name")
    status = serializers.CharField(source="display_status")
    checked_in = serializers.IntegerField(source="checked_in_count")

    class Meta:
        model = Registration
        fields = (
            "id",
            "user",
            "user_name",
            "email",
            "ticket_type",
            "ticket_type_name",
            "quantity",
            "status",
            "checked_in",
            "total_price",
            "currency",
            "created_at",
            "special_requirements",
        )
        read_only_fields = fields


class TicketTypeSalesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    sold = serializers.IntegerField()
    available = serializers.IntegerField()
    is_active = serializers.BooleanField()


class RegistrationsOnDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    registrations = serializers.IntegerField()
    seats = serializers.IntegerField()


class PromoCodeUsageSerializer(serializers.Serializer):
    code = serializers.CharField()
    uses = serializers.IntegerField(help_text="Seats held with it now.")
    discount_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What it took off confirmed registrations."
    )
    revenue = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What its payments took, less refunds."
    )


class EventStatisticsSerializer(serializers.Serializer):
    """An event's numbers (`registrations.statistics`). A figure that no installed app
    contributes shows its default: no reviews yet, no refunds yet."""

    total_attendees = serializers.IntegerField(help_text="Seats of confirmed registrations.")
    checked_in = serializers.IntegerField(help_text="Tickets admitted at the door.")
    available_spots = serializers.IntegerField()
    waitlist_count = serializers.IntegerField()
    reviews_count = serializers.IntegerField(default=0)
    average_rating = serializers.FloatField(default=None, allow_null=True)
    currency = serializers.CharField()
    total_revenue = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=2, default="0.00")
    by_ticket_type = TicketTypeSalesSerializer(many=True)
    by_promo_code = PromoCodeUsageSerializer(many=True)
    registrations_by_day = RegistrationsOnDaySerializer(many=True)


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    session = IdField(
        queryset=Session.objects.all(),
        required=False,
        allow_null=True,
        help_text="Record attendance of one session (marks the holder's progress completed).",
    )


class WaitlistEntrySerializer(ModelSerializer):
    """A place in an event's waitlist, for one ticket type or any."""

    event = IdField(queryset=Event.objects.all())
    ticket_type = IdField(
        queryset=TicketType.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: any ticket type.",
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)
    promo_code = PromoCodeField(
        help_text="A promo or access code of the event, in any case: the offer is priced with "
        "it if it still holds then."
    )
    position = serializers.IntegerField(
        source="queue_position",
        allow_null=True,
        read_only=True,
        default=None,
        help_text="Place in the queue while waiting (1 = next); null otherwise.",
    )

    class Meta:
        model = WaitlistEntry
        fields = (
            "id",
            "event",
            "ticket_type",
            "quantity",
            "promo_code",
            "status",
            "position",
            "registration",
            "offer_expires_at",
            "created_at",
        )
        read_only_fields = ("id", "status", "registration", "offer_expires_at", "created_at")

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if entry.status != "waiting":
            data["position"] = None
        return data


class ProgressSerializer(ModelSerializer):
    """One's progress on a session of an event one is confirmed for."""

    session_title = serializers.CharField(source="session.title", read_only=True)
    event = serializers.IntegerField(source="session.event_id", read_only=True)
    status = serializers.ChoiceField(choices=ProgressStatus.choices, required=False)

    class Meta:
        model = SessionProgress
        fields = ("id", "session", "session_title", "event", "status", "notes", "completed_at")
        read_only_fields = ("id", "session", "completed_at")


class PromoCodeSerializer(ModelSerializer):
    """A promo or access code of an event: a discount on some or all of its ticket types,
    and/or the key to its hidden ones. Seen only by the event's organizer and admins."""

    event = IdField(queryset=Event.objects.all())
    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]+$",
        max_length=40,
        error_messages={"invalid": "Use letters, digits, hyphens and underscores."},
        help_text="Letters, digits, `-` and `_`; read in any case, stored upper-cased, unique "
        "per event.",
    )
    discount_type = serializers.ChoiceField(choices=DiscountType.choices)
    discount_value = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        default=0,
        help_text="Percent: 0 to 100; fixed: the amount off each seat, in the event's "
        "currency (more than 0); none: 0.",
    )
    ticket_types = IdField(
        many=True,
        queryset=TicketType.objects.all(),
        required=False,
        help_text="The ticket types it applies to (ids of the event's); empty: every type.",
    )
    max_uses = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        help_text="Seats it may be used for; null: unlimited.",
    )
    uses = serializers.IntegerField(
        read_only=True,
        default=0,
        help_text="Seats taken with it: confirmed registrations and holds that still count.",
    )

    class Meta:
        model = PromoCode
        fields = (
            "id",
            "event",
            "code",
            "description",
            "discount_type",
            "discount_value",
            "ticket_types",
            "unlocks_hidden",
            "max_uses",
            "uses",
            "valid_from",
            "valid_until",
            "is_active",
            "created_at",
        )
        read_only_fields = ("id", "created_at")
        # The code is unique per event in any case: reported on `code` by the service, instead
        # of DRF's unique-together validator on `non_field_errors`.
        validators = []

    def validate_event(self, event):
        if self.instance is not None and event != self.instance.event:
            raise serializers.ValidationError("Cannot be changed.")
        return event

    def validate_code(self, code):
        return code.upper()
