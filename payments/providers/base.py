"""What a payment gateway must do for us, in plain values: start a checkout, tell how it went,
refund, and read a webhook it signed. Each provider (`stripe`, `razorpay`, `mock`) implements
`Gateway`; the payments services never see an SDK. Amounts are `Decimal` in the currency's
major unit (euros, rupees); each provider converts to what its API wants (cents, paise).

Errors a provider raises:
- `GatewayUnavailable`: the gateway did not answer, timed out, or answered 5xx. Nothing may be
  taken as done; the caller keeps its state and the user can try again (502).
- `InvalidSignature`: a signature (webhook, or Razorpay's checkout) did not check (400).
- `GatewayRefused`: the gateway answered and said no (4xx) (400 `payment_refused`).
- `ProviderDisabled`: the provider has no keys (or, for mock, is switched off) (400).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed on its side (timeout, connection, 5xx)."""


class GatewayRefused(Exception):
    """The gateway answered and refused the call (4xx: a declined card, an invalid request,
    a refund above what is left, wrong keys). Retrying the same call will not help. `message`
    is the gateway's; `code` its error code when it gave one."""

    def __init__(self, message: str, *, code: str = "", http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status


class InvalidSignature(Exception):
    """A signature did not match the payload it signs."""


class ProviderDisabled(Exception):
    """The provider is not configured (no keys) or switched off."""


class Outcome(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Checkout:
    """A checkout started at the gateway: its order (Stripe PaymentIntent id, Razorpay order
    id) and what the client needs to complete it (`client_secret`, `key_id`, ...)."""

    order_id: str
    client: dict


@dataclass(frozen=True)
class PaymentState:
    """How a checkout went, as the gateway says: the outcome and the gateway's payment id."""

    outcome: Outcome
    payment_id: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class RefundResult:
    """A refund the gateway took: its id, and whether it is already done or still processing."""

    refund_id: str
    outcome: Outcome


class NoticeKind(StrEnum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    OTHER = "other"


@dataclass(frozen=True)
class WebhookNotice:
    """A webhook read and its signature checked: the gateway's event id (for idempotency), its
    type as the gateway names it, what it means for us, and the ids it carries."""

    event_id: str
    event_type: str
    kind: NoticeKind
    order_id: str = ""
    payment_id: str = ""
    refund_id: str = ""
    amount: Decimal | None = None  # refunds: the amount refunded by this notice (Razorpay)
    refunded_total: Decimal | None = None  # refunds: all refunded of the payment so far (Stripe)
    failure_reason: str = ""
    payload: dict = field(default_factory=dict)


class Gateway:
    """One payment provider. `name` is the value clients send as `provider`."""

    name: str = ""

    def is_enabled(self) -> bool:
        """Whether the provider has what it needs (keys) to take payments."""
        raise NotImplementedError

    def create_checkout(
        self, *, amount: Decimal, currency: str, reference: str, idempotency_key: str
    ) -> Checkout:
        """Start a checkout for `amount` in `currency`. `reference` is our transaction id (kept
        at the gateway: Stripe metadata, Razorpay receipt); `idempotency_key` makes a retried
        call of the same attempt create nothing new."""
        raise NotImplementedError

    def confirm(self, *, order_id: str, data: dict) -> PaymentState:
        """How the checkout `order_id` went, from what the client sent back after paying
        (`data`: Razorpay's signed ids; mock's `outcome`) or by asking the gateway (Stripe
        re-reads the PaymentIntent). Raises InvalidSignature when `data` is forged."""
        raise NotImplementedError

    def refund(
        self,
        *,
        order_id: str,
        payment_id: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> RefundResult:
        """Give back `amount` of the payment."""
        raise NotImplementedError

    def read_webhook(self, *, body: bytes, headers: dict) -> WebhookNotice:
        """Check the signature of a webhook on its raw `body` (headers by lower-case name) and
        read it. Raises InvalidSignature when it does not check."""
        raise NotImplementedError
