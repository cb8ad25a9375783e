"""The applicant's half of the 操作手册 (issue 18): every service walked in a real browser at phone width
(375 × 812), on the demo data (`seed_demo`), each step a screenshot and an axe-core check in both viewports
(tests/manual/harness.py). `make manual` writes docs/manual/applicant/*.md from these steps; in CI
the same walk is a test, and fails when a page breaks or the committed manual no longer matches."""

import re

import pytest
from playwright.sync_api import expect

from tests.manual.conftest import login
from tests.manual.harness import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# 刘建国 is in the simulated exchange's records (公安户籍) and not among the demo's accounts.
NEW_PERSON = ("刘建国", "230602197505051111")
NEW_PHONE = "13912340001"
NEW_PASSWORD = "Liu-jianguo-2026"


def last_code(phone):
    from notifications.models import SmsOutbox

    row = SmsOutbox.objects.filter(phone=phone, purpose__startswith="code:").order_by("-id").first()
    assert row is not None, f"没有向 {phone} 发送验证码"
    return re.search(r"\d{6}", row.text).group(0)


def test_applicant_register(page, manual_site, manual_exchange):
    journey = Journey(
        page, role="applicant", service="register", title="注册认证", origin=manual_site,
        intro="第一次使用平台的申请人，先用手机号注册账号，再完成实名认证：平台向公安户籍在线核验姓名与"
              "身份证号码，核验通过后即可网上申请公租房、查询进度、缴纳租金。",
    )
    page.goto(manual_site + "/")
    expect(page.locator("h1")).to_contain_text("公共租赁住房")
    page.get_by_text("菜单", exact=True).click()
    expect(page.get_by_role("link", name="注册", exact=True)).to_be_visible()
    journey.step("打开平台首页（手机浏览器即可），点击页面右上角的“菜单”，再点击“注册”。")

    page.get_by_role("link", name="注册", exact=True).click()
    expect(page.locator("h1")).to_contain_text("注册")
    page.get_by_label("手机号").fill(NEW_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("main")).to_contain_text("验证码")
    page.get_by_label("短信验证码").fill(last_code(NEW_PHONE))
    page.get_by_label("设置密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    journey.step("填写手机号，点击“获取验证码”，输入短信收到的 6 位验证码，设置密码（至少 8 位，两次输入一致）。")

    page.get_by_role("button", name="注册").click()
    expect(page.locator("h1")).to_contain_text("实名认证")
    page.get_by_label("姓名").fill(NEW_PERSON[0])
    page.get_by_label("身份证号码").fill(NEW_PERSON[1])
    journey.step("点击“注册”后进入实名认证：填写本人姓名和 18 位身份证号码。")

    page.get_by_role("button", name="提交认证").click()
    expect(page.locator("main")).to_contain_text("实名认证成功")
    journey.step("点击“提交认证”。平台向公安户籍核验，页面显示“实名认证成功”后即可开始申请；"
                 "核验不通过时页面会说明原因，已填写的内容不会丢失。")
    journey.finish()
