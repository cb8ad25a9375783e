"""The feedback part of the district API (DESIGN §15): `GET /api/v1/feedback/` (the token's district,
filterable) and `POST /api/v1/feedback/{id}/reply/`, which calls the same service as the admin."""

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzufang.api.filters import TextFilter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.views import ScopedViewSetMixin

from . import services
from .models import TEXT_MAX, Category, Channel, Feedback, Kind, Status


class FeedbackSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="承办区县代码")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submitter = serializers.SerializerMethodField(help_text="提交人姓名；对工作人员的匿名投诉，区县令牌只见“匿名”")
    estate = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    unit = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    application = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="未答复且已过答复期限")
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "number", "kind", "kind_label", "category", "category_label", "status", "status_label",
                  "handling_level", "district", "channel", "hotline_reference", "text", "submitter", "estate", "unit",
                  "application", "submitted_at", "reply_due", "reply_due_provisional", "overdue", "reply",
                  "replied_at", "escalated_at", "closed_at", "photo_count", "updated_at"]
        read_only_fields = fields

    def get_submitter(self, obj) -> str:
        return obj.submitter_label(self.context["request"].auth)

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    def get_photo_count(self, obj) -> int:
        return len(obj.photos.all())


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=TEXT_MAX, help_text="答复内容；提交人将收到短信和站内消息")


class FeedbackFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    kind = filters.ChoiceFilter(choices=Kind.choices)
    category = filters.ChoiceFilter(choices=Category.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices)
    district = TextFilter(field_name="district__code", help_text="承办区县代码，如 230602")
    submitted_from = filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte")
    submitted_to = filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte")
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="true：未答复且已过答复期限")

    class Meta:
        model = Feedback
        fields = ["status", "kind", "category", "channel", "district", "submitted_from", "submitted_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


FEEDBACK_EXAMPLE = {
    "id": 12, "number": "YJ202611260003", "kind": "complaint", "kind_label": "投诉", "category": "repair",
    "category_label": "维修", "status": "submitted", "status_label": "待答复", "handling_level": "district",
    "district": "230602", "channel": "online", "hotline_reference": "", "text": "楼道灯坏了一个月无人修理。",
    "submitter": "王*", "estate": "惠民家园", "unit": "3-2-501", "application": None,
    "submitted_at": "2026-11-26T09:12:00+08:00", "reply_due": "2026-12-03", "reply_due_provisional": False,
    "overdue": False, "reply": "", "replied_at": None, "escalated_at": None, "closed_at": None, "photo_count": 1,
    "updated_at": "2026-11-26T09:12:00+08:00",
}


@extend_schema_view(
    list=extend_schema(summary="意见反馈列表", examples=[OpenApiExample(
        "一页", response_only=True, value={"count": 1, "next": None, "previous": None, "results": [FEEDBACK_EXAMPLE]})]),
    retrieve=extend_schema(summary="意见反馈详情", examples=[
        OpenApiExample("一件投诉", response_only=True, value=FEEDBACK_EXAMPLE)]),
)
class FeedbackViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """意见反馈（投诉、建议、咨询、报修）：本区县的事项及其答复期限；可答复。"""

    queryset = Feedback.objects.select_related("district", "submitter", "estate", "unit", "application") \
        .prefetch_related("photos")
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    pagination_class = PageOrCursorPagination  # incremental sync: ?updated_since=…&ordering=updated_at&cursor=
    ordering_fields = ["submitted_at", "reply_due", "number", "updated_at"]
    ordering = ["reply_due", "id"]

    @extend_schema(request=ReplySerializer, responses={200: FeedbackSerializer}, summary="答复意见反馈",
                   examples=[OpenApiExample("答复", request_only=True, value={"reply": "已安排物业三日内维修。"}),
                             OpenApiExample("已答复", response_only=True,
                                            value={**FEEDBACK_EXAMPLE, "status": "replied", "status_label": "已答复",
                                                   "reply": "已安排物业三日内维修。",
                                                   "replied_at": "2026-11-27T10:00:00+08:00"})])
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """答复一件未答复的事项（含已转市级督办的）；已答复的再次答复返回 409。"""
        feedback = self.get_object()  # another district's id: 404
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answered = services.feedback_reply(feedback=feedback, actor=request.auth, text=body.validated_data["reply"])
        return Response(FeedbackSerializer(self.get_queryset().get(pk=answered.pk), context={"request": request}).data)
