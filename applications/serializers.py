"""Applications in the district API (DESIGN §15): what a district office's system reads.

ID numbers are always masked here (DESIGN §13); the full numbers come only from
`GET /api/v1/applications/{id}/full-id-numbers/`, for a token with that permission, each read
logged. Materials are described, never linked: the files are private.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.crosscheck.exchange.departments import departments
from applications.models import (
    ACTIVE_STATUSES,
    Application,
    ApplicationStatusChange,
    CheckResult,
    HouseholdMember,
    Material,
    RuleEvaluation,
    Status,
)
from gongzufang.parameters import CATEGORIES

# In-progress steps, whose step deadline can pass (approved is active, but finished).
IN_PROGRESS = ACTIVE_STATUSES - {Status.APPROVED}


class MemberSerializer(serializers.ModelSerializer):
    relationship_label = serializers.CharField(source="get_relationship_display", read_only=True)
    id_number_masked = serializers.CharField(read_only=True, help_text="身份证号码（脱敏：前 4 后 4 位）")
    # Age, not the birth date: beside the masked number the date would give the whole number back
    # (issue 12, item 1); the full number and so the date come from `full-id-numbers/`, logged.
    age = serializers.IntegerField(read_only=True, allow_null=True, help_text="年龄（周岁，按今天计算）")

    class Meta:
        model = HouseholdMember
        fields = ["id", "relationship", "relationship_label", "name", "id_number_masked", "sex", "age",
                  "marital_status", "employer", "monthly_income", "disability"]
        read_only_fields = fields


class MaterialSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    name = serializers.CharField(source="original_name", read_only=True, help_text="上传时的文件名")
    size = serializers.IntegerField(read_only=True, help_text="字节数")

    class Meta:
        model = Material
        fields = ["id", "kind", "kind_label", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class CheckMemberSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.CharField(read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "name", "id_number_masked"]
        read_only_fields = fields


class CheckResultSerializer(serializers.ModelSerializer):
    department_name = serializers.SerializerMethodField()
    member = CheckMemberSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    facts = serializers.JSONField(read_only=True, help_text="部门返回的事实（见 docs/departments.md）")
    reused = serializers.SerializerMethodField(help_text="是否沿用了新鲜期内对同一人的查询")

    class Meta:
        model = CheckResult
        fields = ["id", "department", "department_name", "member", "status", "status_label", "facts", "reason",
                  "queried_at", "reply_hash", "reused"]
        read_only_fields = fields

    def get_department_name(self, obj) -> str:
        adapter = departments().get(obj.department)
        return adapter.name if adapter else obj.department

    def get_reused(self, obj) -> bool:
        return obj.reused_from_id is not None


class RuleEvaluationSerializer(serializers.ModelSerializer):
    results = serializers.JSONField(read_only=True, help_text="逐条：rule、label、passed（true/false/null）、value、limit、source、reason")
    parameters = serializers.JSONField(read_only=True, help_text="评估所用的政策参数及其取值")

    class Meta:
        model = RuleEvaluation
        fields = ["id", "decision_date", "category", "passed", "results", "parameters", "created_at"]
        read_only_fields = fields


class TimelineSerializer(serializers.ModelSerializer):
    from_label = serializers.SerializerMethodField()
    to_label = serializers.SerializerMethodField()
    level = serializers.CharField(source="actor_level", read_only=True)
    level_label = serializers.CharField(source="get_actor_level_display", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ApplicationStatusChange
        fields = ["from_status", "from_label", "to_status", "to_label", "level", "level_label", "opinion", "at"]
        read_only_fields = fields

    def get_from_label(self, obj) -> str:
        return str(Status(obj.from_status).label) if obj.from_status in Status.values else obj.from_status

    def get_to_label(self, obj) -> str:
        return str(Status(obj.to_status).label) if obj.to_status in Status.values else obj.to_status


class ApplicationSerializer(serializers.ModelSerializer):
    """The list's row: enough to sort work and sync; the detail adds the household and the review."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.SerializerMethodField()
    assistance_type_label = serializers.CharField(source="get_assistance_type_display", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="区县代码")
    street = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="街道/镇代码")
    street_name = serializers.CharField(source="street.name", read_only=True, default=None, allow_null=True)
    applicant_name = serializers.CharField(source="applicant.real_name", read_only=True)
    household_size = serializers.IntegerField(read_only=True, help_text="家庭人数")
    overdue = serializers.SerializerMethodField(help_text="在办且当前环节已超过期限")

    class Meta:
        model = Application
        fields = ["id", "number", "status", "status_label", "assistance_type", "assistance_type_label", "category",
                  "category_label", "district", "street", "street_name", "applicant_name", "household_size",
                  "submitted_at", "accepted_at", "step_due_on", "due_on", "deadline_provisional", "overdue",
                  "decided_at", "processing_workdays", "updated_at"]
        read_only_fields = fields

    def get_category_label(self, obj) -> str:
        return str(CATEGORIES.get(obj.category, ""))

    def get_overdue(self, obj) -> bool:
        return bool(obj.status in IN_PROGRESS and obj.step_due_on and obj.step_due_on < timezone.localdate())


class ApplicationDetailSerializer(ApplicationSerializer):
    community = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    preferred_districts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    members = MemberSerializer(source="household.members", many=True, read_only=True)
    materials = MaterialSerializer(source="current_materials", many=True, read_only=True,
                                   help_text="当前有效的材料（被替换的不列出）；文件不经接口提供")
    checks = CheckResultSerializer(source="current_checks", many=True, read_only=True,
                                   help_text="部门联审的当前结果")
    rule_evaluation = serializers.SerializerMethodField(help_text="当前的资格规则评估；尚未评估为 null")
    timeline = TimelineSerializer(source="status_changes", many=True, read_only=True,
                                  help_text="每次状态变更：层级、意见、时间")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "community", "housing_type", "housing_area", "housing_address",
                  "vehicle_count", "vehicle_value", "business_count", "business_capital", "property_sold_recently",
                  "assets_note", "preferred_districts", "preferred_bedrooms", "notice_starts_on", "notice_ends_on",
                  "rejected_from", "members", "materials", "checks", "rule_evaluation", "timeline"]
        read_only_fields = fields

    @extend_schema_field(RuleEvaluationSerializer(allow_null=True))
    def get_rule_evaluation(self, obj):
        current = obj.current_rules[0] if obj.current_rules else None
        return RuleEvaluationSerializer(current).data if current else None


class FullIdNumberSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    relationship = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="完整身份证号码（每次读取均记录）")


class ReviewOpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="",
                                    help_text="审核意见；不通过（reject）时必填")
