"""factory_boy factories for every model; tests build their data with these."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from events.models import Category, Event, EventStatus, Session, TicketType
from users.models import ActivityLog, Role, User

TEST_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.ATTENDEE
    is_staff = factory.LazyAttribute(lambda user: user.role == Role.ADMIN)
    password = factory.django.Password(TEST_PASSWORD)


class OrganizerFactory(UserFactory):
    role = Role.ORGANIZER


class AdminFactory(UserFactory):
    role = Role.ADMIN


class ActivityLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLog

    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda log: log.user.username if log.user else "")
    action = "login"
    ip_address = "127.0.0.1"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    """A published, public event starting in ten days, lasting three hours."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    description = "An event."
    organizer = factory.SubFactory(OrganizerFactory)
    category = factory.SubFactory(CategoryFactory)
    status = EventStatus.PUBLISHED
    # Whole seconds, as times arrive through the API.
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=3))
    capacity = 50
    location = "Main hall"

    @factory.post_generation
    def tags(event, create, names, **kwargs):
        if create and names:
            from events.models import Tag

            event.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Ticket {n}")
    price = Decimal("20.00")
    quantity = 50


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda session: session.event.starts_at)
    ends_at = factory.LazyAttribute(lambda session: session.event.starts_at + timedelta(hours=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration of one seat. For tickets, use `booking.register_for_event` or
    create them with TicketFactory."""

    class Meta:
        model = "registrations.Registration"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    ticket_type = factory.SubFactory(TicketTypeFactory, event=factory.SelfAttribute("..event"))
    quantity = 1
    status = "confirmed"
    unit_price = factory.LazyAttribute(lambda r: r.ticket_type.price)
    total_price = factory.LazyAttribute(lambda r: r.ticket_type.price * r.quantity)
    currency = factory.LazyAttribute(lambda r: r.event.currency)
    confirmed_at = factory.LazyFunction(timezone.now)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Ticket"

    registration = factory.SubFactory(RegistrationFactory)
    event = factory.LazyAttribute(lambda t: t.registration.event)
    ticket_type = factory.LazyAttribute(lambda t: t.registration.ticket_type)
    attendee_name = factory.LazyAttribute(lambda t: t.registration.user.full_name)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.WaitlistEntry"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    quantity = 1


class PaymentFactory(factory.django.DjangoModelFactory):
    """A pending mock payment of a pending paid registration, at its price."""

    class Meta:
        model = "payments.Payment"

    registration = factory.SubFactory(
        RegistrationFactory,
        status="pending",
        confirmed_at=None,
        expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15)),
    )
    user = factory.LazyAttribute(lambda p: p.registration.user)
    provider = "mock"
    amount = factory.LazyAttribute(lambda p: p.registration.total_price)
    currency = factory.LazyAttribute(lambda p: p.registration.currency)
    provider_order_id = factory.Sequence(lambda n: f"mock_order_{n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    user = factory.SubFactory(UserFactory)
    type = "registration_confirmed"
    title = factory.Sequence(lambda n: f"Notification {n}")
    message = "Something happened."
    key = factory.Sequence(lambda n: f"test:{n}")


class WebhookFactory(factory.django.DjangoModelFactory):
    """An organizer's webhook for every event type, at a public address."""

    class Meta:
        model = "notifications.Webhook"

    owner = factory.SubFactory(OrganizerFactory)
    url = "https://hooks.example.com/eventhub"
    events = factory.LazyFunction(
        lambda: [
            "registration.created",
            "registration.cancelled",
            "payment.succeeded",
            "payment.refunded",
            "event.published",
            "event.cancelled",
            "checkin.created",
        ]
    )


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review written straight into the database (the rules are the service's)."""

    class Meta:
        model = "reviews.Review"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    rating = 4
    title = factory.Sequence(lambda n: f"Review {n}")
    body = "Worth it."


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.Certificate"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    holder_name = factory.LazyAttribute(lambda c: c.user.full_name)
    hours_completed = Decimal("3.00")
    issued_at = factory.LazyFunction(timezone.now)
