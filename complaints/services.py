"""Every write to feedback and ratings (DESIGN §10, STYLE.md): keyword-only, each in one transaction.

- `feedback_submit` (online, by the person) and `feedback_record` (by a caseworker, for an item that came
  by the 12345 hotline or at a window) route the item to its district, number it, fix its reply due date
  on the working-day calendar and record the first status change.
- `feedback_reply`, `feedback_close`, `feedback_escalate`: the model's transitions taken through the one
  engine (`gongzufang.workflow.transition`: row locked, scope, permission and guard checked, change
  recorded); the person is told on commit. Escalation skips a row another run holds and re-checks the
  status under the lock, so the daily task can run twice, or twice at once, and escalate each item once.
- `service_rating_submit`: one rating, 1–5, per person per rated thing (a database constraint).

Refusals are `PortalError`s with a Chinese message; `fields` names the form field concerned.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from applications import selectors as application_selectors
from gongzufang import workflow
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.models import ApiClient, District
from gongzufang.models.users import Role
from gongzufang.parameters import param
from gongzufang.scoping import in_scope, scope_of
from gongzufang.uploads import MB, clean_image_upload
from gongzufang.workdays import deadline

from .models import (
    ANSWERED_STATUSES,
    COMMENT_MAX,
    OPEN_STATUSES,
    TEXT_MAX,
    Category,
    Channel,
    Feedback,
    FeedbackPhoto,
    Kind,
    RatedService,
    ServiceRating,
    Status,
)

MAX_PHOTOS = 3
PHOTO_MAX_BYTES = 5 * MB
PHOTO_MAX_PIXELS = 40_000_000


# --- helpers -------------------------------------------------------------------------------------


def _text(value, *, limit, field, label, required=True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise PortalError(f"请填写{label}。", fields={field: ["required"]})
    if len(text) > limit:
        raise PortalError(f"{label}不能超过 {limit} 个字（现有 {len(text)} 个字）。", fields={field: ["too_long"]})
    return text


def _choice(value, choices, *, field, label) -> str:
    if value not in choices.values:
        raise PortalError(f"请选择{label}。", fields={field: ["invalid"]})
    return value


def _next_number(day) -> str:
    prefix = f"FK{day:%Y%m%d}"
    last = Feedback.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:04d}"


def route_district(*, district=None, estate=None, unit=None, application=None) -> District:
    """The district that answers: the unit's, else the estate's, else the application's, else the one
    the person chose."""
    if unit is not None:
        if estate is not None and unit.estate_id != estate.pk:
            raise PortalError("所选房屋不在所选小区内，请重新选择。", fields={"unit_number": ["mismatch"]})
        return unit.district
    if estate is not None:
        return estate.district
    if application is not None and application.district_id:
        return application.district
    if district is None:
        raise PortalError("请选择承办区县（与小区、房屋或申请无关的事项，由您选择的区县办理）。",
                          fields={"district": ["required"]})
    return district


def check_photos(photos) -> list:
    """Each photo checked by content, size and pixels, and re-encoded without metadata."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise PortalError(f"最多上传 {MAX_PHOTOS} 张照片。", fields={"photos": ["too_many"]})
    cleaned = []
    for index, photo in enumerate(photos, start=1):
        try:
            cleaned.append(clean_image_upload(photo, max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS))
        except ValidationError as exc:
            name = getattr(photo, "name", "") or f"第 {index} 张"
            raise PortalError(f"照片“{name}”未能上传：{' '.join(exc.messages)}", fields={"photos": [exc.code]}) from None
    return cleaned


@dataclass(frozen=True)
class _Checked:
    kind: str
    category: str
    text: str
    district: District
    anonymous: bool
    photos: list


def _check(*, kind, category, text, district, estate, unit, application, anonymous, photos) -> _Checked:
    kind = _choice(kind, Kind, field="kind", label="反馈类型")
    category = _choice(category, Category, field="category", label="类别")
    text = _text(text, limit=TEXT_MAX, field="text", label="反馈内容")
    anonymous = bool(anonymous)
    if anonymous and not (kind == Kind.COMPLAINT and category == Category.STAFF_CONDUCT):
        raise PortalError("只有对工作人员的投诉可以选择对区县工作人员匿名。", fields={"anonymous": ["not_allowed"]})
    routed = route_district(district=district, estate=estate, unit=unit, application=application)
    return _Checked(kind, category, text, routed, anonymous, check_photos(photos))


def _create(checked: _Checked, *, submitter, estate, unit, application, channel, token=None, recorded_by=None,
            hotline_reference="", contact_name="", contact_phone="", opinion="") -> Feedback:
    now = timezone.now()
    today = timezone.localdate(now)
    workdays = param("feedback.reply_workdays", on=today, district=checked.district)
    due = deadline(today, workdays)
    with transaction.atomic():
        for attempt in range(10):  # two items numbered at the same moment: the second takes the next number
            try:
                with transaction.atomic():
                    feedback = Feedback(
                        number=_next_number(today), kind=checked.kind, category=checked.category, text=checked.text,
                        submitter=submitter, contact_name=contact_name, contact_phone=contact_phone,
                        anonymous_to_staff=checked.anonymous,
                        estate=unit.estate if unit is not None else estate, unit=unit, application=application,
                        district=checked.district, channel=channel, hotline_reference=hotline_reference,
                        recorded_by=recorded_by, submitted_at=now, reply_due=due.date,
                        reply_due_provisional=due.provisional, submission_token=token,
                    )
                    if checked.anonymous:
                        feedback._history_user = None  # the history page must not name who complained
                    feedback.save()
                break
            except IntegrityError:
                if token and Feedback.objects.filter(submitter=submitter, submission_token=token).exists():
                    raise _Replayed from None
                if attempt == 9:
                    raise
        for content in checked.photos:
            ext = content.name.rsplit(".", 1)[-1]
            FeedbackPhoto.objects.create(feedback=feedback, file=content, size=content.size,
                                         content_type={"jpg": "image/jpeg", "png": "image/png"}.get(ext, f"image/{ext}"))
        workflow.record_start(feedback, actor=recorded_by or submitter, opinion=opinion)
    return feedback


class _Replayed(Exception):
    pass


# --- submitting ----------------------------------------------------------------------------------


def feedback_submit(*, submitter, kind, category, text, district=None, estate=None, unit=None, application=None,
                    anonymous=False, photos=(), token=None) -> tuple[Feedback, bool]:
    """An item submitted online by the person it concerns. Returns (item, created): the same form sent
    twice (a double click, a replayed request) gives the first item back and creates nothing."""
    if not getattr(submitter, "is_authenticated", False):
        raise PortalError("请先登录。", code="not_authenticated")
    if submitter.is_caseworker:
        raise PortalError("工作人员请在业务管理后台录入热线或窗口受理的事项。", code="not_applicant")
    try:
        token = uuid.UUID(str(token)) if token else None
    except ValueError:
        token = None
    if token is not None:
        earlier = Feedback.objects.filter(submitter=submitter, submission_token=token).first()
        if earlier is not None:
            return earlier, False
    if application is not None and application.applicant_id != submitter.pk:
        raise PortalError("只能选择您本人的申请。", fields={"application": ["not_owner"]})
    checked = _check(kind=kind, category=category, text=text, district=district, estate=estate, unit=unit,
                     application=application, anonymous=anonymous, photos=photos)
    try:
        feedback = _create(checked, submitter=submitter, estate=estate, unit=unit, application=application,
                           channel=Channel.ONLINE, token=token, opinion="网上提交")
    except _Replayed:
        return Feedback.objects.get(submitter=submitter, submission_token=token), False
    return feedback, True


def _require_handler(feedback, actor):
    """A district caseworker whose district it is, a city caseworker, or a district office's system."""
    if isinstance(actor, ApiClient):
        if not actor.is_active or not in_scope(actor, Feedback, feedback.pk):
            raise PortalError("未找到该意见反馈。", code="not_found")
        return
    if actor is None:
        raise PortalError("未找到该意见反馈。", code="not_found")
    handler = actor.is_superuser or actor.role in (Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER)
    if getattr(actor, "is_caseworker", False) and not handler:
        # A street clerk sees no feedback at all (its queryset); they are told who handles it.
        raise PortalError("意见反馈由区县或市级经办人办理。", code="wrong_level")
    if not in_scope(actor, Feedback, feedback.pk):
        raise PortalError("未找到该意见反馈。", code="not_found")
    if not handler:
        raise PortalError("意见反馈由区县或市级经办人办理。", code="wrong_level")


def feedback_record(*, recorded_by, channel, kind, category, text, district=None, estate=None, unit=None,
                    hotline_reference="", contact_name="", contact_phone="", submitter=None,
                    anonymous=False, photos=()) -> Feedback:
    """An item that came by the 12345 hotline or at a window, typed in by a caseworker."""
    if channel not in (Channel.HOTLINE, Channel.WINDOW):
        raise PortalError("请选择来源渠道：12345 热线或窗口受理。", fields={"channel": ["invalid"]})
    if not (recorded_by.is_superuser or recorded_by.role in (Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER)):
        raise PortalError("热线和窗口事项由区县或市级经办人录入。", code="wrong_level")
    hotline_reference = _text(hotline_reference, limit=40, field="hotline_reference", label="12345 工单号",
                              required=channel == Channel.HOTLINE)
    contact_name = _text(contact_name, limit=40, field="contact_name", label="联系人", required=submitter is None)
    contact_phone = _text(contact_phone, limit=20, field="contact_phone", label="联系电话", required=False)
    checked = _check(kind=kind, category=category, text=text, district=district, estate=estate, unit=unit,
                     application=None, anonymous=anonymous, photos=photos)
    scope = scope_of(recorded_by)
    if not scope.city_wide and checked.district.pk != scope.district_id:
        raise PortalError("该事项属于其他区县，请转市级经办人分办。", fields={"district": ["out_of_scope"]})
    opinion = f"{Channel(channel).label}受理" + (f"（工单号 {hotline_reference}）" if hotline_reference else "")
    return _create(checked, submitter=submitter, estate=estate, unit=unit, application=None, channel=channel,
                   recorded_by=recorded_by, hotline_reference=hotline_reference, contact_name=contact_name,
                   contact_phone=contact_phone, opinion=opinion)


def feedback_set_hotline_reference(*, feedback, actor, reference) -> Feedback:
    """Staff enter (or correct) the 12345 work-order number of an item that came by phone."""
    _require_handler(feedback, actor)
    reference = _text(reference, limit=40, field="hotline_reference", label="12345 工单号", required=False)
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if reference and locked.channel != Channel.HOTLINE:
            raise PortalError("只有 12345 热线转来的事项才有热线工单号。", fields={"hotline_reference": ["not_hotline"]})
        locked.hotline_reference = reference
        locked.save(update_fields=["hotline_reference", "updated_at"])
    return locked


# --- answering -----------------------------------------------------------------------------------


def _prepare_history(locked, actor):
    """What the row history records of who acted (the engine saves the row)."""
    if isinstance(actor, ApiClient):
        # The row history names users; a district system's token is named in the change reason.
        locked._history_user, locked._change_reason = None, f"接口：{actor.name}"
    elif locked.anonymous_to_staff and actor is not None and actor.pk == locked.submitter_id:
        locked._history_user = None  # the history page must not name who complained


def feedback_reply(*, feedback, actor, text) -> Feedback:
    """The answer to an open item (also after escalation). The person gets an SMS and an in-site
    message once it is committed. Replying twice is refused: the first answer stands."""
    text = _text(text, limit=TEXT_MAX, field="reply", label="答复内容")
    _require_handler(feedback, actor)
    with transaction.atomic():
        locked = workflow.lock(feedback)
        if locked.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(f"该事项已答复（{locked.get_status_display()}），不能重复答复。",
                                       code="already_replied")
        _prepare_history(locked, actor)
        workflow.transition(locked, "reply_with", actor=actor, opinion=text, text=text, by=actor)
    return locked


def feedback_close(*, feedback, actor, opinion="") -> Feedback:
    """办结 after a reply: by the person (satisfied) or by a caseworker handling it. Closing a closed
    item changes nothing."""
    by_submitter = actor is not None and feedback.submitter_id is not None and feedback.submitter_id == actor.pk
    if not by_submitter:
        _require_handler(feedback, actor)
    opinion = _text(opinion, limit=500, field="opinion", label="办结说明", required=False)
    with transaction.atomic():
        locked = workflow.lock(feedback)
        if locked.status == Status.CLOSED:
            return locked
        if locked.status != Status.REPLIED:
            raise TransitionNotAllowed("答复后才能办结。", code="not_replied")
        _prepare_history(locked, actor)
        workflow.transition(locked, "close", actor=actor,
                            opinion=opinion or ("提交人确认办结" if by_submitter else "经办人办结"))
    return locked


def feedback_escalate(*, feedback_id: int, today=None) -> bool:
    """Escalate one overdue, unanswered item to the city level. The conditional update must change
    exactly one row; a second run (or a run racing this one) changes none and records nothing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # skip_locked: a run racing this one has the row; it will escalate it (or has).
        locked = Feedback.objects.select_for_update(skip_locked=True).filter(
            pk=feedback_id, status=Status.SUBMITTED, reply_due__lt=today).first()
        if locked is None:
            return False
        locked._workflow_locked = True
        locked._change_reason = "超期未答复，转市级督办"
        locked._history_user = None
        workflow.transition(locked, "escalate", actor=None,
                            opinion=f"答复期限 {locked.reply_due:%Y-%m-%d} 已过，尚未答复，转市级督办。")
    return True


def feedback_escalate_overdue(*, today=None) -> list[int]:
    """Every item past its reply date and still unanswered, escalated once; returns the ids escalated now."""
    today = today or timezone.localdate()
    candidates = list(Feedback.objects.filter(status=Status.SUBMITTED, reply_due__lt=today)
                      .order_by("reply_due", "pk").values_list("pk", flat=True))
    return [pk for pk in candidates if feedback_escalate(feedback_id=pk, today=today)]


# --- ratings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rateable:
    """How to tell whether a person may rate a thing, and which district the rating counts for."""

    model: type
    check: Callable  # (rater, subject) -> District, or raise PortalError


RATEABLE: dict[str, Rateable] = {}


def register_rateable(service: str, *, model, check):
    """Apps register the services people can rate (the lease app registers lease signing)."""
    RATEABLE[service] = Rateable(model=model, check=check)


def rating_service_for(feedback) -> str:
    return RatedService.REPAIR if feedback.kind == Kind.REPAIR else RatedService.FEEDBACK_REPLY


def _check_feedback(rater, feedback):
    if feedback.submitter_id != rater.pk:
        raise PortalError("只能评价您本人提交的意见反馈。", code="not_owner")
    if feedback.status not in ANSWERED_STATUSES:
        raise PortalError("答复后才能评价。", code="not_replied")
    return feedback.district


def _check_decision(rater, application):
    if application.applicant_id != rater.pk:
        raise PortalError("只能评价您本人的申请。", code="not_owner")
    if not application_selectors.is_decided(application):
        raise PortalError("申请有审核结论后才能评价。", code="not_decided")
    return application.district


def register_builtin_rateables():
    """Called from AppConfig.ready."""
    register_rateable(RatedService.FEEDBACK_REPLY, model=Feedback, check=_check_feedback)
    register_rateable(RatedService.REPAIR, model=Feedback, check=_check_feedback)
    register_rateable(RatedService.DECISION, model=application_selectors.application_model(), check=_check_decision)


def parse_score(value) -> int:
    """An int 1..5 from a form, JSON or the shell; anything else (0, 6, "abc", 3.5, True) is refused."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,2}", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise PortalError("评分须为 1 到 5 之间的整数（1 星最低，5 星最高）。", fields={"score": ["out_of_range"]})
    return value


def service_rating_submit(*, rater, service, subject, score, comment="") -> ServiceRating:
    """One rating per person per rated thing: a second is refused (the database enforces it too)."""
    from django.contrib.contenttypes.models import ContentType

    if not getattr(rater, "is_authenticated", False):
        raise PortalError("请先登录。", code="not_authenticated")
    score = parse_score(score)
    comment = _text(comment, limit=COMMENT_MAX, field="comment", label="评价内容", required=False)
    rateable = RATEABLE.get(service)
    if rateable is None:
        raise PortalError("该服务暂不支持评价。", code="not_rateable")
    if not isinstance(subject, rateable.model):
        raise PortalError("评价对象与服务不符。", code="wrong_subject")
    if isinstance(subject, Feedback) and rating_service_for(subject) != service:
        raise PortalError("评价对象与服务不符。", code="wrong_subject")
    subject = rateable.model.objects.filter(pk=subject.pk).first()  # its state now, not as the caller saw it
    if subject is None:
        raise PortalError("评价对象不存在。", code="not_found")
    district = rateable.check(rater, subject)
    subject_type = ContentType.objects.get_for_model(type(subject))
    if ServiceRating.objects.filter(rater=rater, subject_type=subject_type, subject_id=subject.pk).exists():
        raise PortalError("您已评价过该服务，每项服务只能评价一次。", code="already_rated")
    try:
        with transaction.atomic():
            return ServiceRating.objects.create(rater=rater, service=service, subject_type=subject_type,
                                                subject_id=subject.pk, district=district, score=score,
                                                comment=comment)
    except IntegrityError:  # the same rating sent twice at once
        raise PortalError("您已评价过该服务，每项服务只能评价一次。", code="already_rated") from None
