"""City-wide background tasks. Each takes ids (or nothing), is idempotent, and calls a service."""

from celery import shared_task


@shared_task
def ping(value="pong"):
    """Round trip through the broker; used by the health check and the real-worker test."""
    return value


@shared_task
def calendar_ensure_years():
    """Official years chinesecalendar knows, then this year and next as provisional where missing."""
    from gongzufang.workdays import ensure_calendar_years, ensure_provisional_years

    return ensure_calendar_years() + ensure_provisional_years()


@shared_task
def flush_visits():
    """Move buffered visit counts from the cache into DailyVisit (gongzufang/visits.py)."""
    from gongzufang import visits

    return sum(visits.flush().values())
