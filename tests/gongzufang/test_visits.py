"""Visit counting (访问量): a page view only touches the cache; a periodic flush moves counts into
DailyVisit; bots are left out; flushing twice or failing half-way never double-counts."""

import os
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzufang import visits
from gongzufang.models import DailyVisit, PageKind
from gongzufang.schedule import BEAT_SCHEDULE
from gongzufang.selectors.visits import visits_between, visits_by_day, visits_by_kind
from gongzufang.tasks import flush_visits

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.50"


def _buffered(kind, day=None):
    return cache.get(visits.buffer_key(day or timezone.localdate(), kind)) or 0


def test_a_page_view_is_counted_in_the_cache_without_writing_to_the_database(client):
    client.get("/", HTTP_USER_AGENT=BROWSER)  # warm up (first-request work is not ours)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert _buffered(PageKind.HOME) == 2
    touching = [q["sql"] for q in queries if "dailyvisit" in q["sql"].lower()]
    assert touching == []
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in queries)
    assert DailyVisit.objects.count() == 0


@pytest.mark.parametrize(("url_name", "args", "kind"), [
    ("home", [], PageKind.HOME),
    ("article_list", [], PageKind.ARTICLE_LIST),
    ("guide", [], PageKind.GUIDE),
    ("guide_detail", ["unit"], PageKind.GUIDE),
    ("info", [], PageKind.OTHER),
    ("housing:unit_search", [], PageKind.UNIT_SEARCH),
])
def test_pages_are_counted_by_kind(client, url_name, args, kind):
    assert client.get(reverse(url_name, args=args), HTTP_USER_AGENT=WECHAT).status_code == 200
    assert _buffered(kind) == 1
    assert sum(_buffered(k) for k in PageKind.values) == 1


def test_unit_and_estate_pages_are_counted_by_kind(client):
    from tests.housing import factories

    estate, _building, (unit,) = factories.stock(units=1)
    assert client.get(reverse("housing:unit_detail", args=[unit.pk]), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get(reverse("housing:estate_detail", args=[estate.pk]), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert (_buffered(PageKind.UNIT), _buffered(PageKind.ESTATE)) == (1, 1)


def test_an_article_page_is_counted_as_an_article(client, settings, tmp_path):
    from tests.gongzufang.articles_helpers import article_with_images

    settings.MEDIA_ROOT = tmp_path
    article = article_with_images(images=1)
    client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    client.get(article.images.get().url, HTTP_USER_AGENT=BROWSER)  # an image is not a page view
    assert _buffered(PageKind.ARTICLE) == 1
    assert sum(_buffered(k) for k in PageKind.values) == 1


@pytest.mark.parametrize("user_agent", [
    "",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (compatible; YisouSpider/5.0)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
])
def test_known_bots_and_an_empty_user_agent_are_not_counted(client, user_agent):
    assert client.get("/", HTTP_USER_AGENT=user_agent).status_code == 200
    assert _buffered(PageKind.HOME) == 0


def test_ordinary_browsers_are_not_taken_for_bots():
    for ua in [BROWSER, WECHAT, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"]:
        assert not visits.is_bot(ua)


def test_errors_posts_admin_api_and_files_are_not_counted(client, chen):
    client.get("/no-such-page/", HTTP_USER_AGENT=BROWSER)
    client.get(reverse("article_detail", args=[99999]), HTTP_USER_AGENT=BROWSER)
    client.post(reverse("login"), {"username": "x", "password": "y"}, HTTP_USER_AGENT=BROWSER)
    client.get("/api/v1/", HTTP_USER_AGENT=BROWSER)
    client.get(reverse("healthz"), HTTP_USER_AGENT=BROWSER)
    client.force_login(chen)
    assert client.get(reverse("admin:index"), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert all(_buffered(k) == 0 for k in PageKind.values)


def test_the_flush_moves_counts_into_the_table_and_empties_the_buffer(client):
    for _ in range(3):
        client.get("/", HTTP_USER_AGENT=BROWSER)
    client.get(reverse("guide"), HTTP_USER_AGENT=BROWSER)
    today = timezone.localdate()
    moved = visits.flush()
    assert moved == {(today, "home"): 3, (today, "guide"): 1}
    assert set(DailyVisit.objects.values_list("day", "kind", "count")) == {(today, "home", 3), (today, "guide", 1)}
    assert _buffered(PageKind.HOME) == 0


def test_a_second_flush_counts_nothing_twice_and_later_visits_add_up(client):
    client.get("/", HTTP_USER_AGENT=BROWSER)
    visits.flush()
    assert visits.flush() == {}
    client.get("/", HTTP_USER_AGENT=BROWSER)
    client.get("/", HTTP_USER_AGENT=BROWSER)
    visits.flush()
    visits.flush()
    assert DailyVisit.objects.get(kind="home").count == 3


def test_visits_recorded_between_reading_and_taking_stay_for_the_next_flush(settings):
    # The read-then-decrement path of caches without GETDEL (LocMem); Redis takes atomically.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    visits.record("home")
    visits.record("home")
    original_get = cache.get

    def get_then_visit(key, *args, **kwargs):
        value = original_get(key, *args, **kwargs)
        if key.endswith(":home") and value:
            visits.record("home")  # a visit arrives while the flush runs
        return value

    with mock.patch.object(cache, "get", side_effect=get_then_visit):
        visits.flush()
    assert DailyVisit.objects.get(kind="home").count == 2
    assert _buffered("home") == 1
    visits.flush()
    assert DailyVisit.objects.get(kind="home").count == 3


def test_a_failed_database_write_puts_the_counts_back():
    visits.record("guide")
    visits.record("guide")
    with mock.patch.object(visits, "_add_to_row", side_effect=RuntimeError("database down")), \
            pytest.raises(RuntimeError):
        visits.flush()
    assert _buffered("guide") == 2
    visits.flush()
    assert DailyVisit.objects.get(kind="guide").count == 2


def test_a_flush_already_running_makes_a_second_one_step_aside():
    visits.record("home")
    cache.add(visits.FLUSH_LOCK_KEY, 1, 60)
    assert visits.flush() == {}
    cache.delete(visits.FLUSH_LOCK_KEY)
    assert visits.flush() == {(timezone.localdate(), "home"): 1}


def test_yesterdays_visits_are_flushed_to_yesterday():
    today = timezone.localdate()
    visits.record("home", day=today - timedelta(days=1))
    visits.record("home", day=today)
    visits.flush()
    assert dict(DailyVisit.objects.values_list("day", "count")) == {today - timedelta(days=1): 1, today: 1}


def test_the_day_is_the_local_date(client, time_machine):
    # 23:30 UTC on 1 March is already 2 March in Daqing
    time_machine.move_to("2026-03-01T23:30:00+00:00", tick=False)
    client.get("/", HTTP_USER_AGENT=BROWSER)
    visits.flush()
    assert DailyVisit.objects.get().day == date(2026, 3, 2)


def test_the_flush_task_is_scheduled_every_five_minutes_and_reports_what_it_moved(client):
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "gongzufang.tasks.flush_visits")
    assert entry["schedule"].minute == set(range(0, 60, 5))
    client.get("/", HTTP_USER_AGENT=BROWSER)
    client.get("/", HTTP_USER_AGENT=BROWSER)
    assert flush_visits.delay().get() == 2
    assert flush_visits.delay().get() == 0


def test_statistics_read_visits_by_period_and_kind():
    DailyVisit.objects.bulk_create([
        DailyVisit(day=date(2026, 5, 1), kind="home", count=10),
        DailyVisit(day=date(2026, 5, 1), kind="article", count=4),
        DailyVisit(day=date(2026, 5, 2), kind="home", count=7),
        DailyVisit(day=date(2026, 6, 1), kind="home", count=100),
    ])
    assert visits_between(date(2026, 5, 1), date(2026, 5, 31)) == 21
    assert visits_between(date(2026, 5, 1), date(2026, 5, 31), kind="home") == 17
    assert visits_between(date(2026, 5, 2), date(2026, 5, 2)) == 7
    assert visits_between(date(2025, 1, 1), date(2025, 12, 31)) == 0
    assert visits_by_kind(date(2026, 5, 1), date(2026, 5, 31)) == {"home": 17, "article": 4}
    assert visits_by_day(date(2026, 5, 1), date(2026, 5, 31)) == {date(2026, 5, 1): 14, date(2026, 5, 2): 7}


def test_statistics_can_include_todays_unflushed_visits():
    visits.record("home")
    today = timezone.localdate()
    assert visits_between(today, today) == 0
    assert visits_between(today, today, include_buffer=True) == 1
    assert visits_between(today, today, kind="home", include_buffer=True) == 1


def test_a_cache_outage_does_not_break_the_page(client):
    with mock.patch.object(cache, "incr", side_effect=ConnectionError("cache down")):
        assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200


def test_visit_figures_are_read_only_in_the_admin(client, chen):
    DailyVisit.objects.create(day=date(2026, 5, 1), kind="home", count=10)
    client.force_login(chen)
    assert client.get(reverse("admin:gongzufang_dailyvisit_changelist")).status_code == 200
    assert client.get(reverse("admin:gongzufang_dailyvisit_add")).status_code == 403


# --- on a real Redis: atomic take (GETDEL) --------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("需要 Redis（REDIS_URL 或 127.0.0.1:6379）")
    prefix = f"test-visits-{os.getpid()}-{timezone.now().timestamp()}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix,
    }}
    yield cache
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.redis
def test_on_redis_page_views_are_counted_and_flushed_atomically(client, redis_cache):
    assert visits._redis_client(visits.buffer_key(timezone.localdate(), "home")) is not None
    for _ in range(4):
        client.get("/", HTTP_USER_AGENT=BROWSER)
    assert _buffered("home") == 4
    assert visits.flush() == {(timezone.localdate(), "home"): 4}
    assert visits.flush() == {}
    assert _buffered("home") == 0
    client.get("/", HTTP_USER_AGENT=BROWSER)
    visits.flush()
    assert DailyVisit.objects.get(kind="home").count == 5
