"""Benchmark of the cross-department check (部门联审) through the simulated exchange, on PostgreSQL.

    python -m benchmarks.crosscheck                     # 10 000 applications, 20 ms latency
    python -m benchmarks.crosscheck --applications 2000 --latency-ms 50 --chunk 500

1. Starts the simulated exchange in a subprocess (`manage.py run_exchange --latency-ms N --generate`,
   so every generated person has a record in every department).
2. The floor: requests per second the exchange serves doing nothing else — minimal queries (one ID
   number each) sent by as many threads as the runner uses (`EXCHANGE_CONCURRENCY`), through the
   same client.
3. Creates N applications in cross_check (bulk rows: one household each, 2–3 members with
   encrypted ID numbers, nobody in two applications, categories mixed), then times
   `applications.crosscheck.runner.run_checks` over them in chunks (2 500 by default), as the sweep does.
   The review hand-over (`checks_finished`: rule evaluation and the status change) is left out
   unless `--notify`.
4. Prints applications/s, department requests/s and answers stored/s, and the ratio of requests/s
   to the floor measured in the same run (goal: at least half).

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_bench), created
when missing and flushed on every run; the name must end in "_bench". DATABASE_URL is not used, so
a test or development database is never touched. Nothing here runs in `make test`.
"""

import argparse
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_bench"
BASE_DIR = Path(__file__).resolve().parent.parent
CATEGORIES = ["low_income", "low_income", "lower_middle_income", "minimum_living", "new_graduate",
              "migrant_worker", "special"]


def _cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            parts = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all processes, all CPUs), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(v) for v in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_exchange(latency_ms):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), "run_exchange", "--port", str(port),
         "--latency-ms", str(latency_ms), "--generate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    from applications.crosscheck.exchange.simulated import wait_until_up

    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, timeout=30)
    return proc, url


def measure_floor(url, threads, seconds):
    """Requests/s the exchange answers for minimal queries with `threads` in flight."""
    from applications.crosscheck.exchange import ExchangeClient

    client = ExchangeClient(url, timeout=10)
    number = "230602199001011238"
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(i):
        while time.monotonic() < stop:
            client.query("hukou", [number])
            counts[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    client.close()
    return sum(counts) / elapsed


def id_numbers(count, seed):
    """`count` distinct valid ID numbers (districts of Daqing, real birth dates)."""
    from gongzufang.idnumber import check_character

    rng = random.Random(seed)
    seen, out = set(), []
    districts = ["230602", "230603", "230604", "230605", "230606"]
    while len(out) < count:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 60))
        first17 = f"{rng.choice(districts)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        out.append((first17 + check_character(first17), born))
    return out


def create_applications(n, seed):
    """N applications in cross_check with 2–3 members each, as bulk rows. Returns their ids."""
    from django.db import transaction

    from applications.models import Application, Household, HouseholdMember
    from gongzufang.models import District, Street, User

    rng = random.Random(seed)
    sizes = [rng.choice((2, 2, 3)) for _ in range(n)]
    people = iter(id_numbers(sum(sizes), seed))
    street = Street.objects.filter(district__code="230602").order_by("code").first()
    district = District.objects.get(code="230602")
    with transaction.atomic():
        applicant = User.objects.create(username="bench-applicant", real_name="基准申请人")
        households = Household.objects.bulk_create([Household(applicant=applicant) for _ in range(n)],
                                                   batch_size=2000)
        apps = [
            Application(number=f"BENCH{i:08d}", applicant=applicant, household=h, assistance_type="unit",
                        category=CATEGORIES[i % len(CATEGORIES)], district=district, street=street,
                        status="cross_check")
            for i, h in enumerate(households)
        ]
        apps = Application.objects.bulk_create(apps, batch_size=2000)
        members = []
        for h, size in zip(households, sizes, strict=True):
            for k in range(size):
                number, born = next(people)
                members.append(HouseholdMember(
                    household=h, relationship=("self", "spouse", "child")[k], name=f"成员{k}", id_number=number,
                    sex="male" if int(number[16]) % 2 else "female", birth_date=born,
                    marital_status="married" if k < 2 else "unmarried", monthly_income=1200, sort_order=k,
                ))
        HouseholdMember.objects.bulk_create(members, batch_size=2000)
    return [a.pk for a in apps], len(members)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=2500, help="applications per run_checks call")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=None, help="EXCHANGE_CONCURRENCY (default: the setting)")
    parser.add_argument("--floor-seconds", type=float, default=5.0)
    parser.add_argument("--notify", action="store_true", help="also hand over to the review (checks_finished)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from applications.crosscheck import runner as crosscheck
    from applications.crosscheck.sending import concurrency
    from applications.models import CheckResult

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    if args.concurrency:
        settings.EXCHANGE_CONCURRENCY = args.concurrency
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
        ids, members = create_applications(args.applications, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"created {len(ids)} applications, {members} members in {time.perf_counter() - started:.1f} s")

        # PostgreSQL's share is in "machine" (the runner stores rows through short-lived
        # connections, one per writer thread); so is anything else running at the same time.
        cpu_before = {"runner": _cpu_seconds(os.getpid()), "exchange": _cpu_seconds(proc.pid),
                      "machine": _machine_busy_seconds()}
        requests = stored = unknown = 0
        started = time.perf_counter()
        chunk_seconds = []
        for i in range(0, len(ids), args.chunk):
            chunk_started = time.perf_counter()
            summary = crosscheck.run_checks(ids[i:i + args.chunk], notify=args.notify)
            chunk_seconds.append(time.perf_counter() - chunk_started)
            requests += summary.requests
            stored += sum(summary.statuses.values())
            unknown += summary.statuses.get("unknown", 0)
        elapsed = time.perf_counter() - started
        cpu = {"runner": _cpu_seconds(os.getpid()), "exchange": _cpu_seconds(proc.pid),
               "machine": _machine_busy_seconds()}
        cpu = {k: v - cpu_before[k] for k, v in cpu.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    assert CheckResult.objects.filter(is_current=True).count() == stored
    rate = requests / elapsed
    print(f"\ncross-check: {len(ids)} applications, {requests} department requests, {stored} answers stored "
          f"({unknown} unknown) in {elapsed:.1f} s")
    print(f"  {len(ids) / elapsed:8.0f} applications/s")
    print(f"  {rate:8.0f} department requests/s")
    print(f"  {stored / elapsed:8.0f} answers stored/s")
    print(f"  {floor:8.0f} requests/s floor")
    print(f"  {rate / floor:8.2f} × floor (goal ≥ 0.50)")
    print("seconds per chunk: " + " ".join(f"{t:.1f}" for t in chunk_seconds))
    print("CPU seconds during the run: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
          + f" (wall {elapsed:.1f} × {os.cpu_count()} CPU = {elapsed * os.cpu_count():.1f}; "
          "machine = every process, PostgreSQL and other work included)")
    results = BASE_DIR / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "crosscheck.txt").write_text(
        f"applications\t{len(ids)}\nlatency_ms\t{args.latency_ms}\nconcurrency\t{threads}\nchunk\t{args.chunk}\n"
        f"floor_rps\t{floor:.1f}\nrequests\t{requests}\nstored\t{stored}\nunknown\t{unknown}\n"
        f"seconds\t{elapsed:.2f}\napps_per_s\t{len(ids) / elapsed:.1f}\nrequests_per_s\t{rate:.1f}\n"
        f"ratio\t{rate / floor:.3f}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
