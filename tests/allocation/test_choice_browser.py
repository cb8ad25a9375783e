"""In a real browser at phone width (375 px): an approved applicant logs in, sees their waitlist position,
follows the link to their open choice window, picks a unit, asks for the SMS code, enters it and gets
the offer with its sign-by date. Screenshots go to test-results/allocation/."""

import re

import pytest
from playwright.sync_api import expect

from allocation.models import Offer
from notifications.models import SmsOutbox
from tests import factories
from tests.allocation.choice_builders import applicant_of, open_round
from tests.browser import fits_the_phone, shot, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "allocation"


def test_applicant_chooses_a_unit_in_their_window(page, portal_in_browser, dave, django_capture_on_commit_callbacks):
    _round, rows, units = open_round(dave, entries=2, unit_count=2)
    me = rows[0]
    user = applicant_of(me)
    page.goto(portal_in_browser + "/accounts/login/?next=/allocation/my/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()

    # 我的轮候: number and position, and the link to the open window.
    expect(page.get_by_test_id("waitlist-number")).to_have_text(me.entry.number)
    expect(page.get_by_test_id("waitlist-position")).to_contain_text("全区排第")
    assert fits_the_phone(page)
    shot(page, FOLDER, "01-my-waitlist")
    page.get_by_test_id("choice-link").click()

    # The choice page: the window and the free units that fit, with the number left.
    expect(page.get_by_test_id("units-left")).to_have_text("剩余 2 套")
    expect(page.get_by_test_id("choice-unit")).to_have_count(2)
    assert fits_the_phone(page)
    shot(page, FOLDER, "02-choice")
    page.get_by_test_id("choice-unit").first.get_by_role("link", name="选择此房").click()

    # Confirm with the SMS code.
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    sms = SmsOutbox.objects.filter(phone=user.phone, purpose="code:choose_unit").order_by("-id").first()
    code = re.search(r"\d{6}", sms.text).group(0)
    assert unlabelled_fields(page) == []
    page.get_by_label("短信验证码").fill("000000")
    page.get_by_role("button", name="确认选定此房").click()
    expect(page.locator(".error-summary")).to_contain_text("验证码不正确")
    assert not Offer.objects.exists()
    page.get_by_label("短信验证码").fill(code)
    with django_capture_on_commit_callbacks(execute=True):
        page.get_by_role("button", name="确认选定此房").click()
        expect(page.get_by_test_id("offer")).to_be_visible()

    offer = Offer.objects.get()
    assert offer.round_entry_id == me.pk and offer.status == "held"
    expect(page.get_by_test_id("sign-by")).to_contain_text(f"{offer.sign_by:%Y-%m-%d}")
    expect(page.get_by_test_id("offer")).to_contain_text("已选定，待签约")
    assert fits_the_phone(page)
    shot(page, FOLDER, "03-offer")
