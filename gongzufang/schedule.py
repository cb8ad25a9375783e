"""The one place where periodic tasks are scheduled (django-celery-beat reads it at start).

Times are Asia/Shanghai. Each task is idempotent, so a missed or doubled run does no harm.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "calendar-ensure-years": {
        # Keeps next year's working-day calendar present (provisional until the State Council
        # publishes the official schedule and city staff enter it).
        "task": "gongzufang.tasks.calendar_ensure_years",
        "schedule": crontab(hour=2, minute=10, day_of_month=1),
    },
    "visits-flush": {
        # Visit counts are buffered in the cache on each page view; this writes them to the
        # database (gongzufang/visits.py). Safe to run twice.
        "task": "gongzufang.tasks.flush_visits",
        "schedule": crontab(minute="*/5"),
    },
    "statistics-monthly-figures": {
        # The statistics dashboard's monthly aggregate (issue 17, ADR 0016): closed months whose source
        # rows changed are recomputed (gongzufang/dashboard/monthly.py); the current month is read live.
        "task": "gongzufang.dashboard.tasks.refresh_monthly_figures",
        "schedule": crontab(minute=25),
    },
    "statistics-current-figures": {
        # The dashboard's as-of-today figures (arrears, overdue applications, waitlist, units by status …;
        # issue 17, ADR 0016): a snapshot shown "截至 HH:MM"; read live when older than 20 minutes.
        "task": "gongzufang.dashboard.tasks.refresh_current_figures",
        "schedule": crontab(minute="*/5"),
    },
    "feedback-escalate-overdue": {
        # Unanswered feedback past its reply date (5 working days, a parameter) goes to the city
        # level, each item once (complaints/tasks.py). Safe to run twice.
        "task": "complaints.tasks.escalate_overdue_feedback",
        "schedule": crontab(hour=0, minute=20),
    },
    "review-close-notices": {
        # 公示 periods that have ended with every objection resolved go on to city review
        # (applications/review/tasks.py, close_finished_notices). Safe to run twice.
        "task": "applications.tasks.close_finished_notices",
        "schedule": crontab(hour=0, minute=30),
    },
    "review-deadline-reminders": {
        # Staff responsible for a step are told what is due within 2 working days or overdue;
        # one message a person a day (applications/review/reminders.py).
        "task": "applications.tasks.remind_review_deadlines",
        "schedule": crontab(hour=7, minute=30),
    },
    "crosscheck-sweep": {
        # Applications left waiting in 部门联审 on an answer a department could not give (timeout,
        # error) are asked again every hour (applications/crosscheck/tasks.py). Safe to run twice.
        "task": "applications.tasks_crosscheck.cross_check_sweep",
        "schedule": crontab(minute=15),
    },
    "subsidy-make-batches": {
        # On or after the batch day (parameter subsidy.batch_day), each district's subsidy batch for
        # the month is made: every payable grant once (subsidies/tasks.py). Safe to run twice.
        "task": "subsidies.tasks.make_due_batches",
        "schedule": crontab(hour=1, minute=40),
    },
    "waitlist-expire-overdue": {
        # Waitlist entries past the longest waiting period (5 years, parameter waitlist.max_wait_years)
        # leave the waitlist with that reason (allocation/tasks.py). Safe to run twice.
        "task": "allocation.tasks.expire_overdue_entries",
        "schedule": crontab(hour=1, minute=50),
    },
    "waitlist-resume-suspended": {
        # Entries whose suspension after refusals has ended go back to waiting (allocation/tasks.py).
        "task": "allocation.tasks.resume_suspended_entries",
        "schedule": crontab(hour=1, minute=55),
    },
    "choice-open-windows": {
        # Households whose choice window (选房批次) has opened get one SMS and one site message
        # (allocation/choice/tasks.py; a ChoiceWindow row and dedup keys make it once).
        "task": "allocation.tasks.open_choice_windows",
        "schedule": crontab(minute="*/5"),
    },
    "choice-close-windows": {
        # Closed windows without a choice count as a refusal, unless no unit that fits was left
        # (allocation/choice/tasks.py). Safe to run twice.
        "task": "allocation.tasks.close_choice_windows",
        "schedule": crontab(minute="2-59/5"),
    },
    "offers-expire": {
        # Held offers past their sign-by date (parameter allocation.offer_sign_days) expire, count as a
        # refusal and free the unit (allocation/choice/tasks.py). Safe to run twice.
        "task": "allocation.tasks.expire_offers",
        "schedule": crontab(hour=0, minute=40),
    },
    "tenancy-annual-reviews": {
        # Reviews open annual_review.open_days_before (30) days before each lease's and grant's
        # anniversary; reminders before the deadline; unanswered ones lapse (tenancy/tasks.py). Idempotent.
        "task": "tenancy.tasks.open_annual_reviews",
        "schedule": crontab(hour=2, minute=10),
    },
    "tenancy-monitoring": {
        # 动态监管: every monitoring.interval_months month(s) each active household is checked again
        # against the departments whose facts change; a stopped run resumes (tenancy/tasks.py).
        "task": "tenancy.tasks.monitoring_run",
        "schedule": crontab(hour=2, minute=30),
    },
    "tenancy-exits-for-arrears": {
        # An exit case (累计欠租) for each lease rent flagged (tenancy/tasks.py). Idempotent.
        "task": "tenancy.tasks.exits_for_arrears",
        "schedule": crontab(hour=2, minute=50),
    },
    "rent-bills-month": {
        # The month's rent bills, one per active lease, in chunks of leases spread over the workers
        # (rent/billing/tasks.py); run again, it only fills the gaps (unique lease + period).
        "task": "rent.tasks.bills_make_month",
        "schedule": crontab(hour=1, minute=0, day_of_month=1),
    },
    "rent-bills-month-again": {
        # The same run on the 2nd, for a month whose run was cut short (adds nothing otherwise).
        "task": "rent.tasks.bills_make_month",
        "schedule": crontab(hour=1, minute=0, day_of_month=2),
    },
    "rent-arrears-daily": {
        # Reminders at the due date +3 and +10 days (one per bill and stage) and the arrears flag on
        # leases owing exit.arrears_months (6) months in total (rent/billing/tasks.py). Idempotent.
        "task": "rent.tasks.arrears_daily",
        "schedule": crontab(hour=9, minute=0),
    },
    "rent-leases-daily": {
        # Leases past their last day end; issued leases whose offer lapsed are void (rent/leases/tasks.py).
        "task": "rent.tasks.leases_daily",
        "schedule": crontab(hour=0, minute=50),
    },
    "rent-leases-prepare": {
        # A bureau-signed contract for each offer chosen since the last run (rent/leases/tasks.py).
        "task": "rent.tasks.leases_prepare",
        "schedule": crontab(minute="1-59/5"),
    },
    "rent-payment-orders-sweep": {
        # Payment orders pending more than rent.payment_query_after_minutes (15) are asked about at the
        # bank (a lost notification is applied; unpaid ones past their time expire) (rent/payments/tasks.py).
        # Safe to run twice: the order row is locked and a bank transaction pays once.
        "task": "rent.tasks.payment_orders_sweep",
        "schedule": crontab(minute="*/5"),
    },
}
