"""Excel export of the feedback queue (django-import-export), with Chinese headings. Export only: items
are created and answered through the services. The rows are the caseworker's own district; the
submitter of a complaint about staff stays "匿名" below the city level, as on screen."""

from import_export import fields, resources

from .models import Feedback

# A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab/CR) is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FeedbackResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="编号")
    kind = fields.Field(column_name="类型")
    category = fields.Field(column_name="类别")
    status = fields.Field(column_name="状态")
    district = fields.Field(attribute="district__name", column_name="承办区县")
    handling_level = fields.Field(column_name="办理层级")
    channel = fields.Field(column_name="来源渠道")
    hotline_reference = fields.Field(attribute="hotline_reference", column_name="12345 工单号")
    submitter = fields.Field(column_name="提交人")
    text = fields.Field(attribute="text", column_name="内容")
    submitted_at = fields.Field(column_name="提交时间")
    reply_due = fields.Field(column_name="答复期限")
    overdue = fields.Field(column_name="超期")
    reply = fields.Field(attribute="reply", column_name="答复内容")
    replied_at = fields.Field(column_name="答复时间")
    escalated_at = fields.Field(column_name="督办时间")
    closed_at = fields.Field(column_name="办结时间")

    class Meta:
        model = Feedback
        fields = ["number", "kind", "category", "status", "district", "handling_level", "channel",
                  "hotline_reference", "submitter", "text", "submitted_at", "reply_due", "overdue", "reply",
                  "replied_at", "escalated_at", "closed_at"]
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        return Feedback.objects.for_user(self.user).select_related("district", "submitter")

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    def dehydrate_kind(self, obj):
        return obj.get_kind_display()

    def dehydrate_category(self, obj):
        return obj.get_category_display()

    def dehydrate_status(self, obj):
        return obj.get_status_display()

    def dehydrate_handling_level(self, obj):
        return obj.get_handling_level_display()

    def dehydrate_channel(self, obj):
        return obj.get_channel_display()

    def dehydrate_submitter(self, obj):
        return obj.submitter_label(self.user)

    def dehydrate_reply_due(self, obj):
        return obj.reply_due.isoformat() + ("（暂定）" if obj.reply_due_provisional else "")

    def dehydrate_overdue(self, obj):
        return "是" if obj.is_overdue() else ""

    def _when(self, value):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def dehydrate_submitted_at(self, obj):
        return self._when(obj.submitted_at)

    def dehydrate_replied_at(self, obj):
        return self._when(obj.replied_at)

    def dehydrate_escalated_at(self, obj):
        return self._when(obj.escalated_at)

    def dehydrate_closed_at(self, obj):
        return self._when(obj.closed_at)
