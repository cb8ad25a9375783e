"""The figures the bureau reports (DESIGN §11), for any period and district.

`summary(start=, end=, principal=)` gives one `Figures` per district the principal may see and the
total over them. Dates are local (Beijing) calendar days, both ends included. Each figure is one
grouped query over all districts at once, so the cost does not grow with the number of districts.

This module keeps the report's shape (`Figures`), the period and the districts; the shared figures
(visits, articles) are counted here. Every other figure comes from the app that owns its data: each
app registers a provider in its `AppConfig.ready()` (`applications/statistics.py`,
`housing/statistics.py`, `complaints/statistics.py`), so the shared layer imports no domain app.

A figure whose app is not installed or registers no provider stays `None` with a note saying why,
never 0: a 0 would read as "nobody paid rent". Every figure of DESIGN §11 has its provider now
(allocation, rent, subsidies and tenancy fill the second half's); the app that brings a figure
registers its note with it, replacing the default note below.

Month by month (`trend(start=, end=, principal=, districts=)`): each app registers a *series provider*
(`register_series`) that puts one grouped query's rows — (month, district id, value), months by
`TruncMonth` — into a `Trend`; the cost is one query per figure whatever the number of months or
districts (ADR 0016). Both the summary and the trend read through `reading_reports()`: on the replica
when `DATABASE_REPLICA_URL` is set (gongzufang/db_router.py).

Period figures with many rows (applications, decisions, rent, subsidies, reviews, exits, feedback) are
`Measure`s (`register_measures`), read through a month cube (`cube`, `report`): closed months from the
monthly aggregate kept by a beat job (gongzufang/dashboard/monthly.py), the current month and anything not
stored live, exactly equal to reading everything live (`live=True`; ADR 0016, amendment).

Visits are counted live: the stored days (`DailyVisit`) plus what the counter in the cache holds and
the five-minute flush has not moved yet (gongzufang/visits.py), so the figure is right "截至" the
moment it is read (`Summary.visits_as_of`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzufang.db_router import reading_reports
from gongzufang.models import Article, DailyVisit, District
from gongzufang.scoping import scope_of

TWO_PLACES = Decimal("0.01")

# The shared figures' notes, and those of figures whose app is not built yet. A provider's notes
# replace or add to these.
NOTES = {
    "visits": "访问量为全市门户合计（页面不分区县），含计数器中尚未入库的当日访问，截至查询时刻。",
    "articles_published": "政策资讯为全市通用，按发布时间统计。",
    "annual_reviews_done": "资格年审功能尚未上线，暂无数据。",
    "households_paid_rent": "租金收缴功能尚未上线，暂无数据。",
    "households_paid_subsidy": "租赁补贴发放功能尚未上线，暂无数据。",
    "waitlist_size": "轮候功能尚未上线，暂无数据。",
    "rent_collection_rate": "租金收缴功能尚未上线，暂无数据。",
    "subsidy_paid_amount": "租赁补贴发放功能尚未上线，暂无数据。",
    "annual_reviews_overdue": "资格年审功能尚未上线，暂无数据。",
    "exits_by_ground": "退出管理功能尚未上线，暂无数据。",
}


def two_places(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


_two = two_places  # the name this module used before


@dataclass
class Figures:
    """One row of the report: a district, or the total (district None)."""

    district: District | None  # None: the total
    visits: int = 0
    units_published: int = 0
    units_listed_now: int = 0
    articles_published: int = 0
    applications_submitted: int = 0
    applications_approved: int = 0
    applications_rejected: int = 0
    annual_reviews_done: int | None = None
    households_paid_rent: int | None = None
    households_paid_subsidy: int | None = None
    feedback_received: dict = field(default_factory=dict)  # kind -> count
    feedback_replied: int = 0
    feedback_overdue: int = 0
    ratings: int = 0
    average_rating: Decimal | None = None
    decided: int = 0
    average_processing_workdays: Decimal | None = None
    median_processing_workdays: Decimal | None = None
    p90_processing_workdays: Decimal | None = None  # 90th percentile (linear, as percentile_cont)
    processing_histogram: dict = field(default_factory=dict)  # working days -> decisions
    overdue_applications: int = 0
    # Wave 2 (each filled by its app's provider; None until that app registers one).
    waitlist_size: int | None = None  # households waiting, as of today
    average_wait_days: Decimal | None = None  # of those waiting, as of today
    allocations: int | None = None  # households allocated a unit (lease signed) in the period
    rent_collection_rate: Decimal | None = None  # % of the rent billed in the period that was paid
    rent_arrears_amount: Decimal | None = None  # overdue unpaid rent, as of today
    rent_arrears_households: int | None = None
    subsidy_paid_amount: Decimal | None = None  # subsidy money paid out in the period
    # Added by issue 17 (the dashboard).
    units_in_stock: int = 0  # units not taken out of use (停用), as of today
    units_vacant: int = 0  # of those, vacant and allocatable (空置可配), as of today
    vacancy_rate: Decimal | None = None  # % of units_in_stock that are vacant; None without stock
    annual_reviews_overdue: int | None = None  # issue 16
    exits_by_ground: dict | None = None  # ground -> exits in the period (issue 16)
    monitoring_alerts_open: int | None = None  # 动态监管 alerts not yet resolved, as of today (issue 16)

    @property
    def feedback_total(self) -> int:
        return sum(self.feedback_received.values())


def percentile(histogram: dict, q: float) -> Decimal | None:
    """The q-th quantile (0..1) of the values counted in `histogram` ({value: how many}), interpolated
    linearly between neighbours as PostgreSQL's percentile_cont does (q=0.5 is the median)."""
    n = sum(histogram.values())
    if not n:
        return None
    position = Decimal(str(q)) * (n - 1)
    below = int(position)
    fraction = position - below

    def value_at(index):
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if seen > index:
                return value
        return max(histogram)

    low = value_at(below)
    high = value_at(below + 1) if fraction else low
    return two_places(Decimal(low) + (Decimal(high) - Decimal(low)) * fraction)


def histogram_figures(figures, histogram: dict) -> None:
    """Decisions, average, median and 90th percentile of the processing time from its histogram."""
    histogram = {int(k): v for k, v in histogram.items() if v}
    figures.processing_histogram = dict(sorted(histogram.items()))
    figures.decided = sum(histogram.values())
    if figures.decided:
        figures.average_processing_workdays = two_places(
            Decimal(sum(k * v for k, v in histogram.items())) / figures.decided)
        figures.median_processing_workdays = percentile(histogram, 0.5)
        figures.p90_processing_workdays = percentile(histogram, 0.9)


@dataclass(frozen=True)
class Period:
    """What a provider is asked for: days start..end (both included), "today" for the as-of-today
    figures, and the districts chosen among those the principal may see (in report order)."""

    start: date
    end: date
    today: date
    principal: object
    districts: tuple
    # The period's measures (`Cube`): closed months from the monthly aggregate, the rest live (ADR 0016).
    cube: object = field(default=None, compare=False, repr=False)
    # The "as of today" figures (`Snapshot`): the beat job's snapshot when fresh, else live (ADR 0016).
    current: object = field(default=None, compare=False, repr=False)

    def now(self) -> "Snapshot":
        """The as-of-today figures: the report's snapshot, or (a Period made without one) read live."""
        return self.current if self.current is not None else current_figures(self, live=True)

    @property
    def district_ids(self) -> list[int]:
        return [d.pk for d in self.districts]

    def scoped(self, queryset):
        """`queryset` as the principal may see it (DESIGN §3: scoping is the model's `for_user`)."""
        return queryset.for_user(self.principal)

    @property
    def since(self) -> datetime:
        """The period's first moment (local midnight of `start`), for a timestamp range."""
        return local_midnight(self.start)

    @property
    def until(self) -> datetime:
        """The moment after the period (local midnight of the day after `end`): `field__lt=until`."""
        return local_midnight(self.end + timedelta(days=1))

    def moments(self, field: str) -> dict:
        """{field__gte: since, field__lt: until}: the period's days as a timestamp range, which the database
        compares as is (an index can serve it), rather than converting each row's timestamp to a date."""
        return {f"{field}__gte": self.since, f"{field}__lt": self.until}


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# provider(period, rows, total): fills its own fields on every row ({district_id: Figures}, in report
# order) and on the total. Called in registration order; each provider owns distinct fields.
Provider = Callable[[Period, dict, Figures], None]
PROVIDERS: list[Provider] = []


def register(provider: Provider, *, notes: dict | None = None) -> None:
    """Add an app's figures to the report (idempotent: ready() may run more than once in tests)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    NOTES.update(notes or {})


# The order the report lists its notes in (DESIGN §11); notes of figures added later follow.
NOTE_ORDER = ["visits", "articles_published", "units_published", "annual_reviews_done", "households_paid_rent",
              "households_paid_subsidy", "processing_workdays", "overdue_applications"]


def _notes() -> dict:
    rank = {name: i for i, name in enumerate(NOTE_ORDER)}
    return dict(sorted(NOTES.items(), key=lambda item: rank.get(item[0], len(rank))))


@dataclass
class Summary:
    start: date
    end: date
    today: date
    districts: list[Figures]
    total: Figures
    notes: dict = field(default_factory=_notes)
    visits_as_of: datetime | None = None  # the moment the live visit count was read
    # The moment of the snapshot the as-of-today figures come from (arrears, overdue, waitlist, units by
    # status …), None when they were read live (ADR 0016: shown "截至 HH:MM").
    current_as_of: datetime | None = None


def grouped(queryset, district_path, *, distinct=None) -> dict:
    """{district_id: count} in one query."""
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = queryset.values(district_path).annotate(n=counted).order_by()
    return {row[district_path]: row["n"] for row in rows}


_grouped = grouped  # the name this module used before


def add_up(rows: dict, total: Figures, names) -> None:
    """The total of count figures is the sum of the districts'."""
    for name in names:
        setattr(total, name, sum(getattr(figures, name) for figures in rows.values()))


def summary(*, start: date, end: date, principal, districts=None, today=None, live: bool = False) -> Summary:
    """The figures for start..end in each district the principal may see (or the given ones among
    them), and their total. Visits and articles are city-wide and repeated on every row. `live=True`
    reads every period figure from its source rows (no monthly aggregate)."""
    return report(start=start, end=end, principal=principal, districts=districts, today=today, live=live,
                  with_trend=False)[0]


def report(*, start: date, end: date, principal, districts=None, today=None, live: bool = False,
           with_trend: bool = True):
    """(Summary, Trend or None) for start..end from one month cube: what the dashboard shows."""
    today = today or timezone.localdate()
    with reading_reports():
        period = period_for(start=start, end=end, principal=principal, districts=districts, today=today)
        period = replace(period, cube=cube(period, live=live), current=current_figures(period, live=live))
        result = _summary(period)
        result.current_as_of = period.current.as_of
        series = _trend(period) if with_trend else None
    return result, series


def _summary(period: Period) -> Summary:
    start, end, today = period.start, period.end, period.today
    visits_as_of = timezone.now()
    stored = DailyVisit.objects.filter(day__gte=start, day__lte=end).aggregate(n=Sum("count"))["n"] or 0
    visits = stored + sum(live_visits(start, end, today=today).values())
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__date__gte=start,
                                      published_at__date__lte=end, published_at__lte=timezone.now()).count()
    rows = {district.pk: Figures(district=district, visits=visits, articles_published=articles)
            for district in period.districts}
    total = Figures(district=None, visits=visits, articles_published=articles)
    for provider in PROVIDERS:
        provider(period, rows, total)
    return Summary(start=start, end=end, today=today, districts=list(rows.values()), total=total,
                   visits_as_of=visits_as_of)


def live_visits(start: date, end: date, *, today: date) -> dict:
    """{day: visits} still in the cache's counters (not yet flushed into DailyVisit) for the days of
    start..end the flush may not have reached (it looks back a week), in one cache round trip."""
    from gongzufang.models.visits import PageKind
    from gongzufang.visits import FLUSH_DAYS_BACK, buffer_key

    first, last = max(start, today - timedelta(days=FLUSH_DAYS_BACK)), min(end, today)
    keys = {}
    day = first
    while day <= last:
        keys.update({buffer_key(day, kind): day for kind in PageKind.values})
        day += timedelta(days=1)
    if not keys:
        return {}
    from django.core.cache import cache

    try:
        values = cache.get_many(list(keys))
    except Exception:  # a cache outage leaves the stored figure
        return {}
    found: dict = {}
    for key, value in values.items():
        if value:
            found[keys[key]] = found.get(keys[key], 0) + int(value)
    return found


# --- month by month ------------------------------------------------------------------------------


def month_start(value) -> date:
    """The first day of the month of a date, or of an aware datetime in local time."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def monthly(queryset, date_field: str, district_path: str | None, *, distinct=None, value=None) -> list:
    """[(month, district_id, n)] in one grouped query: `value` (an aggregate; default a count, of
    distinct `distinct` if given) per month of `date_field` and district (None: city-wide)."""
    if value is None:
        value = Count(distinct, distinct=True) if distinct else Count("pk")
    keys = ["month"] + ([district_path] if district_path else [])
    rows = queryset.annotate(month=TruncMonth(date_field)).values(*keys).annotate(n=value).order_by()
    return [(month_start(row["month"]), row[district_path] if district_path else None, row["n"]) for row in rows]


@dataclass
class Trend:
    """Month-by-month figures: values[name][month][district_id] (district_id None: a city-wide figure
    or a total the provider computed itself, such as a rate)."""

    start: date
    end: date
    months: list
    districts: tuple
    labels: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def put(self, name: str, rows) -> None:
        by_month = self.values.setdefault(name, {})
        for month, district_id, n in rows:
            cell = by_month.setdefault(month, {})
            cell[district_id] = cell.get(district_id, 0) + (n or 0)

    def names(self) -> list:
        return [name for name in self.labels if name in self.values]

    def total(self, name: str, month) -> object:
        cell = self.values.get(name, {}).get(month, {})
        if None in cell:
            return cell[None]
        return sum(cell.values()) if cell else 0

    def totals(self, name: str) -> list:
        return [self.total(name, month) for month in self.months]

    def of_district(self, name: str, district_id) -> list:
        return [self.values.get(name, {}).get(month, {}).get(district_id, 0) for month in self.months]


# series(period, trend): puts its figures' rows into the trend (`trend.put(name, monthly(...))`).
SeriesProvider = Callable[[Period, Trend], None]
SERIES_PROVIDERS: list[SeriesProvider] = []
SERIES_LABELS = {"visits": "访问量", "articles_published": "政策资讯"}
SERIES_NOTES: dict = {}


def register_series(provider: SeriesProvider, *, labels: dict, notes: dict | None = None) -> None:
    """Add an app's month-by-month figures (labels: name -> Chinese label, in display order)."""
    if provider not in SERIES_PROVIDERS:
        SERIES_PROVIDERS.append(provider)
    SERIES_LABELS.update(labels)
    SERIES_NOTES.update(notes or {})


def _shared_series(period: Period, trend: Trend) -> None:
    days = DailyVisit.objects.filter(day__gte=period.start, day__lte=period.end)
    trend.put("visits", monthly(days, "day", None, value=Sum("count")))
    trend.put("visits", [(month_start(day), None, n)
                         for day, n in live_visits(period.start, period.end, today=period.today).items()])
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__date__gte=period.start,
                                      published_at__date__lte=period.end, published_at__lte=timezone.now())
    trend.put("articles_published", monthly(articles, "published_at", None))


def period_for(*, start: date, end: date, principal, districts=None, today=None) -> Period:
    """The Period a provider is given: the districts the principal may see, or the given ones among them."""
    today = today or timezone.localdate()
    scoped = District.objects.for_user(principal) if not scope_of(principal).empty else District.objects.none()
    if districts is not None:
        scoped = scoped.filter(pk__in=[d.pk for d in districts])
    chosen = tuple(scoped.order_by("sort_order", "code"))
    return Period(start=start, end=end, today=today, principal=principal, districts=chosen)


def trend(*, start: date, end: date, principal, districts=None, today=None, live: bool = False) -> Trend:
    """Month-by-month figures for start..end in the districts the principal may see (or the given ones
    among them): a fixed number of queries whatever the months and districts."""
    today = today or timezone.localdate()
    with reading_reports():
        period = period_for(start=start, end=end, principal=principal, districts=districts, today=today)
        period = replace(period, cube=cube(period, live=live))
        return _trend(period)


def _trend(period: Period) -> Trend:
    result = Trend(start=period.start, end=period.end, months=months_between(period.start, period.end),
                   districts=period.districts, labels=dict(SERIES_LABELS), notes=dict(SERIES_NOTES))
    if period.districts:
        _shared_series(period, result)
        for provider in SERIES_PROVIDERS:
            provider(period, result)
    result.labels = dict(SERIES_LABELS)
    return result


# --- row-level exports (the Excel download behind a chart, streamed) ------------------------------


@dataclass(frozen=True)
class DetailExport:
    """Rows behind a figure, for an Excel download: `rows(period)` yields tuples matching `columns`,
    reading in chunks (an iterator), so an export of any size runs in bounded memory."""

    key: str
    title: str
    columns: tuple
    rows: Callable


DETAIL_EXPORTS: dict = {}


def register_detail(key: str, *, title: str, columns, rows) -> None:
    DETAIL_EXPORTS[key] = DetailExport(key=key, title=title, columns=tuple(columns), rows=rows)


# --- period figures month by month: a monthly aggregate for closed months, the rest live (ADR 0016) ------


@dataclass(frozen=True)
class Measure:
    """A period figure every provider reads through the month cube instead of querying it itself.

    `source(period)` gives the rows in the principal's scope and the period's districts, unfiltered by
    time; `moment` places a row in a day (a DateTimeField read in local time, or a DateField when `dated`);
    `district` is the path to the district id; `key` splits the figure (a kind, a ground, working days);
    the value is a count of rows, the sum of `total`, or — with `distinct` — the number of different
    things (leases, grants, applications) counted once in the whole period. `changed` is a field whose
    latest value marks an update of a row in place (a bill paid later), for the job's fingerprint."""

    name: str
    source: Callable
    moment: str
    district: str
    key: str | None = None
    total: str | None = None
    distinct: str | None = None
    dated: bool = False
    changed: str | None = None

    def value(self):
        if self.distinct:
            return Count(self.distinct, distinct=True)
        if self.total:
            return Sum(self.total)
        return Count("pk")

    def bounds(self, since: date, until: date) -> dict:
        """Rows placed in the days since..until (until excluded)."""
        if self.dated:
            return {f"{self.moment}__gte": since, f"{self.moment}__lt": until}
        return {f"{self.moment}__gte": local_midnight(since), f"{self.moment}__lt": local_midnight(until)}


MEASURES: dict = {}


class CityWidePrincipal:
    """Every district: the monthly job's principal (the aggregate is per district; readers filter it)."""

    is_active = True
    is_authenticated = False
    pk = None

    @property
    def scope(self):
        from gongzufang.scoping import Scope

        return Scope(city_wide=True)


def register_measures(*measures: Measure) -> None:
    """Add period figures read through the month cube. A source row saved or deleted with a moment in a
    closed month marks that month not stored (read live until the job recomputes it), so a decision
    recorded late for a closed month shows at once; rows changed in bulk (`update()`) are found by the
    job's fingerprints."""
    from django.db.models.signals import post_delete, post_save

    for measure in measures:
        MEASURES[measure.name] = measure
        probe = Period(start=date(2000, 1, 1), end=date(2000, 1, 1), today=date(2000, 1, 1),
                       principal=CityWidePrincipal(), districts=())
        model = measure.source(probe).model
        for signal in (post_save, post_delete):
            signal.connect(_source_changed, sender=model, dispatch_uid=f"statistics-measures-{model._meta.label}")


def _source_changed(sender, instance, **kwargs) -> None:
    current = timezone.localdate().replace(day=1)
    for measure in MEASURES.values():
        if not measure.moment or "__" in measure.moment:
            continue
        probe = Period(start=current, end=current, today=current, principal=CityWidePrincipal(), districts=())
        if measure.source(probe).model is not sender:
            continue
        moment = getattr(instance, measure.moment, None)
        if moment is None:
            continue
        month = month_start(moment)
        if month >= current:
            continue  # the current month is always read live
        from gongzufang.dashboard.models import MonthlyState

        states = MonthlyState.objects.filter(figure=measure.name)
        # A thing counted once per period: the later months' "previous month" may have changed too.
        (states.filter(month__gte=month) if measure.distinct else states.filter(month=month)).delete()


def _month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


class Cube:
    """The period's measures: month by month (for the trend) and for the whole period (for the summary).

    monthly[name][(month, district_id, key)] = value; for a distinct measure the value of a month counts
    each thing once in that month, and firsts[name][district_id] counts each thing once in the period."""

    def __init__(self, period: "Period"):
        self.period = period
        self.monthly: dict = {name: {} for name in MEASURES}
        self.firsts: dict = {name: {} for name, m in MEASURES.items() if m.distinct}
        self.stored_months: list = []  # months read from the aggregate (the rest was read live)

    def add(self, name, month, district_id, key, value):
        cell = self.monthly[name]
        index = (month, district_id, key)
        cell[index] = cell.get(index, 0) + (value or 0)

    def add_first(self, name, district_id, value):
        self.firsts[name][district_id] = self.firsts[name].get(district_id, 0) + (value or 0)

    def by_district(self, name) -> dict:
        """{district_id: value over the period} (a distinct measure: each thing once)."""
        if name in self.firsts:
            return dict(self.firsts[name])
        out: dict = {}
        for (_month, district_id, _key), value in self.monthly[name].items():
            out[district_id] = out.get(district_id, 0) + value
        return out

    def by_district_key(self, name) -> dict:
        """{district_id: {key: value over the period}}."""
        out: dict = {}
        for (_month, district_id, key), value in self.monthly[name].items():
            cell = out.setdefault(district_id, {})
            cell[key] = cell.get(key, 0) + value
        return out

    def series(self, name) -> list:
        """[(month, district_id, value)] summed over the keys: a trend's rows."""
        out: dict = {}
        for (month, district_id, _key), value in self.monthly[name].items():
            out[(month, district_id)] = out.get((month, district_id), 0) + value
        return [(month, district_id, value) for (month, district_id), value in out.items()]


def aggregate_usable(period: "Period") -> bool:
    """The monthly aggregate is per district: it serves city and district principals (whose scope is whole
    districts) for periods starting on a month's first day; a street clerk or a custom start reads live."""
    scope = scope_of(period.principal)
    return period.start.day == 1 and (scope.city_wide or (bool(scope.district_id) and not scope.street_id))


def stored_months(period: "Period") -> list:
    """The closed months (before the current one) wholly inside the period."""
    months = []
    month = period.start.replace(day=1)
    if month != period.start:
        month = _month_after(month)
    current = period.today.replace(day=1)
    while _month_after(month) - timedelta(days=1) <= period.end and month < current:
        months.append(month)
        month = _month_after(month)
    return months


def _windows(period: "Period", stored: list) -> list:
    """The day ranges [since, until) of the period not covered by stored months, in order."""
    windows, since = [], period.start
    for month in stored:
        if since < month:
            windows.append((since, month))
        since = _month_after(month)
    until = period.end + timedelta(days=1)
    if since < until:
        windows.append((since, until))
    return windows


def live_rows(measure: Measure, period: "Period", since: date, until: date):
    """[(month, district_id, key, value)] of the days since..until, one grouped query."""
    rows = measure.source(period).filter(**measure.bounds(since, until))
    keys = ["month", measure.district] + ([measure.key] if measure.key else [])
    out = []
    for row in rows.annotate(month=TruncMonth(measure.moment)).values(*keys).annotate(
            n=measure.value()).order_by():
        key = "" if not measure.key else str(row[measure.key])
        out.append((month_start(row["month"]), row[measure.district], key, row["n"]))
    return out


def live_firsts(measure: Measure, period: "Period", since: date, until: date) -> dict:
    """{district_id: things of since..until not seen earlier in the period}, one grouped query."""
    from django.db.models import Exists, OuterRef

    rows = measure.source(period).filter(**measure.bounds(since, until))
    if since > period.start:
        seen = measure.source(period).filter(**{measure.distinct: OuterRef(measure.distinct)},
                                             **measure.bounds(period.start, since))
        rows = rows.filter(~Exists(seen))
    return {row[measure.district]: row["n"] for row in rows.values(measure.district).annotate(
        n=Count(measure.distinct, distinct=True)).order_by()}


def cube(period: "Period", *, live: bool = False) -> Cube:
    """The period's measures: closed months from the aggregate where it is stored and fresh, the other days
    (the current month, a partial month, a month not stored yet) by the same grouped queries live.
    `live=True` reads everything live (what the aggregate must equal)."""
    from gongzufang.dashboard.models import MonthlyFigure, MonthlyState

    result = Cube(period)
    if not MEASURES or not period.districts:
        return result
    names = list(MEASURES)
    stored_by_name: dict = {name: [] for name in names}
    if not live and aggregate_usable(period):
        candidates = stored_months(period)
        if candidates:
            for figure, month in MonthlyState.objects.filter(figure__in=names, month__in=candidates).values_list(
                    "figure", "month"):
                stored_by_name[figure].append(month)
            wanted = {(f, m) for f, months in stored_by_name.items() for m in months}
            start_month = period.start.replace(day=1)
            monthly, firsts = result.monthly, result.firsts  # thousands of rows: the loop stays plain
            for figure, month, district_id, key, previous, value in MonthlyFigure.objects.filter(
                    figure__in=names, month__in=candidates, district_id__in=period.district_ids,
            ).values_list("figure", "month", "district_id", "key", "previous", "value"):
                if (figure, month) not in wanted:
                    continue
                number = int(value) if not value % 1 else value
                cell, index = monthly[figure], (month, district_id, key)
                cell[index] = cell.get(index, 0) + number
                if figure in firsts and (previous is None or previous < start_month):
                    first = firsts[figure]
                    first[district_id] = first.get(district_id, 0) + number
            result.stored_months = sorted({m for months in stored_by_name.values() for m in months})
    # Measures over the same rows (one source, moment, district and key: the rent billed and paid, the subsidy
    # households and amount, the ratings and their scores) are read live in one grouped query per window.
    groups: dict = {}
    for name, measure in MEASURES.items():
        for window in _windows(period, sorted(stored_by_name[name])):
            signature = (measure.source, measure.moment, measure.district, measure.key, measure.dated, window)
            groups.setdefault(signature, []).append(measure)
    for signature, measures in groups.items():
        since, until = signature[-1]
        for name, rows in live_rows_of(measures, period, since, until).items():
            for month, district_id, key, value in rows:
                result.add(name, month, district_id, key, value)
        for measure in measures:
            if measure.distinct:
                for district_id, value in live_firsts(measure, period, since, until).items():
                    result.add_first(measure.name, district_id, value)
    return result


def live_rows_of(measures: list, period: "Period", since: date, until: date) -> dict:
    """{name: [(month, district_id, key, value)]} of the days since..until for measures over the same rows
    (same source, moment, district and key), one grouped query with one value per measure."""
    if len(measures) == 1:
        return {measures[0].name: live_rows(measures[0], period, since, until)}
    first = measures[0]
    rows = first.source(period).filter(**first.bounds(since, until))
    keys = ["month", first.district] + ([first.key] if first.key else [])
    values = {f"n{i}": measure.value() for i, measure in enumerate(measures)}
    out: dict = {measure.name: [] for measure in measures}
    for row in rows.annotate(month=TruncMonth(first.moment)).values(*keys).annotate(**values).order_by():
        key = "" if not first.key else str(row[first.key])
        month = month_start(row["month"])
        for i, measure in enumerate(measures):
            out[measure.name].append((month, row[first.district], key, row[f"n{i}"]))
    return out


# --- the "as of today" figures: a snapshot kept by a beat job, read when fresh (ADR 0016, second amendment) ---


@dataclass(frozen=True)
class Current:
    """A figure of the current state, not of a period: arrears, applications past their step's due date,
    households waiting, units by status, reviews overdue, open alerts. `rows(period)` gives
    [(district_id, key, value)] from one grouped query over the principal's scope and the period's districts,
    as of `period.today`. The beat job stores every district's rows every few minutes
    (gongzufang/dashboard/current.py); a report reads them when taken for its `today` and at most
    CURRENT_MAX_AGE ago (shown "截至 HH:MM"), else computes them live."""

    name: str
    rows: Callable


CURRENTS: dict = {}
# The job runs every five minutes (gongzufang/schedule.py); a snapshot older than this (the beat stopped)
# is not used: the figures are read live instead.
CURRENT_MAX_AGE = timedelta(minutes=20)


def register_current(*currents: Current) -> None:
    for current in currents:
        CURRENTS[current.name] = current


class Snapshot:
    """values[name][district_id][key] = value; `as_of` the oldest stored moment used (None: all live)."""

    def __init__(self):
        self.values: dict = {name: {} for name in CURRENTS}
        self.as_of: datetime | None = None
        self.stored: set = set()  # the names read from the stored snapshot

    def add(self, name, district_id, key, value) -> None:
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        cell = self.values.setdefault(name, {}).setdefault(district_id, {})
        cell[key] = cell.get(key, 0) + (value or 0)

    def by_district(self, name, key: str = "") -> dict:
        """{district_id: value} of one key."""
        return {district_id: keys[key] for district_id, keys in self.values.get(name, {}).items() if key in keys}

    def by_district_key(self, name) -> dict:
        """{district_id: {key: value}}."""
        return {district_id: dict(keys) for district_id, keys in self.values.get(name, {}).items()}


def snapshot_usable(period: "Period") -> bool:
    """The snapshot is per district: it serves city and district principals (whose scope is whole districts);
    a street clerk's figures are read live."""
    scope = scope_of(period.principal)
    return scope.city_wide or (bool(scope.district_id) and not scope.street_id)


def current_figures(period: "Period", *, live: bool = False) -> Snapshot:
    """The as-of-today figures: from the beat job's snapshot where it was taken for `period.today` within
    CURRENT_MAX_AGE, the others by their grouped queries live. `live=True` reads everything live."""
    from gongzufang.dashboard.models import CurrentFigure, CurrentState

    result = Snapshot()
    if not CURRENTS or not period.districts:
        return result
    if not live and snapshot_usable(period):
        fresh = dict(CurrentState.objects.filter(
            figure__in=list(CURRENTS), day=period.today, computed_at__gte=timezone.now() - CURRENT_MAX_AGE,
        ).values_list("figure", "computed_at"))
        if fresh:
            for figure, district_id, key, value in CurrentFigure.objects.filter(
                    figure__in=list(fresh), district_id__in=period.district_ids,
            ).values_list("figure", "district_id", "key", "value"):
                result.add(figure, district_id, key, value)
            result.stored = set(fresh)
            result.as_of = min(fresh.values())
    for name, current in CURRENTS.items():
        if name not in result.stored:
            for district_id, key, value in current.rows(period):
                result.add(name, district_id, key, value)
    return result
