"""Filter plumbing shared by every app: invalid filter values are a 400, never ignored, and
every filter says what it is (a label and a help text, which the browsable API's filter form
and the OpenAPI schema show) with an input that fits its values."""

from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import F
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django_filters.conf import settings as filter_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class StrictBooleanWidget(django_filters.widgets.BooleanWidget):
    """Unknown / Yes / No, sending `true` or `false`. The field reads the value as it was sent,
    so one it does not know stays a 400 (django-filter's own widget reads `maybe` as no filter
    at all)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, StrictBooleanField.read(value), attrs, renderer)


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`, `yes`/`no`); anything else is invalid rather than ignored."""

    widget = StrictBooleanWidget
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    @classmethod
    def read(cls, value) -> bool | None:
        """The boolean `value` spells, or None when it spells none."""
        text = str(value).strip().lower()
        if text in cls.TRUE:
            return True
        if text in cls.FALSE:
            return False
        return None

    def to_python(self, value):
        if value in (None, ""):
            return None
        reading = self.read(value)
        if reading is None:
            raise forms.ValidationError("Use true or false.", code="invalid")
        return reading


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number the database can hold (larger ones are a 400, not a 500), and no
    lookup of whether it exists (which would let anyone probe ids they may not see)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """An object chosen by its slug (`?category=workshop`); an unknown slug is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker. It sends `2030-01-01T09:30` (no offset: read as UTC,
    the site's time zone) and shows a time only when written that way, so a time sent with an
    offset (`...Z`, `+02:00`) is shown in UTC."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__({"step": 1, **(attrs or {})})  # seconds too, as the API reads them

    def format_value(self, value):
        try:
            when = parse_datetime(value) if isinstance(value, str) else value
            if isinstance(when, datetime) and when.tzinfo:
                when = when.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):  # not a time: shown as it was sent
            when = None
        if not isinstance(when, datetime):
            return super().format_value(value)
        return when.isoformat(timespec="seconds")


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time that is still a time in UTC: `0001-01-01T00:00:00+01:00` would be a
    year before 1 there, which no database can compare with (400, not a 500)."""

    widget = DateTimeLocalInput

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None:
            try:
                parsed.astimezone(UTC)
            except OverflowError:
                raise forms.ValidationError(
                    "This time falls outside the years 1 to 9999 in UTC.", code="invalid"
                ) from None
        return parsed


TIME_HELP = "ISO 8601, as `2030-01-31T09:00:00Z` (without an offset, in UTC)"


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 times, refused with a 400 when they fall outside what a database can hold."""

    field_class = UtcDateTimeField


class FilterSet(django_filters.rest_framework.FilterSet):
    """The project's base FilterSet. Boolean model fields get the strict boolean filter. A
    filter without a label is labelled after its query parameter (`starts_after`: "Starts
    after"; django-filter would derive one from the model field, "[invalid name]" for a filter
    by method or by an annotation). A choice offers "Any" as its one blank option. And every
    filter must say what it does in `help_text`: it is the parameter's description in the
    OpenAPI schema and the hint under it in the browsable API, so a filter without one is an
    error when its class is made."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }
    ANY = "Any"

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for name, declared in filters.items():
            if not declared.extra.get("help_text"):
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name} needs a help_text: what it filters, and how its "
                    "value is written."
                )
            if declared.label is None:
                declared.label = capfirst(name.replace("_", " "))
            is_choice = isinstance(
                declared, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)
            )
            default_blank = filter_settings.EMPTY_CHOICE_LABEL
            if is_choice and declared.extra.get("empty_label", default_blank) == default_blank:
                declared.extra["empty_label"] = cls.ANY
        return filters

    @property
    def form(self):
        """The browsable API's filter form, its hints without the Markdown backticks that the
        OpenAPI descriptions keep (the form shows text as it is)."""
        form = super().form
        for field in form.fields.values():
            field.help_text = str(field.help_text).replace("`", "")
        return form


def _listed(words) -> str:
    """`a`, `a or b`, `a, b or c`."""
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


class SearchFilter(filters.SearchFilter):
    """DRF's `search=`, refused (400) past `max_length` characters: no one types that
    much, and SQLite cannot match a LIKE pattern over 50,000 bytes. Documented only where
    the view has `search_fields` (elsewhere DRF ignores it)."""

    max_length = 200

    def get_schema_operation_parameters(self, view):
        fields = self.get_search_fields(view, None)
        if not fields:
            return []
        where = _listed(
            [field.lstrip("^=@$").replace("__", " ").replace("_", " ") for field in fields]
        )
        return [
            {
                **parameter,
                "description": f"Words to look for (any case) in {where}: a result has "
                "every word, each in one of them.",
            }
            for parameter in super().get_schema_operation_parameters(view)
        ]

    def get_search_terms(self, request):
        text = request.query_params.get(self.search_param, "")
        if len(text) > self.max_length:
            raise ValidationError(
                {self.search_param: [f"Ensure this has at most {self.max_length} characters."]}
            )
        return super().get_search_terms(request)


class OrderingFilter(filters.OrderingFilter):
    """DRF's `ordering=`, by the fields a view names in `ordering_fields` and only those (DRF
    would allow every serializer field of a view that names none; here such a view keeps its
    own order, and neither its schema nor its browsable page offers `ordering`). The fields a
    view names in `ordering_nulls_last` are sorted with their nulls last whichever way
    (`-average_rating`: best rated first, unrated at the end; PostgreSQL would otherwise put
    nulls first when descending, SQLite when ascending)."""

    def get_valid_fields(self, queryset, view, *args, **kwargs):
        if not getattr(view, "ordering_fields", None):
            return []
        return super().get_valid_fields(queryset, view, *args, **kwargs)

    def to_html(self, request, queryset, view):
        if not getattr(view, "ordering_fields", None):
            return ""
        return super().to_html(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not fields:
            return []
        named = _listed([f"`{field}`" for field in fields])
        return [
            {
                **parameter,
                "description": f"Sort by {named}; a `-` before a field sorts in descending order "
                f"(`-{fields[0]}`), and commas join several.",
            }
            for parameter in super().get_schema_operation_parameters(view)
        ]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        nulls_last = getattr(view, "ordering_nulls_last", set())
        return queryset.order_by(*(self._term(term, nulls_last) for term in ordering))

    @staticmethod
    def _term(term: str, nulls_last: set[str]):
        name = term.lstrip("-")
        if name not in nulls_last:
            return term
        field = F(name)
        return field.desc(nulls_last=True) if term.startswith("-") else field.asc(nulls_last=True)
