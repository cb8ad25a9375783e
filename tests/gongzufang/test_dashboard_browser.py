"""In a real browser, under the Content-Security-Policy: the statistics dashboard draws its charts (ECharts,
vendored) as canvases from the page's json_script data with no rule of the policy broken, and the public
figures page breaks none either."""

import pytest

from tests.applications import builders
from tests.browser import click_and_wait, shot
from tests.factories import CityCaseworkerFactory
from tests.gongzufang.test_browser_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_dashboard_draws_its_charts_under_the_policy(page, portal_in_browser):
    city = CityCaseworkerFactory(username="stats-city", is_staff=True)
    city.set_password("Zz-9876-secret")
    city.save()
    builders.submitted()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(portal_in_browser + "/admin/login/")
    page.fill("#id_username", "stats-city")
    page.fill("#id_password", "Zz-9876-secret")
    click_and_wait(page.locator("input[type=submit]"))
    page.goto(portal_in_browser + "/admin/statistics/?period=year")
    page.wait_for_selector("[data-chart=trend].gzf-chart-drawn canvas", timeout=15000)
    for name in ("trend", "districts", "processing"):
        assert page.locator(f"[data-chart={name}] canvas").count() >= 1, name
    assert page.locator("#table-trend tbody tr").count() == 12  # the table beside the chart
    # The period picker shows the fields of the chosen kind only.
    assert page.locator("[data-period-field=month]").is_hidden()
    page.select_option("#id_period", "custom")
    assert page.locator("[data-period-field=start]").is_visible()
    shot(page, "statistics", "dashboard")
    assert page.evaluate("window.__csp") == []


def test_the_public_figures_page_breaks_no_rule(page, portal_in_browser):
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(portal_in_browser + "/")
    page.click("footer >> text=公开数据")
    page.wait_for_selector("h1:has-text('公开数据')")
    assert page.locator(".figures-table tbody tr").count() >= 9
    assert page.evaluate("window.__csp") == []
