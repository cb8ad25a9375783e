"""Tenancy's figures in the bureau's report: annual reviews done, overdue, exits by ground, open alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzufang import statistics
from tenancy import services
from tests.tenancy.builders import sample_alert, sample_exit, sample_review

pytestmark = pytest.mark.django_db


def test_reviews_done_exits_by_ground_and_open_alerts(chen, dave):
    review = sample_review("230602")
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=review, actor=dave, outcome="continue")
    sample_review("230603")  # opened, not done
    case = sample_exit("230602")
    services.exit_notify(case=case, actor=dave)
    services.exit_state_case(case=case, actor=case.holder, text="无异议")
    services.exit_decide(case=case, actor=dave, opinion="购买其他住房")
    services.exit_close(case=case, actor=dave)
    sample_alert("230603")
    today = timezone.localdate()
    report = statistics.summary(start=today - timedelta(days=30), end=today, principal=chen)
    assert report.total.annual_reviews_done == 1
    assert report.total.exits_by_ground == {"other_housing": 1}
    assert report.total.monitoring_alerts_open == 1
    by_code = {f.district.code: f for f in report.districts}
    assert by_code["230602"].annual_reviews_done == 1 and by_code["230603"].annual_reviews_done == 0
    assert by_code["230603"].monitoring_alerts_open == 1
    assert "尚未上线" not in report.notes["annual_reviews_done"]
    assert "作出年审结论" in report.notes["annual_reviews_done"]


def test_the_api_gives_the_open_alerts_and_the_reviews_done(api_city):
    from tests.conftest import api_client_for

    sample_alert("230603")
    body = api_client_for(api_city).get("/api/v1/statistics/").json()
    assert body["total"]["monitoring_alerts_open"] == 1
    by_code = {row["district"]: row for row in body["districts"]}
    assert by_code["230603"]["monitoring_alerts_open"] == 1
    assert body["total"]["annual_reviews_done"] == 0  # a figure now, not null
