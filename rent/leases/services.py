"""Every write about leases (DESIGN §8): made from a held offer, the contract signed by the bureau,
signed by the tenant with an SMS code (which calls allocation's `offer_accept`: the offer signed, the
waitlist entry allocated, the unit occupied — all in the signing transaction), the move-in handover,
and the end. Status changes go through `gongzufang.workflow.transition` only."""

import copy
import hmac
import logging
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation import services as allocation_services
from gongzufang import workflow
from gongzufang.errors import PortalError
from gongzufang.parameters import param
from notifications import codes
from notifications.services import SmsSendError, message_send, sms_send
from notifications.subjects import dedup_key

from ..models import (
    Handover,
    HandoverPhoto,
    Lease,
    LeaseRenewal,
    LeaseRentChange,
    LeaseStatus,
    LeaseStatusChange,
    RentChangeKind,
    SignCode,
)
from . import contract
from .terms import MAX_TERM_YEARS, add_years, lease_terms, rent_on, yuan

logger = logging.getLogger(__name__)

OFFER_HELD = "held"


class SignError(PortalError):
    code = "lease_sign"


# --- making a lease -----------------------------------------------------------------------------------


def _number(district, year) -> str:
    prefix = f"GZF{district.code}{year}"
    last = (Lease.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def _application_of(offer):
    return offer.round_entry.entry.application


def lease_from_offer(*, offer, actor=None, start_on=None, term_years=None) -> Lease:
    """The lease for a held offer, with its bureau-signed contract, issued for the tenant's signature.
    A second call for the same offer returns the same lease (idempotent; the offer is one-to-one)."""
    existing = Lease.objects.filter(offer=offer).first()
    if existing is not None:
        return existing
    if offer.status != OFFER_HELD:
        raise PortalError(f"选房结果为“{offer.get_status_display()}”，不能生成租赁合同。", code="offer_not_held")
    application = _application_of(offer)
    unit = offer.unit
    start_on = start_on or (offer.sign_by + timedelta(days=1))
    terms = lease_terms(unit=unit, category=application.category or "low_income", start_on=start_on,
                        term_years=term_years)
    tenant = application.applicant
    try:
        with transaction.atomic():
            lease = Lease(
                offer=offer, tenant=tenant, tenant_name=tenant.real_name or tenant.username, unit=unit,
                district_id=unit.district_id, category=application.category or "low_income",
                household_size=offer.round_entry.entry.household_size,
                start_on=terms.start_on, end_on=terms.end_on, term_years=terms.term_years, area=terms.area,
                rent_per_sqm=terms.rent_per_sqm, coefficient=terms.coefficient, monthly_rent=terms.monthly_rent,
                deposit_months=terms.deposit_months, deposit=terms.deposit, parameters_used=terms.parameters_used,
                number=_number(unit.district, terms.start_on.year),
            )
            lease.save()
            workflow.record_start(lease, actor=actor, opinion="依据选房结果生成租赁合同")
            pdf = contract.contract_signed_pdf(lease)
            lease.contract_sha256 = contract.sha256_hex(pdf)
            lease.contract_pdf.save(f"{lease.number}.pdf", ContentFile(pdf), save=False)
            lease.issued_at = timezone.now()
            lease.save(update_fields=["contract_pdf", "contract_sha256", "issued_at"])
            workflow.transition(lease, "issue", actor=actor, opinion="合同已加盖电子签章，待承租人签约")
    except IntegrityError:  # the same offer prepared twice at once
        existing = Lease.objects.filter(offer=offer).first()
        if existing is None:
            raise
        return existing
    return lease


def leases_prepare_for_held_offers(*, user=None, limit=200) -> int:
    """Leases for held offers that have none yet (the tenant's page for their own; the job for all)."""
    from allocation.models import Offer

    offers = Offer.objects.filter(status=OFFER_HELD, lease__isnull=True).select_related(
        "unit__estate", "unit__district", "round_entry__entry__application__applicant")
    if user is not None:
        offers = offers.filter(round_entry__entry__application__applicant=user)
    made = 0
    for offer in offers.order_by("pk")[:limit]:
        try:
            lease_from_offer(offer=offer, actor=None)
        except PortalError as exc:
            logger.warning("lease for offer %s not prepared: %s", offer.pk, exc.message)
            continue
        made += 1
    return made


def lease_regenerate_contract(*, lease) -> Lease:
    """A fresh bureau-signed contract for a lease not yet signed (e.g. after the unit's address was
    corrected). Once signed, the file the tenant signed is never replaced."""
    if lease.status not in (LeaseStatus.DRAFT, LeaseStatus.ISSUED):
        raise PortalError("合同已签署，不能重新生成合同文本。", code="lease_signed")
    pdf = contract.contract_signed_pdf(lease)
    lease.contract_sha256 = contract.sha256_hex(pdf)
    lease.contract_pdf.save(f"{lease.number}.pdf", ContentFile(pdf), save=False)
    lease.save(update_fields=["contract_pdf", "contract_sha256", "updated_at"])
    return lease


def contract_bytes(lease) -> bytes:
    with lease.contract_pdf.open("rb") as fh:
        return fh.read()


# --- the tenant signs ---------------------------------------------------------------------------------


def _code_hash(lease_id, phone, code) -> str:
    return codes.code_hash("rent.lease_sign_code", lease_id, phone, code)


def _require_signable(lease, user):
    if lease.tenant_id != getattr(user, "pk", None):
        raise workflow.NotFound("未找到该租赁合同。")
    if lease.status != LeaseStatus.ISSUED:
        raise SignError(f"合同状态为“{lease.get_status_display()}”，不能签约。", code="lease_not_issued")
    offer = lease.offer
    if offer is None:
        raise SignError("该合同不是通过本平台选房生成的，不能在线签约。", code="no_offer")
    if offer.status != OFFER_HELD:
        raise SignError(f"选房结果为“{offer.get_status_display()}”，该合同已不能签约。", code="offer_not_held")
    if timezone.localdate() > offer.sign_by:
        raise SignError(f"签约期限（{offer.sign_by:%Y年%m月%d日}）已过，不能签约。", code="sign_deadline_passed")
    if not user.phone:
        raise SignError("您的账户没有登记手机号，无法接收签约验证码。", code="no_phone")


def sign_code_send(*, lease, user) -> SignCode:
    """Text a 6-digit code for signing this lease to the tenant's phone (once a minute at most)."""
    _require_signable(lease, user)
    if codes.sent_too_recently(lease.sign_codes.all()):
        raise SignError("验证码发送过于频繁，请 60 秒后再试。", fields={"code": ["throttled"]}, code="sms_throttled")
    code = codes.code_new()
    row = codes.code_issue(lease.sign_codes.all(), lease=lease, phone=user.phone,
                           hash_value=_code_hash(lease.pk, user.phone, code))
    try:
        sms_send(phone=user.phone, purpose="code:lease_sign", sensitive=True,
                 text=f"您正在签署公共租赁住房租赁合同（{lease.number}），验证码 {code}，5 分钟内有效。请勿告诉他人。")
    except SmsSendError:
        raise SignError("短信发送失败，请稍后重新获取验证码。", code="sms_failed") from None
    return row


def _check_code(lease, phone, code):
    """Use up the lease's current signing code if `code` matches and it was sent to `phone`."""
    codes.code_check(lease.sign_codes.all(), code, error=SignError, bound=lambda row: row.phone == phone,
                     hash_of=lambda given: _code_hash(lease.pk, phone, given))


def lease_sign(*, lease, user, code, ip_address=None, user_agent="", signed_sha256=None) -> Lease:
    """The tenant signs with the SMS code. Recorded: time, IP address, user agent and the SHA-256 of
    the exact (bureau-signed) file signed; `signed_sha256`, when the page sends the digest it showed,
    must be the file's. In the same transaction allocation's `offer_accept` signs the offer, takes the
    household off the waitlist and marks the unit occupied."""
    _require_signable(lease, user)
    _check_code(lease, user.phone, code)
    data = contract_bytes(lease)
    digest = contract.sha256_hex(data)
    if digest != lease.contract_sha256 or (signed_sha256 and not hmac.compare_digest(signed_sha256, digest)):
        raise SignError("合同文件与发出签约的版本不一致，请刷新页面后重新阅读合同。", code="contract_changed")
    with transaction.atomic():
        locked = workflow.lock(lease)
        _require_signable(locked, user)
        locked.signed_at = timezone.now()
        locked.signed_ip = ip_address or None
        locked.signed_user_agent = (user_agent or "")[:400]
        locked.signed_phone = user.phone
        locked.signed_pdf_sha256 = digest
        workflow.transition(locked, "sign", actor=user, opinion="承租人通过短信验证码签署合同")
        allocation_services.offer_accept(offer=locked.offer, actor=user)
    workflow.copy_state(locked, lease)
    for name in ("signed_at", "signed_ip", "signed_user_agent", "signed_phone", "signed_pdf_sha256"):
        setattr(lease, name, getattr(locked, name))
    return lease


# --- staff: handover, activation, end -----------------------------------------------------------------


def lease_hand_over(*, lease, actor, handed_over_on, keys, water_meter, electricity_meter, condition,
                    gas_meter=None, access_cards=0, photos=()) -> Handover:
    """入住交接: keys, meter readings, condition, photos; then the lease starts (active)."""
    if not workflow.may_see(lease, actor):
        raise workflow.NotFound("未找到该租赁合同。")
    if lease.status != LeaseStatus.SIGNED:
        raise PortalError(f"合同状态为“{lease.get_status_display()}”，只有已签约的合同可以办理入住交接。",
                          code="lease_not_signed")
    condition = (condition or "").strip()
    if not condition:
        raise PortalError("请填写房屋及设施状况。", fields={"condition": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(lease)
        if Handover.objects.filter(lease=locked).exists():
            raise PortalError("该合同已办理入住交接。", code="handed_over")
        handover = Handover.objects.create(
            lease=locked, handed_over_on=handed_over_on, keys=keys, access_cards=access_cards or 0,
            water_meter=water_meter, electricity_meter=electricity_meter, gas_meter=gas_meter,
            condition=condition[:2000], staff=actor if getattr(actor, "pk", None) else None)
        for photo in photos:
            HandoverPhoto.objects.create(handover=handover, image=photo, caption=getattr(photo, "caption", "")[:60])
        workflow.transition(locked, "activate", actor=actor, opinion=f"入住交接（{handed_over_on:%Y-%m-%d}）")
    workflow.copy_state(locked, lease)
    return handover


def lease_terminate(*, lease, actor, reason, on=None) -> Lease:
    """解除合同 from `on` (today by default). Bills already made for days after it are corrected to the
    day (recorded as adjustments; what was paid beyond goes to the lease's credit)."""
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("请填写解除合同的原因。", fields={"opinion": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(lease)
        locked.ended_on = on or timezone.localdate()
        workflow.transition(locked, "terminate", actor=actor, opinion=reason)
        bills_recalculate(lease=locked, after=locked.ended_on, actor=actor,
                          reason=f"合同于 {locked.ended_on:%Y年%m月%d日} 解除，末月按天折算")
    workflow.copy_state(locked, lease)
    return lease


def bills_recalculate(*, lease, after: date, actor=None, reason: str) -> list:
    """Bring the lease's bills covering days from `after` on in line with its rent changes and end
    (rent/payments/services.py `bill_correct` records each correction)."""
    from ..billing.services import line_for, rent_changes_of
    from ..payments.services import bill_correct

    changes = rent_changes_of([lease.pk]).get(lease.pk, [])
    corrected = []
    for bill in lease.bills.filter(period_end__gte=after).order_by("period"):
        line = line_for(lease, bill.period, changes=changes)
        adjustment = bill_correct(bill=bill, line=line, reason=reason, actor=actor)
        if adjustment is not None:
            corrected.append(adjustment)
    return corrected


# --- rent changes and renewal (the annual review and the exit issue call these) ------------------------

RENT_CHANGE_STATUSES = (LeaseStatus.SIGNED, LeaseStatus.ACTIVE)


def _money_arg(value, field="monthly_rent") -> Decimal:
    try:
        amount = yuan(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PortalError("金额格式不正确，请填写以元为单位、最多两位小数的数字。", fields={field: ["invalid"]}) from None
    if not amount.is_finite() or amount < 0:
        raise PortalError("金额不能为负数。", fields={field: ["invalid"]})
    return amount


def lease_rent_change(*, lease, monthly_rent, effective_from: date, kind: str, actor, reason: str) -> LeaseRentChange:
    """The monthly rent changes from `effective_from` on: kind "adjust" (the annual review's new
    coefficient, from the first of next month) or "market" (the move-out period is over: market rent).
    The signed rent on the lease stays as it was; bills use the rent in force each day, splitting a
    period the change falls inside by days. Bills already made that cover the day are corrected.
    The same (lease, kind, effective_from) again returns the first record (another amount is refused)."""
    if kind not in RentChangeKind.values:
        raise PortalError("租金调整类型须为“年度复核调整”（adjust）或“腾退期满按市场租金”（market）。",
                          fields={"kind": ["invalid"]}, code="rent_change_kind")
    rent = _money_arg(monthly_rent)
    if not isinstance(effective_from, date):
        raise PortalError("请填写租金起算日。", fields={"effective_from": ["required"]})
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("请填写调整租金的原因。", fields={"reason": ["required"]})
    if not workflow.may_see(lease, actor):
        raise workflow.NotFound("未找到该租赁合同。")
    with transaction.atomic():
        locked = workflow.lock(lease)
        existing = LeaseRentChange.objects.filter(lease=locked, kind=kind, effective_from=effective_from).first()
        if existing is not None:
            if existing.new_monthly_rent != rent:
                raise PortalError(
                    f"该合同 {effective_from:%Y年%m月%d日} 起的“{existing.get_kind_display()}”已登记为月租金 "
                    f"{existing.new_monthly_rent} 元，不能再登记为 {rent} 元。", code="rent_change_conflict")
            return existing
        if locked.status not in RENT_CHANGE_STATUSES:
            raise PortalError(f"合同状态为“{locked.get_status_display()}”，不能调整租金。", code="lease_not_active")
        if not (locked.start_on <= effective_from <= locked.end_on):
            raise PortalError(f"租金起算日须在租期内（{locked.start_on:%Y年%m月%d日}至{locked.end_on:%Y年%m月%d日}）。",
                              fields={"effective_from": ["out_of_term"]}, code="rent_change_out_of_term")
        changes = list(locked.rent_changes.order_by("effective_from", "pk")
                       .values_list("effective_from", "new_monthly_rent"))
        old = yuan(rent_on(effective_from, monthly_rent=locked.monthly_rent, changes=changes))
        change = LeaseRentChange.objects.create(
            lease=locked, kind=kind, old_monthly_rent=old, new_monthly_rent=rent, effective_from=effective_from,
            actor=actor if getattr(actor, "pk", None) and not _is_api(actor) else None, reason=reason[:300])
        bills_recalculate(lease=locked, after=effective_from, actor=actor,
                          reason=f"{change.get_kind_display()}：{effective_from:%Y年%m月%d日}起月租金 {old} → {rent} 元")
        tenant = locked.tenant
        body = (f"您的租赁合同（{locked.number}）月租金自 {effective_from:%Y年%m月%d日} 起由 {old} 元调整为 {rent} 元"
                f"（{change.get_kind_display()}：{reason[:100]}）。详情见“我的合同”。")
        message_send(recipient=tenant, title="租金调整通知", body=body, subject=locked,
                     dedup_key=f"rent.rent_change:{change.pk}")
    return change


def _is_api(actor) -> bool:
    return type(actor).__name__ == "ApiClient"


def _renewal_document(lease, renewal_or_none=None, **override):
    """The lease as the renewal contract shows it: the same parties and unit, the renewed term and rent."""
    doc = copy.copy(lease)
    doc.__dict__ = dict(lease.__dict__)
    doc.__dict__.update(override)
    return doc


def renewal_document(renewal):
    """A renewal's contract as a lease-shaped object (the verification page reads it like a lease's)."""
    lease = renewal.lease
    return _renewal_document(lease, number=f"{lease.number}-续{renewal.sequence}",
                             start_on=renewal.old_end_on + timedelta(days=1), end_on=renewal.new_end_on,
                             term_years=renewal.years, monthly_rent=renewal.monthly_rent,
                             coefficient=_coefficient(lease, renewal.monthly_rent),
                             verification_code=renewal.verification_code, contract_pdf=renewal.contract_pdf,
                             contract_sha256=renewal.contract_sha256)


def _coefficient(lease, rent):
    base = Decimal(lease.area) * Decimal(lease.rent_per_sqm)
    if not base:
        return lease.coefficient
    return (Decimal(rent) / base).quantize(Decimal("0.01"))


def lease_renew(*, lease, actor, reason: str, years=None, from_end_on=None) -> Lease:
    """续租 decided by the annual review: the same lease runs `years` more years (the parameter
    `lease.term_years` by default) from the day after its current end, with a renewal contract signed
    by the bureau (pyHanko) at the rent then in force. Refused unless the lease is active, and when
    the renewed term would be longer than 5 years or leave more than 5 years to run from today (one term
    is at most 5 years). Recorded in the lease's status log (active → active, 续租).

    Idempotent: `from_end_on` (by default the end date of the `lease` passed in) is the end the caller
    saw. When the lease was renewed from that end meanwhile (a double click, a retried job), the renewal
    made then is the answer and nothing is extended twice; any other change of the end is refused."""
    from_end_on = from_end_on or lease.end_on
    reason = (reason or "").strip()
    if not reason:
        raise PortalError("请填写续租依据（如年度复核结论）。", fields={"reason": ["required"]})
    if not workflow.may_see(lease, actor):
        raise workflow.NotFound("未找到该租赁合同。")
    today = timezone.localdate()
    with transaction.atomic():
        locked = workflow.lock(lease)
        if locked.status != LeaseStatus.ACTIVE:
            raise PortalError(f"合同状态为“{locked.get_status_display()}”，只有履行中的合同可以续租。",
                              code="lease_not_active")
        if locked.end_on != from_end_on:
            if locked.renewals.filter(old_end_on=from_end_on).exists():
                workflow.copy_state(locked, lease)
                return lease  # already renewed from the end the caller saw
            raise PortalError(f"合同租期届满日已变更为 {locked.end_on:%Y年%m月%d日}，请刷新页面后再办理续租。",
                              code="lease_changed")
        if years is None:
            years = int(param("lease.term_years", on=today, district=locked.district_id))
        try:
            years = int(years)
        except (TypeError, ValueError):
            raise PortalError("续租年限须为 1 至 5 的整数。", fields={"years": ["invalid"]}) from None
        if years < 1:
            raise PortalError("续租年限须为 1 至 5 的整数。", fields={"years": ["invalid"]})
        if years > MAX_TERM_YEARS:
            raise PortalError(f"续租 {years} 年超过单个租期最长 {MAX_TERM_YEARS} 年的规定。", fields={"years": ["too_long"]},
                              code="term_too_long")
        old_end = locked.end_on
        new_end = add_years(old_end + timedelta(days=1), years) - timedelta(days=1)
        if new_end >= add_years(today, MAX_TERM_YEARS):
            raise PortalError(
                f"续租后合同将至 {new_end:%Y年%m月%d日} 届满，自今日起超过 {MAX_TERM_YEARS} 年（单个租期最长 "
                f"{MAX_TERM_YEARS} 年）。请待临近期满时再续租，或缩短续租年限。", fields={"years": ["too_long"]},
                code="term_too_long")
        changes = list(locked.rent_changes.order_by("effective_from", "pk")
                       .values_list("effective_from", "new_monthly_rent"))
        rent = yuan(rent_on(old_end + timedelta(days=1), monthly_rent=locked.monthly_rent, changes=changes))
        sequence = locked.renewals.count() + 1
        renewal = LeaseRenewal(lease=locked, sequence=sequence, years=years, old_end_on=old_end, new_end_on=new_end,
                               monthly_rent=rent, reason=reason[:300],
                               actor=actor if getattr(actor, "pk", None) and not _is_api(actor) else None)
        pdf = contract.contract_signed_pdf(renewal_document(renewal))
        renewal.contract_sha256 = contract.sha256_hex(pdf)
        renewal.contract_pdf.save(f"{locked.number}-R{sequence}.pdf", ContentFile(pdf), save=False)
        renewal.save()
        locked.end_on = new_end
        workflow.transition(locked, "renew", actor=actor,
                            opinion=f"续租 {years} 年（{reason[:120]}）：租期届满日由 {old_end:%Y年%m月%d日} 延至 "
                                    f"{new_end:%Y年%m月%d日}，续租合同已加盖电子签章")
        # bills already made up to the old end keep their amounts: the old last month was prorated to it
        bills_recalculate(lease=locked, after=old_end, actor=actor, reason=f"续租至 {new_end:%Y年%m月%d日}")
    workflow.copy_state(locked, lease)
    return lease


def leases_end_due(*, on=None) -> int:
    """Active leases past their last day end (renewal is a new lease from the annual review)."""
    on = on or timezone.localdate()
    ids = list(Lease.objects.filter(status=LeaseStatus.ACTIVE, end_on__lt=on).values_list("pk", flat=True))

    def before(lease):
        lease.ended_on = lease.end_on

    result = workflow.transition_many(Lease, ids, "end", actor=None, opinion="租期届满", before_save=before)
    return len(result.changed)


def leases_cancel_lapsed() -> int:
    """Issued leases whose offer is no longer held (refused, expired by allocation's job, withdrawn)
    are void: nothing is left to sign. Allocation counts the refusal; this only tidies the lease."""
    ids = list(Lease.objects.filter(status__in=[LeaseStatus.DRAFT, LeaseStatus.ISSUED])
               .exclude(offer__status=OFFER_HELD).values_list("pk", flat=True))
    done = 0
    for pk in ids:
        with transaction.atomic():
            lease = workflow.lock(Lease, pk)
            if lease.status not in (LeaseStatus.DRAFT, LeaseStatus.ISSUED) or lease.offer.status == OFFER_HELD:
                continue
            lease.ended_on = timezone.localdate()
            workflow.transition(lease, "cancel", actor=None,
                                opinion=f"选房结果为“{lease.offer.get_status_display()}”，合同作废")
            done += 1
    return done


# --- messages -----------------------------------------------------------------------------------------

MESSAGES = {
    LeaseStatus.ISSUED: ("租赁合同待签约", "您的公共租赁住房租赁合同（{number}）已生成，请在 {sign_by} 前登录平台阅读并签署。"),
    LeaseStatus.SIGNED: ("租赁合同已签署", "您已签署租赁合同（{number}），请按通知办理入住交接。"),
    LeaseStatus.ACTIVE: ("已办理入住", "租赁合同（{number}）已开始履行，租金账单可在“我的账单”查看。"),
    LeaseStatus.TERMINATED: ("租赁合同已解除", "租赁合同（{number}）已解除：{opinion}"),
    LeaseStatus.ENDED: ("租赁合同已到期", "租赁合同（{number}）已于 {end_on} 到期。"),
}


def lease_change_notify(*, change_id) -> bool:
    change = LeaseStatusChange.objects.select_related("lease__tenant", "lease__offer").filter(pk=change_id).first()
    if change is not None and change.from_status == change.to_status == LeaseStatus.ACTIVE:
        return _renewal_notify(change)
    if change is None or change.to_status not in MESSAGES:
        return False
    lease = change.lease
    title, body = MESSAGES[change.to_status]
    sign_by = f"{lease.offer.sign_by:%Y年%m月%d日}" if lease.offer is not None else "签约期限"
    body = body.format(number=lease.number, sign_by=sign_by, opinion=change.opinion,
                       end_on=f"{lease.end_on:%Y年%m月%d日}")
    return message_send(recipient=lease.tenant, title=title, body=body, subject=lease,
                        dedup_key=dedup_key(change)) is not None


def _renewal_notify(change) -> bool:
    lease = change.lease
    return message_send(recipient=lease.tenant, title="租赁合同已续租",
                        body=f"您的租赁合同（{lease.number}）已续租：{change.opinion}。续租合同可在“我的合同”查看。",
                        subject=lease, dedup_key=dedup_key(change)) is not None


# --- rating (complaints.services.register_rateable) --------------------------------------------------


def _check_lease_rating(rater, lease):
    if lease.tenant_id != rater.pk:
        raise PortalError("只能评价您本人的签约服务。", code="not_owner")
    if lease.signed_at is None:
        raise PortalError("签约后才能评价签约服务。", code="not_signed")
    return lease.district


def register_lease_rateable():
    from complaints.services import register_rateable

    register_rateable("lease_signing", model=Lease, check=_check_lease_rating)
