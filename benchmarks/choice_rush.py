"""Benchmark: the choice rush (选房) against gunicorn (4 workers) on PostgreSQL.

The database is rebuilt from nothing (its name must contain "bench"): migrations, N households on the
waitlist of 萨尔图区 (bulk-inserted applicants, applications and waitlist entries: the benchmark is
about choosing, not applying), M published one-bedroom units, and one round made, published and
drawn through the real services with every household in the first window, open now. Each household
is logged in by a session made here in the database (the standard `django.contrib.sessions` row, as a
log-in would write it: no log-in URL is added anywhere) and has a choosing SMS code issued (its keyed
hash, as `choice_code_send` stores it).

Then gunicorn serves the portal with 4 workers and `--clients` threads post, all at once, every
household's choice (`POST /allocation/choice/<id>/units/<unit>/`, the page's own form with the CSRF
token and the code) to a unit picked at random; a household told the unit was taken tries another
(up to `--tries`). Interleaved it asks the floor, `GET /healthz` (Django, its middleware and one
`SELECT 1` on the same workers). Just after, the same clients ask only the floor as many times as
choices were posted, for the floor's own throughput. It prints p50/p95 of each in milliseconds, the
choices' throughput beside the floor's, the load average, and checks in the database: no unit with
two live offers, each offer's unit reserved, every request answered (no 5xx, no time-out).

    python -m benchmarks.choice_rush                      # 500 households, 200 units
    python -m benchmarks.choice_rush --households 100 --units 40
    BENCH_CHOICE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gzf_choice_draw_bench python -m benchmarks.choice_rush

BENCH_CHOICE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gzf_bench_choice) is dropped and
recreated. DATABASE_URL is deliberately not used. Nothing here runs in `make test`.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

from benchmarks.bank_notify import _free_port, _fresh_database, _percentile

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gzf_bench_choice"
ROOT = Path(__file__).resolve().parents[1]
CODE = "135790"
CSRF = "b" * 32  # the CSRF cookie's secret; the form sends the same value


def _env(url):
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "ENV_FILE": str(ROOT / ".env"),
            "DJANGO_SETTINGS_MODULE": "gongzufang.settings", "LOG_LEVEL": "WARNING"}


def _prepare(households, unit_count, log):
    """Households, units and a drawn round with one open window; returns [(round entry id, session key)]
    and the unit ids."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    # DEBUG is off, so pages need the static manifest; written without whitenoise's compression (minutes
    # on this machine), which the served pages do not need to render.
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {**settings.STORAGES,
             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        call_command("collectstatic", interactive=False, verbosity=0)
    from allocation import services
    from allocation.choice.services import CODE_PURPOSE
    from allocation.models import RoundEntry, WaitlistEntry
    from applications.accounts.services import _code_hash
    from applications.models import Application, Household, SmsCode
    from gongzufang.models import District, Street, User
    from gongzufang.models.users import Role
    from housing import services as housing_services
    from housing.models import Unit
    from tests.housing import factories as housing

    started = time.perf_counter()
    district = District.objects.get(code="230602")
    street = Street.objects.filter(district=district).order_by("code").first()
    password = make_password("bench-not-used")
    users = User.objects.bulk_create([
        User(username=f"1380000{i:04d}", phone=f"1380000{i:04d}", real_name=f"选房{i}号", role=Role.APPLICANT,
             password=password) for i in range(households)], batch_size=1000)
    homes = Household.objects.bulk_create([Household(applicant=u) for u in users], batch_size=1000)
    apps_ = Application.objects.bulk_create([
        Application(number=f"GZFBENCH{i:08d}", applicant=u, household=h, district=district, street=street,
                    assistance_type="unit", status="approved", decided_at=timezone.now())
        for i, (u, h) in enumerate(zip(users, homes, strict=True))], batch_size=1000)
    today = timezone.localdate()
    WaitlistEntry.objects.bulk_create([
        WaitlistEntry(application=a, application_number=a.number, district=district, number=f"LH230602-BENCH-{i:05d}",
                      group_rank=10, qualified_on=today - timedelta(days=1 + i), household_size=1, max_bedrooms=1)
        for i, a in enumerate(apps_)], batch_size=1000)
    building = housing.building(housing.estate("230602"))
    units = housing_services.units_create_bulk(units=[
        Unit(building=building, number=f"{1 + i // 20}单元{100 + i % 20 + 1}", floor=1 + i % 6, area=45, bedrooms=1)
        for i in range(unit_count)], with_history=False)
    housing_services.units_publish_bulk(units=units, actor=None, opinion="基准测试")
    round_ = services.round_create(district=district, name="选房基准测试", actor=None,
                                   households_per_window=households, window_hours=4,
                                   choice_starts_at=timezone.now() - timedelta(minutes=1))
    services.round_publish(round=round_, actor=None)
    services.round_draw(round=round_, actor=None, public_entropy="bench-2026")
    entries = list(RoundEntry.objects.filter(round=round_).select_related("entry__application__applicant"))
    now = timezone.now()
    SmsCode.objects.bulk_create([
        SmsCode(phone=e.entry.application.applicant.phone, purpose=CODE_PURPOSE, created_at=now,
                expires_at=now + timedelta(hours=2),
                code_hash=_code_hash(e.entry.application.applicant.phone, CODE_PURPOSE, CODE)) for e in entries],
        batch_size=1000)
    backend = "django.contrib.auth.backends.ModelBackend"
    backend = settings.AUTHENTICATION_BACKENDS[-1] if settings.AUTHENTICATION_BACKENDS else backend
    logged_in = []
    for e in entries:
        user = e.entry.application.applicant
        session = SessionStore()
        session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        logged_in.append((e.pk, session.session_key))
    log(f"准备数据：{households} 户轮候家庭、{unit_count} 套房源、1 个已摇号方案（第 1 批全部开放），"
        f"各户已登录并已发验证码（{time.perf_counter() - started:.1f} 秒）")
    return logged_in, [u.pk for u in units]


def _request(url, *, data=None, cookie=""):
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET", headers=headers)
    started = time.perf_counter()
    try:
        with _NO_REDIRECT.open(request, timeout=120) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
    return (time.perf_counter() - started) * 1000, status, text


class _Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 to the offer page is the answer; do not follow it


_NO_REDIRECT = urllib.request.build_opener(_Keep)


def _run_clients(target, count) -> float:
    """Run `count` threads of `target` to the end; the seconds it took."""
    started = time.perf_counter()
    threads = [threading.Thread(target=target) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description="选房并发基准测试（gunicorn 4 进程，PostgreSQL）")
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50, help="同时发出请求的客户端线程数")
    parser.add_argument("--tries", type=int, default=3, help="房屋被选走后最多再试几套")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_CHOICE_DATABASE_URL", DEFAULT_URL)
    log = print
    _fresh_database(url)
    os.environ.update(_env(url))
    logged_in, unit_ids = _prepare(args.households, args.units, log)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "gongzufang.wsgi", "--workers", str(args.workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=_env(url))
    rng = random.Random(2026)
    timings = {"choose": [], "floor": []}
    outcomes = {"offer": 0, "taken": 0, "gave_up": 0, "other": 0, "error": 0}
    odd = []
    lock = threading.Lock()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _request(f"{base}/healthz")[1] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("gunicorn 未能启动")
            time.sleep(0.3)
        for _ in range(20):
            _request(f"{base}/healthz")

        queue = [("choose", h) for h in logged_in]
        rng.shuffle(queue)
        for _ in range(max(200, len(queue) // 2)):
            queue.insert(rng.randrange(len(queue) + 1), ("floor", None))
        queue.reverse()
        barrier = threading.Barrier(args.clients)

        def household(item):
            re_id, session_key = item
            cookie = f"sessionid={session_key}; csrftoken={CSRF}"
            for _attempt in range(args.tries):
                unit = rng.choice(unit_ids)
                try:
                    ms, status, text = _request(f"{base}/allocation/choice/{re_id}/units/{unit}/", cookie=cookie,
                                                data={"csrfmiddlewaretoken": CSRF, "action": "choose",
                                                      "sms_code": CODE})
                except OSError as exc:
                    with lock:
                        outcomes["error"] += 1
                        odd.append(repr(exc))
                    return
                page = text.decode("utf-8", "replace")
                with lock:
                    timings["choose"].append(ms)
                    if status == 302:
                        outcomes["offer"] += 1
                        return
                    if status == 200 and "该房屋已被其他家庭选定，请另选。" in page:
                        outcomes["taken"] += 1
                        continue
                    outcomes["error" if status >= 500 else "other"] += 1
                    found = re.search(r'<div class="error-summary".*?</ul>', page, re.S)
                    odd.append(f"{status} {found.group(0)[:200] if found else page[:200]}")
                return
            with lock:
                outcomes["gave_up"] += 1  # told "taken" each time: answered, and still waiting

        def client():
            barrier.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    kind, item = queue.pop()
                if kind == "floor":
                    ms, _status, _text = _request(f"{base}/healthz")
                    with lock:
                        timings["floor"].append(ms)
                else:
                    household(item)

        elapsed = _run_clients(client, args.clients)

        # The floor's throughput: the same clients, on the same workers just after, ask only the floor
        # as many times as the choices were posted.
        floor_queue = list(range(len(timings["choose"])))
        floor_alone = []
        floor_barrier = threading.Barrier(args.clients)

        def floor_client():
            floor_barrier.wait()
            while True:
                with lock:
                    if not floor_queue:
                        return
                    floor_queue.pop()
                ms, status, _text = _request(f"{base}/healthz")
                with lock:
                    floor_alone.append(ms if status == 200 else float("inf"))

        floor_elapsed = _run_clients(floor_client, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.db.models import Count

    from allocation.models import LIVE_OFFER_STATUSES, Offer
    from housing.models import Unit

    live = Offer.objects.filter(status__in=LIVE_OFFER_STATUSES)
    twice = live.values("unit_id").annotate(n=Count("id")).filter(n__gt=1).count()
    households_twice = live.values("round_entry_id").annotate(n=Count("id")).filter(n__gt=1).count()
    reserved = Unit.objects.filter(pk__in=unit_ids, status="reserved").count()
    chose = len(timings["choose"])
    answered = outcomes["offer"] + outcomes["gave_up"] + outcomes["other"]
    print(f"\n选房请求 {chose} 次（{len(logged_in)} 户，每户最多 {args.tries} 次），{elapsed:.1f} 秒，"
          f"吞吐 {chose / elapsed:.1f} 次/秒；gunicorn {args.workers} 进程，{args.clients} 个客户端线程")
    for kind, label in (("choose", "选房 POST"), ("floor", "下限 GET /healthz")):
        values = timings[kind]
        print(f"  {label:<18} p50 {_percentile(values, 50):7.1f} ms   p95 {_percentile(values, 95):7.1f} ms   "
              f"（{len(values)} 次）")
    print(f"  p95 之比（选房 / 下限）：{_percentile(timings['choose'], 95) / _percentile(timings['floor'], 95):.1f}×")
    print(f"  下限单独压测 GET /healthz（同样 {args.clients} 个客户端线程、{len(floor_alone)} 次）：{floor_elapsed:.1f} 秒，"
          f"吞吐 {len(floor_alone) / floor_elapsed:.1f} 次/秒，p95 {_percentile(floor_alone, 95):.1f} ms；"
          f"选房吞吐为其 {(chose / elapsed) / (len(floor_alone) / floor_elapsed):.2f}×")
    load = os.getloadavg()
    print(f"  负载（load average）：{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"结果：选定 {outcomes['offer']} 户，“已被其他家庭选定” {outcomes['taken']} 次，其他答复 {outcomes['other']} 次，"
          f"错误/无答复 {outcomes['error']} 次；"
          f"{outcomes['gave_up']} 户 {args.tries} 次均被告知已被选定；得到答复的家庭 {answered}/{len(logged_in)}")
    print(f"核对：同一房屋两个有效选房 {twice} 套；同一家庭两个有效选房 {households_twice} 户；"
          f"有效选房 {live.count()} 个，已预订房屋 {reserved} 套")
    for line in odd[:5]:
        print("  ", line)
    ok = (twice == 0 and households_twice == 0 and outcomes["error"] == 0 and live.count() == reserved
          and answered == len(logged_in))
    print("通过" if ok else "未通过")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
