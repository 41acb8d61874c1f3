"""django-axes, for the sign-in pages that start a session: the Django admin's and the
Browsable API's."""

from axes.handlers.database import AxesDatabaseHandler
from django.urls import reverse


class AdminLoginHandler(AxesDatabaseHandler):
    """Records only the sign-in attempts of the session pages (the admin, and the Browsable
    API's `/api-auth/login/`). Axes hears every failed sign-in (it listens to Django's
    signal), but the API's JWT sign-in has its own rate limit: recording it too would let API
    guesses lock an admin out of the admin, and write a row per API failure."""

    def is_admin_request(self, request) -> bool:
        """With `AXES_ONLY_ADMIN_SITE`, axes guards only what this calls the admin."""
        path = getattr(request, "path", "")
        return super().is_admin_request(request) or path == reverse("rest_framework:login")

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)
