"""动态监管 as it runs in production: outside any transaction, on PostgreSQL, the requests sent from a child
process (applications/crosscheck/sending.py), the runner storing answers on its writer threads'
connections and each chunk's comparison with the previous answers (its alerts) on a thread of its own
while the next chunk is on the wire. With REDIS_URL set the suite's cache (the parameters', the
calendar's) is Redis. A run stopped half way — one chunk's alerts still being written on their thread —
and started again asks no department twice within the freshness window and writes each alert once; a
run whose sending process is killed stops, and the next run finishes the month."""

import os
import signal
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from applications.crosscheck import sending
from tenancy import services
from tenancy.models import MonitoringAlert, MonitoringRun
from tests.helpers import at
from tests.tenancy.builders import lease_with_anniversary_in, members_of
from tests.tenancy.test_monitoring import Recorder, baseline

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed_households(exchange):
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（写入线程各用自己的连接）；设置 DATABASE_URL 后运行")
    leases = [lease_with_anniversary_in(200 + i) for i in range(3)]
    for lease in leases:
        for m in members_of(lease.offer.round_entry.entry.application_id):
            baseline(exchange, m)
    return leases


@pytest.fixture
def children(monkeypatch):
    """The sending processes the runs start."""
    started = []

    class Recorded(sending.ProcessSender):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(sending, "ProcessSender", Recorded)
    return started


def test_a_committed_run_stopped_with_alerts_in_flight_asks_no_department_twice(exchange, committed_households,
                                                                                  children):
    from applications.models import CheckResult

    assert not connection.in_atomic_block  # the threaded path, as in production
    first = services.monitoring_run(chunk=1)
    assert first.finished and first.households == 3 and first.alerts == 0
    assert len(children) == 1 and children[0].pid != os.getpid()  # the requests went from a child

    gone = members_of(committed_households[0].offer.round_entry.entry.application_id)[0]
    exchange.add("death", gone.id_number, {"deceased": True, "died_on": timezone.localdate().isoformat()})
    recorder = Recorder(exchange)
    stops = {"n": 0}

    def crash(where):
        # the second chunk's answers are stored while the first chunk's alerts are on their thread
        if where == "after_checks":
            stops["n"] += 1
            if stops["n"] == 2:
                raise RuntimeError("worker killed")

    with at(timezone.localdate() + timedelta(days=40)):
        with mock.patch.object(services, "_crash_point", crash), pytest.raises(RuntimeError):
            services.monitoring_run(chunk=1)
        run = MonitoringRun.objects.order_by("-period").first()
        # the first chunk's alerts were being written when the second chunk stopped: they are kept,
        # but its cursor did not move (both chunks are done again)
        assert run.finished_at is None and run.cursor == 0 and run.households == 0
        assert MonitoringAlert.objects.filter(run=run).count() == 1
        report = services.monitoring_run(chunk=1)
        assert report.finished and report.alerts == 1

    run.refresh_from_db()
    assert run.finished_at is not None and run.households == 3 and run.alerts == 1
    assert recorder.asked and max(recorder.asked.values()) == 1, "a department was asked twice about someone"
    people = {m.id_number for lease in committed_households
              for m in members_of(lease.offer.round_entry.entry.application_id)}
    assert len(recorder.asked) == len(people) * 6  # every member, every department, once this month
    alert = MonitoringAlert.objects.get()
    assert (alert.kind, alert.lease_id, alert.member_name) == ("death", committed_households[0].pk, gone.name)
    assert alert.status_changes.count() == 1
    assert CheckResult.objects.filter(is_current=True, department="death", status="fail").count() == 1


def test_a_run_whose_sending_process_is_killed_stops_and_the_next_finishes_the_month(exchange, committed_households,
                                                                                      children):
    from applications.models import CheckResult

    exchange.latency_ms = 300  # the next chunk's batches are at the exchange when the child dies

    def kill_the_child(where):
        if where == "after_checks" and not hasattr(kill_the_child, "done"):
            kill_the_child.done = True
            os.kill(children[0].pid, signal.SIGKILL)

    with mock.patch.object(services, "_crash_point", kill_the_child), pytest.raises(sending.SenderGone,
                                                                                   match="查询进程意外退出"):
        services.monitoring_run(chunk=1)
    run = MonitoringRun.objects.get()
    assert run.finished_at is None and run.households < 3  # the chunks after the kill are not counted

    report = services.monitoring_run(chunk=1)

    assert report.finished and len(children) == 2
    run.refresh_from_db()
    assert run.finished_at is not None and run.households == 3
    people = {m.id_number for lease in committed_households
              for m in members_of(lease.offer.round_entry.entry.application_id)}
    answered = CheckResult.objects.filter(is_current=True, queried_at__gte=run.started_at)
    assert answered.count() == len(people) * 6 and set(answered.values_list("status", flat=True)) == {"pass"}
