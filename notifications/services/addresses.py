"""Where outbound webhooks may go: public addresses only (unless WEBHOOKS_ALLOW_PRIVATE_URLS).

A webhook URL is someone else's input that our server will call, so it must not reach what only
our server can reach (the database, the cloud's metadata service at 169.254.169.254, an admin
port on localhost). The URL is checked when a webhook is saved, and again at every delivery,
since what a name resolves to can change. At delivery the check is made on the very address
the socket connects to (`GuardedAdapter`), so a name that resolves to a public address for the
check and to a private one a moment later (DNS rebinding) is still refused.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import connection as urllib3_connection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


class ForbiddenAddress(ValueError):
    """The URL points at an address our server must not call, or at none."""


def is_public(ip: str) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, shared,
    reserved, documentation or multicast (an IPv4 address written as IPv6 counts as itself)."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int) -> list[tuple]:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ForbiddenAddress(f"The host {host} cannot be resolved.") from exc


def _allowed(host: str, port: int) -> list[tuple]:
    """The addresses of `host` to connect to; refused when any of them is internal."""
    infos = _addresses(host, port)
    for *_, sockaddr in infos:
        if not is_public(sockaddr[0]):
            raise ForbiddenAddress(
                f"The host {host} resolves to {sockaddr[0]}, an internal address: webhooks "
                "can only be delivered to public addresses."
            )
    return infos


def check_url(url: str) -> None:
    """Raise `ForbiddenAddress` unless `url` is http(s) with a host that resolves to public
    addresses only (any host while WEBHOOKS_ALLOW_PRIVATE_URLS is on)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ForbiddenAddress("Use an http:// or https:// URL with a host.")
    if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ForbiddenAddress("The URL's port is not a number from 0 to 65535.") from exc
    _allowed(parts.hostname, port)


class _GuardedConnectionMixin:
    """Resolves the host itself and connects only to an address that passed the check."""

    def _new_conn(self):
        if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
            return super()._new_conn()
        last_error: OSError | None = None
        for *_, sockaddr in _allowed(self._dns_host, self.port):
            try:
                return urllib3_connection.connection.create_connection(
                    (sockaddr[0], self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:
                last_error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")


class _GuardedHTTPConnection(_GuardedConnectionMixin, urllib3_connection.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, urllib3_connection.HTTPSConnection):
    """TLS still names and verifies the host (SNI, certificate): only the socket's address is
    the checked one."""


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }


def guarded_session() -> requests.Session:
    """A requests session that connects to public addresses only, ignores proxy settings from
    the environment (a proxy would connect on our behalf, unchecked), and is meant to be used
    without following redirects."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
