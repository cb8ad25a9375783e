"""The month's bill run on real Redis and PostgreSQL: a real Celery worker (solo pool) is killed in
the middle of the run; running the month again makes every missing bill and no second one."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from gongzufang.celery import app
from rent.models import Bill, BillingRun
from tests.rent.bulk import active_leases

ROOT = Path(__file__).resolve().parents[2]
PERIOD = date(2026, 5, 1)
LEASES = 240


LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "gzf-bill-worker.log"


def _worker(queue):
    db = connection.settings_dict
    env = os.environ.copy()
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gongzufang", "worker", "--pool=solo", "-Q", queue, "--prefetch-multiplier=1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=LOG.open("a"), stderr=subprocess.STDOUT)


def _stop(worker, sig=signal.SIGTERM):
    if worker.poll() is None:
        worker.send_signal(sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait(predicate, timeout=120.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL：真实 Redis 与真实 worker")
def test_a_worker_killed_mid_run_and_the_month_run_again_gives_every_bill_once(on_postgres, settings):
    from rent.billing.tasks import bills_make_month

    ids = active_leases(LEASES, prorated_every=7)
    queue = f"bills-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    worker = _worker(queue)
    try:
        # The beat job's own work (splitting the month and sending the chord) is done here; the chunks
        # and the chord's callback go to the worker's queue.
        assert bills_make_month(PERIOD.isoformat(), 1, queue) == LEASES  # 240 chunks of one lease
        assert _wait(lambda: Bill.objects.filter(period=PERIOD).count() >= 20, timeout=300), \
            f"the worker made no bills (its log: {LOG})"
        worker.send_signal(signal.SIGKILL)  # in the middle of the run, no clean shut-down
        worker.wait(timeout=20)
        made = Bill.objects.filter(period=PERIOD).count()
        assert 0 < made < LEASES, f"the kill came too late to be mid-run ({made} bills)"
        assert BillingRun.objects.get(period=PERIOD).finished_at is None

        worker = _worker(queue)  # a new worker, and the month's job once more
        assert bills_make_month(PERIOD.isoformat(), 16, queue) == LEASES // 16
        assert _wait(lambda: Bill.objects.filter(period=PERIOD).count() == LEASES
                     and BillingRun.objects.get(period=PERIOD).finished_at is not None, timeout=300), \
            f"the run did not finish (the worker's log: {LOG})"
        time.sleep(1.0)  # chunks of the first run still queued finish too, and add nothing
    finally:
        _stop(worker)
        app.conf.task_always_eager = True
    bills = Bill.objects.filter(period=PERIOD)
    assert bills.count() == LEASES
    assert sorted(bills.values_list("lease_id", flat=True)) == sorted(ids)  # none missing
    assert not bills.values("lease_id").annotate(n=Count("pk")).filter(n__gt=1).exists()  # none twice
