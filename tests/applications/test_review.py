"""The review after acceptance (issue 5 items 1–3, 8): who may act at each step, the order of steps,
the clock, the public notice, rejection and recheck."""

from datetime import date

import pytest
from django.utils import timezone

from applications import selectors
from applications.models import MemberClaim, NoticeObjection, RecheckRequest, RuleEvaluation, Status
from applications.review import services as review
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.workdays import add_workdays, workdays_between
from notifications.models import SiteMessage
from notifications.subjects import dedup_key
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import (
    accepted,
    fresh,
    in_cross_check,
    in_district_review,
    in_public_notice,
    store_results,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db



@pytest.fixture
def app(db):
    return builders.submitted()  # in carol's street (the first street of 230602)


# --- who decides each step -----------------------------------------------------------------------


def test_the_street_clerk_approves_and_the_cross_check_is_sent_on_commit(app, carol, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(review, "_enqueue_cross_check", sent.append)
    app = accepted(app, carol)
    with django_capture_on_commit_callbacks(execute=True):
        review.street_approve(application=app, actor=carol, opinion="家庭情况属实")
    app = fresh(app)
    assert app.status == Status.CROSS_CHECK
    assert sent == [app.pk]
    change = app.status_changes.order_by("id").last()
    assert (change.from_status, change.to_status, change.actor, change.actor_level, change.opinion) == (
        "accepted", "cross_check", carol, "street", "家庭情况属实")
    assert SiteMessage.objects.filter(dedup_key=dedup_key(change), title="街道初审通过").exists()


def test_a_district_caseworker_cannot_take_the_street_step(app, carol, dave):
    app = accepted(app, carol)
    with pytest.raises(PortalError, match="此环节由街道受理员办理"):
        review.street_approve(application=app, actor=dave)
    assert fresh(app).status == Status.ACCEPTED
    assert app.status_changes.count() == 2  # submitted, accepted


def test_another_districts_caseworker_gets_not_found(app, carol, bob):
    app = in_district_review(app, carol)
    with pytest.raises(PortalError, match="未找到该申请"):
        review.district_approve(application=app, actor=bob)
    with pytest.raises(PortalError, match="未找到该申请"):
        review.reject(application=app, actor=bob, opinion="不符合")
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_a_step_out_of_order_is_refused_with_a_message(app, carol, dave, chen):
    app = in_district_review(app, carol)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“区县审核”，不能复核通过"):
        review.city_approve(application=app, actor=chen)
    with pytest.raises(TransitionNotAllowed, match="不能结束公示"):
        review.close_notice(application=app, actor=dave)
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_a_street_clerk_may_not_decide_at_district_level(app, carol):
    app = in_district_review(app, carol)
    with pytest.raises(PortalError, match="区县经办人"):
        review.district_approve(application=app, actor=carol)


def test_allowed_actions_follow_the_step_and_the_role(app, carol, dave, chen):
    app = accepted(app, carol)
    assert [a.name for a in review.allowed_actions(app, carol)] == ["begin_street_review", "street_approve", "reject"]
    assert review.allowed_actions(app, dave) == []
    app = in_district_review(builders.submitted(), carol)
    assert [a.name for a in review.allowed_actions(app, dave)] == ["district_approve", "reject"]
    assert review.allowed_actions(app, carol) == []
    assert review.allowed_actions(app, chen) == []
    assert review.allowed_actions(app, app.applicant) == []


def test_perform_runs_the_named_action(app, carol):
    app = accepted(app, carol)
    review.perform("begin_street_review", application=app, actor=carol)
    assert fresh(app).status == Status.STREET_REVIEW
    with pytest.raises(PortalError, match="未知的操作"):
        review.perform("approve_everything", application=app, actor=carol)


# --- the cross-department check hands over to the district ---------------------------------------


def test_an_unknown_department_result_keeps_the_application_waiting(app, carol):
    app = in_cross_check(app, carol)
    store_results(app, status_overrides={"vehicles": "unknown"})
    assert review.checks_finished(application_id=app.pk) is False
    assert fresh(app).status == Status.CROSS_CHECK
    assert not RuleEvaluation.objects.filter(application=app).exists()


def test_with_every_answer_in_the_rules_are_evaluated_and_the_district_reviews(app, carol):
    app = in_cross_check(app, carol)
    store_results(app)
    assert review.checks_finished(application_id=app.pk) is True
    app = fresh(app)
    assert app.status == Status.DISTRICT_REVIEW
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    assert evaluation.passed is True
    change = app.status_changes.order_by("id").last()
    assert change.actor is None and change.actor_level == "system"
    assert "资格条件全部符合" in change.opinion


def test_district_approval_needs_every_rule_met(app, carol, dave):
    app = in_district_review(app, carol, overrides={"vehicles": {"vehicle_count": 1,
                                                                 "vehicle_value_total": "250000.00"}})
    assert RuleEvaluation.objects.get(application=app, is_current=True).passed is False
    with pytest.raises(PortalError, match="资格条件未全部符合"):
        review.district_approve(application=app, actor=dave)
    assert fresh(app).status == Status.DISTRICT_REVIEW


# --- rejection -----------------------------------------------------------------------------------


def test_rejection_needs_a_reason_and_frees_the_household_to_apply_again(app, carol, dave,
                                                                        django_capture_on_commit_callbacks):
    app = in_district_review(app, carol)
    with pytest.raises(PortalError, match="请填写意见"):
        review.reject(application=app, actor=dave, opinion="  ")
    assert MemberClaim.objects.filter(application=app).exists()
    with django_capture_on_commit_callbacks(execute=True):
        review.reject(application=app, actor=dave, opinion="名下有机动车，价值超过标准")
    app = fresh(app)
    assert app.status == Status.REJECTED
    assert (app.rejected_from, app.rejected_by, app.step_due_on) == ("district_review", dave, None)
    assert app.processing_workdays is not None and app.decided_at is not None
    assert not MemberClaim.objects.filter(application=app).exists()
    message = SiteMessage.objects.get(dedup_key=dedup_key(app.status_changes.order_by("id").last()))
    assert "名下有机动车" in message.body and "申请复核" in message.body


# --- the clock -----------------------------------------------------------------------------------


def test_each_step_has_its_own_due_date_on_the_row(app, carol):
    day = date(2026, 9, 28)  # the example: + 15 working days is 2026-10-23, across 国庆
    with at(day):
        app = accepted(app, carol)
    assert app.step_due_on == add_workdays(day, 3) and app.due_on == date(2026, 10, 23)
    with at(date(2026, 9, 29)):
        review.street_approve(application=app, actor=carol)
    app = fresh(app)
    assert app.step_started_on == date(2026, 9, 29)
    assert app.step_due_on == add_workdays(date(2026, 9, 29), 3)
    assert app.due_on == date(2026, 10, 23)  # the overall budget still counts from acceptance


def test_the_notice_period_does_not_count_and_is_shown(app, carol, dave, chen):
    start = date(2026, 11, 2)  # a Monday
    with at(start):
        app = in_public_notice(app, carol, dave)
    assert app.status == Status.PUBLIC_NOTICE
    assert (app.notice_starts_on, app.notice_ends_on) == (date(2026, 11, 3), date(2026, 11, 9))
    assert app.paused_on == start and app.step_due_on is None
    progress = selectors.progress(app)
    assert progress.paused and progress.overall_deadline is None
    with at(date(2026, 11, 9)), pytest.raises(PortalError, match="公示期至 2026-11-09 止"):
        review.close_notice(application=app, actor=dave)
    with at(date(2026, 11, 10)):
        review.close_notice(application=app, actor=dave)
    app = fresh(app)
    assert app.status == Status.CITY_REVIEW
    paused = workdays_between(start, date(2026, 11, 10))
    assert app.total_paused_workdays == paused == 6
    assert app.due_on == add_workdays(start, 15 + paused)
    assert app.step_due_on == add_workdays(date(2026, 11, 10), 4)
    with at(date(2026, 11, 11)):
        review.city_approve(application=app, actor=chen, opinion="同意")
    app = fresh(app)
    assert app.status == Status.APPROVED
    assert app.processing_workdays == workdays_between(start, date(2026, 11, 11)) - paused == 1


def test_an_open_objection_holds_the_notice_until_resolved(app, carol, dave):
    with at(date(2026, 11, 2)):
        app = in_public_notice(app, carol, dave)
    objection = NoticeObjection.objects.create(application=app, name="邻居", contact="13900000000",
                                               text="该户有住房")
    with at(date(2026, 11, 12)):
        assert review.close_finished_notices() == 0
        with pytest.raises(PortalError, match="1 条公示异议未处理"):
            review.close_notice(application=app, actor=dave)
        NoticeObjection.objects.filter(pk=objection.pk).update(resolved_at=timezone.now(), upheld=False,
                                                                resolution="经核实不属实", resolved_by=dave)
        assert review.close_finished_notices() == 1
    app = fresh(app)
    assert app.status == Status.CITY_REVIEW
    assert app.status_changes.order_by("id").last().opinion == "公示期满，异议已全部处理（其中 0 条成立）"


def test_an_upheld_objection_blocks_city_approval(app, carol, dave, chen):
    with at(date(2026, 11, 2)):
        app = in_public_notice(app, carol, dave)
    NoticeObjection.objects.create(application=app, name="邻居", contact="13900000000", text="该户有住房",
                                   resolved_at=timezone.now(), upheld=True, resolution="属实", resolved_by=dave)
    with at(date(2026, 11, 12)):
        review.close_notice(application=app, actor=dave)
        with pytest.raises(PortalError, match="有成立的异议"):
            review.city_approve(application=fresh(app), actor=chen)
        review.reject(application=fresh(app), actor=chen, opinion="公示异议属实：该户在本市有住房")
    assert fresh(app).status == Status.REJECTED


# --- recheck (复核) -------------------------------------------------------------------------------


def _rejected_at_street(app, carol, day):
    with at(day):
        app = accepted(app, carol)
        review.reject(application=app, actor=carol, opinion="收入超过标准")
    return fresh(app)


def test_the_applicant_may_ask_for_a_recheck_once_within_the_period(app, carol):
    app = _rejected_at_street(app, carol, date(2026, 11, 2))
    with at(date(2026, 11, 18)), pytest.raises(PortalError, match="期限.*已过"):
        services_recheck(app)
    with at(date(2026, 11, 17)):
        recheck = services_recheck(app)
        assert services_recheck(app) == recheck  # a double click
    app = fresh(app)
    assert app.status == Status.RECHECK_REQUESTED
    assert recheck.due_on == add_workdays(date(2026, 11, 17), 15) == app.step_due_on
    assert recheck.rejected_by == carol
    assert MemberClaim.objects.filter(application=app).exists()


def services_recheck(app):
    return review.recheck_request(application=app, actor=app.applicant, reason="收入证明有误，实际收入较低")


def test_only_the_applicant_asks_and_only_after_rejection(app, carol):
    app = accepted(app, carol)
    with pytest.raises(TransitionNotAllowed):
        services_recheck(app)
    other = builders.applicant()
    with pytest.raises(PortalError, match="只有申请人本人"):
        review.recheck_request(application=app, actor=other, reason="x")


def test_the_recheck_is_decided_by_someone_else_and_a_grant_goes_on(app, carol, chen, monkeypatch):
    monkeypatch.setattr(review, "_enqueue_cross_check", lambda pk: None)
    app = _rejected_at_street(app, carol, date(2026, 11, 2))
    with at(date(2026, 11, 3)):
        services_recheck(app)
    with pytest.raises(PortalError, match="复核由市级经办人办理"):
        review.recheck_decide(application=app, actor=carol, granted=True, opinion="同意")
    review.recheck_decide(application=app, actor=chen, granted=True, opinion="收入证明经核实有误")
    app = fresh(app)
    assert app.status == Status.CROSS_CHECK  # street rejection overturned: on as if the street approved
    assert app.recheck.granted is True and app.recheck.decided_by == chen
    assert (app.rejected_from, app.rejected_by) == ("", None)


def test_the_first_decider_may_not_decide_the_recheck(app, carol, dave, chen):
    app = in_district_review(app, carol)
    review.reject(application=app, actor=dave, opinion="不符合")
    services_recheck(fresh(app))
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    RecheckRequest.objects.filter(application=app).update(rejected_by=superuser)
    with pytest.raises(PortalError, match="原决定人以外"):
        review.recheck_decide(application=fresh(app), actor=superuser, granted=True, opinion="同意")
    review.recheck_decide(application=fresh(app), actor=chen, granted=False, opinion="维持")
    app = fresh(app)
    assert app.status == Status.REJECTED and not MemberClaim.objects.filter(application=app).exists()
    with pytest.raises(PortalError, match="只能申请一次复核"):
        services_recheck(app)


# --- reminders -----------------------------------------------------------------------------------


def test_the_responsible_clerk_is_reminded_once_a_day(app, carol, dave):
    from applications.review.reminders import send_deadline_reminders

    other_clerk = factories.ClerkFactory(username="clerk2", street=factories.first_street("230603"))
    with at(date(2026, 11, 2)):
        app = accepted(app, carol)
    with at(date(2026, 11, 6)):  # due on 11-05: overdue
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    message = SiteMessage.objects.get(recipient=carol)
    assert app.number in message.body and "已逾期 1 件" in message.body
    assert not SiteMessage.objects.filter(recipient__in=[dave, other_clerk]).exists()


def test_staff_see_their_unread_reminders_from_the_admin(client, app, carol):
    from applications.review.reminders import send_deadline_reminders

    with at(date(2026, 11, 2)):
        accepted(app, carol)
    with at(date(2026, 11, 6)):
        send_deadline_reminders()
    client.force_login(carol)
    body = client.get("/admin/").content.decode()
    assert "站内消息（1 条未读）" in body
    assert "审批时限提醒" in client.get("/messages/").content.decode()
