"""The figures the bureau reports (DESIGN §11), for any period and district.

`summary(start=, end=, principal=)` gives one `Figures` per district the principal may see and the
total over them. Dates are local (Beijing) calendar days, both ends included. Each figure is one
grouped query over all districts at once, so the cost does not grow with the number of districts.

This module keeps the report's shape (`Figures`), the period and the districts; the shared figures
(visits, articles) are counted here. Every other figure comes from the app that owns its data: each
app registers a provider in its `AppConfig.ready()` (`applications/statistics.py`,
`housing/statistics.py`, `complaints/statistics.py`), so the shared layer imports no domain app.

Figures that have no source yet (annual re-certification, rent, subsidies) are `None` with a note
saying why, never 0: a 0 would read as "nobody paid rent". The app that brings a figure registers
its note with it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from gongzufang.models import Article, DailyVisit, District
from gongzufang.scoping import scope_of

TWO_PLACES = Decimal("0.01")

# The shared figures' notes, and those of figures whose app is not built yet. A provider's notes
# replace or add to these.
NOTES = {
    "visits": "访问量为全市门户合计（页面不分区县），截至上次汇总（每小时）。",
    "articles_published": "政策资讯为全市通用，按发布时间统计。",
    "annual_reviews_done": "资格年审功能尚未上线，暂无数据。",
    "households_paid_rent": "租金收缴功能尚未上线，暂无数据。",
    "households_paid_subsidy": "租赁补贴发放功能尚未上线，暂无数据。",
    "waitlist_size": "轮候功能尚未上线，暂无数据。",
    "rent_collection_rate": "租金收缴功能尚未上线，暂无数据。",
    "subsidy_paid_amount": "租赁补贴发放功能尚未上线，暂无数据。",
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
    overdue_applications: int = 0
    # Wave 2 (each filled by its app's provider; None until that app registers one).
    waitlist_size: int | None = None  # households waiting, as of today
    average_wait_days: Decimal | None = None  # of those waiting, as of today
    allocations: int | None = None  # households allocated a unit (lease signed) in the period
    rent_collection_rate: Decimal | None = None  # % of the rent billed in the period that was paid
    rent_arrears_amount: Decimal | None = None  # overdue unpaid rent, as of today
    rent_arrears_households: int | None = None
    subsidy_paid_amount: Decimal | None = None  # subsidy money paid out in the period

    @property
    def feedback_total(self) -> int:
        return sum(self.feedback_received.values())


@dataclass(frozen=True)
class Period:
    """What a provider is asked for: days start..end (both included), "today" for the as-of-today
    figures, and the districts chosen among those the principal may see (in report order)."""

    start: date
    end: date
    today: date
    principal: object
    districts: tuple

    @property
    def district_ids(self) -> list[int]:
        return [d.pk for d in self.districts]

    def scoped(self, queryset):
        """`queryset` as the principal may see it (DESIGN §3: scoping is the model's `for_user`)."""
        return queryset.for_user(self.principal)


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


def summary(*, start: date, end: date, principal, districts=None, today=None) -> Summary:
    """The figures for start..end in each district the principal may see (or the given ones among
    them), and their total. Visits and articles are city-wide and repeated on every row."""
    today = today or timezone.localdate()
    scoped = District.objects.for_user(principal) if not scope_of(principal).empty else District.objects.none()
    if districts is not None:
        scoped = scoped.filter(pk__in=[d.pk for d in districts])
    chosen = tuple(scoped.order_by("sort_order", "code"))
    period = Period(start=start, end=end, today=today, principal=principal, districts=chosen)

    visits = DailyVisit.objects.filter(day__gte=start, day__lte=end).aggregate(n=Sum("count"))["n"] or 0
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__date__gte=start,
                                      published_at__date__lte=end, published_at__lte=timezone.now()).count()
    rows = {district.pk: Figures(district=district, visits=visits, articles_published=articles)
            for district in chosen}
    total = Figures(district=None, visits=visits, articles_published=articles)
    for provider in PROVIDERS:
        provider(period, rows, total)
    return Summary(start=start, end=end, today=today, districts=list(rows.values()), total=total)
