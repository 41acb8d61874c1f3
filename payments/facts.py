"""The facts the payments app records (see `config.facts`). The action is what the activity log
shows."""

from config.facts import fact_type

PAYMENT_CREATED = fact_type("payment.created", action="payment_created")
PAYMENT_SUCCEEDED = fact_type("payment.succeeded", action="payment_succeeded")
PAYMENT_FAILED = fact_type("payment.failed", action="payment_failed")
REFUND_ISSUED = fact_type("refund.issued", action="refund_issued")
REFUND_FAILED = fact_type("refund.failed", action="refund_failed")
INVOICE_ISSUED = fact_type("invoice.issued", action="invoice_issued")
