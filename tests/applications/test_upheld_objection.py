"""An objection found to stand leads to 不通过 (issue 12, item 7): the district caseworker rejects from
公示 with the objection as a stated reason, the applicant sees it, the clock handles the paused notice
and a granted recheck goes on to city review."""

from datetime import date

import pytest
from django.urls import reverse

from applications.models import AFTER_APPROVAL, NoticeObjection, Status
from applications.review import services as review
from applications.review.notice import objection_resolve, objection_submit
from gongzufang.errors import TransitionNotAllowed
from gongzufang.workdays import workdays_between
from notifications.models import SiteMessage
from tests.applications import builders
from tests.applications.review_builders import fresh, in_public_notice
from tests.helpers import at

pytestmark = pytest.mark.django_db

OBJECTION = "该户在让胡路区另有一套住房，长期出租，请核查。"


def act_url(app, action):
    return reverse("admin:applications_application_act", args=[app.pk, action])


@pytest.fixture
def upheld(carol, dave):
    """An application on notice since 2026-11-03 with one objection dave found to stand."""
    with at(date(2026, 11, 2)):
        app = in_public_notice(builders.submitted(), carol, dave)
    with at(date(2026, 11, 4)):
        raised = objection_submit(application=app, name="李四", contact="13912345678", text=OBJECTION)
        objection_resolve(objection=raised, actor=dave, upheld=True, resolution="经不动产登记核实，该户确有住房。")
    return fresh(app)


def test_the_district_presses_reject_and_the_applicant_sees_the_objection_as_the_reason(
        client, dave, upheld, django_capture_on_commit_callbacks):
    client.force_login(dave)
    with at(date(2026, 11, 5)), django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("admin:applications_application_change", args=[upheld.pk])).content.decode()
        assert "不通过</button>" in page and act_url(upheld, "reject") in page
        response = client.post(act_url(upheld, "reject"), {"opinion": ""}, follow=True)
    assert "不通过，已记录并通知申请人" in response.content.decode()
    app = fresh(upheld)
    assert (app.status, app.rejected_from, app.rejected_by) == (Status.REJECTED, Status.PUBLIC_NOTICE, dave)
    change = app.status_changes.order_by("id").last()
    assert (change.from_status, change.actor) == (Status.PUBLIC_NOTICE, dave)
    assert "公示期间异议成立" in change.opinion and OBJECTION in change.opinion
    assert "该户确有住房" in change.opinion

    message = SiteMessage.objects.filter(recipient=app.applicant, title="申请审核未通过").get()
    assert "公示期间异议成立" in message.body
    client.force_login(app.applicant)
    progress = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert "审核未通过" in progress and OBJECTION in progress
    assert "李四" not in progress and "13912345678" not in progress  # the objector stays unnamed


def test_the_caseworkers_own_words_are_kept_beside_the_objection(dave, upheld):
    with at(date(2026, 11, 5)):
        review.reject(application=upheld, actor=dave, opinion="该户不符合住房困难条件")
    opinion = fresh(upheld).status_changes.order_by("id").last().opinion
    assert opinion.startswith("该户不符合住房困难条件") and OBJECTION in opinion


def test_without_an_upheld_objection_the_notice_is_not_a_time_to_reject(carol, dave):
    with at(date(2026, 11, 2)):
        app = in_public_notice(builders.submitted(), carol, dave)
    with at(date(2026, 11, 5)), pytest.raises(TransitionNotAllowed, match="只有异议成立时才能作不通过决定"):
        review.reject(application=app, actor=dave, opinion="另有考虑")
    assert fresh(app).status == Status.PUBLIC_NOTICE
    assert not NoticeObjection.objects.exists()


def test_rejecting_from_the_paused_notice_does_not_count_the_notice_days(dave, upheld):
    accepted_on = date(2026, 11, 2)
    with at(date(2026, 11, 9)):
        review.reject(application=upheld, actor=dave, opinion="")
    app = fresh(upheld)
    assert app.paused_on is None and app.due_on is None
    # Accepted and sent into notice on 2026-11-02: the notice days up to the rejection are a pause.
    assert app.total_paused_workdays == workdays_between(date(2026, 11, 2), date(2026, 11, 9))
    assert app.processing_workdays == workdays_between(accepted_on, date(2026, 11, 2)) == 0


def test_a_granted_recheck_goes_on_to_city_review(dave, chen, upheld):
    assert AFTER_APPROVAL[Status.PUBLIC_NOTICE] == Status.CITY_REVIEW
    with at(date(2026, 11, 5)):
        review.reject(application=upheld, actor=dave, opinion="")
        review.recheck_request(application=fresh(upheld), actor=upheld.applicant, reason="该住房已于去年出售")
        review.recheck_decide(application=fresh(upheld), actor=chen, granted=True, opinion="住房已出售，异议不成立")
    assert fresh(upheld).status == Status.CITY_REVIEW


def test_the_city_may_reject_at_city_review_with_the_objection_named(dave, chen, upheld):
    with at(date(2026, 11, 12)):
        review.close_notice(application=upheld, actor=dave)
        review.reject(application=fresh(upheld), actor=chen, opinion="")
    change = fresh(upheld).status_changes.order_by("id").last()
    assert (change.from_status, change.actor) == (Status.CITY_REVIEW, chen)
    assert OBJECTION in change.opinion
