from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from config.validators import validate_web_url


class Role(models.TextChoices):
    ATTENDEE = "attendee", "Attendee"
    ORGANIZER = "organizer", "Organizer"
    ADMIN = "admin", "Admin"


def validate_no_at_sign(username: str) -> None:
    """Usernames never look like e-mail addresses: sign-in decides by the `@` which one it was
    given, so nobody can take over another person's e-mail sign-in with a username."""
    if "@" in username:
        raise ValidationError("A username cannot contain @.", code="invalid")


class UserManager(DjangoUserManager):
    def find_by_login(self, identifier: str):
        """The account a sign-in name points at: an e-mail address when it has an `@`, else a
        username; both case-insensitive."""
        if not identifier or len(identifier) > 254:  # no name or address is longer
            return None
        if "@" in identifier:
            return self.filter(email__iexact=identifier).exclude(email="").first()
        return self.filter(username__iexact=identifier).first()

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


def avatar_path(user, filename: str) -> str:
    return f"avatars/{user.pk or 'new'}/{filename}"


class User(AbstractUser):
    """An account. `role` decides what it may do; the admin role and Django's staff flag are one
    and the same (a database constraint keeps them together)."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="150 characters or fewer: letters, digits and . + - _ (no @).",
        validators=[UnicodeUsernameValidator(), validate_no_at_sign],
        error_messages={"unique": "A user with that username already exists."},
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ATTENDEE)
    bio = models.TextField(blank=True, max_length=2000)
    phone = models.CharField(max_length=32, blank=True)
    avatar = models.ImageField(upload_to=avatar_path, blank=True)
    website = models.URLField(blank=True, validators=[validate_web_url])
    organization = models.CharField(max_length=200, blank=True)
    twitter = models.CharField(max_length=100, blank=True)
    linkedin = models.URLField(blank=True, validators=[validate_web_url])
    github = models.CharField(max_length=100, blank=True)
    facebook = models.URLField(blank=True, validators=[validate_web_url])
    newsletter_subscribed = models.BooleanField(default=False)
    notifications_enabled = models.BooleanField(default=True)
    email_verified = models.BooleanField(default=False)

    objects = UserManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            ),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN, is_staff=True)
                | (Q(is_staff=False) & ~Q(role=Role.ADMIN)),
                name="user_admin_role_is_staff",
            ),
        ]
        indexes = [models.Index(fields=["role"]), models.Index(fields=["date_joined"])]

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_deleted(self) -> bool:
        """Deleted by its owner (`users.services.deactivate_account` scrubs it to
        `deleted@<id>`): no username can be registered with an @, so only these have one."""
        return "@" in self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def has_perm(self, perm, obj=None) -> bool:
        """Admins may do everything in the Django admin; the product has no finer staff roles."""
        return (self.is_active and self.is_admin) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return (self.is_active and self.is_admin) or super().has_module_perms(app_label)

    @property
    def is_organizer(self) -> bool:
        """May publish events: organizers, and admins who may do everything organizers do."""
        return self.role in (Role.ORGANIZER, Role.ADMIN)


class ActivityLog(models.Model):
    """Who did what, from where. Written by services, never edited or deleted."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity"
    )
    username = models.CharField(max_length=150, blank=True)
    # The action of the fact recorded (`config.facts`); each app declares its own.
    action = models.CharField(max_length=40)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The activity log is append-only.")
