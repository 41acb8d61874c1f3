"""A gateway where no money moves, for demos and tests (`PAYMENTS_MOCK_ENABLED`, on by default
only while debugging). The client says how the payment went (`outcome`), and refunds succeed."""

import secrets
from decimal import Decimal

from django.conf import settings

from payments.providers.base import Checkout, Gateway, Outcome, PaymentState, RefundResult


class MockGateway(Gateway):
    name = "mock"

    def is_enabled(self) -> bool:
        return settings.PAYMENTS_MOCK_ENABLED

    def create_checkout(self, *, amount, currency, reference, idempotency_key) -> Checkout:
        order_id = f"mock_order_{secrets.token_hex(8)}"
        return Checkout(order_id=order_id, client={"order_id": order_id})

    def confirm(self, *, order_id: str, data: dict) -> PaymentState:
        if data.get("outcome") == Outcome.FAILED:
            return PaymentState(Outcome.FAILED, failure_reason="Declined by the mock gateway.")
        return PaymentState(Outcome.SUCCEEDED, payment_id=f"mock_pay_{secrets.token_hex(8)}")

    def refund(
        self, *, order_id: str, payment_id: str, amount: Decimal, currency: str, idempotency_key
    ) -> RefundResult:
        return RefundResult(
            refund_id=f"mock_refund_{secrets.token_hex(8)}", outcome=Outcome.SUCCEEDED
        )
