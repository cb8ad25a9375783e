"""The housing part of the district API (DESIGN §15): estates, buildings and units of the token's
district — list, read, create, change — and publishing or withdrawing units (发布房源) and estates.

Viewsets parse, scope and call housing/services.py; nothing here writes a row itself. The person
recorded on a change is the token's acting caseworker (ApiClient.acting_user) or, without one, the
system, with the token's name in the reason.
"""

import django_filters
from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzufang.api.errors import call_service
from gongzufang.api.filters import IdFilter, TextFilter, UpdatedSinceFilter, amount_filter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.permissions import acting_user_of
from gongzufang.api.views import ScopedViewSetMixin

from . import services
from .filtersets import AREA_MAX, BEDROOM_CHOICES, RENT_MAX, UnitFilterSet
from .models import Building, Estate, Unit
from .serializers import BuildingSerializer, EstateSerializer, StockOpinionSerializer, UnitSerializer

WRITE_METHODS = ["get", "post", "patch", "head", "options"]

ESTATE_ROW = {
    "id": 12, "name": "东湖公租房小区", "district": "230602", "street": "230602001", "address": "萨尔图区东湖路 8 号",
    "latitude": "46.589300", "longitude": "125.104500", "description": "", "facilities": "社区卫生服务站\n公交站",
    "rent_per_sqm": "8.00", "built_year": 2015, "is_published": True, "published_at": "2026-03-02T09:00:00+08:00",
    "building_count": 6, "created_at": "2026-03-01T10:12:00+08:00", "updated_at": "2026-03-02T09:00:00+08:00",
}
BUILDING_ROW = {"id": 34, "estate": 12, "district": "230602", "name": "3号楼", "floors": 11, "has_lift": True,
                "unit_count": 88, "updated_at": "2026-03-02T09:00:00+08:00"}
UNIT_ROW = {
    "id": 501, "building": 34, "estate": 12, "district": "230602", "number": "2单元301", "floor": 3, "area": "45.60",
    "bedrooms": 1, "layout": "一室一厅一卫", "orientation": "s", "has_lift": True, "furnished": True,
    "rent_per_sqm": "8.00", "monthly_rent": "364.80", "status": "vacant", "status_label": "空置可配",
    "listing": "published", "listing_label": "已发布", "published_at": "2026-03-05T09:30:00+08:00", "description": "",
    "created_at": "2026-03-01T10:20:00+08:00", "updated_at": "2026-03-05T09:30:00+08:00",
}


def _shown(name, row):
    return OpenApiExample(name, value=row, response_only=True)


def _reason(request, opinion):
    """What the status record says: the caller's opinion, always naming the token."""
    via = _("接口：%(name)s") % {"name": request.auth.name}
    return f"{opinion}（{via}）" if opinion else via


class CreatePatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """List, read, create and change (PATCH); no delete: stock leaves through its status."""

    http_method_names = WRITE_METHODS

    def actor(self):
        return acting_user_of(self.request.auth, required=False)

    def refreshed(self, instance):
        # Read back through the list's queryset: the response shows exactly what a GET would.
        return self.get_serializer(self.get_queryset().get(pk=instance.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.refreshed(serializer.instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        # Only PATCH is offered: fields left out keep their values.
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.refreshed(serializer.instance))


# --- estates --------------------------------------------------------------------------------------


class EstateFilterSet(django_filters.FilterSet):
    name = TextFilter(lookup_expr="contains", help_text="小区名称包含")
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")
    street = TextFilter(field_name="street__code", help_text="街道/镇代码")
    is_published = django_filters.BooleanFilter(help_text="是否已在门户公开")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Estate
        fields = ["name", "district", "street", "is_published", "updated_since"]


ESTATE_EXAMPLE = OpenApiExample(
    "新建小区", request_only=True,
    value={"name": "东湖公租房小区", "street": "230602001", "address": "萨尔图区东湖路 8 号", "rent_per_sqm": "8.00",
           "built_year": 2015, "facilities": "社区卫生服务站\n公交站"},
)


@extend_schema_view(
    list=extend_schema(summary="小区列表", examples=[_shown("小区", ESTATE_ROW)]),
    retrieve=extend_schema(summary="小区详情", examples=[_shown("小区", ESTATE_ROW)]),
    create=extend_schema(summary="新建小区", examples=[ESTATE_EXAMPLE]),
    partial_update=extend_schema(summary="修改小区",
                                 examples=[OpenApiExample("改地址", request_only=True, value={"address": "东湖路 10 号"})]),
)
class EstateViewSet(CreatePatchViewSet):
    """公租房小区。区县令牌只能看到、新建和修改本区县的小区；街道只能是本区县的街道。"""

    queryset = Estate.objects.select_related("district", "street").annotate(building_count=Count("buildings"))
    serializer_class = EstateSerializer
    filterset_class = EstateFilterSet
    pagination_class = PageOrCursorPagination
    ordering_fields = ["id", "name", "updated_at"]
    ordering = ["id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        estate = call_service(services.estate_create, name=data.pop("name"), street=data.pop("street"),
                              address=data.pop("address"), actor=self.actor(), **data)
        serializer.instance = estate

    def perform_update(self, serializer):
        estate = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(estate, name, value)
        call_service(services.estate_save, estate=estate, actor=self.actor())

    @extend_schema(request=StockOpinionSerializer, responses={200: EstateSerializer}, summary="公开小区",
                   examples=[OpenApiExample("公开", request_only=True, value={"opinion": "竣工验收完成"})])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """在门户公开该小区（及其已发布的房屋）；已公开的返回 409。"""
        estate = self.get_object()
        body = StockOpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.estate_publish(estate=estate, actor=self.actor(), opinion=_reason(request, body.validated_data["opinion"]))
        return Response(self.refreshed(estate))

    @extend_schema(request=StockOpinionSerializer, responses={200: EstateSerializer}, summary="撤回小区",
                   examples=[OpenApiExample("撤回", request_only=True, value={"opinion": "整体改造"})])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """从门户撤下该小区；房屋保留各自的发布状态，重新公开后再次显示。未公开的返回 409。"""
        estate = self.get_object()
        body = StockOpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.estate_withdraw(estate=estate, actor=self.actor(), opinion=_reason(request, body.validated_data["opinion"]))
        return Response(self.refreshed(estate))


# --- buildings ------------------------------------------------------------------------------------


class BuildingFilterSet(django_filters.FilterSet):
    estate = IdFilter(field_name="estate_id", help_text="小区 id")
    district = TextFilter(field_name="estate__district__code", help_text="区县代码")
    has_lift = django_filters.BooleanFilter(help_text="是否有电梯：true 或 false")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Building
        fields = ["estate", "district", "has_lift", "updated_since"]


@extend_schema_view(
    list=extend_schema(summary="楼栋列表", examples=[_shown("楼栋", BUILDING_ROW)]),
    retrieve=extend_schema(summary="楼栋详情", examples=[_shown("楼栋", BUILDING_ROW)]),
    create=extend_schema(summary="新建楼栋", examples=[OpenApiExample(
        "新建楼栋", request_only=True, value={"estate": 12, "name": "3号楼", "floors": 11, "has_lift": True})]),
    partial_update=extend_schema(summary="修改楼栋", examples=[OpenApiExample(
        "加装电梯", request_only=True, value={"has_lift": True})]),
)
class BuildingViewSet(CreatePatchViewSet):
    """楼栋。只能建在本区县的小区；加装电梯等修改会同步到楼内房屋。"""

    queryset = Building.objects.select_related("estate__district").annotate(unit_count=Count("units"))
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    pagination_class = PageOrCursorPagination  # incremental sync: ?updated_since=…&ordering=updated_at&cursor=
    ordering_fields = ["id", "name", "updated_at"]
    ordering = ["id"]

    def perform_create(self, serializer):
        building = Building(**serializer.validated_data)
        serializer.instance = call_service(services.building_save, building=building, actor=self.actor())

    def perform_update(self, serializer):
        building = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(building, name, value)
        call_service(services.building_save, building=building, actor=self.actor())


# --- units ----------------------------------------------------------------------------------------


class ApiUnitFilterSet(UnitFilterSet):
    """The public search's FilterSet (housing/filtersets.py) plus what a district system also needs:
    every status and listing, the building, and `updated_since`. Order with `ordering`.

    The public page's number and district filters are built for its form (forgiving, choices from the
    database); here they are redeclared with the same meaning and their bounds in the schema, so that
    every value the schema allows is answered."""

    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")
    estate = IdFilter(field_name="estate_id", help_text="小区 id")
    bedrooms = extend_schema_field({"type": "string", "enum": [c for c, _label in BEDROOM_CHOICES]})(
        django_filters.ChoiceFilter(choices=BEDROOM_CHOICES, method="filter_bedrooms",
                                    help_text="居室：0 开间，1 一居室，2 两居室，3 三居室及以上"))
    area_min = amount_filter(field_name="area", lookup_expr="gte", maximum=AREA_MAX, help_text="面积不小于（㎡）")
    area_max = amount_filter(field_name="area", lookup_expr="lte", maximum=AREA_MAX, help_text="面积不大于（㎡）")
    rent_min = amount_filter(field_name="monthly_rent", lookup_expr="gte", maximum=RENT_MAX,
                             help_text="月租金不低于（元）")
    rent_max = amount_filter(field_name="monthly_rent", lookup_expr="lte", maximum=RENT_MAX,
                             help_text="月租金不高于（元）")
    status = django_filters.ChoiceFilter(choices=Unit.Status.choices, help_text="房屋状态")
    listing = django_filters.ChoiceFilter(choices=Unit.Listing.choices, help_text="发布状态")
    building = IdFilter(field_name="building_id", help_text="楼栋 id")
    updated_since = UpdatedSinceFilter()

    class Meta(UnitFilterSet.Meta):
        fields = [*UnitFilterSet.Meta.fields, "status", "listing", "building", "updated_since"]
        # A range given upside down matches nothing here; the public form's cross-field message is
        # for a person at a form.
        form = forms.Form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["district"].extra.pop("choices", None)  # set by the public FilterSet for its select

    def filter_queryset(self, queryset):
        # Skip the public page's default sort: the API orders by `ordering`.
        return django_filters.FilterSet.filter_queryset(self, queryset)


# The public page's `sort` is the API's `ordering`.
del ApiUnitFilterSet.base_filters["sort"]


UNIT_EXAMPLE = OpenApiExample(
    "新建房屋", request_only=True,
    value={"building": 34, "number": "2单元301", "floor": 3, "area": "45.60", "bedrooms": 1, "layout": "一室一厅一卫",
           "orientation": "s", "furnished": True},
)


@extend_schema_view(
    list=extend_schema(summary="房屋列表", description="可用 `?cursor=` 游标分页，深翻页仍然快；"
                                                        "增量同步：`?updated_since=…&ordering=updated_at&cursor=`。",
                       examples=[_shown("房屋", UNIT_ROW)]),
    retrieve=extend_schema(summary="房屋详情", examples=[_shown("房屋", UNIT_ROW)]),
    create=extend_schema(summary="新建房屋", examples=[UNIT_EXAMPLE]),
    partial_update=extend_schema(summary="修改房屋", examples=[OpenApiExample(
        "改面积", request_only=True, value={"area": "46.20", "description": "南向，采光好"})]),
)
class UnitViewSet(CreatePatchViewSet):
    """房屋。状态与发布只能通过 publish / withdraw 变更，均有记录；月租金由面积和租金标准计算。"""

    queryset = Unit.objects.select_related("district")
    serializer_class = UnitSerializer
    filterset_class = ApiUnitFilterSet
    pagination_class = PageOrCursorPagination
    ordering_fields = ["id", "updated_at", "monthly_rent", "area", "number"]
    ordering = ["id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.get("rent_per_sqm") is None:
            data.pop("rent_per_sqm", None)
        serializer.instance = call_service(
            services.unit_create, building=data.pop("building"), number=data.pop("number"), floor=data.pop("floor"),
            area=data.pop("area"), bedrooms=data.pop("bedrooms"), actor=self.actor(), **data,
        )

    def perform_update(self, serializer):
        unit = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(unit, name, value)
        call_service(services.unit_save, unit=unit, actor=self.actor())

    @extend_schema(request=StockOpinionSerializer, responses={200: UnitSerializer}, summary="发布房屋（发布房源）",
                   examples=[OpenApiExample("发布", request_only=True, value={"opinion": "验收合格，可配租"})])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """在门户发布该房屋。只有空置可配的房屋可以发布；已发布或状态不符返回 409 及原因。"""
        unit = self.get_object()
        body = StockOpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.unit_publish(unit=unit, actor=self.actor(), opinion=_reason(request, body.validated_data["opinion"]))
        return Response(self.refreshed(unit))

    @extend_schema(request=StockOpinionSerializer, responses={200: UnitSerializer}, summary="撤回房屋",
                   examples=[OpenApiExample("撤回", request_only=True, value={"opinion": "已线下配租"})])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """从门户撤回该房屋；未发布的返回 409。"""
        unit = self.get_object()
        body = StockOpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.unit_withdraw(unit=unit, actor=self.actor(), opinion=_reason(request, body.validated_data["opinion"]))
        return Response(self.refreshed(unit))
