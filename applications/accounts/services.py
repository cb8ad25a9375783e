"""Services of applicant accounts (注册认证): SMS codes, registration, real-name verification,
password reset, on-site registration. Views and the admin parse input and call one of these.

Every refusal is a `PortalError` with a Chinese message (and `fields` naming the form field it
belongs to), so pages show it next to the field.
"""

import contextlib
import logging
import re
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.crosscheck.exchange import Outcome, verify_identity
from applications.models import IdentityVerification, OnsiteRegistration, SmsCode, SmsPurpose
from gongzufang.errors import PortalError
from gongzufang.idnumber import validate_id_number
from gongzufang.models.users import Role
from gongzufang.pii import mask_phone, pii_hash
from notifications import codes
from notifications.codes import RESEND_SECONDS
from notifications.services import SmsSendError, sms_send

logger = logging.getLogger(__name__)
User = get_user_model()

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class CodeError(PortalError):
    code = "sms_code"


class DuplicateIdentity(PortalError):
    """The ID number already belongs to another account; `masked_phone` is that account's phone."""

    code = "duplicate_identity"

    def __init__(self, message, *, masked_phone="", **kwargs):
        super().__init__(message, **kwargs)
        self.masked_phone = masked_phone


# --- phone numbers ------------------------------------------------------------------------------


def normalise_phone(value) -> str:
    """A mainland mobile number as 11 digits, or PortalError. Accepts spaces, dashes and +86."""
    text = re.sub(r"[\s\-()]", "", str(value or ""))
    if any("０" <= ch <= "９" for ch in text):
        raise PortalError("手机号中含有全角数字，请切换到半角（英文）输入状态后重新输入。", fields={"phone": ["fullwidth"]})
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not text:
        raise PortalError("请输入手机号。", fields={"phone": ["required"]})
    if not MOBILE.match(text):
        raise PortalError("请输入11位中国大陆手机号码。", fields={"phone": ["invalid"]})
    return text


def account_for_phone(phone: str):
    return User.objects.filter(phone=phone, is_active=True).first()


# --- SMS codes ----------------------------------------------------------------------------------


def _code_hash(phone, purpose, code) -> str:
    return codes.code_hash("applications.sms_code", phone, purpose, code)


def sms_code_send(*, phone: str, purpose: str, ip_address=None) -> SmsCode:
    """Issue a 6-digit code and text it. Refused within 60 s of the last code to this phone, and past
    the daily cap (`SMS_DAILY_LIMIT`, default 10). Older unused codes of the same purpose are voided."""
    now = timezone.now()
    # cache.add is atomic: two requests at once cannot both pass the 60-second throttle.
    if not cache.add(f"applications:sms-resend:{phone}", 1, RESEND_SECONDS):
        raise CodeError("验证码发送过于频繁，请 60 秒后再试。", fields={"phone": ["throttled"]}, code="sms_throttled")
    last = SmsCode.objects.filter(phone=phone).order_by("-created_at").values_list("created_at", flat=True).first()
    if last and (now - last).total_seconds() < RESEND_SECONDS:
        raise CodeError("验证码发送过于频繁，请 60 秒后再试。", fields={"phone": ["throttled"]}, code="sms_throttled")
    if ip_address:
        key = f"applications:sms-ip:{ip_address}:{timezone.localtime(now):%Y%m%d%H}"
        cache.add(key, 0, 3600)
        try:
            sent = cache.incr(key)
        except ValueError:
            sent = 1
        if sent > getattr(settings, "SMS_IP_HOURLY_LIMIT", 30):
            raise CodeError("获取验证码过于频繁，请稍后再试。", fields={"phone": ["ip_limit"]}, code="sms_ip_limit")
    local_midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    limit = getattr(settings, "SMS_DAILY_LIMIT", 10)
    if SmsCode.objects.filter(phone=phone, created_at__gte=local_midnight).count() >= limit:
        raise CodeError("该手机号今日获取验证码次数已达上限，请明天再试。", fields={"phone": ["daily_limit"]}, code="sms_daily_limit")
    code = codes.code_new()
    row = codes.code_issue(SmsCode.objects.filter(phone=phone, purpose=purpose), now=now,
                           hash_value=_code_hash(phone, purpose, code), phone=phone, purpose=purpose,
                           ip_address=ip_address)
    what = SmsPurpose(purpose).label
    # A gateway failure is recorded in the outbox; the person did not get the code and asks again.
    with contextlib.suppress(SmsSendError):
        sms_send(phone=phone, purpose=f"code:{purpose}", sensitive=True,
                 text=f"您的验证码为 {code}，用于{what}，5 分钟内有效。请勿告诉他人。")
    return row


def sms_code_check(*, phone: str, purpose: str, code: str) -> None:
    """Use up the current code if `code` matches; CodeError (field "code") otherwise. A wrong code counts
    against the code even though the error is raised (notifications/codes.py)."""
    codes.code_check(SmsCode.objects.filter(phone=phone, purpose=purpose), code, error=CodeError,
                     hash_of=lambda given: _code_hash(phone, purpose, given))


# --- registration, log-in, password -------------------------------------------------------------


def applicant_register(*, phone: str, code: str, password: str):
    """Create an applicant account for a phone whose code checks out. The username is the phone."""
    if User.objects.filter(phone=phone).exists() or User.objects.filter(username=phone).exists():
        raise PortalError("该手机号已注册，请直接登录；忘记密码可通过短信找回。", fields={"phone": ["taken"]}, code="phone_taken")
    sms_code_check(phone=phone, purpose=SmsPurpose.REGISTER, code=code)
    try:
        with transaction.atomic():
            user = User(username=phone, phone=phone, role=Role.APPLICANT)
            user.set_password(password)
            user.save()
    except IntegrityError:
        raise PortalError("该手机号已注册，请直接登录；忘记密码可通过短信找回。", fields={"phone": ["taken"]}, code="phone_taken")
    return user


def password_reset(*, phone: str, code: str, password: str):
    """Set a new password for the account of `phone` once its code checks out."""
    user = account_for_phone(phone)
    if user is None:
        raise PortalError("该手机号尚未注册。", fields={"phone": ["unknown"]}, code="phone_unknown")
    sms_code_check(phone=phone, purpose=SmsPurpose.RESET, code=code)
    user.set_password(password)
    user.save(update_fields=["password"])
    # The lock-out page sends the person here: once the phone has proved itself, the new password works
    # at once (django-axes' failures for this account are cleared, from every address).
    axes_reset(username=user.phone)
    return user


# --- real-name verification ---------------------------------------------------------------------

MAX_FAILED_VERIFICATIONS_PER_DAY = 5


def _duplicate_error(owner, *, for_clerk=False) -> DuplicateIdentity:
    masked = mask_phone(owner.phone) if owner.phone else ""
    if for_clerk:
        text = f"该身份证号码已注册账户（绑定手机 {masked or '无'}）。请勿重复注册；如申请人不能使用该手机，请联系区县经办人处理。"
    else:
        text = (f"该身份证号码已注册过账户（绑定手机 {masked or '无'}）。一个身份证号码只能注册一个账户。"
                "如是您本人，请用该手机号通过短信找回密码后登录；如该手机号已不再使用，请携带身份证到街道受理窗口办理。")
    return DuplicateIdentity(text, masked_phone=masked, fields={"id_number": ["duplicate"]})


def applicant_verify_identity(*, user, name: str, id_number: str):
    """实名认证: check the number locally, then the name against 公安户籍, then that no other account
    holds the number; on success store name and number (encrypted) on the account."""
    name = (name or "").strip()
    if not name:
        raise PortalError("请输入姓名。", fields={"name": ["required"]})
    if len(name) > 40:
        raise PortalError("姓名不能超过 40 个字。", fields={"name": ["too_long"]})
    try:
        number = validate_id_number(id_number)
    except Exception as exc:  # ValidationError: its message is already for people
        raise PortalError(" ".join(getattr(exc, "messages", [str(exc)])), fields={"id_number": ["invalid"]})
    if user.id_verified_at:
        raise PortalError("您的账户已完成实名认证。", code="already_verified")
    since = timezone.now() - timedelta(days=1)
    failed = user.identity_verifications.filter(created_at__gte=since).exclude(outcome="pass").count()
    if failed >= MAX_FAILED_VERIFICATIONS_PER_DAY:
        # Stops the page being used to test which name goes with which ID number.
        raise PortalError("今日实名认证失败次数过多，请明天再试或到街道受理窗口办理。", code="verify_throttled")

    check = verify_identity(name, number)
    record = IdentityVerification(user=user, outcome=str(check.outcome), reason=check.message[:200],
                                  department_result=_without_name(check.result.as_record()))
    if check.outcome != Outcome.PASS:
        record.save()
        field = "name" if check.outcome == Outcome.FAIL and "姓名" in check.message else "id_number"
        raise PortalError(check.message, fields={field: [str(check.outcome)]}, code=f"identity_{check.outcome}")

    owner = User.objects.filter(id_number_hash=pii_hash(number)).exclude(pk=user.pk).first()
    if owner is not None:
        record.outcome = "duplicate"
        record.save()
        raise _duplicate_error(owner)
    try:
        with transaction.atomic():
            user.real_name = name
            user.id_number = number
            user.id_verified_at = timezone.now()
            user.save(update_fields=["real_name", "id_number", "id_number_hash", "id_verified_at"])
            record.save()
    except IntegrityError:  # another account took the number at the same moment
        owner = User.objects.filter(id_number_hash=pii_hash(number)).exclude(pk=user.pk).first()
        user.refresh_from_db()
        raise _duplicate_error(owner) if owner else PortalError("实名认证未完成，请重试。")
    return user


def _without_name(record: dict) -> dict:
    facts = {k: v for k, v in (record.get("facts") or {}).items() if k != "name"}
    return {**record, "facts": facts}


# --- on-site registration -----------------------------------------------------------------------


def applicant_register_onsite(*, clerk, name: str, id_number: str, phone: str):
    """现场注册: a street clerk registers an applicant whose ID card they have seen. The account has no
    password; the applicant gets an SMS telling them to set one with a code sent to this phone."""
    if clerk.role != Role.STREET_CLERK or not clerk.street_id:
        raise PortalError("只有街道受理员可以现场注册申请人。", code="not_a_clerk")
    name = (name or "").strip()
    if not name:
        raise PortalError("请输入姓名。", fields={"name": ["required"]})
    if len(name) > 40:
        raise PortalError("姓名不能超过 40 个字。", fields={"name": ["too_long"]})
    try:
        number = validate_id_number(id_number)
    except Exception as exc:
        raise PortalError(" ".join(getattr(exc, "messages", [str(exc)])), fields={"id_number": ["invalid"]})
    phone = normalise_phone(phone)
    owner = User.objects.filter(id_number_hash=pii_hash(number)).first()
    if owner is not None:
        raise _duplicate_error(owner, for_clerk=True)
    if User.objects.filter(phone=phone).exists() or User.objects.filter(username=phone).exists():
        raise PortalError("该手机号已注册账户，请核对或使用其他手机号。", fields={"phone": ["taken"]}, code="phone_taken")

    check = verify_identity(name, number)
    if check.outcome == Outcome.FAIL:
        raise PortalError(check.message, fields={"name": ["fail"]}, code="identity_fail")
    # `unknown` (exchange down, no record): the clerk has the card in hand, which is what on-site
    # verification means; the department result is kept with the record either way.
    try:
        with transaction.atomic():
            user = User(username=phone, phone=phone, role=Role.APPLICANT, real_name=name,
                        id_number=number, id_verified_at=timezone.now())
            user.set_unusable_password()
            user.save()
            IdentityVerification.objects.create(
                user=user, method=IdentityVerification.Method.ONSITE, outcome=str(check.outcome),
                reason=("窗口核验身份证原件；" + check.message)[:200], verified_by=clerk,
                department_result=_without_name(check.result.as_record()),
            )
            OnsiteRegistration.objects.create(user=user, clerk=clerk, street_id=clerk.street_id)
            transaction.on_commit(lambda: _send_onsite_sms(user.pk, clerk.street_id))
    except IntegrityError:
        raise PortalError("该身份证号码或手机号刚刚已被注册，请核对。", code="conflict")
    return user


def _send_onsite_sms(user_id, street_id):
    from gongzufang.models import Street

    user = User.objects.get(pk=user_id)
    street = Street.objects.filter(pk=street_id).first()
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    # A gateway failure is recorded in the outbox; the person can still set a password by SMS code.
    with contextlib.suppress(SmsSendError):
        sms_send(
            phone=user.phone, purpose="onsite_registration",
            text=(f"{user.real_name}您好，{street.name if street else '街道受理窗口'}已为您注册公租房服务平台账户，"
                  f"登录名为本手机号。请访问 {base}/accounts/password/reset/ 用本手机号获取验证码设置登录密码。"),
        )
