"""Every write of 租赁补贴 (issue 15). Views, admin, API, tasks and commands call these.

Grants: `grant_create_for_application` (the `application_approved` receiver), `grant_recompute`,
`grant_suspend` / `grant_restore` / `grant_stop` (called by annual reviews and exits, issue 16).
What the household registers: `lease_register`, `account_register`, `account_change_code_send`,
`account_change`. Batches: `batch_make` (resumable, idempotent), `batch_district_approve`,
`batch_city_confirm`, `batch_issue_file`, `batch_import_results`, `batch_send_to_bank`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from gongzufang import workflow
from gongzufang.errors import PortalError
from gongzufang.parameters import CATEGORIES, resolve
from gongzufang.pii import mask_phone
from notifications import codes

from .computation import Inputs, compute, money
from .models import (
    AccountChangeCode,
    BankAccount,
    BatchStatus,
    GrantComputation,
    LineResult,
    MarketLease,
    PaymentLine,
    PaymentStatus,
    SubsidyBatch,
    SubsidyGrant,
    SubsidyPayment,
)

logger = logging.getLogger(__name__)

CHUNK = 2000


# --- months ------------------------------------------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_period(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def parse_period(text: str) -> date:
    """"2026-03" → date(2026, 3, 1); a Chinese PortalError otherwise."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(text or ""))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PortalError(f"月份“{text}”格式不正确，应为 YYYY-MM，例如 2026-03。", fields={"period": ["invalid"]})
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_label(period: date) -> str:
    return f"{period.year}年{period.month}月"


# --- grants ------------------------------------------------------------------------------------------------


def _grant_number(application) -> str:
    return f"BT{application.number}"[:24]


def household_facts(application) -> tuple[int, Decimal]:
    """(counted members, own housing area) as declared in the approved application: every member of
    the household counts; a home declared as owned counts with its area."""
    members = application.household.members.count()
    own = application.housing_area if application.housing_type == "own" and application.housing_area else Decimal("0")
    return max(1, members), Decimal(own)


def _inputs_for(grant, *, on: date, lease=None, members=None, own_area=None):
    category = grant.category
    params = [
        resolve(f"subsidy.standard_per_sqm.{category}", on=on, district=grant.district_id),
        resolve(f"subsidy.coefficient.{category}", on=on, district=grant.district_id),
        resolve("subsidy.area_per_person", on=on, district=grant.district_id),
    ]
    if members is None or own_area is None:
        members, own_area = household_facts(grant.application)
    inputs = Inputs(
        category_label=CATEGORIES.get(category, category), members=members, own_housing_area=own_area,
        area_per_person=params[2].value, standard_per_sqm=params[0].value, coefficient=params[1].value,
        lease_rent=lease.monthly_rent if lease is not None else None,
    )
    return inputs, params


def _effective_period(grant, today: date) -> date:
    """A first computation applies from the grant's first month; a change from the month after the
    later of this month and the last month already in a batch."""
    last = grant.payments.aggregate(m=Max("period"))["m"]
    if last is None and not grant.computations.exists():
        return grant.start_period
    if last is None:
        # Nothing paid yet: the change applies from the first month not yet begun (or the start).
        return max(grant.start_period, next_period(first_of_month(today)))
    return max(next_period(last), next_period(first_of_month(today)), grant.start_period)


def grant_recompute(*, grant, today: date | None = None) -> GrantComputation:
    """Compute the amount with the parameters in force today and the current lease, recorded with every
    input; it takes effect from the next month not yet paid (never changes a month already in a batch)."""
    today = today or timezone.localdate()
    lease = grant.leases.filter(replaced_at__isnull=True).first()
    members, own_area = household_facts(grant.application)
    inputs, params = _inputs_for(grant, on=today, lease=lease, members=members, own_area=own_area)
    result = compute(inputs)
    effective = _effective_period(grant, today)
    values = {
        "category": grant.category, "members_counted": members, "own_housing_area": own_area,
        "area_per_person": inputs.area_per_person, "standard_per_sqm": inputs.standard_per_sqm,
        "coefficient": inputs.coefficient, "eligible_area": result.eligible_area, "uncapped_amount": result.uncapped,
        "lease_rent": inputs.lease_rent, "lease": lease, "amount": result.amount,
        "parameters": [p.as_record() for p in params], "computed_on": today,
    }
    computation, _created = GrantComputation.objects.update_or_create(grant=grant, effective_from=effective,
                                                                      defaults=values)
    SubsidyGrant.objects.filter(pk=grant.pk).update(monthly_amount=result.amount, updated_at=timezone.now())
    grant.monthly_amount = result.amount
    return computation


def grant_create_for_application(*, application, actor=None) -> SubsidyGrant | None:
    """The grant of an approved 租赁补贴 application, made in the approving transaction. Idempotent:
    a second call returns the grant already made. Other assistance types get none (None)."""
    if application.assistance_type != "subsidy":
        return None
    existing = SubsidyGrant.objects.filter(application=application).first()
    if existing is not None:
        return existing
    now = timezone.now()
    start = next_period(first_of_month(timezone.localdate(now)))
    applicant = application.applicant
    with transaction.atomic():
        try:
            with transaction.atomic():
                grant = SubsidyGrant.objects.create(
                    number=_grant_number(application), application=application, applicant=applicant,
                    holder_name=applicant.real_name or "", district_id=application.district_id,
                    category=application.category, start_period=start, payable_from=start, approved_at=now,
                )
        except IntegrityError:
            return SubsidyGrant.objects.get(application=application)
        workflow.record_start(grant, actor=actor if hasattr(actor, "role") else None,
                              opinion="市级复核通过，取得租赁补贴资格")
        computation = grant_recompute(grant=grant, today=timezone.localdate(now))
        _tell(grant, "租赁补贴资格已生效",
              f"您的租赁补贴资格（{grant.number}）已生效，自{period_label(start)}起按月发放，按标准计算每月 "
              f"{computation.uncapped_amount} 元（以实际租金封顶）。请在“我的补贴”登记市场租赁合同和本人银行账户。",
              key=f"subsidies.grant:{grant.pk}:created")
    return grant


def _tell(grant, title, body, *, key):
    from notifications.services import message_send

    message_send(recipient=grant.applicant, title=title, body=body, subject=grant, dedup_key=key)


def _grant_change(grant, name, *, actor, reason, from_period):
    if not str(reason or "").strip():
        raise PortalError("请写明原因。", fields={"reason": ["required"]})
    if from_period is None or from_period.day != 1:
        raise PortalError("起始月份须为某月 1 日。", fields={"from_period": ["invalid"]})
    return workflow.transition(grant, name, actor=actor, opinion=reason, from_period=from_period, reason=str(reason))


def grant_suspend(*, grant, actor, reason, from_period: date):
    """Suspend from `from_period` (the first of a month): that month and later are not paid, and are
    not back-paid on restoration (DESIGN §9). A batch already made for an earlier month is unchanged."""
    change = _grant_change(grant, "suspend", actor=actor, reason=reason, from_period=from_period)
    _tell(grant, "租赁补贴暂停发放", f"您的租赁补贴自{period_label(from_period)}起暂停发放。原因：{reason}",
          key=f"subsidies.grantstatuschange:{change.pk}")
    return change


def grant_restore(*, grant, actor, reason, from_period: date):
    """Pay again from `from_period`; the months suspended are not back-paid."""
    change = _grant_change(grant, "restore", actor=actor, reason=reason, from_period=from_period)
    _tell(grant, "租赁补贴恢复发放", f"您的租赁补贴自{period_label(from_period)}起恢复发放。",
          key=f"subsidies.grantstatuschange:{change.pk}")
    return change


def grant_stop(*, grant, actor, reason, from_period: date):
    """Stop for good from `from_period` (exit, failed re-certification)."""
    change = _grant_change(grant, "stop", actor=actor, reason=reason, from_period=from_period)
    _tell(grant, "租赁补贴停止发放", f"您的租赁补贴自{period_label(from_period)}起停止发放。原因：{reason}",
          key=f"subsidies.grantstatuschange:{change.pk}")
    return change


def _require_applicant(grant, actor):
    if actor is None or grant.applicant_id != getattr(actor, "pk", None):
        raise workflow.NotFound("未找到该补贴资格。")


# --- the market lease ------------------------------------------------------------------------------------


def _decimal(value, label, field_name) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PortalError(f"{label}“{value}”不是有效的金额。", fields={field_name: ["invalid"]}) from None
    if not number.is_finite() or number <= 0:
        raise PortalError(f"{label}须大于 0。", fields={field_name: ["invalid"]})
    if number > Decimal("1000000"):
        raise PortalError(f"{label}过大，请核对。", fields={field_name: ["invalid"]})
    return money(number)


def lease_register(*, grant, actor, landlord_name, address, monthly_rent, start_on: date, end_on: date,
                   contract, area=None, today: date | None = None) -> MarketLease:
    """Register (or replace) the household's market lease with its contract PDF; the amount is
    recomputed (capped by this rent) from the next month not yet paid."""
    from gongzufang.uploads import clean_pdf_upload

    _require_applicant(grant, actor)
    errors = {}
    landlord_name, address = str(landlord_name or "").strip(), str(address or "").strip()
    if not landlord_name:
        errors["landlord_name"] = "请填写出租人姓名或名称。"
    if not address:
        errors["address"] = "请填写租赁房屋地址。"
    if start_on and end_on and end_on <= start_on:
        errors["end_on"] = "租期结束日期须晚于开始日期。"
    if not start_on or not end_on:
        errors["start_on"] = "请填写租期起止日期。"
    if contract is None:
        errors["contract"] = "请上传租赁合同（PDF）。"
    if errors:
        first = next(iter(errors.values()))
        raise PortalError(first, fields={k: [v] for k, v in errors.items()})
    rent = _decimal(monthly_rent, "月租金", "monthly_rent")
    lease_area = _decimal(area, "租赁面积", "area") if area not in (None, "") else None
    from django.core.exceptions import ValidationError

    try:
        cleaned = clean_pdf_upload(contract, name="contract")
    except ValidationError as exc:
        raise PortalError(" ".join(exc.messages), fields={"contract": exc.messages}) from None
    with transaction.atomic():
        grant = SubsidyGrant.objects.select_for_update().get(pk=grant.pk)
        now = timezone.now()
        grant.leases.filter(replaced_at__isnull=True).update(replaced_at=now)
        lease = MarketLease(grant=grant, landlord_name=landlord_name[:60], address=address[:200], area=lease_area,
                            monthly_rent=rent, start_on=start_on, end_on=end_on)
        lease.contract.save(cleaned.name, cleaned, save=False)
        lease.save()
        grant_recompute(grant=grant, today=today)
    return lease


# --- the bank account ------------------------------------------------------------------------------------


def _digits(account_no) -> str:
    text = re.sub(r"[\s\-]", "", str(account_no or ""))
    if any("０" <= ch <= "９" for ch in text):
        raise PortalError("账号中含有全角数字，请切换到半角输入后重新输入。", fields={"account_no": ["fullwidth"]})
    if not re.fullmatch(r"\d{16,19}", text):
        raise PortalError("银行账号应为 16 至 19 位数字。", fields={"account_no": ["invalid"]})
    return text


def _verify_with_bank(name: str, number: str):
    from gongzufang.bank import client

    try:
        check = client.get_bank().verify_account(name=name, account_no=number)
    except client.BankError as exc:
        raise PortalError(f"暂时无法连接银行核验账户：{exc}。请稍后再试，已填写的内容未丢失。",
                          code="bank_unavailable") from None
    if not check.ok:
        raise PortalError(f"银行核验未通过：{check.reason or '账户信息有误'}。请核对户名和账号。",
                          fields={"account_no": [check.reason or "invalid"]}, code="account_rejected")


def _save_account(grant, number) -> BankAccount:
    now = timezone.now()
    grant.accounts.filter(replaced_at__isnull=True).update(replaced_at=now)
    return BankAccount.objects.create(grant=grant, holder_name=grant.holder_name, account_no=number, verified_at=now)


def account_register(*, grant, actor, account_no) -> BankAccount:
    """The first account, in the applicant's own name, checked with the bank (name and number)."""
    _require_applicant(grant, actor)
    if grant.accounts.filter(replaced_at__isnull=True).exists():
        raise PortalError("已登记银行账户；更换账户需要短信验证码。", code="account_exists")
    number = _digits(account_no)
    _verify_with_bank(grant.holder_name, number)
    with transaction.atomic():
        SubsidyGrant.objects.select_for_update().get(pk=grant.pk)
        return _save_account(grant, number)


def _code_hash(user_id, code) -> str:
    return codes.code_hash("subsidies.account_code", user_id, code)


def account_change_code_send(*, grant, actor) -> AccountChangeCode:
    """Text a 6-digit code to the applicant's phone (60 s between codes; older codes voided)."""
    from notifications.services import SmsSendError, sms_send

    _require_applicant(grant, actor)
    phone = actor.phone
    if not phone:
        raise PortalError("您的账号未绑定手机号，无法接收验证码。")
    mine = AccountChangeCode.objects.filter(user=actor)
    if codes.sent_too_recently(mine):
        raise PortalError("验证码发送过于频繁，请 60 秒后再试。", fields={"code": ["throttled"]}, code="sms_throttled")
    code = codes.code_new()
    row = codes.code_issue(mine, user=actor, phone=phone, hash_value=_code_hash(actor.pk, code))
    try:
        sms_send(phone=phone, purpose="code:subsidy_account", sensitive=True,
                 text=f"您的验证码为 {code}，用于更换租赁补贴收款账户，5 分钟内有效。请勿告诉他人。")
    except SmsSendError:
        logger.warning("subsidy account code SMS to %s failed", mask_phone(phone))
    return row


def _code_check(actor, code):
    codes.code_check(AccountChangeCode.objects.filter(user=actor), code,
                     hash_of=lambda given: _code_hash(actor.pk, given))


def account_change(*, grant, actor, account_no, code) -> BankAccount:
    """Change the account: the SMS code first, then the bank's check; the old account is kept (marked
    replaced) for the lines already issued to it. Failed payments are retried to it in the next batch."""
    _require_applicant(grant, actor)
    number = _digits(account_no)
    _code_check(actor, code)
    _verify_with_bank(grant.holder_name, number)
    with transaction.atomic():
        SubsidyGrant.objects.select_for_update().get(pk=grant.pk)
        account = _save_account(grant, number)
    _tell(grant, "租赁补贴收款账户已更换", f"您的租赁补贴收款账户已更换为 {account.masked}。如非本人操作，请立即联系区县住建部门。",
          key=f"subsidies.bankaccount:{account.pk}")
    return account


# --- batches -----------------------------------------------------------------------------------------------


@dataclass
class BatchReport:
    batch: SubsidyBatch
    created: bool = False  # the batch row was made by this call
    added: int = 0  # payments added by this call (new months)
    retried: int = 0  # failed payments of earlier months put into this batch
    chunks: int = 0
    notes: list = field(default_factory=list)


def _batch_number(district, period) -> str:
    return f"BT{period:%Y%m}{district.code}"


def _crash_point(where: str):  # tests patch this to kill the job half way
    return None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _eligible_grants_sql() -> str:
    g, c, a, lease = (_table(SubsidyGrant), _table(GrantComputation), _table(BankAccount), _table(MarketLease))
    return f"""
        FROM {g} g
        JOIN {c} c ON c.grant_id = g.id AND c.effective_from = (
            SELECT MAX(c2.effective_from) FROM {c} c2 WHERE c2.grant_id = g.id AND c2.effective_from <= %(period)s)
        WHERE g.district_id = %(district)s AND g.id > %(after)s AND g.id <= %(upto)s
          AND g.payable_from <= %(period)s
          AND (g.status = 'active' OR (g.status = 'suspended' AND g.suspended_from > %(period)s)
               OR (g.status = 'stopped' AND g.stopped_from > %(period)s))
          AND c.amount > 0
          AND EXISTS (SELECT 1 FROM {a} a WHERE a.grant_id = g.id AND a.replaced_at IS NULL
                      AND a.verified_at IS NOT NULL)
          AND EXISTS (SELECT 1 FROM {lease} l WHERE l.grant_id = g.id AND l.replaced_at IS NULL)
    """


def _insert_payments(batch, after, upto, now) -> int:
    p = _table(SubsidyPayment)
    sql = f"""
        INSERT INTO {p} (grant_id, period, batch_id, district_id, computation_id, amount, status, attempts,
                         bank_reason, bank_txn_id, created_at, updated_at)
        SELECT g.id, %(period)s, %(batch)s, g.district_id, c.id, c.amount, 'pending', 1, '', '', %(now)s, %(now)s
        {_eligible_grants_sql()}
        ON CONFLICT (grant_id, period) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"period": batch.period, "batch": batch.pk, "district": batch.district_id,
                             "after": after, "upto": upto, "now": now})
        return max(cursor.rowcount, 0)


def _insert_lines(batch) -> int:
    """A line (序号 after the last one) for every pending payment of the batch that has none yet."""
    line, p, a = _table(PaymentLine), _table(SubsidyPayment), _table(BankAccount)
    base = PaymentLine.objects.filter(batch=batch).aggregate(m=Max("line_no"))["m"] or 0
    sql = f"""
        INSERT INTO {line} (batch_id, line_no, payment_id, account_id, amount, result, bank_reason, bank_txn_id)
        SELECT %(batch)s, %(base)s + ROW_NUMBER() OVER (ORDER BY p.id), p.id, a.id, p.amount, 'pending', '', ''
        FROM {p} p JOIN {a} a ON a.grant_id = p.grant_id AND a.replaced_at IS NULL
        WHERE p.batch_id = %(batch)s AND p.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM {line} x WHERE x.batch_id = %(batch)s AND x.payment_id = p.id)
        ON CONFLICT DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"batch": batch.pk, "base": base})
        return max(cursor.rowcount, 0)


def _retry_candidates(batch) -> list[int]:
    """Failed payments of earlier months in the district whose grant is payable this month and whose
    current, verified account is not the one the failed line went to (the household fixed it)."""
    failed = (SubsidyPayment.objects.filter(district=batch.district, status=PaymentStatus.FAILED,
                                            period__lt=batch.period)
              .exclude(batch=batch).select_related("grant"))
    ids = []
    for payment in failed:
        if not payment.grant.payable_in(batch.period):
            continue
        current = payment.grant.accounts.filter(replaced_at__isnull=True, verified_at__isnull=False).first()
        last_line = payment.lines.order_by("-batch__period", "-id").first()
        if current is not None and (last_line is None or last_line.account_id != current.pk):
            ids.append(payment.pk)
    return ids


def _retry(batch, ids) -> int:
    def move(payment):
        payment.batch = batch
        payment.attempts = payment.attempts + 1
        payment.bank_reason, payment.failed_at = "", None

    result = workflow.transition_many(SubsidyPayment, ids, "retry", actor=None,
                                      opinion=f"账户已更正，纳入{period_label(batch.period)}批次重新发放",
                                      before_save=move)
    return len(result.changed)


def _lock_batch(batch) -> SubsidyBatch:
    return SubsidyBatch.objects.select_for_update().get(pk=batch.pk)


def _totals(batch):
    agg = PaymentLine.objects.filter(batch=batch).aggregate(n=Count("pk"), total=Sum("amount"))
    SubsidyBatch.objects.filter(pk=batch.pk).update(line_count=agg["n"] or 0, total_amount=agg["total"] or 0)
    batch.line_count, batch.total_amount = agg["n"] or 0, agg["total"] or Decimal("0")


def batch_make(*, district, period: date, chunk: int = CHUNK, actor=None) -> BatchReport:
    """Make (or finish, or just show) the district's batch for `period`: every payable grant exactly
    once, and the failed payments of earlier months whose account has since been fixed. Each chunk of
    grants (by pk) is one transaction; a run killed half way is finished by the next run, and a batch
    already frozen is shown unchanged."""
    if period.day != 1:
        raise PortalError("发放月份须为某月 1 日。")
    try:
        batch, created = SubsidyBatch.objects.get_or_create(
            district=district, period=period, defaults={"number": _batch_number(district, period)})
    except IntegrityError:
        batch, created = SubsidyBatch.objects.get(district=district, period=period), False
    report = BatchReport(batch=batch, created=created)
    if created:
        workflow.record_start(batch, actor=actor, opinion=f"生成{period_label(period)}发放批次")
    if batch.status != BatchStatus.DRAFT:
        return report
    grant_ids = SubsidyGrant.objects.filter(district=district)
    while True:
        with transaction.atomic():
            locked = _lock_batch(batch)
            if locked.status != BatchStatus.DRAFT:
                report.batch = locked
                return report
            after = locked.built_through
            ids = list(grant_ids.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            upto = ids[-1]
            report.added += _insert_payments(locked, after, upto, timezone.now())
            _crash_point("after_payments")
            _insert_lines(locked)
            SubsidyBatch.objects.filter(pk=locked.pk).update(built_through=upto)
            report.chunks += 1
    with transaction.atomic():
        locked = _lock_batch(batch)
        if locked.status == BatchStatus.DRAFT:
            report.retried = _retry(locked, _retry_candidates(locked))
            _insert_lines(locked)
            _totals(locked)
            workflow.transition(locked, "freeze", actor=None,
                                opinion=f"发放名单已生成：{locked.line_count} 笔，合计 {locked.total_amount} 元")
        report.batch = locked
    report.batch.refresh_from_db()
    return report


def batch_make_due(*, today: date | None = None) -> list[BatchReport]:
    """The beat job's work: on or after the batch day of this month, make every district's batch for
    this month that has grants (idempotent: a made batch is only shown)."""
    from gongzufang.models import District
    from gongzufang.parameters import param

    today = today or timezone.localdate()
    period = first_of_month(today)
    reports = []
    district_ids = SubsidyGrant.objects.values_list("district_id", flat=True).distinct()
    for district in District.objects.filter(pk__in=list(district_ids)).order_by("code"):
        if today.day < param("subsidy.batch_day", on=today, district=district.pk):
            continue
        reports.append(batch_make(district=district, period=period))
    return reports


def batch_district_approve(*, batch, actor, opinion=""):
    return workflow.transition(batch, "district_approve", actor=actor, opinion=opinion)


def batch_city_confirm(*, batch, actor, opinion=""):
    return workflow.transition(batch, "city_confirm", actor=actor, opinion=opinion)


def _may_handle_file(batch, actor):
    """After 出盘 the file may be downloaded again and results imported by those who issued it."""
    from .models import FILE_ISSUER

    if not workflow.may_see(batch, actor):
        raise workflow.NotFound("未找到该发放批次。")
    if actor is not None and not FILE_ISSUER(batch, actor):
        raise workflow.PermissionDenied(FILE_ISSUER.denied)


def batch_issue_file(*, batch, actor):
    """出盘: the file may be downloaded once the city has confirmed; the first download is recorded."""
    batch.refresh_from_db()
    if batch.status in (BatchStatus.FILE_ISSUED, BatchStatus.RESULTS_IMPORTED):
        _may_handle_file(batch, actor)
        return None
    return workflow.transition(batch, "issue_file", actor=actor, opinion="下载银行代发文件")


# --- the bank's result file ----------------------------------------------------------------------------------

RESULT_HEADER = ["批次号", "序号", "账号", "金额", "结果", "失败原因", "银行流水号"]


@dataclass
class ImportReport:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    complete: bool = False


def _result_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PortalError("结果文件不是 UTF-8 编码的 CSV 文件，请上传银行返回的原文件。") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != RESULT_HEADER:
        raise PortalError("结果文件的表头应为：" + ",".join(RESULT_HEADER) + "。请上传银行返回的代发结果文件。")
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(RESULT_HEADER):
            raise PortalError(f"结果文件第 {number} 行应有 {len(RESULT_HEADER)} 列，实有 {len(row)} 列。")
        yield number, [cell.strip() for cell in row]


def batch_import_results(*, batch, actor, content: bytes) -> ImportReport:
    """Mark each line paid or failed as the bank says. Every line is checked against the batch first
    (批次号, 序号, 账号, 金额); one that does not match refuses the whole file, changing nothing. A file
    imported twice changes nothing the second time."""
    batch.refresh_from_db()
    if batch.status == BatchStatus.RESULTS_IMPORTED:
        _may_handle_file(batch, actor)
    else:
        workflow.check(batch, "import_results", actor=actor)
    rows = list(_result_rows(content))
    if not rows:
        raise PortalError("结果文件中没有明细行。")
    lines = {line.line_no: line for line in PaymentLine.objects.filter(batch=batch).select_related("account")}
    problems, outcomes = [], {}
    for number, (batch_no, seq, account_no, amount, result, reason, txn) in rows:
        where = f"第 {number} 行（序号 {seq}）"
        if batch_no != batch.number:
            problems.append(f"{where}：批次号 {batch_no} 不是本批次 {batch.number}")
            continue
        try:
            line = lines.get(int(seq))
        except ValueError:
            line = None
        if line is None:
            problems.append(f"{where}：本批次没有该序号")
            continue
        if account_no != line.account.account_no:
            problems.append(f"{where}：账号与本批次该序号的账号不符")
            continue
        try:
            if Decimal(amount) != line.amount:
                problems.append(f"{where}：金额 {amount} 与本批次 {line.amount} 不符")
                continue
        except InvalidOperation:
            problems.append(f"{where}：金额“{amount}”无效")
            continue
        if result not in ("成功", "失败"):
            problems.append(f"{where}：结果应为“成功”或“失败”")
            continue
        if result == "失败" and not reason:
            reason = "银行未说明原因"
        outcome = (LineResult.PAID, "", txn) if result == "成功" else (LineResult.FAILED, reason, "")
        if line.line_no in outcomes and outcomes[line.line_no] != outcome:
            problems.append(f"{where}：同一序号在文件中出现两次且结果不同")
            continue
        if line.result != LineResult.PENDING and (line.result, line.bank_reason, line.bank_txn_id) != outcome:
            problems.append(f"{where}：该笔已导入为“{line.get_result_display()}”，与本文件不一致")
            continue
        outcomes[line.line_no] = outcome
    if problems:
        shown = "；".join(problems[:10]) + (f"；等共 {len(problems)} 处" if len(problems) > 10 else "")
        raise PortalError(f"结果文件与本批次不符，未导入任何一笔：{shown}。", code="result_mismatch")
    report = ImportReport()
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_batch(batch)
        todo = {no: o for no, o in outcomes.items() if lines[no].result == LineResult.PENDING}
        report.unchanged = len(outcomes) - len(todo)
        changed_lines = []
        for no, (result, reason, txn) in todo.items():
            line = lines[no]
            line.result, line.bank_reason, line.bank_txn_id = result, reason[:200], txn[:64]
            changed_lines.append(line)
        PaymentLine.objects.bulk_update(changed_lines, ["result", "bank_reason", "bank_txn_id"], batch_size=1000)
        by_payment = {lines[no].payment_id: o for no, o in todo.items()}
        paid = [pid for pid, o in by_payment.items() if o[0] == LineResult.PAID]
        failed = [pid for pid, o in by_payment.items() if o[0] == LineResult.FAILED]
        for ids, name in ((paid, "mark_paid"), (failed, "mark_failed")):
            for start in range(0, len(ids), CHUNK):
                part = ids[start:start + CHUNK]

                def apply(payment, name=name):
                    _result, reason, txn = by_payment[payment.pk]
                    if name == "mark_paid":
                        payment.bank_txn_id, payment.paid_at = txn[:64], now
                    else:
                        payment.bank_reason, payment.failed_at = reason[:200], now

                opinion = "银行代发成功" if name == "mark_paid" else "银行代发失败"
                done = workflow.transition_many(SubsidyPayment, part, name, actor=None, opinion=opinion,
                                                before_save=apply)
                if name == "mark_paid":
                    report.paid += len(done.changed)
                else:
                    report.failed += len(done.changed)
        stats = PaymentLine.objects.filter(batch=locked).aggregate(
            pending=Count("pk", filter=Q(result=LineResult.PENDING)), paid=Count("pk", filter=Q(result=LineResult.PAID)),
            failed=Count("pk", filter=Q(result=LineResult.FAILED)),
            paid_amount=Sum("amount", filter=Q(result=LineResult.PAID)))
        SubsidyBatch.objects.filter(pk=locked.pk).update(
            paid_count=stats["paid"], failed_count=stats["failed"], paid_amount=stats["paid_amount"] or 0,
            result_sha256=hashlib.sha256(content).hexdigest())
        report.complete = stats["pending"] == 0
        if todo and report.complete and locked.status == BatchStatus.FILE_ISSUED:
            workflow.transition(locked, "import_results", actor=actor,
                                opinion=f"导入银行结果：成功 {stats['paid']} 笔，失败 {stats['failed']} 笔")
    if failed:
        transaction.on_commit(lambda: _tell_failed(failed))
    return report


def _tell_failed(payment_ids):
    for payment in SubsidyPayment.objects.filter(pk__in=payment_ids).select_related("grant__applicant"):
        _tell(payment.grant, "租赁补贴发放失败",
              f"您{period_label(payment.period)}的租赁补贴发放失败（{payment.bank_reason}）。请在“我的补贴”更换本人银行账户，"
              "更正后将在下一批次补发。", key=f"subsidies.payment:{payment.pk}:failed:{payment.attempts}")


def batch_send_to_bank(*, batch, actor) -> ImportReport:
    """出盘 and hand the file to the bank (代发), then import the result file it answers."""
    import tempfile

    from gongzufang.bank import client

    from .bankfile import write_csv

    batch_issue_file(batch=batch, actor=actor)
    with tempfile.TemporaryFile() as handle:
        for chunk in write_csv(batch):
            handle.write(chunk)
        handle.seek(0)
        try:
            result = client.get_bank().submit_disbursement(batch.number, handle, f"{batch.number}.csv")
        except client.BankError as exc:
            raise PortalError(f"提交银行失败：{exc}。文件已生成，可稍后重试或下载后手工提交。", code="bank_unavailable") from None
    return batch_import_results(batch=batch, actor=actor, content=result)
