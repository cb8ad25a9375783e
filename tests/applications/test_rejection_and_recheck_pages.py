"""What a rejected applicant sees (issue 4 item 7): the reasons naming rule, value, limit and source;
and the recheck request (issue 5 item 8) from the progress page."""

import pytest
from django.urls import reverse

from applications.models import RecheckRequest, Status
from applications.review import services as review
from tests.applications import builders
from tests.applications.review_builders import fresh, in_district_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(carol, dave):
    app = in_district_review(builders.submitted(), carol,
                             overrides={"vehicles": {"vehicle_count": 1, "vehicle_value_total": "250000.00"}})
    review.reject(application=app, actor=dave, opinion="家庭名下机动车价值超过标准")
    return fresh(app)


def test_the_progress_page_names_rule_value_limit_and_source(client, rejected):
    client.force_login(rejected.applicant)
    body = client.get(reverse("applications:progress", args=[rejected.pk])).content.decode()
    assert "未通过的原因" in body
    assert "250,000.00" in body and "100,000.00" in body  # the value found and the limit
    assert "公安车辆" in body  # where the value came from
    assert "申请复核" in body


def test_the_applicant_asks_for_a_recheck(client, rejected):
    client.force_login(rejected.applicant)
    url = reverse("applications:recheck", args=[rejected.pk])
    response = client.post(url, {"reason": ""})
    assert "请写明申请复核的理由" in response.content.decode()
    assert not RecheckRequest.objects.exists()
    response = client.post(url, {"reason": "车辆已于上月转让，有转让登记"}, follow=True)
    assert fresh(rejected).status == Status.RECHECK_REQUESTED
    body = response.content.decode()
    assert "复核申请已提交" in body and "车辆已于上月转让" in body and "办理中" in body
    # a second post (double click) changes nothing and the page no longer offers it
    client.post(url, {"reason": "再次提交"})
    assert RecheckRequest.objects.count() == 1
    assert RecheckRequest.objects.get().reason == "车辆已于上月转让，有转让登记"


def test_someone_elses_application_is_not_found(client, rejected):
    client.force_login(builders.applicant())
    assert client.get(reverse("applications:recheck", args=[rejected.pk])).status_code == 404
    assert client.post(reverse("applications:recheck", args=[rejected.pk]), {"reason": "x"}).status_code == 404
    assert fresh(rejected).status == Status.REJECTED


def test_html_in_the_reason_is_escaped(client, rejected):
    client.force_login(rejected.applicant)
    client.post(reverse("applications:recheck", args=[rejected.pk]), {"reason": "<script>alert(1)</script>"})
    body = client.get(reverse("applications:progress", args=[rejected.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
