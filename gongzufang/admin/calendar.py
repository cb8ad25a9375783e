"""Admin for the working-day calendar (DESIGN §12). City staff enter each year's official schedule
here when the State Council publishes it. The table holds only days that differ from Monday–Friday; a
year not listed follows the provisional rules (see gongzufang.workdays). This year and next are always
listed: when missing they are added as provisional, holding the statutory holidays, ready for the
make-up days to be entered. Saving or deleting a row takes effect at once."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gongzufang import workdays
from gongzufang.models import CalendarDay, CalendarYear


class CalendarDayForm(forms.ModelForm):
    """Checks that a day belongs to the year it is filed under, in both the inline and the day list."""

    class Meta:
        model = CalendarDay
        fields = ["year", "date", "is_workday", "name"]

    def clean(self):
        data = super().clean()
        day = data.get("date")
        # In the inline, "year" is the parent being saved; in the day list it is the chosen year.
        calendar_year = data.get("year") or getattr(self.instance, "year", None)
        if day and calendar_year is not None and calendar_year.pk is not None and day.year != calendar_year.pk:
            raise ValidationError(
                {
                    "date": gettext("日期 %(date)s 不在 %(year)s 年度内，请改正日期或所属年度。")
                    % {"date": day.isoformat(), "year": calendar_year.pk}
                }
            )
        return data


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    form = CalendarDayForm
    extra = 0
    fields = ["date", "is_workday", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "source", "days_off", "make_up_days", "note", "updated_at"]
    list_filter = ["source"]
    inlines = [CalendarDayInline]
    actions = ["seed_from_chinese_calendar"]

    def changelist_view(self, request, extra_context=None):
        # Next year is listed (provisional, editable) as soon as anyone looks, not only after the monthly
        # task: staff enter the 调休 days the day the State Council announces them.
        workdays.ensure_provisional_years()
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _days_off=Count("days", filter=Q(days__is_workday=False)),
                _make_up_days=Count("days", filter=Q(days__is_workday=True)),
            )
        )

    @admin.display(description=_("放假日数（不含周末）"), ordering="_days_off")
    def days_off(self, obj):
        return obj._days_off

    @admin.display(description=_("调休上班日数"), ordering="_make_up_days")
    def make_up_days(self, obj):
        return obj._make_up_days

    @admin.action(description=_("用 chinesecalendar 的正式安排覆盖所选年度"), permissions=["change"])
    def seed_from_chinese_calendar(self, request, queryset):
        chosen = sorted(queryset.values_list("year", flat=True))
        written = workdays.seed_official_years(CalendarYear, CalendarDay, chosen, replace_official=True)
        workdays.invalidate_cache()
        if written:
            self.message_user(request, gettext("已导入正式安排：%s 年。") % "、".join(map(str, written)))
        missing = [y for y in chosen if y not in written]
        if missing:
            self.message_user(
                request,
                gettext("chinesecalendar 没有以下年度的正式安排，未改动：%s 年。") % "、".join(map(str, missing)),
                level=messages.WARNING,
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    form = CalendarDayForm
    list_display = ["date", "is_workday", "name", "year"]
    list_filter = ["is_workday", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]
