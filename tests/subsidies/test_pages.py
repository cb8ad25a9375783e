"""我的补贴: the grant, the computation line by line, every month's payment, the account masked;
registering the lease (PDF) and the account (checked by the bank; a change needs an SMS code)."""

import re

import pytest
from django.urls import reverse

from notifications.models import SmsOutbox
from subsidies import services
from subsidies.models import BankAccount, MarketLease
from tests.factories import district

from .builders import approved_subsidy, contract, fresh_account

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)


def test_without_a_grant_the_page_says_how_to_get_one(client, alice):
    _login(client, alice)
    page = client.get(reverse("subsidies:home")).content.decode()
    assert "您还没有租赁补贴资格" in page


def test_the_page_needs_log_in(client):
    response = client.get(reverse("subsidies:home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_register_lease_and_account_then_see_computation_payment_and_masked_account(
        client, simulated_bank, dave, chen):
    grant = approved_subsidy()
    _login(client, grant.applicant)
    page = client.get(reverse("subsidies:home")).content.decode()
    assert "登记市场租赁合同" in page and "登记本人银行账户" in page

    response = client.post(reverse("subsidies:lease"), {
        "landlord_name": "张房东", "address": "萨尔图区东风新村 3-2-201", "monthly_rent": "1,200",
        "start_on": "2026-12-01", "end_on": "2027-11-30", "contract": contract()})
    assert response.status_code == 302, response.content.decode()
    assert MarketLease.objects.get(grant=grant).monthly_rent == 1200

    number = fresh_account()
    response = client.post(reverse("subsidies:account"), {"account_no": number, "action": "save"})
    assert response.status_code == 302, response.content.decode()
    account = BankAccount.objects.get(grant=grant)
    assert account.verified_at is not None

    batch = services.batch_make(district=district("230602"), period=grant.start_period).batch
    services.batch_district_approve(batch=batch, actor=dave)
    services.batch_city_confirm(batch=batch, actor=chen)
    services.batch_send_to_bank(batch=batch, actor=dave)

    page = client.get(reverse("subsidies:home")).content.decode()
    assert "人均 15.00 ㎡ × 1 人 = 15.00 ㎡" in page
    assert "10.00 元/㎡·月 × 15.00 ㎡ × 系数 0.8 = 120.00 元" in page
    assert "月租金 1,200.00 元，不低于计算额，不封顶" in page
    assert f"{grant.start_period.year}年{grant.start_period.month}月" in page and "已发放" in page
    assert f"**** **** **** {number[-4:]}" in page and number not in page
    contract_response = client.get(reverse("subsidies:contract"))
    assert contract_response.status_code == 200 and contract_response["Content-Type"] == "application/pdf"


def test_an_account_in_another_name_is_refused_with_the_banks_reason(client, simulated_bank):
    grant = approved_subsidy()
    _login(client, grant.applicant)
    response = client.post(reverse("subsidies:account"), {"account_no": "621700123456789003", "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200 and "户名与账号不符" in page
    assert "621700123456789003" in page  # what was typed is kept
    assert not BankAccount.objects.filter(grant=grant).exists()


def test_changing_the_account_needs_the_sms_code(client, simulated_bank):
    grant = approved_subsidy()
    services.account_register(grant=grant, actor=grant.applicant, account_no=fresh_account())
    _login(client, grant.applicant)
    new = fresh_account()
    page = client.post(reverse("subsidies:account"), {"account_no": new, "code": "", "action": "save"}).content.decode()
    assert "请输入短信验证码" in page
    page = client.post(reverse("subsidies:account"), {"account_no": new, "action": "send_code"}).content.decode()
    assert "验证码已发送" in page
    code = re.search(r"\d{6}", SmsOutbox.objects.filter(phone=grant.applicant.phone).order_by("-id").first().text)[0]
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(reverse("subsidies:account"), {"account_no": new, "code": wrong, "action": "save"}).content.decode()
    assert "验证码不正确" in page
    response = client.post(reverse("subsidies:account"), {"account_no": new, "code": code, "action": "save"})
    assert response.status_code == 302
    current = BankAccount.objects.get(grant=grant, replaced_at__isnull=True)
    assert current.account_no == new
    assert BankAccount.objects.filter(grant=grant).count() == 2
