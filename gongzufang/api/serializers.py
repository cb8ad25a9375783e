from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gongzufang.models import Article, ArticleAttachment, Community, District, PolicyParameter, Street
from gongzufang.parameters import PARAMETERS


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["code", "name"]


class StreetSerializer(serializers.ModelSerializer):
    communities = CommunitySerializer(many=True, read_only=True)

    class Meta:
        model = Street
        fields = ["code", "name", "is_town", "communities"]


class DistrictSerializer(serializers.ModelSerializer):
    streets = StreetSerializer(many=True, read_only=True)

    class Meta:
        model = District
        fields = ["id", "code", "name", "is_county", "streets"]


class PolicyParameterSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="区县代码；为空表示全市通用"
    )
    label = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = PolicyParameter
        fields = ["id", "key", "label", "value", "unit", "effective_from", "district", "legal_source"]

    def get_label(self, obj) -> str:
        d = PARAMETERS.get(obj.key)
        return d.label if d else ""

    def get_unit(self, obj) -> str:
        d = PARAMETERS.get(obj.key)
        return d.unit if d else ""


class ArticleAttachmentSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="display_name", read_only=True)
    url = serializers.SerializerMethodField(help_text="下载地址（公开）")

    class Meta:
        model = ArticleAttachment
        fields = ["id", "title", "size", "url"]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.url)


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="栏目代码")
    category_name = serializers.CharField(source="category.name", read_only=True)
    url = serializers.SerializerMethodField(help_text="门户上的正文页")
    cover_url = serializers.SerializerMethodField(help_text="封面图地址；无封面为空")

    class Meta:
        model = Article
        fields = ["id", "title", "summary", "category", "category_name", "source", "published_at", "updated_at",
                  "url", "cover_url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    def get_cover_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.cover_url) if obj.cover else ""


class ArticleDetailSerializer(ArticleSerializer):
    attachments = ArticleAttachmentSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "attachments"]
        read_only_fields = fields


# --- statistics (DESIGN §11) ----------------------------------------------------------------------

@extend_schema_field({"type": "string", "maxLength": 6})
class CodeField(serializers.Field):
    """A code looked up afterwards: any text is a fair question, and one that names nothing the
    caller may see is answered 404 by the view, never 400."""

    def to_internal_value(self, data):
        return str(data).replace("\x00", "").strip()

    def to_representation(self, value):
        return value


class StatisticsQuerySerializer(serializers.Serializer):
    """The query of GET /api/v1/statistics/: `from`, `to` (both included) and, for city tokens, `district`."""

    district = CodeField(required=False, help_text="区县代码：市级令牌可只看一个区县；空值为全部")

    def get_fields(self):
        # `from` is a Python keyword: the fields are named here rather than as attributes.
        return {
            "from": serializers.DateField(required=False, help_text="统计起始日（含），YYYY-MM-DD，默认本月 1 日"),
            "to": serializers.DateField(required=False,
                                        help_text="统计截止日（含），YYYY-MM-DD，默认今天；早于起始日则期间为空，期间数字为 0"),
            **super().get_fields(),
        }

    def validate(self, data):
        from django.utils import timezone

        today = timezone.localdate()
        # A `to` before `from` is an empty period: its figures are 0 (the "as of today" ones stand).
        data["from"], data["to"] = data.get("from") or today.replace(day=1), data.get("to") or today
        return data


class FeedbackFiguresSerializer(serializers.Serializer):
    received = serializers.DictField(child=serializers.IntegerField(), source="feedback_received",
                                     help_text="按类别收到的件数：complaint 投诉、suggestion 建议、consultation 咨询、repair 报修")
    total = serializers.IntegerField(source="feedback_total")
    replied = serializers.IntegerField(source="feedback_replied")
    overdue = serializers.IntegerField(source="feedback_overdue", help_text="逾期答复或逾期未答复")
    ratings = serializers.IntegerField(help_text="期间内收到的服务评价数")
    average_rating = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True,
                                              help_text="平均评分（1–5）；无评价为 null")


class ProcessingFiguresSerializer(serializers.Serializer):
    decided = serializers.IntegerField(help_text="期间内作出决定的申请数")
    average = serializers.DecimalField(source="average_processing_workdays", max_digits=8, decimal_places=2,
                                       allow_null=True, help_text="平均办理用时（工作日）")
    median = serializers.DecimalField(source="median_processing_workdays", max_digits=8, decimal_places=2,
                                      allow_null=True, help_text="办理用时中位数（工作日）")
    p90 = serializers.DecimalField(source="p90_processing_workdays", max_digits=8, decimal_places=2,
                                   allow_null=True, help_text="办理用时 90% 分位数（工作日，线性插值）")


class FiguresSerializer(serializers.Serializer):
    district = serializers.CharField(source="district.code", allow_null=True, default=None,
                                     help_text="区县代码；合计行为 null")
    district_name = serializers.CharField(source="district.name", allow_null=True, default=None)
    visits = serializers.IntegerField(help_text="访问量（全市门户合计）")
    units_published = serializers.IntegerField(help_text="期间内发布的房源套数")
    units_listed_now = serializers.IntegerField(help_text="当前在门户发布中的房源套数")
    articles_published = serializers.IntegerField(help_text="期间内发布的政策资讯篇数（全市）")
    applications_submitted = serializers.IntegerField(help_text="期间内提交的申请数")
    applications_approved = serializers.IntegerField(help_text="期间内审核通过的申请数")
    applications_rejected = serializers.IntegerField(help_text="期间内审核不通过的申请数")
    annual_reviews_done = serializers.IntegerField(allow_null=True, help_text="完成资格年审的户数；功能上线前为 null")
    households_paid_rent = serializers.IntegerField(allow_null=True, help_text="缴纳租金的户数；功能上线前为 null")
    households_paid_subsidy = serializers.IntegerField(allow_null=True, help_text="发放补贴的户数；功能上线前为 null")
    feedback = FeedbackFiguresSerializer(source="*")
    processing_workdays = ProcessingFiguresSerializer(source="*")
    overdue_applications = serializers.IntegerField(help_text="截至今天当前环节已超期的在办申请数")
    waitlist_size = serializers.IntegerField(allow_null=True, help_text="截至今天轮候中的户数；功能上线前为 null")
    average_wait_days = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True,
                                                 help_text="轮候中家庭的平均已轮候天数")
    allocations = serializers.IntegerField(allow_null=True, help_text="期间内配租签约的户数")
    rent_collection_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                                    help_text="期间内应收租金的收缴率（%）")
    rent_arrears_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                                   help_text="截至今天逾期未缴租金（元）")
    rent_arrears_households = serializers.IntegerField(allow_null=True, help_text="截至今天欠缴租金的户数")
    subsidy_paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                                   help_text="期间内发放的租赁补贴金额（元）")
    units_in_stock = serializers.IntegerField(help_text="截至今天在管房屋套数（停用的除外）")
    units_vacant = serializers.IntegerField(help_text="截至今天空置可配的房屋套数")
    vacancy_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                            help_text="截至今天空置率（%）；无在管房屋为 null")
    annual_reviews_overdue = serializers.IntegerField(allow_null=True, help_text="资格年审逾期户数；功能上线前为 null")
    exits_by_ground = serializers.DictField(child=serializers.IntegerField(), allow_null=True,
                                            help_text="期间内按退出原因的退出户数；功能上线前为 null")
    monitoring_alerts_open = serializers.IntegerField(allow_null=True,
                                                      help_text="截至今天尚未处理的动态监管预警数；功能上线前为 null")


class StatisticsSerializer(serializers.Serializer):
    as_of = serializers.DateField(source="today", help_text="“截至今天”类数字的日期")
    visits_as_of = serializers.DateTimeField(allow_null=True, help_text="访问量的统计时刻（含尚未入库的当日访问）")
    current_as_of = serializers.DateTimeField(
        allow_null=True, help_text="欠租、超期在办、轮候、房源状况、逾期年审、待处理预警等当前指标所取快照的时刻"
                                   "（每五分钟更新）；null 表示为实时查询")
    total = FiguresSerializer(help_text="合计：区县令牌即本区县；市级令牌为所选区县之和")
    districts = FiguresSerializer(many=True, help_text="每个区县一行")
    notes = serializers.DictField(child=serializers.CharField(), help_text="各项数字的口径说明；为 null 的项说明原因")

    def get_fields(self):
        return {
            "from": serializers.DateField(source="start", help_text="统计起始日（含）"),
            "to": serializers.DateField(source="end", help_text="统计截止日（含）"),
            **super().get_fields(),
        }
