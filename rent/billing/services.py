"""Bills (DESIGN §8): one per active lease and period, never two; the month's run split into chunks
of leases by primary-key range, each chunk idempotent (INSERT … ON CONFLICT DO NOTHING on the unique
(lease, period)), so a run killed half-way and run again misses none and doubles none.

Arrears: reminders on the due date +3 and +10 days (one per bill and stage), and the lease flagged
when its overdue rent reaches `exit.arrears_months` months in total (the exit issue opens a case)."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from gongzufang import workflow
from gongzufang.parameters import param
from notifications.services import SmsSendError, reminder_send, sms_send

from ..leases.terms import add_months, bill_for, is_billing_month, month_end, month_start, yuan
from ..models import Bill, BillingRun, BillReminder, BillStatus, Lease, LeaseRentChange, LeaseStatus

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000  # leases (by primary key range) per chunk task (docs/benchmarks.md)
BILLABLE = [LeaseStatus.ACTIVE]
ENDED = [LeaseStatus.ENDED, LeaseStatus.TERMINATED]


@dataclass(frozen=True)
class PeriodRules:
    period: date
    months: int
    due_day: int

    @property
    def last_day(self) -> date:
        return add_months(self.period, self.months) - timedelta(days=1)


def rules_for(period: date) -> PeriodRules:
    period = month_start(period)
    return PeriodRules(period=period, months=int(param("rent.bill_interval_months", on=period)),
                       due_day=int(param("rent.due_day", on=period)))


def _billable(period: date | None = None):
    """Active leases, and (for `period`) leases that ended or were terminated on or after its first day
    after having started (handed over): their last month is billed to the day they ended."""
    q = Q(status__in=BILLABLE)
    if period is not None:
        q |= Q(status__in=ENDED, ended_on__gte=month_start(period), handover__isnull=False)
    return Lease.objects.filter(q)


def chunk_ranges(*, chunk_size: int = CHUNK_SIZE, period: date | None = None) -> list[tuple[int, int]]:
    """[lo, hi) primary-key ranges covering every billable lease."""
    bounds = _billable(period).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    return [(lo, min(lo + chunk_size, bounds["hi"] + 1)) for lo in range(bounds["lo"], bounds["hi"] + 1, chunk_size)]


def _changes_in(lo: int, hi: int, last_day: date) -> bool:
    return LeaseRentChange.objects.filter(lease_id__gte=lo, lease_id__lt=hi, effective_from__lte=last_day).exists()


def _insert_one_rent(rules: PeriodRules, lo: int, hi: int) -> int:
    """Active leases let at one rent through the period — the whole month, or the first or last month
    of their term prorated by day (rent × days ÷ days in the month, rounded half up to the fen:
    PostgreSQL's round() on numeric rounds half away from zero, the same for amounts ≥ 0) — written by
    one `INSERT … SELECT` for the chunk. A chunk with rent changes takes each lease's rent in force from
    its latest change, and leaves the leases whose rent changes inside the period to `_prorated`.
    PostgreSQL only (casts, GREATEST, LATERAL): on SQLite, the development default, `_prorated` bills
    every lease in Python."""
    if rules.months != 1 or connection.vendor != "postgresql":
        return 0
    sql, params = one_rent_sql(rules, lo, hi)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def one_rent_sql(rules: PeriodRules, lo: int, hi: int) -> tuple[str, dict]:
    """The chunk's statement and its parameters (benchmarks/bills.py explains it)."""
    due = date(rules.period.year, rules.period.month, min(rules.due_day, month_end(rules.period).day))
    now = timezone.now()
    days_in = (rules.last_day - rules.period).days + 1
    bill, lease, change = Bill._meta.db_table, Lease._meta.db_table, LeaseRentChange._meta.db_table
    rent, join, straddle = "l.monthly_rent", "", ""
    first, last = "GREATEST(l.start_on, %(period)s::date)", "LEAST(l.end_on, %(last)s::date)"
    if _changes_in(lo, hi, rules.last_day):
        rent = "COALESCE(r.rent, l.monthly_rent)"
        join = (f"LEFT JOIN LATERAL (SELECT c.new_monthly_rent AS rent FROM {change} c WHERE c.lease_id = l.id "
                f"AND c.effective_from <= {first} ORDER BY c.effective_from DESC, c.id DESC LIMIT 1) r ON TRUE ")
        straddle = (f"AND NOT EXISTS (SELECT 1 FROM {change} c WHERE c.lease_id = l.id "
                    f"AND c.effective_from > {first} AND c.effective_from <= {last}) ")
    days = f"({last} - {first} + 1)"
    sql = (
        f"INSERT INTO {bill} (lease_id, tenant_id, district_id, period, period_start, period_end, days, "
        f"days_in_period, monthly_rent, amount, amount_paid, due_on, status, lines, note, created_at, updated_at) "
        f"SELECT l.id, l.tenant_id, l.district_id, %(period)s, {first}, {last}, {days}, %(days_in)s, {rent}, "
        f"CASE WHEN {days} = %(days_in)s THEN {rent} ELSE round({rent} * {days} / %(days_in)s::numeric, 2) END, "
        f"0, CASE WHEN {first} >= %(due)s::date THEN {first} + %(due_day)s ELSE %(due)s::date END, %(unpaid)s, "
        f"'[]'::jsonb, '', %(now)s, %(now)s FROM {lease} l {join}"
        f"WHERE l.status = %(active)s AND l.id >= %(lo)s AND l.id < %(hi)s AND l.start_on <= %(last)s "
        f"AND l.end_on >= %(period)s {straddle}"
        f"ON CONFLICT (lease_id, period) DO NOTHING"
    )
    params = {"period": rules.period, "last": rules.last_day, "days_in": days_in, "due": due,
              "due_day": rules.due_day, "unpaid": BillStatus.UNPAID, "now": now, "active": LeaseStatus.ACTIVE,
              "lo": lo, "hi": hi}
    return sql, params


def rent_changes_of(lease_ids) -> dict[int, list[tuple[date, Decimal]]]:
    changes: dict[int, list] = {}
    for lease_id, day, rent in (LeaseRentChange.objects.filter(lease_id__in=lease_ids)
                                .order_by("effective_from", "pk").values_list("lease_id", "effective_from",
                                                                              "new_monthly_rent")):
        changes.setdefault(lease_id, []).append((day, rent))
    return changes


def billing_end(lease) -> date:
    """The last day a lease is billed for: its term's end, or the day it ended early."""
    return min(lease.end_on, lease.ended_on) if lease.ended_on else lease.end_on


def line_for(lease, period: date, *, rules: "PeriodRules | None" = None, changes=None):
    """The bill line of `period` for one lease (its rent changes and early end taken into account)."""
    rules = rules or rules_for(period)
    if changes is None:
        changes = rent_changes_of([lease.pk]).get(lease.pk, [])
    if not is_billing_month(start_on=month_start(lease.start_on), period=rules.period, months=rules.months):
        return None
    return bill_for(monthly_rent=lease.monthly_rent, start_on=lease.start_on, end_on=billing_end(lease),
                    period=rules.period, months=rules.months, due_day=rules.due_day, changes=changes)


def _prorated(rules: PeriodRules, lo: int, hi: int) -> int:
    """Leases ended early (terminated or ended, billed to that day) or with a rent change inside the
    period (split by days) — or every lease, with bills every few months."""
    leases = _billable(rules.period).filter(pk__gte=lo, pk__lt=hi, start_on__lte=rules.last_day,
                                            end_on__gte=rules.period)
    if rules.months == 1 and connection.vendor == "postgresql":
        odd = ~Q(status__in=BILLABLE)
        if _changes_in(lo, hi, rules.last_day):
            odd |= Q(pk__in=LeaseRentChange.objects.filter(
                lease_id__gte=lo, lease_id__lt=hi, effective_from__gt=rules.period,
                effective_from__lte=rules.last_day).values("lease_id"))
        leases = leases.filter(odd)
    leases = list(leases.only("pk", "tenant_id", "district_id", "monthly_rent", "start_on", "end_on", "ended_on"))
    changes = rent_changes_of([lease.pk for lease in leases]) if leases and _changes_in(lo, hi, rules.last_day) else {}
    rows = []
    for lease in leases:
        line = line_for(lease, rules.period, rules=rules, changes=changes.get(lease.pk, []))
        if line is None:
            continue
        rows.append(Bill(lease_id=lease.pk, tenant_id=lease.tenant_id, district_id=lease.district_id,
                         period=line.period, period_start=line.period_start, period_end=line.period_end,
                         days=line.days, days_in_period=line.days_in_period, monthly_rent=line.monthly_rent,
                         amount=line.amount, due_on=line.due_on, lines=line.lines, note=line.note))
    if not rows:
        return 0
    before = Bill.objects.filter(period=rules.period, lease_id__gte=lo, lease_id__lt=hi).count()
    Bill.objects.bulk_create(rows, ignore_conflicts=True)
    return Bill.objects.filter(period=rules.period, lease_id__gte=lo, lease_id__lt=hi).count() - before


def bills_make_chunk(*, period: date, lo: int, hi: int) -> int:
    """The bills of one chunk of leases for `period`; how many were new. Safe to run any number of
    times, at once on several workers too."""
    rules = rules_for(period)
    from ..payments.services import credits_apply_range

    with transaction.atomic():
        made = _insert_one_rent(rules, lo, hi) + _prorated(rules, lo, hi)
        # the leases' credit (预存余额) used on the new bills at once, in the same transaction: a chunk that
        # dies leaves neither; a chunk run again finds the credit already used
        credits_apply_range(lo=lo, hi=hi)
    # Progress is counted after the bills are committed, in its own short statement: inside the chunk's
    # transaction the run's one row would be locked for the whole chunk, serialising the workers.
    BillingRun.objects.filter(period=rules.period).update(chunks_done=F("chunks_done") + 1,
                                                           bills_created=F("bills_created") + made)
    return made


def billing_run_start(*, period: date, chunk_size: int = CHUNK_SIZE) -> tuple[BillingRun, list[tuple[int, int]]]:
    """The run's record (counts restart when it is run again) and its chunks."""
    rules = rules_for(period)
    ranges = chunk_ranges(chunk_size=chunk_size, period=rules.period)
    run, _created = BillingRun.objects.get_or_create(period=rules.period)
    BillingRun.objects.filter(pk=run.pk).update(chunks=len(ranges), chunks_done=0, finished_at=None)
    run.refresh_from_db()
    return run, ranges


def billing_run_finish(*, period: date) -> BillingRun:
    rules = rules_for(period)
    BillingRun.objects.filter(period=rules.period).update(finished_at=timezone.now())
    return BillingRun.objects.get(period=rules.period)


def bills_make(*, period: date, chunk_size: int = CHUNK_SIZE) -> int:
    """All of a period's bills in this process (the demo, tests, the shell); the beat job spreads the
    same chunks over the workers (rent/billing/tasks.py)."""
    run, ranges = billing_run_start(period=period, chunk_size=chunk_size)
    made = sum(bills_make_chunk(period=run.period, lo=lo, hi=hi) for lo, hi in ranges)
    billing_run_finish(period=run.period)
    return made


# --- applying money to a bill (the payment half calls this) ------------------------------------------


def bill_apply_amount(*, bill, amount: Decimal, actor=None, opinion="") -> Bill:
    """Add `amount` (negative: a refund) to what was paid on the bill, within 0..amount, and move its
    status to match. Locks the bill; returns it locked and updated. The caller keeps any excess as
    credit (rent/payments)."""
    amount = yuan(amount)
    with transaction.atomic():
        locked = workflow.lock(bill) if not getattr(bill, "_workflow_locked", False) else bill
        paid = locked.amount_paid + amount
        if paid < 0 or paid > locked.amount:
            raise ValueError(f"bill {locked.pk}: paid {paid} outside 0..{locked.amount}")
        locked.amount_paid = paid
        target = (BillStatus.PAID if paid == locked.amount else BillStatus.UNPAID if paid == 0
                  else BillStatus.PARTLY_PAID)
        if target == locked.status:
            locked.save(update_fields=["amount_paid", "updated_at"])
        else:
            name = {BillStatus.PAID: "settle", BillStatus.PARTLY_PAID: "settle_partly",
                    BillStatus.UNPAID: "reopen"}[target]
            workflow.transition(locked, name, actor=actor, opinion=opinion)
    return locked


# --- arrears -----------------------------------------------------------------------------------------


def reminder_stage_due(bill, today) -> str | None:
    first = int(param("rent.reminder_first_days", on=today, district=bill.district_id))
    second = int(param("rent.reminder_second_days", on=today, district=bill.district_id))
    late = (today - bill.due_on).days
    if late >= second:
        return BillReminder.Stage.PLUS_10
    if late >= first:
        return BillReminder.Stage.PLUS_3
    return None


def _reminder_text(bill, stage) -> str:
    late = "3" if stage == BillReminder.Stage.PLUS_3 else "10"
    return (f"您{bill.period:%Y年%m月}的公租房租金 {bill.outstanding} 元已逾期{late}日（缴费截止 "
            f"{bill.due_on:%m月%d日}），请尽快通过“我的账单”或到区住房保障中心缴纳。累计欠租将影响您的租赁资格。")


def reminders_send(*, today=None) -> int:
    """Reminders for unpaid bills at due date +3 and +10 days (a stage missed on a day the job did not
    run is sent the next run; +3 is skipped once +10 is due). One per bill and stage, ever."""
    today = today or timezone.localdate()
    first = int(param("rent.reminder_first_days", on=today))
    sent = 0
    overdue = (Bill.objects.filter(due_on__lte=today - timedelta(days=first)).exclude(status=BillStatus.PAID)
               .select_related("tenant").order_by("pk"))
    for bill in overdue.iterator(chunk_size=500):
        stage = reminder_stage_due(bill, today)
        if stage is None or (stage == BillReminder.Stage.PLUS_3 and bill.reminders.filter(stage=stage).exists()):
            continue
        reminder, created = BillReminder.objects.get_or_create(bill=bill, stage=stage, defaults={"day": today})
        if not created and reminder.sms_ok:
            continue
        text = _reminder_text(bill, stage)
        reminder_send(recipient=bill.tenant, kind=f"rent.arrears.{stage}", title="租金逾期提醒", body=text,
                      subject=bill, day=reminder.day)
        if bill.tenant.phone:
            try:
                sms_send(phone=bill.tenant.phone, text=text, purpose="rent_arrears",
                         dedup_key=f"rent.bill:{bill.pk}:{stage}")
            except SmsSendError:
                continue  # the next run tries again (the reminder row stays, sms_ok false)
            BillReminder.objects.filter(pk=reminder.pk).update(sms_ok=True)
        sent += created
    return sent


def arrears_flag(*, today=None) -> int:
    """Each lease's overdue rent (amount and months' worth) brought up to date; a lease at or over
    `exit.arrears_months` months in total is flagged (until the exit case exists), and unflagged
    when paid back under it. Returns how many leases are flagged now."""
    today = today or timezone.localdate()
    months_limit = Decimal(param("exit.arrears_months", on=today))
    owed = {row["lease_id"]: row["owed"] for row in
            Bill.objects.filter(due_on__lt=today).exclude(status=BillStatus.PAID)
            .values("lease_id").annotate(owed=Sum(F("amount") - F("amount_paid"))).order_by()}
    stale = Lease.objects.filter(arrears_amount__gt=0).exclude(pk__in=list(owed))
    stale.update(arrears_amount=0, arrears_months=0, arrears_flagged_at=None)
    now = timezone.now()
    for lease in Lease.objects.filter(pk__in=list(owed)).only("pk", "monthly_rent", "arrears_flagged_at"):
        amount = yuan(owed[lease.pk])
        months = (amount / lease.monthly_rent).quantize(Decimal("0.01")) if lease.monthly_rent else Decimal(0)
        flagged = lease.arrears_flagged_at or now if months >= months_limit else None
        Lease.objects.filter(pk=lease.pk).update(arrears_amount=amount, arrears_months=months,
                                                 arrears_flagged_at=flagged)
    return Lease.objects.filter(arrears_flagged_at__isnull=False).count()
