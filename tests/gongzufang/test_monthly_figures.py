"""The monthly aggregate (issue 17, ADR 0016): a year's dashboard reads the closed months from
`MonthlyFigure` rows kept by the beat job and only the current month live — and every figure stays exactly
what the direct queries give, across districts and periods, at a month boundary (23:30 and 00:10 local
time), for things counted once per period (a lease paying in three months, an application approved twice),
and after late changes to a closed month (a decision recorded late, a bill paid late, a bulk update)."""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatusChange, Status
from gongzufang import statistics
from gongzufang.dashboard.models import MonthlyFigure, MonthlyState
from gongzufang.dashboard.monthly import refresh_monthly_figures
from gongzufang.models import District
from rent.models import Bill, Lease, Payment
from tests.applications import builders
from tests.rent import bulk

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # the current month is November: October and before are closed


def at(day: date, hour=10, minute=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def data(db):
    """In 萨尔图区 and 龙凤区: applications submitted in August, at 23:30 on 31 October and 00:10 on
    1 November (either side of the boundary), in September and this month; decisions in several months,
    one application approved in September and again in October; leases paying rent in several months
    (one lease every month), bills due in closed months, one unpaid."""
    apps = [builders.submitted() for _ in range(4)] + [
        builders.submitted(street=District.objects.get(code="230603").streets.first()) for _ in range(2)]
    moments = [at(date(2026, 8, 3)), at(date(2026, 10, 31), 23, 30), at(date(2026, 11, 1), 0, 10),
               at(date(2026, 9, 14)), at(date(2026, 11, 18)), at(date(2026, 10, 31), 23, 30)]
    for application, moment in zip(apps, moments, strict=True):
        Application.objects.filter(pk=application.pk).update(submitted_at=moment)
    decisions = [(apps[0], Status.APPROVED, at(date(2026, 9, 2)), 12),
                 (apps[1], Status.REJECTED, at(date(2026, 10, 31), 23, 50), 7),
                 (apps[3], Status.APPROVED, at(date(2026, 11, 3)), 3),
                 (apps[5], Status.APPROVED, at(date(2026, 11, 1), 0, 5), 12)]
    for application, status, moment, days in decisions:
        Application.objects.filter(pk=application.pk).update(status=status, decided_at=moment,
                                                             processing_workdays=days)
        change = ApplicationStatusChange.objects.create(application=application, from_status="city_review",
                                                        to_status=status, actor_level="city")
        ApplicationStatusChange.objects.filter(pk=change.pk).update(created_at=moment)
    again = ApplicationStatusChange.objects.create(application=apps[0], from_status="city_review",
                                                   to_status=Status.APPROVED, actor_level="city")
    ApplicationStatusChange.objects.filter(pk=again.pk).update(created_at=at(date(2026, 10, 5)))

    a = bulk.active_leases(3, district_code="230602", start_on=date(2026, 6, 1))
    b = bulk.active_leases(2, district_code="230603", start_on=date(2026, 6, 1))
    payments = [(a[0], date(2026, 8, 10)), (a[0], date(2026, 9, 10)), (a[0], date(2026, 10, 10)),
                (a[0], date(2026, 11, 10)), (a[1], date(2026, 10, 31)), (a[2], date(2026, 11, 2)),
                (b[0], date(2026, 9, 30)), (b[0], date(2026, 11, 19)), (b[1], date(2026, 7, 1))]
    for n, (lease_id, day) in enumerate(payments):
        lease = Lease.objects.get(pk=lease_id)
        Payment.objects.create(receipt_no=f"MF-{n}", method="cash", amount=Decimal("180.00"),
                               paid_at=at(day, 23, 45), district_id=lease.district_id, lease=lease,
                               tenant=lease.tenant)
    for lease_id in a + b:
        lease = Lease.objects.get(pk=lease_id)
        for month in (8, 9, 10):
            period = date(2026, month, 1)
            paid = Decimal("180.00") if (lease_id, month) != (a[1], 10) else Decimal("0.00")
            Bill.objects.create(lease=lease, tenant=lease.tenant, district_id=lease.district_id, period=period,
                                period_start=period, period_end=period.replace(day=28), days=28,
                                days_in_period=28, monthly_rent=Decimal("180.00"), amount=Decimal("180.00"),
                                amount_paid=paid, status="paid" if paid else "unpaid", due_on=period.replace(day=10))
    from complaints import services as feedback_services
    from complaints.models import Category, Feedback, Kind

    person = apps[0].applicant
    for n, (kind, moment, replied) in enumerate([
            (Kind.COMPLAINT, at(date(2026, 9, 30), 23, 30), True), (Kind.REPAIR, at(date(2026, 10, 1), 0, 10), False),
            (Kind.SUGGESTION, at(date(2026, 11, 5)), False), (Kind.COMPLAINT, at(date(2026, 8, 1)), True)]):
        item, _created = feedback_services.feedback_submit(submitter=person, kind=kind, category=Category.OTHER,
                                                           text=f"测试反馈{n}",
                                                           district=District.objects.get(code="230602"))
        update = {"submitted_at": moment, "reply_due": (moment + timedelta(days=7)).date()}
        if replied:
            update |= {"status": "replied", "replied_at": moment + timedelta(days=9 if n else 2)}
        Feedback.objects.filter(pk=item.pk).update(**update)
    return {"apps": apps, "leases": a + b}


PERIODS = [
    (date(2026, 1, 1), date(2026, 12, 31)),  # the year
    (date(2026, 10, 1), date(2026, 12, 31)),  # the quarter with the current month
    (date(2026, 10, 1), date(2026, 10, 31)),  # one closed month
    (date(2026, 9, 1), date(2026, 10, 31)),  # two closed months
    (date(2026, 11, 1), date(2026, 11, 30)),  # the current month (all live)
    (date(2026, 9, 1), date(2026, 11, 12)),  # a custom end in the current month
    (date(2026, 8, 1), date(2026, 10, 15)),  # a custom end inside a closed month (read live)
    (date(2026, 9, 15), date(2026, 11, 20)),  # a custom start (the aggregate is not used)
]


def figures(summary):
    return [dataclasses.asdict(f) | {"district": f.district and f.district.code}
            for f in [*summary.districts, summary.total]]


def assert_equal_to_live(principal):
    for start, end in PERIODS:
        stored, trend = statistics.report(start=start, end=end, principal=principal, today=TODAY)
        live, live_trend = statistics.report(start=start, end=end, principal=principal, today=TODAY, live=True)
        assert figures(stored) == figures(live), (start, end)
        assert trend.values == live_trend.values, (start, end)


def test_the_job_stores_closed_months_only(data, chen):
    refresh_monthly_figures(TODAY)
    months = set(MonthlyState.objects.values_list("month", flat=True))
    assert months and max(months) == date(2026, 10, 1)
    assert not MonthlyFigure.objects.filter(month__gte=date(2026, 11, 1)).exists()
    period = statistics.period_for(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen, today=TODAY)
    assert statistics.cube(period).stored_months == [date(2026, m, 1) for m in range(1, 11)]


def test_figures_from_the_aggregate_equal_the_live_queries(data, chen, dave, bob):
    refresh_monthly_figures(TODAY)
    for principal in (chen, dave, bob):
        assert_equal_to_live(principal)


def test_the_figures_are_the_direct_queries(data, chen):
    """Not only equal to the live path: the numbers a person counts by hand from the data above."""
    refresh_monthly_figures(TODAY)
    year, trend = statistics.report(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen, today=TODAY)
    total = year.total
    assert total.applications_submitted == 6
    assert total.applications_approved == 3  # apps[0] approved in September and October counts once
    assert total.applications_rejected == 1
    assert total.households_paid_rent == 5  # five leases, one of them paid in four months
    assert total.processing_histogram == {3: 1, 7: 1, 12: 2}
    assert total.feedback_total == 4 and total.feedback_replied == 2
    assert total.feedback_overdue == 3  # one answered late, two still open past their reply date
    october = date(2026, 10, 1)
    assert trend.total("applications_submitted", october) == 2  # 23:30 on the 31st is October
    assert trend.total("applications_submitted", date(2026, 11, 1)) == 2  # 00:10 on the 1st is November
    assert trend.total("households_paid_rent", october) == 2
    assert total.rent_collection_rate == (Decimal(180 * 14) * 100 / Decimal(180 * 15)).quantize(Decimal("0.01"))
    october_only = statistics.summary(start=october, end=date(2026, 10, 31), principal=chen, today=TODAY)
    assert october_only.total.applications_approved == 1 and october_only.total.households_paid_rent == 2


def test_a_decision_recorded_late_for_a_closed_month_shows_at_once(data, chen, dave):
    refresh_monthly_figures(TODAY)
    app = data["apps"][2]
    change = ApplicationStatusChange(application=app, from_status="city_review", to_status=Status.APPROVED,
                                     actor_level="city")
    change.save()
    ApplicationStatusChange.objects.filter(pk=change.pk).update(created_at=at(date(2026, 9, 20)))
    change.refresh_from_db()
    change.save()  # recorded (and saved) with its moment in September, a closed month
    assert not MonthlyState.objects.filter(figure="applications_approved", month__gte=date(2026, 9, 1)).exists()
    assert_equal_to_live(chen)
    assert statistics.summary(start=date(2026, 9, 1), end=date(2026, 9, 30), principal=chen,
                              today=TODAY).total.applications_approved == 2
    refresh_monthly_figures(TODAY)
    assert MonthlyState.objects.filter(figure="applications_approved", month=date(2026, 9, 1)).exists()
    assert_equal_to_live(dave)


def test_a_bulk_change_to_a_closed_month_is_recomputed_by_the_job_and_only_that_month(data, chen):
    first = refresh_monthly_figures(TODAY)
    assert first["rent_billed_paid"] == 3
    assert refresh_monthly_figures(TODAY)["rent_billed_paid"] == 0  # nothing changed: nothing redone
    lease = Lease.objects.get(pk=data["leases"][1])
    # A late payment of October's bill, written in bulk (no signal): the fingerprint finds it.
    Bill.objects.filter(lease=lease, period=date(2026, 10, 1)).update(
        amount_paid=Decimal("180.00"), status="paid", updated_at=timezone.now() + timedelta(seconds=1))
    assert refresh_monthly_figures(TODAY)["rent_billed_paid"] == 1
    year = statistics.summary(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen, today=TODAY)
    assert year.total.rent_collection_rate == Decimal("100.00")
    assert_equal_to_live(chen)


def test_a_month_not_stored_yet_is_read_live(data, chen):
    refresh_monthly_figures(TODAY)
    MonthlyState.objects.filter(month=date(2026, 9, 1)).delete()  # as if the job had not reached it
    assert_equal_to_live(chen)


def test_a_year_reads_a_fixed_number_of_queries_from_the_aggregate(data, chen, django_assert_max_num_queries):
    refresh_monthly_figures(TODAY)
    period = statistics.period_for(start=date(2026, 1, 1), end=date(2026, 12, 31), principal=chen, today=TODAY)
    live_windows = len(statistics.MEASURES) + sum(1 for m in statistics.MEASURES.values() if m.distinct)
    with django_assert_max_num_queries(2 + live_windows):  # states, rows, then the current month per measure
        statistics.cube(period)
