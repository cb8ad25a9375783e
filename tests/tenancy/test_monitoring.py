"""动态监管 (DESIGN §9): every active household re-checked against the departments whose facts change;
a change that matters is an alert with its fact, source and date; a caseworker resolves it; a run
stopped half way and started again asks no department twice within the freshness window."""

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from gongzufang.errors import PortalError
from tenancy import services
from tenancy.models import AlertStatus, AnnualReview, ExitCase, MonitoringAlert, MonitoringRun
from tests.helpers import at
from tests.tenancy.builders import lease_with_anniversary_in, members_of

pytestmark = pytest.mark.django_db


def baseline(exchange, member):
    n = member.id_number
    exchange.add("hukou", n, {"name": member.name, "hukou_district": "230602", "hukou_address": "萨尔图区",
                              "status": "normal", "residence_permit": False})
    exchange.add("vehicles", n, {"vehicles": []})
    exchange.add("property", n, {"properties": [], "sales": []})
    exchange.add("civil_affairs", n, {"minimum_living": False, "extreme_poverty": False, "since": None})
    exchange.add("business", n, {"businesses": []})
    exchange.add("death", n, {"deceased": False, "died_on": None})


class Recorder:
    """Which (department, ID number) the exchange was asked about, as the exchange itself received them
    (the requests may be sent from another process: applications.crosscheck.sending)."""

    def __init__(self, exchange):
        self.exchange = exchange
        exchange.record_bodies = True
        exchange.received.clear()

    @property
    def asked(self) -> Counter:
        return Counter((department, number) for department, payload in self.exchange.received
                       for number in payload["id_numbers"])


@pytest.fixture
def households(exchange):
    leases = [lease_with_anniversary_in(200 + i) for i in range(3)]
    for lease in leases:
        for m in members_of(lease.offer.round_entry.entry.application_id):
            baseline(exchange, m)
    return leases


def test_a_car_bought_and_a_death_become_alerts_with_fact_source_and_date(exchange, households, dave):
    first = services.monitoring_run(chunk=2)
    assert first.finished and first.households == 3 and first.alerts == 0
    assert MonitoringRun.objects.get().households == 3
    buyer = members_of(households[0].offer.round_entry.entry.application_id)[0]
    gone = members_of(households[1].offer.round_entry.entry.application_id)[0]
    exchange.add("vehicles", buyer.id_number, {"vehicles": [{"plate": "黑E12345", "kind": "小型轿车",
                                                             "value": "150000.00"}]})
    died_on = (timezone.localdate() + timedelta(days=20)).isoformat()
    exchange.add("death", gone.id_number, {"deceased": True, "died_on": died_on})
    assert services.monitoring_run(chunk=2).notes == ["本月动态监管已完成。"]  # once a month

    with at(timezone.localdate() + timedelta(days=40)):
        report = services.monitoring_run(chunk=2)
    assert report.alerts == 2
    car = MonitoringAlert.objects.get(kind="vehicle")
    assert (car.lease_id, car.member_name, car.department) == (households[0].pk, buyer.name, "vehicles")
    assert "新增机动车 1 辆" in car.fact and "150000.00" in car.fact
    assert car.source.startswith("公安车辆管理部门 ")
    death = MonitoringAlert.objects.get(kind="death")
    assert death.fact_date.isoformat() == died_on and death.district.code == "230602"
    assert death.status == AlertStatus.OPEN and death.status_changes.count() == 1

    # resolved by a caseworker, recorded
    services.alert_resolve(alert=car, actor=dave, resolution="review_opened", note="核实购车情况")
    car.refresh_from_db()
    assert (car.status, car.resolution, car.resolved_by) == ("resolved", "review_opened", dave)
    assert car.review == AnnualReview.objects.get(lease=households[0])
    services.alert_resolve(alert=death, actor=dave, resolution="exit_opened", note="承租人死亡，家庭无其他成员",
                           ground="other_housing")
    assert ExitCase.objects.get(lease=households[1]).origin == "monitoring"
    with pytest.raises(PortalError, match="不能处理预警"):
        services.alert_resolve(alert=death, actor=dave, resolution="no_action", note="再次处理")


def test_a_month_in_which_nothing_changed_compares_nothing_and_counts_every_household(exchange, households):
    services.monitoring_run(chunk=2)
    with at(timezone.localdate() + timedelta(days=40)), mock.patch.object(
            services, "_alerts_for", wraps=services._alerts_for) as compared:
        report = services.monitoring_run(chunk=2)
    # every answer was the current one again: no row added, so no chunk can have an alert
    assert report.finished and report.households == 3 and report.alerts == 0 and report.confirmed == report.queried
    assert compared.call_count == 0
    run = MonitoringRun.objects.order_by("-period").first()
    assert (run.households, run.alerts, run.finished_at is not None) == (3, 0, True)


def test_another_districts_caseworker_cannot_see_or_resolve(exchange, households, bob):
    services.monitoring_run()
    gone = members_of(households[0].offer.round_entry.entry.application_id)[0]
    exchange.add("death", gone.id_number, {"deceased": True, "died_on": timezone.localdate().isoformat()})
    with at(timezone.localdate() + timedelta(days=40)):
        services.monitoring_run()
    alert = MonitoringAlert.objects.get()
    assert not MonitoringAlert.objects.for_user(bob).exists()
    with pytest.raises(PortalError, match="未找到该监管预警"):
        services.alert_resolve(alert=alert, actor=bob, resolution="no_action", note="无")


def test_a_run_stopped_half_way_and_started_again_asks_no_department_twice(exchange, households):
    recorder = Recorder(exchange)
    calls = {"n": 0}

    def crash(where):
        if where == "after_checks":
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker killed")

    with mock.patch.object(services, "_crash_point", crash), pytest.raises(RuntimeError):
        services.monitoring_run(chunk=1)
    run = MonitoringRun.objects.get()
    assert run.finished_at is None and run.households == 1  # the second chunk's cursor never moved
    asked_before = sum(recorder.asked.values())
    assert asked_before > 0
    report = services.monitoring_run(chunk=1)
    assert report.finished
    run.refresh_from_db()
    assert run.finished_at is not None and run.households == 3
    from applications.models import CheckResult

    assert set(CheckResult.objects.filter(is_current=True).values_list("status", flat=True)) == {"pass"}
    assert recorder.asked and max(recorder.asked.values()) == 1, "a department was asked twice about someone"
    people = {m.id_number for lease in households for m in members_of(lease.offer.round_entry.entry.application_id)}
    assert {n for _d, n in recorder.asked} == people
    assert len(recorder.asked) == len(people) * 6
