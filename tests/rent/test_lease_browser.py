"""In a real browser at phone width: a tenant opens the contract awaiting signature, reads it, asks for
the SMS code, signs with it, and — once staff have handed the flat over and the month's bill run has
run — sees the bills on 我的账单. Screenshots go to test-results/rent/."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from rent.billing import services as billing_services
from rent.leases import services
from rent.models import Lease, LeaseStatus
from tests import factories
from tests.browser import fits_the_phone, shot, unlabelled_fields
from tests.rent.builders import issued_lease, last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "rent"


def test_a_tenant_reads_and_signs_the_contract_with_an_sms_code_and_sees_the_bills(page, portal_in_browser, dave):
    lease = issued_lease(start_on=date(2026, 1, 1))
    tenant = lease.tenant
    tenant.set_password(factories.PASSWORD)
    tenant.save()
    page.goto(portal_in_browser + "/")
    page.goto(portal_in_browser + "/accounts/login/?next=/rent/leases/")  # log in, then to the leases
    page.get_by_label("用户名或手机号").fill(tenant.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的租赁合同")).to_be_visible()
    page.get_by_role("link", name="阅读并签署合同").click()
    expect(page.get_by_role("heading", name="合同全文")).to_be_visible()
    expect(page.locator("#contract-text-section")).to_contain_text("不得转租、转借")
    expect(page.locator("#contract-sha256")).to_have_text(lease.contract_sha256)
    assert unlabelled_fields(page) == []
    assert fits_the_phone(page)
    shot(page, FOLDER, "01-contract")

    # Signing without the code first: told so, nothing signed.
    page.get_by_label("我已完整阅读合同全部条款，同意签署").check()
    page.get_by_role("button", name="确认签署").click()
    expect(page.locator(".error-summary")).to_contain_text("短信验证码")
    assert Lease.objects.get(pk=lease.pk).status == LeaseStatus.ISSUED

    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(last_code(tenant.phone))
    page.get_by_label("我已完整阅读合同全部条款，同意签署").check()
    page.get_by_role("button", name="确认签署").click()
    expect(page.locator("#lease-status")).to_have_text("已签约")
    expect(page.locator("#signed-at")).to_be_visible()
    signed = Lease.objects.get(pk=lease.pk)
    assert signed.signed_pdf_sha256 == lease.contract_sha256 and "Chrom" in signed.signed_user_agent
    shot(page, FOLDER, "02-signed")

    services.lease_hand_over(lease=signed, actor=dave, handed_over_on=date(2026, 1, 1), keys=2, water_meter="1",
                             electricity_meter="2", condition="完好")
    billing_services.bills_make(period=date(2026, 1, 1))
    billing_services.bills_make(period=date(2026, 2, 1))
    page.goto(portal_in_browser + "/rent/bills/")
    expect(page.get_by_role("heading", name="我的账单")).to_be_visible()
    rows = page.locator("#bills tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("2026年2月")
    expect(page.locator("#outstanding-total")).to_contain_text(re.compile(rf"{signed.monthly_rent * 2}"))
    assert fits_the_phone(page)
    shot(page, FOLDER, "03-bills")
