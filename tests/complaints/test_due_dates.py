"""The reply is due N working days (parameter `feedback.reply_workdays`, default 5) after the day of
submission, on the working-day calendar: holidays and make-up working days (调休) count as they are."""

from datetime import date

import pytest
import time_machine

from gongzufang.models import PolicyParameter
from tests.complaints.conftest import at, submit

pytestmark = pytest.mark.django_db


@time_machine.travel(at(2026, 11, 26, 10, 0), tick=False)  # a Thursday
def test_five_working_days_skip_the_weekend(tom):
    item = submit(tom)
    assert item.reply_due == date(2026, 12, 3)
    assert not item.reply_due_provisional


@time_machine.travel(at(2026, 9, 30, 16, 0), tick=False)
def test_submitted_before_national_day_the_holiday_does_not_count(tom):
    # 国庆 2026: 10月1日–7日 off; Saturday 10月10日 is a make-up working day (调休上班).
    # Working days after 9月30日: 10/8, 10/9, 10/10 (Sat), 10/12, 10/13.
    assert submit(tom).reply_due == date(2026, 10, 13)


@time_machine.travel(at(2026, 10, 3, 11, 0), tick=False)
def test_submitted_during_the_holiday_counts_from_the_next_working_day(tom):
    assert submit(tom).reply_due == date(2026, 10, 13)


@time_machine.travel(at(2026, 11, 27, 0, 30), tick=False)
def test_the_day_is_daqings_local_day(tom):
    # 00:30 on Friday the 27th in Daqing is still Thursday the 26th in UTC; the clock starts from the
    # local date, so the due date is a day later than for an item sent on Thursday.
    assert submit(tom).reply_due == date(2026, 12, 4)


@time_machine.travel(at(2026, 12, 29, 10, 0), tick=False)
def test_a_due_date_in_a_year_without_an_official_schedule_is_provisional(tom):
    item = submit(tom)
    # 2027 has no official schedule in the table: 元旦 (1月1日, a Friday) is a statutory day off.
    assert item.reply_due == date(2027, 1, 6)
    assert item.reply_due_provisional and item.reply_deadline.provisional


@time_machine.travel(at(2026, 11, 26, 10, 0), tick=False)
def test_a_districts_own_parameter_sets_its_due_dates(tom, district_a, district_b):
    PolicyParameter.objects.create(key="feedback.reply_workdays", value="3", effective_from=date(2026, 1, 1),
                                   district=district_b, legal_source="龙凤区文件")
    assert submit(tom, district=district_b).reply_due == date(2026, 12, 1)
    assert submit(tom, district=district_a).reply_due == date(2026, 12, 3)


@time_machine.travel(at(2026, 11, 26, 10, 0), tick=False)
def test_a_later_change_of_the_parameter_does_not_move_an_items_due_date(tom):
    item = submit(tom)
    PolicyParameter.objects.create(key="feedback.reply_workdays", value="10", effective_from=date(2026, 11, 27),
                                   legal_source="新文件")
    item.refresh_from_db()
    assert item.reply_due == date(2026, 12, 3)
