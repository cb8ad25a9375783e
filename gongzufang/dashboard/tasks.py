"""The dashboard's beat job (gongzufang/schedule.py): the monthly aggregate of closed months (ADR 0016)."""

from celery import shared_task


@shared_task
def refresh_monthly_figures():
    """Recompute the closed months whose source rows changed; idempotent (gongzufang/dashboard/monthly.py)."""
    from gongzufang.dashboard.monthly import refresh_monthly_figures as refresh

    return refresh()


@shared_task
def refresh_current_figures():
    """Take the as-of-today figures' snapshot (gongzufang/dashboard/current.py); every five minutes."""
    from gongzufang.dashboard.current import refresh_current_figures as refresh

    return refresh()
