import secrets

from django.conf import settings
from django.db import models

from events.models import Event

# No 0/O, 1/I/L or U: numbers are read off paper and typed in.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_certificate_number() -> str:
    """`CERT-XXXX-XXXX-XXXX`: twelve characters drawn at random from 30 (about 59 bits), so
    numbers cannot be guessed or counted through."""
    characters = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(12))
    return f"CERT-{characters[:4]}-{characters[4:8]}-{characters[8:]}"


class Certificate(models.Model):
    """A certificate of attendance: one per person and event, issued after the event ended to
    someone who was checked in. What it says (the holder's name, the hours) is kept as issued,
    like an invoice."""

    number = models.CharField(max_length=24, unique=True, default=new_certificate_number)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(max_length=200)
    hours_completed = models.DecimalField(max_digits=10, decimal_places=2)
    skill_tags = models.JSONField(default=list, blank=True)
    issued_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"], name="one_certificate_per_user_and_event"
            )
        ]
        indexes = [models.Index(fields=["event", "-issued_at"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.holder_name}, {self.event}"

    @property
    def is_downloaded(self) -> bool:
        return self.downloaded_at is not None

    @property
    def verification_url(self) -> str:
        return f"{settings.FRONTEND_URL}/certificates/verify/{self.number}"
