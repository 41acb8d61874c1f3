import django_filters

from config.filters import FilterSet, IdFilter, StrictBooleanFilter
from payments.models import Invoice, Payment, PaymentStatus, Provider


class PaymentFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    provider = django_filters.ChoiceFilter(choices=Provider.choices)
    event = IdFilter(field_name="registration__event_id")

    class Meta:
        model = Payment
        fields = ["status", "provider", "event"]


class InvoiceFilter(FilterSet):
    is_sent = StrictBooleanFilter(field_name="sent_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Invoice
        fields = ["is_sent"]
