"""Where the time of one filtered search goes: raw SQL, building it, rendering, the floor.

Run after `python -m benchmarks.run` (it reuses the stock left in the benchmark database):

    python -m benchmarks.breakdown
"""

import os
import statistics
import time

from benchmarks.run import DEFAULT_URL, FILTERED, _prepare_environment


def _median(fn, n=300, warmup=30):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main():
    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from unittest import mock

    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext, override_settings

    from housing import selectors, views

    params = FILTERED.split("?", 1)[1]
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ROOT_URLCONF="benchmarks.urls", STORAGES=storages):
        client = Client()
        request = RequestFactory().get(FILTERED)
        request.user = AnonymousUser()
        result = selectors.unit_search(request.GET)
        with CaptureQueriesContext(connection) as ctx:
            selectors.unit_search(QueryDict(params))
        statements = [q["sql"] for q in ctx.captured_queries]

        def raw_sql():
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        with mock.patch.object(selectors, "unit_search", lambda _params: result):
            render = _median(lambda: views.unit_search(request))
        rows = [
            ("floor (test client)", _median(lambda: client.get("/bench/floor/"))),
            ("whole page (test client)", _median(lambda: client.get(FILTERED))),
            ("selector (filter, count, page)", _median(lambda: selectors.unit_search(QueryDict(params)))),
            (f"  of which the {len(statements)} statements, raw", _median(raw_sql)),
            ("view with the result given (render)", render),
        ]
    for name, ms in rows:
        print(f"{name:<40}{ms:>8.2f} ms")


if __name__ == "__main__":
    main()
