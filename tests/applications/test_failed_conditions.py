"""The applicant told at the end of the cross-check that conditions are not met sees which ones: rule,
observed value, limit and source, in the progress record and on the progress page (issue 12, item 9)."""

import pytest
from django.urls import reverse

from tests.applications import builders
from tests.applications.review_builders import in_district_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(carol):
    return in_district_review(builders.submitted(), carol,
                              overrides={"property": {"property_count": 1, "property_area_total": "60.00"}})


def test_the_progress_record_names_each_failed_condition(failing):
    change = failing.status_changes.order_by("-created_at", "-id").first()
    assert "详见规则评估" not in change.opinion
    assert "2 项资格条件不符合：" in change.opinion and "均无异常" not in change.opinion
    assert "“在本市无自有住房”：1 套，标准 0 套（来源：不动产登记中心" in change.opinion
    assert "“家庭人均住房面积”：60.00 ㎡/人，标准 低于 15.00 ㎡/人" in change.opinion


def test_the_progress_page_lists_the_failed_conditions_before_the_decision(client, failing):
    client.force_login(failing.applicant)
    body = client.get(reverse("applications:progress", args=[failing.pk])).content.decode()
    assert "部门联审发现不符合的资格条件" in body
    assert "未通过“在本市无自有住房”条件" in body and "不动产登记" in body
    assert "详见规则评估" not in body


def test_nothing_is_listed_when_every_condition_is_met(client, carol):
    app = in_district_review(builders.submitted(), carol)
    client.force_login(app.applicant)
    body = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert "部门联审发现不符合的资格条件" not in body
