"""Background jobs of tenancy (beat schedule in gongzufang/schedule.py). Each is idempotent and
resumable: unique constraints, ON CONFLICT DO NOTHING, a run row with a cursor."""

from celery import shared_task


@shared_task(name="tenancy.tasks.open_annual_reviews")
def open_annual_reviews() -> dict:
    """Daily: reviews opened before each lease's and grant's anniversary, reminders, lapses."""
    from . import services

    report = services.open_annual_reviews()
    reminded = services.review_reminders()
    lapsed = services.reviews_lapse()
    return {"created": report.created, "notified": report.notified, "reminded": reminded, "lapsed": lapsed}


@shared_task(name="tenancy.tasks.review_checks")
def review_checks(review_id: int) -> bool:
    """The departments asked again for a declared review (after the declaration is committed)."""
    from .models import AnnualReview
    from .services import review_run_checks

    review = AnnualReview.objects.filter(pk=review_id).first()
    if review is None:
        return False
    review_run_checks(review=review)
    return True


@shared_task(name="tenancy.tasks.monitoring_run")
def monitoring_run() -> dict:
    """Daily check; a run happens once `monitoring.interval_months` have passed (resumes a stopped one)."""
    from .services import monitoring_due

    report = monitoring_due()
    return {} if report is None else {"households": report.households, "alerts": report.alerts,
                                      "finished": report.finished}


@shared_task(name="tenancy.tasks.exits_for_arrears")
def exits_for_arrears() -> int:
    """Daily: an exit case for each lease rent flagged with exit.arrears_months of arrears."""
    from .services import exits_for_arrears as run

    return run()
