"""Benchmark of the monthly subsidy batch (租赁补贴发放批次) over 50 000 grants, on PostgreSQL.

    python -m benchmarks.subsidy_batch                   # 50 000 grants, best of 3
    python -m benchmarks.subsidy_batch --grants 10000 --repeats 2

1. Builds N payable grants in 萨尔图区 with bulk rows (applications, grants, computations, leases,
   verified accounts — the account numbers encrypted as the model stores them).
2. Times `subsidies.services.batch_make` for a new month (each repeat a month of its own): chunks of
   2 000 grants, each one transaction of INSERT … SELECT … ON CONFLICT DO NOTHING of the payments (with
   the eligibility checks and the amount in force) and of the bank-file lines, then the totals and the
   freeze. Beside it, the floor measured in the same run: a raw INSERT … SELECT of the same rows (N
   payments and N lines, one statement each, no checks, no chunks) into the same tables.
3. Streams the batch's bank file (CSV, then xlsx) in a child process and prints its size, time and the
   child's peak RSS growth while writing it (bounded memory: the growth stays flat as N grows).
Goal: batch ≤ 3× the floor.

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_subsidy_bench),
created when missing and flushed on every run; the name must end in "_bench". Not run by `make test`.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_subsidy_bench"


def luhn(prefix: str) -> str:
    total = 0
    for i, d in enumerate(int(c) for c in reversed(prefix)):
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def build(n):
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from applications.models import Application, Household
    from gongzufang.models import District, Street, User
    from subsidies.models import BankAccount, GrantComputation, MarketLease, SubsidyGrant

    district = District.objects.get(code="230602")
    street = Street.objects.filter(district=district).order_by("code").first()
    start = date(2026, 1, 1)
    now = timezone.now()
    with transaction.atomic():
        applicant = User.objects.create(username="bench-applicant", real_name="基准申请人")
        households = Household.objects.bulk_create([Household(applicant=applicant) for _ in range(n)], batch_size=5000)
        apps = Application.objects.bulk_create([
            Application(number=f"BENCH{i:08d}", applicant=applicant, household=h, assistance_type="subsidy",
                        category="low_income", district=district, street=street, status="approved")
            for i, h in enumerate(households)], batch_size=5000)
        grants = SubsidyGrant.objects.bulk_create([
            SubsidyGrant(number=f"BT{a.number}", application=a, applicant=applicant, holder_name=f"户主{i}",
                         district=district, category="low_income", status="active", start_period=start,
                         payable_from=start, monthly_amount=Decimal("360.00"), approved_at=now)
            for i, a in enumerate(apps)], batch_size=5000)
        GrantComputation.objects.bulk_create([
            GrantComputation(grant=g, effective_from=start, category="low_income", members_counted=3,
                             own_housing_area=0, area_per_person=15, standard_per_sqm=10, coefficient=Decimal("0.8"),
                             eligible_area=45, uncapped_amount=360, lease_rent=1200, amount=360, parameters=[],
                             computed_on=start) for g in grants], batch_size=5000)
        MarketLease.objects.bulk_create([
            MarketLease(grant=g, landlord_name="房东", address="萨尔图区", monthly_rent=1200, start_on=start,
                        end_on=date(2028, 1, 1), contract="bench/contract.pdf") for g in grants], batch_size=5000)
        accounts = []
        for i, g in enumerate(grants):
            number = luhn(f"621799{i:012d}")
            accounts.append(BankAccount(grant=g, holder_name=g.holder_name, account_no=number,
                                        account_last4=number[-4:], verified_at=now))
        BankAccount.objects.bulk_create(accounts, batch_size=5000)


def floor(period):
    """A raw INSERT … SELECT of the same rows (N payments, then N lines) into the same tables."""
    from django.db import connection, transaction

    from gongzufang.models import District
    from subsidies.models import BankAccount, GrantComputation, PaymentLine, SubsidyBatch, SubsidyGrant, SubsidyPayment

    q = connection.ops.quote_name
    batch = SubsidyBatch.objects.create(district=District.objects.get(code="230602"), period=period,
                                        number=f"FLOOR{period:%Y%m}")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {q(SubsidyPayment._meta.db_table)} (grant_id, period, batch_id, district_id, computation_id,
                amount, status, attempts, bank_reason, bank_txn_id, created_at, updated_at)
            SELECT g.id, %s, %s, g.district_id, c.id, c.amount, 'pending', 1, '', '', now(), now()
            FROM {q(SubsidyGrant._meta.db_table)} g JOIN {q(GrantComputation._meta.db_table)} c ON c.grant_id = g.id
        """, [period, batch.pk])
        cursor.execute(f"""
            INSERT INTO {q(PaymentLine._meta.db_table)} (batch_id, line_no, payment_id, account_id, amount, result,
                bank_reason, bank_txn_id)
            SELECT %s, ROW_NUMBER() OVER (ORDER BY p.id), p.id, a.id, p.amount, 'pending', '', ''
            FROM {q(SubsidyPayment._meta.db_table)} p JOIN {q(BankAccount._meta.db_table)} a ON a.grant_id = p.grant_id
            WHERE p.batch_id = %s
        """, [batch.pk, batch.pk])
    return time.perf_counter() - started


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_kb():
    """This process's RSS now, with the peak (VmHWM) reset to it (Linux: /proc/self/clear_refs 5); falls
    back to the lifetime peak elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return _status_kb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_kb():
    try:
        return _status_kb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def file_child(batch_id, kind):
    """In a fresh process: stream the batch's file to /dev/null; print bytes, seconds, RSS growth."""
    import django

    django.setup()
    from subsidies import bankfile
    from subsidies.models import SubsidyBatch

    batch = SubsidyBatch.objects.get(pk=batch_id)
    before = reset_peak_kb()
    started = time.perf_counter()
    size, early = 0, None
    if kind == "csv":
        with open(os.devnull, "wb") as sink:
            for n, chunk in enumerate(bankfile.write_csv(batch), start=1):
                size += len(chunk)
                sink.write(chunk)
                if n == 5:  # after the first 10 000 lines
                    early = (peak_kb() - before) / 1024
    else:
        handle = bankfile.write_xlsx(batch)
        while True:
            block = handle.read(1 << 16)
            if not block:
                break
            size += len(block)
        handle.close()
    elapsed = time.perf_counter() - started
    growth = f"{(peak_kb() - before) / 1024:.1f}"
    if early is not None:
        growth += f"（前 10 000 行后 {early:.1f}）"
    print(f"{kind}\t{batch.line_count}\t{size}\t{elapsed:.3f}\t{growth}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--file-child", nargs=2, metavar=("BATCH_ID", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    if args.file_child:
        file_child(int(args.file_child[0]), args.file_child[1])
        return
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzufang.base_data import ensure_base_data
    from gongzufang.models import District
    from subsidies import services

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    ensure_base_data()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"PostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
          f"{args.grants} grants · best of {args.repeats}")
    started = time.perf_counter()
    build(args.grants)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built {args.grants} payable grants in {time.perf_counter() - started:.1f} s")

    district = District.objects.get(code="230602")
    ours, floors, batch = [], [], None
    for i in range(args.repeats):
        period = date(2027, 1 + i, 1)
        started = time.perf_counter()
        report = services.batch_make(district=district, period=period)
        ours.append(time.perf_counter() - started)
        batch = report.batch
        assert batch.line_count == args.grants and report.added == args.grants, (batch.line_count, report.added)
        floors.append(floor(date(2028, 1 + i, 1)))
    again = time.perf_counter()
    shown = services.batch_make(district=district, period=batch.period)
    again = time.perf_counter() - again
    assert shown.added == 0 and shown.batch.line_count == args.grants

    t_ours, t_floor = min(ours), min(floors)
    print()
    print("| part | ours s | floor s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| batch of {args.grants} grants (`batch_make`: chunks of {services.CHUNK}, payments + lines + freeze) "
          f"vs raw INSERT … SELECT of the same rows | {t_ours:.3f} | {t_floor:.3f} | {t_ours / t_floor:.2f}× |")
    print(f"| the same batch made again (shown, nothing added) | {again:.3f} | | |")
    print()
    print("| bank file | lines | bytes | seconds | peak RSS growth MB |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("csv", "xlsx"):
        out = subprocess.run([sys.executable, "-m", "benchmarks.subsidy_batch", "--file-child", str(batch.pk), kind],
                             capture_output=True, text=True, check=True, env=os.environ.copy())
        _kind, lines, size, seconds, growth = out.stdout.strip().splitlines()[-1].split("\t")
        print(f"| {kind} (streamed) | {lines} | {int(size):,} | {seconds} | {growth} |")
    print()
    print("goal: batch ≤ 3× the floor; the file's memory bounded (RSS growth far below the file's size)")


if __name__ == "__main__":
    main()
