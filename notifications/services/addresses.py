"""Where outbound webhooks may go: public addresses only (unless WEBHOOKS_ALLOW_PRIVATE_URLS).

A webhook URL is someone else's input that our server will call, so it must not reach what only
our server can reach (the database, the cloud's metadata service at 169.254.169.254, an admin
port on localhost). The URL is checked when a webhook is saved, and again at every delivery,
since what a name resolves to can change. At delivery the check is made on the very address
the socket connects to (`GuardedAdapter`), so a name that resolves to a public address for the
check and to a private one a moment later (DNS rebinding) is still refused.
"""

import contextlib
import ipaddress
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import connection as urllib3_connection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


class ForbiddenAddress(ValueError):
    """The URL points at an address our server must not call, or at none."""


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (IPv4-compatible, -mapped,
# -translated, NAT64): such an address is as public as the IPv4 address inside it.
EMBEDDING_IPV4 = [
    ipaddress.ip_network(prefix)
    for prefix in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
]
# Python counts these as global; they are not (IANA's special-purpose registry).
NOT_GLOBAL = [ipaddress.ip_network("192.0.0.0/24")]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(ip: str) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, shared,
    reserved, documentation or multicast; an IPv6 address that carries an IPv4 one (mapped,
    compatible, NAT64, 6to4, Teredo) is judged by that IPv4 address too."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public(str(embedded)):
            return False
    if any(address in network for network in NOT_GLOBAL if address.version == network.version):
        return False
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


class Deadline:
    """A limit on a whole exchange, connecting and reading the answer together: a receiver
    that answers a byte at a time, each within the socket's timeout, is cut off when the
    limit comes (every socket opened under it is shut down). `with Deadline(5) as deadline:`,
    then `deadline.expired` says whether it cut the exchange off."""

    _current = threading.local()

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._ends_at = 0.0
        self._timer: threading.Timer | None = None

    @classmethod
    def current(cls) -> "Deadline | None":
        return getattr(cls._current, "deadline", None)

    def remaining(self) -> float:
        return max(self._ends_at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        self._sockets.append(sock)

    def _expire(self) -> None:
        self.expired = True
        for sock in self._sockets:
            with contextlib.suppress(OSError):  # closed already
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "Deadline":
        self._ends_at = time.monotonic() + self.seconds
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        Deadline._current.deadline = self
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()
        Deadline._current.deadline = None


class _GuardedConnectionMixin:
    """Resolves the host itself and connects only to an address that passed the check, within
    what is left of the current `Deadline`."""

    def _new_conn(self):
        deadline = Deadline.current()
        if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
            sock = super()._new_conn()
        else:
            sock = self._connect_checked(deadline)
        if deadline is not None:
            deadline.watch(sock)
        return sock

    def _connect_checked(self, deadline: Deadline | None):
        last_error: OSError | None = None
        for *_, sockaddr in _allowed(self._dns_host, self.port):
            timeout = self.timeout if deadline is None else deadline.remaining()
            try:
                return urllib3_connection.connection.create_connection(
                    (sockaddr[0], self.port),
                    timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out after {timeout:.1f} s."
                ) from exc
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
