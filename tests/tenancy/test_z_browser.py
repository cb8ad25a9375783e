"""In a real browser at phone width: a tenant answers this year's review "无变化" in one step and, once
the caseworker has decided, sees the outcome; a caseworker resolves a monitoring alert in the admin.
Screenshots go to test-results/tenancy/."""

import pytest
from playwright.sync_api import expect

from tenancy import services
from tenancy.models import AnnualReview
from tests import factories
from tests.browser import fits_the_phone, shot, unlabelled_fields
from tests.tenancy.builders import lease_with_anniversary_in, sample_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
FOLDER = "tenancy"


def log_in(page, origin, user, next_path):
    page.goto(f"{origin}/accounts/login/?next={next_path}")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_tenant_answers_no_change_and_sees_the_outcome(page, portal_in_browser, dave,
                                                         django_capture_on_commit_callbacks):
    # a tenant's review: the lease is signed on the way (pyHanko's signing runs on a worker thread of
    # its own, whatever event loop Playwright keeps running on this one)
    lease = lease_with_anniversary_in(10)
    services.open_annual_reviews(notify=False)
    review = AnnualReview.objects.get(lease=lease)
    assert review.holder_id == lease.tenant_id
    log_in(page, portal_in_browser, review.holder, f"/tenancy/reviews/{review.pk}/")
    expect(page.get_by_role("heading", name=f"{review.year} 年度资格年审")).to_be_visible()
    assert unlabelled_fields(page) == []
    assert fits_the_phone(page)
    page.get_by_label("无变化：家庭成员、收入、住房、车辆均与上次审核时相同").check()
    page.get_by_role("button", name="提交年审申报").click()
    expect(page.locator(".error-summary")).to_contain_text("请勾选同意授权")
    page.get_by_label("本人承诺所报情况真实", exact=False).check()
    shot(page, FOLDER, "01-no-change")
    with django_capture_on_commit_callbacks(execute=False):
        page.get_by_role("button", name="提交年审申报").click()
        expect(page.locator("#review-status")).to_have_text("核验中")
    services.review_decide(review=AnnualReview.objects.get(pk=review.pk), actor=dave, outcome="continue")
    page.reload()
    expect(page.locator("#outcome")).to_contain_text("继续保障")
    shot(page, FOLDER, "02-outcome")


def test_a_caseworker_resolves_an_alert(page, portal_in_browser, dave):
    alert = sample_alert("230602")
    log_in(page, portal_in_browser, dave, f"/admin/tenancy/monitoringalert/{alert.pk}/change/")
    expect(page.get_by_text("新增机动车 1 辆").first).to_be_visible()
    form = page.locator("#tenancy-actions form")
    form.get_by_label("处理方式").select_option(label="无需处理")
    form.get_by_label("意见/说明").fill("已核实为单位公车，登记在个人名下属误报")
    form.get_by_role("button", name="处理预警").click()
    expect(page.get_by_text("已办理。")).to_be_visible()
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.resolved_by) == ("resolved", "no_action", dave)
    shot(page, FOLDER, "03-alert-resolved")
