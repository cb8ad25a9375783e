"""The whole review over real HTTP: acceptance, street approval, the cross-department check run by the
Celery task against the simulated exchange, the rules, district approval, the notice, city approval —
and a household the departments' records disqualify, rejected with reasons the applicant can read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.eligibility import rules
from applications.models import Application, CheckResult, RuleEvaluation, Status
from applications.review import services as review
from tests.applications import builders
from tests.applications.conftest import LI_MING, WANG_LI, make_applicant

pytestmark = pytest.mark.django_db

LI_XIAOHUA = ("李小花", "230602201503010083")
MA_TAO = ("马涛", "230602198206150034")


def fresh(app):
    return Application.objects.get(pk=app.pk)


def test_a_household_the_departments_confirm_goes_all_the_way(exchange, carol, dave, chen,
                                                               django_capture_on_commit_callbacks):
    user = make_applicant(*WANG_LI, "13900000101")
    app = builders.submitted(user, members=[("spouse", *LI_MING), ("child", *LI_XIAOHUA)])
    services.application_accept(application=app, actor=carol)
    with django_capture_on_commit_callbacks(execute=True):
        review.street_approve(application=fresh(app), actor=carol)
    app = fresh(app)
    assert app.status == Status.DISTRICT_REVIEW, list(app.check_results.values_list("department", "status"))
    results = CheckResult.objects.filter(application=app, is_current=True)
    needed = rules.departments_needed("low_income")  # only what the category's rules read
    assert len(needed) >= 8 and results.count() == 3 * len(needed)
    assert not results.filter(status="unknown").exists()
    assert all(len(r.reply_hash) == 64 for r in results)
    assert RuleEvaluation.objects.get(application=app, is_current=True).passed is True

    review.district_approve(application=app, actor=dave, opinion="符合条件")
    app = fresh(app)
    assert app.status == Status.PUBLIC_NOTICE
    Application.objects.filter(pk=app.pk).update(notice_ends_on=timezone.localdate() - timedelta(days=1))
    assert review.close_finished_notices() == 1
    review.city_approve(application=fresh(app), actor=chen, opinion="同意")
    app = fresh(app)
    assert app.status == Status.APPROVED and app.processing_workdays is not None
    levels = list(app.status_changes.order_by("id").values_list("to_status", "actor_level"))
    assert levels == [("submitted", "applicant"), ("accepted", "street"), ("cross_check", "street"),
                      ("district_review", "system"), ("public_notice", "district"), ("city_review", "system"),
                      ("approved", "city")]


def test_a_home_in_the_city_found_by_the_property_register_is_a_reason(client, exchange, carol, dave,
                                                                        django_capture_on_commit_callbacks):
    user = make_applicant(*MA_TAO, "13900000102")
    app = builders.submitted(user)
    services.application_accept(application=app, actor=carol)
    with django_capture_on_commit_callbacks(execute=True):
        review.street_approve(application=fresh(app), actor=carol)
    app = fresh(app)
    assert app.status == Status.DISTRICT_REVIEW
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    assert evaluation.passed is False
    # an 86.40 ㎡ home: both "no home in the city" and "under 15 ㎡ a head" fail
    assert sorted(r["rule"] for r in evaluation.failed_results) == ["housing_area", "no_property"]
    review.reject(application=app, actor=dave, opinion="本人名下在本市有住房")
    client.force_login(user)
    body = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert "未通过的原因" in body and "不动产登记" in body and "86.40" in body


def test_a_department_answering_garbage_leaves_the_application_waiting(exchange, carol,
                                                                        django_capture_on_commit_callbacks):
    user = make_applicant("黄静", "230602199107070025", "13900000103")
    app = builders.submitted(user)
    services.application_accept(application=app, actor=carol)
    with django_capture_on_commit_callbacks(execute=True):
        review.street_approve(application=fresh(app), actor=carol)
    app = fresh(app)
    assert app.status == Status.CROSS_CHECK
    assert CheckResult.objects.filter(application=app, is_current=True, department="tax",
                                      status="unknown").exists()
    assert not RuleEvaluation.objects.filter(application=app).exists()
