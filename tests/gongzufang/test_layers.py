"""The shared layer knows no domain app: each app brings its own API routes and statistics figures
(issue 11 item 3). import-linter proves the imports (pyproject.toml); these prove the wiring works."""

from datetime import date

import pytest
from django.urls import reverse

from gongzufang import statistics
from gongzufang.api import urls as shared_api
from gongzufang.models import District
from gongzufang.urls import API_ROUTERS
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_the_shared_router_holds_only_the_shared_routes():
    assert [prefix for prefix, _v, _b in shared_api.router.registry] == ["districts", "parameters", "articles"]


def test_each_app_brings_its_own_router():
    owners = {prefix: viewset.__module__.split(".")[0]
              for router in API_ROUTERS for prefix, viewset, _b in router.registry}
    assert owners == {"districts": "gongzufang", "parameters": "gongzufang", "articles": "gongzufang",
                      "feedback": "complaints", "estates": "housing", "buildings": "housing", "units": "housing",
                      "applications": "applications", **WAVE_TWO}


# The second half's lists, by the app that owns them (DESIGN §15).
WAVE_TWO = {
    "waitlist": "allocation", "allocation-rounds": "allocation", "offers": "allocation",
    "leases": "rent", "bills": "rent", "payment-orders": "rent", "payments": "rent",
    "subsidy-grants": "subsidies", "subsidy-batches": "subsidies", "subsidy-payments": "subsidies",
    "annual-reviews": "tenancy", "monitoring-alerts": "tenancy", "exit-cases": "tenancy",
}


def test_the_api_index_lists_every_apps_routes(api_a):
    body = api_client_for(api_a).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert set(body) == {"districts", "parameters", "articles", "feedback", "estates", "buildings", "units",
                         "applications", *WAVE_TWO}
    assert body["units"].endswith("/api/v1/units/")


def test_url_names_and_paths_are_those_of_before():
    assert reverse("unit-list") == "/api/v1/units/"
    assert reverse("application-detail", args=[7]) == "/api/v1/applications/7/"
    assert reverse("feedback-list") == "/api/v1/feedback/"
    assert reverse("district-list") == "/api/v1/districts/"
    assert reverse("api-root") == "/api/v1/"
    assert reverse("api-statistics") == "/api/v1/statistics/"


def test_every_app_registers_its_statistics_figures():
    owners = {provider.__module__ for provider in statistics.PROVIDERS}
    assert {"applications.statistics", "housing.statistics", "complaints.statistics"} <= owners
    assert "units_published" in statistics.NOTES and "processing_workdays" in statistics.NOTES


def test_a_registered_provider_fills_its_figures_and_its_note(api_city, monkeypatch):
    def extra(period, rows, total):
        for figures in rows.values():
            figures.households_paid_rent = 3
        total.households_paid_rent = 3 * len(rows)

    monkeypatch.setattr(statistics, "PROVIDERS", [*statistics.PROVIDERS])
    monkeypatch.setattr(statistics, "NOTES", dict(statistics.NOTES))
    statistics.register(extra, notes={"households_paid_rent": "期间内缴纳租金的户数。"})
    statistics.register(extra)  # twice, as ready() may be: counted once
    summary = statistics.summary(start=date(2026, 1, 1), end=date(2026, 1, 31), principal=api_city)
    assert summary.total.households_paid_rent == 3 * District.objects.count()
    assert summary.notes["households_paid_rent"] == "期间内缴纳租金的户数。"
    assert list(summary.notes)[:3] == ["visits", "articles_published", "units_published"]
