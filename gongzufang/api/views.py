from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.utils.functional import SimpleLazyObject
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzufang import statistics
from gongzufang.models import ApiClient, Article, ArticleAttachment, Community, District, PolicyParameter, Street
from gongzufang.scoping import scope_of

from .authentication import ApiTokenAuthentication
from .filters import PortalFilterSet, StrictFilterBackend, StrictOrderingFilter, TextFilter
from .permissions import IsApiClient
from .serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    DistrictSerializer,
    PolicyParameterSerializer,
    StatisticsQuerySerializer,
    StatisticsSerializer,
)


def detach_client(request):
    """DRF puts the authenticated API client on Django's request too, where row history
    (simple-history) reads `request.user` and expects a User. There it becomes the token's acting
    caseworker, or nobody: the services record the token itself where it matters."""
    client = request.auth
    request._request.user = SimpleLazyObject(
        lambda: client.acting_user if getattr(client, "acting_user_id", None) else AnonymousUser()
    )


class ScopedViewSetMixin:
    """Base of every API viewset: the queryset passes through the one scoping method, and an unknown
    filter or ordering is a 400 rather than silently ignored."""

    filter_backends = [StrictFilterBackend, StrictOrderingFilter]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        detach_client(request)

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.auth)


DISTRICT_ROW = {"id": 1, "code": "230602", "name": "萨尔图区", "is_county": False, "streets": [
    {"code": "230602001", "name": "萨尔图街道", "is_town": False,
     "communities": [{"code": "230602001001", "name": "萨尔图社区"}]}]}
PARAMETER_ROW = {"id": 3, "key": "review.total_workdays", "label": "审批总时限", "value": 15, "unit": "工作日",
                 "effective_from": "2026-01-01", "district": None, "legal_source": "大庆市公租房审批改革方案"}


@extend_schema_view(
    list=extend_schema(summary="区县列表", examples=[OpenApiExample("区县", value=DISTRICT_ROW, response_only=True)]),
    retrieve=extend_schema(summary="区县详情", examples=[OpenApiExample("区县", value=DISTRICT_ROW, response_only=True)]),
)
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


@extend_schema_view(
    list=extend_schema(summary="政策参数列表", examples=[OpenApiExample("参数", value=PARAMETER_ROW, response_only=True)]),
    retrieve=extend_schema(summary="政策参数", examples=[OpenApiExample("参数", value=PARAMETER_ROW, response_only=True)]),
)
class PolicyParameterViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """政策参数（只读）：每个取值及其生效日期、适用区县与政策依据。"""

    queryset = PolicyParameter.objects.select_related("district")
    serializer_class = PolicyParameterSerializer
    filterset_class = PolicyParameterFilter
    ordering_fields = ["key", "effective_from"]
    ordering = ["key", "-effective_from"]


class ArticleFilter(PortalFilterSet):
    category = TextFilter(field_name="category__code", help_text="栏目代码，如 policy、guide、notice、news")
    title = TextFilter(lookup_expr="contains", help_text="标题包含")
    published_from = filters.DateFilter(field_name="published_at__date", lookup_expr="gte", help_text="发布日期起")
    published_to = filters.DateFilter(field_name="published_at__date", lookup_expr="lte", help_text="发布日期止")

    class Meta:
        model = Article
        fields = ["category", "title", "published_from", "published_to"]


ARTICLE_ROW = {
    "id": 7, "title": "大庆市公共租赁住房保障办法解读", "summary": "申请条件、材料和办理时限一览。", "category": "policy",
    "category_name": "政策法规", "source": "大庆市住房和城乡建设局", "published_at": "2026-10-08T09:00:00+08:00",
    "updated_at": "2026-10-08T09:00:00+08:00", "url": "https://gzf.example.gov.cn/articles/7/",
    "cover_url": "https://gzf.example.gov.cn/articles/7/cover/",
}
ARTICLE_DETAIL = {**ARTICLE_ROW, "body": "<p>一、申请条件……</p>", "attachments": [
    {"id": 3, "title": "管理办法全文", "size": 120433, "url": "https://gzf.example.gov.cn/articles/attachments/3/"}]}


@extend_schema_view(
    list=extend_schema(summary="政策资讯列表", examples=[OpenApiExample("资讯", value=ARTICLE_ROW, response_only=True)]),
    retrieve=extend_schema(summary="政策资讯正文",
                           examples=[OpenApiExample("资讯正文", value=ARTICLE_DETAIL, response_only=True)]),
)
class ArticleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """政策资讯（只读，全市通用）：只含已发布且发布时间已到的文章；正文为已清理的 HTML。"""

    queryset = Article.objects.select_related("category").prefetch_related(
        Prefetch("attachments", queryset=ArticleAttachment.objects.order_by("sort_order", "id"))
    )
    filterset_class = ArticleFilter
    ordering_fields = ["published_at", "updated_at", "id"]
    ordering = ["-published_at", "-id"]

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        # The list carries no body or attachments: do not load them.
        return queryset.defer("body").prefetch_related(None) if self.action == "list" else queryset


STATISTICS_EXAMPLE = {
    "from": "2026-11-01", "to": "2026-11-30", "as_of": "2026-11-30",
    "total": {
        "district": None, "district_name": None, "visits": 18250, "units_published": 36, "units_listed_now": 412,
        "articles_published": 4, "applications_submitted": 57, "applications_approved": 31, "applications_rejected": 6,
        "annual_reviews_done": 41, "households_paid_rent": 386, "households_paid_subsidy": 512,
        "feedback": {"received": {"complaint": 3, "suggestion": 5, "consultation": 12, "repair": 9}, "total": 29,
                     "replied": 27, "overdue": 1, "ratings": 22, "average_rating": "4.55"},
        "processing_workdays": {"decided": 37, "average": "11.40", "median": "12.00", "p90": "14.00"},
        "overdue_applications": 2,
        "waitlist_size": 214, "average_wait_days": "186.40", "allocations": 12,
        "rent_collection_rate": "96.30", "rent_arrears_amount": "5820.00", "rent_arrears_households": 9,
        "subsidy_paid_amount": "412350.00",
        "units_in_stock": 1250, "units_vacant": 38, "vacancy_rate": "3.04",
        "annual_reviews_overdue": 3, "exits_by_ground": {"voluntary": 2, "arrears": 1},
        "monitoring_alerts_open": 5,
    },
    "visits_as_of": "2026-11-30T09:41:00+08:00",
    "current_as_of": "2026-11-30T09:40:00+08:00",
    "notes": {"visits": "访问量为全市门户合计（页面不分区县）。"},
}
# A district token: one row, the same as the total.
STATISTICS_EXAMPLE["districts"] = [{**STATISTICS_EXAMPLE["total"], "district": "230602", "district_name": "萨尔图区"}]


class ApiClientOrCaseworker(IsApiClient):
    """A district API client's token, or a caseworker signed in to the portal (街道、区县、市级经办人),
    whose own scope then applies: the statistics are read by both."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiClient):
            return super().has_permission(request, view)
        user = request.user
        return bool(getattr(user, "is_authenticated", False) and user.is_staff and not scope_of(user).empty
                    and request.method in SAFE_METHODS)


class StatisticsView(APIView):
    """统计汇总（DESIGN §11）：访问量、发布房源、政策资讯、申请提交与通过、资格年审、缴租与补贴户数、
    投诉建议与评价、办理用时（工作日：平均、中位数、90% 分位）和超期件数，以及轮候、空置率、租金与补贴。
    区县令牌为本区县；市级令牌为每个区县及合计，可用 `district=` 只看一个区县。已登录门户后台的经办人
    也可直接读取（按其本人的范围）。尚无数据来源的项为 null，并在 notes 中说明。"""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [ApiClientOrCaseworker]

    @extend_schema(
        operation_id="statistics_retrieve", summary="统计汇总",
        parameters=[StatisticsQuerySerializer], responses={200: StatisticsSerializer},
        examples=[OpenApiExample("本月（区县令牌）", value=STATISTICS_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        unknown = sorted(set(request.query_params) - {"from", "to", "district", "format"})
        if unknown:
            raise ValidationError({name: ["不支持的查询参数。"] for name in unknown})
        query.is_valid(raise_exception=True)
        principal = request.auth if isinstance(request.auth, ApiClient) else request.user
        districts = None
        if query.validated_data.get("district"):
            code = query.validated_data["district"]
            districts = [District.objects.get_for_user_or_404(principal, code=code)]
        figures = statistics.summary(start=query.validated_data["from"], end=query.validated_data["to"],
                                     principal=principal, districts=districts)
        return Response(StatisticsSerializer(figures).data)
