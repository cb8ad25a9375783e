"""People who log in: applicants and staff at street, district and city level (DESIGN §3)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongzufang.fields import EncryptedCharField, PiiHashField
from gongzufang.idnumber import validate_id_number
from gongzufang.scoping import NO_SCOPE, Scope, ScopedQuerySet


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人/承租人")
    STREET_CLERK = "street_clerk", _("街道受理员")
    DISTRICT_CASEWORKER = "district_caseworker", _("区县经办人")
    CITY_CASEWORKER = "city_caseworker", _("市级经办人")


class Level(models.TextChoices):
    """The level a step is taken at, shown on every timeline entry."""

    APPLICANT = "applicant", _("申请人")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区县")
    CITY = "city", _("市级")
    SYSTEM = "system", _("系统")


ROLE_LEVEL = {
    Role.APPLICANT: Level.APPLICANT,
    Role.STREET_CLERK: Level.STREET,
    Role.DISTRICT_CASEWORKER: Level.DISTRICT,
    Role.CITY_CASEWORKER: Level.CITY,
}
STAFF_ROLES = (Role.STREET_CLERK, Role.DISTRICT_CASEWORKER, Role.CITY_CASEWORKER)


class UserQuerySet(ScopedQuerySet):
    def staff_of(self, role):
        return self.filter(role=role, is_active=True)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.APPLICANT)
    real_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Real-name verification (实名认证): stored encrypted, found by its keyed hash, shown masked.
    id_number = EncryptedCharField(_("身份证号"), blank=True, default="", validators=[validate_id_number])
    id_number_hash = PiiHashField(source="id_number")
    id_verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    district = models.ForeignKey(
        "gongzufang.District", on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
        verbose_name=_("所属区县"), help_text=_("区县经办人和街道受理员必填；街道受理员为其街道所在区县。"),
    )
    street = models.ForeignKey(
        "gongzufang.Street", on_delete=models.PROTECT, null=True, blank=True, related_name="clerks",
        verbose_name=_("所属街道/镇"), help_text=_("街道受理员必填。"),
    )

    objects = PortalUserManager()
    scope_district_path = "district"
    scope_street_path = "street"
    history = HistoricalRecords(excluded_fields=["password", "last_login", "id_number", "id_number_hash"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_area",
                condition=(
                    Q(role="street_clerk", street__isnull=False, district__isnull=False)
                    | Q(role="district_caseworker", district__isnull=False, street__isnull=True)
                    | Q(role="city_caseworker", district__isnull=True, street__isnull=True)
                    | Q(role="applicant", district__isnull=True, street__isnull=True)
                ),
                violation_error_message=_("角色与所属区域不符：街道受理员须有街道，区县经办人须有区县，市级经办人不属任何区县。"),
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="user_id_number_unique",
                violation_error_message=_("该身份证号已注册账户。"),
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="user_phone_unique",
                violation_error_message=_("该手机号已注册。"),
            ),
        ]

    def __str__(self):
        return self.real_name or self.username

    @property
    def id_number_masked(self):
        from gongzufang.pii import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def level(self):
        return ROLE_LEVEL[self.role]

    @property
    def is_caseworker(self):
        return self.role in STAFF_ROLES

    @property
    def scope(self) -> Scope:
        if not self.is_active:
            return NO_SCOPE
        if self.role == Role.CITY_CASEWORKER or self.is_superuser:
            return Scope(city_wide=True)
        if self.role == Role.DISTRICT_CASEWORKER:
            return Scope(district_id=self.district_id)
        if self.role == Role.STREET_CLERK:
            return Scope(district_id=self.district_id, street_id=self.street_id)
        return NO_SCOPE
