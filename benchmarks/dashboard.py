"""Benchmark of the statistics dashboard (issue 17) at city scale, on PostgreSQL.

    python -m benchmarks.dashboard                          # 1 000 000 applications, 200 000 leases, 100 000 grants
    python -m benchmarks.dashboard --no-snapshot            # first also with the as-of-today figures read live
    python -m benchmarks.dashboard --applications 200000 --leases 40000 --grants 20000 --repeats 10

1. Generates, by INSERT … SELECT generate_series: N applications over the nine districts and two years (their
   households; those older than 60 days decided — approved 5 in 6 — with the status change of the decision,
   the younger ones open); 200 000 units with leases, twelve monthly bills each (one in twenty unpaid) and a
   payment for each bill paid; 100 000 subsidy grants with their monthly payments (their batches and
   computations); waitlist entries with allocations, annual reviews, closed exits, feedback and ratings.
   Kept between runs: the rows are made only when fewer exist.
2. Excel: the per-application processing export (gongzufang/dashboard/excel.py, write-only workbook into a
   temporary file) of 100 000 rows, with the growth of the peak RSS printed (ru_maxrss before and after).
3. The monthly aggregate's job (ADR 0016), timed: its first run (every closed month) and a second (nothing
   changed, nothing redone); then the year's dashboard computed all live once, for comparison; then the
   as-of-today snapshot's job (arrears, overdue applications, waitlist, units by status …), timed.
4. Dashboard: the year's report for every district, as /admin/statistics/?period=year builds it
   (statistics.report: closed months from the aggregate, the current month live, + the tables and the
   charts' data), repeated; p50/p95 printed beside the floor: the very SQL statements the dashboard sent,
   captured once and run again raw through the cursor. Goal: p95 ≤ 300 ms and ≤ 3× the floor. The figures
   from the aggregate are compared with the all-live ones. The load average is printed before and after.

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_stats_bench), created and
migrated when missing; the name must end in "_bench". Nothing here runs in `make test`.
"""

import argparse
import os
import platform
import resource
import time
from datetime import date, timedelta

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
        # Day offsets over two years; submitted in the last 60 days: still open (at district review, due 20 days
        # after), else decided (approved 5 in 6, rejected 1 in 6).
        cursor.execute("""
            INSERT INTO applications_application (
                number, assistance_type, category, housing_type, housing_address, vehicle_count, vehicle_value,
                business_count, business_capital, property_sold_recently, assets_note, consent_version, status,
                completed_sections, returned_from, submitted_at, accepted_at, step_paused_workdays,
                total_paused_workdays, decided_at, created_at, updated_at, applicant_id, district_id,
                household_id, deadline_provisional, processing_workdays, rejected_from, step_due_on)
            SELECT 'SB' || lpad(h.i::text, 10, '0'), 'unit', 'low_income', 'private_rent', '', 0, 0, 0, 0, false,
                   '', 'v1',
                   CASE WHEN s.open THEN 'district_review' WHEN h.i %% 6 = 0 THEN 'rejected' ELSE 'approved' END,
                   '[]'::jsonb, '', s.at - s.took, s.at - s.took,
                   0, 0,
                   CASE WHEN NOT s.open THEN s.at END,
                   s.at, s.at, %s, (%s::bigint[])[1 + h.i %% 9], h.id, false,
                   CASE WHEN NOT s.open THEN 3 + h.i %% 28 END, '',
                   CASE WHEN s.open THEN (s.at + interval '20 day')::date END
            FROM bench_households h,
                 LATERAL (SELECT (%s::date - ((h.i::bigint * 7919) %% 730) * interval '1 day'
                                  + interval '9 hour')::timestamptz AS at,
                                 (h.i::bigint * 7919) %% 730 < 60 AS open,
                                 (3 + h.i %% 28) * interval '1.4 day' AS took) s""",
                       [applicant.pk, districts, today])
        cursor.execute("""
            INSERT INTO applications_applicationstatuschange
                (from_status, to_status, actor_level, opinion, created_at, application_id)
            SELECT 'city_review', status, 'city', '', decided_at, id FROM applications_application
            WHERE number LIKE 'SB%%' AND decided_at IS NOT NULL""")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE applications_application")
        cursor.execute("VACUUM ANALYZE applications_applicationstatuschange")
    print(f"已生成 {n} 件申请（其中约 60% 已决定）及其决定记录：{time.perf_counter() - started:.1f} 秒")


SCALE = {"leases": 200_000, "grants": 100_000, "waitlist": 50_000, "reviews": 150_000, "exits": 5_000,
         "feedback": 50_000, "ratings": 50_000, "vacant_units": 20_000}


def generate_rest(today, *, leases, grants, months=12):
    """Units and leases with `months` monthly bills each and the payments of the bills paid; subsidy grants
    with their monthly payments (batches and computations as their keys need); waitlist entries with the
    allocations' status changes; annual reviews, closed exits, feedback and ratings — all by
    INSERT … SELECT generate_series, in one transaction."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from gongzufang.models import User
    from gongzufang.parameters import EXIT_GROUNDS

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM rent_lease WHERE number LIKE 'BL%%'")
        if cursor.fetchone()[0] >= leases:
            print(f"已有 {leases} 份基准租赁合同及账单、补贴等，沿用")
            return
    tenant = User.objects.get(username="bench-stats-applicant")
    lease_type = ContentType.objects.get(app_label="rent", model="lease").pk
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows reference only rows made here or existing ones: skip the deferred foreign-key checks at
        # commit (millions of them took longer than the inserts).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM gongzufang_district")
        districts = cursor.fetchone()[0]
        cursor.execute("""
            INSERT INTO housing_estate (name, address, description, facilities, rent_per_sqm, is_published,
                                        created_at, updated_at, district_id, built_year,
                                        street_id)
            SELECT '基准小区', '基准地址', '', '', 10, true, now(), now(), d, 2000,
                   (SELECT min(s.id) FROM gongzufang_street s WHERE s.district_id = d)
            FROM unnest(%s::bigint[]) d
            ON CONFLICT DO NOTHING""", [districts])
        cursor.execute("""
            INSERT INTO housing_building (name, floors, has_lift, estate_id, updated_at)
            SELECT '1 栋', 30, true, e.id, now() FROM housing_estate e WHERE e.name = '基准小区'
            ON CONFLICT DO NOTHING""")
        units = leases + SCALE["vacant_units"]
        cursor.execute("""
            INSERT INTO housing_unit (number, floor, area, bedrooms, layout, orientation, has_lift, furnished,
                                      rent_per_sqm, monthly_rent, status, listing, published_at, floor_plan,
                                      description, created_at, updated_at, building_id, district_id, estate_id)
            SELECT 'BU' || i, 1 + i %% 30, 50, 2, '', '', true, false, 10, 500 + i %% 500,
                   CASE WHEN i <= %s THEN 'occupied' ELSE 'vacant' END, 'unlisted', NULL, '', '', now(), now(),
                   b.id, e.district_id, e.id
            FROM generate_series(1, %s) i
            JOIN housing_estate e ON e.name = '基准小区' AND e.district_id = (%s::bigint[])[1 + i %% 9]
            JOIN housing_building b ON b.estate_id = e.id""", [leases, units, districts])
        cursor.execute("""
            INSERT INTO rent_lease (number, tenant_name, category, household_size, start_on, end_on, term_years,
                                    area, rent_per_sqm, coefficient, monthly_rent, deposit_months, deposit,
                                    parameters_used, status, contract_pdf, contract_sha256, verification_code,
                                    issued_at, signed_at, signed_user_agent, signed_phone, signed_pdf_sha256,
                                    arrears_months, arrears_amount, created_at, updated_at, district_id,
                                    tenant_id, unit_id)
            SELECT 'BL' || substr(u.number, 3), '基准承租人', 'low_income', 2, %s::date, %s::date + 1095, 3,
                   50, 10, 1, u.monthly_rent, 2, u.monthly_rent * 2, '{}'::jsonb, 'active', '', '',
                   'BLV' || substr(u.number, 3), %s::date, %s::date, '', '', '', 0, 0, now(), now(),
                   u.district_id, %s, u.id
            FROM housing_unit u WHERE u.number LIKE 'BU%%' AND u.status = 'occupied'""",
                       [first, first, first, first, tenant.pk])
        # Bills: one a month; due on the 15th; most paid (on a day of the month derived from the lease),
        # one in twenty left unpaid, and those not yet due unpaid.
        cursor.execute("""
            INSERT INTO rent_bill (period, period_start, period_end, days, days_in_period, monthly_rent, amount,
                                   amount_paid, due_on, status, paid_at, created_at, updated_at, district_id,
                                   tenant_id, lease_id, lines, note)
            SELECT p.period, p.period, (p.period + interval '1 month' - interval '1 day')::date, 30, 30,
                   l.monthly_rent, l.monthly_rent,
                   CASE WHEN x.paid THEN l.monthly_rent ELSE 0 END,
                   p.period + 14, CASE WHEN x.paid THEN 'paid' ELSE 'unpaid' END,
                   CASE WHEN x.paid THEN (p.period + (l.id %% 14)::int + interval '10 hour')::timestamptz END,
                   now(), now(), l.district_id, l.tenant_id, l.id, '[]'::jsonb, ''
            FROM rent_lease l
            CROSS JOIN LATERAL (SELECT (%s::date + m * interval '1 month')::date AS period
                                FROM generate_series(0, %s) m) p
            CROSS JOIN LATERAL (SELECT (p.period + (l.id %% 14)::int < %s::date AND (l.id + extract(month FROM p.period)::int) %% 20 <> 0) AS paid) x
            WHERE l.number LIKE 'BL%%'""", [first, months - 1, today])
        cursor.execute("""
            INSERT INTO rent_payment (receipt_no, method, amount, bank_txn_id, paid_at, note, created_at,
                                      district_id, lease_id, tenant_id)
            SELECT 'BR' || b.id, 'online', b.amount, 'BT' || b.id, b.paid_at, '', b.paid_at, b.district_id,
                   b.lease_id, b.tenant_id
            FROM rent_bill b JOIN rent_lease l ON l.id = b.lease_id
            WHERE l.number LIKE 'BL%%' AND b.status = 'paid'""")
        # Subsidy grants on approved applications; one batch a district and month; one computation a grant.
        cursor.execute("""
            INSERT INTO subsidies_subsidygrant (number, holder_name, category, status, start_period, payable_from,
                                                status_reason, monthly_amount, approved_at, created_at,
                                                updated_at, applicant_id, application_id, district_id)
            SELECT 'BG' || a.id, '基准补贴家庭', 'low_income', 'active', %s::date, %s::date, '',
                   300 + a.id %% 300, a.decided_at, now(), now(), a.applicant_id, a.id, a.district_id
            FROM applications_application a
            WHERE a.number LIKE 'SB%%' AND a.status = 'approved' ORDER BY a.id LIMIT %s""",
                       [first, first, grants])
        cursor.execute("""
            INSERT INTO subsidies_subsidybatch (number, period, status, line_count, total_amount, built_through,
                                                paid_count, failed_count, paid_amount, result_sha256,
                                                created_at, updated_at, district_id)
            SELECT 'BB' || d || '-' || to_char(p, 'YYYYMM'), p, 'results_imported', 0, 0, 0, 0, 0, 0, '',
                   now(), now(), d
            FROM unnest(%s::bigint[]) d,
                 LATERAL (SELECT (%s::date + m * interval '1 month')::date AS p FROM generate_series(0, %s) m) ps
            ON CONFLICT DO NOTHING""", [districts, first, months - 1])
        cursor.execute("""
            INSERT INTO subsidies_grantcomputation (effective_from, category, members_counted, own_housing_area,
                   area_per_person, standard_per_sqm, coefficient, eligible_area, uncapped_amount, amount,
                   parameters, computed_on, created_at, grant_id)
            SELECT g.start_period, 'low_income', 2, 0, 15, 20, 1, 30, g.monthly_amount, g.monthly_amount,
                   '{}'::jsonb, g.start_period, now(), g.id
            FROM subsidies_subsidygrant g WHERE g.number LIKE 'BG%%'""")
        cursor.execute("""
            INSERT INTO subsidies_subsidypayment (period, amount, status, attempts, bank_reason, bank_txn_id,
                   paid_at, failed_at, created_at, updated_at, batch_id, computation_id, district_id, grant_id)
            SELECT b.period, g.monthly_amount, CASE WHEN x.paid THEN 'paid' ELSE 'failed' END, 1,
                   CASE WHEN x.paid THEN '' ELSE '账户已销户' END, '',
                   CASE WHEN x.paid THEN b.period + interval '20 day' END,
                   CASE WHEN x.paid THEN NULL ELSE b.period + interval '20 day' END,
                   now(), now(), b.id, c.id, g.district_id, g.id
            FROM subsidies_subsidygrant g
            JOIN subsidies_grantcomputation c ON c.grant_id = g.id
            JOIN subsidies_subsidybatch b ON b.district_id = g.district_id AND b.number LIKE 'BB%%'
                                          AND b.period + 20 < %s::date
            CROSS JOIN LATERAL (SELECT (g.id + extract(month FROM b.period)::int) %% 25 <> 0 AS paid) x
            WHERE g.number LIKE 'BG%%'""", [today])
        # Waitlist: approved applications without a grant; one in five allocated (with its status change).
        cursor.execute("""
            INSERT INTO allocation_waitlistentry (application_number, number, priority_group, group_rank,
                   qualified_on, household_size, max_bedrooms, refusals, leave_reason,
                   status, created_at, updated_at, application_id, district_id)
            SELECT a.number, 'BW' || a.id, 'general', 1, a.decided_at::date, 2, 2, 0, '',
                   CASE WHEN a.id %% 5 = 0 THEN 'allocated' ELSE 'waiting' END, now(), now(), a.id, a.district_id
            FROM applications_application a
            WHERE a.number LIKE 'SB%%' AND a.status = 'approved'
              AND NOT EXISTS (SELECT 1 FROM subsidies_subsidygrant g WHERE g.application_id = a.id)
            ORDER BY a.id LIMIT %s""", [SCALE["waitlist"]])
        cursor.execute("""
            INSERT INTO allocation_waitlistentrystatuschange (from_status, to_status, actor_level, opinion,
                                                              created_at, entry_id)
            SELECT 'waiting', 'allocated', 'district', '',
                   %s::date - ((w.id * 7919) %% 365) * interval '1 day' + interval '11 hour', w.id
            FROM allocation_waitlistentry w WHERE w.number LIKE 'BW%%' AND w.status = 'allocated'""", [today])
        # Annual reviews of leases this year (one in twenty overdue); closed exits; feedback; ratings.
        cursor.execute("""
            INSERT INTO tenancy_annualreview (holder_name, number, year, anniversary, opens_on, due_on, status,
                   no_change, declaration, changes, outcome, outcome_note, adjustment, decided_at,
                   created_at, updated_at, application_id, district_id, holder_id, lease_id)
            SELECT '基准承租人', 'BN' || l.id, %s, x.day, x.day - 30, x.day + 30,
                   CASE WHEN l.id %% 20 = 0 THEN 'overdue' ELSE 'decided' END, true, '{}'::jsonb, '{}'::jsonb,
                   CASE WHEN l.id %% 20 = 0 THEN '' ELSE 'continue' END, '', '{}'::jsonb,
                   CASE WHEN l.id %% 20 = 0 THEN NULL ELSE x.day + interval '10 hour' END,
                   now(), now(), (SELECT min(id) FROM applications_application), l.district_id, l.tenant_id, l.id
            FROM rent_lease l
            CROSS JOIN LATERAL (SELECT %s::date - ((l.id * 7919) %% 330)::int AS day) x
            WHERE l.number LIKE 'BL%%' ORDER BY l.id LIMIT %s""", [today.year, today, SCALE["reviews"]])
        cursor.execute("""
            INSERT INTO tenancy_exitcase (holder_name, number, ground, origin, facts, status, statement, condition,
                   damage, water_meter, electricity_meter, gas_meter, deposit, deductions_total, refund_amount,
                   refund_reference, refund_account_name, refund_account_no, refund_account_last4,
                   close_note, closed_at, created_at, updated_at, application_id, district_id,
                   holder_id, lease_id)
            SELECT '基准承租人', 'BX' || l.id, (%s::text[])[1 + l.id %% %s], 'review', '基准', 'closed', '', '',
                   '', '', '', '', 0, 0, 0, '', '', '', '', '',
                   %s::date - ((l.id * 7919) %% 700) * interval '1 day' + interval '15 hour',
                   now(), now(), (SELECT min(id) FROM applications_application), l.district_id, l.tenant_id, l.id
            FROM rent_lease l WHERE l.number LIKE 'BL%%' ORDER BY l.id DESC LIMIT %s""",
                       [list(EXIT_GROUNDS), len(EXIT_GROUNDS), today, SCALE["exits"]])
        cursor.execute("""
            INSERT INTO complaints_feedback (number, kind, category, text, contact_name, contact_phone,
                   anonymous_to_staff, channel, hotline_reference, status, handling_level, submitted_at,
                   reply_due, reply_due_provisional, reply, replied_at, updated_at, district_id)
            SELECT 'BF' || i, (ARRAY['complaint','suggestion','consultation','repair'])[1 + i %% 4], 'other',
                   '基准', '', '', false, 'web', '', CASE WHEN i %% 10 = 0 THEN 'submitted' ELSE 'replied' END,
                   'district', x.at, (x.at + interval '15 day')::date, false, '',
                   CASE WHEN i %% 10 = 0 THEN NULL ELSE x.at + interval '3 day' END, now(),
                   (%s::bigint[])[1 + i %% 9]
            FROM generate_series(1, %s) i,
                 LATERAL (SELECT (%s::date - ((i::bigint * 7919) %% 730) * interval '1 day'
                                  + interval '14 hour')::timestamptz AS at) x""",
                       [districts, SCALE["feedback"], today])
        cursor.execute("""
            INSERT INTO complaints_servicerating (service, subject_id, score, comment, created_at, district_id,
                                                  rater_id, subject_type_id)
            SELECT 'lease', l.id, 1 + l.id %% 5, '', %s::date - ((l.id * 7919) %% 700) * interval '1 day'
                   + interval '16 hour', l.district_id, l.tenant_id, %s
            FROM rent_lease l WHERE l.number LIKE 'BL%%' ORDER BY l.id LIMIT %s""",
                       [today, lease_type, SCALE["ratings"]])
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would after such a load: the visibility map lets index-only scans skip the heap.
        for table in ("housing_unit", "rent_lease", "rent_bill", "rent_payment", "subsidies_subsidygrant",
                      "subsidies_subsidypayment", "allocation_waitlistentry", "allocation_waitlistentrystatuschange",
                      "tenancy_annualreview", "tenancy_exitcase", "complaints_feedback", "complaints_servicerating"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"已生成租赁合同、账单、缴费、补贴、轮候、年审、退出和投诉评价：{time.perf_counter() - started:.1f} 秒")


def other_tables():
    """Say which of the second half's tables exist (leases, grants, bills, payments) and how many rows."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in ("rent_lease", "rent_bill", "rent_payment", "subsidies_subsidygrant",
                      "subsidies_subsidypayment", "allocation_waitlistentry", "tenancy_annualreview",
                      "tenancy_exitcase", "complaints_feedback", "complaints_servicerating"):
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


def dashboard_once(user, start, end, *, live=False):
    """The dashboard's figures as /admin/statistics/ builds them (without its one-minute cache)."""
    from gongzufang import statistics
    from gongzufang.statistics_tables import charts, report_tables

    summary, trend = statistics.report(start=start, end=end, principal=user, live=live)
    tables = report_tables(summary, trend)
    return summary, charts(tables)


def refresh_aggregate(today):
    """The beat job's first run (every closed month), then a second run (nothing changed: nothing redone)."""
    from gongzufang.dashboard.models import MonthlyFigure
    from gongzufang.dashboard.monthly import refresh_monthly_figures

    started = time.perf_counter()
    done = refresh_monthly_figures(today)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = refresh_monthly_figures(today)
    second = time.perf_counter() - started
    print(f"月度汇总任务：首次 {first:.1f} 秒（重算 {sum(done.values())} 个指标月），"
          f"再次 {second:.1f} 秒（重算 {sum(again.values())} 个），汇总表 {MonthlyFigure.objects.count()} 行")


def refresh_current(today):
    """The as-of-today snapshot's beat job (every five minutes in production), timed."""
    from gongzufang.dashboard.current import refresh_current_figures

    started = time.perf_counter()
    done = refresh_current_figures(today)
    print(f"当前状况快照任务：{time.perf_counter() - started:.2f} 秒（{len(done)} 个指标，{sum(done.values())} 行）")


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
    """The statements run raw `repeats` times: (total times, {statement index: its median time})."""
    from django.db import connection

    times, each = [], [[] for _ in statements]
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for i, sql in enumerate(statements):
                began = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                each[i].append(time.perf_counter() - began)
        times.append(time.perf_counter() - started)
    return times, {i: _percentile(t, 50) for i, t in enumerate(each)}


def measure(user, start, end, repeats, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dashboard_once(user, start, end)  # warm: connection, plans, caches
    with CaptureQueriesContext(connection) as captured:
        summary, _charts = dashboard_once(user, start, end)
    statements = [q["sql"] for q in captured.captured_queries]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        dashboard_once(user, start, end)
        times.append(time.perf_counter() - started)
    floor, each = floor_of(statements, repeats)
    p50, p95 = _percentile(times, 50) * 1000, _percentile(times, 95) * 1000
    f50, f95 = _percentile(floor, 50) * 1000, _percentile(floor, 95) * 1000
    total = summary.total
    print(f"仪表盘（{today.year} 年，全部 {len(summary.districts)} 个区县）：{len(statements)} 条查询；"
          f"申请提交 {total.applications_submitted}，审核通过 {total.applications_approved}，"
          f"作出决定 {total.decided}，平均用时 {total.average_processing_workdays}，"
          f"90% 分位 {total.p90_processing_workdays}；缴租户 {total.households_paid_rent}，"
          f"收缴率 {total.rent_collection_rate}%，补贴户 {total.households_paid_subsidy}，"
          f"补贴金额 {total.subsidy_paid_amount}，年审 {total.annual_reviews_done}，配租 {total.allocations}")
    print(f"  仪表盘 p50 {p50:.0f} ms，p95 {p95:.0f} ms（目标 ≤ 300 ms）")
    print(f"  同样 SQL 直接执行（下限）p50 {f50:.0f} ms，p95 {f95:.0f} ms；p95 之比 {p95 / f95:.2f}×（目标 ≤ 3×）")
    print("  最慢的 5 条（中位数）：")
    for i in sorted(each, key=each.get, reverse=True)[:5]:
        print(f"    {each[i] * 1000:.0f} ms  {' '.join(statements[i].split())[:160]}")
    return summary


# Indexes an earlier version of this benchmark added by hand; the apps' migrations now make them
# (rent 0005, subsidies 0002, tenancy 0004), so any left in a kept bench database are dropped.
OLD_BENCH_INDEXES = ("bench_payment_paid_at", "bench_bill_due_on", "bench_bill_due_on2", "bench_subsidypayment_period",
                     "bench_review_decided_at", "bench_exit_closed_at")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--export-rows", type=int, default=100_000, help="0: no Excel export")
    parser.add_argument("--leases", type=int, default=200_000)
    parser.add_argument("--grants", type=int, default=100_000)
    parser.add_argument("--generate-only", action="store_true", help="generate the rows and stop")
    parser.add_argument("--skip-live", action="store_true", help="do not time the all-live dashboard once")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="measure with the as-of-today figures read live (no snapshot), for comparison")
    args = parser.parse_args()
    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for name in OLD_BENCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    today = timezone.localdate()
    print(f"Python {platform.python_version()}，PostgreSQL {connection.cursor().connection.server_version}，"
          f"CPU {os.cpu_count()} 核")
    generate(args.applications, today)
    generate_rest(today, leases=args.leases, grants=args.grants)
    for table, count in other_tables().items():
        print(f"  {table}: {'表不存在' if count is None else f'{count} 行'}")
    if args.generate_only:
        return
    user = city_caseworker()

    if args.export_rows:
        written, seconds, growth, size = excel_export(user, args.export_rows)
        print(f"Excel 导出 {written} 行：{seconds:.2f} 秒，文件 {size / 1e6:.1f} MB，峰值 RSS 增长 {growth:.1f} MB")

    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    print(f"负载（uptime）：{os.getloadavg()}")
    refresh_aggregate(today)
    if not args.skip_live:
        started = time.perf_counter()
        live_summary, _charts = dashboard_once(user, start, end, live=True)
        print(f"不用汇总表、全部实时查询一次：{(time.perf_counter() - started) * 1000:.0f} ms")
    from gongzufang.dashboard.models import CurrentState

    CurrentState.objects.all().delete()
    if args.no_snapshot:
        print("当前状况指标实时查询（不用快照）：")
        summary = measure(user, start, end, args.repeats, today)
    refresh_current(today)
    print("当前状况指标读快照（ADR 0016 第二次修订）：")
    summary = measure(user, start, end, args.repeats, today)
    if summary.current_as_of is None:
        print("  快照未被使用！")
    if not args.skip_live:
        from dataclasses import asdict

        same = all(asdict(a) == asdict(b) for a, b in zip([*summary.districts, summary.total],
                                                          [*live_summary.districts, live_summary.total], strict=True))
        print(f"  汇总表所得与全部实时查询所得{'完全一致' if same else '不一致！'}")
    print(f"负载（uptime）：{os.getloadavg()}")


if __name__ == "__main__":
    main()
