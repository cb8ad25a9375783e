"""Every public page carries the site menu (issue 12, item 18); the lock-out page leads on; home tiles of
services not open yet say so before the click."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from gongzufang.views import SERVICES
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db

MENU = {
    "信息浏览": "info", "资格申请": "applications:apply_home", "房源": "housing:unit_search",
    "政策": "article_list", "意见反馈": "complaints:home", "消息": "notifications:messages",
}


def public_pages():
    stock = housing.stock("230602", units=1)
    estate, _building, units = stock
    return ["/", reverse("info"), reverse("article_list"), reverse("guide"), reverse("housing:unit_search"),
            reverse("housing:estate_detail", args=[estate.pk]), reverse("housing:unit_detail", args=[units[0].pk]),
            reverse("complaints:home"), reverse("applications:apply_home"), reverse("applications:notice_list"),
            reverse("login"), reverse("applications:register"), reverse("allocation:rounds"), reverse("public_figures"),
            "/no-such-page/"]


def menu_of(html):
    found = re.search(r'<details class="site-menu">(.*?)</details>', html, re.S)
    assert found, "no site menu"
    return found.group(1)


def test_every_public_page_has_the_site_menu(client):
    for url in public_pages():
        menu = menu_of(client.get(url).content.decode())
        for label, name in MENU.items():
            assert f'<a href="{reverse(name)}">{label}' in menu, (url, label)
        assert "进度查询" in menu and f'<a href="{reverse("login")}">登录</a>' in menu, url
        assert f'<a href="{reverse("applications:register")}">注册</a>' in menu, url


def test_a_logged_in_person_gets_my_applications_and_log_out(client, alice):
    client.force_login(alice)
    menu = menu_of(client.get("/").content.decode())
    assert "我的申请" in menu and "退出" in menu and f'action="{reverse("logout")}"' in menu
    assert ">登录<" not in menu


def test_the_menu_needs_no_script():
    from pathlib import Path

    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    assert "<script>" not in base and "onclick" not in base and 'style="' not in base


@override_settings(AXES_FAILURE_LIMIT=1)
def test_the_lock_out_page_leads_to_sms_log_in_password_reset_and_home(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    html = client.post(reverse("login"), {"username": "alice", "password": "wrong"}).content.decode()
    assert "账户已临时锁定" in html
    main = html.split('<main', 1)[1]
    for name in ("applications:login_sms", "applications:password_reset", "home"):
        assert f'href="{reverse(name)}"' in main, name


def test_home_tiles_of_services_not_open_yet_say_so_before_the_click(client):
    html = client.get("/").content.decode()
    for service in SERVICES:
        card = re.search(r'<a class="service-card[^"]*" href="([^"]+)">((?:(?!</a>).)*'
                         + re.escape(str(service["name"])) + r'(?:(?!</a>).)*)</a>', html, re.S)
        stub = card.group(1) == reverse("service", args=[service["slug"]])
        assert ("即将开通" in card.group(2)) == stub == (not service["ready"]), service["slug"]
    assert html.count("即将开通") == sum(not s["ready"] for s in SERVICES)  # the tiles not open yet


def test_a_stub_link_to_an_open_service_goes_to_the_service(client):
    response = client.get(reverse("service", args=["apply"]))
    assert response.status_code == 302 and response.url == reverse("applications:apply_home")
