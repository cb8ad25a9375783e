"""Every deadline shown says when it is, whether it is overdue or due soon, and whether it is provisional."""

from datetime import date

import pytest
from django.template import Context, Template

from gongzufang.workdays import deadline

pytestmark = pytest.mark.django_db
TEMPLATE = Template("{% load portal %}{% deadline_badge d today %}")


def render(d, today):
    return TEMPLATE.render(Context({"d": d, "today": today}))


def test_a_deadline_in_an_official_year_is_not_marked_provisional():
    html = render(deadline(date(2026, 9, 28), 15), date(2026, 9, 28))
    assert "2026年10月23日" in html and "暂定" not in html and "超期" not in html


def test_a_deadline_in_a_year_without_an_official_schedule_is_marked_provisional():
    html = render(deadline(date(2026, 12, 20), 15), date(2026, 12, 20))
    assert "（暂定）" in html and "2027" in html


def test_overdue_and_due_soon_are_flagged():
    due = deadline(date(2026, 9, 28), 15)  # 2026-10-23, a Friday
    assert "已超期" in render(due, date(2026, 10, 26))
    assert "即将到期（剩 1 个工作日）" in render(due, date(2026, 10, 22))
    assert "即将到期" not in render(due, date(2026, 10, 12))


def test_masking_filters():
    html = Template("{% load portal %}{{ n|masked_id }} {{ name|masked_name }}").render(
        Context({"n": "230602199001010016", "name": "张三明"}))
    assert html == "2306**********0016 张*明"
