"""The Django admin's sign-ins in the activity log. The API's sign-in records its own
(`users.views.LoginView`); the admin's goes through Django's login view, which announces each
attempt with the `user_logged_in` / `user_login_failed` signals."""

from django.urls import reverse

from config.facts import Origin
from users import services


def _in_admin(request) -> bool:
    return request is not None and request.path.startswith(reverse("admin:index"))


def admin_logged_in(sender, request, user, **kwargs):
    if _in_admin(request):
        services.record_login(user=user, origin=Origin.of(request))


def admin_login_failed(sender, credentials, request=None, **kwargs):
    if _in_admin(request):
        services.record_failed_login(
            username=str(credentials.get("username", "")), origin=Origin.of(request)
        )
