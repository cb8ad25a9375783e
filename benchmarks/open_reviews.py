"""Benchmark of opening annual reviews (资格年审) for 200 000 households, on PostgreSQL.

    python -m benchmarks.open_reviews                       # 200 000 subsidy grants
    python -m benchmarks.open_reviews --households 50000

Creates N active grants whose anniversary falls within the next 30 days (bulk rows), then
1. the floor: one raw `INSERT … SELECT … ON CONFLICT DO NOTHING` that writes the same review rows
   (anniversary, opening and due dates computed in SQL), timed, then deleted;
2. `tenancy.services.open_annual_reviews(notify=False)`: chunked by primary key, bulk INSERT … ON
   CONFLICT DO NOTHING, plus the first status-log row of every review (which the floor does not write);
3. a second run (idempotent: nothing new).
Prints both times and the ratio (goal ≤ 3 ×). Database: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/gzf_tenancy_bench), flushed on every run.
"""

import argparse
import os
import platform
import time
from datetime import timedelta

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_tenancy_bench"

RAW = """
INSERT INTO tenancy_annualreview (number, year, anniversary, opens_on, due_on, status, no_change, declaration,
    changes, outcome, outcome_note, adjustment, created_at, updated_at, grant_id, application_id, holder_id,
    holder_name, district_id)
SELECT 'NS' || %(year)s || 'G' || lpad(g.id::text, 8, '0'), %(year)s,
       make_date(%(year)s, extract(month FROM g.start_period)::int, extract(day FROM g.start_period)::int),
       make_date(%(year)s, extract(month FROM g.start_period)::int, extract(day FROM g.start_period)::int) - 30,
       make_date(%(year)s, extract(month FROM g.start_period)::int, extract(day FROM g.start_period)::int),
       'opened', false, '{}', '[]', '', '', '{}', now(), now(), g.id, g.application_id, g.applicant_id,
       g.holder_name, g.district_id
FROM subsidies_subsidygrant g
WHERE g.status IN ('active', 'suspended')
  AND make_date(%(year)s, extract(month FROM g.start_period)::int, extract(day FROM g.start_period)::int)
      BETWEEN %(today)s AND %(today)s::date + 30
ON CONFLICT DO NOTHING
"""


def make_households(n):
    from django.db import transaction
    from django.utils import timezone

    from applications.models import Application, Household
    from gongzufang.models import District, Street, User
    from subsidies.models import SubsidyGrant

    today = timezone.localdate()
    street = Street.objects.filter(district__code="230602").order_by("code").first()
    district = District.objects.get(code="230602")
    with transaction.atomic():
        user = User.objects.create(username="bench-holder", real_name="基准户")
        households = Household.objects.bulk_create([Household(applicant=user) for _ in range(n)], batch_size=5000)
        apps = Application.objects.bulk_create(
            [Application(number=f"BR{i:010d}", applicant=user, household=h, assistance_type="subsidy",
                         category="low_income", district=district, street=street, status="approved")
             for i, h in enumerate(households)], batch_size=5000)
        SubsidyGrant.objects.bulk_create(
            [SubsidyGrant(number=f"BT{i:010d}", application=a, applicant=user, holder_name="基准户", district=district,
                          category="low_income",
                          start_period=(today + timedelta(days=1 + i % 28)).replace(year=today.year - 1),
                          payable_from=today, approved_at=timezone.now()) for i, a in enumerate(apps)],
            batch_size=5000)
    return today


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=5000)
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tenancy import services
    from tenancy.models import AnnualReview, AnnualReviewStatusChange

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"PostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
          f"{args.households} grants · chunks of {args.chunk}")
    started = time.perf_counter()
    today = make_households(args.households)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"created {args.households} grants in {time.perf_counter() - started:.1f} s")

    year = (today + timedelta(days=15)).year
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(RAW, {"year": year, "today": today})
        raw_rows = cursor.rowcount
        raw = time.perf_counter() - started
    AnnualReview.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tenancy_annualreview") if not connection.in_atomic_block else None
    print(f"floor: raw INSERT … SELECT of {raw_rows} reviews in {raw:.2f} s")

    started = time.perf_counter()
    report = services.open_annual_reviews(today=today, chunk=args.chunk, notify=False)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    again = services.open_annual_reviews(today=today, chunk=args.chunk, notify=False)
    second = time.perf_counter() - started
    assert report.created == AnnualReview.objects.count() == AnnualReviewStatusChange.objects.count()
    assert again.created == 0
    print(f"\nopen_annual_reviews: {report.created} reviews (+ as many status-log rows) in {ours:.2f} s; "
          f"second run {second:.2f} s, 0 new")
    print(f"  {report.created / ours:8.0f} reviews/s")
    print(f"  {ours / raw:8.2f} × the raw INSERT … SELECT (goal ≤ 3)")


if __name__ == "__main__":
    main()
