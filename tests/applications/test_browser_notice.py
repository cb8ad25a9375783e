"""公示 in a real browser at phone width (375 px): from the home page to the notice list, open an
application, raise an objection (a wrong contact first), see it confirmed. Screenshots go to
test-results/notice/."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import NoticeObjection
from tests.applications.builders import applicant, submitted
from tests.applications.notice_builders import on_notice
from tests.browser import fits_the_phone, shot, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "notice"


def test_find_an_application_on_notice_and_object_to_it(page, portal_in_browser):
    app = on_notice(submitted(applicant(name="张三明")))
    page.goto(portal_in_browser + "/")
    page.locator("a.service-card", has_text="信息浏览").click()
    page.locator("a.service-card", has_text="资格公示").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("公租房保障资格公示")
    expect(page.get_by_text("张*明")).to_be_visible()
    assert "张三明" not in page.content()
    assert fits_the_phone(page) and unlabelled_fields(page) == []
    shot(page, FOLDER, "1-list")

    page.get_by_role("link", name=app.number).click()
    assert unlabelled_fields(page) == []
    page.get_by_label("异议人").fill("李四")
    page.get_by_label("联系方式").fill("找我")
    page.get_by_label("异议内容").fill("该户在市区另有一套住房，长期出租，请核查。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".error-summary")).to_contain_text("联系方式应为 11 位手机号")
    expect(page.get_by_label("异议内容")).to_have_value(re.compile("另有一套住房"))  # what was typed is kept
    assert fits_the_phone(page)
    shot(page, FOLDER, "2-wrong-contact")

    page.get_by_label("联系方式").fill("13912345678")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("您的异议已提交")).to_be_visible()
    shot(page, FOLDER, "3-submitted")
    assert NoticeObjection.objects.get().contact == "13912345678"
