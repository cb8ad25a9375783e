"""Benchmark of the public unit search on PostgreSQL at 1k, 10k and 100k units (`make bench`).

For each size the housing stock is generated (`housing.citygen.generate_city`), then the same
requests are timed through Django's test client, interleaved so drift hits all alike:

- floor: a view that returns "ok" (the cost of Django, its middleware and the client);
- page floor: a view that renders base.html with nothing in it (adds the template engine);
- the filtered search page (district + bedrooms + rent ceiling, sorted by rent), the unfiltered
  search page, and a unit page.

It prints p50 and p95 in milliseconds and the ratio of each to the floor, then EXPLAIN ANALYZE of the
search queries at the largest size. Nothing here runs in `make test`.

    python -m benchmarks.run                       # 1k, 10k, 100k; 200 timed requests each
    python -m benchmarks.run --sizes 1000 --requests 50

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gongzufang_bench),
created when missing and wiped on every run; DATABASE_URL is deliberately not used, so a test or
development database can never be overwritten. The name must end in "_bench".
"""

import argparse
import os
import platform
import statistics
import sys
import time
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongzufang_bench"
FILTERED = "/housing/units/?district=230602&bedrooms=1&rent_max=400&sort=rent"
UNFILTERED = "/housing/units/"


def _prepare_environment(url):
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"基准测试数据库名须以 _bench 结尾（每次运行会清空）：{name}")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"  # as in production: no query log, no template debug info
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("REDIS_URL", None)  # the search does not use the cache; keep the run self-contained
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzufang.settings")
    import psycopg2

    admin = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password or None, dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"已创建数据库 {name}")
    admin.close()


def _percentile(values, q):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def _time(client, url, n, warmup):
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return samples


def measure(client, urls, requests, warmup):
    """Interleave: one request of each URL per round, so all see the same machine state."""
    for url in urls.values():
        _time(client, url, 0, warmup)
    samples = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            samples[name] += _time(client, url, 1, 0)
    return samples


def explain(queries_of):
    from django.db import connection

    lines = []
    for label, sql in queries_of:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        lines.append(f"-- {label}")
        lines += ["   " + p for p in plan]
    return lines


def search_queries(params):
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from housing import selectors

    with CaptureQueriesContext(connection) as ctx:
        selectors.unit_search(QueryDict(params))
    return [q["sql"] for q in ctx.captured_queries if "housing_unit" in q["sql"]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from housing.citygen import generate_city
    from housing.models import Unit

    call_command("migrate", verbosity=0)
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    rows, plans = [], []
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=storages):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        print(f"PostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
              f"{args.requests} timed requests per page per size (after {args.warmup} warm-up)\n")
        for size in sizes:
            generate_city(units=size, estates=max(5, size // 200), seed=args.seed, clear=True, articles=0,
                          log=lambda line: print("  " + line))
            unit = Unit.objects.filter(listing="published", estate__is_published=True).order_by("pk").first()
            client = Client()
            urls = {
                "floor": "/bench/floor/",
                "page floor": "/bench/page-floor/",
                "search (filtered)": FILTERED,
                "search (no filter)": UNFILTERED,
                "unit page": f"/housing/units/{unit.pk}/",
            }
            samples = measure(client, urls, args.requests, args.warmup)
            floor95 = _percentile(samples["floor"], 95)
            floor50 = _percentile(samples["floor"], 50)
            for name, values in samples.items():
                rows.append((size, name, _percentile(values, 50), _percentile(values, 95),
                             _percentile(values, 50) / floor50, _percentile(values, 95) / floor95,
                             statistics.mean(values)))
            if size == sizes[-1]:
                for label, params in (("filtered", FILTERED.split("?", 1)[1]), ("no filter", "")):
                    plans += explain((f"{label}: {sql[:90]}…", sql) for sql in search_queries(params))

    print(f"\n{'units':>7}  {'page':<20}{'p50 ms':>8}{'p95 ms':>8}{'p50/floor':>11}{'p95/floor':>11}")
    for size, name, p50, p95, r50, r95, _mean in rows:
        print(f"{size:>7}  {name:<20}{p50:>8.2f}{p95:>8.2f}{r50:>10.1f}×{r95:>10.1f}×")
    print("\nEXPLAIN ANALYZE at the largest size:")
    print("\n".join(plans))
    results = os.path.join(os.path.dirname(__file__), "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "latest.txt"), "w", encoding="utf-8") as out:
        for row in rows:
            out.write("\t".join(str(round(v, 3)) if isinstance(v, float) else str(v) for v in row) + "\n")
        out.write("\n".join(plans) + "\n")


if __name__ == "__main__":
    main()
