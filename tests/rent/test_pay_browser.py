"""In a real browser, under the CSP, on a phone-sized window: a tenant chooses a bill on 我的账单, goes
to the simulated bank's pay page (real HTTP), presses 支付成功, comes back to the portal, which has the
payment (it asks the bank: the notification could not reach this test's portal address), and downloads
the electronic receipt."""

import re

import pytest
from playwright.sync_api import expect

from rent.models import BillStatus, Payment
from tests import factories
from tests.browser import fits_the_phone, shot
from tests.conftest import PORTAL_ORIGIN
from tests.rent import payment_builders as pb

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _order_no(urls):
    return urls[0].rstrip("/").split("/")[-2]


def test_a_tenant_pays_a_bill_at_the_bank_and_downloads_the_receipt(page, portal_in_browser, simulated_bank, settings):
    settings.PORTAL_BASE_URL = PORTAL_ORIGIN  # the bank sends the browser back here
    simulated_bank.lose_notifications(all=True)  # it cannot reach http://portal.test; the return page asks
    lease = pb.lease()
    first, second = pb.bills(lease, 2)
    tenant = lease.tenant
    tenant.set_password(factories.PASSWORD)
    tenant.save()

    # The bank's pages are fetched for real and handed to the browser as they are. Its 303 back to the
    # portal is kept and followed by the test with page.goto: Playwright hands the target of a redirect
    # from another origin to no route handler, and http://portal.test exists only in the portal's handler.
    back = []

    def bank(route):
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        if response.status == 303 and location.startswith(PORTAL_ORIGIN):
            back.append(location)
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body="<p>正在返回商户页面…</p>")
        else:
            route.fulfill(response=response)

    page.route(f"{simulated_bank.url}/**", bank)
    page.goto(portal_in_browser + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill(tenant.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".account-nav .who")).to_be_visible()  # logged in, the redirect has landed
    page.wait_for_load_state("load")
    page.goto(portal_in_browser + "/rent/bills/")
    page.get_by_label(re.compile(r"选择 2026年1月 账单")).check()
    shot(page, "rent-pay", "1-bills")
    page.get_by_role("button", name="缴纳所选账单").click()

    expect(page.get_by_role("heading", name="缴费订单")).to_be_visible()
    expect(page.locator("#order-amount")).to_have_text("500.00")
    assert fits_the_phone(page)
    shot(page, "rent-pay", "2-order")
    page.get_by_role("link", name="前往银行支付").click()

    page.wait_for_url(re.compile(re.escape(simulated_bank.url) + r"/pay/"))
    expect(page.get_by_text("￥500.00")).to_be_visible()
    shot(page, "rent-pay", "3-bank")
    page.get_by_role("button", name="支付成功").click()
    expect(page.get_by_text("正在返回商户页面")).to_be_visible()
    assert back == [f"{PORTAL_ORIGIN}/rent/payments/orders/{_order_no(back)}/return/"]
    page.goto(back[0])

    page.wait_for_url(re.compile(re.escape(PORTAL_ORIGIN) + r"/rent/payments/orders/\w+/return/$"))
    expect(page.get_by_text("缴费成功，账单已更新")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("已支付")
    shot(page, "rent-pay", "4-paid")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载电子收据（PDF）").click()
    download = download_info.value
    payment = Payment.objects.get(order__lease=lease)
    assert download.suggested_filename == f"receipt-{payment.receipt_no}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BillStatus.PAID and second.status == BillStatus.UNPAID
