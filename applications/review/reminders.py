"""Daily deadline reminders to the staff responsible for each step (issue 5 item 3).

Who is responsible: the street's clerks for acceptance and street review, the district's caseworkers
for district review, the notice and a cross-check left waiting, the city's caseworkers for city
review and rechecks. Each person gets at most one in-site message a day listing what is overdue
and what is due within `review.due_soon_workdays` working days, overdue first: a reminder of kind
`REMINDER_KIND` for that day (`notifications.services.reminder_send`, unique in the database).
"""

from collections import defaultdict

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
    """(street clerks by street, district caseworkers by district, city caseworkers)."""
    staff = User.objects.filter(is_active=True, role__in=[Role.STREET_CLERK, Role.DISTRICT_CASEWORKER,
                                                         Role.CITY_CASEWORKER])
    by_street, by_district, city = defaultdict(list), defaultdict(list), []
    for user in staff.only("pk", "role", "street_id", "district_id"):
        if user.role == Role.STREET_CLERK:
            by_street[user.street_id].append(user)
        elif user.role == Role.DISTRICT_CASEWORKER:
            by_district[user.district_id].append(user)
        else:
            city.append(user)
    return by_street, by_district, city


def send_deadline_reminders(today=None) -> int:
    """Send today's reminders; returns how many people were told. A second run the same day sends
    nothing more (one reminder per person per day, refused twice by the database)."""
    today = today or timezone.localdate()
    by_street, by_district, city = _recipients()
    lists = defaultdict(list)
    for app in due_applications(today):
        if app.status in STREET_STEPS:
            people = by_street.get(app.street_id, [])
        elif app.status in DISTRICT_STEPS:
            people = by_district.get(app.district_id, [])
        elif app.status in CITY_STEPS:
            people = city
        else:
            continue
        for person in people:
            lists[person].append(app)
    title = _title(today)
    sent = 0
    for person, apps in lists.items():
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
