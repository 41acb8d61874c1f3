from certificates.models import Certificate
from config.filters import FilterSet, IdFilter, StrictBooleanFilter


class CertificateFilter(FilterSet):
    event = IdFilter(field_name="event_id")
    is_downloaded = StrictBooleanFilter(
        field_name="downloaded_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Certificate
        fields = ["event", "is_downloaded"]
