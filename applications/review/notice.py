"""公示异议 (issue 5): anyone may object to an application while its public notice runs; a district or
city caseworker resolves each objection before the application goes on to city review.

Writes only. `objection_submit` is open to the public, so it is careful: the contact must be a phone
number or an e-mail address someone can be reached at, HTML is refused rather than stored, one
address may send at most `OBJECTIONS_PER_HOUR` objections an hour, and a form sent twice (a double
click, a replayed request) records one objection. Refusals are `PortalError`s with a Chinese message;
`fields` names the form field.
"""

import re
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from applications.models import Application, NoticeObjection, Status
from gongzufang.errors import PortalError
from gongzufang.scoping import in_scope

NAME_MAX = 40
CONTACT_MAX = 60
TEXT_MIN = 10
TEXT_MAX = 2000
RESOLUTION_MAX = 2000
OBJECTIONS_PER_HOUR = 5
# The same words from the same contact within this window are the same objection sent twice.
REPLAY_WINDOW = timedelta(minutes=30)
TOKEN_TTL = 24 * 3600

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# 0451-12345678, 045112345678, 0459-1234567-801 (extension)
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
# Anything that a browser would read as markup; ordinary "<" (如 收入<1000) stays allowed.
MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript:", re.IGNORECASE)

NOT_FOUND = "未找到该异议。"


def normalise_contact(value: str) -> str:
    """A mainland mobile, a landline with its area code, or an e-mail address; spaces and the
    +86 prefix are dropped from numbers. Raises PortalError otherwise."""
    contact = (value or "").strip()
    if not contact:
        raise PortalError("请填写联系方式（手机、固定电话或电子邮箱），以便我们向您反馈核查结果。",
                          fields={"contact": ["required"]})
    if len(contact) > CONTACT_MAX:
        raise PortalError(f"联系方式不能超过 {CONTACT_MAX} 个字符。", fields={"contact": ["too_long"]})
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise PortalError("电子邮箱格式不正确，请检查，例如 name@example.com。",
                              fields={"contact": ["invalid"]}) from None
        return contact
    number = re.sub(r"[\s（）()]", "", contact)
    number = re.sub(r"^(\+86|0086)-?", "", number)
    if MOBILE_RE.match(number) or LANDLINE_RE.match(number):
        return number
    raise PortalError("联系方式应为 11 位手机号、带区号的固定电话（如 0459-1234567）或电子邮箱。",
                      fields={"contact": ["invalid"]})


def _clean(*, name, contact, text) -> tuple[str, str, str]:
    name = (name or "").strip()
    if not name:
        raise PortalError("请填写异议人姓名或单位名称。", fields={"name": ["required"]})
    if len(name) > NAME_MAX:
        raise PortalError(f"异议人姓名不能超过 {NAME_MAX} 个字。", fields={"name": ["too_long"]})
    if MARKUP_RE.search(name):
        raise PortalError("姓名中不能包含网页代码或尖括号标记。", fields={"name": ["markup"]})
    contact = normalise_contact(contact)
    text = (text or "").strip()
    if not text:
        raise PortalError("请填写异议内容。", fields={"text": ["required"]})
    if len(text) < TEXT_MIN:
        raise PortalError(f"异议内容至少 {TEXT_MIN} 个字，请写明异议的事实和理由。", fields={"text": ["too_short"]})
    if len(text) > TEXT_MAX:
        raise PortalError(f"异议内容不能超过 {TEXT_MAX} 个字（现有 {len(text)} 字）。", fields={"text": ["too_long"]})
    if MARKUP_RE.search(text):
        raise PortalError("异议内容不能包含网页代码（如 <script>）或链接脚本，请只填写文字。", fields={"text": ["markup"]})
    return name, contact, text


def notice_open_on(application, day) -> bool:
    return (application.status == Status.PUBLIC_NOTICE and application.notice_starts_on is not None
            and application.notice_ends_on is not None
            and application.notice_starts_on <= day <= application.notice_ends_on)


def _token_key(token) -> str | None:
    try:
        return f"applications:objection-token:{uuid.UUID(str(token))}" if token else None
    except ValueError:
        return None


def _throttle(ip_address):
    """At most OBJECTIONS_PER_HOUR from one address per clock hour. cache.add then incr is atomic on
    Redis and the local-memory cache alike, so two requests at once cannot both take the last place."""
    if not ip_address:
        return
    key = f"applications:objection-ip:{ip_address}:{timezone.localtime():%Y%m%d%H}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        count = 1
    if count > OBJECTIONS_PER_HOUR:
        raise PortalError(f"提交过于频繁：同一网络每小时最多提交 {OBJECTIONS_PER_HOUR} 条异议，请稍后再试。"
                          "如情况紧急，请拨打 12345 政务服务便民热线。", code="throttled")


def objection_submit(*, application, name, contact, text, token=None, ip_address=None) -> NoticeObjection:
    """Record an objection to an application on public notice. Sent again with the same form token
    (or the same words from the same contact within REPLAY_WINDOW), it returns the first objection and
    records nothing new."""
    key = _token_key(token)
    if key:
        earlier = cache.get(key)
        if earlier:
            found = NoticeObjection.objects.filter(pk=earlier, application_id=application.pk).first()
            if found is not None:
                return found
    name, contact, text = _clean(name=name, contact=contact, text=text)
    now = timezone.now()
    with transaction.atomic():
        # The application row is locked: closing the notice and a last-minute objection cannot cross.
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not notice_open_on(locked, timezone.localdate(now)):
            raise PortalError("该申请不在公示期内，不再受理异议。", code="notice_closed")
        earlier = NoticeObjection.objects.filter(application=locked, contact=contact, text=text,
                                                 created_at__gte=now - REPLAY_WINDOW).first()
        if earlier is not None:
            return earlier
        _throttle(ip_address)
        objection = NoticeObjection.objects.create(application=locked, name=name, contact=contact, text=text)
        if key:
            transaction.on_commit(lambda: cache.set(key, objection.pk, TOKEN_TTL))
    return objection


def objection_resolve(*, objection, actor, upheld: bool, resolution: str) -> NoticeObjection:
    """A caseworker's finding on an objection. `upheld=True` records that the objection stands; the
    caseworker then rejects the application through the review workflow (not done here). Another
    district's objection is "not found"; a resolved one cannot be resolved again."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PortalError(NOT_FOUND, code="not_found")
    if (not in_scope(actor, Application.objects.for_staff(actor), objection.application_id)
            or not NoticeObjection.objects.filter(pk=objection.pk).exists()):
        raise PortalError(NOT_FOUND, code="not_found")
    if not actor.has_perm("applications.resolve_objection"):
        raise PortalError("您没有处理公示异议的权限（由区县或市级经办人处理）。", code="forbidden")
    if upheld not in (True, False):
        raise PortalError("请选择异议是否成立。", fields={"upheld": ["required"]})
    resolution = (resolution or "").strip()
    if not resolution:
        raise PortalError("请填写处理意见（核查经过和结论）。", fields={"resolution": ["required"]})
    if len(resolution) > RESOLUTION_MAX:
        raise PortalError(f"处理意见不能超过 {RESOLUTION_MAX} 个字。", fields={"resolution": ["too_long"]})
    with transaction.atomic():
        locked = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
        if locked.resolved_at is not None:
            raise PortalError(f"该异议已于 {timezone.localtime(locked.resolved_at):%Y-%m-%d %H:%M} 处理，不能重复处理。",
                              code="already_resolved")
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor
        locked.upheld = bool(upheld)
        locked.resolution = resolution
        locked.save(update_fields=["resolved_at", "resolved_by", "upheld", "resolution"])
    for field in ("resolved_at", "resolved_by", "upheld", "resolution"):
        setattr(objection, field, getattr(locked, field))
    return locked
