"""Money in the admin: read-only records, searchable by the ids a finance team is given."""

from django.contrib import admin, messages

from config.exceptions import ApplicationError
from config.facts import Origin
from payments import services
from payments.models import Invoice, Payment, Refund, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
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
        "registration",
        "provider",
        "amount",
        "currency",
        "status",
        "refunded_amount",
        "created_at",
    )
    list_filter = ("status", "provider", "currency", "created_at")
    search_fields = (
        "=transaction_id",
        "=provider_order_id",
        "=provider_payment_id",
        "=invoice__number",
        "user__username",
        "user__email",
    )
    list_select_related = ("user", "registration")
    inlines = (RefundInline,)
    actions = ["refund_in_full"]

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


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("payment", "amount", "status", "provider_refund_id", "reason", "created_at")
    list_filter = ("status", "payment__provider", "created_at")
    search_fields = ("=payment__transaction_id", "=provider_refund_id", "reason")
    list_select_related = ("payment",)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "payment", "total", "currency", "issued_at", "sent_at")
    list_filter = ("currency", "issued_at")
    search_fields = ("=number", "=payment__transaction_id", "billed_to__email")
    list_select_related = ("payment",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("provider", "event_type", "event_id", "payment", "outcome", "received_at")
    list_filter = ("provider", "event_type", "received_at")
    search_fields = ("=event_id", "=payment__transaction_id")
    list_select_related = ("payment",)
