from django.db.models import QuerySet

from certificates.models import Certificate
from registrations.selectors import own_or_organized


def visible_certificates(user) -> QuerySet[Certificate]:
    """One's own certificates; organizers also those of their events; admins all."""
    return own_or_organized(Certificate.objects.all(), user, own="user", event="event_id")


def certificates_count(user) -> dict:
    """The dashboard's count of one's certificates (one query)."""
    return {"counts": {"certificates": Certificate.objects.filter(user=user).count()}}
