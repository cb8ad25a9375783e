"""Benchmark of the district API's two big lists at 100k rows each, on PostgreSQL.

The database is rebuilt from nothing on every run: migrations, 100k units from `generate_city`, and
100k applications (with households, 1–4 members each, statuses and dates spread over two years)
bulk-inserted here. Then, interleaved so drift hits all alike, through Django's test client with a
district token (萨尔图区, about a ninth of the rows):

- floor: a view that returns "ok" (Django, its middleware and the client; benchmarks/urls.py);
- the application list and the unit list: first page, a deep page by number (`page=`), and the
  same depth by cursor (`cursor=`), 50 rows a page;
- the application list filtered by status and by `updated_since` (incremental sync).

It prints p50 and p95 in milliseconds and the ratio of each to the floor, and EXPLAIN ANALYZE of the
deep-page queries. Nothing here runs in `make test`.

    python -m benchmarks.api                         # 100k + 100k, 200 timed requests per URL
    python -m benchmarks.api --rows 10000 --requests 50

The database is BENCH_API_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_bench_api); it
is dropped and recreated, so its name must contain "bench". DATABASE_URL is deliberately not used.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_bench_api"
PAGE = 50


def _fresh_database(url):
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"基准测试数据库名须含 bench（每次运行会删除重建）：{name}")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["API_THROTTLE_RATE"] = "100000000/min"  # measure the lists, not the throttle
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzufang.settings")
    import psycopg2

    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def make_applications(n, *, seed=2026, log=print):
    """n submitted-or-later applications spread over every district's streets, bulk-inserted."""
    from django.utils import timezone

    from applications.models import Application, Household, HouseholdMember, Status
    from gongzufang.models import Street, User

    rng = random.Random(seed)
    started = time.perf_counter()
    streets = list(Street.objects.select_related("district").order_by("code"))
    statuses = [s for s in Status.values if s != Status.DRAFT]
    weights = [3 if s in (Status.APPROVED, Status.REJECTED) else 1 for s in statuses]
    applicants = User.objects.bulk_create(
        [User(username=f"bench{i}", real_name=f"申请人{i}", password="!") for i in range(2000)], batch_size=2000)
    households = Household.objects.bulk_create([Household(applicant=applicants[i % 2000]) for i in range(n)],
                                               batch_size=5000)
    log(f"  {n} 户家庭 {time.perf_counter() - started:.1f}s")
    now = timezone.make_aware(datetime(2026, 11, 1, 9))
    rows = []
    for i, household in enumerate(households):
        street = streets[rng.randrange(len(streets))]
        submitted = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        status = rng.choices(statuses, weights)[0]
        rows.append(Application(
            number=f"GZF{i:09d}", applicant_id=household.applicant_id, household=household, status=status,
            assistance_type=rng.choice(["unit", "subsidy"]),
            category=rng.choice(["minimum_living", "low_income", "lower_middle_income", "new_graduate"]),
            district_id=street.district_id, street=street, submitted_at=submitted,
            accepted_at=submitted + timedelta(days=1) if status != Status.SUBMITTED else None,
            step_due_on=(submitted + timedelta(days=rng.randrange(2, 30))).date()
            if status not in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN) else None,
            processing_workdays=rng.randrange(5, 20) if status in (Status.APPROVED, Status.REJECTED) else None,
        ))
    Application.objects.bulk_create(rows, batch_size=5000)
    # updated_at is auto_now: spread it like real edits, after submission.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_application SET updated_at = submitted_at + "
                       "(random() * interval '30 days'), created_at = submitted_at")
    log(f"  {n} 件申请 {time.perf_counter() - started:.1f}s")
    members = []
    for i, household in enumerate(households):
        for k in range(1 + rng.randrange(4)):
            members.append(HouseholdMember(
                household=household, relationship="self" if k == 0 else "child", name=f"成员{i}-{k}",
                id_number=f"230602{1960 + k:04d}0101{i % 10000:04d}"[:18], sex="female",
                birth_date=datetime(1960 + k, 1, 1).date(), marital_status="married", sort_order=k))
    HouseholdMember.objects.bulk_create(members, batch_size=5000)
    log(f"  {len(members)} 名成员 {time.perf_counter() - started:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _cursor_at(queryset, position):
    """The cursor the API hands out after `position` rows of this (already ordered) list."""
    from gongzufang.api.pagination import KeysetPagination

    keyset = KeysetPagination(PAGE)
    ordering = keyset.ordering_of(queryset)
    row = queryset.order_by(*keyset._order_by(ordering))[position - 1]
    return keyset._encode(row, ordering)


def _time(client, url, headers, n):
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="units and applications (each)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)

    _fresh_database(os.environ.get("BENCH_API_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from applications.models import Application, Status
    from gongzufang.models import District
    from gongzufang.services.api_clients import api_client_issue
    from housing.citygen import generate_city
    from housing.models import Unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate {time.perf_counter() - started:.1f}s")
    generate_city(units=args.rows, estates=max(5, args.rows // 200), seed=2026, clear=True, articles=0,
                  log=lambda line: print("  " + line))
    make_applications(args.rows)

    district = District.objects.get(code="230602")
    _client, token = api_client_issue(name="基准测试", district=district, can_write=False)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    apps = Application.objects.filter(district=district).exclude(status=Status.DRAFT)
    units = Unit.objects.filter(district=district)
    app_rows, unit_rows = apps.count(), units.count()
    app_deep, unit_deep = (app_rows // PAGE) * 4 // 5, (unit_rows // PAGE) * 4 // 5  # 80 % of the way down
    app_cursor = _cursor_at(apps.order_by("-id"), (app_deep - 1) * PAGE)
    unit_cursor = _cursor_at(units.order_by("id"), (unit_deep - 1) * PAGE)
    since = Application.objects.order_by("-updated_at").values_list("updated_at", flat=True)[2000].isoformat()
    urls = {
        "floor": "/bench/floor/",
        "applications p1": "/api/v1/applications/",
        f"applications page={app_deep}": f"/api/v1/applications/?page={app_deep}",
        "applications cursor (same depth)": f"/api/v1/applications/?cursor={app_cursor}",
        "applications status=city_review": "/api/v1/applications/?status=city_review",
        "applications updated_since": f"/api/v1/applications/?updated_since={since.replace('+', '%2B')}"
                                      "&ordering=updated_at&cursor=",
        "units p1": "/api/v1/units/",
        f"units page={unit_deep}": f"/api/v1/units/?page={unit_deep}",
        "units cursor (same depth)": f"/api/v1/units/?cursor={unit_cursor}",
        "units listing=published": "/api/v1/units/?listing=published",
    }
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=storages):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        print(f"\nPostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
              f"{args.rows} units and {args.rows} applications in all; the token's district has {unit_rows} units "
              f"and {app_rows} applications · {args.requests} timed requests per URL (after {args.warmup} warm-up)\n")
        http = Client()
        for url in urls.values():
            _time(http, url, headers, args.warmup)
        samples = {name: [] for name in urls}
        for _ in range(args.requests):
            for name, url in urls.items():
                samples[name] += _time(http, url, headers, 1)
        plans = []
        for label in (f"applications page={app_deep}", "applications cursor (same depth)",
                      f"units page={unit_deep}", "units cursor (same depth)"):
            with CaptureQueriesContext(connection) as ctx:
                http.get(urls[label], **headers)
            for query in ctx.captured_queries:
                sql = query["sql"]
                if "ORDER BY" in sql and ("applications_application" in sql or "housing_unit" in sql):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " + sql)
                        plans += [f"-- {label}"] + ["   " + row[0] for row in cursor.fetchall()]

    floor50, floor95 = _percentile(samples["floor"], 50), _percentile(samples["floor"], 95)
    print(f"{'request':<36}{'p50 ms':>8}{'p95 ms':>8}{'p50/floor':>11}{'p95/floor':>11}")
    for name, values in samples.items():
        p50, p95 = _percentile(values, 50), _percentile(values, 95)
        print(f"{name:<36}{p50:>8.2f}{p95:>8.2f}{p50 / floor50:>10.1f}×{p95 / floor95:>10.1f}×")
    print("\nEXPLAIN ANALYZE of the deep pages:")
    print("\n".join(plans))
    print(f"\nmean of all timed requests: {statistics.mean(v for vs in samples.values() for v in vs):.2f} ms")


if __name__ == "__main__":
    main()
