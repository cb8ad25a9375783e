"""Content-Security-Policy on every page (django-csp), with no inline script or style allowed; pages for
a signed-in person are not stored by any cache; a NUL in the address is a 400, never a 500."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import api_client_for
from tests.helpers import api_error

pytestmark = pytest.mark.django_db

MAIN_PAGES = [
    "/", "/info/", "/articles/", "/guide/", "/housing/units/", "/feedback/", "/notice/", "/accounts/login/",
    "/admin/login/", "/api/docs/", "/no-such-page/",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("url", MAIN_PAGES)
def test_every_main_page_has_a_policy_without_unsafe_inline(client, url):
    directives = policy(client.get(url))
    assert directives["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]


def test_the_swagger_page_loads_its_start_up_script_from_our_own_address(client):
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script has a src
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_caseworker_screens_have_the_policy_too(admin_client):
    for url in ("/admin/", "/admin/housing/unit/", "/admin/housing/unit/export/", "/admin/gongzufang/calendaryear/"):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        page = response.content.decode()
        assert "<style" not in page and ' style="' not in page and "onchange=" not in page, url


# The templates this part of the portal owns hold no inline script, style or event handler, which the
# policy would block. (applications/templates still has some: see issue 12, item 4.)
OWN_TEMPLATES = ["templates", "housing/templates", "complaints/templates", "gongzufang/templates"]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"|javascript:", re.I)


def test_no_template_of_ours_has_inline_script_or_style():
    found = []
    for folder in OWN_TEMPLATES:
        for path in sorted((Path(settings.BASE_DIR) / folder).rglob("*.html")):
            text = re.sub(r"{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
            found += [f"{path.relative_to(settings.BASE_DIR)}: {m.group(0)}" for m in INLINE.finditer(text)]
    assert found == []


# --- no-store --------------------------------------------------------------------------------------


def test_a_page_for_a_signed_in_person_is_not_stored(client, alice):
    client.force_login(alice)
    for url in ("/", "/feedback/", "/apply/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_public_page_for_a_visitor_may_be_cached(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_an_api_answer_for_a_token_is_not_stored(api_a):
    response = api_client_for(api_a).get("/api/v1/districts/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


# --- NUL -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/notice/%00/", "/articles/%00/", "/guide/%00/", "/admin/%00/"])
def test_a_nul_in_the_path_is_a_400_page_in_chinese(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_a_nul_in_a_query_parameter_is_a_400(client):
    response = client.get("/articles/", {"q": "公租房\x00"})
    assert response.status_code == 400 and "NUL" in response.content.decode() and "q" in response.content.decode()


def test_a_nul_in_the_api_is_a_400_in_the_error_shape(api_a):
    api = api_client_for(api_a)
    assert api_error(api.get("/api/v1/estates/%00/"), 400)["fields"] == {"path": ["含有 NUL 字符。"]}
    assert set(api_error(api.get("/api/v1/estates/", {"name": "\x00"}), 400)["fields"]) == {"name"}
