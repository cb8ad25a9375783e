"""Excel import and export of units (django-import-export), with Chinese column headings.

- Export: the rows of the caseworker's own district, as filtered in the admin list.
- Import: a row with an 编号 (id) updates that unit, which must be in the caseworker's district; a row
  without one creates a unit. The building is found by 小区 + 楼栋 among the caseworker's own estates.
  Derived columns (区县, 月租金, 电梯) and the states (房屋状态, 发布状态) are exported for reading
  and ignored on import: states change only through the recorded transitions.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from gongzufang.errors import PortalError

from . import services
from .models import Building, Unit


class ChoiceLabelWidget(widgets.Widget):
    """Shows a choice's label; accepts the label or the code back."""

    def __init__(self, choices, **kwargs):
        self.to_label = {str(code): str(label) for code, label in choices}
        self.to_code = {label: code for code, label in self.to_label.items()}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        if text in self.to_label:
            return text
        if text in self.to_code:
            return self.to_code[text]
        raise ValueError(_("“%(value)s”不是可选值；可选：%(choices)s") % {
            "value": text, "choices": "、".join(self.to_code)})

    def render(self, value, obj=None, **kwargs):
        return self.to_label.get(str(value), value or "")


class AmountWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except Exception:
            raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": value}) from None
        if number is not None and not number.is_finite():
            raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": value})
        return number


class WholeNumberWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Exception:
            raise ValueError(_("“%(value)s”不是有效的整数。") % {"value": value}) from None


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "有", "1", "true", "True", "TRUE", "y", "Y", "yes"}
    FALSE = {"否", "无", "0", "false", "False", "FALSE", "n", "N", "no", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


COLUMNS = [
    "id", "district", "estate_name", "building_name", "number", "floor", "area", "bedrooms", "layout",
    "orientation", "furnished", "rent_per_sqm", "monthly_rent", "has_lift", "status", "listing", "description",
]
DERIVED_FIELDS = ["estate", "district", "has_lift", "monthly_rent", "status", "listing", "published_at"]


class UnitResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="编号", widget=WholeNumberWidget(), readonly=True)
    district = fields.Field(attribute="district__name", column_name="区县", readonly=True)
    estate_name = fields.Field(column_name="小区", readonly=True)
    building_name = fields.Field(column_name="楼栋", readonly=True)
    number = fields.Field(attribute="number", column_name="房号", widget=widgets.CharWidget())
    floor = fields.Field(attribute="floor", column_name="楼层", widget=WholeNumberWidget())
    area = fields.Field(attribute="area", column_name="建筑面积（㎡）", widget=AmountWidget())
    bedrooms = fields.Field(attribute="bedrooms", column_name="居室数", widget=WholeNumberWidget())
    layout = fields.Field(attribute="layout", column_name="户型", widget=widgets.CharWidget())
    orientation = fields.Field(
        attribute="orientation", column_name="朝向", widget=ChoiceLabelWidget(Unit.Orientation.choices)
    )
    furnished = fields.Field(attribute="furnished", column_name="拎包入住", widget=YesNoWidget())
    rent_per_sqm = fields.Field(attribute="rent_per_sqm", column_name="租金标准（元/㎡·月）", widget=AmountWidget())
    monthly_rent = fields.Field(attribute="monthly_rent", column_name="月租金（元）", readonly=True, widget=AmountWidget())
    has_lift = fields.Field(attribute="has_lift", column_name="电梯", readonly=True, widget=YesNoWidget())
    status = fields.Field(attribute="status", column_name="房屋状态", readonly=True, widget=ChoiceLabelWidget(Unit.Status.choices))
    listing = fields.Field(attribute="listing", column_name="发布状态", readonly=True, widget=ChoiceLabelWidget(Unit.Listing.choices))
    description = fields.Field(attribute="description", column_name="房屋说明", widget=widgets.CharWidget())

    class Meta:
        model = Unit
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["id"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # ------------------------------------------------------------ export

    def get_queryset(self):
        return Unit.objects.for_user(self.user).select_related("district", "estate", "building")

    def dehydrate_estate_name(self, unit):
        return unit.estate.name

    def dehydrate_building_name(self, unit):
        return unit.building.name

    # ------------------------------------------------------------ import

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        wanted = self.fields["id"].clean(row) if "编号" in row else None
        if new and wanted:
            # Not in the caseworker's district (or not at all): never create or overwrite by id.
            raise ValidationError(_("编号为 %(id)s 的房屋不存在或不在您的辖区内。") % {"id": wanted})
        return instance, new

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        estate_name = str(row.get("小区") or "").strip()
        building_name = str(row.get("楼栋") or "").strip()
        if estate_name or building_name or instance.pk is None:
            building = (
                Building.objects.for_user(self.user).select_related("estate")
                .filter(estate__name=estate_name, name=building_name).first()
            )
            if building is None:
                errors.setdefault("building", []).append(
                    _("在您的辖区内找不到小区“%(estate)s”的“%(building)s”。") % {"estate": estate_name, "building": building_name}
                )
            else:
                instance.building = building
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.building_id and not {"area", "rent_per_sqm", "floor"} & set(errors) and instance.area is not None:
            try:
                services.unit_prepare(instance)
            except PortalError as exc:
                errors.setdefault("floor", []).append(exc.message)
        try:
            # The derived fields are the service's business, not the spreadsheet's.
            instance.full_clean(exclude=[*errors, *DERIVED_FIELDS], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        services.unit_save(unit=instance, actor=self.user)
