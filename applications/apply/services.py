"""The applicant's writes while filling in the wizard (DESIGN §4, issue 3): the sections, the household
members and the materials. Keyword-only, each in one transaction on the locked application row. A
draft may change everywhere; an application returned for correction only in the items listed;
anything else is refused (`NOT_EDITABLE`).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications import selectors
from applications.apply.consent import CONSENT_VERSION
from applications.apply.materials import MAX_FILES_PER_KIND, check_material_file
from applications.models import (
    Application,
    AssistanceType,
    HouseholdMember,
    MaritalStatus,
    Material,
    Relationship,
    Section,
    Status,
)
from applications.services import ELSEWHERE, clean_text, lock_application, member_claimed_elsewhere, require_owner
from gongzufang.errors import PortalError
from gongzufang.idnumber import birth_date_from_id, sex_from_id, validate_id_number
from gongzufang.models import Community, District, Street
from gongzufang.pii import mask_id_number, pii_hash

NOT_EDITABLE = "申请已提交，当前不能修改。如需更正，请等待受理员的补正通知，或撤回后重新申请。"


# --- helpers -------------------------------------------------------------------------------------


def _require_editable(application, actor, section: str):
    """Draft: everything. Returned for correction: only the listed items (a material kind counts
    under "materials" or "material.<kind>"). Otherwise nothing."""
    require_owner(application, actor)
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


# --- wizard sections -----------------------------------------------------------------------------


@transaction.atomic
def application_set_assistance(*, application, actor, assistance_type: str, category: str) -> Application:
    app = lock_application(application)
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
    app = lock_application(application)
    _require_editable(app, actor, Section.HOUSING)
    housing_address = clean_text(housing_address, 200, "housing_address", "现住址")
    app.housing_type, app.housing_area, app.housing_address = housing_type, housing_area, housing_address
    _mark_done(app, Section.HOUSING)
    _save(app, "housing_type", "housing_area", "housing_address")
    return app


@transaction.atomic
def application_set_assets(*, application, actor, vehicle_count, vehicle_value, business_count, business_capital,
                           property_sold_recently, assets_note="") -> Application:
    app = lock_application(application)
    _require_editable(app, actor, Section.ASSETS)
    if vehicle_count and not vehicle_value:
        raise PortalError(f"已申报 {vehicle_count} 辆机动车，请填写其总价值（按购买价格估算，须大于 0 元）。",
                          fields={"vehicle_value": ["required_with_vehicles"]})
    app.vehicle_count, app.vehicle_value = vehicle_count, vehicle_value
    app.business_count, app.business_capital = business_count, business_capital
    app.property_sold_recently = property_sold_recently
    app.assets_note = clean_text(assets_note, 1000, "assets_note", "补充说明")
    _mark_done(app, Section.ASSETS)
    _save(app, "vehicle_count", "vehicle_value", "business_count", "business_capital", "property_sold_recently",
          "assets_note")
    return app


@transaction.atomic
def application_set_preferences(*, application, actor, districts, bedrooms) -> Application:
    app = lock_application(application)
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
    app = lock_application(application)
    _require_editable(app, actor, Section.PLACE)
    if community.street_id != street.pk:
        raise PortalError("所选社区不属于所选街道，请重新选择。", fields={"community": ["mismatch"]})
    app.street, app.community, app.district = street, community, District.objects.get(pk=street.district_id)
    _mark_done(app, Section.PLACE)
    _save(app, "street", "community", "district")
    return app


@transaction.atomic
def application_give_consent(*, application, actor, agreed: bool) -> Application:
    app = lock_application(application)
    _require_editable(app, actor, Section.CONSENT)
    if not agreed:
        raise PortalError("请阅读授权书并勾选同意，否则无法进行部门联审，申请不能提交。", fields={"agree": ["required"]})
    app.consent_at, app.consent_version = timezone.now(), CONSENT_VERSION
    _mark_done(app, Section.CONSENT)
    _save(app, "consent_at", "consent_version")
    return app


# --- household members ---------------------------------------------------------------------------


@transaction.atomic
def member_save(*, application, actor, member: HouseholdMember | None = None, relationship, name, id_number,
                marital_status, employer="", monthly_income=Decimal("0"), disability="none") -> HouseholdMember:
    """Add a member (member None) or change one. Sex and birth date come from the ID number."""
    app = lock_application(application)
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
    name = clean_text(name, 40, "name", "姓名")
    employer = clean_text(employer, 100, "employer", "工作单位")
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
    if member_claimed_elsewhere(digest, app):
        raise PortalError(ELSEWHERE.format(masked=mask_id_number(number)), fields={"id_number": ["elsewhere"]},
                          code="member_elsewhere")
    target = member or HouseholdMember(household=household, sort_order=household.members.count())
    target.relationship, target.name, target.id_number = relationship, name, number
    target.sex, target.birth_date = sex_from_id(number), birth_date_from_id(number)
    target.marital_status, target.employer = marital_status, employer
    target.monthly_income, target.disability = income, disability
    _check_plausible(target)
    target.confirmed_at = timezone.now()
    target.save()
    _mark_done(app, Section.MEMBERS)
    _save(app)
    return target


# 法定婚龄 (《民法典》第一千零四十七条): 男不得早于二十二周岁，女不得早于二十周岁.
MARRIAGE_AGE = {"male": 22, "female": 20}


def _age(born, on) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_plausible(member) -> None:
    """What the birth date (from the ID number) makes impossible is refused with the reason."""
    age = _age(member.birth_date, timezone.localdate())
    legal = MARRIAGE_AGE.get(member.sex)
    if legal and member.marital_status != MaritalStatus.UNMARRIED and age < legal:
        sex = "男" if member.sex == "male" else "女"
        raise PortalError(f"{member.name}现年 {age} 周岁，未到法定婚龄（{sex}{legal} 周岁，《民法典》第一千零四十七条），"
                          f"婚姻状况不能为“{MaritalStatus(member.marital_status).label}”，请核对。",
                          fields={"marital_status": ["too_young"]})


@transaction.atomic
def member_remove(*, application, actor, member: HouseholdMember) -> None:
    app = lock_application(application)
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
    app = lock_application(application)
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
    app = lock_application(application)
    _require_editable(app, actor, f"material.{material.kind}")
    if material.application_id != app.pk or material.superseded_at is not None:
        raise PortalError("该文件不存在或已被替换。", code="not_found")
    Material.objects.filter(pk=material.pk).update(superseded_at=timezone.now())
