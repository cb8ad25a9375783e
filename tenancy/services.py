"""Every write of tenancy (DESIGN §9): annual reviews, monitoring, exit cases and re-application bans.

Statuses change only through `gongzufang.workflow.transition`. Lower apps are used through their
services: the cross-check runner (`applications.crosscheck.runner.run_checks`), the eligibility rules
(`applications.eligibility.rules.evaluate`), subsidies' `grant_suspend` / `grant_stop` /
`grant_recompute`, rent's `lease_terminate`, housing's `unit_set_status`.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from gongzufang import workflow
from gongzufang.errors import PortalError
from gongzufang.parameters import EXIT_GROUNDS, param
from gongzufang.workdays import add_workdays

from .models import (
    OPEN_EXIT_STATUSES,
    AlertResolution,
    AlertStatus,
    AnnualReview,
    AnnualReviewStatusChange,
    ExitCase,
    ExitDeduction,
    ExitOrigin,
    ExitPhoto,
    ExitStatus,
    MonitoringAlert,
    MonitoringRun,
    ReapplicationBan,
    ReviewOutcome,
    ReviewStatus,
)

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
CHUNK = 2000
TEXT_MAX = 2000


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_month(day: date) -> date:
    return add_months(first_of_month(day), 1)


def anniversary_in(start: date, year: int) -> date:
    """The start date's anniversary in `year` (29 February → 28 February in a common year)."""
    return start.replace(year=year, day=min(start.day, calendar.monthrange(year, start.month)[1]))


def _clean(text, limit=TEXT_MAX) -> str:
    return str(text or "").strip()[:limit]


def _tell(user, title, body, *, subject, key, sms=True, purpose="tenancy"):
    from notifications.services import message_send, sms_send

    message_send(recipient=user, title=title, body=body, subject=subject, dedup_key=key)
    phone = getattr(user, "phone", "")
    if sms and phone:
        sms_send(phone=phone, text=f"【大庆公租房】{body}", purpose=purpose, dedup_key=f"sms:{key}")


# --- households ----------------------------------------------------------------------------------------


def _lease_application_path() -> str:
    return "offer__round_entry__entry__application_id"


def subject_values(*, lease=None, grant=None) -> dict:
    """The household fields of a review / exit case for a lease or a grant."""
    if lease is not None:
        from rent.models import Lease

        row = Lease.objects.filter(pk=lease.pk).values(
            "tenant_id", "tenant_name", "district_id", app=F(_lease_application_path())).get()
        return {"lease": lease, "grant": None, "application_id": row["app"], "holder_id": row["tenant_id"],
                "holder_name": row["tenant_name"], "district_id": row["district_id"]}
    if grant is not None:
        return {"lease": None, "grant": grant, "application_id": grant.application_id, "holder_id": grant.applicant_id,
                "holder_name": grant.holder_name, "district_id": grant.district_id}
    raise PortalError("请指定公租房合同或租赁补贴。")


# --- 资格年审: opening -------------------------------------------------------------------------------


@dataclass
class OpenReport:
    today: date
    leases_considered: int = 0
    grants_considered: int = 0
    created: int = 0
    already: int = 0
    notified: int = 0

    def lines(self) -> list[str]:
        return [
            f"日期 {self.today:%Y-%m-%d}：核查公租房合同 {self.leases_considered} 份、租赁补贴 {self.grants_considered} 户；",
            f"新开启年审 {self.created} 件，已存在未重复开启 {self.already} 件，已通知 {self.notified} 户。",
        ]


def review_number(kind: str, pk: int, year: int) -> str:
    return f"NS{year}{kind}{pk:08d}"


def _due_reviews(rows, kind, today, open_days, reply_days):
    """(review kwargs) for the rows whose next anniversary is within `open_days` from today."""
    out = []
    for row in rows:
        start = row["start"]
        if start is None:
            continue
        anniversary = anniversary_in(start, today.year)
        if anniversary < today:
            anniversary = anniversary_in(start, today.year + 1)
        if anniversary.year <= start.year or (anniversary - today).days > open_days:
            continue
        opens_on = anniversary - timedelta(days=open_days)
        out.append(AnnualReview(
            number=review_number(kind, row["pk"], anniversary.year), year=anniversary.year, anniversary=anniversary,
            opens_on=opens_on, due_on=opens_on + timedelta(days=reply_days),
            lease_id=row["pk"] if kind == "L" else None, grant_id=row["pk"] if kind == "G" else None,
            application_id=row["app"], holder_id=row["holder"], holder_name=row["name"], district_id=row["dist"],
        ))
    return out


def _chunks(queryset, chunk):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:chunk])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


def open_annual_reviews(*, today: date | None = None, chunk: int = CHUNK, notify: bool = True) -> OpenReport:
    """Open a review for each active lease and grant whose anniversary is within
    `annual_review.open_days_before` days. Idempotent (one review per household and year: the
    unique constraints, INSERT … ON CONFLICT DO NOTHING) and chunked by primary key."""
    from rent.models import Lease
    from rent.models.leases import LeaseStatus
    from subsidies.models import GrantStatus, SubsidyGrant

    today = today or timezone.localdate()
    open_days = int(param("annual_review.open_days_before", on=today))
    reply_days = int(param("annual_review.reply_days", on=today))
    report = OpenReport(today=today)
    leases = Lease.objects.filter(status=LeaseStatus.ACTIVE).values(
        "pk", start=F("start_on"), app=F(_lease_application_path()), holder=F("tenant_id"), name=F("tenant_name"),
        dist=F("district_id"))
    grants = SubsidyGrant.objects.filter(status__in=[GrantStatus.ACTIVE, GrantStatus.SUSPENDED]).values(
        "pk", start=F("start_period"), app=F("application_id"), holder=F("applicant_id"), name=F("holder_name"),
        dist=F("district_id"))
    from django.db import connection

    if connection.vendor == "postgresql":
        return _open_on_postgres(report, today, open_days, reply_days, chunk, notify)
    for kind, qs in (("L", leases), ("G", grants)):
        for rows in _chunks(qs, chunk):
            if kind == "L":
                report.leases_considered += len(rows)
            else:
                report.grants_considered += len(rows)
            due = _due_reviews(rows, kind, today, open_days, reply_days)
            if due:
                AnnualReview.objects.bulk_create(due, ignore_conflicts=True, batch_size=chunk)
    report.created = _record_starts(chunk=chunk)
    report.already = 0
    if notify:
        report.notified = notify_opened_reviews(today=today)
    total_due = AnnualReview.objects.filter(opens_on__lte=today, anniversary__gte=today).count()
    report.already = max(0, total_due - report.created)
    return report


# PostgreSQL: each chunk of leases / grants (by primary key) in one INSERT … SELECT … ON CONFLICT DO
# NOTHING RETURNING id, the anniversary computed in SQL (29 February → 28 February), and the first
# status-log row of the reviews it made in a second INSERT … SELECT; a stop between the two is
# completed by `_record_starts`.
_ANNIV = ("make_date({y}, extract(month FROM s.start)::int, least(extract(day FROM s.start)::int, "
          "extract(day FROM (make_date({y}, extract(month FROM s.start)::int, 1) + interval '1 month' "
          "- interval '1 day'))::int))")
_SOURCES = {
    "L": ("SELECT l.id, we.application_id AS app, l.tenant_id AS holder, l.tenant_name AS name, "
          "l.district_id AS dist, l.start_on AS start FROM rent_lease l "
          "JOIN allocation_offer o ON o.id = l.offer_id JOIN allocation_roundentry re ON re.id = o.round_entry_id "
          "JOIN allocation_waitlistentry we ON we.id = re.entry_id "
          "WHERE l.status = 'active' AND l.id > %(after)s AND l.id <= %(upto)s", "lease_id", "rent_lease"),
    "G": ("SELECT g.id, g.application_id AS app, g.applicant_id AS holder, g.holder_name AS name, "
          "g.district_id AS dist, g.start_period AS start FROM subsidies_subsidygrant g "
          "WHERE g.status IN ('active', 'suspended') AND g.id > %(after)s AND g.id <= %(upto)s",
          "grant_id", "subsidies_subsidygrant"),
}


def _open_sql(kind) -> str:
    source, fk, _table = _SOURCES[kind]
    this_year = _ANNIV.format(y="%(year)s")
    next_year = _ANNIV.format(y="(%(year)s + 1)")
    return f"""
WITH s AS ({source}),
a AS (SELECT s.*, CASE WHEN {this_year} >= %(today)s THEN {this_year} ELSE {next_year} END AS anniversary FROM s),
made AS (
  INSERT INTO tenancy_annualreview (number, year, anniversary, opens_on, due_on, status, no_change, declaration,
      changes, outcome, outcome_note, adjustment, created_at, updated_at, {fk}, application_id, holder_id,
      holder_name, district_id)
  SELECT 'NS' || extract(year FROM a.anniversary)::int || '{kind}' || lpad(a.id::text, 8, '0'),
         extract(year FROM a.anniversary)::int, a.anniversary, a.anniversary - %(open_days)s,
         a.anniversary - %(open_days)s + %(reply_days)s, 'opened', false, '{{}}', '[]', '', '', '{{}}', now(), now(),
         a.id, a.app, a.holder, a.name, a.dist
  FROM a
  WHERE extract(year FROM a.anniversary) > extract(year FROM a.start) AND a.anniversary - %(today)s <= %(open_days)s
  ON CONFLICT DO NOTHING
  RETURNING id
)
INSERT INTO tenancy_annualreviewstatuschange (review_id, from_status, to_status, actor_id, actor_level, opinion,
    created_at)
SELECT id, '', 'opened', NULL, 'system', '年审开启', now() FROM made
"""


def _open_on_postgres(report, today, open_days, reply_days, chunk, notify):
    from django.db import connection, transaction

    from gongzufang.models.users import Level

    assert Level.SYSTEM == "system"
    for kind in ("L", "G"):
        _source, _fk, table = _SOURCES[kind]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0), count(*) FROM {table}")  # noqa: S608 (fixed names)
            top, count = cursor.fetchone()
        if kind == "L":
            report.leases_considered = count
        else:
            report.grants_considered = count
        sql = _open_sql(kind)
        after = 0
        while after < top:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, {"after": after, "upto": after + chunk, "year": today.year, "today": today,
                                     "open_days": open_days, "reply_days": reply_days})
                report.created += max(cursor.rowcount, 0)
            after += chunk
    # (no `_record_starts` here: each review and its first log row are written by one statement)
    if notify:
        report.notified = notify_opened_reviews(today=today)
    total_due = AnnualReview.objects.filter(opens_on__lte=today, anniversary__gte=today).count()
    report.already = max(0, total_due - report.created)
    return report


def _record_starts(*, chunk=CHUNK) -> int:
    """The first status-log row ("" → opened) of every review that has none yet (resumable)."""
    from gongzufang.models.users import Level

    made = 0
    has_log = AnnualReviewStatusChange.objects.filter(review_id=OuterRef("pk"))
    while True:
        ids = list(AnnualReview.objects.filter(~Exists(has_log)).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            return made
        AnnualReviewStatusChange.objects.bulk_create(
            [AnnualReviewStatusChange(review_id=pk, from_status="", to_status=ReviewStatus.OPENED, actor=None,
                                      actor_level=Level.SYSTEM, opinion="年审开启") for pk in ids],
            batch_size=chunk)
        made += len(ids)


def notify_opened_reviews(*, today=None) -> int:
    """SMS + site message to each household with a review open and not yet answered (dedup per review)."""
    today = today or timezone.localdate()
    sent = 0
    for review in (AnnualReview.objects.filter(status=ReviewStatus.OPENED, opens_on__lte=today)
                   .select_related("holder", "lease", "grant").order_by("pk").iterator(chunk_size=500)):
        body = (f"您的{review.household_label}{review.year}年度资格年审已开启，请于{review.due_on:%Y年%m月%d日}前"
                f"登录大庆公租房网上服务平台申报家庭变化情况（无变化可一键确认）。")
        _tell(review.holder, "资格年审开启", body, subject=review, key=f"tenancy.review.opened:{review.pk}",
              purpose="annual_review")
        sent += 1
    return sent


# --- 资格年审: the declaration --------------------------------------------------------------------------

DECLARATION_FIELDS = {
    "members": "家庭成员变化",
    "income": "收入变化",
    "housing": "住房变化",
    "vehicles": "车辆变化",
}


def review_declare(*, review, actor, no_change: bool, consent: bool, changes: dict | None = None,
                   run_checks_now: bool = True) -> AnnualReview:
    """The household's declaration: 无变化 with consent in one step, or the changes it reports."""
    if not consent:
        raise PortalError("请勾选同意授权部门核验家庭信息后再提交。", fields={"consent": ["required"]})
    declaration = {}
    if not no_change:
        for key in DECLARATION_FIELDS:
            text = _clean((changes or {}).get(key), 500)
            if text:
                declaration[key] = text
        if not declaration:
            raise PortalError("请填写发生变化的事项，或选择“无变化”。", fields={"changes": ["required"]})
    now = timezone.now()
    with transaction.atomic():
        locked = workflow.lock(review)
        locked.no_change, locked.consent_at, locked.declaration, locked.declared_at = bool(no_change), now, declaration, now
        workflow.transition(locked, "declare", actor=actor,
                            opinion="声明家庭情况无变化" if no_change else "申报家庭变化：" + "；".join(
                                f"{DECLARATION_FIELDS[k]}：{v}" for k, v in declaration.items()))
        workflow.transition(locked, "start_checks", actor=None, opinion="重新进行部门核验")
        if run_checks_now:
            from gongzufang.jobs import enqueue_on_commit

            enqueue_on_commit("tenancy.tasks.review_checks", locked.pk)
    workflow.copy_state(locked, review)
    return review


def _facts_of(application_id) -> dict:
    from applications.models import CheckResult

    rows = (CheckResult.objects.filter(application_id=application_id, is_current=True)
            .values("member_id", "member__name", "department", "status", "facts"))
    return {(r["member_id"], r["department"]): r for r in rows}


def _fact_text(department, facts) -> str:
    from applications.eligibility.display import fact_lines

    try:
        return "；".join(f"{k}：{v}" for k, v in fact_lines(facts or {})) or "—"
    except Exception:  # a department's unusual record: show it as it came
        return str(facts)


def review_run_checks(*, review) -> AnnualReview:
    """Ask the departments again about every member (batched, the existing machinery), apply the rules
    with the parameters in force today, and record what changed since the last decision."""
    from applications.crosscheck.exchange import departments as registered
    from applications.crosscheck.runner import run_checks
    from applications.eligibility import rules
    from applications.eligibility.rules import DEPARTMENT_NAMES
    from applications.models import Application, RuleEvaluation

    if review.status != ReviewStatus.CHECKING:
        return review
    before = _facts_of(review.application_id)
    previous = RuleEvaluation.objects.filter(application_id=review.application_id, is_current=True).first()
    wanted = [d for d in rules.departments_needed(review.application.category) if d in registered()]
    run_checks([review.application_id], departments=wanted or None, notify=False)
    after = _facts_of(review.application_id)
    evaluation = None
    try:
        evaluation = rules.evaluate(Application.objects.get(pk=review.application_id))
    except PortalError as exc:
        logger.warning("annual review %s: rules not evaluated: %s", review.pk, exc)
    changes = []
    for key, row in after.items():
        old = before.get(key)
        if old is not None and old["facts"] == row["facts"] and old["status"] == row["status"]:
            continue
        changes.append({"what": f"{row['member__name']}·{DEPARTMENT_NAMES.get(row['department'], row['department'])}",
                        "before": _fact_text(row["department"], old["facts"]) if old else "（上次无记录）",
                        "after": _fact_text(row["department"], row["facts"])})
    if previous is not None and evaluation is not None:
        old_rules = {r["rule"]: r for r in previous.results}
        for r in evaluation.results:
            o = old_rules.get(r["rule"])
            if o is not None and o.get("passed") != r.get("passed"):
                verdict = {True: "符合", False: "不符合", None: "无法核验"}
                changes.append({"what": f"资格条件·{r['label']}", "before": verdict[o.get("passed")],
                                "after": f"{verdict[r.get('passed')]}（{r.get('value')}）"})
    for key, text in review.declaration.items():
        changes.append({"what": f"家庭申报·{DECLARATION_FIELDS.get(key, key)}", "before": "", "after": text})
    AnnualReview.objects.filter(pk=review.pk).update(
        evaluation=evaluation, previous_evaluation=previous, changes=changes, checked_at=timezone.now(),
        updated_at=timezone.now())
    review.refresh_from_db()
    return review


def review_decide(*, review, actor, outcome, note="", ground="failed_recertification", coefficient=None):
    """The caseworker's conclusion. Adjust: the subsidy amount is recomputed with the parameters in
    force, from the next month not yet paid (subsidies' service); a lease's rent coefficient is
    recorded for the next month's bill. Exit: opens an exit case with the ground."""
    if outcome not in ReviewOutcome.values:
        raise PortalError("请选择年审结论。", fields={"outcome": ["required"]})
    note = _clean(note)
    if outcome != ReviewOutcome.CONTINUE and not note:
        raise PortalError("调整或退出须写明理由。", fields={"note": ["required"]})
    if outcome == ReviewOutcome.EXIT and ground not in EXIT_GROUNDS:
        raise PortalError("请选择退出理由。", fields={"ground": ["invalid"]})
    today = timezone.localdate()
    adjustment = {}
    with transaction.atomic():
        locked = workflow.lock(review)
        if outcome == ReviewOutcome.ADJUST:
            if locked.grant_id:
                from subsidies.services import grant_recompute

                computation = grant_recompute(grant=locked.grant, today=today)
                adjustment = {"kind": "subsidy", "amount": str(computation.amount),
                              "from": computation.effective_from.isoformat()}
            else:
                try:
                    value = Decimal(str(coefficient)).quantize(CENT)
                except (InvalidOperation, TypeError, ValueError):
                    raise PortalError("请填写调整后的租金系数（0–1）。", fields={"coefficient": ["invalid"]}) from None
                if not Decimal("0") < value <= Decimal("1"):
                    raise PortalError("租金系数应大于 0 且不超过 1。", fields={"coefficient": ["invalid"]})
                from rent.leases.services import lease_rent_change

                lease = locked.lease
                rent = money(Decimal(lease.area) * Decimal(lease.rent_per_sqm) * value)
                change = lease_rent_change(lease=lease, monthly_rent=rent, effective_from=next_month(today),
                                           kind="adjust", actor=actor,
                                           reason=f"{locked.year}年度资格年审：租金系数调整为 {value}。{note}")
                adjustment = {"kind": "rent_coefficient", "coefficient": str(value), "monthly_rent": str(rent),
                              "old_monthly_rent": str(change.old_monthly_rent),
                              "from": change.effective_from.isoformat()}
        if outcome == ReviewOutcome.CONTINUE and locked.lease_id and _ends_before_next_review(locked):
            from rent.leases.services import lease_renew

            lease = lease_renew(lease=locked.lease, actor=actor, reason=f"{locked.year}年度资格年审结论：继续保障")
            adjustment = {"kind": "renewal", "end_on": lease.end_on.isoformat()}
        locked.outcome, locked.outcome_note, locked.adjustment = outcome, note, adjustment
        locked.decided_at, locked.decided_by = timezone.now(), actor if hasattr(actor, "role") else None
        workflow.transition(locked, "decide", actor=actor,
                            opinion=f"{ReviewOutcome(outcome).label}。{note}".strip("。") + ("。" if note else ""))
        if (outcome != ReviewOutcome.EXIT and locked.grant_id and locked.grant.status == "suspended"
                and locked.status_changes.filter(to_status=ReviewStatus.OVERDUE).exists()):
            # suspended when the review lapsed: paid again from next month, the months between not back-paid
            from subsidies.services import grant_restore

            grant_restore(grant=locked.grant, actor=None, from_period=next_month(today),
                          reason=f"{locked.year}年度资格年审逾期后补报，结论为{ReviewOutcome(outcome).label}，"
                                 "自次月起恢复发放，暂停期间不予补发")
        case = None
        if outcome == ReviewOutcome.EXIT:
            case = exit_open(lease=locked.lease, grant=locked.grant if not locked.lease_id else None, ground=ground,
                             origin=ExitOrigin.REVIEW, facts=f"{locked.year}年度资格年审结论：{note}", actor=actor,
                             review=locked)
    workflow.copy_state(locked, review)
    label = ReviewOutcome(outcome).label
    _tell(review.holder, "资格年审结论", f"您的{review.year}年度资格年审结论：{label}。{note}", subject=review,
          key=f"tenancy.review.decided:{review.pk}", purpose="annual_review")
    return case or review


def _ends_before_next_review(review) -> bool:
    """The lease ends before next year's review would open (issue 14: renewal is decided by the review)."""
    open_days = int(param("annual_review.open_days_before", on=review.anniversary))
    next_opens = anniversary_in(review.anniversary, review.anniversary.year + 1) - timedelta(days=open_days)
    return review.lease.end_on < next_opens


def review_reminders(*, today=None) -> int:
    """A reminder `annual_review.reminder_days_before` days before the deadline (once per review)."""
    today = today or timezone.localdate()
    days = int(param("annual_review.reminder_days_before", on=today))
    sent = 0
    rows = AnnualReview.objects.filter(status=ReviewStatus.OPENED, reminded_at__isnull=True,
                                       due_on__lte=today + timedelta(days=days), due_on__gte=today)
    for review in rows.select_related("holder", "lease", "grant"):
        _tell(review.holder, "资格年审即将截止",
              f"您的{review.household_label}{review.year}年度资格年审将于{review.due_on:%Y年%m月%d日}截止，请尽快申报。"
              "逾期未申报的，租赁补贴自次月起暂停发放且不予补发，公租房将启动退出程序。",
              subject=review, key=f"tenancy.review.reminder:{review.pk}", purpose="annual_review")
        AnnualReview.objects.filter(pk=review.pk).update(reminded_at=timezone.now())
        sent += 1
    return sent


def reviews_lapse(*, today=None) -> int:
    """Past the deadline unanswered: overdue; a subsidy suspended from next month (not back-paid),
    and for a lease an exit case proposed (opened, for a caseworker to take up)."""
    from subsidies.services import grant_suspend

    today = today or timezone.localdate()
    done = 0
    for pk in AnnualReview.objects.filter(status=ReviewStatus.OPENED, due_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            review = workflow.lock(AnnualReview, pk)
            if review.status != ReviewStatus.OPENED:
                continue
            workflow.transition(review, "lapse", actor=None, opinion=f"截至{review.due_on:%Y-%m-%d}未申报")
            if review.grant_id and review.grant.status == "active":
                grant_suspend(grant=review.grant, actor=None, reason=f"{review.year}年度资格年审逾期未申报",
                              from_period=next_month(today))
            if review.lease_id:
                exit_open(lease=review.lease, ground="failed_recertification", origin=ExitOrigin.OVERDUE_REVIEW,
                          facts=f"{review.year}年度资格年审截至{review.due_on:%Y年%m月%d日}未申报。", actor=None,
                          review=review, if_exists="keep")
        done += 1
    return done


# --- 动态监管 -------------------------------------------------------------------------------------

MONITOR_DEPARTMENTS = ("property", "vehicles", "death", "civil_affairs", "business", "hukou")


@dataclass
class MonitoringReport:
    period: date
    households: int = 0
    requests: int = 0
    queried: int = 0
    reused: int = 0
    kept: int = 0
    confirmed: int = 0  # answers equal to the current ones: their rows' dates moved, no row added
    alerts: int = 0
    finished: bool = False
    notes: list = field(default_factory=list)


def monitored_households(after: int = 0, limit: int | None = None) -> list[dict]:
    """Every active household by application id: tenants (active leases), subsidy households (active or
    suspended grants) and the waitlist (waiting or suspended); with `limit`, the first `limit`
    application ids above `after` (each source read only that far, in application-id order)."""
    from allocation.models import WaitlistEntry
    from rent.models import Lease
    from rent.models.leases import LeaseStatus
    from subsidies.models import GrantStatus, SubsidyGrant

    path = _lease_application_path()
    sources = [
        ("lease", Lease.objects.filter(status=LeaseStatus.ACTIVE, **{f"{path}__gt": after})
         .values_list(path, "pk", "tenant_name", "district_id").order_by(path, "pk")),
        ("grant", SubsidyGrant.objects.filter(status__in=[GrantStatus.ACTIVE, GrantStatus.SUSPENDED],
                                              application_id__gt=after)
         .values_list("application_id", "pk", "holder_name", "district_id").order_by("application_id", "pk")),
        ("waitlist", WaitlistEntry.objects.filter(status__in=["waiting", "suspended"], application_id__gt=after)
         .values_list("application_id", "pk", "application__applicant__real_name", "district_id")
         .order_by("application_id", "pk")),
    ]
    found: dict[int, dict] = {}
    upto = None  # with a limit: the ids every source has been read up to
    for kind, rows in sources:
        rows = list(rows if limit is None else rows[:limit])
        if limit is not None and len(rows) == limit:
            upto = rows[-1][0] if upto is None else min(upto, rows[-1][0])
        for app, pk, name, district in rows:
            found.setdefault(app, {"kind": kind, "lease_id": pk if kind == "lease" else None,
                                   "grant_id": pk if kind == "grant" else None, "name": name or "",
                                   "district_id": district})
    ids = sorted(i for i in found if upto is None or i <= upto)
    if limit is not None:
        ids = ids[:limit]
    return [dict(found[i], application_id=i) for i in ids]


def _crash_point(where: str):  # tests patch this to stop a run half way
    pass


def _changes_that_matter(department, old, new) -> list[tuple[str, str, date | None]]:
    """(kind, fact in Chinese, fact date) for a department's new answer compared with the previous."""
    old = old or {}
    out = []

    def d(value):
        try:
            return date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    if department == "death" and new.get("deceased") and not old.get("deceased"):
        out.append(("death", f"登记死亡（{new.get('died_on') or '日期未知'}）", d(new.get("died_on"))))
    elif department == "vehicles" and int(new.get("vehicle_count") or 0) > int(old.get("vehicle_count") or 0) and old:
        out.append(("vehicle", f"新增机动车 {int(new['vehicle_count']) - int(old.get('vehicle_count') or 0)} 辆，"
                               f"车辆评估价值合计 {new.get('vehicle_value_total')} 元", None))
    elif department == "property" and int(new.get("property_count") or 0) > int(old.get("property_count") or 0) and old:
        out.append(("property", f"新增登记房产 {int(new['property_count']) - int(old.get('property_count') or 0)} 套，"
                                f"住房面积合计 {new.get('property_area_total')} ㎡", None))
    elif department == "civil_affairs" and old and (
            bool(new.get("minimum_living")) != bool(old.get("minimum_living"))):
        now_on = "纳入低保" if new.get("minimum_living") else "退出低保"
        out.append(("minimum_living", now_on, d(new.get("since"))))
    elif department == "business" and int(new.get("business_count") or 0) > int(old.get("business_count") or 0) and old:
        out.append(("business", f"新增工商登记 {int(new['business_count']) - int(old.get('business_count') or 0)} 户，"
                                f"注册资本合计 {new.get('registered_capital_total')} 元", None))
    elif department == "hukou" and new.get("status") and new.get("status") != (old.get("status") or "normal"):
        out.append(("hukou", f"户籍状态变为“{new.get('status_label') or new.get('status')}”", None))
    elif department == "hukou" and old and new.get("hukou_district") and old.get("hukou_district") and (
            str(new["hukou_district"])[:4] != str(old["hukou_district"])[:4]):
        out.append(("hukou", "户籍迁出本市", None))
    return out


# The comparison with the previous answers, in SQL (PostgreSQL): per chunk one query returns only the
# answers of this run whose facts changed in a way `_changes_that_matter` could report (a superset:
# Python then words the fact), each beside the member's previous answer from that department (the
# latest before the run, found by the freshness index). Only rows created in this run can be new
# answers: an answer equal to the current one is no new row (the runner moves that row's date, ADR
# 0006). Nothing else leaves the database: at 100 000 households a run gets ~1.4 million answers and
# finds a handful of changes.
_TRUTHY = "(coalesce({f}->'{k}', 'null'::jsonb) NOT IN ('null', 'false', '0', '\"\"', '[]', '{{}}'))"
_HAS_OLD = "(p.facts IS NOT NULL AND p.facts <> '{}'::jsonb)"
_COUNTS = {"vehicles": "vehicle_count", "property": "property_count", "business": "business_count"}
# what the new answer alone must show for a change to matter (checked before the previous answer is
# looked up: most answers never reach the lateral join)
_NEW_SIDE = {"death": _TRUTHY.format(f="n.facts", k="deceased"),
             **{d: _TRUTHY.format(f="n.facts", k=k) for d, k in _COUNTS.items()}}
_CHANGED = {
    "death": f"NOT coalesce({_TRUTHY.format(f='p.facts', k='deceased')}, false)",
    **{d: f"({_HAS_OLD} AND n.facts->'{k}' IS DISTINCT FROM p.facts->'{k}')" for d, k in _COUNTS.items()},
    "civil_affairs": f"({_HAS_OLD} AND {_TRUTHY.format(f='n.facts', k='minimum_living')} <> "
                     f"{_TRUTHY.format(f='p.facts', k='minimum_living')})",
    "hukou": ("((coalesce(n.facts->>'status', '') <> '' AND n.facts->>'status' <> "
              "coalesce(nullif(p.facts->>'status', ''), 'normal')) OR "
              f"({_HAS_OLD} AND coalesce(n.facts->>'hukou_district', '') <> '' AND "
              "coalesce(p.facts->>'hukou_district', '') <> '' AND "
              "left(n.facts->>'hukou_district', 4) <> left(p.facts->>'hukou_district', 4)))"),
}


def _case(conditions, departments, default):
    whens = " ".join(f"WHEN '{d}' THEN {conditions[d]}" for d in departments if d in conditions)
    return f"(CASE n.department {whens} ELSE {default} END)" if whens else default


_CHANGED_SQL = """
WITH n AS MATERIALIZED (
  -- the chunk's current answers, by the (application, is_current) index alone: the run's other
  -- conditions are not selective (whole departments of the month) and must not pick an index
  SELECT id, application_id, member_id, department, id_number_hash, facts, queried_at, created_at
  FROM applications_checkresult
  WHERE application_id = ANY(%(ids)s) AND is_current AND status IN ('pass', 'fail')
)
SELECT n.id, n.application_id, n.member_id,
       (SELECT m.name FROM applications_householdmember m WHERE m.id = n.member_id),
       n.department, n.facts, n.queried_at, p.facts
FROM n
LEFT JOIN LATERAL (
  SELECT o.facts FROM applications_checkresult o
  WHERE o.department = n.department AND o.id_number_hash = n.id_number_hash AND o.queried_at < %(start)s
    AND o.application_id = n.application_id AND o.member_id = n.member_id AND NOT o.is_current
    AND o.status <> 'unknown'
  ORDER BY o.queried_at DESC, o.id DESC LIMIT 1
) p ON true
WHERE n.department = ANY(%(departments)s) AND n.queried_at >= %(start)s AND n.created_at >= %(start)s
  AND {new_side} AND {changed}
ORDER BY n.id
"""


def _changed_answers(app_ids, departments, started_at):
    """(id, application, member, member's name, department, new facts, queried_at, previous facts) of
    this run's answers that changed something that matters."""
    import json

    from django.db import connection

    from applications.models import CheckResult

    departments = [d for d in departments if d in _CHANGED]
    if connection.vendor != "postgresql":
        return _changed_answers_in_python(app_ids, departments, started_at)
    assert CheckResult._meta.db_table == "applications_checkresult"
    if not departments or not app_ids:
        return []
    sql = _CHANGED_SQL.format(new_side=_case(_NEW_SIDE, departments, "true"),
                              changed=_case(_CHANGED, departments, "false"))
    out = []
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(app_ids), "departments": departments, "start": started_at})  # noqa: S608
        for row in cursor.fetchall():
            new, old = (json.loads(v) if isinstance(v, str) else v for v in (row[5], row[7]))
            out.append((*row[:5], new or {}, row[6], old))
    return out


def _changed_answers_in_python(app_ids, departments, started_at):
    """The same on other databases (SQLite in development): every answer read and compared here."""
    from applications.models import CheckResult

    previous = {}
    for row in (CheckResult.objects.filter(application_id__in=app_ids, is_current=False,
                                           department__in=departments, queried_at__lt=started_at)
                .exclude(status="unknown").order_by("queried_at", "id")
                .values("application_id", "member_id", "department", "facts")):
        previous[(row["application_id"], row["member_id"], row["department"])] = row["facts"]
    out = []
    for row in (CheckResult.objects.filter(application_id__in=app_ids, is_current=True, department__in=departments,
                                           queried_at__gte=started_at, created_at__gte=started_at,
                                           status__in=["pass", "fail"])
                .order_by("id").values("id", "application_id", "member_id", "member__name", "department", "facts",
                                       "queried_at")):
        old = previous.get((row["application_id"], row["member_id"], row["department"]))
        if _changes_that_matter(row["department"], old, row["facts"] or {}):
            out.append((row["id"], row["application_id"], row["member_id"], row["member__name"], row["department"],
                        row["facts"] or {}, row["queried_at"], old))
    return out


def _alerts_for(app_ids, households, run, today, departments=MONITOR_DEPARTMENTS) -> int:
    """An alert for each answer given in this run that changed a fact that matters (idempotent: one
    alert per check result); each alert and its first status-log row in bulk."""
    from applications.eligibility.rules import DEPARTMENT_NAMES

    changed = _changed_answers(app_ids, departments, run.started_at)
    due = None
    alerts = []
    for pk, app_id, _member_id, member_name, department, new, queried_at, old in changed:
        for kind, fact, fact_date in _changes_that_matter(department, old, new):
            if due is None:
                due = add_workdays(today, int(param("monitoring.alert_workdays", on=today)))
            h = households[app_id]
            asked_on = timezone.localtime(queried_at).date()
            alerts.append(MonitoringAlert(
                run=run, application_id=app_id, lease_id=h["lease_id"], grant_id=h["grant_id"],
                household_kind=h["kind"], holder_name=h["name"][:40], district_id=h["district_id"],
                member_name=(member_name or "")[:40], department=department, kind=kind, fact=fact[:300],
                source=f"{DEPARTMENT_NAMES.get(department, department)} {asked_on:%Y-%m-%d} 查询",
                fact_date=fact_date or asked_on, check_result_id=pk, due_on=due))
            break  # one alert per answer
    if alerts:
        MonitoringAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    from gongzufang.models.users import Level

    from .models import AlertStatusChange

    # the first log row of each alert of these households that has none (also those of a run
    # stopped between the two inserts)
    has_log = AlertStatusChange.objects.filter(alert_id=OuterRef("pk"))
    fresh = list(MonitoringAlert.objects.filter(run=run, application_id__in=app_ids).filter(~Exists(has_log))
                 .values_list("pk", flat=True))
    AlertStatusChange.objects.bulk_create([AlertStatusChange(alert_id=pk, from_status="", to_status=AlertStatus.OPEN,
                                                             actor=None, actor_level=Level.SYSTEM,
                                                             opinion="动态监管发现变化") for pk in fresh])
    # the chunk's alerts in this run, also those written before a stop (the run row counts each chunk once)
    return MonitoringAlert.objects.filter(run=run, application_id__in=app_ids).count()


def monitoring_run(*, today=None, chunk: int = 500, limit: int | None = None) -> MonitoringReport:
    """The month's run (动态监管): every active household against the departments whose facts change,
    `chunk` households at a time through the cross-check runner (batched, concurrent). Resumable: the
    run row keeps the last application done; answers given before a stop are kept (fresh), so a
    restarted run asks no department twice about anyone within the freshness window.

    On PostgreSQL outside a transaction, two chunks are checked at once on threads of their own, through
    one sender of requests (so no more than `EXCHANGE_CONCURRENCY` are in flight), a process of its own
    (applications.crosscheck.sending; `CROSSCHECK_SENDER_PROCESS`): the next chunk reads its
    members and their current answers while this one's requests are on the wire, and its requests go out
    while this one's last answers are stored. A chunk's comparison with the previous answers (its alerts)
    runs on a third thread once its answers are stored. The cursor moves past a chunk only once its
    alerts are committed, in order, so a stop at any point redoes at most three chunks, whose answers are
    kept (fresh) and whose alerts are written once (one per check result)."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from applications.crosscheck.exchange import adapter_for
    from applications.crosscheck.exchange import departments as registered
    from applications.crosscheck.runner import prompt_requests, run_checks
    from applications.crosscheck.sending import sender_for_run

    today = today or timezone.localdate()
    period = first_of_month(today)
    run, _created = MonitoringRun.objects.get_or_create(period=period)
    report = MonitoringReport(period=period)
    if run.finished_at is not None:
        report.finished = True
        report.notes.append("本月动态监管已完成。")
        return report
    departments = [d for d in MONITOR_DEPARTMENTS if d in registered()]
    inline = connection.vendor != "postgresql" or connection.in_atomic_block
    pools = [] if inline else [
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="monitoring-chunk"),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitoring-alerts"),
    ]
    chunk_pool, alerts_pool = pools or (None, None)
    sender = None
    pending = None  # (future of the previous chunk's alerts, its ids, its summary)

    def finish(alerts, ids, summary):
        alerts = alerts if isinstance(alerts, int) else alerts.result()
        MonitoringRun.objects.filter(pk=run.pk).update(
            cursor=ids[-1], households=F("households") + len(ids), requests=F("requests") + summary.requests,
            queried=F("queried") + summary.queried, alerts=F("alerts") + alerts)
        report.households += len(ids)
        report.requests += summary.requests
        report.queried += summary.queried
        report.reused += summary.reused
        report.kept += summary.kept
        report.confirmed += summary.confirmed
        report.alerts += alerts
        _crash_point("after_chunk")

    state = {"after": run.cursor, "done": 0}

    def next_chunk():
        """The next chunk's households, its checks started (threaded) or None when the run is through."""
        if limit is not None and state["done"] >= limit:
            return None
        batch = monitored_households(after=state["after"], limit=chunk)
        if limit is not None:
            batch = batch[:max(0, limit - state["done"])]
        if not batch:
            return None
        households = {h["application_id"]: h for h in batch}
        ids = list(households)
        state["after"], state["done"] = ids[-1], state["done"] + len(ids)
        checks = None if inline else chunk_pool.submit(_checks_on_own_connection, ids, departments, sender)
        return households, ids, checks

    ahead = deque()
    with contextlib.ExitStack() as stack:
        stack.enter_context(prompt_requests())  # the requests' threads wait less for the GIL (runner.prompt_requests)
        if not inline:  # (closed after the pools below: the chunks' checks use it)
            sender = stack.enter_context(sender_for_run([adapter_for(d) for d in departments]))
        try:
            while True:
                while len(ahead) < (1 if inline else 2):
                    started = next_chunk()
                    if started is None:
                        break
                    ahead.append(started)
                if not ahead:
                    break
                households, ids, checks = ahead.popleft()
                if inline:
                    summary = run_checks(ids, departments=departments, notify=False)
                else:
                    summary = checks.result()
                _crash_point("after_checks")  # answers stored, cursor not yet moved
                if pending is not None:
                    finish(*pending)
                    pending = None
                if _all_said_again(summary):
                    finish(0, ids, summary)  # (in order: after the previous chunk's, like any other)
                elif inline:
                    finish(_alerts_for(ids, households, run, today, departments), ids, summary)
                else:
                    pending = (alerts_pool.submit(_alerts_on_own_connection, ids, households, run, today, departments),
                               ids, summary)
            if pending is not None:
                finish(*pending)
                pending = None
        finally:
            for pool in pools:  # a stop: what is in flight is kept, the cursor not moved past it
                pool.shutdown(wait=True)
    run.refresh_from_db()
    if limit is not None and state["done"] >= limit:
        return report
    MonitoringRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    report.finished = True
    return report


def _all_said_again(summary) -> bool:
    """Whether a chunk can have no alert: every answer was asked in this attempt and was the current one
    again (its date moved, no row added). An alert compares a row added in this run with the one before;
    an answer kept or reused may come from an earlier attempt of the run stopped before its alerts, so
    then the chunk is compared as usual. The steady month: most chunks, and no query for them."""
    return summary.kept == 0 and summary.reused == 0 and summary.queried == summary.confirmed


def _checks_on_own_connection(ids, departments, sender):
    from django.db import connection

    from applications.crosscheck.runner import run_checks

    try:
        return run_checks(ids, departments=departments, notify=False, sender=sender)
    finally:
        connection.close()  # this thread's own connection


def _alerts_on_own_connection(*args):
    from django.db import connection

    try:
        return _alerts_for(*args)
    finally:
        connection.close()  # this thread's own connection


def monitoring_due(*, today=None) -> MonitoringReport | None:
    """The beat job: a run when `monitoring.interval_months` have passed since the last finished one."""
    today = today or timezone.localdate()
    months = int(param("monitoring.interval_months", on=today))
    last = MonitoringRun.objects.filter(finished_at__isnull=False).order_by("-period").first()
    if last is not None and first_of_month(today) < add_months(last.period, months):
        return None
    return monitoring_run(today=today)


def alert_resolve(*, alert, actor, resolution, note="", ground=None) -> MonitoringAlert:
    """No action, open a review (this year's, or the household's open one) or open an exit case."""
    if resolution not in AlertResolution.values:
        raise PortalError("请选择处理方式。", fields={"resolution": ["required"]})
    note = _clean(note)
    if not note:
        raise PortalError("请填写处理说明。", fields={"note": ["required"]})
    if resolution != AlertResolution.NO_ACTION and not (alert.lease_id or alert.grant_id):
        raise PortalError("轮候家庭的变化请在轮候资格中处理，此处只能选择“无需处理”。", fields={"resolution": ["invalid"]})
    with transaction.atomic():
        locked = workflow.lock(alert)
        workflow._require_visible(locked, actor)
        if locked.status != AlertStatus.OPEN:
            workflow._refuse(locked, "resolve", actor)
        if resolution == AlertResolution.REVIEW_OPENED:
            locked.review = review_open_now(lease=locked.lease, grant=locked.grant if not locked.lease_id else None,
                                            reason=f"动态监管：{locked.fact}")
        elif resolution == AlertResolution.EXIT_OPENED:
            ground = ground or {"property": "other_housing"}.get(locked.kind, "failed_recertification")
            if ground not in EXIT_GROUNDS:
                raise PortalError("请选择退出理由。", fields={"ground": ["invalid"]})
            locked.exit_case = exit_open(lease=locked.lease, grant=locked.grant if not locked.lease_id else None,
                                         ground=ground, origin=ExitOrigin.MONITORING,
                                         facts=f"{locked.source}：{locked.member_name}{locked.fact}。{note}",
                                         actor=actor, if_exists="keep")
        locked.resolution, locked.resolution_note = resolution, note
        locked.resolved_by = actor if hasattr(actor, "role") else None
        locked.resolved_at = timezone.now()
        workflow.transition(locked, "resolve", actor=actor, opinion=f"{AlertResolution(resolution).label}：{note}")
    workflow.copy_state(locked, alert)
    return alert


def review_open_now(*, lease=None, grant=None, reason="", today=None) -> AnnualReview:
    """A review opened now (a monitoring alert): this year's for the household, or the open one."""
    today = today or timezone.localdate()
    subject = {"lease": lease} if lease is not None else {"grant": grant}
    existing = AnnualReview.objects.filter(**subject, year=today.year).first()
    if existing is not None:
        if existing.status == ReviewStatus.DECIDED:
            raise PortalError("该家庭本年度年审已作出结论，如需处理请启动退出。")
        return existing
    values = subject_values(lease=lease, grant=grant)
    reply_days = int(param("annual_review.reply_days", on=today))
    kind, pk = ("L", lease.pk) if lease is not None else ("G", grant.pk)
    review = AnnualReview.objects.create(
        number=review_number(kind, pk, today.year), year=today.year, anniversary=today, opens_on=today,
        due_on=today + timedelta(days=reply_days), **values)
    workflow.record_start(review, actor=None, opinion=reason or "专项复核")
    _tell(review.holder, "资格复核", f"请于{review.due_on:%Y年%m月%d日}前登录平台申报家庭情况（资格复核）。",
          subject=review, key=f"tenancy.review.opened:{review.pk}", purpose="annual_review")
    return review


# --- 退出 -------------------------------------------------------------------------------------------


def _exit_number(today) -> str:
    return f"TC{today:%Y%m%d}{secrets.token_hex(3).upper()}"


def live_exit_case(*, lease=None, grant=None):
    subject = {"lease": lease} if lease is not None else {"grant": grant}
    return ExitCase.objects.filter(**subject, status__in=OPEN_EXIT_STATUSES).first()


def exit_open(*, lease=None, grant=None, ground, origin, facts, actor, review=None, if_exists="raise") -> ExitCase:
    """Open an exit case for a lease or a grant (one live case each). `if_exists="keep"`: return the
    live one (the jobs are idempotent)."""
    if ground not in EXIT_GROUNDS:
        raise PortalError("请选择退出理由。", fields={"ground": ["invalid"]})
    facts = _clean(facts)
    if not facts:
        raise PortalError("请写明退出的事实与依据。", fields={"facts": ["required"]})
    existing = live_exit_case(lease=lease, grant=grant)
    if existing is not None:
        if if_exists == "keep":
            return existing
        raise PortalError(f"该家庭已有未办结的退出事项（{existing.number}）。", code="exit_exists")
    values = subject_values(lease=lease, grant=grant)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            case = ExitCase.objects.create(number=_exit_number(today), ground=ground, origin=origin, facts=facts,
                                           review=review, opened_by=actor if hasattr(actor, "role") else None,
                                           **values)
            workflow.record_start(case, actor=actor, opinion=f"{ExitOrigin(origin).label}：{EXIT_GROUNDS[ground]}")
    except IntegrityError:
        existing = live_exit_case(lease=lease, grant=grant)
        if existing is not None and if_exists == "keep":
            return existing
        raise PortalError("该家庭已有未办结的退出事项。", code="exit_exists") from None
    return case


def exit_apply(*, lease, actor, reason) -> ExitCase:
    """The tenant's own 退租申请 online."""
    if lease.tenant_id != getattr(actor, "pk", None):
        raise PortalError("未找到该租赁合同。", code="not_found")
    if lease.status != "active":
        raise PortalError("只有履行中的合同可以申请退租。")
    reason = _clean(reason, 500)
    if not reason:
        raise PortalError("请填写退租原因。", fields={"reason": ["required"]})
    case = exit_open(lease=lease, ground="voluntary", origin=ExitOrigin.TENANT, facts=f"承租人申请退租：{reason}",
                     actor=actor)
    _tell(actor, "退租申请已受理", f"您的退租申请（{case.number}）已提交，经办人审核后将通知您办理腾退、验房和押金结算。",
          subject=case, key=f"tenancy.exit.applied:{case.pk}", purpose="exit")
    return case


def exit_notify(*, case, actor, today=None) -> ExitCase:
    """Tell the household the grounds and give `exit.statement_workdays` working days to state its case."""
    today = today or timezone.localdate()
    days = int(param("exit.statement_workdays", on=today, district=case.district_id))
    with transaction.atomic():
        locked = workflow.lock(case)
        locked.notified_at, locked.statement_due = timezone.now(), add_workdays(today, days)
        workflow.transition(locked, "notify", actor=actor, opinion=f"告知退出理由，陈述申辩期至{locked.statement_due:%Y-%m-%d}")
    workflow.copy_state(locked, case)
    _tell(case.holder, "保障退出告知",
          f"经核查，您的{case.household_label}拟因“{case.get_ground_display()}”退出保障。事实与依据：{case.facts}"
          f" 您可于{case.statement_due:%Y年%m月%d日}前登录平台提交陈述申辩意见。",
          subject=case, key=f"tenancy.exit.notified:{case.pk}", purpose="exit")
    return case


def exit_state_case(*, case, actor, text) -> ExitCase:
    """The household's 陈述申辩, within the period."""
    if case.holder_id != getattr(actor, "pk", None):
        raise PortalError("未找到该退出事项。", code="not_found")
    text = _clean(text)
    if not text:
        raise PortalError("请填写陈述申辩意见。", fields={"statement": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(case)
        if locked.status != ExitStatus.STATEMENT:
            raise PortalError("当前不在陈述申辩期内。")
        if locked.statement_due and timezone.localdate() > locked.statement_due:
            raise PortalError(f"陈述申辩期已于{locked.statement_due:%Y年%m月%d日}届满。")
        if locked.statement_at:
            raise PortalError("您已提交过陈述申辩意见。")
        ExitCase.objects.filter(pk=locked.pk).update(statement=text, statement_at=timezone.now(),
                                                     updated_at=timezone.now())
    case.refresh_from_db()
    return case


def exit_decide(*, case, actor, opinion="", today=None) -> ExitCase:
    """Decide the exit (after the statement period; a voluntary exit at once) and start the move-out
    period: `exit.moveout_months` months at contract rent, then market rent (rent.market_per_sqm)."""
    today = today or timezone.localdate()
    opinion = _clean(opinion) or ("同意退租" if case.ground == "voluntary" else "")
    if not opinion:
        raise PortalError("请填写退出决定意见（含对陈述申辩的答复）。", fields={"opinion": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(case)
        name = "accept" if locked.status == ExitStatus.OPENED else "decide"
        locked.decided_at = timezone.now()
        workflow.transition(locked, name, actor=actor, opinion=opinion)
        if locked.lease_id:
            months = int(param("exit.moveout_months", on=today, district=locked.district_id))
            per_sqm = Decimal(param("rent.market_per_sqm", on=today, district=locked.district_id))
            locked.move_out_from = today
            locked.contract_rent_until = add_months(today, months) - timedelta(days=1)
            locked.market_rent_from = add_months(today, months)
            locked.market_monthly_rent = money(Decimal(locked.lease.area) * per_sqm)
            workflow.transition(locked, "start_move_out", actor=actor,
                                opinion=f"腾退期至{locked.contract_rent_until:%Y-%m-%d}按合同租金计收，"
                                        f"逾期按市场租金每月{locked.market_monthly_rent}元计收")
            if locked.market_rent_from <= locked.lease.end_on:
                from rent.leases.services import lease_rent_change

                # billed by rent from that day on while the household stays (the lease ends at settlement)
                lease_rent_change(lease=locked.lease, monthly_rent=locked.market_monthly_rent,
                                  effective_from=locked.market_rent_from, kind="market", actor=actor,
                                  reason=f"退出事项 {locked.number}：腾退期满未腾退，按市场租金计收")
        elif locked.grant_id:
            from subsidies.services import grant_stop

            if locked.grant.status in ("active", "suspended"):
                grant_stop(grant=locked.grant, actor=actor, reason=f"退出保障：{locked.get_ground_display()}",
                           from_period=next_month(today))
    workflow.copy_state(locked, case)
    if case.lease_id:
        body = (f"您的退出事项（{case.number}）已决定：{opinion}。请于{case.contract_rent_until:%Y年%m月%d日}前腾退房屋，"
                f"期间按合同租金计收；逾期按市场租金每月{case.market_monthly_rent}元计收。")
    else:
        body = f"您的租赁补贴退出事项（{case.number}）已决定：{opinion}。补贴自次月起停止发放。"
    _tell(case.holder, "保障退出决定", body, subject=case, key=f"tenancy.exit.decided:{case.pk}", purpose="exit")
    return case


def exit_inspect(*, case, actor, inspected_on, condition, damage="", water_meter="", electricity_meter="",
                 gas_meter="", photos=()) -> ExitCase:
    condition = _clean(condition, 300)
    if not condition:
        raise PortalError("请填写房屋状况。", fields={"condition": ["required"]})
    if inspected_on is None:
        raise PortalError("请填写验房日期。", fields={"inspected_on": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(case)
        locked.inspected_on, locked.condition, locked.damage = inspected_on, condition, _clean(damage, 1000)
        locked.water_meter, locked.electricity_meter, locked.gas_meter = (
            _clean(water_meter, 20), _clean(electricity_meter, 20), _clean(gas_meter, 20))
        locked.inspected_by = actor if hasattr(actor, "role") else None
        workflow.transition(locked, "inspect", actor=actor, opinion=f"验房：{condition}")
        for photo in photos:
            ExitPhoto.objects.create(case=locked, image=photo, caption=getattr(photo, "name", "")[:100])
    workflow.copy_state(locked, case)
    return case


def _account_no(value) -> str:
    import re

    text = re.sub(r"[\s\-]", "", str(value or ""))
    if any("０" <= ch <= "９" for ch in text):
        raise PortalError("账号中含有全角数字，请切换到半角输入后重新输入。", fields={"account_no": ["fullwidth"]})
    if not re.fullmatch(r"\d{16,19}", text):
        raise PortalError("银行账号应为 16 至 19 位数字。", fields={"account_no": ["invalid"]})
    return text


def exit_refund_account(*, case, actor, account_name, account_no) -> ExitCase:
    """The tenant gives the account the deposit is refunded to (退租/退出 page), until the settlement;
    the number is stored encrypted and shown masked from then on."""
    if case.holder_id != getattr(actor, "pk", None):
        raise PortalError("未找到该退出事项。", code="not_found")
    if not case.lease_id:
        raise PortalError("租赁补贴家庭没有押金，无需填写退款账户。")
    name = _clean(account_name, 60)
    if not name:
        raise PortalError("请填写收款户名。", fields={"account_name": ["required"]})
    number = _account_no(account_no)
    with transaction.atomic():
        locked = workflow.lock(case)
        if locked.status not in (ExitStatus.OPENED, ExitStatus.STATEMENT, ExitStatus.DECIDED, ExitStatus.MOVE_OUT,
                                 ExitStatus.INSPECTED):
            raise PortalError("押金已结算，退款账户不能再修改。")
        ExitCase.objects.filter(pk=locked.pk).update(
            refund_account_name=name, refund_account_no=number, refund_account_last4=number[-4:],
            refund_account_at=timezone.now(), updated_at=timezone.now())
    case.refresh_from_db()
    return case


def exit_refund(case):
    """The deposit refund rent's bank service sent for this case (None before the settlement)."""
    if not case.refund_reference:
        return None
    from rent.models import DepositRefund

    return DepositRefund.objects.filter(reference=case.refund_reference).first()


def exit_settle(*, case, actor, deductions=()) -> ExitCase:
    """Deposit settlement: the lease's deposit less the itemised deductions. The lease ends (the unit
    was inspected and handed back) and a refund goes through the bank to the account the tenant gave
    (rent's `deposit_refund_send`: the account checked, a one-line 代发 batch; a bank refusal or outage
    leaves nothing settled, with the bank's reason)."""
    items = []
    for item, amount in deductions:
        item = _clean(item, 100)
        try:
            value = money(Decimal(str(amount)))
        except (InvalidOperation, ValueError):
            raise PortalError(f"扣除项“{item}”的金额无效。", fields={"deductions": ["invalid"]}) from None
        if not item or value <= 0:
            raise PortalError("每个扣除项须写明项目和大于 0 的金额。", fields={"deductions": ["invalid"]})
        items.append((item, value))
    with transaction.atomic():
        locked = workflow.lock(case)
        deposit = money(locked.lease.deposit) if locked.lease_id else Decimal("0.00")
        total = money(sum((v for _i, v in items), Decimal("0")))
        if total > deposit:
            raise PortalError(f"扣除合计 {total} 元超过押金 {deposit} 元，超出部分请另行追缴。",
                              fields={"deductions": ["too_much"]})
        if locked.status != ExitStatus.INSPECTED:
            workflow._refuse(locked, "settle", actor)
        refund = deposit - total
        if refund > 0 and not locked.refund_account_no:
            raise PortalError("承租人尚未在退出页面填写退款账户，无法退还押金。请通知承租人填写后再结算。",
                              fields={"deductions": ["no_account"]}, code="no_refund_account")
        ExitDeduction.objects.filter(case=locked).delete()
        ExitDeduction.objects.bulk_create([ExitDeduction(case=locked, item=i, amount=v) for i, v in items])
        locked.deposit, locked.deductions_total, locked.refund_amount = deposit, total, refund
        locked.refund_reference = f"YJTK{locked.pk:08d}" if refund > 0 else ""
        locked.settled_at = timezone.now()
        opinion = f"押金 {deposit} 元，扣除 {total} 元，应退 {refund} 元"
        if locked.lease_id:
            lease = locked.lease
            if lease.status in ("signed", "active"):
                from rent.leases.services import lease_terminate

                lease_terminate(lease=lease, actor=actor, on=locked.inspected_on or timezone.localdate(),
                                reason=f"退出保障（{locked.number}）：{locked.get_ground_display()}，已验房交还")
                lease.refresh_from_db()
            if refund > 0:
                from rent.payments.services import deposit_refund_send

                sent = deposit_refund_send(lease=lease, amount=refund, reference=locked.refund_reference,
                                           account_name=locked.refund_account_name,
                                           account_no=locked.refund_account_no, actor=actor)
                opinion += f"，已提交银行退至 {sent.account_name} 账户 {sent.masked_account}（{sent.get_status_display()}）"
        workflow.transition(locked, "settle", actor=actor, opinion=opinion)
    workflow.copy_state(locked, case)
    return case


def exit_close(*, case, actor, today=None) -> ExitCase:
    """The unit back in vacant stock, the lease ended (rent's service), the grant stopped, the
    re-application bans by ground (`exit.reapply_bar_years.<ground>` years; 0: none), and the household's
    approved application no longer claiming its members (applications' `application_assistance_ended`)."""
    from housing.services import unit_set_status
    from rent.leases.services import lease_terminate

    today = today or timezone.localdate()
    notes = []
    with transaction.atomic():
        locked = workflow.lock(case)
        if locked.lease_id:
            if locked.status != ExitStatus.SETTLED:
                raise PortalError("公租房须验房并结算押金后才能办结。")
            lease = locked.lease
            if lease.status in ("signed", "active"):
                lease_terminate(lease=lease, actor=actor, reason=f"退出保障（{locked.number}）：{locked.get_ground_display()}",
                                on=today)
                notes.append("租赁合同已解除")
            unit_set_status(unit=lease.unit, to_status="vacant", actor=actor, opinion=f"退出收回（{locked.number}）")
            notes.append("房屋已收回为空置可配")
        elif locked.status == ExitStatus.DECIDED:
            # a subsidy household has no unit to return: decided → closed
            pass
        years = int(param(f"exit.reapply_bar_years.{locked.ground}", on=today, district=locked.district_id))
        if years > 0:
            from applications.models import HouseholdMember

            ends = anniversary_in(today, today.year + years)
            members = (HouseholdMember.objects.filter(household__application__pk=locked.application_id)
                       .values_list("id_number_hash", "name").distinct())
            ReapplicationBan.objects.bulk_create(
                [ReapplicationBan(case=locked, id_number_hash=h, name=n[:40], ground=locked.ground, starts_on=today,
                                  ends_on=ends) for h, n in members if h], ignore_conflicts=True)
            notes.append(f"{years}年内不得再次申请（至{ends:%Y-%m-%d}）")
        # the approved application no longer claims its members: they may apply again, and a ban in
        # force is the next application's eligibility rule that fails, with its ground and end date
        from applications.services import application_assistance_ended

        application_assistance_ended(application_id=locked.application_id)
        locked.closed_at, locked.close_note = timezone.now(), "；".join(notes)
        if locked.status == ExitStatus.DECIDED:
            _close_decided(locked, actor)
        else:
            workflow.transition(locked, "close", actor=actor, opinion=locked.close_note or "办结")
    workflow.copy_state(locked, case)
    _tell(case.holder, "保障退出办结", f"您的退出事项（{case.number}）已办结。{case.close_note}", subject=case,
          key=f"tenancy.exit.closed:{case.pk}", purpose="exit")
    return case


def _close_decided(locked, actor):
    workflow.transition(locked, "close_subsidy", actor=actor, opinion=locked.close_note or "补贴停止发放，办结")


def exits_for_arrears(*, today=None) -> int:
    """The daily job: an exit case (ground 累计欠租) for each active lease rent has flagged."""
    from rent.models import Lease

    opened = 0
    flagged = (Lease.objects.filter(status="active", arrears_flagged_at__isnull=False)
               .values_list("pk", "arrears_months", "arrears_amount"))
    for pk, months, amount in flagged:
        lease = Lease.objects.get(pk=pk)
        if live_exit_case(lease=lease) is not None:
            continue
        exit_open(lease=lease, ground="arrears", origin=ExitOrigin.ARREARS, actor=None, if_exists="keep",
                  facts=f"累计欠缴租金 {months} 个月，欠租金额 {amount} 元（租金系统标记）。")
        opened += 1
    return opened


# --- re-application bans (read by applications' eligibility rule) --------------------------------------


def bans_in_force(id_number_hashes, on: date) -> list[tuple[str, date]]:
    """(ground in Chinese, end date) of each ban in force on `on` for any of the hashes."""
    rows = (ReapplicationBan.objects.filter(id_number_hash__in=list(id_number_hashes), starts_on__lte=on,
                                            ends_on__gt=on)
            .order_by("-ends_on").values_list("ground", "ends_on"))
    return [(EXIT_GROUNDS.get(g, g), e) for g, e in rows]


def exit_withdraw(*, case, actor, opinion) -> ExitCase:
    """The case dropped before the decision (the statement accepted, or the tenant's application withdrawn)."""
    opinion = _clean(opinion)
    if not opinion:
        raise PortalError("请填写撤销原因。", fields={"opinion": ["required"]})
    workflow.transition(case, "withdraw", actor=actor, opinion=opinion)
    _tell(case.holder, "退出事项已撤销", f"您的退出事项（{case.number}）已撤销：{opinion}", subject=case,
          key=f"tenancy.exit.withdrawn:{case.pk}", purpose="exit")
    return case
