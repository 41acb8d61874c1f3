"""factory_boy factories for every model; tests build their data with these."""

import factory

from events.models import Category
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
