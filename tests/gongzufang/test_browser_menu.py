"""In a real browser at 320 px, under the CSP: the site menu opens without script, its links are usable,
and the header still fits the phone, logged in with a long name too (issue 12, item 18)."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_menu_opens_and_leads_to_the_housing_search(page, portal_in_browser):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(portal_in_browser + "/")
    link = page.get_by_role("navigation", name="网站导航").get_by_role("link", name="房源")
    expect(link).to_be_hidden()
    page.get_by_text("菜单", exact=True).click()
    expect(link).to_be_visible()
    for name in ("信息浏览", "资格申请", "进度查询", "政策", "意见反馈", "消息", "登录", "注册"):
        expect(page.get_by_role("navigation", name="网站导航").get_by_role("link", name=name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "menu", "open-320")
    link.click()
    page.wait_for_url(re.compile(r"/housing/units/$"))


def test_logged_in_the_header_fits_and_the_menu_logs_out(page, portal_in_browser):
    person = factories.UserFactory(username="13500001111", real_name="欧阳建国")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(portal_in_browser + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill(person.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".account-nav .who")).to_have_text("欧阳建国")  # home, logged in
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_text("菜单", exact=True).click()
    menu = page.get_by_role("navigation", name="网站导航")
    expect(menu.get_by_role("link", name="我的申请")).to_be_visible()
    shot(page, "menu", "logged-in-320")
    menu.get_by_role("button", name="退出").click()
    expect(page.locator(".account-nav").get_by_role("link", name="登录")).to_be_visible()
