"""Working days (DESIGN §12): `is_workday`, `add_workdays`, `workdays_between`, `deadline`.

Chinese working days are Monday–Friday, except public holidays and the make-up working weekends (调休)
the State Council announces each year. A year present in `CalendarYear` follows its table, which holds
only the exceptions to Monday–Friday. Any other year follows the provisional rules of
`gongzufang.holidays`: statutory holidays that fall on a weekday are days off, and there are no make-up
days. Such a year, or one that staff entered with source "provisional", is reported as provisional so
that pages can mark the deadlines in it. No date from 2000 to 2100 makes anything here raise.

Each process caches every year's exceptions after one query. A version token in Django's cache (Redis in
production) tells every process when the table has changed; the token is replaced whenever a
CalendarYear or CalendarDay row is saved or deleted.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from gongzufang import holidays

logger = logging.getLogger(__name__)

# CalendarYear.Source values, spelled out because the data migration passes historical models.
OFFICIAL = "official"
PROVISIONAL = "provisional"

PROVISIONAL_EXPLANATION = gettext_lazy(
    "暂定：该年度国务院办公厅放假安排尚未录入，按法定节假日推算（不含调休），正式安排发布后可能变化。"
)


@dataclass(frozen=True)
class Deadline:
    """A due date, and whether it depends on a year whose holidays are still provisional."""

    date: date
    provisional: bool

    def __str__(self):
        text = self.date.isoformat()
        return text + gettext("（暂定）") if self.provisional else text


# --- the per-process cache -------------------------------------------------------------------------

_VERSION_KEY = "gongzufang:workdays:version"
# How long a process trusts its cached calendar before it asks the shared cache whether the table has
# changed. Edits made in this process take effect at once; other processes see them within this time.
_RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _Year:
    exceptions: dict  # date -> is_workday, only for days where that differs from the Monday–Friday rule
    provisional: bool


@dataclass
class _Snapshot:
    version: str | None
    checked_at: float = field(default_factory=time.monotonic)
    sources: dict | None = None  # year -> CalendarYear.source, loaded with one query
    years: dict = field(default_factory=dict)  # year -> _Year


_snapshot = _Snapshot(version=None)  # replaced whole, never edited in place by another thread's reset


def _shared_version():
    """The version token every process compares against; None if the cache cannot be reached, in which
    case nothing is cached: slower, but never wrong and never an error."""
    try:
        version = cache.get(_VERSION_KEY)
        if version is None:
            cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(_VERSION_KEY)
        return version
    except Exception:  # the calendar must keep working when Redis does not
        logger.warning("working-day calendar: cache unavailable, reading the table without caching", exc_info=True)
        return None


def _current() -> _Snapshot:
    global _snapshot
    snap = _snapshot
    now = time.monotonic()
    if snap.version is not None and now - snap.checked_at < _RECHECK_SECONDS:
        return snap
    version = _shared_version()
    if version is not None and version == snap.version:
        snap.checked_at = now
        return snap
    _snapshot = snap = _Snapshot(version=version)
    return snap


def invalidate_cache():
    """Forget the cached calendar in this process now, and in every other process at its next check."""
    global _snapshot
    _snapshot = _Snapshot(version=None)
    try:
        cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("working-day calendar: could not publish a new version", exc_info=True)


def _calendar_changed(**kwargs):
    invalidate_cache()
    # Another process may load the table between this save and its commit and cache the old rows under
    # the new version; replacing the version again after commit makes it reload.
    transaction.on_commit(invalidate_cache)


for _signal in (post_save, post_delete):
    for _model in ("gongzufang.CalendarYear", "gongzufang.CalendarDay"):
        _signal.connect(_calendar_changed, sender=_model, dispatch_uid="gongzufang.workdays.calendar_changed")


def _sources(snap: _Snapshot) -> dict:
    if snap.sources is None:
        from gongzufang.models import CalendarYear

        snap.sources = dict(CalendarYear.objects.values_list("year", "source"))
    return snap.sources


@lru_cache(maxsize=512)
def _rule_year(year: int) -> _Year:
    """The provisional calendar of a year: statutory holidays that fall on a weekday are days off."""
    days_off = {day: False for day in holidays.statutory_holidays(year) if day.weekday() < 5}
    return _Year(exceptions=days_off, provisional=True)


def _year(snap: _Snapshot, year: int) -> _Year:
    cal = snap.years.get(year)
    if cal is None:
        source = _sources(snap).get(year)
        if source is None:
            cal = _rule_year(year)
        else:
            from gongzufang.models import CalendarDay

            rows = CalendarDay.objects.filter(year_id=year).values_list("date", "is_workday")
            # Rows that agree with Monday–Friday change nothing; keeping them out lets counting rely on
            # every exception flipping its day.
            exceptions = {day: workday for day, workday in rows if workday != (day.weekday() < 5)}
            cal = _Year(exceptions=exceptions, provisional=source != OFFICIAL)
        snap.years[year] = cal
    return cal


# --- the public functions --------------------------------------------------------------------------


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _is_workday(snap: _Snapshot, day: date) -> bool:
    return _year(snap, day.year).exceptions.get(day, day.weekday() < 5)


def is_workday(day: date) -> bool:
    """Whether `day` is a working day. A datetime is taken in local time (Asia/Shanghai)."""
    day = _as_date(day)
    return _is_workday(_current(), day)


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after `start`, `start` itself not counted (so "15 working days after D").

    n == 0 gives `start` unchanged, even if it is not a working day; a negative n counts backwards to
    the n-th working day before `start`.
    """
    start = _as_date(start)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    snap = _current()
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if _is_workday(snap, day):
            left -= 1
    return day


def _weekdays_through(day: date) -> int:
    """Monday–Fridays from 0001-01-01 (a Monday) up to and including `day`."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def _count(snap: _Snapshot, first: date, last: date) -> int:
    """Working days in first..last, both included."""
    if first > last:
        return 0
    total = _weekdays_through(last) - _weekdays_through(first - timedelta(days=1))
    for year in range(first.year, last.year + 1):
        for day, workday in _year(snap, year).exceptions.items():
            if first <= day <= last:
                total += 1 if workday else -1
    return total


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; how long a step took, in working days.

    When `end` is before `start`, the working days from `end` up to the day before `start`, negated. So
    `workdays_between(d, add_workdays(d, n)) == n` for every n.
    """
    start, end = _as_date(start), _as_date(end)
    snap = _current()
    one = timedelta(days=1)
    if end >= start:
        return _count(snap, start + one, end)
    return -_count(snap, end, start - one)


def is_provisional(day_or_year) -> bool:
    """Whether the calendar of this year (an int, or the year of a date) is provisional: not in the
    table, or entered there by staff as provisional."""
    year = day_or_year if isinstance(day_or_year, int) else _as_date(day_or_year).year
    return _sources(_current()).get(year) != OFFICIAL


def deadline(start: date, n: int) -> Deadline:
    """`add_workdays(start, n)`, marked provisional if any day counted lies in a provisional year."""
    start = _as_date(start)
    due = add_workdays(start, n)
    one = timedelta(days=1)
    if n > 0:
        first, last = start + one, due
    elif n < 0:
        first, last = due, start - one
    else:
        first = last = start
    sources = _sources(_current())
    provisional = any(sources.get(year) != OFFICIAL for year in range(first.year, last.year + 1))
    return Deadline(date=due, provisional=provisional)


# --- seeding from chinesecalendar ------------------------------------------------------------------

# chinesecalendar names its holidays in English; the table shows people Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
MAKE_UP_SUFFIX = "调休上班"


def _holiday_name(english: str | None) -> str:
    if not english:
        return ""
    if english in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[english]
    try:  # a holiday added by a newer chinesecalendar
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def official_years() -> list[int]:
    """The years chinesecalendar has an official schedule for (it raises for any other year)."""
    return list(range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1))


def official_exceptions(year: int) -> list[tuple[date, bool, str]]:
    """(date, is_workday, name) for each day of `year` whose official status differs from Monday–Friday."""
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, english = chinese_calendar.get_holiday_detail(day)
        workday = not on_holiday
        if workday != (day.weekday() < 5):
            name = _holiday_name(english)
            rows.append((day, workday, name + MAKE_UP_SUFFIX if workday and name else name))
        day += timedelta(days=1)
    return rows


def seed_official_years(CalendarYear, CalendarDay, years=None, *, replace_official=False) -> list[int]:
    """Write chinesecalendar's official schedule into the table; returns the years written.

    Takes the model classes so that the data migration can pass its historical models. A year missing
    from the table, or held only as provisional, gets the official schedule; a year already official is
    left alone (city staff may have corrected it) unless `replace_official`. Safe to run twice, or twice
    at once: a year another run has just written is skipped.
    """
    available = official_years()
    wanted = available if years is None else [y for y in years if y in available]
    existing = dict(CalendarYear.objects.filter(year__in=wanted).values_list("year", "source"))
    written = []
    for year in wanted:
        if existing.get(year) == OFFICIAL and not replace_official:
            continue
        note = f"国务院办公厅放假安排（据 chinesecalendar {chinese_calendar.__version__} 导入）"
        try:
            with transaction.atomic():
                calendar_year, _created = CalendarYear.objects.update_or_create(
                    year=year, defaults={"source": OFFICIAL, "note": note}
                )
                # A provisional year's guesses go; so would a stray row of this date filed under another year.
                CalendarDay.objects.filter(Q(year=calendar_year) | Q(date__year=year)).delete()
                CalendarDay.objects.bulk_create(
                    CalendarDay(year=calendar_year, date=day, is_workday=workday, name=name)
                    for day, workday, name in official_exceptions(year)
                )
        except IntegrityError:
            logger.info("working-day calendar: %s was written by another run meanwhile", year)
            continue
        written.append(year)
    return written


def ensure_calendar_years() -> list[int]:
    """Seed every official year chinesecalendar knows and the table lacks (or holds as provisional),
    so that upgrading chinesecalendar brings new years. Idempotent; run monthly by a Celery task."""
    from gongzufang.models import CalendarDay, CalendarYear

    added = seed_official_years(CalendarYear, CalendarDay)
    if added:
        invalidate_cache()  # bulk_create sends no signals
    return added


PROVISIONAL_NOTE = "暂定：按法定节假日推算（不含调休），待国务院办公厅公布正式安排后修改或导入"


def ensure_provisional_years(through: int | None = None) -> list[int]:
    """Put this year and the next (or up to `through`) into the table as provisional when missing, so
    that staff can see and edit them in the admin before the State Council publishes the schedule.

    The rows are the provisional rules themselves (statutory holidays that fall on a weekday), so
    working days do not change by adding them; staff then add the make-up days (调休) as announced.
    A year already in the table is left alone. Safe to run twice, or twice at once."""
    from gongzufang.models import CalendarDay, CalendarYear

    first = timezone.localdate().year
    last = through if through is not None else first + 1
    present = set(CalendarYear.objects.filter(year__range=(first, last)).values_list("year", flat=True))
    added = []
    for year in range(first, last + 1):
        if year in present:
            continue
        try:
            with transaction.atomic():
                calendar_year = CalendarYear.objects.create(year=year, source=PROVISIONAL, note=PROVISIONAL_NOTE)
                CalendarDay.objects.bulk_create(
                    CalendarDay(year=calendar_year, date=day, is_workday=False, name=name)
                    for day, name in sorted(holidays.statutory_holidays(year).items())
                    if day.weekday() < 5
                )
        except IntegrityError:
            logger.info("working-day calendar: %s was added by another run meanwhile", year)
            continue
        added.append(year)
    if added:
        invalidate_cache()  # bulk_create sends no signals
    return added
