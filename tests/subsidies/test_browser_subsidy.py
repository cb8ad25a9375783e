"""In a real browser at phone width (375 px): an applicant with an approved 租赁补贴 logs in, opens 补贴发放,
registers the market lease (contract PDF) and the bank account (checked by the simulated bank), sees the
computation line by line; after the month's batch is paid, sees the payment and the masked account.
Screenshots go to test-results/subsidies/."""

import re

import pytest
from playwright.sync_api import expect

from subsidies import services
from tests import factories
from tests.browser import fits_the_phone, shot, unlabelled_fields
from tests.helpers import pdf_bytes

from .builders import approved_subsidy, fresh_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "subsidies"


def test_register_lease_and_account_then_see_the_computation_and_a_payment(
        page, portal_in_browser, simulated_bank, dave, chen):
    grant = approved_subsidy()
    user = grant.applicant
    page.goto(portal_in_browser + "/")
    page.get_by_role("link", name=re.compile("补贴发放")).first.click()
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="我的补贴")).to_be_visible()
    expect(page.locator("[data-grant-status]")).to_have_text("正常发放")
    page.get_by_role("link", name="登记租赁合同").click()
    assert unlabelled_fields(page) == []
    page.get_by_label("出租人").fill("张房东")
    page.get_by_label("租赁房屋地址").fill("萨尔图区东风新村 3-2-201")
    page.get_by_label("月租金（元）").fill("100")
    page.get_by_label("租期开始").fill("2026-12-01")
    page.get_by_label("租期结束").fill("2027-11-30")
    page.get_by_label("租赁合同（PDF）").set_input_files(files=[
        {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    shot(page, FOLDER, "01-lease")
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("heading", name="我的补贴")).to_be_visible()
    computation = page.locator("[data-computation]")
    expect(computation).to_contain_text("人均 15.00 ㎡ × 1 人 = 15.00 ㎡")
    expect(computation).to_contain_text("月租金 100.00 元低于计算额，按实际租金发放")
    expect(page.locator("[data-monthly-amount]")).to_have_text("100.00 元")

    page.get_by_role("link", name="登记银行账户").click()
    page.get_by_label("银行账号").fill("621700123456789003")  # 王丽's: another name
    page.get_by_role("button", name="提交并核验").click()
    expect(page.locator(".error-summary")).to_contain_text("户名与账号不符")
    number = fresh_account()
    page.get_by_label("银行账号").fill(number)
    page.get_by_role("button", name="提交并核验").click()
    expect(page.locator("[data-account-masked]")).to_have_text(f"**** **** **** {number[-4:]}")

    batch = services.batch_make(district=grant.district, period=grant.start_period).batch
    services.batch_district_approve(batch=batch, actor=dave)
    services.batch_city_confirm(batch=batch, actor=chen)
    services.batch_send_to_bank(batch=batch, actor=dave)

    page.reload()
    payments = page.locator("[data-payments]")
    expect(payments).to_contain_text(f"{grant.start_period.year}年{grant.start_period.month}月")
    expect(payments).to_contain_text("100.00")
    expect(payments).to_contain_text("已发放")
    assert number not in page.content()
    assert fits_the_phone(page)
    shot(page, FOLDER, "02-paid")
