"""Benchmark of the monthly monitoring run (动态监管) through the simulated exchange, on PostgreSQL.

    python -m benchmarks.monitoring                          # 100 000 subsidy households, 20 ms latency
    python -m benchmarks.monitoring --households 10000 --chunk 2500

1. Starts the simulated exchange in a subprocess (as benchmarks/crosscheck.py: `run_exchange --generate`).
2. The floor: requests/s the exchange answers for minimal queries with as many threads in flight as the
   runner uses, through the same client (`benchmarks.crosscheck.measure_floor`).
3. Creates N active households (approved applications with 2–3 members and an active subsidy grant
   each, bulk rows), then times `tenancy.services.monitoring_run` over all of them: every household
   against the six departments whose facts change, in chunks through the cross-check runner.
4. Prints households/s and department requests/s beside the floor (goal: ≥ 0.5 × floor).

Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_tenancy_bench), flushed on
every run; the name must end in "_bench".
"""

import argparse
import os
import platform
import time

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_tenancy_bench"


def make_grants(app_ids):
    from django.utils import timezone

    from applications.models import Application
    from subsidies.models import SubsidyGrant

    Application.objects.filter(pk__in=app_ids).update(status="approved", assistance_type="subsidy")
    today = timezone.localdate()
    rows = Application.objects.filter(pk__in=app_ids).values_list("pk", "applicant_id", "district_id", "category")
    SubsidyGrant.objects.bulk_create(
        [SubsidyGrant(number=f"BT{pk:010d}", application_id=pk, applicant_id=user, holder_name="基准户", district_id=d,
                      category=c, start_period=today.replace(day=1, year=today.year - 1),
                      payable_from=today.replace(day=1, year=today.year - 1), approved_at=timezone.now())
         for pk, user, d, c in rows], batch_size=5000)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2500)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--floor-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from applications.crosscheck import runner as crosscheck
    from benchmarks.crosscheck import create_applications, measure_floor, start_exchange
    from tenancy import services
    from tenancy.models import MonitoringRun

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    threads = crosscheck.concurrency()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"PostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
          f"latency {args.latency_ms} ms · {threads} requests in flight · chunks of {args.chunk}")
    proc, url = start_exchange(args.latency_ms)
    try:
        settings.EXCHANGE_URL = url
        settings.EXCHANGE_TIMEOUT_SECONDS = 10.0
        floor = measure_floor(url, threads, args.floor_seconds)
        print(f"floor: {floor:.0f} requests/s (1 ID number each, {args.floor_seconds:g} s)")
        started = time.perf_counter()
        ids, members = create_applications(args.households, args.seed)
        make_grants(ids)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"created {len(ids)} subsidy households, {members} members in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        report = services.monitoring_run(chunk=args.chunk)
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    run = MonitoringRun.objects.get()
    assert run.finished_at is not None and run.households == len(ids)
    rate = report.requests / elapsed
    print(f"\nmonitoring: {report.households} households, {report.requests} department requests, "
          f"{report.queried} answers, {report.alerts} alerts in {elapsed:.1f} s")
    print(f"  {report.households / elapsed:8.0f} households/s")
    print(f"  {rate:8.0f} department requests/s")
    print(f"  {floor:8.0f} requests/s floor")
    print(f"  {rate / floor:8.2f} × floor (goal ≥ 0.50)")


if __name__ == "__main__":
    main()
