import django_filters

from config.facts import fact_types
from config.filters import TIME_HELP, DateTimeFilter, FilterSet, IdFilter, StrictBooleanFilter
from users.models import ActivityLog, Role, User


class UserFilter(FilterSet):
    username = django_filters.CharFilter(
        lookup_expr="iexact", max_length=150, help_text="The account with this username (any case)."
    )
    email = django_filters.CharFilter(
        lookup_expr="iexact",
        max_length=254,
        label="E-mail",
        help_text="Accounts with this e-mail address (any case).",
    )
    role = django_filters.ChoiceFilter(choices=Role.choices, help_text="Accounts with this role.")
    is_active = StrictBooleanFilter(
        help_text="Accounts that can sign in (true) or deactivated ones (false)."
    )

    class Meta:
        model = User
        fields = ["username", "email", "role", "is_active"]


def action_choices() -> list[tuple[str, str]]:
    """Every action some app records (each declares its own facts)."""
    return sorted({(declared.action, declared.action) for declared in fact_types()})


class ActivityLogFilter(FilterSet):
    user = IdFilter(field_name="user_id", help_text="What this person did (their user id).")
    action = django_filters.ChoiceFilter(
        choices=lambda: action_choices(), help_text="Entries of this action (`event_created`)."
    )
    created_after = DateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text=f"Entries written at or after this time: {TIME_HELP}.",
    )
    created_before = DateTimeFilter(
        field_name="created_at",
        lookup_expr="lte",
        help_text=f"Entries written at or before this time: {TIME_HELP}.",
    )

    class Meta:
        model = ActivityLog
        fields = ["user", "action", "created_after", "created_before"]
