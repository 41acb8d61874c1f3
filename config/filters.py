"""Filter plumbing shared by every app: invalid filter values are a 400, never ignored."""

from datetime import UTC

import django_filters
from django import forms
from django.db import models
from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`, `yes`/`no`); anything else is invalid rather than ignored."""

    widget = forms.TextInput
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


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


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time that is still a time in UTC: `0001-01-01T00:00:00+01:00` would be a
    year before 1 there, which no database can compare with (400, not a 500)."""

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


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 times, refused with a 400 when they fall outside what a database can hold."""

    field_class = UtcDateTimeField


class FilterSet(django_filters.rest_framework.FilterSet):
    """The project's base FilterSet: boolean model fields get the strict boolean filter."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class SearchFilter(filters.SearchFilter):
    """DRF's `search=`, refused (400) past `max_length` characters: no one types that
    much, and SQLite cannot match a LIKE pattern over 50,000 bytes."""

    max_length = 200

    def get_search_terms(self, request):
        text = request.query_params.get(self.search_param, "")
        if len(text) > self.max_length:
            raise ValidationError(
                {self.search_param: [f"Ensure this has at most {self.max_length} characters."]}
            )
        return super().get_search_terms(request)


class OrderingFilter(filters.OrderingFilter):
    """DRF's `ordering=`, with the fields a view names in `ordering_nulls_last` sorted with
    their nulls last whichever way (`-average_rating`: best rated first, unrated at the end;
    PostgreSQL would otherwise put nulls first when descending, SQLite when ascending)."""

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
