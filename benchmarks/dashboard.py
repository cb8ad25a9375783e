"""Benchmark of the statistics dashboard (issue 17) at city scale, on PostgreSQL.

    python -m benchmarks.dashboard                          # 1 000 000 applications, 20 repeats
    python -m benchmarks.dashboard --applications 200000 --repeats 10

1. Generates N applications over the nine districts with bulk INSERT … SELECT generate_series (their
   households, one applicant; submitted over the last two years; about 60 % decided, approved or rejected,
   with a processing time of 3–30 working days and the status change that records the decision), and
   leases, subsidy grants and rent bills with payments if those apps' tables exist (see `--help` and the
   printed lines: what is generated is said). Kept between runs: the rows are made only when fewer exist.
2. Excel: the per-application processing export (gongzufang/dashboard/excel.py, write-only workbook into a
   temporary file) of 100 000 rows, with the growth of the peak RSS printed (ru_maxrss before and after).
3. Dashboard: the year's report for every district, as /admin/statistics/?period=year builds it
   (statistics.summary + statistics.trend + the tables and the charts' data), repeated; p50/p95 printed
   beside the floor: the very SQL statements the dashboard sent, captured once and run again raw through
   the cursor (the database's own time for the same figures). Goal: p95 ≤ 300 ms and ≤ 3× the floor.

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_stats_bench), created and
migrated when missing; the name must end in "_bench". Nothing here runs in `make test`.
"""

import argparse
import os
import platform
import resource
import time
from datetime import date

from benchmarks.run import _percentile, _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_stats_bench"


def _table_exists(cursor, name):
    cursor.execute("SELECT to_regclass(%s)", [name])
    return cursor.fetchone()[0] is not None


def generate(n, today):
    """N applications (and their households and decisions) by INSERT … SELECT generate_series."""
    from django.db import connection, transaction

    from gongzufang.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applications_application WHERE number LIKE 'SB%%'")
        have = cursor.fetchone()[0]
    if have >= n:
        print(f"已有 {have} 件基准申请，沿用")
        return
    applicant, _ = User.objects.get_or_create(username="bench-stats-applicant", defaults={"real_name": "基准申请人"})
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM gongzufang_district")
        districts = cursor.fetchone()[0]
        cursor.execute("DELETE FROM applications_applicationstatuschange WHERE application_id IN "
                       "(SELECT id FROM applications_application WHERE number LIKE 'SB%%')")
        cursor.execute("DELETE FROM applications_application WHERE number LIKE 'SB%%'")
        cursor.execute("CREATE TEMP TABLE bench_households (i int, id bigint) ON COMMIT DROP")
        cursor.execute("""
            WITH made AS (
                INSERT INTO applications_household (created_at, applicant_id)
                SELECT now(), %s FROM generate_series(1, %s) RETURNING id)
            INSERT INTO bench_households SELECT row_number() OVER (ORDER BY id), id FROM made""", [applicant.pk, n])
        # Day offsets over two years; i % 10 < 6: decided (approved 5 in 6), else still open.
        cursor.execute("""
            INSERT INTO applications_application (
                number, assistance_type, category, housing_type, housing_address, vehicle_count, vehicle_value,
                business_count, business_capital, property_sold_recently, assets_note, consent_version, status,
                completed_sections, returned_from, submitted_at, accepted_at, step_paused_workdays,
                total_paused_workdays, decided_at, created_at, updated_at, applicant_id, district_id,
                household_id, deadline_provisional, processing_workdays, rejected_from, step_due_on)
            SELECT 'SB' || lpad(h.i::text, 10, '0'), 'unit', 'low_income', 'private_rent', '', 0, 0, 0, 0, false,
                   '', 'v1',
                   CASE WHEN h.i %% 10 >= 6 THEN 'district_review' WHEN h.i %% 6 = 0 THEN 'rejected' ELSE 'approved' END,
                   '[]'::jsonb, '', s.at - s.took, s.at - s.took,
                   0, 0,
                   CASE WHEN h.i %% 10 < 6 THEN s.at END,
                   s.at, s.at, %s, (%s::bigint[])[1 + h.i %% 9], h.id, false,
                   CASE WHEN h.i %% 10 < 6 THEN 3 + h.i %% 28 END, '',
                   CASE WHEN h.i %% 10 >= 6 THEN (s.at + interval '20 day')::date END
            FROM bench_households h,
                 LATERAL (SELECT (%s::date - ((h.i::bigint * 7919) %% 730) * interval '1 day'
                                  + interval '9 hour')::timestamptz AS at,
                                 CASE WHEN h.i %% 10 < 6 THEN (3 + h.i %% 28) * interval '1.4 day'
                                      ELSE interval '0' END AS took) s""",
                       [applicant.pk, districts, today])
        cursor.execute("""
            INSERT INTO applications_applicationstatuschange
                (from_status, to_status, actor_level, opinion, created_at, application_id)
            SELECT 'city_review', status, 'city', '', decided_at, id FROM applications_application
            WHERE number LIKE 'SB%%' AND decided_at IS NOT NULL""")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
        cursor.execute("ANALYZE applications_applicationstatuschange")
    print(f"已生成 {n} 件申请（其中约 60% 已决定）及其决定记录：{time.perf_counter() - started:.1f} 秒")


def other_tables():
    """Say which of the second half's tables exist (leases, grants, bills, payments) and how many rows."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in ("rent_lease", "rent_rentbill", "rent_payment", "subsidies_subsidygrant",
                      "subsidies_subsidypayment", "allocation_waitlistentry"):
            if _table_exists(cursor, table):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed name)
                found[table] = cursor.fetchone()[0]
            else:
                found[table] = None
    return found


def city_caseworker():
    from gongzufang.models import User
    from gongzufang.models.users import Role

    user, _ = User.objects.get_or_create(username="bench-stats-city", defaults={
        "real_name": "基准市级经办人", "role": Role.CITY_CASEWORKER, "is_staff": True})
    return user


def dashboard_once(user, start, end):
    from gongzufang import statistics
    from gongzufang.statistics_tables import charts, report_tables

    summary = statistics.summary(start=start, end=end, principal=user)
    trend = statistics.trend(start=start, end=end, principal=user, today=summary.today)
    tables = report_tables(summary, trend)
    return summary, charts(tables)


def excel_export(user, rows):
    """The processing export limited to `rows` rows; returns (rows written, seconds, RSS growth in MB, bytes)."""
    import itertools
    import tempfile

    from gongzufang import statistics
    from gongzufang.dashboard import excel

    detail = statistics.DETAIL_EXPORTS["processing"]
    period = statistics.period_for(start=date(2000, 1, 1), end=date(2100, 1, 1), principal=user)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with tempfile.TemporaryFile() as handle:
        written = excel.write_rows(handle, detail.title, detail.columns,
                                   itertools.islice(detail.rows(period), rows))
        size = handle.tell()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return written, seconds, (after - before) / 1024, size


def floor_of(statements, repeats):
    from django.db import connection

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--export-rows", type=int, default=100_000)
    args = parser.parse_args()
    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    print(f"Python {platform.python_version()}，PostgreSQL {connection.cursor().connection.server_version}，"
          f"CPU {os.cpu_count()} 核")
    generate(args.applications, today)
    for table, count in other_tables().items():
        print(f"  {table}: {'表不存在' if count is None else f'{count} 行（本基准未生成）'}")
    user = city_caseworker()

    written, seconds, growth, size = excel_export(user, args.export_rows)
    print(f"Excel 导出 {written} 行：{seconds:.2f} 秒，文件 {size / 1e6:.1f} MB，峰值 RSS 增长 {growth:.1f} MB")

    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    dashboard_once(user, start, end)  # warm: connection, plans, caches
    with CaptureQueriesContext(connection) as captured:
        summary, _charts = dashboard_once(user, start, end)
    statements = [q["sql"] for q in captured.captured_queries]
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        dashboard_once(user, start, end)
        times.append(time.perf_counter() - started)
    floor = floor_of(statements, args.repeats)
    p50, p95 = _percentile(times, 50) * 1000, _percentile(times, 95) * 1000
    f50, f95 = _percentile(floor, 50) * 1000, _percentile(floor, 95) * 1000
    total = summary.total
    print(f"仪表盘（{today.year} 年，全部 {len(summary.districts)} 个区县）：{len(statements)} 条查询；"
          f"申请提交 {total.applications_submitted}，审核通过 {total.applications_approved}，"
          f"作出决定 {total.decided}，平均用时 {total.average_processing_workdays}，"
          f"90% 分位 {total.p90_processing_workdays}")
    print(f"  仪表盘 p50 {p50:.0f} ms，p95 {p95:.0f} ms（目标 ≤ 300 ms）")
    print(f"  同样 SQL 直接执行（下限）p50 {f50:.0f} ms，p95 {f95:.0f} ms；p95 之比 {p95 / f95:.2f}×（目标 ≤ 3×）")


if __name__ == "__main__":
    main()
