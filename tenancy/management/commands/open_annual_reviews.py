from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tenancy import services


class Command(BaseCommand):
    help = "开启资格年审：为周年日在开启期内的公租房合同和租赁补贴开启年审（可重复运行，不会重复开启）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期运行（YYYY-MM-DD），默认今天")
        parser.add_argument("--no-notify", action="store_true", help="只开启，不发送短信和站内消息")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        report = services.open_annual_reviews(today=today, notify=not options["no_notify"])
        for line in report.lines():
            self.stdout.write(line)
