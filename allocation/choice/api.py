"""Offers (选房结果) in the district API: `GET /api/v1/offers/`, scoped to the token's district, with
filters `status` and `round`, and `updated_since` for sync (DESIGN §15)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from gongzufang.api.filters import PortalFilterSet
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.views import ScopedViewSetMixin

from ..models import Offer


class OfferSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    round = serializers.IntegerField(source="round_entry.round_id", read_only=True, help_text="配租方案 id")
    waitlist_number = serializers.CharField(source="round_entry.ref", read_only=True, help_text="轮候编号")
    position = serializers.IntegerField(source="round_entry.position", read_only=True, help_text="选房顺序号")
    unit_label = serializers.CharField(source="unit.__str__", read_only=True, help_text="小区 楼栋 房号")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "district", "round", "waitlist_number", "position", "unit", "unit_label", "status",
                  "status_label", "sign_by", "chosen_at", "at_counter", "refusal_counts", "reason", "created_at",
                  "updated_at"]
        read_only_fields = fields


class OfferFilter(PortalFilterSet):
    status = filters.ChoiceFilter(choices=Offer.Status.choices)
    round = filters.NumberFilter(field_name="round_entry__round_id", help_text="配租方案 id")

    class Meta:
        model = Offer
        fields = ["status", "round"]


OFFER_EXAMPLE = {
    "id": 7, "district": "230602", "round": 3, "waitlist_number": "LH230602-2026-00012", "position": 4, "unit": 118,
    "unit_label": "萨尔图花园 3号楼 2单元301", "status": "held", "status_label": "已选定，待签约",
    "sign_by": "2026-12-09", "chosen_at": "2026-12-02T09:12:00+08:00", "at_counter": False,
    "refusal_counts": False, "reason": "", "created_at": "2026-12-02T09:12:00+08:00",
    "updated_at": "2026-12-02T09:12:00+08:00",
}


@extend_schema_view(
    list=extend_schema(summary="选房结果列表", examples=[OpenApiExample(
        "一页", response_only=True, value={"count": 1, "next": None, "previous": None, "results": [OFFER_EXAMPLE]})]),
    retrieve=extend_schema(summary="选房结果详情", examples=[
        OpenApiExample("待签约的选房结果", response_only=True, value=OFFER_EXAMPLE)]),
)
class OfferViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """选房结果：本区县轮候家庭选定的房屋、签约期限和结果（待签约、已签约、已放弃、逾期未签约、已撤销）。"""

    queryset = Offer.objects.select_related("district", "round_entry__draw", "unit__estate", "unit__building")
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    pagination_class = PageOrCursorPagination
    ordering_fields = ["chosen_at", "sign_by", "updated_at"]
    ordering = ["-chosen_at", "-id"]
