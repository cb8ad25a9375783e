"""The housing stock in the district API: estates, buildings and units (DESIGN §15).

Serializers only parse and present. Writes go through housing/services.py (called by housing/api.py);
every reference in a body (street, estate, building) is looked up through the token's scope, so an
id of another district is refused as "not found" and nothing can be moved into another district.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzufang.api.errors import ReferenceNotFound
from gongzufang.api.filters import MAX_ID
from gongzufang.models import Street

from .models import Building, Estate, Unit


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up among the rows the API client may see (`for_user`). One it cannot
    see is answered 404 naming the field, as a wrong id in the URL is."""

    default_error_messages = {"incorrect_type": _("应为整数 id。")}

    def get_queryset(self):
        return super().get_queryset().for_user(self.context["request"].auth)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if exc.detail and getattr(exc.detail[0], "code", "") == "does_not_exist":
                raise ReferenceNotFound(self.field_name, _("未找到 id 为 %(pk)s 的记录（或不属于本区县）。") % {"pk": data}) \
                    from None
            raise


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 12})
class ScopedStreetField(serializers.SlugRelatedField):
    default_error_messages = {"invalid": _("街道/镇代码无效。")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Street.objects.all(), **kwargs)

    def get_queryset(self):
        return super().get_queryset().for_user(self.context["request"].auth)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if exc.detail and getattr(exc.detail[0], "code", "") == "does_not_exist":
                raise ReferenceNotFound(self.field_name, _("未找到代码为 %(code)s 的街道/镇（或不属于本区县）。")
                                        % {"code": data}) from None
            raise


class EstateSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码（取自街道）")
    street = ScopedStreetField(help_text="街道/镇代码；只能是本区县的街道，修改时不能改到其他区县")
    building_count = serializers.IntegerField(read_only=True, help_text="楼栋数")

    class Meta:
        model = Estate
        fields = ["id", "name", "district", "street", "address", "latitude", "longitude", "description",
                  "facilities", "rent_per_sqm", "built_year", "is_published", "published_at", "building_count",
                  "created_at", "updated_at"]
        read_only_fields = ["is_published", "published_at", "created_at", "updated_at"]
        extra_kwargs = {"rent_per_sqm": {"required": False, "help_text": "元/㎡·月；留空取本区县默认租金标准"}}
        # The district-wide unique name is checked by the service's save (answered 409 with its message).
        validators = []

    def validate_street(self, street):
        if self.instance is not None and street.district_id != self.instance.district_id:
            raise serializers.ValidationError(_("小区不能改到其他区县的街道。"))
        return street


class BuildingSerializer(serializers.ModelSerializer):
    estate = ScopedRelatedField(queryset=Estate.objects.all(), help_text="所属小区 id（本区县）；创建后不能更改")
    district = serializers.CharField(source="estate.district.code", read_only=True, help_text="区县代码")
    unit_count = serializers.IntegerField(read_only=True, help_text="房屋套数")

    class Meta:
        model = Building
        fields = ["id", "estate", "district", "name", "floors", "has_lift", "unit_count", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def validate_estate(self, estate):
        if self.instance is not None and estate.pk != self.instance.estate_id:
            raise serializers.ValidationError(_("楼栋不能改到其他小区。"))
        return estate


class UnitSerializer(serializers.ModelSerializer):
    building = ScopedRelatedField(queryset=Building.objects.all(), help_text="所属楼栋 id（本区县）；创建后不能更改")
    estate = serializers.PrimaryKeyRelatedField(read_only=True, help_text="小区 id（取自楼栋）")
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码（取自楼栋）")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    listing_label = serializers.CharField(source="get_listing_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "building", "estate", "district", "number", "floor", "area", "bedrooms", "layout",
                  "orientation", "has_lift", "furnished", "rent_per_sqm", "monthly_rent", "status", "status_label",
                  "listing", "listing_label", "published_at", "description", "created_at", "updated_at"]
        read_only_fields = ["has_lift", "monthly_rent", "status", "listing", "published_at", "created_at",
                            "updated_at"]
        extra_kwargs = {"rent_per_sqm": {"required": False, "allow_null": True,
                                         "help_text": "元/㎡·月；留空取小区租金标准"}}
        validators = []

    def validate_building(self, building):
        if self.instance is not None and building.pk != self.instance.building_id:
            raise serializers.ValidationError(_("房屋不能改到其他楼栋。"))
        return building


class StockOpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=500, default="",
                                    help_text="说明（记入状态变更记录）")
