"""The subsidies part of the district API (DESIGN §15): grants, batches and payments, read only,
scoped to the token's district. `/api/v1/subsidy-payments/` has one row per grant and month from the
moment that month's batch is made (pending, then paid or failed): a batch made twice shows the same rows.
Account numbers are never given, only masked."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import PortalFilterSet, TextFilter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.views import ScopedViewSetMixin

from .models import (
    CATEGORY_CHOICES,
    BatchStatus,
    GrantStatus,
    PaymentStatus,
    SubsidyBatch,
    SubsidyGrant,
    SubsidyPayment,
)


class PeriodField(serializers.DateField):
    """A month as YYYY-MM."""

    def to_representation(self, value):
        return f"{value:%Y-%m}" if value else None


class PeriodFilter(filters.CharFilter):
    """?period=2026-03 (a month)."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        from django.core.exceptions import ValidationError

        from gongzufang.errors import PortalError

        from .services import parse_period

        try:
            return qs.filter(**{self.field_name: parse_period(value)})
        except PortalError as exc:
            raise ValidationError({"period": exc.message}) from None


class GrantSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    application = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="申请编号")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    start_period = PeriodField(read_only=True)
    computation = serializers.SerializerMethodField(help_text="当前适用的核算：各项输入与所用参数行")
    account = serializers.SerializerMethodField(help_text="收款账户（账号脱敏）")

    class Meta:
        model = SubsidyGrant
        fields = ["id", "number", "application", "district", "holder_name", "category", "category_label", "status",
                  "status_label", "status_reason", "monthly_amount", "start_period", "computation", "account",
                  "approved_at", "updated_at"]
        read_only_fields = fields

    def get_computation(self, obj) -> dict | None:
        rows = sorted(obj.computations.all(), key=lambda c: c.effective_from, reverse=True)
        if not rows:
            return None
        c = rows[0]
        return {"effective_from": f"{c.effective_from:%Y-%m}", "members_counted": c.members_counted,
                "own_housing_area": str(c.own_housing_area), "area_per_person": str(c.area_per_person),
                "standard_per_sqm": str(c.standard_per_sqm), "coefficient": str(c.coefficient),
                "eligible_area": str(c.eligible_area), "uncapped_amount": str(c.uncapped_amount),
                "lease_rent": str(c.lease_rent) if c.lease_rent is not None else None, "amount": str(c.amount),
                "parameters": c.parameters}

    def get_account(self, obj) -> dict | None:
        current = [a for a in obj.accounts.all() if a.replaced_at is None]
        if not current:
            return None
        return {"holder_name": current[0].holder_name, "account_masked": current[0].masked,
                "verified": current[0].verified_at is not None}


class BatchSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    period = PeriodField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SubsidyBatch
        fields = ["id", "number", "district", "period", "status", "status_label", "line_count", "total_amount",
                  "paid_count", "failed_count", "paid_amount", "created_at", "updated_at"]
        read_only_fields = fields


class SubsidyPaymentSerializer(serializers.ModelSerializer):
    grant = serializers.PrimaryKeyRelatedField(read_only=True, help_text="补贴资格 id（/api/v1/subsidy-grants/）")
    grant_number = serializers.CharField(source="grant.number", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    batch = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="最近一次发放所在批次号")
    period = PeriodField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SubsidyPayment
        fields = ["id", "grant", "grant_number", "district", "period", "batch", "amount", "status", "status_label",
                  "attempts", "bank_reason", "bank_txn_id", "paid_at", "updated_at"]
        read_only_fields = fields


class GrantFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=GrantStatus.choices)
    category = filters.ChoiceFilter(choices=CATEGORY_CHOICES)
    number = TextFilter()

    class Meta:
        model = SubsidyGrant
        fields = ["status", "category", "number"]


class BatchFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=BatchStatus.choices)
    period = PeriodFilter(field_name="period", help_text="发放月份 YYYY-MM")

    class Meta:
        model = SubsidyBatch
        fields = ["status", "period"]


class PaymentFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=PaymentStatus.choices)
    period = PeriodFilter(field_name="period", help_text="补贴月份 YYYY-MM")
    grant = filters.NumberFilter(field_name="grant_id", help_text="补贴资格 id")
    batch = TextFilter(field_name="batch__number", help_text="批次号")

    class Meta:
        model = SubsidyPayment
        fields = ["status", "period", "grant", "batch"]


GRANT_EXAMPLE = {
    "id": 7, "number": "BTGZF20261201000123", "application": "GZF20261201000123", "district": "230602",
    "holder_name": "王丽", "category": "low_income", "category_label": "低收入", "status": "active",
    "status_label": "正常发放", "status_reason": "", "monthly_amount": "360.00", "start_period": "2027-01",
    "computation": {"effective_from": "2027-01", "members_counted": 3, "own_housing_area": "0.00",
                    "area_per_person": "15.00", "standard_per_sqm": "10.00", "coefficient": "0.8000",
                    "eligible_area": "45.00", "uncapped_amount": "360.00", "lease_rent": "1200.00", "amount": "360.00",
                    "parameters": [{"key": "subsidy.area_per_person", "value": "15.00", "row_id": 41,
                                    "effective_from": "2000-01-01", "district": None, "legal_source": "…"}]},
    "account": {"holder_name": "王丽", "account_masked": "**** **** **** 9003", "verified": True},
    "approved_at": "2026-12-01T10:00:00+08:00", "updated_at": "2026-12-01T10:00:00+08:00",
}
BATCH_EXAMPLE = {
    "id": 3, "number": "BT202701230602", "district": "230602", "period": "2027-01", "status": "results_imported",
    "status_label": "已导入银行结果", "line_count": 21, "total_amount": "6120.00", "paid_count": 20,
    "failed_count": 1, "paid_amount": "5840.00", "created_at": "2027-01-20T01:40:00+08:00",
    "updated_at": "2027-01-23T15:00:00+08:00",
}
PAYMENT_EXAMPLE = {
    "id": 55, "grant": 7, "grant_number": "BTGZF20261201000123", "district": "230602", "period": "2027-01",
    "batch": "BT202701230602", "amount": "360.00", "status": "paid", "status_label": "已发放", "attempts": 1,
    "bank_reason": "", "bank_txn_id": "DS20270123A1B2C30001", "paid_at": "2027-01-23T15:00:00+08:00",
    "updated_at": "2027-01-23T15:00:00+08:00",
}


def _page(example):
    return {"count": 1, "next": None, "previous": None, "results": [example]}


class _ReadOnly(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = PageOrCursorPagination


@extend_schema_view(
    list=extend_schema(summary="补贴资格列表", examples=[OpenApiExample("一页", response_only=True,
                                                                      value=_page(GRANT_EXAMPLE))]),
    retrieve=extend_schema(summary="补贴资格详情", examples=[OpenApiExample("一户", response_only=True,
                                                                        value=GRANT_EXAMPLE)]),
)
class GrantViewSet(_ReadOnly):
    """租赁补贴资格：状态、月补贴金额及其核算（各项输入与参数版本）、脱敏收款账户。"""

    queryset = SubsidyGrant.objects.select_related("district", "application").prefetch_related(
        "computations", "accounts")
    serializer_class = GrantSerializer
    filterset_class = GrantFilter
    ordering_fields = ["number", "updated_at", "approved_at"]
    ordering = ["id"]


@extend_schema_view(
    list=extend_schema(summary="补贴发放批次列表", examples=[OpenApiExample("一页", response_only=True,
                                                                        value=_page(BATCH_EXAMPLE))]),
    retrieve=extend_schema(summary="补贴发放批次详情", examples=[OpenApiExample("一个批次", response_only=True,
                                                                          value=BATCH_EXAMPLE)]),
)
class BatchViewSet(_ReadOnly):
    """每区县每月一个发放批次：生成 → 区县审核 → 市级复核 → 出盘 → 导入银行结果。"""

    queryset = SubsidyBatch.objects.select_related("district")
    serializer_class = BatchSerializer
    filterset_class = BatchFilter
    ordering_fields = ["period", "updated_at"]
    ordering = ["-period", "id"]


@extend_schema_view(
    list=extend_schema(summary="补贴发放记录列表", examples=[OpenApiExample("一页", response_only=True,
                                                                        value=_page(PAYMENT_EXAMPLE))]),
    retrieve=extend_schema(summary="补贴发放记录详情", examples=[OpenApiExample("一笔", response_only=True,
                                                                          value=PAYMENT_EXAMPLE)]),
)
class PaymentViewSet(_ReadOnly):
    """每个补贴资格每月一条（批次生成时出现，待发放，之后为已发放或发放失败；失败的在后续批次补发，仍是同一条）。"""

    queryset = SubsidyPayment.objects.select_related("grant", "district", "batch")
    serializer_class = SubsidyPaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["period", "updated_at"]
    ordering = ["-period", "id"]
