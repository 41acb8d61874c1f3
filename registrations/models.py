import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from events.models import Event, Session, TicketType


class RegistrationStatus(models.TextChoices):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"


ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


def holds_seats(now=None) -> Q:
    """The registrations that take seats: confirmed ones, and pending ones whose hold has not
    run out (a hold without an end, awaiting approval, holds until decided). An expired hold
    stops counting the moment it expires, whether or not a job has marked it yet."""
    now = now or timezone.now()
    return Q(status=RegistrationStatus.CONFIRMED) | Q(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), status=RegistrationStatus.PENDING
    )


class DiscountType(models.TextChoices):
    PERCENT = "percent"
    FIXED = "fixed"  # an amount off each seat's price, in the event's currency
    NONE = "none"  # an access code: it only unlocks


class PromoCode(models.Model):
    """A code an event's organizer hands out: a discount on some or all of its ticket types,
    and/or the key to its hidden ones. `max_uses` counts seats; the uses are the seats held by
    live registrations made with it (`registrations.selectors.promo_code_uses`), never a
    counter."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="promo_codes")
    # Stored upper-cased: codes are case-insensitive, and unique per event.
    code = models.CharField(
        max_length=40,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_-]+$", "Use letters, digits, hyphens and underscores.")
        ],
    )
    description = models.CharField(max_length=500, blank=True)
    discount_type = models.CharField(max_length=8, choices=DiscountType.choices)
    discount_value = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # None: every ticket type of the event.
    ticket_types = models.ManyToManyField(TicketType, blank=True, related_name="promo_codes")
    unlocks_hidden = models.BooleanField(default=False)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "code"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="promo_code_unique_per_event"),
            models.CheckConstraint(
                condition=Q(discount_value__gte=0), name="promo_discount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(discount_type=DiscountType.PERCENT) | Q(discount_value__lte=100),
                name="promo_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="promo_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Registration(models.Model):
    """A user's place at an event: `quantity` seats of one ticket type, at a price fixed by the
    server when it was made."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    # RESTRICT: a ticket type with registrations cannot be deleted on its own, but goes with
    # its event when the whole event is deleted.
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.RESTRICT, related_name="registrations"
    )
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    # After the promo code's discount, if any; `discount_amount` is what it took off in all.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    total_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # PROTECT: a code that priced registrations stays (deactivate it instead).
    promo_code = models.ForeignKey(
        PromoCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    special_requirements = models.TextField(blank=True, max_length=2000)
    # A pending registration of a paid event holds its seats until then; none: held until the
    # organizer decides (events that require approval).
    expires_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Given by the booking service from the same clock reading as `confirmed_at` and
    # `expires_at`, so no registration is confirmed before it was made.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_registration_per_user_and_event",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="registration_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(total_price__gte=0), name="registration_total_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["ticket_type", "status"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user} → {self.event} ({self.display_status})"

    @property
    def display_status(self) -> str:
        """`expired` as soon as a pending hold runs out, before a job marks it."""
        if (
            self.status == RegistrationStatus.PENDING
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        ):
            return RegistrationStatus.EXPIRED
        return self.status

    @property
    def is_active(self) -> bool:
        return self.display_status in ACTIVE_STATUSES

    @property
    def is_free(self) -> bool:
        return self.total_price == 0


def new_ticket_code() -> str:
    """192 random bits, URL-safe: unguessable, and short enough for a QR code."""
    return secrets.token_urlsafe(24)


class Ticket(models.Model):
    """One seat of a confirmed registration. The code is the secret shown at the door."""

    code = models.CharField(max_length=64, unique=True, default=new_ticket_code)
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="tickets")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.RESTRICT, related_name="tickets")
    attendee_name = models.CharField(max_length=200)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["event", "checked_in_at"])]

    def __str__(self) -> str:
        return f"{self.attendee_name} — {self.event}"


class SessionAttendance(models.Model):
    """A ticket checked in to one session of its event."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    checked_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "session"], name="one_attendance_per_ticket_and_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.attendee_name} at {self.session}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting"
    OFFERED = "offered"  # promoted to a pending registration, held for the offer window
    CONVERTED = "converted"  # the registration is confirmed
    LEFT = "left"
    EXPIRED = "expired"  # the offer ran out unpaid


class WaitlistEntry(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    # None: any ticket type (the cheapest on sale that fits, when promoted).
    ticket_type = models.ForeignKey(
        TicketType, null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist"
    )
    quantity = models.PositiveIntegerField(default=1)
    # The code the person joined with: their offer is priced with it if it still holds then.
    promo_code = models.ForeignKey(
        PromoCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist"
    )
    status = models.CharField(
        max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    registration = models.OneToOneField(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entry",
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]),
                name="one_active_waitlist_entry_per_user_and_event",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="waitlist_quantity_positive"),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} waiting for {self.event}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class SessionProgress(models.Model):
    """A user's progress through one session of a course-style event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(
        max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    notes = models.TextField(blank=True, max_length=5000)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__starts_at", "id"]
        verbose_name_plural = "session progress"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session"], name="one_progress_row_per_user_and_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session}: {self.status}"
