"""The 审核表 prints each objection (masked objector, text, date) and its outcome; texts quoting the
review time limit use the parameter in force, not a "15" written into them (issue 12, item 12)."""

from datetime import date

import pytest
from django.urls import reverse

from applications.models import Status
from applications.review import services as review
from applications.review.messages import status_change_message
from applications.review.notice import objection_resolve, objection_submit
from applications.review.review_form import review_form_document
from gongzufang.models import PolicyParameter
from tests.applications import builders
from tests.applications.review_builders import fresh, in_public_notice, rejected
from tests.applications.test_review_form import document_text
from tests.helpers import at

pytestmark = pytest.mark.django_db

FIRST = "该户在让胡路区另有一套住房，长期出租，请核查。"
SECOND = "申请人配偶经营一家商店，收入未如实申报。"


@pytest.fixture
def objected(carol, dave):
    with at(date(2026, 11, 2)):
        app = in_public_notice(builders.submitted(), carol, dave)
    with at(date(2026, 11, 4)):
        first = objection_submit(application=app, name="李四明", contact="13912345678", text=FIRST)
        objection_submit(application=app, name="王五", contact="0459-1234567", text=SECOND)
        objection_resolve(objection=first, actor=dave, upheld=True, resolution="经不动产登记核实，该户确有住房。")
    return fresh(app)


def test_the_form_prints_each_objection_and_its_outcome(objected):
    text = document_text(review_form_document(objected))
    assert "公示异议及处理结果" in text
    assert FIRST in text and SECOND in text
    assert "李*明" in text and "王*" in text
    assert "李四明" not in text and "13912345678" not in text
    assert "2026-11-04" in text
    assert "异议成立：经不动产登记核实，该户确有住房。" in text
    assert "未处理" in text


@pytest.fixture
def twelve_days(db):
    PolicyParameter.objects.create(key="review.total_workdays", value="12", effective_from=date(2020, 1, 1),
                                   legal_source="庆住建发〔2026〕1号")


def test_pages_quote_the_time_limit_in_force(client, twelve_days):
    for url in (reverse("home"), reverse("applications:apply_home")):
        client.force_login(builders.applicant())
        html = client.get(url).content.decode()
        assert "12 个工作日" in html, url
        assert "15 个工作日" not in html, url


def test_the_recheck_message_and_page_quote_the_time_limit_in_force(client, twelve_days):
    app = fresh(rejected(builders.submitted()))
    client.force_login(app.applicant)
    html = client.get(reverse("applications:recheck", args=[app.pk])).content.decode()
    assert "12 个工作日内作出决定" in html and "15 个工作日" not in html
    review.recheck_request(application=app, actor=app.applicant, reason="收入证明有误")
    change = fresh(app).status_changes.order_by("id").last()
    assert change.to_status == Status.RECHECK_REQUESTED
    _title, body, _sms = status_change_message(change)
    assert "12 个工作日内" in body and "15 个工作日" not in body
