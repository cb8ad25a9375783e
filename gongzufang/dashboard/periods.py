"""The period picker: a month, a quarter, a year or custom dates, read from the query string."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone

from gongzufang.formkit import DateInput

KINDS = [("month", "月度"), ("quarter", "季度"), ("year", "年度"), ("custom", "自定义")]
LONGEST_CUSTOM_DAYS = 366 * 5


@dataclass(frozen=True)
class ChosenPeriod:
    start: date
    end: date
    label: str


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="统计期间", choices=KINDS, required=False)
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100, required=False)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12, required=False)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, required=False, empty_value=None,
                                     choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")])
    start = forms.DateField(label="起始日期", required=False, widget=DateInput())
    end = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def __init__(self, data=None, *, today=None):
        self.today = today or timezone.localdate()
        super().__init__(data)

    def clean(self):
        data = super().clean()
        kind = data.get("period") or "month"
        data["period"] = kind
        year = data.get("year") or self.today.year
        data["year"] = year
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("自定义期间请填写起始日期和截止日期。")
            if end < start:
                raise forms.ValidationError("截止日期不能早于起始日期。")
            if (end - start).days > LONGEST_CUSTOM_DAYS:
                raise forms.ValidationError("自定义期间最长五年，请缩短期间。")
            data["chosen"] = ChosenPeriod(start, end, f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")
        elif kind == "year":
            data["chosen"] = ChosenPeriod(date(year, 1, 1), date(year, 12, 31), f"{year}年")
        elif kind == "quarter":
            quarter = data.get("quarter") or (self.today.month - 1) // 3 + 1
            data["quarter"] = quarter
            first = date(year, 3 * quarter - 2, 1)
            data["chosen"] = ChosenPeriod(first, _month_end(date(year, 3 * quarter, 1)), f"{year}年第{quarter}季度")
        else:
            month = data.get("month") or self.today.month
            data["month"] = month
            first = date(year, month, 1)
            data["chosen"] = ChosenPeriod(first, _month_end(first), f"{year}年{month}月")
        return data


def chosen_period(query, *, today=None):
    """(form, ChosenPeriod or None): the period the query string asks for (this month by default)."""
    form = PeriodForm(query or None, today=today)
    if not query:
        form = PeriodForm({"period": "month"}, today=today)
    if form.is_valid():
        return form, form.cleaned_data["chosen"]
    return form, None
