"""Money in the admin: read-only records, searchable by the ids a finance team is given and
filtered by event and person."""

from django.contrib import admin, messages

from config.admin import AutocompleteFilter, EventHubAdmin, badge, money
from config.exceptions import ApplicationError
from config.facts import Origin
from payments import services
from payments.models import Invoice, Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent

PAYMENT_TONES = {
    PaymentStatus.PENDING: "waiting",
    PaymentStatus.SUCCEEDED: "good",
    PaymentStatus.FAILED: "bad",
    PaymentStatus.REFUNDED: "info",
    PaymentStatus.PARTIALLY_REFUNDED: "info",
}
REFUND_TONES = {
    RefundStatus.PENDING: "waiting",
    RefundStatus.SUCCEEDED: "good",
    RefundStatus.FAILED: "bad",
}


class ReadOnlyAdmin(EventHubAdmin):
    """Records of money are made by the payment services only; nobody edits or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = ("amount", "status", "provider_refund_id", "reason", "requested_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "transaction_id",
        "user",
        "event_title",
        "amount_in_currency",
        "refunded",
        "status_label",
        "provider",
        "created_at",
    )
    list_filter = (
        "status",
        "provider",
        "currency",
        ("registration__event", AutocompleteFilter),
        ("user", AutocompleteFilter),
        "created_at",
    )
    search_fields = (
        "=transaction_id",
        "=provider_order_id",
        "=provider_payment_id",
        "=invoice__number",
        "user__username",
        "user__email",
    )
    list_select_related = ("user", "registration__event")
    date_hierarchy = "created_at"
    inlines = (RefundInline,)
    actions = ["refund_in_full"]

    @admin.display(description="event", ordering="registration__event__title")
    def event_title(self, payment):
        return payment.registration.event.title

    @admin.display(description="amount", ordering="amount")
    def amount_in_currency(self, payment):
        return money(payment.amount, payment.currency)

    @admin.display(description="refunded", ordering="refunded_amount")
    def refunded(self, payment):
        return money(payment.refunded_amount, payment.currency) if payment.refunded_amount else None

    @admin.display(description="status", ordering="status")
    def status_label(self, payment):
        status = PaymentStatus(payment.status)
        return badge(status.label, PAYMENT_TONES[status])

    @admin.action(description="Refund the selected payments in full")
    def refund_in_full(self, request, queryset):
        """The same refund as `payments/{id}/refund/`: through the gateway after the commit,
        the registration cancelled and its seats given out. One that cannot be refunded is
        said and left alone."""
        refunded = 0
        for payment in queryset:
            try:
                services.refund_payment(
                    payment=payment,
                    actor=request.user,
                    reason="Refunded by an admin.",
                    origin=Origin.of(request),
                )
                refunded += 1
            except ApplicationError as refusal:
                self.message_user(
                    request, f"{payment.transaction_id}: {refusal.message}", messages.WARNING
                )
        if refunded:
            self.message_user(request, f"{refunded} payments refunded.", messages.SUCCESS)


class OfAPayment:
    """The payment a record belongs to, by its transaction id (its whole name would repeat
    the amount and the status)."""

    @admin.display(description="payment", ordering="payment__transaction_id")
    def transaction(self, obj):
        return obj.payment.transaction_id if obj.payment_id else None


@admin.register(Refund)
class RefundAdmin(OfAPayment, ReadOnlyAdmin):
    list_display = (
        "created_at",
        "transaction",
        "amount_in_currency",
        "status_label",
        "reason",
        "requested_by",
    )
    list_filter = (
        "status",
        "payment__provider",
        ("payment__registration__event", AutocompleteFilter),
        "created_at",
    )
    search_fields = (
        "=payment__transaction_id",
        "=provider_refund_id",
        "reason",
        "payment__user__username",
        "payment__user__email",
    )
    list_select_related = ("payment", "requested_by")
    date_hierarchy = "created_at"

    @admin.display(description="amount", ordering="amount")
    def amount_in_currency(self, refund):
        return money(refund.amount, refund.payment.currency)

    @admin.display(description="status", ordering="status")
    def status_label(self, refund):
        status = RefundStatus(refund.status)
        return badge(status.label, REFUND_TONES[status])


@admin.register(Invoice)
class InvoiceAdmin(OfAPayment, ReadOnlyAdmin):
    list_display = (
        "number",
        "billed_to_name",
        "transaction",
        "total_in_currency",
        "issued_at",
        "sent",
    )
    list_filter = ("currency", ("sent_at", admin.EmptyFieldListFilter), "issued_at")
    search_fields = ("=number", "=payment__transaction_id", "billed_to__email")
    list_select_related = ("payment",)
    date_hierarchy = "issued_at"

    @admin.display(description="billed to")
    def billed_to_name(self, invoice):
        return invoice.billed_to.get("name") or invoice.billed_to.get("email")

    @admin.display(description="total", ordering="total")
    def total_in_currency(self, invoice):
        return money(invoice.total, invoice.currency)

    @admin.display(description="sent", boolean=True, ordering="sent_at")
    def sent(self, invoice):
        return invoice.is_sent


@admin.register(WebhookEvent)
class WebhookEventAdmin(OfAPayment, ReadOnlyAdmin):
    list_display = ("received_at", "provider", "event_type", "event_id", "transaction", "outcome")
    list_filter = ("provider", "event_type", "received_at")
    search_fields = ("=event_id", "=payment__transaction_id")
    list_select_related = ("payment",)
    date_hierarchy = "received_at"
