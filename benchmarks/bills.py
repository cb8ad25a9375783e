"""Benchmark of the month's rent bills (issue 14): 200,000 active leases billed by the real job — the
chord of chunk tasks over two real Celery workers (solo pool) on Redis and PostgreSQL — against the
floor, a raw `INSERT … SELECT` of the same rows in one statement.

The database is rebuilt from nothing on every run (migrations, then the leases bulk-inserted as
存量合同, each on a unit of its own; one in 20 starts mid-month so its bill is prorated by the job).
Then, for one period each:

- floor: `INSERT INTO rent_bill … SELECT … FROM rent_lease` (every bill a full month: the same number
  of rows, none of the job's work);
- the job: `rent.tasks.bills_make_month` sends the chunks; two workers take them; timed from sending
  to the last bill and the run marked finished;
- the job once more for the same period (nothing to add: the cost of a re-run after a crash).

It prints seconds, rows per second and the ratio to the floor. Nothing here runs in `make test`.

    python -m benchmarks.bills                      # 200,000 leases, chunks of 5,000, 2 workers
    python -m benchmarks.bills --leases 20000 --chunk 1000

BENCH_BILLS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_bench_bills) is dropped and
recreated, so its name must contain "bench"; REDIS_URL (default redis://127.0.0.1:6379/14) is the broker.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_bench_bills"
ROOT = Path(__file__).resolve().parents[1]


def _fresh_database(url, redis_url):
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"基准测试数据库名须含 bench（每次运行会删除重建）：{name}")
    os.environ.update(DATABASE_URL=url, DEBUG="false", REDIS_URL=redis_url, LEASE_SIGNING_DEV_PAIR="true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzufang.settings")
    import psycopg2

    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _workers(n, queue):
    env = os.environ.copy()
    return [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gongzufang", "worker", "--pool=solo", "-Q", queue,
         "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"{queue}-{i}@%h", "--loglevel=WARNING"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(n)]


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _explain_chunk(connection, billing, lo, hi):
    """EXPLAIN ANALYZE of a chunk's one statement, rolled back."""
    from django.db import transaction

    sql, params = billing.one_rent_sql(billing.rules_for(date(2026, 6, 1)), lo, hi)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return "\n".join("    " + line for line in lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leases", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the leases of the last run (same --leases), drop only its bills")
    args = parser.parse_args()
    url = os.environ.get("BENCH_BILLS_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    if args.reuse:
        os.environ.update(DATABASE_URL=url, DEBUG="false", REDIS_URL=redis_url, LEASE_SIGNING_DEV_PAIR="true")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzufang.settings")
    else:
        _fresh_database(url, redis_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gongzufang.celery import app
    from rent.billing.tasks import bills_make_month
    from rent.models import Bill, BillingRun, BillStatus, Lease, LeaseStatus
    from tests.rent.bulk import active_leases

    t0 = time.perf_counter()
    if args.reuse and Lease.objects.filter(status=LeaseStatus.ACTIVE).count() == args.leases:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Bill._meta.db_table} CASCADE")
        BillingRun.objects.all().delete()
        print(f"沿用上次写入的 {args.leases} 份合同，账单已清空")
    else:
        active_leases(args.leases, prorated_every=20, start_on=date(2026, 1, 1), batch=10_000)
        print(f"{args.leases} 份合同已写入（{time.perf_counter() - t0:.1f} s）")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # floor: one INSERT … SELECT of the same number of rows
    floor_period = date(2026, 2, 1)
    bill, lease = Bill._meta.db_table, Lease._meta.db_table
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {bill} (lease_id, tenant_id, district_id, period, period_start, period_end, days, "
            f"days_in_period, monthly_rent, amount, amount_paid, due_on, status, lines, note, created_at, updated_at) "
            f"SELECT id, tenant_id, district_id, %s, %s, %s, 28, 28, monthly_rent, monthly_rent, 0, %s, %s, '[]'::jsonb, "
            f"'', now(), now() "
            f"FROM {lease} WHERE status = %s",
            [floor_period, floor_period, date(2026, 2, 28), date(2026, 2, 10), BillStatus.UNPAID, LeaseStatus.ACTIVE])
        floor_rows = cursor.rowcount
    floor = time.perf_counter() - t0

    # where a chunk's time goes: its statements in this process, on a period of their own (not timed above)
    from rent.billing import services as billing

    ranges = billing.chunk_ranges(chunk_size=args.chunk, period=date(2026, 4, 1))
    lo, hi = ranges[len(ranges) // 2]
    t0 = time.perf_counter()
    billing.bills_make_chunk(period=date(2026, 4, 1), lo=lo, hi=hi)
    one_chunk = time.perf_counter() - t0
    Bill.objects.filter(period=date(2026, 4, 1)).delete()
    plan = _explain_chunk(connection, billing, lo, hi)

    # the job, on real workers, for the leases' first month (January 2026): one in 20 starts on the 16th,
    # so 5 % of its bills are prorated by day
    period = date(2026, 1, 1)
    queue = f"bench-bills-{uuid.uuid4().hex[:6]}"
    app.conf.task_always_eager = False
    t0 = time.perf_counter()
    workers = _workers(args.workers, queue)
    started = _wait(lambda: len(app.control.ping(timeout=0.5) or []) >= args.workers, 120)
    startup = time.perf_counter() - t0
    try:
        def done():
            run = BillingRun.objects.filter(period=period).first()
            return run is not None and run.finished_at is not None and \
                Bill.objects.filter(period=period).count() == args.leases

        t0 = time.perf_counter()
        chunks = bills_make_month(period.isoformat(), args.chunk, queue)
        if not _wait(done, 3600):
            sys.exit("账单任务未在 1 小时内完成")
        job = time.perf_counter() - t0
        BillingRun.objects.filter(period=period).update(finished_at=None)
        t0 = time.perf_counter()
        bills_make_month(period.isoformat(), args.chunk, queue)
        _wait(lambda: BillingRun.objects.get(period=period).finished_at is not None, 3600)
        rerun = time.perf_counter() - t0
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
    made = Bill.objects.filter(period=period).count()
    prorated = Bill.objects.filter(period=period).exclude(days=31).count()  # January has 31 days
    print(f"\n机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核；PostgreSQL；Redis 代理；"
          f"{args.workers} 个 worker（solo），每片 {args.chunk} 份合同，共 {chunks} 片")
    print(f"{'':28}{'秒':>10}{'行/秒':>12}{'相对下限':>10}")
    print(f"{'下限 INSERT … SELECT':28}{floor:>10.2f}{floor_rows / floor:>12.0f}{1:>10.2f}")
    print(f"{'账单任务（2 worker）':28}{job:>10.2f}{made / job:>12.0f}{job / floor:>10.2f}")
    print(f"{'再次运行（无新增）':28}{rerun:>10.2f}{'—':>12}{rerun / floor:>10.2f}")
    print(f"\n账单 {made} 张（其中按天折算 {prorated} 张），重复 0 张（唯一约束）；下限 {floor_rows} 行。")
    print(f"\n一片（{args.chunk} 份合同）在本进程内：{one_chunk:.2f} s；"
          f"{chunks} 片 ÷ {args.workers} worker 的语句时间约 {one_chunk * chunks / args.workers:.2f} s，"
          f"其余为任务调度与 worker 间争用（任务计时 {job:.2f} s）。")
    print(f"worker 启动（不计入任务计时）：{startup:.1f} s{'' if started else '（超时，未全部应答）'}")
    print(f"uptime：{os.getloadavg()}")
    print("\n一片的 INSERT … SELECT（EXPLAIN ANALYZE，已回滚）：")
    print(plan)


if __name__ == "__main__":
    main()
