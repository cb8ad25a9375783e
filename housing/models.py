"""Housing stock (房源): estates (小区), buildings (楼栋), units (房屋), their photos, and renovation and
maintenance records. Writes go through housing/services.py; reads through housing/selectors.py.

A unit has two independent states, each changed only by a transition that records who, when and why
(`UnitStatusChange`):
- `status`, the physical state of the stock: vacant, reserved, occupied, under maintenance, offline;
- `listing`, whether the unit is published on the public portal (发布房源): unlisted, published, withdrawn.

`Unit.district` and `Unit.estate` copy what `Unit.building` already implies; they are set by the
services and let the public search and the district scoping filter without joins (docs/adr/0003).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from gongzufang.models import StatusChange
from gongzufang.scoping import ScopedManager
from gongzufang.workflow import Lifecycle, StatusLog, guard

CENT = Decimal("0.01")
PUBLISHED = Q(listing="published")
# Every column the public search filters on (housing/filtersets.py).
SEARCH_COLUMNS = ["district", "estate", "bedrooms", "area", "furnished", "has_lift", "floor"]
BEDROOM_LABELS = {0: _("开间"), 1: _("一居室"), 2: _("两居室"), 3: _("三居室"), 4: _("四居室"), 5: _("五居室")}


def bedrooms_label(bedrooms) -> str:
    """开间, 一居室, 两居室… as every page writes them."""
    return str(BEDROOM_LABELS.get(bedrooms, f"{bedrooms}居室"))


def monthly_rent_for(area, rent_per_sqm) -> Decimal:
    """Monthly rent = area × rent per ㎡, in yuan to 0.01, rounding half up (DESIGN §8)."""
    return (Decimal(area) * Decimal(rent_per_sqm)).quantize(CENT, rounding=ROUND_HALF_UP)


def _public_photo_path(folder, filename):
    # Photos are public marketing of public housing; they live under MEDIA_ROOT/public/ and are
    # served by housing.views only while their estate or unit is published. Names are random.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"public/housing/{folder}/{uuid.uuid4().hex}.{ext}"


def upload_estate_photo(instance, filename):
    return _public_photo_path("estates", filename)


def upload_unit_photo(instance, filename):
    return _public_photo_path("units", filename)


def upload_floor_plan(instance, filename):
    return _public_photo_path("floor_plans", filename)


class Estate(models.Model):
    """A public-rental estate (小区)."""

    name = models.CharField(_("小区名称"), max_length=60)
    district = models.ForeignKey(
        "gongzufang.District", on_delete=models.PROTECT, related_name="estates", verbose_name=_("区县"),
        editable=False, help_text=_("取自所在街道。"),
    )
    street = models.ForeignKey(
        "gongzufang.Street", on_delete=models.PROTECT, related_name="estates", verbose_name=_("街道/镇")
    )
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = models.TextField(_("小区介绍"), blank=True)
    facilities = models.TextField(_("配套设施"), blank=True, help_text=_("每行一项，如：社区卫生服务站、公交站、超市。"))
    rent_per_sqm = models.DecimalField(
        _("租金标准（元/㎡·月）"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("200"))],
        help_text=_("新增房屋默认采用此标准；公租房租金低于市场租金。"),
    )
    built_year = models.PositiveSmallIntegerField(
        _("建成年份"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    is_published = models.BooleanField(_("已公开"), default=False, db_index=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope_district_path = "district"
    scope_street_path = None  # street clerks see their district's stock (read-only by permissions)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["district__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="estate_name_unique_in_district",
                violation_error_message=_("同一区县内小区名称不能重复。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def facility_list(self):
        return [line.strip() for line in self.facilities.splitlines() if line.strip()]


class Building(models.Model):
    """A building (楼栋) of an estate."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("小区"))
    name = models.CharField(_("楼栋"), max_length=30, help_text=_("如：3号楼"))
    floors = models.PositiveSmallIntegerField(_("地上层数"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    has_lift = models.BooleanField(_("有电梯"), default=False)
    # For district systems' incremental sync (`updated_since`); not worth a row of history by itself.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope_district_path = "estate__district"
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["estate_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"], name="building_name_unique_in_estate",
                violation_error_message=_("同一小区内楼栋名称不能重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate.name} {self.name}"


@guard(lambda unit: _("房屋状态为“%(status)s”，只有空置可配的房屋可以发布。") % {"status": unit.get_status_display()})
def is_vacant(unit) -> bool:
    return unit.status == Unit.Status.VACANT


class Unit(Lifecycle, models.Model):
    """A dwelling (房屋/套) that can be let."""

    class Status(models.TextChoices):
        VACANT = "vacant", _("空置可配")
        RESERVED = "reserved", _("已预订")
        OCCUPIED = "occupied", _("已入住")
        MAINTENANCE = "maintenance", _("维修中")
        OFFLINE = "offline", _("停用")

    class Listing(models.TextChoices):
        UNLISTED = "unlisted", _("未发布")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Orientation(models.TextChoices):
        SOUTH_NORTH = "sn", _("南北通透")
        SOUTH = "s", _("朝南")
        EAST = "e", _("朝东")
        WEST = "w", _("朝西")
        NORTH = "n", _("朝北")
        EAST_WEST = "ew", _("东西向")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋"))
    # Copies of what `building` implies, set by housing.services (see module docstring).
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="units", verbose_name=_("小区"), editable=False
    )
    district = models.ForeignKey(
        "gongzufang.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县"), editable=False
    )
    number = models.CharField(_("房号"), max_length=20, help_text=_("如：2单元301"))
    floor = models.SmallIntegerField(_("所在楼层"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    area = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=6, decimal_places=2,
        validators=[MinValueValidator(Decimal("10")), MaxValueValidator(Decimal("300"))],
    )
    bedrooms = models.PositiveSmallIntegerField(
        _("居室数"), validators=[MinValueValidator(0), MaxValueValidator(5)], help_text=_("0 表示开间。")
    )
    layout = models.CharField(_("户型"), max_length=30, blank=True, help_text=_("如：一室一厅一卫"))
    orientation = models.CharField(_("朝向"), max_length=2, choices=Orientation.choices, default=Orientation.SOUTH)
    has_lift = models.BooleanField(_("有电梯"), default=False, editable=False, help_text=_("取自楼栋。"))
    furnished = models.BooleanField(_("拎包入住"), default=False, help_text=_("家具家电齐全，可直接入住。"))
    rent_per_sqm = models.DecimalField(
        _("租金标准（元/㎡·月）"), max_digits=6, decimal_places=2, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("200"))],
        help_text=_("留空则采用小区租金标准。"),
    )
    monthly_rent = models.DecimalField(
        _("月租金（元）"), max_digits=9, decimal_places=2, editable=False, help_text=_("面积 × 租金标准，四舍五入到分。")
    )
    status = FSMField(
        _("房屋状态"), max_length=12, choices=Status.choices, default=Status.VACANT, editable=False, protected=True
    )
    listing = FSMField(
        _("发布状态"), max_length=10, choices=Listing.choices, default=Listing.UNLISTED, editable=False,
        protected=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    floor_plan = models.ImageField(_("户型图"), upload_to=upload_floor_plan, blank=True)
    description = models.TextField(_("房屋说明"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope_district_path = "district"
    history = HistoricalRecords(excluded_fields=["updated_at"])
    status_log = StatusLog("housing.UnitStatusChange", "unit", field_column="field")

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["estate_id", "building_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"], name="unit_number_unique_in_building",
                violation_error_message=_("同一楼栋内房号不能重复。"),
            ),
            models.CheckConstraint(
                name="unit_published_has_time",
                condition=~Q(listing="published") | Q(published_at__isnull=False),
            ),
        ]
        # The public search's indexes, chosen from EXPLAIN plans at 100k units (docs/benchmarks.md).
        # Partial on published units: the public side reads nothing else, and they are a fifth of
        # the stock. One per sort order; the two used most also carry every filtered column, so the
        # capped count is an index-only scan.
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="unit_pub_newest", condition=PUBLISHED),
            models.Index(
                fields=["monthly_rent", "id"], name="unit_pub_rent", condition=PUBLISHED, include=SEARCH_COLUMNS,
            ),
            models.Index(fields=["area", "id"], name="unit_pub_area", condition=PUBLISHED),
            models.Index(
                fields=["district", "-published_at", "-id"], name="unit_pub_district_newest", condition=PUBLISHED
            ),
            models.Index(
                fields=["district", "monthly_rent", "id"], name="unit_pub_district_rent", condition=PUBLISHED,
                include=[c for c in SEARCH_COLUMNS if c != "district"],
            ),
        ]

    def __str__(self):
        return f"{self.estate.name if self.estate_id else ''} {self.building.name if self.building_id else ''} {self.number}".strip()

    # --- listing (发布房源): taken through gongzufang.workflow by housing/services.py ---
    @transition(field=listing, source=[Listing.UNLISTED, Listing.WITHDRAWN], target=Listing.PUBLISHED,
                conditions=[is_vacant], custom={"label": _("发布"), "verb": _("发布"), "saves": ["published_at"]})
    def publish(self):
        from django.utils import timezone

        self.published_at = timezone.now()

    @transition(field=listing, source=Listing.PUBLISHED, target=Listing.WITHDRAWN,
                custom={"label": _("撤回发布"), "verb": _("撤回发布"), "style": "danger"})
    def withdraw(self):
        pass

    # --- physical status: allocation moves vacant → reserved → occupied ---
    @transition(field=status, source=[Status.RESERVED, Status.OCCUPIED, Status.MAINTENANCE, Status.OFFLINE],
                target=Status.VACANT, custom={"label": _("恢复空置可配"), "verb": _("变更为“空置可配”")})
    def make_vacant(self):
        pass

    @transition(field=status, source=Status.VACANT, target=Status.RESERVED,
                custom={"label": _("预订"), "verb": _("变更为“已预订”")})
    def reserve(self):
        pass

    @transition(field=status, source=[Status.VACANT, Status.RESERVED], target=Status.OCCUPIED,
                custom={"label": _("登记入住"), "verb": _("变更为“已入住”")})
    def occupy(self):
        pass

    @transition(field=status, source=[Status.VACANT, Status.RESERVED, Status.OCCUPIED, Status.OFFLINE],
                target=Status.MAINTENANCE, custom={"label": _("转入维修"), "verb": _("变更为“维修中”")})
    def start_maintenance(self):
        pass

    @transition(field=status, source=[Status.VACANT, Status.RESERVED, Status.MAINTENANCE], target=Status.OFFLINE,
                custom={"label": _("停用"), "verb": _("变更为“停用”"), "style": "danger"})
    def take_offline(self):
        pass

    @property
    def bedrooms_label(self):
        return bedrooms_label(self.bedrooms)

    @property
    def is_ground_floor(self):
        return self.floor == 1

    @property
    def is_public(self):
        return self.listing == self.Listing.PUBLISHED and self.estate.is_published


class UnitStatusChange(StatusChange):
    """Each change of a unit's `status` or `listing`, with who, when and why."""

    class Field(models.TextChoices):
        STATUS = "status", _("房屋状态")
        LISTING = "listing", _("发布状态")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("房屋"))
    field = models.CharField(_("变更项"), max_length=10, choices=Field.choices, default=Field.STATUS)

    class Meta(StatusChange.Meta):
        verbose_name = _("房屋状态变更")
        verbose_name_plural = _("房屋状态变更")

    def __str__(self):
        return f"{self.unit_id} {self.field}: {self.from_status} → {self.to_status}"


class EstateStatusChange(StatusChange):
    """Each publication or withdrawal of an estate."""

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("小区")
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("小区公开状态变更")
        verbose_name_plural = _("小区公开状态变更")


class EstatePhoto(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("小区"))
    image = models.ImageField(_("照片"), upload_to=upload_estate_photo, width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    caption = models.CharField(_("说明"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    scope_district_path = "estate__district"

    class Meta:
        verbose_name = _("小区照片")
        verbose_name_plural = _("小区照片")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.caption or f"{_('照片')} {self.pk}"


class UnitPhoto(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("房屋"))
    image = models.ImageField(_("照片"), upload_to=upload_unit_photo, width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    caption = models.CharField(_("说明"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    scope_district_path = "unit__district"

    class Meta:
        verbose_name = _("房屋照片")
        verbose_name_plural = _("房屋照片")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.caption or f"{_('照片')} {self.pk}"


class Renovation(models.Model):
    """A renovation (改造) or maintenance (维修) job: what, when, cost, contractor, which units."""

    class Kind(models.TextChoices):
        RENOVATION = "renovation", _("改造")
        MAINTENANCE = "maintenance", _("维修")

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="renovations", verbose_name=_("小区"))
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.RENOVATION)
    title = models.CharField(_("项目"), max_length=100, help_text=_("如：电气线路改造"))
    description = models.TextField(_("内容"), blank=True)
    started_on = models.DateField(_("开工日期"))
    finished_on = models.DateField(_("完工日期"), null=True, blank=True)
    cost = models.DecimalField(
        _("费用（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    contractor = models.CharField(_("施工单位"), max_length=100, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="renovations", verbose_name=_("涉及房屋"))
    units_count = models.PositiveIntegerField(
        _("涉及户数"), default=0, help_text=_("涉及房屋的套数；未逐套登记时按实际户数填写。")
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    scope_district_path = "estate__district"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改造与维修记录")
        verbose_name_plural = _("改造与维修记录")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="renovation_finishes_after_start",
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=models.F("started_on")),
                violation_error_message=_("完工日期不能早于开工日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate.name if self.estate_id else ''} {self.title}"
