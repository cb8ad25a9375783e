"""Applications in the district API (DESIGN §15): list and read the token's district's applications
(never an applicant's unsent draft), read the full ID numbers with a permission (each read logged),
and take review steps through the same services as the admin (`applications.review.services.perform`).

An API client is not a person. A review step is taken as the client's acting caseworker
(`ApiClient.acting_user`, named by the city in the admin); a token without one cannot review. What
that person may do at each step is the review services' rule, so the API can never do more than
the same person could in the admin.
"""

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from applications.models import (
    Application,
    ApplicationStatusChange,
    AssistanceType,
    CheckResult,
    HouseholdMember,
    Material,
    RuleEvaluation,
    Status,
)
from applications.models.applications import CATEGORY_CHOICES
from applications.review import services as review
from applications.serializers import (
    IN_PROGRESS,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    FullIdNumberSerializer,
    ReviewOpinionSerializer,
)
from gongzufang import pii
from gongzufang.api.filters import PortalFilterSet, TextFilter
from gongzufang.api.pagination import PageOrCursorPagination
from gongzufang.api.permissions import acting_user_of
from gongzufang.api.views import ScopedViewSetMixin

APPLICATION_ROW = {
    "id": 42, "number": "GZF2026110300042", "status": "district_review", "status_label": "区县审核",
    "assistance_type": "unit", "assistance_type_label": "实物配租", "category": "low_income", "category_label": "低收入",
    "district": "230602", "street": "230602001", "street_name": "萨尔图街道", "applicant_name": "王丽",
    "household_size": 3, "submitted_at": "2026-11-03T10:15:00+08:00", "accepted_at": "2026-11-04T09:02:00+08:00",
    "step_due_on": "2026-11-18", "due_on": "2026-11-25", "deadline_provisional": False, "overdue": False,
    "decided_at": None, "processing_workdays": None, "updated_at": "2026-11-11T16:40:00+08:00",
}
APPLICATION_DETAIL = {
    **APPLICATION_ROW, "community": "230602001001", "housing_type": "private_rent", "housing_area": "12.50",
    "housing_address": "萨尔图区某街 1 号", "vehicle_count": 0, "vehicle_value": "0.00", "business_count": 0,
    "business_capital": "0.00", "property_sold_recently": False, "assets_note": "", "preferred_districts": ["230602"],
    "preferred_bedrooms": 2, "notice_starts_on": None, "notice_ends_on": None, "rejected_from": "",
    "members": [{"id": 81, "relationship": "self", "relationship_label": "本人", "name": "王丽",
                 "id_number_masked": "2306**********0022", "sex": "female", "age": 41,
                 "marital_status": "married", "employer": "大庆某公司", "monthly_income": "1500.00", "disability": "none"}],
    "materials": [{"id": 301, "kind": "income", "kind_label": "收入证明", "name": "收入证明.pdf",
                   "content_type": "application/pdf", "size": 183402, "uploaded_at": "2026-11-02T20:11:00+08:00"}],
    "checks": [{"id": 9001, "department": "hukou", "department_name": "公安户籍",
                "member": {"id": 81, "name": "王丽", "id_number_masked": "2306**********0022"}, "status": "pass",
                "status_label": "通过", "facts": {"status": "normal", "hukou_district": "230602"}, "reason": "",
                "queried_at": "2026-11-07T10:00:03+08:00", "reply_hash": "9f2c…", "reused": False}],
    "rule_evaluation": {"id": 77, "decision_date": "2026-11-07", "category": "low_income", "passed": True,
                        "results": [{"rule": "income", "label": "家庭人均月收入", "passed": True, "value": "1000.00",
                                     "limit": "1500.00", "source": "税务", "reason": ""}],
                        "parameters": [], "created_at": "2026-11-07T10:00:05+08:00"},
    "timeline": [{"from_status": "draft", "from_label": "填写中", "to_status": "submitted", "to_label": "已提交，待受理",
                  "level": "applicant", "level_label": "申请人", "opinion": "", "at": "2026-11-03T10:15:00+08:00"}],
}

LISTED_STATUSES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]


class ApplicationFilterSet(PortalFilterSet):
    status = django_filters.ChoiceFilter(choices=LISTED_STATUSES, help_text="状态")
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, help_text="保障对象类别")
    assistance_type = django_filters.ChoiceFilter(choices=AssistanceType.choices, help_text="保障方式")
    district = TextFilter(field_name="district__code", help_text="区县代码（市级令牌用）")
    street = TextFilter(field_name="street__code", help_text="街道/镇代码")
    number = TextFilter(help_text="申请编号")
    submitted_from = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte",
                                               help_text="提交日期起（含）")
    submitted_to = django_filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte",
                                             help_text="提交日期止（含）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="true：在办且当前环节已超过期限")

    class Meta:
        model = Application
        fields = ["status", "category", "assistance_type", "district", "street", "number", "submitted_from",
                  "submitted_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": IN_PROGRESS, "step_due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


def _household_size():
    # A correlated count, computed only for the rows of the page (a GROUP BY over the whole
    # district would cost more on deep lists).
    members = HouseholdMember.objects.filter(household_id=OuterRef("household_id")).order_by() \
        .values("household_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(members, output_field=IntegerField()), Value(0))


def _review_action(name):
    """The API endpoint of one review step, described by what the model's transition declares."""
    from gongzufang.workflow import action_custom

    custom = action_custom(Application, name)
    summary, description = custom.get("summary") or str(custom["label"]), custom.get("description", "")

    def handler(self, request, pk=None):
        return self.review(request, name)

    # The router maps the HTTP method to the function by its name: name it before decorating.
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = description
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name.replace("_", "-"))(handler)
    return extend_schema(
        request=ReviewOpinionSerializer, responses={200: ApplicationDetailSerializer}, summary=summary,
        description=description + "\n\n以令牌的经办人账户办理（未指定经办人的令牌返回 403）；"
                                  "状态不符返回 409，无权办理此环节返回 400，均为统一错误格式并附中文说明。",
        examples=[OpenApiExample(summary, value={"opinion": custom.get("example", "")}, request_only=True)],
    )(routed)


@extend_schema_view(
    list=extend_schema(
        summary="申请列表",
        description="本区县已提交的申请（不含申请人未提交的草稿）。深翻页用 `?cursor=`；"
                    "增量同步：`?updated_since=2026-12-01T08:00:00%2B08:00&ordering=updated_at&cursor=`。",
        examples=[OpenApiExample("申请", value=APPLICATION_ROW, response_only=True)],
    ),
    retrieve=extend_schema(summary="申请详情",
                           description="含家庭成员（身份证号码脱敏）、材料清单（不含文件）、部门联审当前结果、资格规则评估和办理时间线。",
                           examples=[OpenApiExample("申请详情", value=APPLICATION_DETAIL, response_only=True)]),
)
class ApplicationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """公租房申请：本区县的申请及其审核；审核操作与后台调用同一套服务。"""

    queryset = Application.objects.exclude(status=Status.DRAFT).select_related("district", "street", "applicant")
    filterset_class = ApplicationFilterSet
    pagination_class = PageOrCursorPagination
    ordering_fields = ["id", "number", "submitted_at", "updated_at", "step_due_on"]
    ordering = ["-id"]

    def get_serializer_class(self):
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def get_queryset(self):
        queryset = super().get_queryset().annotate(household_size=_household_size())
        if self.action == "list":
            return queryset
        return queryset.select_related("community").prefetch_related(
            "preferred_districts",
            Prefetch("household__members", queryset=HouseholdMember.objects.order_by("sort_order", "id")),
            Prefetch("materials", queryset=Material.objects.current().order_by("kind", "uploaded_at", "id"),
                     to_attr="current_materials"),
            Prefetch("check_results", queryset=CheckResult.objects.current().select_related("member")
                     .order_by("department", "member__sort_order", "member_id"), to_attr="current_checks"),
            Prefetch("rule_evaluations", queryset=RuleEvaluation.objects.filter(is_current=True),
                     to_attr="current_rules"),
            Prefetch("status_changes", queryset=ApplicationStatusChange.objects.order_by("created_at", "id")),
        )

    def detail_of(self, application):
        return ApplicationDetailSerializer(self.get_queryset().get(pk=application.pk),
                                           context=self.get_serializer_context()).data

    @extend_schema(
        summary="完整身份证号码", responses={200: FullIdNumberSerializer(many=True)},
        description="返回该申请每位家庭成员的完整身份证号码。只有签发时授予“可查看完整身份证号”的令牌可用，"
                    "否则 403；每次读取按成员记入个人信息查看记录（含令牌）。",
        examples=[OpenApiExample("家庭成员", response_only=True, value=[
            {"member_id": 81, "relationship": "self", "name": "王丽", "id_number": "230602198503150022"}])],
    )
    @action(detail=True, methods=["get"], url_path="full-id-numbers", url_name="full-id-numbers",
            filter_backends=[], pagination_class=None)
    def full_id_numbers(self, request, pk=None):
        client = request.auth
        if not client.can_view_full_id:
            raise PermissionDenied(_("该令牌无权查看完整身份证号码。"))
        application = self.get_object()  # another district's id: 404, nothing logged
        purpose = _("区县接口读取：申请 %(number)s") % {"number": application.number}
        members = HouseholdMember.objects.filter(household_id=application.household_id).order_by("sort_order", "id")
        rows = [
            {"member_id": m.pk, "relationship": m.relationship, "name": m.name,
             "id_number": pii.reveal(m, "id_number", api_client=client, purpose=purpose)}
            for m in members
        ]
        return Response(FullIdNumberSerializer(rows, many=True).data)

    def review(self, request, name):
        application = self.get_object()  # another district's id: 404
        body = ReviewOpinionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = acting_user_of(request.auth, required=True)
        review.perform(name, application=application, actor=actor, opinion=body.validated_data["opinion"])
        return Response(self.detail_of(application))


# One endpoint per review step the model declares (applications.review.services.ACTION_NAMES).
for _name in review.ACTION_NAMES:
    setattr(ApplicationViewSet, _name, _review_action(_name))
