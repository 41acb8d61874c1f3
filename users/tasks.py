from celery import shared_task
from django.conf import settings
from djoser.conf import settings as djoser_settings

from users.models import User


@shared_task
def send_password_reset(email: str) -> bool:
    """Mail a password-reset link to the active account with this address, if there is one.
    Run after the request has answered, so the answer never depends on whether it exists.
    Returns whether a mail was sent."""
    user = User.objects.filter(email__iexact=email, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "user": user,
        "domain": settings.DOMAIN,
        "protocol": settings.FRONTEND_URL.split("://", 1)[0],
        "site_name": settings.SITE_NAME,
    }
    djoser_settings.EMAIL.password_reset(None, context).send([user.email])
    return True
