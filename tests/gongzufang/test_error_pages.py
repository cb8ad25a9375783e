"""Error pages in Chinese for people (400, 403, 404, 500, with DEBUG off), and the API's one error
shape {code, message, fields} in Chinese for every error under /api/, routed or not."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes

from gongzufang import urls as portal_urls
from tests.conftest import api_client_for
from tests.helpers import api_error

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def _api_boom(request):
    raise RuntimeError("a bug in the API")


# This module is also the URLconf of the tests below: the portal's, plus views that fail.
urlpatterns = [
    path("test-boom/", _boom), path("test-forbidden/", _forbidden), path("api/v1/test-boom/", _api_boom),
    *portal_urls.urlpatterns,
]
handler400, handler403 = portal_urls.handler400, portal_urls.handler403
handler404, handler500 = portal_urls.handler404, portal_urls.handler500


@pytest.fixture
def failing(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_a_missing_page_is_a_chinese_404_in_the_portal_frame(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "返回首页" in page and "Not Found" not in page


def test_a_server_error_is_a_chinese_500(failing):
    response = failing.get("/test-boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙" in page and "Server Error" not in page


def test_a_refusal_is_a_chinese_403(failing):
    response = failing.get("/test-forbidden/")
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_a_caseworker_without_the_permission_gets_the_403_in_the_admin_frame(client, dave):
    client.force_login(dave)
    response = client.get("/admin/gongzufang/calendaryear/add/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "没有权限办理此事项" in page and 'id="site-name"' in page and "403 Forbidden" not in page


def test_a_form_sent_without_its_csrf_token_gets_a_chinese_403():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "CSRF verification failed" not in page


def test_a_bad_request_is_a_chinese_400(client):
    response = client.get("/notice/%00/")
    assert response.status_code == 400 and "请求有误" in response.content.decode()


# --- the API ---------------------------------------------------------------------------------------


def test_malformed_json_is_a_400_in_chinese(api_a):
    response = api_client_for(api_a).post("/api/v1/estates/", data="{name: 1", content_type="application/json")
    body = api_error(response, 400)
    assert body["code"] == "parse_error" and "JSON" in body["message"] and "parse error" not in body["message"]


@pytest.mark.parametrize("url", ["/api/v1/applications/0.5/", "/api/v1/estates/1.0/", "/api/v1/no-such-list/",
                                 "/api/nothing/"])
def test_an_address_no_route_matches_is_a_json_404(api_a, url):
    body = api_error(api_client_for(api_a).get(url), 404)
    assert body == {"code": "not_found", "message": "未找到。", "fields": {}}


def test_a_server_error_in_the_api_is_a_json_500_in_chinese(failing):
    response = failing.get("/api/v1/test-boom/")
    body = api_error(response, 500)
    assert body["code"] == "server_error" and "服务器内部错误" in body["message"]
    assert response["Content-Type"] == "application/json"
