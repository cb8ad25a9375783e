from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import viewsets

from gongzufang.models import Community, District, PolicyParameter, Street

from .filters import TextFilter
from .serializers import DistrictSerializer, PolicyParameterSerializer


class ScopedViewSetMixin:
    """Base of every API viewset: the queryset passes through the one scoping method."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.auth)


class DistrictViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """区县及其街道、社区。区县令牌只能看到本区县。"""

    queryset = District.objects.prefetch_related(
        Prefetch("streets", queryset=Street.objects.prefetch_related(Prefetch("communities", queryset=Community.objects.order_by("code"))))
    )
    serializer_class = DistrictSerializer
    ordering_fields = ["code"]
    ordering = ["code"]


class PolicyParameterFilter(filters.FilterSet):
    key = TextFilter(lookup_expr="startswith", help_text="参数键前缀，如 review.")
    district = TextFilter(field_name="district__code", help_text="区县代码，如 230602")
    on_or_before = filters.DateFilter(field_name="effective_from", lookup_expr="lte")

    class Meta:
        model = PolicyParameter
        fields = ["key", "district", "on_or_before"]


class PolicyParameterViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """政策参数（只读）：每个取值及其生效日期、适用区县与政策依据。"""

    queryset = PolicyParameter.objects.select_related("district")
    serializer_class = PolicyParameterSerializer
    filterset_class = PolicyParameterFilter
    ordering_fields = ["key", "effective_from"]
    ordering = ["key", "-effective_from"]
