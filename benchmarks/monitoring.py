"""Benchmark of the monthly monitoring run (动态监管) through the simulated exchange, on PostgreSQL.

    python -m benchmarks.monitoring                          # 100 000 subsidy households, 20 ms latency
    python -m benchmarks.monitoring --households 10000 --months 1

1. Starts the simulated exchange in a subprocess (as benchmarks/crosscheck.py: `run_exchange --generate`).
2. The floor, exactly as benchmarks/crosscheck.py measures it (`measure_floor`): requests/s the exchange
   answers for minimal queries (one ID number each) with as many threads in flight as the runner uses
   (`EXCHANGE_CONCURRENCY`), through the same client, doing nothing else.
3. Creates N active households in SQL (one template row per table cloned by `INSERT … SELECT
   generate_series`: households, approved applications, active subsidy grants; the 2–3 members each
   by COPY, their ID numbers encrypted in Python), then times `tenancy.services.monitoring_run` over
   all of them: every member against the six departments whose facts change, in chunks through the
   cross-check runner, each answer compared with the member's previous one.
4. Month 1 has no previous answers (every answer a new row); before month 2 the first month's answers
   and run are moved 31 days back (past the freshness window), so month 2 asks every department again
   about everyone and compares every answer with the current one: the steady monthly case. The
   generated records do not change, so every month-2 answer is "still true" — the current row's date
   moves, no row is added (ADR 0006).
5. Prints, per month, households/s and department requests/s beside the floor (the goal: requests/s ≥
   0.5 × floor, the ratio benchmarks/crosscheck.py prints: a monitoring request carries a batch of up
   to 100 ID numbers, the floor's one), CPU seconds of the runner (and the process it sends its requests from), the exchange and the whole machine,
   and the load average before and after.

Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_ten_bench), flushed on
every run; the name must end in "_bench".
"""

import argparse
import os
import platform
import time

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_ten_bench"


def _clone_sql(model, template_id, source, replace):
    """INSERT … SELECT of copies of row `template_id` of `model`'s table, one per row g of `source`
    (a FROM item aliased g with a column g numbering the copies 1…N), the columns in `replace`
    computed by SQL expressions of g (the template row is t)."""
    from django.db import connection

    qn = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    values = [replace.get(c, f"t.{qn(c)}") for c in columns]
    return (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} t, {source} "
            f"WHERE t.id = {int(template_id)} ORDER BY g.g")


def create_households(n, seed):
    """N approved subsidy households with an active grant each and 2–3 members, written by SQL:
    one template row per table made through the ORM, cloned by `INSERT … SELECT generate_series`;
    the members (encrypted ID numbers, computed in Python: PostgreSQL has not the key) by COPY.
    Returns (application ids, members)."""
    import io
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from applications.models import Application, Household
    from benchmarks.crosscheck import id_numbers
    from gongzufang import pii
    from gongzufang.models import District, Street, User
    from subsidies.models import SubsidyGrant

    rng = random.Random(seed)
    today = timezone.localdate()
    started = today.replace(day=1, year=today.year - 1)
    street = Street.objects.filter(district__code="230602").order_by("code").first()
    district = District.objects.get(code="230602")
    with transaction.atomic(), connection.cursor() as cursor:
        applicant = User.objects.create(username="bench-applicant", real_name="基准申请人")
        household = Household.objects.create(applicant=applicant)
        app = Application.objects.create(number="BENCHTEMPLATE", applicant=applicant, household=household,
                                         assistance_type="subsidy", category="low_income", district=district,
                                         street=street, status="approved")
        grant = SubsidyGrant.objects.create(number="BTTEMPLATE", application=app, applicant=applicant,
                                            holder_name="基准户", district=district, category="low_income",
                                            start_period=started, payable_from=started, approved_at=timezone.now())
        cursor.execute(_clone_sql(Household, household.pk, f"generate_series(1, {int(n)}) g", {}))
        categories = ("ARRAY['low_income','low_income','lower_middle_income','minimum_living','new_graduate',"
                      "'migrant_worker','special']")
        numbered = "(SELECT id, row_number() OVER (ORDER BY id) AS g FROM {table} WHERE id > {after}) g"
        cursor.execute(_clone_sql(Application, app.pk, numbered.format(table="applications_household",
                                                                       after=household.pk), {
            "number": "'BENCH' || lpad(g.g::text, 8, '0')", "household_id": "g.id",
            "category": f"({categories})[1 + g.g % 7]"}) + " RETURNING id, household_id")
        apps = sorted(cursor.fetchall())
        cursor.execute(_clone_sql(SubsidyGrant, grant.pk, numbered.format(table="applications_application",
                                                                          after=app.pk), {
            "number": "'BT' || lpad(g.g::text, 10, '0')", "application_id": "g.id",
            "category": "(SELECT a.category FROM applications_application a WHERE a.id = g.id)"}))
        Application.objects.filter(pk=app.pk).update(status="withdrawn")
        SubsidyGrant.objects.filter(pk=grant.pk).update(status="stopped")
        sizes = [rng.choice((2, 2, 3)) for _ in range(n)]
        people = iter(id_numbers(sum(sizes), seed))
        buffer = io.StringIO()
        count = 0
        for (_app_id, household_id), size in zip(apps, sizes, strict=True):
            for k in range(size):
                number, born = next(people)
                buffer.write(f"{('self', 'spouse', 'child')[k]},成员{k},{pii.encrypt(number)},{pii.pii_hash(number)},"
                             f"{'male' if int(number[16]) % 2 else 'female'},{born.isoformat()},"
                             f"{'married' if k < 2 else 'unmarried'},\"\",1200,none,{k},{household_id}\n")
                count += 1
        buffer.seek(0)
        cursor.copy_expert("COPY applications_householdmember (relationship, name, id_number, id_number_hash, sex, "
                           "birth_date, marital_status, employer, monthly_income, disability, sort_order, "
                           "household_id) FROM STDIN WITH (FORMAT csv)", buffer)
    return [a for a, _h in apps], count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2500)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--floor-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--months", type=int, default=2, help="monthly runs (the second compares every answer)")
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from applications.crosscheck.sending import concurrency
    from benchmarks.crosscheck import _cpu_seconds, _machine_busy_seconds, measure_floor, start_exchange
    from tenancy import services
    from tenancy.models import MonitoringRun

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    threads = concurrency()
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
        ids, members = create_households(args.households, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"created {len(ids)} subsidy households, {members} members in {time.perf_counter() - started:.1f} s")
        results = []
        for month in range(1, args.months + 1):
            if month > 1:
                _a_month_later()
            load = os.getloadavg()
            cpu = (_cpu_seconds(os.getpid()), _cpu_seconds(proc.pid), _machine_busy_seconds(), _children_cpu_seconds())
            started = time.perf_counter()
            report = services.monitoring_run(chunk=args.chunk)
            elapsed = time.perf_counter() - started
            cpu = [b - a for a, b in zip(cpu, (_cpu_seconds(os.getpid()), _cpu_seconds(proc.pid),
                                                _machine_busy_seconds(), _children_cpu_seconds()), strict=True)]
            results.append((month, report, elapsed, load, os.getloadavg(), cpu))
            run = MonitoringRun.objects.order_by("-period").first()
            assert run.finished_at is not None and run.households == len(ids), (run.households, len(ids))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for month, report, elapsed, load_before, load_after, cpu in results:
        rate = report.requests / elapsed
        what = "first run (no previous answers)" if month == 1 else "a month later (every answer compared)"
        print(f"\nmonth {month}, {what}: {report.households} households, {report.requests} department requests, "
              f"{report.queried} answers ({report.queried - report.confirmed} new rows, {report.confirmed} "
              f"unchanged: the current row's date moved), {report.alerts} alerts in {elapsed:.1f} s "
              f"(load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)")
        print(f"  CPU seconds: runner {cpu[0]:.1f} + its sender process {cpu[3]:.1f}, exchange {cpu[1]:.1f}, "
              f"whole machine {cpu[2]:.1f} "
              f"(of wall {elapsed:.1f} × {os.cpu_count()} CPU; every process, PostgreSQL and others' work included)")
        print(f"  {report.households / elapsed:8.0f} households/s")
        print(f"  {rate:8.0f} department requests/s")
        print(f"  {floor:8.0f} requests/s floor")
        print(f"  {rate / floor:8.2f} × floor (goal ≥ 0.50)")


def _children_cpu_seconds():
    """CPU seconds of this process's children that have ended (the run's sender process, once closed;
    the exchange ends after the last month)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _a_month_later():
    """The previous month's run and answers moved 31 days back (past the freshness window), so the
    next run asks every department again and compares every answer with its predecessor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_checkresult SET queried_at = queried_at - interval '31 days', "
                       "first_queried_at = first_queried_at - interval '31 days', "
                       "created_at = created_at - interval '31 days'")
        cursor.execute("UPDATE tenancy_monitoringrun SET period = (period - interval '1 month')::date, "
                       "started_at = started_at - interval '31 days', finished_at = finished_at - interval '31 days'")
        cursor.execute("VACUUM ANALYZE applications_checkresult")


if __name__ == "__main__":
    main()
