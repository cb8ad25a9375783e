"""The tenancy part of the district API (DESIGN §15): annual reviews (`household`: the lease or grant),
monitoring alerts and exit cases of the token's district; read-only, filterable, `updated_since`."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import TextFilter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.views import ScopedViewSetMixin

from .models import (
    AlertStatus,
    AnnualReview,
    ExitCase,
    ExitGround,
    ExitStatus,
    MonitoringAlert,
    ReviewOutcome,
    ReviewStatus,
)

HOUSEHOLD_SCHEMA = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["lease", "grant"]},
                                                     "id": {"type": "integer"}, "number": {"type": "string"},
                                                     "holder": {"type": "string"}}}


@extend_schema_field(HOUSEHOLD_SCHEMA)
class HouseholdField(serializers.Field):
    """{"kind": "lease"|"grant", "id", "number", "holder"}."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        if obj.lease_id:
            return {"kind": "lease", "id": obj.lease_id, "number": obj.lease.number, "holder": obj.holder_name}
        return {"kind": "grant", "id": obj.grant_id, "number": obj.grant.number if obj.grant_id else "",
                "holder": obj.holder_name}




class ReviewSerializer(serializers.ModelSerializer):
    household = HouseholdField(help_text="年审对象：公租房合同（lease）或租赁补贴（grant）")
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = AnnualReview
        fields = ["id", "number", "household", "district", "year", "anniversary", "opens_on", "due_on", "status",
                  "status_label", "no_change", "declared_at", "outcome", "outcome_label", "decided_at",
                  "updated_at"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    household = serializers.SerializerMethodField(help_text="家庭：公租房合同、租赁补贴或轮候申请")
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MonitoringAlert
        fields = ["id", "household", "district", "member_name", "department", "kind", "fact", "source", "fact_date",
                  "due_on", "status", "status_label", "resolution", "resolution_note", "resolved_at", "updated_at"]
        read_only_fields = fields

    def get_household(self, obj) -> dict:
        return {"kind": obj.household_kind, "lease_id": obj.lease_id, "grant_id": obj.grant_id,
                "holder": obj.holder_name}


class ExitSerializer(serializers.ModelSerializer):
    household = HouseholdField(help_text="退出对象：公租房合同（lease）或租赁补贴（grant）")
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ground_label = serializers.CharField(source="get_ground_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ExitCase
        fields = ["id", "number", "household", "district", "ground", "ground_label", "origin", "status",
                  "status_label", "statement_due", "decided_at", "contract_rent_until", "market_rent_from",
                  "market_monthly_rent", "deposit", "deductions_total", "refund_amount", "closed_at", "updated_at"]
        read_only_fields = fields


class ReviewFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    outcome = filters.ChoiceFilter(choices=ReviewOutcome.choices)
    year = filters.NumberFilter()
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte", help_text="申报截止日不晚于")

    class Meta:
        model = AnnualReview
        fields = ["status", "outcome", "year", "district", "due_before"]


class AlertFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AlertStatus.choices)
    department = TextFilter()
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")

    class Meta:
        model = MonitoringAlert
        fields = ["status", "department", "district"]


class ExitFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ExitStatus.choices)
    ground = filters.ChoiceFilter(choices=ExitGround.choices)
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")

    class Meta:
        model = ExitCase
        fields = ["status", "ground", "district"]


REVIEW_EXAMPLE = {
    "id": 3, "number": "NS2026L00000012", "household": {"kind": "lease", "id": 12, "number": "GZF2306022025000012",
                                                        "holder": "王丽"},
    "district": "230602", "year": 2026, "anniversary": "2026-12-20", "opens_on": "2026-11-20", "due_on": "2026-12-20",
    "status": "decided", "status_label": "已作出结论", "no_change": True, "declared_at": "2026-11-22T09:00:00+08:00",
    "outcome": "continue", "outcome_label": "继续保障", "decided_at": "2026-11-25T10:00:00+08:00",
    "updated_at": "2026-11-25T10:00:00+08:00",
}
ALERT_EXAMPLE = {
    "id": 7, "household": {"kind": "lease", "lease_id": 12, "grant_id": None, "holder": "王丽"}, "district": "230602",
    "member_name": "李明", "department": "vehicles", "kind": "vehicle",
    "fact": "新增机动车 1 辆，车辆评估价值合计 150000.00 元", "source": "公安车辆管理部门 2026-12-01 查询",
    "fact_date": "2026-12-01", "due_on": "2026-12-15", "status": "open", "status_label": "待处理", "resolution": "",
    "resolution_note": "", "resolved_at": None, "updated_at": "2026-12-01T02:30:00+08:00",
}
EXIT_EXAMPLE = {
    "id": 5, "number": "TC20261201A1B2C3", "household": {"kind": "lease", "id": 12, "number": "GZF2306022025000012",
                                                         "holder": "王丽"},
    "district": "230602", "ground": "sublet", "ground_label": "转租转借", "origin": "caseworker", "status": "move_out",
    "status_label": "腾退期", "statement_due": "2026-12-08", "decided_at": "2026-12-09T10:00:00+08:00",
    "contract_rent_until": "2027-02-08", "market_rent_from": "2027-02-09", "market_monthly_rent": "1000.00",
    "deposit": "0.00", "deductions_total": "0.00", "refund_amount": "0.00", "closed_at": None,
    "updated_at": "2026-12-09T10:00:00+08:00",
}


def _page(example):
    return {"count": 1, "next": None, "previous": None, "results": [example]}


class _ReadOnly(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = PageOrCursorPagination


@extend_schema_view(
    list=extend_schema(summary="资格年审列表", examples=[
        OpenApiExample("一页", response_only=True, value=_page(REVIEW_EXAMPLE))]),
    retrieve=extend_schema(summary="资格年审详情", examples=[
        OpenApiExample("一件年审", response_only=True, value=REVIEW_EXAMPLE)]),
)
class AnnualReviewViewSet(_ReadOnly):
    """资格年审：本区县公租房承租家庭和租赁补贴家庭的年审及其申报期限、结论。"""

    queryset = AnnualReview.objects.select_related("district", "lease", "grant")
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["due_on", "number", "updated_at"]
    ordering = ["due_on", "id"]


@extend_schema_view(
    list=extend_schema(summary="动态监管预警列表", examples=[
        OpenApiExample("一页", response_only=True, value=_page(ALERT_EXAMPLE))]),
    retrieve=extend_schema(summary="动态监管预警详情", examples=[
        OpenApiExample("一条预警", response_only=True, value=ALERT_EXAMPLE)]),
)
class MonitoringAlertViewSet(_ReadOnly):
    """动态监管预警：部门数据变化（房产、车辆、死亡、低保、工商、户籍），含事实、来源、日期和处理结果。"""

    queryset = MonitoringAlert.objects.select_related("district")
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["due_on", "fact_date", "updated_at"]
    ordering = ["due_on", "id"]


@extend_schema_view(
    list=extend_schema(summary="退出事项列表", examples=[
        OpenApiExample("一页", response_only=True, value=_page(EXIT_EXAMPLE))]),
    retrieve=extend_schema(summary="退出事项详情", examples=[
        OpenApiExample("一件退出", response_only=True, value=EXIT_EXAMPLE)]),
)
class ExitCaseViewSet(_ReadOnly):
    """退出事项：退出理由、陈述申辩期、腾退期与租金、押金结算。"""

    queryset = ExitCase.objects.select_related("district", "lease", "grant")
    serializer_class = ExitSerializer
    filterset_class = ExitFilter
    ordering_fields = ["created_at", "number", "updated_at"]
    ordering = ["-created_at", "-id"]
