"""Every write of the unit choice (选房) and the offers (DESIGN §7, issue 13), keyword-only.

- `offer_choose(*, round_entry, unit, actor, at_counter=False, sms_code=None)`: in one transaction
  the round entry's row and then the unit's row are locked (`SELECT … FOR UPDATE`, always in that
  order, so two requests cannot deadlock), the rules are checked under the locks (round drawn,
  household waiting and in its window — or staff at the counter —, unit in the round, vacant and
  published, not larger than the household may have, no live offer of the household), the SMS code is
  used up, the offer is created (held, sign-by date from `allocation.offer_sign_days`) and the unit
  reserved through housing's services. The partial unique constraints on Offer are the last line:
  an IntegrityError becomes "该房屋已被其他家庭选定，请另选。" and nothing is left half-saved.
- `offer_refuse` (the household or staff; counts as a refusal), `offer_withdraw` (staff, with a
  reason; does not count), `offers_expire_due` (held past the sign-by date; counts), each putting the
  unit back to vacant.
- `windows_open_notify` (SMS + site message once per household and round), `windows_close_due` (not
  choosing in one's window counts as a refusal, unless no unit that fits was left).
- `choice_code_send`: the SMS code for choosing, through applications' code table and hash (same
  5-minute lifetime and 5 wrong tries); `_code_verify` counts wrong tries outside the choosing
  transaction, and the code is used up inside it (a unit taken meanwhile leaves the code usable).
"""

import contextlib
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.accounts.services import CodeError
from applications.accounts.services import _code_hash as code_hash
from applications.models import SmsCode
from gongzufang import workflow
from gongzufang.errors import PortalError
from gongzufang.jobs import enqueue_on_commit
from gongzufang.models.users import Role
from gongzufang.parameters import param
from gongzufang.pii import mask_phone
from gongzufang.scoping import scope_of
from housing import services as housing_services
from housing.models import Unit
from notifications import codes
from notifications.codes import RESEND_SECONDS
from notifications.services import SmsSendError, message_send, sms_send

from .. import services as allocation_services
from ..models import LIVE_OFFER_STATUSES, AllocationRound, Offer, RoundEntry, RoundUnit, WaitlistEntry
from .models import ChoiceWindow

CODE_PURPOSE = "choose_unit"  # applications.SmsCode.purpose (max 12 characters)
TAKEN = "该房屋已被其他家庭选定，请另选。"
ALREADY_CHOSEN = "您已选定房屋，不能再选。如需改选，请先放弃已选定的房屋。"
COUNTER_PERM = "allocation.choose_at_counter"


class ChoiceError(PortalError):
    code = "choice_refused"
    status = 400


class UnitTaken(ChoiceError):
    code = "unit_taken"
    status = 409


# --- the window -------------------------------------------------------------------------------------


def window_state(round_entry, now=None) -> str:
    """"not_drawn", "before", "open" or "closed" for this household's choice window."""
    if round_entry.window_opens_at is None or round_entry.window_closes_at is None:
        return "not_drawn"
    now = now or timezone.now()
    if now < round_entry.window_opens_at:
        return "before"
    if now < round_entry.window_closes_at:
        return "open"
    return "closed"


def window_open(round_entry, now=None) -> bool:
    """Whether the household may choose online now: the round is drawn and its window is open."""
    round_ = round_entry.round
    return round_.status == AllocationRound.Status.DRAWN and window_state(round_entry, now) == "open"


def fitting_units(round_entry):
    """Units of the round still free that fit the household (DESIGN §7: smaller allowed, larger not):
    vacant, published, no live offer."""
    max_bedrooms = round_entry.entry.max_bedrooms
    in_round = RoundUnit.objects.filter(round_id=round_entry.round_id).values("unit_id")
    live = Offer.objects.filter(status__in=LIVE_OFFER_STATUSES).values("unit_id")
    return (Unit.objects.filter(pk__in=in_round, status=Unit.Status.VACANT, listing=Unit.Listing.PUBLISHED,
                                estate__is_published=True, bedrooms__lte=max_bedrooms)
            .exclude(pk__in=live))


def _is_counter_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and getattr(actor, "role", None) in (Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER)
                and actor.has_perm(COUNTER_PERM))


def _in_scope(actor, district_id) -> bool:
    scope = scope_of(actor)
    return scope.city_wide or scope.district_id == district_id


# --- SMS codes -----------------------------------------------------------------------------------------


def _phone_of(round_entry) -> str:
    return round_entry.entry.application.applicant.phone or ""


def choice_code_send(*, round_entry, user) -> SmsCode:
    """Text the household a 6-digit code for choosing (only its keyed hash is kept; 5 minutes; a new
    one voids the older ones; one a minute)."""
    if round_entry.entry.application.applicant_id != getattr(user, "pk", None):
        raise workflow.NotFound("未找到该选房记录。")
    if not window_open(round_entry):
        raise ChoiceError("您的选房时间未到或已结束，不能获取选房验证码。")
    phone = _phone_of(round_entry)
    if not phone:
        raise ChoiceError("您的账户没有登记手机号，请到窗口办理现场选房。")
    if not cache.add(f"allocation:choice-code:{phone}", 1, RESEND_SECONDS):
        raise CodeError("验证码发送过于频繁，请 60 秒后再试。", fields={"code": ["throttled"]}, code="sms_throttled")
    code = codes.code_new()
    row = codes.code_issue(SmsCode.objects.filter(phone=phone, purpose=CODE_PURPOSE), phone=phone,
                           purpose=CODE_PURPOSE, hash_value=code_hash(phone, CODE_PURPOSE, code))
    try:
        sms_send(phone=phone, purpose="code:choose_unit", sensitive=True,
                 text=f"您的选房验证码为 {code}，用于确认选定公租房房屋，5 分钟内有效。请勿告诉他人。")
    except SmsSendError:
        raise CodeError("短信发送失败，请稍后重新获取验证码。", code="sms_failed") from None
    return row


def _code_verify(phone, code) -> int:
    """The id of the household's current choosing code if `code` matches it (a wrong one counts, and is
    saved, before the refusal); CodeError otherwise. Not used up here: a refused choice leaves it valid."""
    return codes.code_check(SmsCode.objects.filter(phone=phone, purpose=CODE_PURPOSE), code, error=CodeError,
                            field="sms_code", use=False, hash_of=lambda given: code_hash(phone, CODE_PURPOSE, given))


# --- choosing ---------------------------------------------------------------------------------------------


def _lock_round_entry(pk) -> RoundEntry:
    try:
        return (RoundEntry.objects.select_for_update(of=("self",)).select_related("round", "entry__application")
                .get(pk=pk))
    except RoundEntry.DoesNotExist:
        raise workflow.NotFound("未找到该选房记录。") from None


def _window_problem(round_entry, *, at_counter, now) -> str | None:
    """Why the household may not choose now (None: it may). Staff at the counter may also choose after
    the window closed, unless the close already counted it as a refusal."""
    round_ = round_entry.round
    if round_.status != AllocationRound.Status.DRAWN:
        return f"配租方案“{round_.name}”当前状态为“{round_.get_status_display()}”，不能选房。"
    entry = round_entry.entry
    if entry.status != WaitlistEntry.Status.WAITING:
        return f"轮候状态为“{entry.get_status_display()}”，不能选房。"
    state = window_state(round_entry, now)
    if state == "not_drawn":
        return "尚未摇号，不能选房。"
    if state == "before":
        return (f"选房时间（第 {round_entry.window_no} 批）为 "
                f"{timezone.localtime(round_entry.window_opens_at):%Y-%m-%d %H:%M} 起，现在还不能选房。")
    if state == "closed":
        if not at_counter:
            return f"选房时间已于 {timezone.localtime(round_entry.window_closes_at):%Y-%m-%d %H:%M} 结束。"
        window = ChoiceWindow.objects.filter(round_entry=round_entry).first()
        if window is not None and window.outcome == ChoiceWindow.Outcome.MISSED:
            return "该家庭的选房时间已结束，已按未选房计入拒绝，不能再选。"
    return None


def _check_rules(round_entry, unit, *, at_counter, now):
    problem = _window_problem(round_entry, at_counter=at_counter, now=now)
    if problem:
        raise ChoiceError(problem)
    entry = round_entry.entry
    round_ = round_entry.round
    if Offer.objects.filter(round_entry__entry=entry, status__in=LIVE_OFFER_STATUSES).exists():
        raise ChoiceError(ALREADY_CHOSEN, code="already_chosen")
    if not RoundUnit.objects.filter(round_id=round_.pk, unit_id=unit.pk).exists():
        raise ChoiceError("该房屋不在本次配租方案的房源中。")
    if unit.status != Unit.Status.VACANT or Offer.objects.filter(unit=unit, status__in=LIVE_OFFER_STATUSES).exists():
        raise UnitTaken(TAKEN)
    if unit.listing != Unit.Listing.PUBLISHED:
        raise ChoiceError("该房屋已撤回发布，不能选定，请另选。")
    if unit.bedrooms > entry.max_bedrooms:
        raise ChoiceError(f"该房屋为 {unit.bedrooms} 居室，超过您家庭（{entry.household_size} 人）可选的 "
                          f"{entry.max_bedrooms} 居室，请选择 {entry.max_bedrooms} 居室及以下的房屋。")


def offer_choose(*, round_entry, unit, actor, at_counter=False, sms_code=None) -> Offer:
    """The household (online, with the SMS code) or staff at the counter (现场选房) chooses `unit`."""
    now = timezone.now()
    re_pk = round_entry.pk if isinstance(round_entry, RoundEntry) else int(round_entry)
    unit_pk = unit.pk if isinstance(unit, Unit) else int(unit)
    preview = RoundEntry.objects.select_related("round", "entry__application__applicant").filter(pk=re_pk).first()
    if preview is None:
        raise workflow.NotFound("未找到该选房记录。")
    if at_counter:
        if not _is_counter_staff(actor):
            raise workflow.PermissionDenied("现场选房由有“代为现场选房”权限的区县或市级经办人办理，您没有权限。")
        if not _in_scope(actor, preview.round.district_id):
            raise workflow.NotFound("未找到该选房记录。")
        code_id = None
    else:
        if preview.entry.application.applicant_id != getattr(actor, "pk", None):
            raise workflow.NotFound("未找到该选房记录。")
        problem = _window_problem(preview, at_counter=False, now=now)
        if problem:
            raise ChoiceError(problem)
        code_id = _code_verify(_phone_of(preview), sms_code)
    try:
        with transaction.atomic():
            locked_entry = _lock_round_entry(re_pk)
            try:
                locked_unit = Unit.objects.select_for_update(of=("self",)).get(pk=unit_pk)
            except Unit.DoesNotExist:
                raise workflow.NotFound("未找到该房屋。") from None
            _check_rules(locked_entry, locked_unit, at_counter=at_counter, now=now)
            if code_id is not None and not SmsCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=now):
                raise CodeError("验证码已使用，请重新获取。", fields={"sms_code": ["used"]}, code="sms_code_used")
            days = param("allocation.offer_sign_days", on=timezone.localdate(now), district=locked_entry.round.district_id)
            offer = Offer(round_entry=locked_entry, unit=locked_unit, district_id=locked_entry.round.district_id,
                          sign_by=timezone.localdate(now) + timedelta(days=days), chosen_at=now,
                          chosen_by=actor if getattr(actor, "pk", None) else None, at_counter=at_counter)
            with transaction.atomic():
                offer.save()
            how = "现场选房（经办人代选）" if at_counter else "网上选房（短信验证码确认）"
            workflow.record_start(offer, actor=actor, opinion=f"{how}：选定 {locked_unit}，签约期限 {offer.sign_by:%Y-%m-%d}")
            _unit_to(locked_unit, Unit.Status.RESERVED, actor=actor if at_counter else None,
                     opinion=f"轮候家庭 {locked_entry.ref} 选定（{how}），待签约")
            ChoiceWindow.objects.update_or_create(round_entry=locked_entry, defaults={"outcome": ChoiceWindow.Outcome.CHOSEN})
            enqueue_on_commit("allocation.tasks.notify_offer_held", offer.pk)
    except IntegrityError as exc:
        if "household" in str(exc) or "round_entry" in str(exc):
            raise ChoiceError(ALREADY_CHOSEN, code="already_chosen") from None
        raise UnitTaken(TAKEN) from None
    return offer


# --- after choosing ------------------------------------------------------------------------------------


def _unit_to(unit, status, *, actor, opinion):
    """The unit's physical status through housing's services. The bulk form of one: the single form
    re-reads the row with django-fsm's refresh_from_db, which switches the field's protection off and
    on for the whole class and so fails when two threads do it at once."""
    result = housing_services.units_set_status_bulk(units=[unit], to_status=status, actor=actor, opinion=opinion)
    if unit.pk in result.skipped:
        raise ChoiceError(str(result.skipped[unit.pk]))


def _free_unit(offer, *, actor, why):
    unit = Unit.objects.select_for_update(of=("self",)).get(pk=offer.unit_id)
    if unit.status == Unit.Status.RESERVED:
        _unit_to(unit, Unit.Status.VACANT, actor=actor, opinion=why)


def _staff(actor):
    return actor if getattr(actor, "is_caseworker", False) else None


def offer_refuse(*, offer, actor, reason="") -> Offer:
    """The household gives up the held unit (or staff record that it did): a refusal that counts; the
    unit is vacant again for the others of the round."""
    reason = str(reason or "").strip()[:200] or "家庭放弃选定的房屋"
    with transaction.atomic():
        locked = workflow.lock(offer)
        workflow.transition(locked, "refuse", actor=actor, opinion=f"放弃选定的房屋：{reason}", reason=reason, counts=True)
        entry = locked.round_entry.entry
        allocation_services.entry_count_refusal(entry=entry, actor=actor,
                                                reason=f"放弃选定的房屋 {locked.unit}（{reason}）")
        _free_unit(locked, actor=_staff(actor), why=f"轮候家庭 {locked.round_entry.ref} 放弃，恢复可选")
    workflow.copy_state(locked, offer)
    return offer


def offer_withdraw(*, offer, actor, reason) -> Offer:
    """Staff withdraw a held offer (e.g. chosen in error, the unit found unfit): not the household's
    refusal; the unit is vacant again."""
    workflow.check(offer, "withdraw", actor=actor)  # staff with allocation.choose_at_counter (OFFER_STAFF)
    reason = str(reason or "").strip()
    if not reason:
        raise PortalError("请写明撤销原因。", fields={"reason": ["required"]})
    with transaction.atomic():
        locked = workflow.lock(offer)
        workflow.transition(locked, "withdraw", actor=actor, opinion=f"撤销选房（不计入拒绝）：{reason[:200]}",
                            reason=reason[:200])
        _free_unit(locked, actor=_staff(actor), why=f"撤销轮候家庭 {locked.round_entry.ref} 的选房：{reason[:100]}")
    workflow.copy_state(locked, offer)
    return offer


def offers_expire_due(*, today=None, chunk=200) -> int:
    """Held offers past their sign-by date expire: a refusal that counts, the unit vacant again. One
    offer per transaction, re-checked under its lock; idempotent and resumable."""
    today = today or timezone.localdate()
    done, last_pk = 0, 0
    while True:
        ids = list(Offer.objects.filter(status=Offer.Status.HELD, sign_by__lt=today, pk__gt=last_pk)
                   .order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            return done
        last_pk = ids[-1]
        for pk in ids:
            with transaction.atomic():
                locked = workflow.lock(Offer, pk)
                if locked.status != Offer.Status.HELD or locked.sign_by >= today:
                    continue
                reason = f"未在签约期限（{locked.sign_by:%Y-%m-%d}）内签约"
                workflow.transition(locked, "expire", actor=None, opinion=f"{reason}，计入拒绝", reason=reason, counts=True)
                allocation_services.entry_count_refusal(entry=locked.round_entry.entry, actor=None,
                                                        reason=f"选定 {locked.unit} 后{reason}", on=today)
                _free_unit(locked, actor=None, why=f"轮候家庭 {locked.round_entry.ref} 逾期未签约，恢复可选")
                done += 1


# --- the jobs at window open and close -------------------------------------------------------------


def _drawn_entries():
    return RoundEntry.objects.filter(round__status=AllocationRound.Status.DRAWN, draw__isnull=False)


def windows_open_notify(*, now=None, chunk=500) -> int:
    """Households whose window is open now and who were not yet told: one SMS and one site message
    each (the ChoiceWindow row and the messages' dedup keys make it once, also when two runs overlap)."""
    now = now or timezone.now()
    done = 0
    rows = (_drawn_entries().filter(draw__window_opens_at__lte=now, draw__window_closes_at__gt=now,
                                    entry__status=WaitlistEntry.Status.WAITING)
            .exclude(choice_window__notified_at__isnull=False)
            .select_related("round", "entry__application__applicant", "draw").order_by("pk"))
    for re_ in rows[:chunk]:
        ChoiceWindow.objects.get_or_create(round_entry=re_)
        if not ChoiceWindow.objects.filter(round_entry=re_, notified_at__isnull=True).update(notified_at=now):
            continue
        _notify_window(re_)
        done += 1
    return done


def choice_url(re_) -> str:
    """The absolute link to the household's choice page (an SMS has no page to be relative to)."""
    from django.conf import settings
    from django.urls import reverse

    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("allocation:choice", args=[re_.pk])


def _notify_window(re_):
    applicant = re_.entry.application.applicant
    closes = timezone.localtime(re_.window_closes_at)
    title = f"您的选房时间已开始（{re_.round.name}）"
    body = (f"轮候编号 {re_.ref}，选房顺序第 {re_.position} 位（第 {re_.window_no} 批）。请于 {closes:%Y-%m-%d %H:%M} 前"
            f"登录网站在“选房”页面选定房屋；逾期未选视为拒绝配租（无适合房源的除外）。")
    message_send(recipient=applicant, subject=re_.entry, title=title, body=body,
                 dedup_key=f"choice-window:{re_.pk}", kind="allocation.choice_window")
    if applicant.phone:
        # A gateway failure is recorded as failed in the outbox; the site message is there.
        with contextlib.suppress(SmsSendError):
            sms_send(phone=applicant.phone, purpose="choice_window", dedup_key=f"choice-window:{re_.pk}",
                     text=f"您的公租房选房时间已开始（轮候编号 {re_.ref}），请于 {closes:%m月%d日%H:%M} 前登录网站选房："
                          f"{choice_url(re_)}")


def windows_close_due(*, now=None, chunk=500) -> dict:
    """Windows that have closed: a household that chose nothing had a refusal counted — unless no unit
    that fits was left when its window closed ("no unit that fits" does not count). Each household
    once (its ChoiceWindow row), under the round entry's lock, so a late choice and the job cannot both act."""
    now = now or timezone.now()
    counts = {"missed": 0, "no_fit": 0, "chosen": 0, "not_waiting": 0}
    ids = list(_drawn_entries().filter(draw__window_closes_at__lte=now)
               .exclude(choice_window__closed_at__isnull=False).order_by("pk").values_list("pk", flat=True)[:chunk])
    for pk in ids:
        with transaction.atomic():
            re_ = _lock_round_entry(pk)
            window, _created = ChoiceWindow.objects.select_for_update().get_or_create(round_entry=re_)
            if window.closed_at is not None:
                continue
            if Offer.objects.filter(round_entry=re_).exists():
                outcome = ChoiceWindow.Outcome.CHOSEN
            elif re_.entry.status != WaitlistEntry.Status.WAITING:
                outcome = ChoiceWindow.Outcome.NOT_WAITING
            elif not fitting_units(re_).exists():
                outcome = ChoiceWindow.Outcome.NO_FIT
            else:
                outcome = ChoiceWindow.Outcome.MISSED
            window.outcome, window.closed_at = outcome, now
            window.refusal_counted = outcome == ChoiceWindow.Outcome.MISSED
            window.save()
            if window.refusal_counted:
                allocation_services.entry_count_refusal(
                    entry=re_.entry, actor=None,
                    reason=f"未在选房时间内选房（{re_.round.name}，第 {re_.window_no} 批，"
                           f"截至 {timezone.localtime(re_.window_closes_at):%Y-%m-%d %H:%M}）")
            elif outcome == ChoiceWindow.Outcome.NO_FIT:
                entry = workflow.lock(re_.entry)
                workflow.transition(entry, "note_window", actor=None,
                                    opinion=f"选房时间结束（{re_.round.name}，第 {re_.window_no} 批）时已无适合您家庭的房源，"
                                            f"不计入拒绝配租，继续轮候")
            counts[outcome] += 1
    return counts


def offer_held_notify(offer_id) -> bool:
    """The household is told the unit is held for it, with the sign-by date and the link (the offer
    page; the lease page once the lease is made)."""
    offer = (Offer.objects.select_related("unit__estate", "unit__building", "round_entry__entry__application__applicant")
             .filter(pk=offer_id).first())
    if offer is None or offer.status != Offer.Status.HELD:
        return False
    applicant = offer.round_entry.entry.application.applicant
    title = f"您已选定房屋 {offer.unit}，请于 {offer.sign_by:%Y-%m-%d} 前签约"
    body = (f"您已选定 {offer.unit}（{offer.unit.bedrooms} 居室，{offer.unit.area} ㎡）。请于 {offer.sign_by:%Y-%m-%d} 前"
            f"签订租赁合同；逾期未签约视为拒绝配租。" + ("（现场选房）" if offer.at_counter else ""))
    sent = message_send(recipient=applicant, subject=offer, title=title, body=body,
                        dedup_key=f"offer-held:{offer.pk}", kind="allocation.offer_held")
    if applicant.phone:
        with contextlib.suppress(SmsSendError):
            sms_send(phone=applicant.phone, purpose="offer_held", dedup_key=f"offer-held:{offer.pk}",
                     text=f"您已选定公租房 {offer.unit}，请于 {offer.sign_by:%Y-%m-%d} 前签订租赁合同，逾期视为拒绝配租。")
    return sent is not None


def masked_phone_of(round_entry) -> str:
    return mask_phone(_phone_of(round_entry))

