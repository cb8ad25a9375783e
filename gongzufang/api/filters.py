"""Filters shared by every API FilterSet, the base FilterSet and the filter backend."""

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

MAX_ID = 2**31 - 1
# Query parameters every list understands besides its filters.
COMMON_PARAMS = {"page", "page_size", "cursor", "ordering", "format"}


class _TextField(forms.CharField):
    # Django's CharField refuses NUL characters with a 400; for a query filter any text is a valid
    # question (the schema says "string"), and text that no code contains simply matches nothing.
    default_validators = []

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class TextFilter(filters.CharFilter):
    """A CharFilter that never answers 400 for odd text (NUL characters and the like)."""

    field_class = _TextField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A record's id: a whole number in the database's range (documented so in the schema)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def amount_filter(*, field_name, lookup_expr, maximum, help_text):
    """A non-negative amount up to `maximum`, with its bounds in the schema."""
    return extend_schema_field({"type": "number", "minimum": 0, "maximum": float(maximum)})(
        filters.NumberFilter(field_name=field_name, lookup_expr=lookup_expr, min_value=0, max_value=maximum,
                             help_text=help_text)
    )


class _UtcDateTimeField(IsoDateTimeField):
    # Any offset ISO 8601 allows (up to ±23:59) is a valid question, but PostgreSQL refuses
    # offsets beyond ±15:59: compare in UTC. A moment outside the years 1–9999 once in UTC is
    # the earliest or latest there is.
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            edge = dt.datetime.min if moment.year < 5000 else dt.datetime.max
            return edge.replace(tzinfo=dt.UTC)


UPDATED_SINCE_HELP = (
    "ISO 8601 时间（如 2026-12-01T08:00:00+08:00；不带时区按北京时间）：只返回更新时间**不早于**此时刻（>=，含此时刻）"
    "的记录，用于增量同步。边界含等于，所以上次同步末尾同一时刻更新的记录会再次出现，按 id 去重即可，不会漏。"
    "安全的续传点：把 `updated_since` 设为上次同步开始前的时刻（或上次收到的最大 updated_at），"
    "配合 `ordering=updated_at&cursor=` 游标分页逐页取完；游标按（updated_at, id）续接，翻页期间有记录更新也不会跳过或重复同一页的记录。"
    "空值（updated_since=）返回 400。"
)


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """`updated_since=2026-12-01T08:00:00+08:00`: rows changed at or after that moment (inclusive,
    `>=`), for incremental sync. A time without an offset is read as Beijing time; anything else,
    and an empty value, is a 400. With `ordering=updated_at&cursor=` the keyset cursor continues
    after the last (updated_at, id) seen: the safe resume point."""

    field_class = _UtcDateTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("help_text", UPDATED_SINCE_HELP)
        super().__init__(**kwargs)


def _has_updated_at(model) -> bool:
    return model is not None and any(f.name == "updated_at" for f in model._meta.get_fields())


class PortalFilterSet(filters.FilterSet):
    """Base of the API's FilterSets: `updated_since` on every model that has `updated_at`."""

    @classmethod
    def get_filters(cls):
        found = super().get_filters()
        if _has_updated_at(cls._meta.model) and "updated_since" not in found:
            found["updated_since"] = UpdatedSinceFilter()
        return found


_WITH_UPDATED_SINCE = {}


def with_updated_since(filterset_class):
    """The FilterSet itself, or (for one written without the base above) a subclass of it that
    adds `updated_since`: every list whose records have `updated_at` can be synced incrementally."""
    if "updated_since" in filterset_class.base_filters or not _has_updated_at(filterset_class._meta.model):
        return filterset_class
    if filterset_class not in _WITH_UPDATED_SINCE:
        _WITH_UPDATED_SINCE[filterset_class] = type(filterset_class.__name__, (filterset_class,), {
            "__module__": filterset_class.__module__, "__doc__": filterset_class.__doc__,
            "updated_since": UpdatedSinceFilter(),
        })
    return _WITH_UPDATED_SINCE[filterset_class]


class StrictFilterBackend(DjangoFilterBackend):
    """Like django-filter's backend, but an unknown query parameter is a 400 naming it: a typo in
    a filter name would otherwise silently return everything."""

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        return with_updated_since(filterset_class) if filterset_class is not None else None

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            data = kwargs["data"].copy()
            for name in list(data):
                if isinstance(filterset_class.base_filters.get(name), django_filters.BooleanFilter):
                    data.setlist(name, [_AS_BOOLEAN_WORD.get(v.strip().lower(), v) for v in data.getlist(name)])
            kwargs["data"] = data
        return kwargs

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(COMMON_PARAMS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(k for k in request.query_params if k not in known)
        if unknown:
            raise ValidationError({name: [_("不支持的查询参数。")] for name in unknown})
        if filterset_class is not None:
            refused = _refused_values(filterset_class.base_filters, request.query_params)
            if refused:
                raise ValidationError(refused)
        return super().filter_queryset(request, queryset, view)


BOOLEAN_WORDS = {"true", "false", "1", "0"}
# Django's NullBooleanSelect (django_filters.BooleanFilter) reads "1" and "0" as "no filter", the
# REST flavour's BooleanWidget reads them as yes and no: every yes/no filter is handed "true"/"false".
_AS_BOOLEAN_WORD = {"1": "true", "0": "false", "true": "true", "false": "false"}


def _refused_values(filters_by_name, params) -> dict:
    """Values django-filter would quietly read as "no filter" (and so answer everything, 200): a
    yes/no filter given anything but true/false/1/0 — its widgets turn "abc" into None — and a
    time or yes/no filter given nothing (`updated_since=`). Each is a 400 naming the parameter."""
    refused = {}
    for name, values in params.lists():
        found = filters_by_name.get(name)
        if isinstance(found, django_filters.BooleanFilter):  # the base class: either flavour
            if any(v.strip().lower() not in BOOLEAN_WORDS for v in values):
                refused[name] = [_("请填写 true 或 false（也可用 1 或 0）；不筛选时请去掉此参数。")]
        elif (isinstance(found, django_filters.IsoDateTimeFilter | django_filters.DateFilter
                         | django_filters.DateTimeFilter)
              and any(not v.strip() for v in values)):
            refused[name] = [_("请填写时间（ISO 8601，如 2026-12-01T08:00:00+08:00）；不筛选时请去掉此参数。")]
    return refused


class StrictOrderingFilter(OrderingFilter):
    """`ordering=` with a field the endpoint does not offer is a 400 naming the fields it does."""

    ordering_description = "排序字段：只能取一个（下列之一），前加 - 为倒序；相同值再按 id 排序"

    def remove_invalid_fields(self, queryset, fields, view, request):
        if len([f for f in fields if f.strip()]) > 1:
            # The schema offers one field per value; the keyset cursor and the indexes are built for one.
            raise ValidationError({"ordering": [_("只能按一个字段排序（如 ordering=-updated_at）。")]})
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len([f for f in fields if f]):
            offered = sorted(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError({"ordering": [
                _("不支持的排序字段；可用：%(fields)s（前加 - 为倒序）。") % {"fields": "、".join(offered)}
            ]})
        return valid

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        offered = getattr(view, "ordering_fields", None)
        if isinstance(offered, list | tuple):
            # One term per value, as the filter accepts.
            for parameter in parameters:
                parameter["description"] = self.ordering_description
                parameter["schema"] = {"type": "string", "enum": [p + f for f in offered for p in ("", "-")]}
        return parameters
