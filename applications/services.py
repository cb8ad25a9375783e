"""Every write to an application (DESIGN §14, STYLE.md): keyword-only, each in one transaction,
locking the application row first so that a write racing a submission cannot slip in after it.

Status changes go through `_transition`, which calls the django-fsm-2 transition on the locked row,
saves, records an `ApplicationStatusChange` (actor, level, opinion) and sends the SMS and in-site
message on commit. Refusals are `PortalError`s with a Chinese message; `fields` names the form field.
"""

import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from applications import selectors
from applications.apply.consent import CONSENT_VERSION
from applications.apply.materials import MAX_FILES_PER_KIND, check_material_file
from applications.models import (
    Application,
    ApplicationStatusChange,
    AssistanceType,
    CorrectionItem,
    CorrectionRequest,
    Household,
    HouseholdMember,
    Material,
    MemberClaim,
    Relationship,
    Section,
    SiteMessage,
    Status,
)
from applications.review import clock
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.idnumber import birth_date_from_id, sex_from_id, validate_id_number
from gongzufang.models import Community, District, Street
from gongzufang.models.users import Role
from gongzufang.pii import mask_id_number, pii_hash
from gongzufang.workflow import record_status_change

NOT_EDITABLE = "申请已提交，当前不能修改。如需更正，请等待受理员的补正通知，或撤回后重新申请。"


# --- helpers -------------------------------------------------------------------------------------


def _lock(application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _require_owner(application, actor):
    if actor is None or application.applicant_id != actor.pk:
        raise PortalError("只有申请人本人可以操作。", code="not_owner")


def _require_editable(application, actor, section: str):
    """Draft: everything. Returned for correction: only the listed items (a material kind counts
    under "materials" or "material.<kind>"). Otherwise nothing."""
    _require_owner(application, actor)
    if application.status == Status.DRAFT:
        return
    if application.status == Status.RETURNED_FOR_CORRECTION:
        allowed = application.correction.sections()
        if section in allowed or (section.startswith("material.") and Section.MATERIALS in allowed):
            return
        raise PortalError("此项不在补正清单中，不需要修改。请只修改补正清单列出的内容。", code="not_in_correction")
    raise PortalError(NOT_EDITABLE, code="not_editable")


def _mark_done(application, section):
    if section not in application.completed_sections:
        application.completed_sections = [*application.completed_sections, section]


def _save(application, *fields):
    application.save(update_fields=[*fields, "completed_sections", "updated_at"])


def _transition(application, *, method, actor, opinion=""):
    """Run the fsm transition `method` on the locked row, save, record, notify on commit."""
    from applications.tasks import notify_status_change

    bound = getattr(application, method)
    if not can_proceed(bound):
        raise TransitionNotAllowed(
            f"当前状态为“{application.get_status_display()}”，不能执行此操作。", code="transition_not_allowed",
        )
    before = application.status
    bound()
    application.save()
    change = record_status_change(
        log=lambda **fields: ApplicationStatusChange.objects.create(application=application, **fields),
        from_status=before, to_status=application.status, actor=actor, opinion=opinion,
    )
    transaction.on_commit(lambda: notify_status_change.delay(change.pk))
    return change


def _text(value, limit: int, field: str, label: str) -> str:
    """Stripped text within the column's length (forms check too; this guards every other caller)."""
    text = (value or "").strip()
    if len(text) > limit:
        raise PortalError(f"{label}不能超过 {limit} 个字。", fields={field: ["too_long"]})
    return text


def _new_number() -> str:
    return f"GZF{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"


# --- starting an application ---------------------------------------------------------------------


def application_start(*, applicant) -> Application:
    """Open a draft (or return the applicant's existing draft, so the wizard resumes)."""
    if applicant.role != Role.APPLICANT:
        raise PortalError("工作人员账户不能提交公租房申请。", code="not_applicant")
    if not applicant.id_verified_at or not applicant.id_number:
        raise PortalError("请先完成实名认证。", code="not_verified")
    with transaction.atomic():
        # Serialise two "start" clicks of the same person on their account row.
        get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
        draft = Application.objects.filter(applicant=applicant, status=Status.DRAFT).first()
        if draft:
            return draft
        active = Application.objects.filter(applicant=applicant).exclude(
            status__in=[Status.DRAFT, Status.WITHDRAWN, Status.REJECTED]).first()
        if active:
            raise PortalError(f"您已有一份正在办理的申请（编号 {active.number}），不能重复申请。", code="already_active")
        household = Household.objects.create(applicant=applicant)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    application = Application.objects.create(applicant=applicant, household=household,
                                                             number=_new_number())
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - a million numbers a day
            raise PortalError("申请编号生成失败，请重试。")
        HouseholdMember.objects.create(
            household=household, relationship=Relationship.SELF, name=applicant.real_name,
            id_number=applicant.id_number, sex=sex_from_id(applicant.id_number),
            birth_date=birth_date_from_id(applicant.id_number), marital_status="unmarried",
        )
    return application


# --- wizard sections -----------------------------------------------------------------------------


@transaction.atomic
def application_set_assistance(*, application, actor, assistance_type: str, category: str) -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.ASSISTANCE)
    if assistance_type not in AssistanceType.values:
        raise PortalError("请选择保障方式。", fields={"choice": ["invalid"]})
    from gongzufang.parameters import CATEGORIES

    if category not in CATEGORIES:
        raise PortalError("请选择保障对象类别。", fields={"choice": ["invalid"]})
    app.assistance_type, app.category = assistance_type, category
    if assistance_type == AssistanceType.SUBSIDY:
        app.preferred_bedrooms = None
        app.preferred_districts.clear()
    _mark_done(app, Section.ASSISTANCE)
    _save(app, "assistance_type", "category", "preferred_bedrooms")
    return app


@transaction.atomic
def application_set_housing(*, application, actor, housing_type, housing_area, housing_address="") -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.HOUSING)
    housing_address = _text(housing_address, 200, "housing_address", "现住址")
    app.housing_type, app.housing_area, app.housing_address = housing_type, housing_area, housing_address
    _mark_done(app, Section.HOUSING)
    _save(app, "housing_type", "housing_area", "housing_address")
    return app


@transaction.atomic
def application_set_assets(*, application, actor, vehicle_count, vehicle_value, business_count, business_capital,
                           property_sold_recently, assets_note="") -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.ASSETS)
    app.vehicle_count, app.vehicle_value = vehicle_count, vehicle_value
    app.business_count, app.business_capital = business_count, business_capital
    app.property_sold_recently = property_sold_recently
    app.assets_note = _text(assets_note, 1000, "assets_note", "补充说明")
    _mark_done(app, Section.ASSETS)
    _save(app, "vehicle_count", "vehicle_value", "business_count", "business_capital", "property_sold_recently",
          "assets_note")
    return app


@transaction.atomic
def application_set_preferences(*, application, actor, districts, bedrooms) -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.PREFERENCES)
    if app.assistance_type != AssistanceType.UNIT:
        raise PortalError("租赁补贴不需要填写意向区域和户型。", code="not_needed")
    allowed = selectors.bedroom_choices_for(app)
    if bedrooms not in [value for value, _label in allowed]:
        raise PortalError("所选户型超过家庭人数对应的标准，请选择列出的户型。", fields={"bedrooms": ["too_large"]})
    app.preferred_bedrooms = bedrooms
    app.preferred_districts.set(districts)
    _mark_done(app, Section.PREFERENCES)
    _save(app, "preferred_bedrooms")
    return app


@transaction.atomic
def application_set_place(*, application, actor, street: Street, community: Community) -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.PLACE)
    if community.street_id != street.pk:
        raise PortalError("所选社区不属于所选街道，请重新选择。", fields={"community": ["mismatch"]})
    app.street, app.community, app.district = street, community, District.objects.get(pk=street.district_id)
    _mark_done(app, Section.PLACE)
    _save(app, "street", "community", "district")
    return app


@transaction.atomic
def application_give_consent(*, application, actor, agreed: bool) -> Application:
    app = _lock(application)
    _require_editable(app, actor, Section.CONSENT)
    if not agreed:
        raise PortalError("请阅读授权书并勾选同意，否则无法进行部门联审，申请不能提交。", fields={"agree": ["required"]})
    app.consent_at, app.consent_version = timezone.now(), CONSENT_VERSION
    _mark_done(app, Section.CONSENT)
    _save(app, "consent_at", "consent_version")
    return app


# --- household members ---------------------------------------------------------------------------


def _claimed_elsewhere(id_hash, application) -> bool:
    return MemberClaim.objects.filter(id_number_hash=id_hash).exclude(application=application).exists()


ELSEWHERE = ("身份证号码为 {masked} 的成员已在其他正在办理的公租房申请中。同一人不能同时在两份申请中；"
             "如有疑问，请咨询所在街道受理窗口。")


@transaction.atomic
def member_save(*, application, actor, member: HouseholdMember | None = None, relationship, name, id_number,
                marital_status, employer="", monthly_income=Decimal("0"), disability="none") -> HouseholdMember:
    """Add a member (member None) or change one. Sex and birth date come from the ID number."""
    app = _lock(application)
    _require_editable(app, actor, Section.MEMBERS)
    household = app.household
    if member is not None and member.household_id != household.pk:
        raise PortalError("未找到该成员。", code="not_found")
    is_self = member is not None and member.relationship == Relationship.SELF
    if is_self:
        # The applicant's own name and number are the verified ones; only the other facts change.
        name, id_number, relationship = member.name, member.id_number, Relationship.SELF
    elif relationship == Relationship.SELF:
        raise PortalError("“本人”只能是申请人自己，请选择其他关系。", fields={"relationship": ["self"]})
    name = _text(name, 40, "name", "姓名")
    employer = _text(employer, 100, "employer", "工作单位")
    if not name:
        raise PortalError("请输入姓名。", fields={"name": ["required"]})
    try:
        number = validate_id_number(id_number)
    except ValidationError as exc:
        raise PortalError(" ".join(exc.messages), fields={"id_number": ["invalid"]})
    try:
        income = Decimal(str(monthly_income)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise PortalError("请输入有效的月收入金额。", fields={"monthly_income": ["invalid"]})
    if income < 0:
        raise PortalError("月收入不能为负数。", fields={"monthly_income": ["negative"]})
    digest = pii_hash(number)
    twin = household.members.filter(id_number_hash=digest)
    if member is not None:
        twin = twin.exclude(pk=member.pk)
    if twin.exists():
        raise PortalError(f"身份证号码为 {mask_id_number(number)} 的成员已在家庭成员中，不能重复添加。",
                          fields={"id_number": ["duplicate"]}, code="member_duplicate")
    if relationship == Relationship.SPOUSE:
        spouses = household.members.filter(relationship=Relationship.SPOUSE)
        if member is not None:
            spouses = spouses.exclude(pk=member.pk)
        if spouses.exists():
            raise PortalError("家庭成员中已有配偶。", fields={"relationship": ["spouse"]})
    if _claimed_elsewhere(digest, app):
        raise PortalError(ELSEWHERE.format(masked=mask_id_number(number)), fields={"id_number": ["elsewhere"]},
                          code="member_elsewhere")
    target = member or HouseholdMember(household=household, sort_order=household.members.count())
    target.relationship, target.name, target.id_number = relationship, name, number
    target.sex, target.birth_date = sex_from_id(number), birth_date_from_id(number)
    target.marital_status, target.employer = marital_status, employer
    target.monthly_income, target.disability = income, disability
    target.save()
    _mark_done(app, Section.MEMBERS)
    _save(app)
    return target


@transaction.atomic
def member_remove(*, application, actor, member: HouseholdMember) -> None:
    app = _lock(application)
    _require_editable(app, actor, Section.MEMBERS)
    if member.household_id != app.household_id:
        raise PortalError("未找到该成员。", code="not_found")
    if member.relationship == Relationship.SELF:
        raise PortalError("申请人本人不能删除。", code="self")
    member.delete()


# --- materials -----------------------------------------------------------------------------------


@transaction.atomic
def material_upload(*, application, actor, kind: str, upload, replaces: Material | None = None) -> Material:
    """Store a checked file; with `replaces`, the old one stays, marked superseded by the new one."""
    app = _lock(application)
    _require_editable(app, actor, f"material.{kind}")
    if kind not in selectors.required_material_kinds(app):
        raise PortalError("该类材料不需要上传。", fields={"file": ["not_required"]})
    if replaces is not None and (replaces.application_id != app.pk or replaces.kind != kind
                                 or replaces.superseded_at is not None):
        raise PortalError("要替换的文件不存在或已被替换。", fields={"file": ["gone"]})
    current = app.materials.current().filter(kind=kind).count()
    if replaces is None and current >= MAX_FILES_PER_KIND:
        raise PortalError(f"每类材料最多上传 {MAX_FILES_PER_KIND} 个文件，可以替换已上传的文件。",
                          fields={"file": ["too_many"]})
    try:
        checked = check_material_file(upload)
    except ValidationError as exc:
        raise PortalError(" ".join(exc.messages), fields={"file": [exc.code or "invalid"]}, code="bad_file")
    material = Material(
        application=app, kind=kind, original_name=(getattr(upload, "name", "") or "")[-200:],
        content_type=checked.content_type, size=checked.content.size, sha256=checked.sha256, uploaded_by=actor,
    )
    material.file.save(f"upload.{checked.extension}", checked.content, save=False)
    try:
        material.save()
    except Exception:
        material.file.delete(save=False)
        raise
    if replaces is not None:
        Material.objects.filter(pk=replaces.pk).update(superseded_at=timezone.now(), superseded_by=material)
    if not selectors.missing_material_kinds(app):
        _mark_done(app, Section.MATERIALS)
    _save(app)
    return material


@transaction.atomic
def material_remove(*, application, actor, material: Material) -> None:
    """Take a file out of the application; the row and the file stay, marked superseded."""
    app = _lock(application)
    _require_editable(app, actor, f"material.{material.kind}")
    if material.application_id != app.pk or material.superseded_at is not None:
        raise PortalError("该文件不存在或已被替换。", code="not_found")
    Material.objects.filter(pk=material.pk).update(superseded_at=timezone.now())


# --- submission, correction, withdrawal (applicant) ----------------------------------------------


def _claim_members(app):
    """Claim every member's ID number for this application; refused if any is claimed elsewhere."""
    MemberClaim.objects.filter(application=app).delete()
    for member in app.household.members.all():
        if _claimed_elsewhere(member.id_number_hash, app):
            raise PortalError(ELSEWHERE.format(masked=mask_id_number(member.id_number)), code="member_elsewhere")
        try:
            with transaction.atomic():
                MemberClaim.objects.create(id_number_hash=member.id_number_hash, application=app)
        except IntegrityError:  # another household's submission claimed it a moment ago
            raise PortalError(ELSEWHERE.format(masked=mask_id_number(member.id_number)), code="member_elsewhere")


def release_member_claims(application) -> None:
    """Call when an application stops being active (withdrawn; issue 5: rejected)."""
    MemberClaim.objects.filter(application=application).delete()


def application_submit(*, application, actor) -> tuple[Application, bool]:
    """Submit a complete draft. Idempotent: a second submission (double click, a second tab) finds the
    application already submitted and changes nothing. Returns (application, whether it changed)."""
    with transaction.atomic():
        app = _lock(application)
        _require_owner(app, actor)
        if app.status != Status.DRAFT:
            if app.submitted_at is not None and app.status != Status.WITHDRAWN:
                return app, False
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能提交。")
        missing = selectors.missing_items(app)
        if missing:
            raise PortalError("申请还不完整：" + "；".join(text for _section, text in missing) + "。", code="incomplete")
        _claim_members(app)
        app.submitted_at = timezone.now()
        _transition(app, method="submit", actor=actor, opinion="申请人网上提交")
    return app, True


def application_resubmit(*, application, actor) -> tuple[Application, bool]:
    """Send a corrected application back to where it was returned from; the clock runs again."""
    with transaction.atomic():
        app = _lock(application)
        _require_owner(app, actor)
        if app.status != Status.RETURNED_FOR_CORRECTION:
            resolved = CorrectionRequest.objects.filter(application=app, resolved_at__isnull=False).exists()
            if resolved and app.status != Status.WITHDRAWN:
                return app, False
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能重新提交。")
        missing = selectors.missing_items(app)
        if missing:
            raise PortalError("申请还不完整：" + "；".join(text for _section, text in missing) + "。", code="incomplete")
        _claim_members(app)
        correction = app.correction
        correction.resolved_at = timezone.now()
        correction.save(update_fields=["resolved_at"])
        _transition(app, method="resubmit", actor=actor, opinion="申请人补正后重新提交")
        app.returned_from = ""
        clock.resume(app)  # after the transition, so the due dates are those of the step it went back to
        app.save(update_fields=["returned_from", *clock.CLOCK_FIELDS])
    return app, True


def application_withdraw(*, application, actor, reason="") -> Application:
    with transaction.atomic():
        app = _lock(application)
        _require_owner(app, actor)
        if app.status == Status.WITHDRAWN:
            return app
        if not app.is_withdrawable:
            raise TransitionNotAllowed("申请已有审核结论，不能撤回。")
        _transition(app, method="withdraw", actor=actor, opinion=(reason or "申请人撤回").strip()[:500])
        app.paused_on = app.step_due_on = app.due_on = None
        app.save(update_fields=["paused_on", "step_due_on", "due_on"])
        release_member_claims(app)
    return app


# --- the clerk's steps ---------------------------------------------------------------------------


def _require_clerk(app, actor):
    """The street clerk of the application's street (or a superuser)."""
    in_scope = Application.objects.for_staff(actor).filter(pk=app.pk).exists()
    if not in_scope:
        raise PortalError("未找到该申请。", code="not_found")
    if not (actor.is_superuser or actor.role == Role.STREET_CLERK):
        raise PortalError("受理和退回补正由申请人所在街道的受理员办理。", code="wrong_level")


def application_accept(*, application, actor, opinion="") -> Application:
    with transaction.atomic():
        app = _lock(application)
        _require_clerk(app, actor)
        if app.status != Status.SUBMITTED:
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能受理。")
        app.accepted_at = timezone.now()
        _transition(app, method="accept", actor=actor, opinion=opinion or "材料齐全，予以受理")
        clock.restart_step(app)
        app.save(update_fields=clock.CLOCK_FIELDS)
    return app


def application_return_for_correction(*, application, actor, items, note="") -> CorrectionRequest:
    """补正: one itemised list [(section, what to fix)], once per application. The clock (if running)
    pauses until the applicant resubmits."""
    items = [(section, (text or "").strip()) for section, text in items if section]
    if not items:
        raise PortalError("请至少列出一项需要补正的内容。", fields={"items": ["required"]})
    if any(not text for _s, text in items):
        raise PortalError("每项补正内容都要写明具体要求。", fields={"items": ["note"]})
    if any(len(text) > 300 for _s, text in items):
        raise PortalError("每项补正要求不能超过 300 个字。", fields={"items": ["too_long"]})
    note = _text(note, 2000, "note", "补充说明")
    if len({s for s, _t in items}) != len(items):
        raise PortalError("补正清单中有重复的项目。", fields={"items": ["duplicate"]})
    with transaction.atomic():
        app = _lock(application)
        _require_clerk(app, actor)
        if CorrectionRequest.objects.filter(application=app).exists():
            raise TransitionNotAllowed("该申请已退回补正过一次，按规定只能一次性告知补正。")
        if app.status not in (Status.SUBMITTED, Status.ACCEPTED, Status.STREET_REVIEW):
            raise TransitionNotAllowed(f"当前状态为“{app.get_status_display()}”，不能退回补正。")
        returned_from = app.status
        app.returned_from = returned_from
        if returned_from != Status.SUBMITTED:  # the clock runs only after acceptance
            clock.pause(app)
        opinion = "；".join(f"{CorrectionItem(section=s).get_section_display()}：{t}" for s, t in items)
        if note.strip():
            opinion += f"。{note.strip()}"
        _transition(app, method="return_for_correction", actor=actor, opinion=opinion)
        correction = CorrectionRequest.objects.create(application=app, requested_by=actor, note=note.strip(),
                                                      returned_from=returned_from)
        CorrectionItem.objects.bulk_create(CorrectionItem(request=correction, section=s, note=t) for s, t in items)
    return correction



# --- in-site messages (站内消息) --------------------------------------------------------------------


def site_message_send(*, recipient, title, body, application=None, status_change=None) -> SiteMessage:
    """One in-site message. With a status change, a second send for it raises IntegrityError (the
    database allows one message per change), which callers use to stay idempotent."""
    return SiteMessage.objects.create(recipient=recipient, application=application, status_change=status_change,
                                      title=title, body=body)


def site_messages_broadcast(*, recipients, title, body) -> int:
    """The same message to several people (e.g. every city caseworker); returns how many."""
    rows = SiteMessage.objects.bulk_create(SiteMessage(recipient=r, title=title, body=body) for r in recipients)
    return len(rows)


def site_messages_mark_read(*, user, message=None) -> int:
    """Mark one of the user's messages read, or all of them; returns how many changed."""
    unread = selectors.messages_for(user).filter(read_at__isnull=True)
    if message is not None:
        unread = unread.filter(pk=message.pk)
    return unread.update(read_at=timezone.now())
