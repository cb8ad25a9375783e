"""The review clock (DESIGN §4): each step's budget in working days from the day it started, and the
overall budget from acceptance; 补正 and 公示 do not count.

The due dates are computed by `selectors` (from the working-day calendar and the dated budget
parameters) and copied onto the application row here, so that queues sort overdue-first and filter
by due date in the database. Call these from the workflow services, on the locked row.
"""

from datetime import date

from django.utils import timezone

from applications import selectors
from gongzufang.workdays import workdays_between

CLOCK_FIELDS = ["step_started_on", "step_paused_workdays", "total_paused_workdays", "paused_on", "step_due_on",
                "due_on", "deadline_provisional"]


def refresh(app) -> None:
    """Copy the current step's and the overall due date onto the row (None while paused or finished)."""
    progress = selectors.progress(app)
    step, overall = progress.step_deadline, progress.overall_deadline
    app.step_due_on = step.date if step else None
    app.due_on = overall.date if overall else None
    app.deadline_provisional = bool((step and step.provisional) or (overall and overall.provisional))


def restart_step(app, on: date | None = None) -> None:
    """A new step begins: its budget counts from `on` (today)."""
    app.step_started_on = on or timezone.localdate()
    app.step_paused_workdays = 0
    refresh(app)


def pause(app, on: date | None = None) -> None:
    """Stop the clock (补正, 公示) from `on`."""
    app.paused_on = on or timezone.localdate()
    app.step_due_on = app.due_on = None


def resume(app, on: date | None = None) -> int:
    """Start the clock again; the working days it was stopped are added to the step's and the overall
    budget. Returns them."""
    on = on or timezone.localdate()
    paused = 0
    if app.paused_on:
        paused = max(0, workdays_between(app.paused_on, on))
        app.step_paused_workdays += paused
        app.total_paused_workdays += paused
        app.paused_on = None
    refresh(app)
    return paused


def stop(app, on: date | None = None) -> None:
    """A decision: record the working days it took, pauses not counted (DESIGN §11)."""
    on = on or timezone.localdate()
    if app.paused_on:  # decided while paused (不通过 during 公示): the pause so far does not count either
        app.total_paused_workdays += max(0, workdays_between(app.paused_on, on))
    if app.accepted_at:
        accepted_on = timezone.localtime(app.accepted_at).date()
        app.processing_workdays = max(0, workdays_between(accepted_on, on) - app.total_paused_workdays)
    app.paused_on = None
    app.step_due_on = None
    app.due_on = None
