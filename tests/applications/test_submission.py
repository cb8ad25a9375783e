"""Submission: complete applications only, once (double click, two tabs), one active application per
household; withdrawal before a decision."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationStatusChange, MemberClaim, Status
from gongzufang.errors import PortalError
from notifications.models import SiteMessage, SmsOutbox
from notifications.subjects import dedup_key
from tests.applications import builders, review_builders
from tests.helpers import at_once

pytestmark = pytest.mark.django_db


def test_a_complete_draft_is_submitted_with_a_recorded_change(client, django_capture_on_commit_callbacks):
    app = builders.draft()
    client.force_login(app.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[app.pk]))
    assert response.url == reverse("applications:progress", args=[app.pk])
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.submitted_at
    change = ApplicationStatusChange.objects.get(application=app)
    assert (change.from_status, change.to_status, change.actor, change.actor_level) == (
        "draft", "submitted", app.applicant, "applicant")
    # SMS and in-site message, on commit.
    assert SiteMessage.objects.get(recipient=app.applicant).dedup_key == dedup_key(change)
    assert SmsOutbox.objects.filter(phone=app.applicant.phone, purpose="status:submitted").count() == 1


def test_an_incomplete_draft_is_refused_listing_what_is_missing(client):
    app = builders.draft(materials=False)
    client.force_login(app.applicant)
    response = client.post(reverse("applications:submit", args=[app.pk]), follow=True)
    body = response.content.decode()
    assert "请上传收入证明" in body
    app.refresh_from_db()
    assert app.status == Status.DRAFT
    assert not MemberClaim.objects.exists()


def test_submitting_twice_makes_one_submission(client, django_capture_on_commit_callbacks):
    app = builders.draft()
    client.force_login(app.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:submit", args=[app.pk]))
        second = client.post(reverse("applications:submit", args=[app.pk]), follow=True)
    assert "无需重复提交" in second.content.decode()
    assert ApplicationStatusChange.objects.filter(application=app).count() == 1
    assert SiteMessage.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_moment_make_one_submission(on_postgres):
    app = builders.draft()

    def submit():
        return services.application_submit(application=app, actor=app.applicant)[1]

    outcomes = at_once(submit, submit)
    assert sorted(outcomes, key=repr) == [False, True]
    assert ApplicationStatusChange.objects.filter(application=app).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_households_with_the_same_member_submitting_at_once_one_wins(on_postgres):
    shared = builders.fresh_id_number(born="20100101")
    first = builders.draft(members=[("child", "共同成员", shared)])
    second = builders.draft(members=[("child", "共同成员", shared)])

    def submit(app):
        def call():
            services.application_submit(application=app, actor=app.applicant)
            return "ok"

        return call

    outcomes = [o.code if isinstance(o, PortalError) else o for o in at_once(submit(first), submit(second))]
    assert sorted(outcomes, key=repr) == ["member_elsewhere", "ok"]
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 1


def test_a_household_already_applying_cannot_submit_a_second_application():
    shared = builders.fresh_id_number(born="19600101", sex="male")
    # Both drafts list the same grandfather; drafts claim nobody yet.
    first = builders.draft(members=[("parent", "老人", shared)])
    second = builders.draft(members=[("parent", "老人", shared)])
    services.application_submit(application=first, actor=first.applicant)
    with pytest.raises(PortalError) as err:
        services.application_submit(application=second, actor=second.applicant)
    assert err.value.code == "member_elsewhere"
    for secret in (first.number, first.applicant.real_name, "老人"):
        assert secret not in err.value.message
    second.refresh_from_db()
    assert second.status == Status.DRAFT
    assert second.household.members.count() == 2  # nothing saved is lost
    assert not MemberClaim.objects.filter(application=second).exists()


def test_an_applicant_with_an_active_application_cannot_start_another():
    app = builders.submitted()
    with pytest.raises(PortalError, match="正在办理"):
        services.application_start(applicant=app.applicant)


def test_the_status_field_cannot_be_set_directly():
    app = builders.draft()
    with pytest.raises(AttributeError):
        app.status = Status.APPROVED


def test_withdrawal_before_a_decision_releases_the_members(client, django_capture_on_commit_callbacks):
    app = builders.submitted()
    assert MemberClaim.objects.filter(application=app).exists()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:withdraw", args=[app.pk]), {"reason": "已购房"})
    assert response.status_code == 200 and "请勾选确认撤回" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:withdraw", args=[app.pk]), {"reason": "已购房", "confirm": "on"})
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    assert not MemberClaim.objects.filter(application=app).exists()
    change = app.status_changes.last()
    assert change.to_status == "withdrawn" and change.opinion == "已购房"
    assert SiteMessage.objects.filter(title="申请已撤回").exists()
    # And the household may apply again.
    services.application_start(applicant=app.applicant)


def test_a_decided_application_cannot_be_withdrawn():
    app = review_builders.approved(builders.submitted())
    with pytest.raises(PortalError, match="不能撤回"):
        services.application_withdraw(application=app, actor=app.applicant)


def test_only_the_applicant_can_submit_or_withdraw(carol):
    app = builders.draft()
    with pytest.raises(PortalError):
        services.application_submit(application=app, actor=carol)
    with pytest.raises(PortalError):
        services.application_withdraw(application=app, actor=builders.applicant())
