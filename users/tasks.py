"""Account e-mails, sent from background tasks after the request has answered: what the answer
says, and how long it takes, never depends on whether an address has an account."""

from celery import shared_task
from django.conf import settings
from djoser.conf import settings as djoser_settings
from djoser.email import BaseEmailMessage

from users.models import User


def _context(user: User) -> dict:
    return {
        "user": user,
        "domain": settings.DOMAIN,
        "protocol": settings.FRONTEND_URL.split("://", 1)[0],
        "site_name": settings.SITE_NAME,
    }


@shared_task
def send_password_reset(email: str) -> bool:
    """Mail a password-reset link to the active account with this address, if there is one.
    Returns whether a mail was sent."""
    user = User.objects.filter(email__iexact=email, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return False
    djoser_settings.EMAIL.password_reset(None, _context(user)).send([user.email])
    return True


@shared_task
def send_activation(user_id: int) -> bool:
    """Mail the activation link to a new account that is still inactive."""
    user = User.objects.filter(pk=user_id, is_active=False).exclude(email="").first()
    if user is None:
        return False
    djoser_settings.EMAIL.activation(None, _context(user)).send([user.email])
    return True


@shared_task
def send_account_exists(email: str) -> bool:
    """Tell the owner of an address that someone tried to sign up with it again (no account
    was created). Returns whether a mail was sent."""
    user = User.objects.filter(email__iexact=email).exclude(email="").first()
    if user is None:
        return False
    context = {**_context(user), "username": user.username}
    BaseEmailMessage(None, context, template_name="email/account_exists.html").send([user.email])
    return True
