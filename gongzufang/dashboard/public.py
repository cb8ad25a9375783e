"""/figures/ 公开数据: the headline figures the bureau publishes (as the city's own report did), city-wide,
for this year to date and the whole of last year. Counts only, no personal data; kept in the cache for a
few minutes, so a busy day's visitors cost one report every few minutes."""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gongzufang import statistics
from gongzufang.scoping import Scope
from gongzufang.statistics_tables import NO_DATA

CACHE_SECONDS = 300
CACHE_KEY = "statistics:public-figures:v1:{day}"

# (label, unit, how to read it from the report's total)
PUBLISHED = [
    ("门户访问量", "次", lambda f: f.visits),
    ("发布房源", "套", lambda f: f.units_published),
    ("发布政策资讯", "篇", lambda f: f.articles_published),
    ("受理申请", "件", lambda f: f.applications_submitted),
    ("审核通过", "件", lambda f: f.applications_approved),
    ("平均审批用时", "个工作日", lambda f: f.average_processing_workdays),
    ("完成资格年审", "户", lambda f: f.annual_reviews_done),
    ("按时缴纳租金", "户", lambda f: f.households_paid_rent),
    ("发放租赁补贴", "户", lambda f: f.households_paid_subsidy),
    ("办理投诉建议", "件", lambda f: f.feedback_total),
    ("收到服务评价", "条", lambda f: f.ratings),
]


@dataclass(frozen=True)
class CityWide:
    """The report's principal for the public page: the whole city, as the bureau publishes it."""

    is_active: bool = True
    is_authenticated: bool = False
    pk: None = None

    @property
    def scope(self):
        return Scope(city_wide=True)


def public_figures(today: date | None = None) -> dict:
    today = today or timezone.localdate()
    key = CACHE_KEY.format(day=today.isoformat())
    found = cache.get(key)
    if found is not None:
        return found
    principal = CityWide()
    this_year = statistics.summary(start=date(today.year, 1, 1), end=today, principal=principal, today=today)
    last_year = statistics.summary(start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31),
                                   principal=principal, today=today)
    rows = []
    for label, unit, read in PUBLISHED:
        now, before = read(this_year.total), read(last_year.total)
        rows.append({"label": label, "unit": unit,
                     "this_year": NO_DATA if now is None else now, "last_year": NO_DATA if before is None else before})
    figures = {
        "rows": rows, "year": today.year, "last_year": today.year - 1, "today": today,
        "as_of": timezone.localtime(this_year.visits_as_of),
        "waitlist_size": this_year.total.waitlist_size, "units_listed_now": this_year.total.units_listed_now,
    }
    cache.set(key, figures, CACHE_SECONDS)
    return figures


@require_GET
def figures_page(request):
    return render(request, "info/figures.html", {"figures": public_figures(), "no_data": NO_DATA})
