"""The working-day calendar (DESIGN §12): official years from the seeded table, provisional years from the
statutory holidays, edits by city staff taking effect at once, and the cache that keeps it cheap."""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from django.contrib import admin
from django.core.cache import cache, caches
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzufang import workdays
from gongzufang.admin.calendar import CalendarDayForm, CalendarDayInline
from gongzufang.models import CalendarDay, CalendarYear
from gongzufang.workdays import (
    Deadline,
    add_workdays,
    deadline,
    ensure_calendar_years,
    is_provisional,
    is_workday,
    workdays_between,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2000, 1, 1), date(2100, 12, 31)


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # The per-process cache outlives each test's rolled-back transaction; start and end every test clean.
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- the examples from the issue -------------------------------------------------------------------


def test_fifteen_working_days_after_2026_09_28_is_2026_10_23():
    assert add_workdays(date(2026, 9, 28), 15) == date(2026, 10, 23)


def test_saturday_2026_02_14_is_a_working_day():
    assert date(2026, 2, 14).weekday() == 5
    assert is_workday(date(2026, 2, 14))


# --- official years --------------------------------------------------------------------------------


def test_2026_spring_festival_and_national_day():
    off = [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)] + [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
    make_up = [date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)]
    assert [d for d in off if is_workday(d)] == []
    assert [d for d in make_up if not is_workday(d)] == []
    assert date(2026, 9, 20).weekday() == 6  # a Sunday worked before National Day
    assert is_workday(date(2026, 10, 8)) and is_workday(date(2026, 10, 9))


def test_2026_agrees_with_chinese_calendar_on_the_holiday_weeks():
    for day in list(days(date(2026, 2, 7), date(2026, 3, 1))) + list(days(date(2026, 9, 19), date(2026, 10, 11))):
        assert is_workday(day) == chinese_calendar.is_workday(day), day


def test_every_official_day_agrees_with_chinese_calendar():
    for day in days(date(2004, 1, 1), date(2026, 12, 31)):
        assert is_workday(day) == chinese_calendar.is_workday(day), day


def test_the_table_holds_only_exceptions_named_in_chinese():
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.OFFICIAL
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).name == "春节调休上班"
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert not CalendarDay.objects.filter(date=date(2026, 10, 3)).exists()  # a Saturday off anyway
    for row in CalendarDay.objects.all():
        assert row.is_workday != (row.date.weekday() < 5), row
        assert row.name and not row.name.isascii(), row


# --- provisional years -----------------------------------------------------------------------------


def test_2027_follows_the_statutory_holidays():
    assert is_provisional(2027)
    assert not is_workday(date(2027, 2, 5))  # 除夕, a Friday
    assert not is_workday(date(2027, 2, 6))  # 春节 正月初一, a Saturday
    assert not is_workday(date(2027, 2, 8))  # 正月初三, a Monday
    assert is_workday(date(2027, 2, 9))
    assert not is_workday(date(2027, 4, 5))  # 清明
    assert not is_workday(date(2027, 6, 9))  # 端午
    assert not is_workday(date(2027, 9, 15))  # 中秋
    assert not is_workday(date(2027, 10, 1))  # 国庆, a Friday
    assert is_workday(date(2027, 10, 4))  # Monday: no extra days off without the official schedule


def test_a_provisional_year_has_no_make_up_days():
    assert [d for d in days(date(2027, 1, 1), date(2027, 12, 31)) if d.weekday() >= 5 and is_workday(d)] == []


def test_years_before_the_official_data_are_provisional_too():
    assert is_provisional(2003)
    assert not is_workday(date(2003, 10, 1))
    assert not is_workday(date(2003, 1, 31))  # 除夕 2003, a Friday


def test_2100_works():
    assert is_provisional(date(2100, 6, 1))
    assert not is_workday(date(2100, 2, 9))  # 正月初一, a Tuesday
    assert add_workdays(date(2100, 12, 20), 15) == date(2101, 1, 10)  # 9 days in 2100, 6 in 2101 (元旦 a Saturday)
    assert workdays_between(date(2100, 1, 1), date(2100, 12, 31)) == sum(
        is_workday(d) for d in days(date(2100, 1, 2), date(2100, 12, 31))
    )


def test_no_day_from_2000_to_2100_raises():
    for day in days(FIRST, LAST):
        is_workday(day)
        add_workdays(day, 15)
        add_workdays(day, -15)
    assert deadline(FIRST, 15).provisional and deadline(LAST, 15).provisional


# --- is_provisional and deadline -------------------------------------------------------------------


def test_is_provisional_takes_a_year_a_date_or_a_datetime():
    assert not is_provisional(2026)
    assert not is_provisional(date(2004, 1, 1))
    assert not is_provisional(datetime(2026, 12, 31, 23, 0))
    assert is_provisional(date(2027, 1, 1))


def test_a_year_staff_enter_as_provisional_stays_provisional_but_uses_their_rows():
    year = CalendarYear.objects.create(year=2027, source=CalendarYear.Source.PROVISIONAL, note="预计安排")
    CalendarDay.objects.create(year=year, date=date(2027, 10, 4), is_workday=False, name="国庆节")
    assert is_provisional(2027)
    assert not is_workday(date(2027, 10, 4))
    assert is_workday(date(2027, 10, 1))  # only the rows count now, not the statutory rules
    year.source = CalendarYear.Source.OFFICIAL
    year.save()
    assert not is_provisional(2027)


def test_a_deadline_inside_an_official_year_is_firm():
    assert deadline(date(2026, 9, 28), 15) == Deadline(date=date(2026, 10, 23), provisional=False)
    assert str(deadline(date(2026, 9, 28), 15)) == "2026-10-23"


def test_a_deadline_reaching_into_a_provisional_year_is_marked():
    due = deadline(date(2026, 12, 20), 15)
    assert due.provisional and due.date.year == 2027
    assert str(due) == f"{due.date.isoformat()}（暂定）"
    assert not deadline(date(2026, 12, 20), 5).provisional  # still in 2026
    assert deadline(date(2027, 3, 1), 0).provisional
    assert not deadline(date(2027, 1, 1), -5).provisional  # counted back over 2026 days only
    assert deadline(date(2027, 1, 4), -5).provisional  # passes 2027-01-01, a provisional holiday


# --- add_workdays and workdays_between -------------------------------------------------------------


def test_zero_working_days_after_a_day_is_that_day_even_a_holiday():
    assert add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 1)


def test_counting_back_skips_the_holiday():
    assert add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert add_workdays(date(2026, 10, 23), -15) == date(2026, 9, 28)


def test_add_workdays_refuses_what_is_not_a_whole_number():
    with pytest.raises(TypeError):
        add_workdays(date(2026, 1, 5), 1.5)
    with pytest.raises(TypeError):
        add_workdays("2026-01-05", 1)


def test_workdays_between_measures_processing_time():
    assert workdays_between(date(2026, 9, 28), date(2026, 10, 23)) == 15
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0  # the whole National Day break
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 10)) == 1  # the make-up Saturday counts
    assert workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert workdays_between(date(2026, 10, 23), date(2026, 9, 28)) == -15


# --- edits by city staff ---------------------------------------------------------------------------


def test_a_day_added_in_the_admin_changes_is_workday_at_once(admin_client):
    saturday = date(2026, 3, 7)
    assert not is_workday(saturday)  # cached now
    response = admin_client.post(
        reverse("admin:gongzufang_calendarday_add"),
        {"year": 2026, "date": "2026-03-07", "is_workday": "on", "name": "临时调休上班"},
    )
    assert response.status_code == 302, response.content.decode()
    assert is_workday(saturday)
    assert workdays_between(date(2026, 3, 6), date(2026, 3, 9)) == 2

    CalendarDay.objects.get(date=saturday).delete()
    assert not is_workday(saturday)


def test_a_day_outside_its_year_is_refused_in_chinese(admin_client):
    response = admin_client.post(
        reverse("admin:gongzufang_calendarday_add"),
        {"year": 2026, "date": "2027-01-04", "is_workday": "", "name": "元旦"},
    )
    assert response.status_code == 200
    assert "日期 2027-01-04 不在 2026 年度内" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2027, 1, 4)).exists()


def test_the_inline_refuses_a_day_outside_the_year_too(rf, admin_user):
    year = CalendarYear.objects.get(year=2026)
    request = rf.get("/")
    request.user = admin_user
    FormSet = CalendarDayInline(CalendarYear, admin.site).get_formset(request, year)
    data = {
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2025-12-31",
        "days-0-is_workday": "",
        "days-0-name": "x",
    }
    formset = FormSet(data, instance=year, prefix="days")
    assert not formset.is_valid()
    assert "不在 2026 年度内" in str(formset.errors)


def test_a_day_inside_its_year_is_accepted():
    form = CalendarDayForm(data={"year": 2026, "date": "2026-03-07", "is_workday": "on", "name": "调休上班"})
    assert form.is_valid(), form.errors


def test_the_year_list_shows_source_and_counts(admin_client):
    response = admin_client.get(reverse("admin:gongzufang_calendaryear_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "调休上班日数" in page and "国务院办公厅正式安排" in page
    year = admin.site._registry[CalendarYear].get_queryset(None).get(year=2026)
    assert (year._days_off, year._make_up_days) == (19, 6)


def test_the_admin_action_restores_the_official_schedule(admin_client):
    CalendarDay.objects.filter(date=date(2026, 2, 14)).delete()
    assert not is_workday(date(2026, 2, 14))
    response = admin_client.post(
        reverse("admin:gongzufang_calendaryear_changelist"),
        {"action": "seed_from_chinese_calendar", "_selected_action": ["2026"]},
    )
    assert response.status_code == 302
    assert is_workday(date(2026, 2, 14))


# --- seeding ---------------------------------------------------------------------------------------


def test_ensure_calendar_years_adds_only_what_is_missing():
    assert ensure_calendar_years() == []
    CalendarYear.objects.filter(year=2025).delete()
    assert is_provisional(2025)
    assert ensure_calendar_years() == [2025]
    assert not is_provisional(2025)
    assert is_workday(date(2025, 1, 26))  # make-up Sunday is back, without waiting for the cache
    assert ensure_calendar_years() == []


def test_ensure_calendar_years_replaces_a_provisional_year_but_not_an_official_edit():
    CalendarYear.objects.filter(year=2025).update(source=CalendarYear.Source.PROVISIONAL)
    CalendarDay.objects.filter(date=date(2026, 10, 10)).delete()  # staff correction to an official year
    assert ensure_calendar_years() == [2025]
    assert CalendarYear.objects.get(year=2025).source == CalendarYear.Source.OFFICIAL
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()


# --- the cache -------------------------------------------------------------------------------------


def test_a_year_costs_two_queries_once_then_none(django_assert_num_queries):
    with django_assert_num_queries(2):  # the list of years, then 2026's rows
        add_workdays(date(2026, 9, 28), 15)
    with django_assert_num_queries(0):
        for day in days(date(2026, 1, 1), date(2026, 12, 31)):
            add_workdays(day, 15)
            is_provisional(day)


def test_a_provisional_year_needs_no_query_for_its_rows(django_assert_num_queries):
    with django_assert_num_queries(1):  # only the list of years
        add_workdays(date(2027, 3, 1), 30)


def test_another_process_edit_is_seen_after_the_recheck(monkeypatch, django_assert_num_queries):
    is_workday(date(2026, 3, 7))
    monkeypatch.setattr(workdays, "_RECHECK_SECONDS", 0)
    with django_assert_num_queries(0):
        is_workday(date(2026, 3, 7))
    # What another process's save does: a new version in the shared cache.
    cache.set(workdays._VERSION_KEY, "changed elsewhere", timeout=None)
    with django_assert_num_queries(2):
        is_workday(date(2026, 3, 7))


def test_the_calendar_still_answers_when_the_cache_is_down(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    # Patched on the backend's class: the cache proxy's instance is replaced when a test changes
    # CACHES (one Redis database per xdist worker), and undoing an instance patch then fails.
    backend = type(caches["default"])
    monkeypatch.setattr(backend, "get", broken)
    monkeypatch.setattr(backend, "set", broken)
    workdays.invalidate_cache()
    assert add_workdays(date(2026, 9, 28), 15) == date(2026, 10, 23)


# --- properties ------------------------------------------------------------------------------------

# The function-scoped fixtures only reset the calendar cache, which is safe to share between examples.
_settings = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_settings
@given(st.dates(min_value=FIRST, max_value=LAST), st.integers(min_value=-60, max_value=60))
def test_add_workdays_lands_on_a_workday_n_working_days_away(start, n):
    due = add_workdays(start, n)
    if n:
        assert is_workday(due)
        assert (due > start) == (n > 0)
    assert workdays_between(start, due) == n


@_settings
@given(st.dates(min_value=FIRST, max_value=LAST), st.integers(min_value=0, max_value=800))
def test_workdays_between_counts_day_by_day(start, length):
    end = min(start + timedelta(days=length), LAST)
    assert workdays_between(start, end) == sum(is_workday(d) for d in days(start + timedelta(days=1), end))


# --- next year, provisional, in the admin (issue 12, item 24) ---------------------------------------


def test_the_year_list_shows_next_year_as_provisional_and_it_can_be_edited(admin_client):
    from tests.helpers import at

    with at(date(2026, 12, 1)):
        assert not CalendarYear.objects.filter(year=2027).exists()  # chinesecalendar 1.11 stops at 2026
        before = [add_workdays(date(2027, 9, 28), 5), is_workday(date(2027, 10, 1))]
        page = admin_client.get(reverse("admin:gongzufang_calendaryear_changelist")).content.decode()
        assert "2027" in page and "暂定（按法定节假日推算）" in page
        year = CalendarYear.objects.get(year=2027)
        assert year.source == CalendarYear.Source.PROVISIONAL and is_provisional(2027)
        # Its rows are the provisional rules: nothing about the working days has changed.
        assert [add_workdays(date(2027, 9, 28), 5), is_workday(date(2027, 10, 1))] == before
        assert CalendarDay.objects.filter(year=year, name="国庆节").count() == 1  # Oct 1 is a Friday; 2–3 a weekend
        response = admin_client.get(reverse("admin:gongzufang_calendaryear_change", args=[2027]))
        assert response.status_code == 200
        # Staff enter the announced make-up Saturday.
        days = list(year.days.order_by("date"))
        form = {
            "year": "2027", "source": "provisional", "note": year.note,
            "days-TOTAL_FORMS": str(len(days) + 1), "days-INITIAL_FORMS": str(len(days)),
            "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
        }
        for i, day in enumerate(days):
            form.update({f"days-{i}-id": str(day.pk), f"days-{i}-year": "2027", f"days-{i}-date": day.date.isoformat(),
                         f"days-{i}-name": day.name})
        form.update({f"days-{len(days)}-year": "2027", f"days-{len(days)}-date": "2027-09-25",
                     f"days-{len(days)}-is_workday": "on", f"days-{len(days)}-name": "国庆节调休上班"})
        saved = admin_client.post(reverse("admin:gongzufang_calendaryear_change", args=[2027]), form)
        assert saved.status_code == 302, saved.content.decode()[:2000]
        assert is_workday(date(2027, 9, 25))


def test_provisional_years_are_added_once_and_never_over_what_is_there():
    from tests.helpers import at

    with at(date(2026, 12, 1)):
        assert workdays.ensure_provisional_years() == [2027]
        assert workdays.ensure_provisional_years() == []
        assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.OFFICIAL  # untouched
    with at(date(2027, 6, 1)):
        assert workdays.ensure_provisional_years() == [2028]
