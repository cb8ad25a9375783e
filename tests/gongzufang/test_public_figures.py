"""/figures/ 公开数据 (issue 17): the headline figures the bureau publishes, city-wide, for this year and last,
open to anyone, with no personal data, the missing ones "暂无数据" (never 0), and kept briefly in the cache."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzufang.models import DailyVisit
from tests import factories
from tests.applications import builders

pytestmark = pytest.mark.django_db


def rows_of(response) -> dict:
    return {row["label"]: row for row in response.context["figures"]["rows"]}


@pytest.fixture
def first_half_only(monkeypatch):
    """Only the first half's providers (applications, housing, complaints): the later apps' figures are then
    missing, as they were before those apps landed."""
    from gongzufang import statistics

    kept = [p for p in statistics.PROVIDERS if p.__module__.split(".")[0] in {"applications", "housing", "complaints"}]
    monkeypatch.setattr(statistics, "PROVIDERS", kept)


def test_anyone_sees_the_city_wide_figures(client, first_half_only):
    first = builders.submitted()
    builders.submitted(street=factories.first_street("230603"))
    DailyVisit.objects.create(day=timezone.localdate(), kind="home", count=40)
    response = client.get("/figures/")
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows["受理申请"]["this_year"] == 2  # both districts: the whole city
    assert rows["门户访问量"]["this_year"] == 40
    assert rows["完成资格年审"]["this_year"] == "暂无数据"
    page = response.content.decode()
    assert "公开数据" in page and first.number not in page
    assert first.household.members.first().name not in page


def test_last_year_is_its_own_column(client):
    today = timezone.localdate()
    DailyVisit.objects.create(day=today.replace(month=1, day=1) - timedelta(days=1), kind="home", count=7)
    rows = rows_of(client.get("/figures/"))
    assert rows["门户访问量"]["last_year"] == 7 and rows["门户访问量"]["this_year"] == 0


def test_the_figures_are_kept_briefly_in_the_cache(client):
    client.get("/figures/")
    builders.submitted()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/figures/")
    assert not [q for q in captured if "applications_application" in q["sql"]]
    assert rows_of(response)["受理申请"]["this_year"] == 0  # the cached figures, for up to five minutes


def test_the_home_page_links_to_it(client):
    assert 'href="/figures/"' in client.get("/").content.decode()
