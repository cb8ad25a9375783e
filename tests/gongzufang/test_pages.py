"""The public skeleton and the admin's front door."""

import re

import pytest
from django.urls import reverse

from gongzufang.views import SERVICES

pytestmark = pytest.mark.django_db


def test_the_home_page_leads_to_the_five_online_services(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for name in ["信息浏览", "资格申请", "租金收缴", "补贴发放", "意见反馈"]:
        assert name in html
    for href in re.findall(r'class="service-card[^"]*" href="([^"]+)"', html):
        response = client.get(href)
        # Bills and subsidies are a household's own: an anonymous visitor is asked to log in first.
        if response.status_code == 302:
            assert response.url.startswith(f"{reverse('login')}?next="), href
        else:
            assert response.status_code == 200, href
    assert len(re.findall(r'class="service-card[ "]', html)) == len(SERVICES) == 5


def test_pages_use_only_local_assets(client):
    html = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url
    css = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    assert client.get(css).status_code == 200


def test_old_links_to_a_services_stub_lead_to_the_service(client):
    # All five online services are open now; a link kept from when one was 正在建设中 goes to it.
    for service in SERVICES:
        assert service["ready"] and service.get("url_name"), service["slug"]
        response = client.get(reverse("service", args=[service["slug"]]))
        assert response.status_code == 302 and response.url == reverse(service["url_name"]), service["slug"]
    assert client.get(reverse("service", args=["no-such-service"])).status_code == 404


def test_log_in_and_out(client, alice):
    from tests.factories import PASSWORD

    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'for="id_username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert "王丽" in client.get("/").content.decode()
    client.post(reverse("logout"))
    assert "登录" in client.get("/").content.decode()


def test_a_wrong_password_gets_a_chinese_message(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "登录未成功" in html
    assert "请输入一个正确的" in html and "区分大小写" in html
    assert response.wsgi_request.user.is_anonymous


def test_repeated_failures_lock_the_account_out(client, alice, settings):
    from tests.factories import PASSWORD

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429


def test_the_admin_is_titled_for_the_bureau_and_grouped_by_work(client, chen):
    assert "大庆市住房和城乡建设局" in client.get("/admin/login/").content.decode()
    client.force_login(chen)
    response = client.get("/admin/")
    sections = [app["name"] for app in response.context["app_list"]]
    assert "政策参数与工作日历" in sections and "区划、人员与接口" in sections
    assert sections.index("政策参数与工作日历") < sections.index("区划、人员与接口")


def test_every_admin_page_needs_log_in(client):
    from django.contrib import admin

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_health_check_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
