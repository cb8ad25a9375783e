"""Benchmark: the bank's payment notifications against gunicorn (4 workers) on PostgreSQL.

The database is rebuilt from nothing (its name must contain "bench"): migrations, one lease (made by
the test builders) with N bills, and one pending payment order per bill. Then gunicorn serves the
portal with 4 workers and this script posts, from 8 client threads, N signed notifications
(`POST /payments/notify/`, DESIGN §8) plus 10% replays of notifications already sent, shuffled, so
replays also race their original. Interleaved with them it asks the floor, `GET /healthz` (Django, its
middleware and one `SELECT 1` on the same workers).

It prints p50 and p95 of each in milliseconds and their ratio, then checks, in the database: one
payment per order, none doubled, every bill paid once, the attempts logged (applied / duplicate).

    python -m benchmarks.bank_notify                    # 900 orders + 100 replays = 1 000 notifications
    python -m benchmarks.bank_notify --orders 200

BENCH_BANK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_bench_bank) is dropped and
recreated. DATABASE_URL is deliberately not used. Nothing here runs in `make test`.
"""

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_bench_bank"
SECRET = "bench-bank-notify-secret"
ROOT = Path(__file__).resolve().parents[1]


def _fresh_database(url):
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"基准测试数据库名须含 bench（每次运行会删除重建）：{name}")
    import psycopg2

    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _env(url):
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "BANK_NOTIFY_SECRET": SECRET, "ENV_FILE": str(ROOT / ".env"),
            "DJANGO_SETTINGS_MODULE": "gongzufang.settings", "LOG_LEVEL": "WARNING"}


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def _prepare(n, log):
    """One lease with n bills and one pending order per bill; returns the signed notifications."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from gongzufang.bank import signing
    from rent.models import Bill, PaymentOrder, PaymentOrderBill
    from tests.rent import payment_builders as pb

    started = time.perf_counter()
    lease = pb.lease()
    bills = Bill.objects.bulk_create([
        Bill(lease=lease, tenant=lease.tenant, district_id=lease.district_id, period=date(1900 + i // 12, i % 12 + 1, 1),
             period_start=date(1900 + i // 12, i % 12 + 1, 1), period_end=date(1900 + i // 12, i % 12 + 1, 28),
             days=28, days_in_period=28, monthly_rent=Decimal("500.00"), amount=Decimal("500.00") + i % 7,
             due_on=date(1900 + i // 12, i % 12 + 1, 10)) for i in range(n)], batch_size=1000)
    expires = timezone.now() + timedelta(hours=6)
    orders = PaymentOrder.objects.bulk_create([
        PaymentOrder(order_no=f"POBENCH{i:08d}", tenant_id=lease.tenant_id, lease=lease, district_id=lease.district_id,
                     amount=b.amount, subject="基准测试", expires_at=expires) for i, b in enumerate(bills)],
        batch_size=1000)
    PaymentOrderBill.objects.bulk_create([PaymentOrderBill(order=o, bill=b, amount=b.amount)
                                          for o, b in zip(orders, bills, strict=True)], batch_size=1000)
    paid_at = timezone.localtime().isoformat(timespec="seconds")
    notes = []
    for i, o in enumerate(orders):
        raw = json.dumps({"order_no": o.order_no, "bank_txn_id": f"CCBBENCH{i:010d}", "amount": str(o.amount),
                          "paid_at": paid_at, "status": "SUCCESS"}, separators=(",", ":")).encode()
        notes.append((raw, signing.sign(SECRET, raw)))
    log(f"准备数据：1 份合同、{n} 张账单、{n} 个待支付订单（{time.perf_counter() - started:.1f} 秒）")
    return notes


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url, raw=None, signature=""):
    headers = {"Content-Type": "application/json", "X-Bank-Signature": signature} if raw is not None else {}
    request = urllib.request.Request(url, data=raw, method="POST" if raw is not None else "GET", headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return (time.perf_counter() - started) * 1000, status, body


def main(argv=None):
    parser = argparse.ArgumentParser(description="银行支付通知基准测试（gunicorn 4 进程，PostgreSQL）")
    parser.add_argument("--orders", type=int, default=900)
    parser.add_argument("--replay-share", type=float, default=0.10, help="重放占全部通知的比例")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_BANK_DATABASE_URL", DEFAULT_URL)
    log = print
    _fresh_database(url)
    os.environ.update(_env(url))
    notes = _prepare(args.orders, log)

    replays = round(args.orders * args.replay_share / (1 - args.replay_share))
    rng = random.Random(2026)
    sequence = [("notify", n) for n in notes] + [("notify", rng.choice(notes)) for _ in range(replays)]
    rng.shuffle(sequence)
    floors = max(200, len(sequence) // 5)
    for _ in range(floors):  # interleaved, so drift hits both alike
        sequence.insert(rng.randrange(len(sequence) + 1), ("floor", None))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "gongzufang.wsgi", "--workers", str(args.workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=_env(url))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(f"{base}/healthz")[1] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("gunicorn 未能启动")
            time.sleep(0.2)
        for _ in range(20):  # warm every worker
            _request(f"{base}/healthz")

        timings = {"notify": [], "floor": []}
        answers = []
        lock = threading.Lock()
        queue = list(reversed(sequence))

        def client():
            while True:
                with lock:
                    if not queue:
                        return
                    kind, note = queue.pop()
                if kind == "floor":
                    ms, status, _ = _request(f"{base}/healthz")
                else:
                    ms, status, body = _request(f"{base}/payments/notify/", *note)
                    with lock:
                        answers.append((status, body))
                with lock:
                    timings[kind].append(ms)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.db.models import Count

    from rent.models import Bill, NotificationAttempt, Payment, PaymentAllocation

    ok = sum(1 for status, body in answers if status == 200 and json.loads(body) == {"code": "SUCCESS"})
    doubled = Payment.objects.values("order_id").annotate(n=Count("id")).filter(n__gt=1).count()
    paid = Bill.objects.filter(status="paid").count()
    over = Bill.objects.values("id").annotate(n=Count("allocations")).filter(n__gt=1).count()
    outcomes = dict(NotificationAttempt.objects.values_list("outcome").annotate(n=Count("id")).order_by())
    print()
    print(f"机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核；gunicorn {args.workers} 个进程，"
          f"客户端 {args.clients} 个线程；PostgreSQL")
    print(f"通知 {len(timings['notify'])} 次（其中重放 {replays} 次），回答 SUCCESS {ok} 次；用时 {elapsed:.1f} 秒")
    for kind, label in (("floor", "基线 GET /healthz"), ("notify", "POST /payments/notify/")):
        values = timings[kind]
        print(f"  {label:<26} p50 {_percentile(values, 50):7.1f} ms   p95 {_percentile(values, 95):7.1f} ms   "
              f"（{len(values)} 次）")
    p95 = _percentile(timings["notify"], 95) / _percentile(timings["floor"], 95)
    p50 = _percentile(timings["notify"], 50) / _percentile(timings["floor"], 50)
    print(f"  通知 / 基线：p50 {p50:.1f} 倍，p95 {p95:.1f} 倍")
    print(f"缴费记录 {Payment.objects.count()} 笔（订单 {args.orders} 个）；重复入账的订单 {doubled} 个；"
          f"已缴清账单 {paid} 张；被抵扣两次以上的账单 {over} 张；"
          f"分配金额合计 {sum(PaymentAllocation.objects.values_list('amount', flat=True), Decimal('0'))} 元")
    print(f"通知记录：{outcomes}")
    if doubled or over or Payment.objects.count() != args.orders or ok != len(timings["notify"]):
        sys.exit("!!! 出现重复入账或未入账 !!!")


if __name__ == "__main__":
    main()
