"""Excel exports (django-import-export) of grants, batches and payments, with Chinese headings.
Export only: every write goes through the services. Account numbers are never exported in full."""

from import_export import fields, resources

from .models import SubsidyBatch, SubsidyGrant, SubsidyPayment


class _Chinese(resources.ModelResource):
    def dehydrate_status(self, obj):
        return obj.get_status_display()


class GrantResource(_Chinese):
    number = fields.Field(attribute="number", column_name="补贴编号")
    holder_name = fields.Field(attribute="holder_name", column_name="申请人")
    district = fields.Field(attribute="district__name", column_name="区县")
    category = fields.Field(column_name="保障对象类别")
    status = fields.Field(column_name="状态")
    monthly_amount = fields.Field(attribute="monthly_amount", column_name="月补贴金额（元）")
    start_period = fields.Field(attribute="start_period", column_name="起始发放月份")
    status_reason = fields.Field(attribute="status_reason", column_name="状态原因")

    class Meta:
        model = SubsidyGrant
        fields = ["number", "holder_name", "district", "category", "status", "monthly_amount", "start_period",
                  "status_reason"]
        export_order = fields

    def dehydrate_category(self, obj):
        return obj.get_category_display()


class BatchResource(_Chinese):
    number = fields.Field(attribute="number", column_name="批次号")
    district = fields.Field(attribute="district__name", column_name="区县")
    period = fields.Field(attribute="period", column_name="发放月份")
    status = fields.Field(column_name="状态")
    line_count = fields.Field(attribute="line_count", column_name="笔数")
    total_amount = fields.Field(attribute="total_amount", column_name="金额合计（元）")
    paid_count = fields.Field(attribute="paid_count", column_name="成功笔数")
    failed_count = fields.Field(attribute="failed_count", column_name="失败笔数")
    paid_amount = fields.Field(attribute="paid_amount", column_name="成功金额（元）")

    class Meta:
        model = SubsidyBatch
        fields = ["number", "district", "period", "status", "line_count", "total_amount", "paid_count",
                  "failed_count", "paid_amount"]
        export_order = fields


class PaymentResource(_Chinese):
    grant = fields.Field(attribute="grant__number", column_name="补贴编号")
    holder = fields.Field(attribute="grant__holder_name", column_name="申请人")
    district = fields.Field(attribute="district__name", column_name="区县")
    period = fields.Field(attribute="period", column_name="补贴月份")
    batch = fields.Field(attribute="batch__number", column_name="所在批次")
    amount = fields.Field(attribute="amount", column_name="金额（元）")
    status = fields.Field(column_name="状态")
    attempts = fields.Field(attribute="attempts", column_name="发放次数")
    bank_reason = fields.Field(attribute="bank_reason", column_name="失败原因")
    bank_txn_id = fields.Field(attribute="bank_txn_id", column_name="银行流水号")

    class Meta:
        model = SubsidyPayment
        fields = ["grant", "holder", "district", "period", "batch", "amount", "status", "attempts", "bank_reason",
                  "bank_txn_id"]
        export_order = fields
