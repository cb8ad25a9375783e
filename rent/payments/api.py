"""The payment half of the district API (DESIGN §15): `GET /api/v1/payment-orders/` (filters `status`,
`order_no`) and `GET /api/v1/payments/` (filter `order_no`), the token's district only."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import PortalFilterSet, TextFilter
from gongzufang.api.views import ScopedViewSetMixin
from rent.models import OrderStatus, Payment, PaymentMethod, PaymentOrder


class PaymentOrderSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    lease = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="租赁合同编号")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    bills = serializers.SerializerMethodField(help_text="订单所缴账单的账期（YYYY-MM）与本次应缴金额")

    class Meta:
        model = PaymentOrder
        fields = ["id", "order_no", "amount", "status", "status_label", "district", "lease", "subject", "bills",
                  "created_at", "expires_at", "paid_at", "bank_txn_id", "updated_at"]
        read_only_fields = fields

    def get_bills(self, order) -> list[dict]:
        return [{"bill": ob.bill_id, "period": f"{ob.bill.period:%Y-%m}", "amount": str(ob.amount)}
                for ob in order.order_bills.all()]


class PaymentSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    lease = serializers.SlugRelatedField(slug_field="number", read_only=True, help_text="租赁合同编号")
    order_no = serializers.CharField(source="order.order_no", read_only=True, allow_null=True, default=None,
                                     help_text="网上支付的订单号；柜台缴费为空")
    method_label = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "receipt_no", "method", "method_label", "amount", "order_no", "bank_txn_id", "district",
                  "lease", "paid_at", "created_at"]
        read_only_fields = fields


class PaymentOrderFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    order_no = TextFilter(field_name="order_no", help_text="订单号（完全一致）")

    class Meta:
        model = PaymentOrder
        fields = ["status", "order_no"]


class PaymentFilter(PortalFilterSet):
    order_no = TextFilter(field_name="order__order_no", help_text="网上支付的订单号（完全一致）")
    method = filters.ChoiceFilter(choices=PaymentMethod.choices)

    class Meta:
        model = Payment
        fields = ["order_no", "method"]


ORDER_EXAMPLE = {
    "id": 7, "order_no": "PO202612010123456789", "amount": "1000.00", "status": "paid", "status_label": "已支付",
    "district": "230602", "lease": "SEZ-2026-0001", "subject": "公租房租金 2026年11月、2026年12月",
    "bills": [{"bill": 31, "period": "2026-11", "amount": "500.00"}, {"bill": 32, "period": "2026-12", "amount": "500.00"}],
    "created_at": "2026-12-01T10:00:00+08:00", "expires_at": "2026-12-01T10:30:00+08:00",
    "paid_at": "2026-12-01T10:02:13+08:00", "bank_txn_id": "CCB20261201A1B2C300000001",
    "updated_at": "2026-12-01T10:02:14+08:00",
}
PAYMENT_EXAMPLE = {
    "id": 5, "receipt_no": "SJ2026120112345678", "method": "online", "method_label": "网上支付", "amount": "1000.00",
    "order_no": "PO202612010123456789", "bank_txn_id": "CCB20261201A1B2C300000001", "district": "230602",
    "lease": "SEZ-2026-0001", "paid_at": "2026-12-01T10:02:13+08:00", "created_at": "2026-12-01T10:02:14+08:00",
}


def _page(row):
    return {"count": 1, "next": None, "previous": None, "results": [row]}


@extend_schema_view(
    list=extend_schema(summary="缴费订单列表", examples=[OpenApiExample("一页", response_only=True, value=_page(ORDER_EXAMPLE))]),
    retrieve=extend_schema(summary="缴费订单详情", examples=[OpenApiExample("已支付的订单", response_only=True,
                                                                     value=ORDER_EXAMPLE)]),
)
class PaymentOrderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """缴费订单：承租人网上缴费时生成，状态 pending（待支付）、paid（已支付）、failed（支付失败）、expired（已过期）。"""

    queryset = PaymentOrder.objects.select_related("district", "lease").prefetch_related("order_bills__bill")
    serializer_class = PaymentOrderSerializer
    filterset_class = PaymentOrderFilter
    ordering_fields = ["created_at", "updated_at", "amount"]
    ordering = ["-created_at", "-id"]


@extend_schema_view(
    list=extend_schema(summary="缴费记录列表", examples=[OpenApiExample("一页", response_only=True, value=_page(PAYMENT_EXAMPLE))]),
    retrieve=extend_schema(summary="缴费记录详情", examples=[OpenApiExample("网上支付", response_only=True,
                                                                     value=PAYMENT_EXAMPLE)]),
)
class PaymentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """缴费记录：网上支付、柜台现金或 POS、对账认定入账；每笔对应一张电子收据。"""

    queryset = Payment.objects.select_related("district", "lease", "order")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["paid_at", "amount"]
    ordering = ["-paid_at", "-id"]
