"""`python manage.py subsidy_batch --period YYYY-MM [--district 230602]`: make the month's batch of
each district with grants (or of the one given), or show it if it exists; prints what it did."""

from django.core.management.base import BaseCommand, CommandError

from gongzufang.errors import PortalError
from gongzufang.models import District


class Command(BaseCommand):
    help = "生成（或查看）某月的租赁补贴发放批次"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="发放月份 YYYY-MM")
        parser.add_argument("--district", help="区县代码，如 230602（默认：所有有补贴资格的区县）")

    def handle(self, *args, **options):
        from subsidies.models import SubsidyGrant
        from subsidies.services import batch_make, parse_period, period_label

        try:
            period = parse_period(options["period"])
        except PortalError as exc:
            raise CommandError(exc.message) from None
        if options.get("district"):
            districts = list(District.objects.filter(code=options["district"]))
            if not districts:
                raise CommandError(f"未找到区县代码 {options['district']}。")
        else:
            ids = SubsidyGrant.objects.values_list("district_id", flat=True).distinct()
            districts = list(District.objects.filter(pk__in=list(ids)).order_by("code"))
            if not districts:
                self.stdout.write("没有任何补贴资格，未生成批次。")
                return
        for district in districts:
            report = batch_make(district=district, period=period)
            batch = report.batch
            if report.created or report.added or report.retried:
                verb = "已生成" if report.created else "已续完"
                self.stdout.write(
                    f"{verb} {district.name}（{district.code}）{period_label(period)}发放批次 {batch.number}："
                    f"新增 {report.added} 笔，补发 {report.retried} 笔；共 {batch.line_count} 笔，"
                    f"合计 {batch.total_amount} 元；状态：{batch.get_status_display()}。")
            else:
                self.stdout.write(
                    f"已存在 {district.name}（{district.code}）{period_label(period)}发放批次 {batch.number}，未作改动："
                    f"共 {batch.line_count} 笔，合计 {batch.total_amount} 元，成功 {batch.paid_count} 笔，"
                    f"失败 {batch.failed_count} 笔；状态：{batch.get_status_display()}。")
