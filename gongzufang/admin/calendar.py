from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gongzufang.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_workday", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "source", "note", "updated_at"]
    list_filter = ["source"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_workday", "name", "year"]
    list_filter = ["is_workday", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]
