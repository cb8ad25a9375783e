"""The applicant and the public are told what comes next: the steps to come with their budgets and the
expected days, a new submission's decision deadline, when a notice decided today starts, and an
objector's reference number (issue 12, item 17)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import NoticeObjection
from tests.applications import builders
from tests.applications.notice_builders import on_notice
from tests.applications.review_builders import in_public_notice
from tests.factories import DistrictCaseworkerFactory

pytestmark = pytest.mark.django_db
TEXT = "该户在市区另有一套住房，长期出租，请核查。"

def progress_page(client, app):
    client.force_login(app.applicant)
    return client.get(reverse("applications:progress", args=[app.pk])).content.decode()

def test_a_new_submission_shows_the_steps_to_come_and_a_deadline(client):
    app = builders.submitted()
    body = progress_page(client, app)
    assert "后续办理步骤" in body
    for step in ("街道初审：时限 3 个工作日", "部门联审：时限 3 个工作日", "区县审核：时限 5 个工作日",
                 "公示：时限 7 日（不计入审批时限）", "市级复核：时限 4 个工作日"):
        assert step in body
    assert "预计审批期限" in body and "受理后 15 个工作日内作出决定；如今日受理，最迟" in body

def test_a_notice_decided_today_says_when_it_starts(client, carol):
    app = builders.submitted()
    app = in_public_notice(app, carol, DistrictCaseworkerFactory(district=app.district))
    assert app.notice_starts_on > timezone.localdate()
    starts = f"{app.notice_starts_on.year}年{app.notice_starts_on.month}月{app.notice_starts_on.day}日"
    assert f"公示将于 {starts} 开始" in progress_page(client, app)
    client.logout()
    body = client.get(reverse("applications:notice_list")).content.decode()
    assert "目前没有正在公示的申请" in body and f"1 户将于 {starts} 开始公示" in body
    assert "市级复核：时限 4 个工作日" in progress_page(client, app)

def test_an_objector_gets_a_reference_number(client):
    app = on_notice(builders.submitted(), starts_in=-1)
    response = client.post(reverse("applications:notice_detail", args=[app.number]),
                           {"token": "8c1f3c52-8d1e-4a8e-9d55-0d1f5f0e2a11", "name": "李四",
                            "contact": "13912345678", "text": TEXT}, follow=True)
    saved = NoticeObjection.objects.get()
    day = timezone.localtime(saved.created_at)
    assert saved.reference == f"YY{day:%Y%m%d}{saved.pk:06d}"
    assert f"受理编号 {saved.reference}" in response.content.decode()
