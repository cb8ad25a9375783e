"""Visit counting (访问量) without a database write on the request path.

A page view by a person (not a known bot) increments a counter in the cache, key
`visits:{YYYY-MM-DD}:{kind}` (Redis in production via REDIS_URL; LocMem in development, which is
per process — acceptable there). `flush()`, run every five minutes by the Celery task
`gongzufang.tasks.flush_visits`, moves the counters into `DailyVisit` rows.

Counted: GET requests answered 200 with an HTML page, outside the admin, the API and file views.
The day is the local (Asia/Shanghai) date of the request.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongzufang.models.visits import DailyVisit, PageKind

log = logging.getLogger(__name__)

KEY_PREFIX = "visits"
# Buffered counts live this long; flush runs every 5 minutes, so only a long outage loses any.
BUFFER_TTL = 8 * 24 * 3600
FLUSH_DAYS_BACK = 7
FLUSH_LOCK_KEY = "visits:flush-lock"
FLUSH_LOCK_TTL = 120

# Lower-case substrings of User-Agent headers of crawlers, link previewers, monitors and
# scripts. An empty User-Agent is treated as a bot too. Browsers never contain these.
BOT_TOKENS = (
    "bot",  # googlebot, bingbot, baiduspider-…bot, yandexbot, applebot, duckduckbot, petalbot, mj12bot…
    "spider",  # baiduspider, sogou web spider, 360spider, yisouspider, bytespider
    "crawl",  # crawler, crawling
    "slurp",  # Yahoo
    "headless",  # HeadlessChrome and other automation
    "lighthouse",
    "facebookexternalhit",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "scrapy",
    "httpclient",
    "axios/",
    "node-fetch",
    "uptime",
    "monitor",
    "pingdom",
    "zgrab",
    "masscan",
    "nmap",
    "semrush",
    "ahrefs",
    "preview",  # link previewers (e.g. "…LinkPreview", "Slackbot-LinkExpanding" is caught by "bot")
)

# View names (with namespace) -> page kind; every other page counts as "other".
VIEW_NAME_KINDS = {
    "home": PageKind.HOME,
    "housing:unit_search": PageKind.UNIT_SEARCH,
    "housing:unit_detail": PageKind.UNIT,
    "housing:estate_detail": PageKind.ESTATE,
    "article_list": PageKind.ARTICLE_LIST,
    "article_detail": PageKind.ARTICLE,
    "guide": PageKind.GUIDE,
    "guide_detail": PageKind.GUIDE,
}
EXCLUDED_PATH_PREFIXES = ("/admin/", "/api/", "/static/", "/files/", "/healthz")


def is_bot(user_agent: str) -> bool:
    ua = (user_agent or "").strip().lower()
    return not ua or any(token in ua for token in BOT_TOKENS)


def page_kind(request) -> str:
    match = getattr(request, "resolver_match", None)
    return VIEW_NAME_KINDS.get(match.view_name if match else None, PageKind.OTHER)


def buffer_key(day, kind) -> str:
    return f"{KEY_PREFIX}:{day.isoformat()}:{kind}"


def record(kind: str, *, day=None) -> None:
    """Add one visit to the buffer. Cache only; never touches the database."""
    key = buffer_key(day or timezone.localdate(), kind)
    try:
        cache.add(key, 0, BUFFER_TTL)  # add-if-missing, so incr has something to increment
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, BUFFER_TTL)
    except Exception:  # a cache outage must never break a page
        log.warning("visit counter unavailable", exc_info=True)


def should_count(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200:
        return False
    if request.path.startswith(EXCLUDED_PATH_PREFIXES):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    return not is_bot(request.META.get("HTTP_USER_AGENT", ""))


class VisitCountMiddleware:
    """Counts page views by kind in the cache (see module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if should_count(request, response):
            record(page_kind(request))
        return response


def _take(key) -> int:
    """Remove and return the buffered count of `key`.

    On Redis this is one atomic GETDEL: a second flush (or one running at the same time) finds
    nothing, so nothing is counted twice. Elsewhere the count is read and the same amount
    decremented (`decr` is atomic): visits recorded in between stay in the buffer for the next
    flush, and however flushes interleave, every visit taken out of the buffer is taken exactly
    once — the sum of the rows and the buffer stays right.
    """
    redis_client = _redis_client(key)
    if redis_client is not None:
        raw = redis_client.getdel(cache.make_and_validate_key(key))
        return int(raw) if raw is not None else 0
    value = cache.get(key)
    if not value or value <= 0:
        return 0
    try:
        cache.decr(key, value)
    except ValueError:  # vanished meanwhile (expired or taken): nothing to move
        return 0
    return value


def _redis_client(key):
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    client = backend.get_client(key, write=True)
    return client if hasattr(client, "getdel") else None


def _give_back(key, amount):
    try:
        if not cache.add(key, amount, BUFFER_TTL):
            cache.incr(key, amount)
    except Exception:
        log.error("visit counts lost: %s += %s could not be put back", key, amount, exc_info=True)


def _add_to_row(day, kind, amount):
    with transaction.atomic():
        updated = DailyVisit.objects.filter(day=day, kind=kind).update(
            count=F("count") + amount, updated_at=timezone.now(),
        )
        if updated:
            return
        try:
            with transaction.atomic():
                DailyVisit.objects.create(day=day, kind=kind, count=amount)
        except IntegrityError:  # created by a concurrent flush
            DailyVisit.objects.filter(day=day, kind=kind).update(count=F("count") + amount)


def flush(*, today=None) -> dict:
    """Move buffered counts into DailyVisit. Returns {(day, kind): amount moved}.

    Order of steps, and why: the count is first *taken* out of the buffer, then added to its
    row. A second flush therefore never finds the same visits again (no double counting). If the
    database write fails, the amount is put back into the buffer for the next flush; only a
    hard crash between the two steps loses visits, and then at most that one key's amount.
    Doing it the other way round (row first, then buffer) would double-count after such a crash.
    A lock in the cache keeps two flushes from running at once; even without it the result is
    right (see `_take`).
    """
    today = today or timezone.localdate()
    if not cache.add(FLUSH_LOCK_KEY, 1, FLUSH_LOCK_TTL):
        return {}
    moved = {}
    try:
        for days_back in range(FLUSH_DAYS_BACK + 1):
            day = today - timedelta(days=days_back)
            for kind in PageKind.values:
                key = buffer_key(day, kind)
                amount = _take(key)
                if amount <= 0:
                    continue
                try:
                    _add_to_row(day, kind, amount)
                except Exception:
                    _give_back(key, amount)
                    raise
                moved[(day, kind)] = amount
    finally:
        cache.delete(FLUSH_LOCK_KEY)
    return moved


def buffered(day=None) -> dict:
    """{kind: count} still in the buffer for `day` (today): for a live figure on a dashboard."""
    day = day or timezone.localdate()
    keys = {buffer_key(day, kind): kind for kind in PageKind.values}
    values = cache.get_many(list(keys))
    return {keys[k]: int(v) for k, v in values.items() if v}
