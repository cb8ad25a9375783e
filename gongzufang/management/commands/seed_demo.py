"""Demo data for `make run`: idempotent (running it twice changes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from gongzufang import demo


class Command(BaseCommand):
    help = "载入演示数据（幂等）并打印演示账号。Load demo data (idempotent) and print the demo log-ins."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts = demo.seed()
        self.stdout.write("演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD)
        for username, role, where in accounts:
            self.stdout.write(f"  {username:<16} {role:<10} {where}")
        extra = [row for listing in demo.DEMO_LOGIN_LISTS for row in listing()]
        if extra:
            self.stdout.write("演示申请人（用手机号登录，密码同上）：")
            for username, name, shows in extra:
                self.stdout.write(f"  {username:<16} {name:<6} {shows}")
        for title, lists in (("操作手册各环节的演示账号：", demo.DEMO_JOURNEY_LISTS),
                             ("经办人待办（登录后台可见）：", demo.DEMO_QUEUE_LISTS)):
            rows = [row for listing in lists for row in listing()]
            if rows:
                self.stdout.write(title)
                for username, name, shows in rows:
                    self.stdout.write(f"  {username:<16} {name:<6} {shows}")
        self.stdout.write("门户首页 http://127.0.0.1:8000/   管理后台 http://127.0.0.1:8000/admin/")
