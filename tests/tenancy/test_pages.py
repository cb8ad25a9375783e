"""The household's pages: 无变化 with consent in one step, errors in Chinese with nothing lost, the
outcome shown; 陈述申辩 and 退租申请; another person's review, case or lease is 404."""

import pytest
from django.urls import reverse

from tenancy import services
from tenancy.models import AnnualReview, ExitCase, ReviewStatus
from tests.applications.builders import applicant
from tests.tenancy.builders import lease_with_anniversary_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    lease = lease_with_anniversary_in(10)
    services.open_annual_reviews(notify=False)
    return AnnualReview.objects.get(lease=lease)


def test_no_change_in_one_step_and_the_outcome_is_shown(client, review, dave, django_capture_on_commit_callbacks):
    client.force_login(review.holder)
    url = reverse("tenancy:review", args=[review.pk])
    page = client.get(url)
    assert "申报家庭情况" in page.content.decode() and "无变化" in page.content.decode()
    missing = client.post(url, {"no_change": "1"})
    assert "请勾选同意授权部门核验家庭信息后再提交" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(url, {"no_change": "1", "consent": "on"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHECKING
    services.review_decide(review=review, actor=dave, outcome="continue")
    shown = client.get(url).content.decode()
    assert "年审结论" in shown and "继续保障" in shown
    assert "id=\"declare\"" not in shown


def test_changes_typed_are_kept_when_consent_is_missing(client, review):
    client.force_login(review.holder)
    page = client.post(reverse("tenancy:review", args=[review.pk]),
                       {"no_change": "0", "vehicles": "新购小型轿车一辆"}).content.decode()
    assert "请勾选同意授权" in page and "新购小型轿车一辆" in page


def test_another_persons_review_exit_and_lease_are_404(client, review, dave):
    case = services.exit_open(lease=review.lease, ground="vacant", origin="caseworker", facts="连续空置", actor=dave)
    client.force_login(applicant(name="路人甲"))
    assert client.get(reverse("tenancy:review", args=[review.pk])).status_code == 404
    assert client.post(reverse("tenancy:review", args=[review.pk]), {"no_change": "1", "consent": "on"}
                       ).status_code == 404
    assert client.get(reverse("tenancy:exit", args=[case.pk])).status_code == 404
    assert client.post(reverse("tenancy:exit_apply", args=[review.lease_id]), {"reason": "x"}).status_code == 404
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPENED


def test_statement_and_exit_application_pages(client, review, dave):
    lease = review.lease
    client.force_login(lease.tenant)
    applied = client.post(reverse("tenancy:exit_apply", args=[lease.pk]), {"reason": "已购买商品住房"})
    case = ExitCase.objects.get(lease=lease)
    assert applied.status_code == 302 and case.origin == "tenant"
    services.exit_decide(case=case, actor=dave)
    page = client.get(reverse("tenancy:exit", args=[case.pk])).content.decode()
    assert "腾退期" in page and "按市场租金" in page


def test_statement_page(client, review, dave):
    case = services.exit_open(lease=review.lease, ground="vacant", origin="caseworker", facts="连续空置 7 个月",
                              actor=dave)
    services.exit_notify(case=case, actor=dave)
    client.force_login(review.holder)
    url = reverse("tenancy:exit", args=[case.pk])
    assert "陈述申辩截止" in client.get(url).content.decode()
    assert "请填写陈述申辩意见" in client.post(url, {"statement": ""}).content.decode()
    assert client.post(url, {"statement": "外出务工，房屋有人照看"}).status_code == 302
    case.refresh_from_db()
    assert case.statement == "外出务工，房屋有人照看"
