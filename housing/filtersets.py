"""The one FilterSet of units: used by the public search page and (later) by the API.

Bad input never raises: a value that does not validate gets a Chinese message on its field and is
left out of the filtering (django-filter filters only on `cleaned_data`), so the visitor sees
sensible results and what to correct.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzufang.models import District

from .models import Unit

BEDROOM_CHOICES = [("0", _("开间")), ("1", _("一居室")), ("2", _("两居室")), ("3", _("三居室及以上"))]
ACCESS_CHOICES = [
    ("lift", _("有电梯")),
    ("ground", _("一层")),
    ("step_free", _("电梯或一层（便于老人、残疾人）")),
]
SORT_CHOICES = [
    ("newest", _("最新发布")),
    ("rent", _("租金从低到高")),
    ("-rent", _("租金从高到低")),
    ("area", _("面积从小到大")),
    ("-area", _("面积从大到小")),
]
# Each ordering ends with the primary key so pages never overlap; each matches an index (models.py).
ORDERINGS = {
    "newest": ("-published_at", "-id"),
    "rent": ("monthly_rent", "id"),
    "-rent": ("-monthly_rent", "-id"),
    "area": ("area", "id"),
    "-area": ("-area", "-id"),
}
DEFAULT_SORT = "newest"

AREA_MAX = Decimal("1000")
RENT_MAX = Decimal("100000")


class BoundedDecimalField(forms.DecimalField):
    """A non-negative amount up to `maximum` with at most two decimals, reported with one message
    (Django's own validators would stack up to three for a value like 1e309)."""

    def __init__(self, *, maximum, unit, **kwargs):
        self.maximum, self.unit = maximum, unit
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        super().__init__(**kwargs)
        self.validators = []

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if len(text) > 20:
            raise forms.ValidationError(_("请输入数字。"), code="invalid")
        try:
            number = super().to_python(text)
        except forms.ValidationError:
            raise forms.ValidationError(_("请输入数字。"), code="invalid") from None
        if number is None:
            return None
        if not number.is_finite():
            raise forms.ValidationError(_("请输入数字。"), code="invalid")
        if number < 0:
            raise forms.ValidationError(_("不能小于 0。"), code="min_value")
        if number > self.maximum:
            raise forms.ValidationError(
                _("不能大于 %(limit)s %(unit)s。") % {"limit": self.maximum, "unit": self.unit}, code="max_value"
            )
        return number.quantize(Decimal("0.01"))

    def validate(self, value):
        forms.Field.validate(self, value)


class AmountFilter(django_filters.NumberFilter):
    field_class = BoundedDecimalField


class UnitFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for low, high, message in (
            ("area_min", "area_max", _("不能小于最小面积。")),
            ("rent_min", "rent_max", _("不能低于最低租金。")),
        ):
            lo, hi = cleaned.get(low), cleaned.get(high)
            if lo is not None and hi is not None and lo > hi:
                self.add_error(high, message)  # also drops it from cleaned_data: the range is ignored
                cleaned.pop(low, None)
        return cleaned


class UnitFilterSet(django_filters.FilterSet):
    district = django_filters.ChoiceFilter(
        label=_("区县"), method="filter_district", empty_label=_("全部区县"),
        error_messages={"invalid_choice": _("没有这个区县，请从列表中选择。")},
    )
    estate = django_filters.NumberFilter(
        label=_("小区"), field_name="estate_id", min_value=1, max_value=2**31 - 1,
        error_messages={"invalid": _("小区参数无效。"), "min_value": _("小区参数无效。"), "max_value": _("小区参数无效。")},
    )
    bedrooms = django_filters.ChoiceFilter(
        label=_("居室"), choices=BEDROOM_CHOICES, method="filter_bedrooms", empty_label=_("不限"),
        error_messages={"invalid_choice": _("请选择开间、一居室、两居室或三居室及以上。")},
    )
    area_min = AmountFilter(
        label=_("面积不小于（㎡）"), field_name="area", lookup_expr="gte", maximum=AREA_MAX, unit="㎡"
    )
    area_max = AmountFilter(
        label=_("面积不大于（㎡）"), field_name="area", lookup_expr="lte", maximum=AREA_MAX, unit="㎡"
    )
    rent_min = AmountFilter(
        label=_("月租金不低于（元）"), field_name="monthly_rent", lookup_expr="gte", maximum=RENT_MAX, unit="元"
    )
    rent_max = AmountFilter(
        label=_("月租金不高于（元）"), field_name="monthly_rent", lookup_expr="lte", maximum=RENT_MAX, unit="元"
    )
    furnished = django_filters.BooleanFilter(
        label=_("拎包入住"), method="filter_furnished", widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    access = django_filters.ChoiceFilter(
        label=_("出行便利"), choices=ACCESS_CHOICES, method="filter_access", empty_label=_("不限"),
        error_messages={"invalid_choice": _("请从列表中选择。")},
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=SORT_CHOICES, method="filter_sort", empty_label=None,
        error_messages={"invalid_choice": _("无效的排序方式，已按最新发布排序。")},
    )

    class Meta:
        model = Unit
        fields = ["district", "estate", "bedrooms", "area_min", "area_max", "rent_min", "rent_max", "furnished", "access"]
        form = UnitFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # One query for the districts, reused for validation, filtering and the page's select.
        self.districts = list(District.objects.order_by("sort_order", "code").values_list("pk", "code", "name"))
        self.filters["district"].extra["choices"] = [(code, name) for _pk, code, name in self.districts]
        self._district_ids = {code: pk for pk, code, _name in self.districts}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*ORDERINGS[DEFAULT_SORT])
        return queryset

    @property
    def current_sort(self):
        """The sort in force: the visitor's choice if valid, the default otherwise."""
        if not self.is_bound:
            return DEFAULT_SORT
        self.errors  # noqa: B018 — runs validation once
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def filter_district(self, queryset, name, value):
        return queryset.filter(district_id=self._district_ids[value]) if value else queryset

    def filter_bedrooms(self, queryset, name, value):
        if value in ("", None):
            return queryset
        number = int(value)
        return queryset.filter(bedrooms__gte=3) if number >= 3 else queryset.filter(bedrooms=number)

    def filter_furnished(self, queryset, name, value):
        return queryset.filter(furnished=True) if value else queryset

    def filter_access(self, queryset, name, value):
        if value == "lift":
            return queryset.filter(has_lift=True)
        if value == "ground":
            return queryset.filter(floor=1)
        if value == "step_free":
            return queryset.filter(Q(has_lift=True) | Q(floor=1))
        return queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value or DEFAULT_SORT, ORDERINGS[DEFAULT_SORT]))
