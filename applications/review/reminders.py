"""Daily deadline reminders to the staff responsible for each step (issue 5 item 3).

Who is responsible: the street's clerks for acceptance and street review, the district's caseworkers
for district review, the notice and a cross-check left waiting, the city's caseworkers for city
review and rechecks. Each person gets at most one in-site message a day listing what is overdue
and what is due within `review.due_soon_workdays` working days, overdue first: a reminder of kind
`REMINDER_KIND` for that day (`notifications.services.reminder_send`, unique in the database).
"""

from django.utils import timezone

from applications.models import Application, Status
from gongzufang.models import User
from gongzufang.models.users import Role
from gongzufang.parameters import param
from gongzufang.workdays import add_workdays
from notifications.services import reminder_send

REMINDER_KIND = "review.deadlines"

STREET_STEPS = {Status.SUBMITTED, Status.ACCEPTED, Status.STREET_REVIEW}
DISTRICT_STEPS = {Status.CROSS_CHECK, Status.DISTRICT_REVIEW}
CITY_STEPS = {Status.CITY_REVIEW, Status.RECHECK_REQUESTED}
# The steps each role answers for; which applications is the person's scope (`for_staff`, DESIGN §3).
STEPS_OF = {Role.STREET_CLERK: STREET_STEPS, Role.DISTRICT_CASEWORKER: DISTRICT_STEPS,
            Role.CITY_CASEWORKER: CITY_STEPS}


def _title(today):
    return f"审批时限提醒（{today:%Y-%m-%d}）"


def due_applications(today=None):
    """Applications with a step due by the due-soon horizon (or overdue), overdue first."""
    today = today or timezone.localdate()
    horizon = add_workdays(today, param("review.due_soon_workdays"))
    return (Application.objects.filter(step_due_on__isnull=False, step_due_on__lte=horizon)
            .exclude(status__in=[Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
            .order_by("step_due_on", "pk")
            .only("pk", "number", "status", "step_due_on", "district_id", "street_id"))


def _recipients():
    """The active staff who answer for a step: street clerks, district and city caseworkers."""
    return User.objects.filter(is_active=True, role__in=list(STEPS_OF)).order_by("pk")


def send_deadline_reminders(today=None) -> int:
    """Send today's reminders; returns how many people were told. A second run the same day sends
    nothing more (one reminder per person per day, refused twice by the database)."""
    today = today or timezone.localdate()
    due = due_applications(today)
    title = _title(today)
    sent = 0
    for person in _recipients():
        apps = list(due.for_staff(person).filter(status__in=STEPS_OF[person.role]))
        if not apps:
            continue
        overdue = [a for a in apps if a.step_due_on < today]
        soon = [a for a in apps if a.step_due_on >= today]
        lines = []
        if overdue:
            lines.append(f"已逾期 {len(overdue)} 件：" + "、".join(
                f"{a.number}（{a.get_status_display()}，期限 {a.step_due_on:%m-%d}）" for a in overdue[:20]))
        if soon:
            lines.append(f"即将到期 {len(soon)} 件：" + "、".join(
                f"{a.number}（{a.get_status_display()}，期限 {a.step_due_on:%m-%d}）" for a in soon[:20]))
        lines.append("请在后台“公租房申请”中按期限办理。")
        if reminder_send(recipient=person, kind=REMINDER_KIND, day=today, title=title, body="\n".join(lines)):
            sent += 1
    return sent
