"""The payment gateways by name: `gateway("stripe")` is the one to use, or ProviderDisabled."""

from payments.providers.base import Gateway, ProviderDisabled
from payments.providers.mock import MockGateway
from payments.providers.razorpay import RazorpayGateway
from payments.providers.stripe import StripeGateway

GATEWAYS: dict[str, type[Gateway]] = {
    "stripe": StripeGateway,
    "razorpay": RazorpayGateway,
    "mock": MockGateway,
}


def gateway(name: str) -> Gateway:
    """The gateway called `name`, when it is configured; else ProviderDisabled."""
    gateway_class = GATEWAYS.get(name)
    if gateway_class is None or not gateway_class().is_enabled():
        raise ProviderDisabled(name)
    return gateway_class()
