"""Excel exports of leases and bills (django-import-export, export only), with Chinese headings."""

from import_export import fields, resources

from ..models import Bill, Lease


class LeaseResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="合同编号")
    tenant_name = fields.Field(attribute="tenant_name", column_name="承租人")
    district = fields.Field(attribute="district__name", column_name="区县")
    estate = fields.Field(attribute="unit__estate__name", column_name="小区")
    unit = fields.Field(attribute="unit__number", column_name="房号")
    category = fields.Field(column_name="保障类别")
    status = fields.Field(column_name="合同状态")
    start_on = fields.Field(attribute="start_on", column_name="起租日")
    end_on = fields.Field(attribute="end_on", column_name="租期届满日")
    area = fields.Field(attribute="area", column_name="面积（㎡）")
    monthly_rent = fields.Field(attribute="monthly_rent", column_name="月租金（元）")
    deposit = fields.Field(attribute="deposit", column_name="押金（元）")
    signed_at = fields.Field(attribute="signed_at", column_name="签约时间")
    arrears_amount = fields.Field(attribute="arrears_amount", column_name="欠租金额（元）")
    arrears_months = fields.Field(attribute="arrears_months", column_name="累计欠租（月）")

    class Meta:
        model = Lease
        fields = ["number", "tenant_name", "district", "estate", "unit", "category", "status", "start_on", "end_on",
                  "area", "monthly_rent", "deposit", "signed_at", "arrears_amount", "arrears_months"]
        export_order = fields

    def dehydrate_category(self, lease):
        return lease.get_category_display()

    def dehydrate_status(self, lease):
        return lease.get_status_display()


class BillResource(resources.ModelResource):
    lease = fields.Field(attribute="lease__number", column_name="合同编号")
    tenant = fields.Field(attribute="lease__tenant_name", column_name="承租人")
    district = fields.Field(attribute="district__name", column_name="区县")
    period = fields.Field(column_name="账期")
    period_start = fields.Field(attribute="period_start", column_name="计费起日")
    period_end = fields.Field(attribute="period_end", column_name="计费止日")
    amount = fields.Field(attribute="amount", column_name="应缴（元）")
    amount_paid = fields.Field(attribute="amount_paid", column_name="已缴（元）")
    due_on = fields.Field(attribute="due_on", column_name="缴费截止日")
    status = fields.Field(column_name="状态")

    class Meta:
        model = Bill
        fields = ["lease", "tenant", "district", "period", "period_start", "period_end", "amount", "amount_paid",
                  "due_on", "status"]
        export_order = fields

    def dehydrate_period(self, bill):
        return f"{bill.period:%Y-%m}"

    def dehydrate_status(self, bill):
        return bill.get_status_display()
