"""Filters shared by every API FilterSet."""

from django import forms
from django_filters import rest_framework as filters


class _TextField(forms.CharField):
    # Django's CharField refuses NUL characters with a 400; for a query filter any text is a valid
    # question (the schema says "string"), and text that no code contains simply matches nothing.
    default_validators = []

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class TextFilter(filters.CharFilter):
    """A CharFilter that never answers 400 for odd text (NUL characters and the like)."""

    field_class = _TextField
