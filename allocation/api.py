"""The waitlist and the allocation rounds in the district API (DESIGN §15): `GET /api/v1/waitlist/` and
`GET /api/v1/allocation-rounds/`, scoped to the token's district, with `updated_since` for sync."""

from django.db.models import Count
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import PortalFilterSet, TextFilter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.views import ScopedViewSetMixin
from gongzufang.parameters import PRIORITY_GROUPS

from .models import AllocationRound, WaitlistEntry
from .services import GENERAL_LABEL


class WaitlistEntrySerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    application = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="申请编号")
    priority_group_label = serializers.SerializerMethodField(help_text="优先类别名称")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = ["id", "number", "application", "district", "priority_group", "priority_group_label", "group_rank",
                  "qualified_on", "household_size", "max_bedrooms", "refusals", "suspended_until", "status",
                  "status_label", "left_on", "leave_reason", "created_at", "updated_at"]
        read_only_fields = fields

    def get_priority_group_label(self, obj) -> str:
        return PRIORITY_GROUPS.get(obj.priority_group, GENERAL_LABEL)


class WaitlistFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=WaitlistEntry.Status.choices)
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")
    number = TextFilter(field_name="number", help_text="轮候编号")
    priority_group = TextFilter(field_name="priority_group", help_text="优先类别代码；一般轮候家庭为空")

    class Meta:
        model = WaitlistEntry
        fields = ["status", "district", "number", "priority_group"]


ENTRY_EXAMPLE = {
    "id": 12, "number": "LH230602-2026-00012", "application": "GZF20260601123456", "district": "230602",
    "priority_group": "minimum_living", "priority_group_label": "低保/特困", "group_rank": 1,
    "qualified_on": "2026-06-02", "household_size": 3, "max_bedrooms": 2, "refusals": 0, "suspended_until": None,
    "status": "waiting", "status_label": "轮候中", "left_on": None, "leave_reason": "",
    "created_at": "2026-06-02T10:00:00+08:00", "updated_at": "2026-06-02T10:00:00+08:00",
}


@extend_schema_view(
    list=extend_schema(summary="轮候家庭列表（按轮候顺序）", examples=[OpenApiExample(
        "一页", response_only=True, value={"count": 1, "next": None, "previous": None, "results": [ENTRY_EXAMPLE]})]),
    retrieve=extend_schema(summary="轮候家庭详情", examples=[
        OpenApiExample("一户", response_only=True, value=ENTRY_EXAMPLE)]),
)
class WaitlistViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """轮候家庭：本区县的轮候记录，默认按轮候顺序（优先顺位、取得资格日期、申请编号）。"""

    queryset = WaitlistEntry.objects.select_related("district", "application")
    serializer_class = WaitlistEntrySerializer
    filterset_class = WaitlistFilter
    pagination_class = PageOrCursorPagination
    ordering_fields = ["group_rank", "qualified_on", "number", "updated_at"]
    ordering = ["group_rank", "qualified_on", "application_number", "id"]


class RoundSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    households = serializers.IntegerField(source="n_households", read_only=True, help_text="参加家庭户数")
    units = serializers.IntegerField(source="n_units", read_only=True, help_text="房源套数")
    secret = serializers.SerializerMethodField(help_text="种子密值；摇号前为 null")

    class Meta:
        model = AllocationRound
        fields = ["id", "name", "district", "status", "status_label", "unit_filters", "max_households",
                  "households_per_window", "window_hours", "choice_starts_at", "households", "units", "pool_hash",
                  "commitment", "secret", "public_entropy", "seed", "published_at", "drawn_at", "void_reason",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_secret(self, obj) -> str | None:
        return obj.secret if obj.seed else None


class RoundFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=AllocationRound.Status.choices)
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")

    class Meta:
        model = AllocationRound
        fields = ["status", "district"]


ROUND_EXAMPLE = {
    "id": 3, "name": "2026年第一批公租房配租", "district": "230602", "status": "drawn", "status_label": "已摇号",
    "unit_filters": {"bedrooms": [1, 2]}, "max_households": None, "households_per_window": 20, "window_hours": 48,
    "choice_starts_at": "2026-12-02T09:00:00+08:00", "households": 32, "units": 20,
    "pool_hash": "9f2c…（64 位十六进制）", "commitment": "5d41…（64 位十六进制）", "secret": "a3b1…（64 位十六进制）",
    "public_entropy": "福彩3D 2026325期 518", "seed": "c0de…（64 位十六进制）",
    "published_at": "2026-11-25T10:00:00+08:00", "drawn_at": "2026-12-01T10:00:00+08:00", "void_reason": "",
    "created_at": "2026-11-24T10:00:00+08:00", "updated_at": "2026-12-01T10:00:00+08:00",
}


@extend_schema_view(
    list=extend_schema(summary="配租方案列表", examples=[OpenApiExample(
        "一页", response_only=True, value={"count": 1, "next": None, "previous": None, "results": [ROUND_EXAMPLE]})]),
    retrieve=extend_schema(summary="配租方案详情", examples=[
        OpenApiExample("已摇号的方案", response_only=True, value=ROUND_EXAMPLE)]),
)
class AllocationRoundViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """配租方案：本区县的方案、名单哈希、种子承诺值；摇号后含种子密值、公开随机数和种子。"""

    queryset = AllocationRound.objects.select_related("district").annotate(
        n_households=Count("entries", distinct=True), n_units=Count("units", distinct=True))
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    pagination_class = PageOrCursorPagination
    ordering_fields = ["created_at", "published_at", "drawn_at", "updated_at"]
    ordering = ["-created_at", "-id"]
