from certificates.models import Certificate
from config.filters import FilterSet, IdFilter, StrictBooleanFilter


class CertificateFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Certificates of this event (its id).")
    is_downloaded = StrictBooleanFilter(
        field_name="downloaded_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="Certificates their holder has downloaded (true) or not yet (false).",
    )

    class Meta:
        model = Certificate
        fields = ["event", "is_downloaded"]
