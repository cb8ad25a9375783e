"""The as-of-today figures' snapshot (issue 17, ADR 0016, second amendment): rent arrears, applications past
their step's due date, households waiting, units by status, reviews overdue and open alerts are taken every
five minutes by a beat job and read from it — equal to the direct queries on the same data, for the city, a
district and the total; a change shows at the next snapshot; a snapshot from another day or older than
twenty minutes is not used; the page says "截至 HH:MM" of the snapshot it shows."""

import dataclasses
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from gongzufang import statistics
from gongzufang.dashboard.current import refresh_current_figures
from gongzufang.dashboard.models import CurrentFigure, CurrentState
from gongzufang.models import District
from housing.models import Unit
from rent.models import Bill, Lease
from tenancy.models import AnnualReview, ReviewStatus
from tests.allocation.builders import days_ago, quick_entry
from tests.applications import builders
from tests.housing import factories as housing
from tests.rent import bulk
from tests.tenancy.builders import sample_alert, sample_review

pytestmark = pytest.mark.django_db

URL = "/admin/statistics/"


@pytest.fixture(autouse=True)
def _no_report_cache(monkeypatch):
    from gongzufang.dashboard import views

    monkeypatch.setattr(views, "CACHE_SECONDS", 0)


def _bill(lease_id, period, *, paid="0.00", due_on=None):
    lease = Lease.objects.get(pk=lease_id)
    paid = Decimal(paid)
    return Bill.objects.create(
        lease=lease, tenant=lease.tenant, district_id=lease.district_id, period=period, period_start=period,
        period_end=period.replace(day=28), days=28, days_in_period=28, monthly_rent=Decimal("180.00"),
        amount=Decimal("180.00"), amount_paid=paid,
        status="paid" if paid == Decimal("180.00") else ("partly_paid" if paid else "unpaid"),
        due_on=due_on or period.replace(day=10))


@pytest.fixture
def state(db):
    """萨尔图区 (230602) and 龙凤区 (230603): applications past their step's due date (two and one), one not
    yet due; households waiting (two in 萨尔图区); units vacant, occupied and out of use; bills past due
    unpaid (one partly paid) and one not due yet; an overdue review and an open alert."""
    today = timezone.localdate()
    a = District.objects.get(code="230602")
    b = District.objects.get(code="230603")
    for district, due in ((a, today - timedelta(days=3)), (a, today - timedelta(days=1)), (b, today - timedelta(days=2)),
                          (a, today + timedelta(days=4))):
        application = builders.submitted(street=district.streets.first())
        Application.objects.filter(pk=application.pk).update(step_due_on=due)
    quick_entry(qualified_on=days_ago(30))
    quick_entry(qualified_on=days_ago(12))
    building = housing.building(housing.estate("230603"))
    for number, status in (("V1", Unit.Status.VACANT), ("V2", Unit.Status.VACANT), ("O1", Unit.Status.OCCUPIED),
                           ("X1", Unit.Status.OFFLINE)):
        made = housing.unit(building, number=number, published=status == Unit.Status.VACANT)
        Unit.objects.filter(pk=made.pk).update(status=status)
    leases = bulk.active_leases(2, district_code="230602", start_on=date(2025, 1, 1)) + \
        bulk.active_leases(1, district_code="230603", start_on=date(2025, 1, 1))
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: past due
    _bill(leases[0], month)
    _bill(leases[1], month, paid="80.00")
    _bill(leases[2], month)
    _bill(leases[2], today.replace(day=1), due_on=today + timedelta(days=5))  # not due yet
    review = sample_review("230602")
    AnnualReview.objects.filter(pk=review.pk).update(status=ReviewStatus.OVERDUE)
    sample_alert("230603")
    return {"leases": leases, "today": today}


def figures(summary):
    return [dataclasses.asdict(f) | {"district": f.district and f.district.code}
            for f in [*summary.districts, summary.total]]


def year(principal, **kwargs):
    today = timezone.localdate()
    return statistics.summary(start=date(today.year, 1, 1), end=date(today.year, 12, 31), principal=principal,
                              **kwargs)


def test_the_snapshot_equals_the_direct_queries(state, chen, dave, bob):
    done = refresh_current_figures()
    assert set(done) == set(statistics.CURRENTS) and CurrentFigure.objects.exists()
    for principal in (chen, dave, bob):
        stored = year(principal)
        assert stored.current_as_of is not None
        assert figures(stored) == figures(year(principal, live=True)), principal.username
    total = year(chen).total
    assert total.overdue_applications == 3
    assert total.rent_arrears_amount == Decimal("460.00")  # 180 + 100 + 180; the bill not yet due is not owed
    assert total.rent_arrears_households == 3
    assert total.waitlist_size == 2 and total.average_wait_days == Decimal("21.00")
    # The leases' units are occupied: in stock, not vacant; the unit out of use is not in stock.
    assert total.units_vacant == Unit.objects.filter(status=Unit.Status.VACANT).count() >= 2
    assert total.units_in_stock == Unit.objects.exclude(status=Unit.Status.OFFLINE).count() > total.units_vacant
    assert total.annual_reviews_overdue == 1 and total.monitoring_alerts_open == 1
    longfeng = {f.district.code: f for f in year(bob).districts}
    assert list(longfeng) == ["230603"]
    assert longfeng["230603"].rent_arrears_amount == Decimal("180.00")
    units = Unit.objects.filter(district__code="230603").exclude(status=Unit.Status.OFFLINE)
    assert longfeng["230603"].units_vacant == units.filter(status=Unit.Status.VACANT).count() >= 2


def test_a_report_with_a_fresh_snapshot_does_not_scan_the_current_state(state, chen):
    refresh_current_figures()
    with CaptureQueriesContext(connection) as captured:
        year(chen)
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "tenancy_monitoringalert" not in sql
    assert not re.search(r'"step_due_on" <', sql)
    assert "dashboard_currentfigure" in sql


def test_a_change_shows_at_the_next_snapshot(state, chen):
    refresh_current_figures()
    Bill.objects.filter(lease_id=state["leases"][0], due_on__lt=state["today"]).update(
        amount_paid=Decimal("180.00"), status="paid")
    before = year(chen).total
    assert before.rent_arrears_amount == Decimal("460.00")  # the snapshot, as of its time
    assert year(chen, live=True).total.rent_arrears_amount == Decimal("280.00")
    refresh_current_figures()
    after = year(chen)
    assert after.total.rent_arrears_amount == Decimal("280.00")
    assert figures(after) == figures(year(chen, live=True))


@pytest.mark.parametrize("change", ["stale", "yesterday"])
def test_an_old_snapshot_is_not_used(state, chen, change):
    refresh_current_figures()
    if change == "stale":
        CurrentState.objects.update(computed_at=timezone.now() - statistics.CURRENT_MAX_AGE - timedelta(minutes=1))
    else:
        CurrentState.objects.update(day=state["today"] - timedelta(days=1))
    Application.objects.filter(step_due_on__lt=state["today"]).update(step_due_on=state["today"] + timedelta(days=1))
    report = year(chen)
    assert report.current_as_of is None
    assert report.total.overdue_applications == 0
    assert figures(report) == figures(year(chen, live=True))


def test_a_street_clerk_reads_the_figures_live(state, carol):
    refresh_current_figures()
    report = year(carol)
    assert report.current_as_of is None
    assert figures(report) == figures(year(carol, live=True))


def test_the_dashboard_says_as_of_when_it_shows_the_snapshot(client, state, chen):
    client.force_login(chen)
    page = client.get(URL, {"period": "year"}).content.decode()
    assert "当前指标为实时数据" in page and 'id="current-as-of"' not in page
    refresh_current_figures()
    taken = timezone.localtime(min(CurrentState.objects.values_list("computed_at", flat=True))).strftime("%H:%M")
    Bill.objects.filter(lease_id=state["leases"][0], due_on__lt=state["today"]).update(
        amount_paid=Decimal("180.00"), status="paid")
    page = client.get(URL, {"period": "year"}).content.decode()
    assert f'截至 <span id="current-as-of">{taken}</span>' in page
    assert "460.00" in page and "280.00" not in page  # the arrears as of the snapshot
    refresh_current_figures()
    page = client.get(URL, {"period": "year"}).content.decode()
    assert "280.00" in page and "460.00" not in page


def test_the_api_says_when_the_snapshot_was_taken(state, api_city):
    from tests.conftest import api_client_for

    client = api_client_for(api_city)
    assert client.get("/api/v1/statistics/").json()["current_as_of"] is None
    refresh_current_figures()
    body = client.get("/api/v1/statistics/").json()
    taken = min(CurrentState.objects.values_list("computed_at", flat=True))  # the oldest figure's moment
    assert body["current_as_of"] == timezone.localtime(taken).isoformat()
    assert body["total"]["rent_arrears_amount"] == "460.00"


@pytest.mark.django_db(transaction=True)
def test_two_snapshot_runs_at_once_store_each_figure_once(on_postgres, state):
    """A retried beat or two workers taking the snapshot together: each figure's rows once, not doubled."""
    from tests.helpers import at_once

    refresh_current_figures()
    once = sorted(CurrentFigure.objects.values_list("figure", "district_id", "key", "value"))
    assert {figure for figure, *_ in once} >= {"rent_arrears", "units_by_status"}, once
    outcomes = at_once(refresh_current_figures, refresh_current_figures, refresh_current_figures)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(CurrentFigure.objects.values_list("figure", "district_id", "key", "value")) == once
