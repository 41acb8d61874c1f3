"""How the Browsable API signs people in: a session, for that renderer only."""

from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableAPISessionAuthentication(SessionAuthentication):
    """The session cookie set by the Browsable API's login page (`/api-auth/login/`), or the
    admin's, signs in only requests answered by the Browsable API (HTML, `?format=api`), with
    DRF's CSRF check on every unsafe method. A JSON request with the cookie is anonymous: the
    API's clients authenticate with a JWT, so a page on another site that makes the browser
    send the cookie never gets JSON back as someone."""

    def authenticate(self, request):
        renderer = getattr(request, "accepted_renderer", None)
        if not isinstance(renderer, BrowsableAPIRenderer):
            return None
        return super().authenticate(request)
