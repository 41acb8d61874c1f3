"""Filter plumbing shared by every app: invalid filter values are a 400, never ignored."""

import django_filters
from django import forms
from django.db import models


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


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number the database can hold (larger ones are a 400, not a 500), and no
    lookup of whether it exists (which would let anyone probe ids they may not see)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.rest_framework.FilterSet):
    """The project's base FilterSet: boolean model fields get the strict boolean filter."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }
