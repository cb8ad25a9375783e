"""Benchmark of the lottery draw (摇号, gzf-lottery-v1) over 100 000 households, on PostgreSQL.

    python -m benchmarks.draw                  # 100 000 entries, 3 repeats of each part
    python -m benchmarks.draw --entries 20000 --repeats 5

1. Builds a published round of N waitlist entries (bulk rows: one applicant, N households and
   approved applications, N entries, the round's N pool rows) and one unit.
2. Times `allocation.services.round_draw` once (it can run only once per round): the pool read,
   the pool hash check, N scores, the sort, the positions and choice windows stored, the status change.
3. Times its two halves again on the same round, each beside a floor measured in the same run:
   - compute: `lottery.pool_hash` + `lottery.ranked` (as the service calls them), against a floor that
     computes the same N SHA-256 scores with hashlib in a plain loop and sorts plain tuples;
   - store: `services.store_positions` (the draw's result as N new DrawPosition rows: one
     INSERT … SELECT over one array of the ids in draw order, numbered, sorted by key and windowed by
     the database, written in key order into the table whose primary key is its only index),
     timed inside the draw itself and then best of the repeats (a later round's N rows beside the
     drawn round's, committed, then deleted outside the timing), against a floor that COPYs the same
     N rows, text prepared beforehand, into an unindexed logged table, committed — the same logical
     work, stored as durably — and, for reference, the same COPY into an UNLOGGED table (the floor
     before 2026-12-01 18:50, which is not durable) and a raw INSERT … SELECT of N rows of the same
     columns from generate_series.
4. Prints seconds, the ratios (goal ≤ 3× each), the whole draw (goal < 2 s), the load average, and
   (when PostgreSQL runs on this machine) the CPU seconds of this process and its backend for the
   store and its floors, which other load moves less than wall time.
   `--profile` also prints the draw's 20 costliest functions (cProfile, cumulative).

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_alloc_bench),
created when missing and flushed on every run; the name must end in "_bench". DATABASE_URL is not
used. Nothing here runs in `make test`.
"""

import argparse
import hashlib
import io
import os
import platform
import random
import time
from datetime import timedelta

from benchmarks.run import _prepare_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_alloc_bench"


def build(n, seed):
    """A published round over one unit and N waiting entries (bulk rows). Returns the round."""
    from django.db import transaction
    from django.utils import timezone

    from allocation import lottery
    from allocation.models import AllocationRound, RoundEntry, RoundUnit, WaitlistEntry
    from applications.models import Application, Household
    from gongzufang.models import District, Street, User
    from tests.housing import factories as housing

    rng = random.Random(seed)
    district = District.objects.get(code="230602")
    street = Street.objects.filter(district=district).order_by("code").first()
    today = timezone.localdate()
    with transaction.atomic():
        applicant = User.objects.create(username="bench-applicant", real_name="基准申请人")
        households = Household.objects.bulk_create([Household(applicant=applicant) for _ in range(n)], batch_size=5000)
        apps = Application.objects.bulk_create([
            Application(number=f"BENCH{i:08d}", applicant=applicant, household=h, assistance_type="unit",
                        category="low_income", district=district, street=street, status="approved")
            for i, h in enumerate(households)], batch_size=5000)
        entries = WaitlistEntry.objects.bulk_create([
            WaitlistEntry(application=a, application_number=a.number, district=district,
                          number=f"LH230602-2026-{i + 1:06d}", priority_group="", group_rank=rng.choice((1, 3, 10, 10)),
                          qualified_on=today, household_size=1, max_bedrooms=1)
            for i, a in enumerate(apps)], batch_size=5000)
        unit = housing.unit(housing.building(housing.estate("230602")), bedrooms=1, published=True)
        secret = lottery.new_secret()
        round_ = AllocationRound.objects.create(district=district, name="基准摇号", households_per_window=20,
                                                window_hours=48, secret=secret,
                                                commitment=lottery.commitment(secret))
        RoundUnit.objects.create(round=round_, unit=unit)
        RoundEntry.objects.bulk_create([RoundEntry(round=round_, entry=e, ref=e.number, group_rank=e.group_rank)
                                        for e in entries], batch_size=5000)
        pool = list(RoundEntry.objects.filter(round=round_).values_list("ref", "group_rank"))
        AllocationRound.objects.filter(pk=round_.pk).update(status="published", pool_hash=lottery.pool_hash(pool),
                                                            published_at=timezone.now())
    return AllocationRound.objects.get(pk=round_.pk)


def _cpu_clock(connection):
    """CPU seconds used so far by this process and its PostgreSQL backend (read from /proc when the
    server runs on this machine; `.works` is False otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")

    def clock():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick + time.process_time()
        except OSError:
            return time.process_time()

    clock.works = os.path.exists(f"/proc/{pid}/stat")
    return clock


def best(fn, repeats):
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="print the draw's costliest functions")
    args = parser.parse_args(argv)

    _prepare_environment(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from allocation import lottery, services
    from allocation.models import DrawPosition
    from gongzufang.base_data import ensure_base_data
    from gongzufang.models import User

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    ensure_base_data()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"PostgreSQL {pg_version} · Python {platform.python_version()} · {os.cpu_count()} CPU · "
          f"{args.entries} entries · best of {args.repeats}")

    started = time.perf_counter()
    round_ = build(args.entries, args.seed)
    print(f"built a published round of {args.entries} entries in {time.perf_counter() - started:.1f} s")
    actor = User.objects.create(username="bench-city", real_name="基准经办人", role="city_caseworker",
                                is_superuser=True, is_staff=True)

    # --- the whole draw, once (the store inside it timed too) --------------------------------------
    inside = {}
    real_store = services.store_positions

    def timed_store(*a, **k):
        started = time.perf_counter()
        try:
            return real_store(*a, **k)
        finally:
            inside["store"] = time.perf_counter() - started

    services.store_positions = timed_store
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    services.round_draw(round=round_, actor=actor, public_entropy="福彩3D 2026320期 518")
    whole = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
    services.store_positions = real_store
    round_.refresh_from_db()
    assert DrawPosition.objects.filter(round=round_).count() == args.entries

    # --- compute: the service's functions vs plain hashlib + sort --------------------------------------
    pool = services.pool_of(round_)
    seed_hex = round_.seed

    def ours_compute():
        lottery.pool_hash(pool)  # the draw checks the frozen pool's hash first
        return lottery.ranked(pool, seed_hex)

    def floor_compute():
        sha = hashlib.sha256
        rows = [(rank, sha(f"{seed_hex}|{ref}".encode()).hexdigest(), ref) for ref, rank in pool]
        rows.sort()
        return rows

    t_compute, ordered = best(ours_compute, args.repeats)
    t_compute_floor, floor_rows = best(floor_compute, args.repeats)
    assert [r[2] for r in ordered] == [r[2] for r in floor_rows]

    # --- store: N new rows vs the same rows COPYd into a bare table, durably -----------------------------
    stored = list(DrawPosition.objects.filter(round=round_).order_by("position").values_list(
        "round_entry_id", "round_id", "position", "window_no", "window_opens_at", "window_closes_at"))
    ids = [r[0] for r in stored]
    opts = {"start": stored[0][4], "per_window": round_.households_per_window,
            "window": timedelta(hours=round_.window_hours)}
    text = "".join(f"{pk}\t{rid}\t{pos}\t{no}\t{opens.isoformat()}\t{closes.isoformat()}\n"
                   for pk, rid, pos, no, opens, closes in stored)
    cpu = _cpu_clock(connection)

    # Every side commits what it writes (the draw's result is stored durably, and so is the floor's):
    # each repeat of ours writes the rows of "another round" of N households drawn after this one (keys
    # beyond every real one, as a later round's entries have) into the real table beside this round's N
    # rows, commits, and is deleted again (and the table vacuumed) outside the timing.
    later = max(ids) + 1
    fake_round = round_.pk + 1

    def ours_store():
        c0, started = cpu(), time.perf_counter()
        with transaction.atomic():
            services.store_positions(fake_round, [pk + later for pk in ids], **opts)
        elapsed, used = time.perf_counter() - started, cpu() - c0
        DrawPosition.objects.filter(round_id=fake_round).delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM allocation_drawposition")
        return elapsed, used

    columns = ("round_entry_id bigint, round_id bigint, position integer, window_no integer, "
               "opens timestamptz, closes timestamptz")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_draw_floor, bench_draw_floor_unlogged")
        cursor.execute(f"CREATE TABLE bench_draw_floor ({columns})")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_draw_floor_unlogged ({columns})")

    def floor_copy(table):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table}")
            c0, started = cpu(), time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(text))
            return time.perf_counter() - started, cpu() - c0
        return run

    def floor_insert_select():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_draw_floor")
        c0, started = cpu(), time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_draw_floor SELECT g, 1, g, g / 20 + 1, now(), now() "
                           "FROM generate_series(1, %s) AS g", [len(stored)])
        return time.perf_counter() - started, cpu() - c0

    def best_of(fn):
        runs = [fn() for _ in range(args.repeats)]
        return min(r[0] for r in runs), min(r[1] for r in runs)

    t_store, c_store = best_of(ours_store)
    t_copy, c_copy = best_of(floor_copy("bench_draw_floor"))
    t_copy_u, c_copy_u = best_of(floor_copy("bench_draw_floor_unlogged"))
    t_insert, c_insert = best_of(floor_insert_select)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_draw_floor, bench_draw_floor_unlogged")
    assert DrawPosition.objects.filter(round=round_).count() == args.entries
    from allocation.selectors import verify_round

    assert verify_round(round_) == []

    load = os.getloadavg()
    print()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("| part | ours s | floor s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| compute (pool hash, {len(pool)} scores, sort) | {t_compute:.3f} | {t_compute_floor:.3f} "
          f"| {t_compute / t_compute_floor:.2f}× |")
    def cpu_cell(ours, floor):
        return f"{ours:.3f} / {floor:.3f} = {ours / floor:.2f}×" if cpu.works else "—"

    print(f"| store positions, committed, vs COPY of the same rows into a bare logged table, committed "
          f"| {t_store:.3f} | {t_copy:.3f} | {t_store / t_copy:.2f}× |")
    print(f"| store positions vs the same COPY into a bare UNLOGGED table (not durable; the floor before) "
          f"| {t_store:.3f} | {t_copy_u:.3f} | {t_store / t_copy_u:.2f}× |")
    print(f"| store positions inside the draw (once, before its commit) | {inside['store']:.3f} | {t_copy:.3f} "
          f"| {inside['store'] / t_copy:.2f}× |")
    print(f"| store positions vs a raw INSERT … SELECT of {len(stored)} rows from generate_series (bare "
          f"logged table) | {t_store:.3f} | {t_insert:.3f} | {t_store / t_insert:.2f}× |")
    print(f"| **whole draw** (`round_draw`: read, check, compute, store, status change) | **{whole:.3f}** | | |")
    print()
    print("goal: ≤ 3× each floor, and under 2 s in all")
    if cpu.works:
        print()
        print("CPU seconds (this process + its PostgreSQL backend; less moved by other load than wall time):")
        print(f"- store vs COPY into the logged table: {cpu_cell(c_store, c_copy)}")
        print(f"- store vs COPY into the unlogged table: {cpu_cell(c_store, c_copy_u)}")
    if profiler is not None:
        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)


if __name__ == "__main__":
    main()
