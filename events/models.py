from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.validators import LINK, validate_place_or_link, validate_web_url


class Category(models.Model):
    """A kind of event (workshop, webinar, conference, ...), addressed by its slug."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free-text label on events, stored lower-case so `Django` and `django` are one tag."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    # Never stored: a published event whose `ends_at` has passed reads as completed.
    COMPLETED = "completed"


class Level(models.TextChoices):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    ALL = "all"


class Visibility(models.TextChoices):
    PUBLIC = "public"  # listed and reachable
    UNLISTED = "unlisted"  # reachable by id, never listed
    PRIVATE = "private"  # only the organizer and admins


def cover_path(event, filename: str) -> str:
    return f"events/covers/{filename}"


class Event(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="events")
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.ALL)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_events"
    )
    is_online = models.BooleanField(default=False)
    location = models.CharField(max_length=255, blank=True)
    online_url = models.URLField(blank=True, validators=[validate_web_url])
    # Stored: draft, published or cancelled. `completed` is derived from `ends_at` on read.
    status = models.CharField(
        max_length=16,
        choices=[c for c in EventStatus.choices if c[0] != EventStatus.COMPLETED],
        default=EventStatus.DRAFT,
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC")
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_deadline = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField()
    requires_approval = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    currency = models.CharField(max_length=3, default="USD")
    refund_deadline_hours = models.PositiveIntegerField(default=24)
    cover_image = models.ImageField(upload_to=cover_path, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True)
                | Q(registration_deadline__lte=F("starts_at")),
                name="event_deadline_before_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "starts_at"]),
            models.Index(fields=["organizer", "starts_at"]),
            # The catalogue filtered by category: its count and its pages by start.
            models.Index(fields=["category", "status", "visibility", "starts_at"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["title"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_status(self) -> str:
        if self.status == EventStatus.PUBLISHED and self.ends_at <= timezone.now():
            return EventStatus.COMPLETED
        return self.status

    @property
    def registration_closes_at(self):
        return self.registration_deadline or self.starts_at

    @property
    def is_registration_open(self) -> bool:
        """Published, not yet started (or past its deadline), and past its opening time."""
        now = timezone.now()
        return (
            self.status == EventStatus.PUBLISHED
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and now < self.registration_closes_at
        )

    def is_managed_by(self, user) -> bool:
        """Admins, and its organizer while they still have the organizer role: a demoted
        organizer loses their events' management with the rest of the role."""
        return user.is_authenticated and (
            user.is_admin or (user.is_organizer and self.organizer_id == user.pk)
        )

    def shows_online_url_to(self, user) -> bool:
        """The join link is for the organizer, admins and confirmed attendees. The last comes
        from the `viewer_is_attendee` annotation of `events.selectors.with_listing_data`."""
        return getattr(self, "viewer_is_attendee", False) or self.is_managed_by(user)


class Session(models.Model):
    """A talk, lesson or slot inside an event's time window."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaking_sessions",
    )
    speaker_name = models.CharField(max_length=200, blank=True)
    room_or_link = models.CharField(max_length=255, blank=True, validators=[validate_place_or_link])

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def room_or_link_for(self, viewer, *, attending: bool) -> str | None:
        """A room is for everyone; a link to join is kept like the event's `online_url`: for
        its organizer, admins and confirmed attendees (`attending`)."""
        if not LINK.match(self.room_or_link):
            return self.room_or_link
        allowed = attending or (viewer is not None and self.event.is_managed_by(viewer))
        return self.room_or_link if allowed else None


class TicketType(models.Model):
    """A kind of ticket for an event, with its own price and quantity. The event's capacity
    caps all of them together."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    max_per_order = models.PositiveIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    # Left out of the event's `ticket_types[]` and of booking, unless a promo code that
    # unlocks hidden types covers it (speakers', sponsors' tickets).
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["price", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="ticket_price_not_negative"),
            models.CheckConstraint(
                condition=Q(max_per_order__gte=1), name="ticket_max_per_order_positive"
            ),
            models.CheckConstraint(
                condition=Q(sales_start__isnull=True)
                | Q(sales_end__isnull=True)
                | Q(sales_end__gt=F("sales_start")),
                name="ticket_sales_end_after_start",
            ),
            models.UniqueConstraint(fields=["event", "name"], name="ticket_name_unique_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.name}"

    @property
    def is_on_sale(self) -> bool:
        now = timezone.now()
        return (
            self.is_active
            and (self.sales_start is None or self.sales_start <= now)
            and (self.sales_end is None or now < self.sales_end)
        )
