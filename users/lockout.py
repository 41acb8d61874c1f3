"""django-axes, for the Django admin's login only."""

from axes.handlers.database import AxesDatabaseHandler


class AdminLoginHandler(AxesDatabaseHandler):
    """Records only the admin site's sign-in attempts. Axes hears every failed sign-in (it
    listens to Django's signal), but the API's have their own rate limit: recording them too
    would let API guesses lock an admin out of the admin, and write a row per API failure."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)
