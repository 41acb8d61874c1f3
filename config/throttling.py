"""Rate limits with fixed windows, and the numbers a client needs to pace itself.

Each check is one atomic increment of a cache counter for the current window (Redis in
production), instead of DRF's default list of timestamps that is read and rewritten on every
request. The limit, what remains and when the window resets are kept on the request so that
`RateLimitHeadersMiddleware` can send them as `X-RateLimit-*` headers on every response.
"""

import ipaddress
import time

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str | None:
    """The client's address. `X-Forwarded-For` is believed only as far as the
    TRUSTED_PROXY_COUNT reverse proxies in front of the app wrote it (default 0: not at all,
    since a client can send any header): each proxy appends the address it was reached from,
    so the client is the entry that many places from the right. Whatever is taken must parse
    as an IP address; otherwise the connection's own address is used. None only when even that
    is not an address."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    for address in (candidate, request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            continue
    return None


class FixedWindowThrottle(SimpleRateThrottle):
    rate_setting: str = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = int(time.time())
        window_start = now - now % self.duration
        self.reset_at = window_start + self.duration
        window_key = f"{key}:{window_start}"
        try:
            count = self.cache.incr(window_key)  # one round trip once the window has a counter
        except ValueError:  # the window's first request (or its counter was evicted)
            count = (
                1
                if self.cache.add(window_key, 1, self.duration + 1)
                else (self.cache.incr(window_key))
            )
        remember_rate_limit(
            request,
            limit=self.num_requests,
            remaining=self.num_requests - count,
            reset_at=self.reset_at,
        )
        return count <= self.num_requests

    def wait(self):
        return max(self.reset_at - time.time(), 1)


class AnonThrottle(FixedWindowThrottle):
    """Anonymous requests, per client address (`API_THROTTLE_ANON`)."""

    scope = "anon"
    rate_setting = "API_THROTTLE_ANON"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class UserThrottle(FixedWindowThrottle):
    """Authenticated requests, per user (`API_THROTTLE_USER`)."""

    scope = "user"
    rate_setting = "API_THROTTLE_USER"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AuthThrottle(FixedWindowThrottle):
    """The stricter limit on login, registration and password reset, per client address
    (`API_THROTTLE_AUTH`), against password guessing and sign-up floods."""

    scope = "auth"
    rate_setting = "API_THROTTLE_AUTH"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


def remember_rate_limit(request, *, limit: int, remaining: int, reset_at: int) -> None:
    """Keep the tightest limit seen while handling this request, for the response headers."""
    http_request = getattr(request, "_request", request)
    current = getattr(http_request, "rate_limit", None)
    remaining = max(remaining, 0)
    if current is None or remaining < current["remaining"]:
        http_request.rate_limit = {"limit": limit, "remaining": remaining, "reset": reset_at}


def throttle_refused_request(view, request) -> Throttled | None:
    """DRF authenticates and checks permissions before it throttles, so a request refused
    there would be neither counted nor given the X-RateLimit headers. Count it now (a stream
    of bad tokens is rate limited like any traffic); returns `Throttled` when over the limit."""
    if view is None or request is None:
        return None
    if getattr(getattr(request, "_request", request), "rate_limit", None) is not None:
        return None  # the throttles already ran for this request
    try:
        view.check_throttles(request)
    except Throttled as exc:
        return exc
    return None
