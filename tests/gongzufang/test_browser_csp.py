"""In a real browser, under the Content-Security-Policy: the pages people and caseworkers use break no
rule of it (no inline script or style left that the browser would block), Swagger UI still draws the
API, and the export dialog's "全选" still works without its inline handler."""

import pytest

from tests.factories import UserFactory
from tests.housing import factories as housing

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Registered before any page script runs (Playwright's init scripts are not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));
"""

PUBLIC_PAGES = ["/", "/info/", "/articles/", "/guide/", "/housing/units/", "/feedback/", "/accounts/login/",
                "/no-such-page/", "/notice/%00/"]
ADMIN_PAGES = ["/admin/", "/admin/housing/unit/", "/admin/housing/estate/", "/admin/complaints/feedback/",
               "/admin/gongzufang/calendaryear/", "/admin/gongzufang/calendaryear/2026/change/",
               "/admin/housing/unit/import/", "/admin/gongzufang/calendaryear/2026/history/"]


def violations(page, origin, url):
    page.goto(origin + url)
    page.wait_for_load_state("load")
    return page.evaluate("window.__csp")


def test_public_pages_break_no_rule_of_the_policy(page, portal_in_browser):
    housing.stock("230602", units=2)
    page.add_init_script(RECORD_VIOLATIONS)
    found = {url: violations(page, portal_in_browser, url) for url in PUBLIC_PAGES}
    assert found == {url: [] for url in PUBLIC_PAGES}


def test_swagger_ui_draws_the_api_under_the_policy(page, portal_in_browser):
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(portal_in_browser + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "区县接口" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10  # the operations are listed
    assert page.evaluate("window.__csp") == []


def test_caseworker_screens_break_no_rule_and_the_export_dialog_works(page, portal_in_browser):
    admin_user = UserFactory(username="admin-csp", is_staff=True, is_superuser=True)
    admin_user.set_password("Zz-9876-secret")
    admin_user.save()
    housing.stock("230602", units=2)
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(portal_in_browser + "/admin/login/")
    page.fill("#id_username", "admin-csp")
    page.fill("#id_password", "Zz-9876-secret")
    page.click("input[type=submit]")
    # Wait for the log-in's redirect to land: a goto while it is under way is interrupted by it.
    page.wait_for_url(portal_in_browser + "/admin/")
    found = {url: violations(page, portal_in_browser, url) for url in ADMIN_PAGES}
    assert found == {url: [] for url in ADMIN_PAGES}

    assert violations(page, portal_in_browser, "/admin/housing/unit/export/") == []
    assert page.inner_text("label[for=select-all-toggle]").strip() == "全选"
    boxes = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert boxes.count() > 5
    page.uncheck("#select-all-toggle")
    assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.check("#select-all-toggle")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
