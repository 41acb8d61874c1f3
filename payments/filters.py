import django_filters

from config.filters import FilterSet, IdFilter, StrictBooleanFilter
from payments.models import Invoice, Payment, PaymentStatus, Provider


class PaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=PaymentStatus.choices, help_text="Where the payment stands."
    )
    provider = django_filters.ChoiceFilter(
        choices=Provider.choices, help_text="The payment provider it goes through."
    )
    event = IdFilter(
        field_name="registration__event_id",
        help_text="Payments for registrations to this event (its id).",
    )

    class Meta:
        model = Payment
        fields = ["status", "provider", "event"]


class InvoiceFilter(FilterSet):
    is_sent = StrictBooleanFilter(
        field_name="sent_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="Invoices sent to the buyer (true) or not yet (false).",
    )

    class Meta:
        model = Invoice
        fields = ["is_sent"]
