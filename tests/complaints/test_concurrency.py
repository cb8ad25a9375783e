"""Real concurrency on PostgreSQL (threads, each with its own connection): the same form sent twice at
once makes one item; items sent at once get distinct numbers; two escalation runs at once escalate once;
two caseworkers replying at once give one reply. Skipped on SQLite (DESIGN §17)."""

import uuid

import pytest

from complaints import services
from complaints.models import Category, Feedback, FeedbackStatusChange, Kind, Status
from tests import factories
from tests.complaints.conftest import person
from tests.helpers import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def send(user, token=None):
    return lambda: services.feedback_submit(submitter=user, kind=Kind.SUGGESTION, category=Category.OTHER,
                                            text="建议", district=factories.district("230602"), token=token)


def test_the_same_form_sent_twice_at_once_makes_one_item(on_postgres):
    tom, token = person(), uuid.uuid4()
    outcomes = at_once(send(tom, token), send(tom, token))
    assert sorted(created for _item, created in outcomes) == [False, True]
    assert outcomes[0][0].pk == outcomes[1][0].pk
    assert Feedback.objects.count() == 1 and FeedbackStatusChange.objects.count() == 1


def test_items_sent_at_once_get_distinct_numbers(on_postgres):
    people = [person(f"住户{i}") for i in range(4)]
    outcomes = at_once(*(send(p) for p in people))
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    numbers = sorted(item.number for item, _created in outcomes)
    assert len(set(numbers)) == 4 and numbers[-1].endswith("0004")


def test_two_escalation_runs_at_once_escalate_each_item_once(on_postgres):
    item, _created = send(person())()
    later = item.reply_due.toordinal() + 1
    from datetime import date

    day = date.fromordinal(later)
    outcomes = at_once(lambda: services.feedback_escalate_overdue(today=day),
                       lambda: services.feedback_escalate_overdue(today=day))
    assert sorted(len(o) for o in outcomes) == [0, 1]
    assert FeedbackStatusChange.objects.filter(feedback=item, to_status=Status.ESCALATED).count() == 1


def test_two_caseworkers_replying_at_once_give_one_reply(on_postgres):
    item, _created = send(person())()
    dave = factories.DistrictCaseworkerFactory()
    chen = factories.CityCaseworkerFactory()
    outcomes = at_once(lambda: services.feedback_reply(feedback=item, actor=dave, text="区县答复"),
                       lambda: services.feedback_reply(feedback=item, actor=chen, text="市级答复"))
    assert sum(isinstance(o, Feedback) for o in outcomes) == 1
    assert FeedbackStatusChange.objects.filter(feedback=item, to_status=Status.REPLIED).count() == 1
