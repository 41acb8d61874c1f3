from decimal import Decimal

from rest_framework import serializers

from config.serializers import ModelSerializer
from payments.models import Invoice, Payment, Provider, Refund
from registrations.models import Registration


class RefundSerializer(ModelSerializer):
    """Money given back from a payment, through its provider."""

    class Meta:
        model = Refund
        fields = ("id", "amount", "status", "provider_refund_id", "reason", "created_at")
        read_only_fields = fields


class PaymentSerializer(ModelSerializer):
    """A payment as its payer, the event's organizer and admins see it."""

    event_title = serializers.CharField(source="registration.event.title", read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    client = serializers.JSONField(
        read_only=True,
        help_text="What the checkout needs: stripe `client_secret, publishable_key`; razorpay "
        "`order_id, key_id, amount` (in paise), `currency`; mock `order_id`.",
    )

    class Meta:
        model = Payment
        fields = (
            "id",
            "registration",
            "event_title",
            "user",
            "provider",
            "amount",
            "currency",
            "status",
            "transaction_id",
            "provider_order_id",
            "provider_payment_id",
            "client",
            "refunded_amount",
            "note",
            "refunds",
            "created_at",
            "processed_at",
        )
        read_only_fields = fields


class StartPaymentSerializer(serializers.Serializer):
    registration = serializers.PrimaryKeyRelatedField(queryset=Registration.objects.none())
    provider = serializers.ChoiceField(choices=Provider.choices)
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Optional: when sent it must equal the registration's total (the server's).",
    )


class VerifyPaymentSerializer(serializers.Serializer):
    """What the client brings back from the checkout; which fields depend on the provider."""

    outcome = serializers.ChoiceField(
        choices=["succeeded", "failed"], required=False, help_text="mock only"
    )
    razorpay_order_id = serializers.CharField(max_length=100, required=False)
    razorpay_payment_id = serializers.CharField(max_length=100, required=False)
    razorpay_signature = serializers.CharField(max_length=200, required=False)


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Default: all that remains.",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReceiptSerializer(serializers.Serializer):
    transaction_id = serializers.CharField()
    status = serializers.CharField()
    provider = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    refunded_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    payer = serializers.DictField()
    event = serializers.DictField()
    registration = serializers.DictField()
    invoice_number = serializers.CharField(allow_null=True)
    refunds = RefundSerializer(many=True)


class InvoiceSerializer(ModelSerializer):
    """The invoice of a payment that confirmed its registration; never edited."""

    transaction_id = serializers.CharField(source="payment.transaction_id", read_only=True)
    is_sent = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "payment",
            "transaction_id",
            "billed_to",
            "lines",
            "subtotal",
            "tax",
            "total",
            "currency",
            "issued_at",
            "sent_at",
            "is_sent",
        )
        read_only_fields = fields


class WebhookReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    event_id = serializers.CharField()
    outcome = serializers.CharField(help_text="What it did: `payment succeeded`, `ignored`...")
