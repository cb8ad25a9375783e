"""Reports read from the replica when DATABASE_REPLICA_URL is set (gongzufang/db_router.py): the statistics
summary and trend, and the Excel exports, read through alias "replica"; forms, transitions and every write
stay on "default"; without a replica nothing changes.

The test's "replica" is the test database's own connection under a second alias (a real replica is a
streaming copy of the primary, which a test cannot hold inside its transaction); what is checked is where
each read is sent."""

from datetime import date

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from applications.models import Application
from gongzufang import db_router, statistics
from gongzufang.models import District
from tests.applications import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(monkeypatch):
    databases = {**settings.DATABASES, "replica": {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}}
    routed = []
    original = db_router.ReportRouter.db_for_read

    def recording(self, model, **hints):
        alias = original(self, model, **hints)
        routed.append((model._meta.label, alias))
        return alias

    monkeypatch.setattr(db_router.ReportRouter, "db_for_read", recording)
    with override_settings(DATABASES=databases, DATABASE_ROUTERS=["gongzufang.db_router.ReportRouter"]):
        connections["replica"] = connections["default"]
        try:
            yield routed
        finally:
            del connections["replica"]


def test_the_report_reads_from_the_replica(replica, chen):
    builders.submitted()
    replica.clear()
    report = statistics.summary(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen)
    statistics.trend(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen)
    assert report.total.applications_submitted == 1
    models = {label for label, _alias in replica}
    assert {"applications.Application", "gongzufang.District", "gongzufang.DailyVisit"} <= models
    assert {alias for _label, alias in replica} == {"replica"}


def test_everything_else_reads_and_writes_on_the_primary(replica, chen):
    assert District.objects.all().db == "default"
    with db_router.reading_reports():
        assert Application.objects.all().db == "replica"
        assert db_router.report_database() == "replica"
        assert db_router.ReportRouter().db_for_write(Application) == "default"
    assert Application.objects.all().db == "default"
    assert db_router.ReportRouter().allow_migrate("replica", "applications") is False
    assert db_router.ReportRouter().allow_migrate("default", "applications") is True


def test_the_dashboards_export_reads_from_the_replica(replica, client, dave):
    builders.submitted()
    client.force_login(dave)
    replica.clear()
    response = client.get("/admin/statistics/export/processing.xlsx")
    assert response.status_code == 200
    assert ("applications.Application", "replica") in replica


def test_without_a_replica_reports_read_the_primary():
    assert "replica" not in settings.DATABASES
    with db_router.reading_reports():
        assert db_router.report_database() == "default"
        assert Application.objects.all().db == "default"
