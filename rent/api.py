"""Leases and bills in the district API (DESIGN §15): `GET /api/v1/leases/` and `GET /api/v1/bills/`,
the token's district only, read-only (leases are made from offers, bills by the monthly run)."""

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import PortalFilterSet, TextFilter
from gongzufang.api.views import ScopedViewSetMixin

from .models import Bill, BillStatus, Lease, LeaseStatus


class LeaseSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    estate = serializers.CharField(source="unit.estate.name", read_only=True)
    unit = serializers.SerializerMethodField(help_text="楼栋与房号")
    unit_id = serializers.IntegerField(read_only=True)
    arrears_flagged = serializers.SerializerMethodField(help_text="累计欠租达到退出标准（exit.arrears_months）")

    class Meta:
        model = Lease
        fields = ["id", "number", "status", "status_label", "district", "tenant_name", "category", "category_label",
                  "household_size", "estate", "unit", "unit_id", "start_on", "end_on", "term_years", "area",
                  "rent_per_sqm", "coefficient", "monthly_rent", "deposit_months", "deposit", "contract_sha256",
                  "signed_at", "signed_pdf_sha256", "arrears_amount", "arrears_months", "arrears_flagged",
                  "ended_on", "created_at", "updated_at"]
        read_only_fields = fields

    def get_unit(self, lease) -> str:
        return f"{lease.unit.building.name} {lease.unit.number}"

    def get_arrears_flagged(self, lease) -> bool:
        return lease.arrears_flagged_at is not None


class BillSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    lease = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="租赁合同编号")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    period = serializers.SerializerMethodField(help_text="账期（YYYY-MM）")
    overdue = serializers.SerializerMethodField(help_text="已过缴费截止日仍未缴清")

    class Meta:
        model = Bill
        fields = ["id", "lease", "district", "period", "period_start", "period_end", "days", "days_in_period",
                  "monthly_rent", "amount", "amount_paid", "due_on", "status", "status_label", "overdue", "paid_at",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_period(self, bill) -> str:
        return f"{bill.period:%Y-%m}"

    def get_overdue(self, bill) -> bool:
        return bill.status != BillStatus.PAID and bill.due_on < timezone.localdate()


class LeaseFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=LeaseStatus.choices)
    number = TextFilter(field_name="number", help_text="合同编号（完全一致）")
    arrears_flagged = filters.BooleanFilter(field_name="arrears_flagged_at", lookup_expr="isnull", exclude=True,
                                            help_text="true：累计欠租达到退出标准")

    class Meta:
        model = Lease
        fields = ["status", "number", "arrears_flagged"]


class BillFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=BillStatus.choices)
    lease = TextFilter(field_name="lease__number", help_text="租赁合同编号（完全一致）")
    period = filters.DateFilter(method="filter_period", input_formats=["%Y-%m"], help_text="账期，如 2026-12")
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="true：已过缴费截止日仍未缴清")

    class Meta:
        model = Bill
        fields = ["status", "lease", "period", "overdue"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.replace(day=1))

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


LEASE_EXAMPLE = {
    "id": 3, "number": "GZF2306022026000003", "status": "active", "status_label": "履行中", "district": "230602",
    "tenant_name": "王丽", "category": "minimum_living", "category_label": "低保/特困", "household_size": 3,
    "estate": "益民小区", "unit": "2号楼 1单元302", "unit_id": 41, "start_on": "2026-12-01", "end_on": "2029-11-30",
    "term_years": 3, "area": "52.30", "rent_per_sqm": "8.00", "coefficient": "0.10", "monthly_rent": "41.84",
    "deposit_months": 2, "deposit": "83.68",
    "contract_sha256": "3f5a0c9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
    "signed_at": "2026-11-28T10:12:00+08:00",
    "signed_pdf_sha256": "3f5a0c9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
    "arrears_amount": "0.00", "arrears_months": "0.00", "arrears_flagged": False, "ended_on": None,
    "created_at": "2026-11-27T09:00:00+08:00", "updated_at": "2026-11-28T10:12:00+08:00",
}
BILL_EXAMPLE = {
    "id": 31, "lease": "GZF2306022026000003", "district": "230602", "period": "2026-12", "period_start": "2026-12-01",
    "period_end": "2026-12-31", "days": 31, "days_in_period": 31, "monthly_rent": "41.84", "amount": "41.84",
    "amount_paid": "0.00", "due_on": "2026-12-10", "status": "unpaid", "status_label": "待缴", "overdue": False,
    "paid_at": None, "created_at": "2026-12-01T01:00:00+08:00", "updated_at": "2026-12-01T01:00:00+08:00",
}


def _page(row):
    return {"count": 1, "next": None, "previous": None, "results": [row]}


@extend_schema_view(
    list=extend_schema(summary="租赁合同列表", examples=[OpenApiExample("一页", response_only=True, value=_page(LEASE_EXAMPLE))]),
    retrieve=extend_schema(summary="租赁合同详情", examples=[OpenApiExample("履行中的合同", response_only=True,
                                                                     value=LEASE_EXAMPLE)]),
)
class LeaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """租赁合同：租金（面积 × 租金标准 × 租金系数）、押金、租期、签约记录与欠租情况。"""

    queryset = Lease.objects.select_related("district", "unit__estate", "unit__building")
    serializer_class = LeaseSerializer
    filterset_class = LeaseFilter
    ordering_fields = ["created_at", "updated_at", "start_on", "number"]
    ordering = ["-created_at", "-id"]


@extend_schema_view(
    list=extend_schema(summary="租金账单列表", examples=[OpenApiExample("一页", response_only=True, value=_page(BILL_EXAMPLE))]),
    retrieve=extend_schema(summary="租金账单详情", examples=[OpenApiExample("待缴账单", response_only=True,
                                                                     value=BILL_EXAMPLE)]),
)
class BillViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """租金账单：每份合同每个账期一张；起租、退租当月按天折算；每月 10 日前缴清。"""

    queryset = Bill.objects.select_related("district", "lease")
    serializer_class = BillSerializer
    filterset_class = BillFilter
    ordering_fields = ["period", "due_on", "updated_at", "amount"]
    ordering = ["-period", "lease_id"]
