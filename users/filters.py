import django_filters

from config.facts import fact_types
from config.filters import DateTimeFilter, FilterSet, IdFilter
from users.models import ActivityLog, Role, User


class UserFilter(FilterSet):
    username = django_filters.CharFilter(lookup_expr="iexact", max_length=150)
    email = django_filters.CharFilter(lookup_expr="iexact", max_length=254)
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["username", "email", "role", "is_active"]


def action_choices() -> list[tuple[str, str]]:
    """Every action some app records (each declares its own facts)."""
    return sorted({(declared.action, declared.action) for declared in fact_types()})


class ActivityLogFilter(FilterSet):
    user = IdFilter(field_name="user_id")
    action = django_filters.ChoiceFilter(choices=lambda: action_choices())
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = ActivityLog
        fields = ["user", "action", "created_after", "created_before"]
