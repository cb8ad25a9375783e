"""The figures the bureau reports (DESIGN §11), per period and district: complaints, suggestions and
ratings received, average score, reply time in working days and overdue counts."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from complaints import selectors, services
from complaints.models import Category, Kind, RatedService
from tests.complaints.conftest import at, person, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(district_a, district_b, dave, bob):
    """In November 2026: A gets two complaints and a suggestion, B a suggestion and a repair."""
    people = [person(f"住户{i}") for i in range(5)]
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):  # a Monday; due 11月9日
        a1 = submit(people[0], kind=Kind.COMPLAINT, category=Category.PROPERTY_SERVICE, district=district_a)
        a2 = submit(people[1], kind=Kind.COMPLAINT, category=Category.RENT, district=district_a)
        b1 = submit(people[2], kind=Kind.SUGGESTION, district=district_b)
    with time_machine.travel(at(2026, 11, 4, 9, 0), tick=False):  # replied in 2 working days
        services.feedback_reply(feedback=a1, actor=dave, text="已处理")
    with time_machine.travel(at(2026, 11, 12, 9, 0), tick=False):  # 8 working days: late
        services.feedback_reply(feedback=b1, actor=bob, text="已采纳")
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        a3 = submit(people[3], kind=Kind.SUGGESTION, district=district_a)
        b2 = submit(people[4], kind=Kind.REPAIR, category=Category.MAINTENANCE, district=district_b)
        services.feedback_reply(feedback=a3, actor=dave, text="谢谢")
        services.feedback_reply(feedback=b2, actor=bob, text="已修")
        services.service_rating_submit(rater=people[0], service=RatedService.FEEDBACK_REPLY, subject=a1, score=5)
        services.service_rating_submit(rater=people[3], service=RatedService.FEEDBACK_REPLY, subject=a3, score=4)
        services.service_rating_submit(rater=people[2], service=RatedService.FEEDBACK_REPLY, subject=b1, score=2)
        services.service_rating_submit(rater=people[4], service=RatedService.REPAIR, subject=b2, score=3)
    with time_machine.travel(at(2026, 12, 1, 9, 0), tick=False):  # outside the period
        submit(person("十二月"), kind=Kind.COMPLAINT, district=district_a)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2}


NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 30), "today": date(2026, 12, 15)}


def test_a_districts_figures_for_a_period(november, district_a):
    figures = selectors.feedback_statistics(district=district_a, **NOV)
    assert (figures.complaints, figures.suggestions, figures.repairs, figures.total) == (2, 1, 0, 3)
    assert (figures.replied, figures.replied_on_time) == (2, 2)
    assert figures.overdue == 1  # a2: never answered, due 11月9日
    assert figures.ratings == 2 and figures.average_score == Decimal("4.50")
    assert figures.average_reply_workdays == Decimal("1.00")  # 2 and 0 working days
    assert figures.by_service[RatedService.FEEDBACK_REPLY].ratings == 2


def test_city_wide_figures_add_up_the_districts(november):
    figures = selectors.feedback_statistics(**NOV)
    assert (figures.complaints, figures.suggestions, figures.repairs) == (2, 2, 1)
    assert figures.overdue == 2  # a2 unanswered, b1 answered late
    assert figures.ratings == 4 and figures.average_score == Decimal("3.50")
    assert figures.by_service[RatedService.REPAIR].average_score == Decimal("3.00")
    assert figures.by_service[RatedService.FEEDBACK_REPLY].average_score == Decimal("3.67")  # (5+4+2)/3
    assert figures.by_service[RatedService.DECISION].ratings == 0


def test_figures_by_district_for_each_district(november, district_a, district_b):
    rows = {f.district.code: f for f in selectors.feedback_statistics_by_district(**NOV)}
    assert len(rows) == 9
    assert (rows["230602"].total, rows["230603"].total, rows["230604"].total) == (3, 2, 0)
    assert rows["230603"].average_score == Decimal("2.50")


def test_a_district_caseworker_sees_only_their_district(november, dave):
    rows = selectors.feedback_statistics_by_district(principal=dave, **NOV)
    assert [r.district.code for r in rows] == ["230602"]
    assert selectors.feedback_statistics(principal=dave, **NOV).total == 3


def test_an_empty_period_has_no_average(district_a):
    figures = selectors.feedback_statistics(start=date(2026, 1, 1), end=date(2026, 1, 31), district=district_a)
    assert figures.total == 0 and figures.average_score is None and figures.average_reply_workdays is None
