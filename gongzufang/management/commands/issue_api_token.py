from django.core.management.base import BaseCommand, CommandError

from gongzufang.errors import PortalError
from gongzufang.models import District, User
from gongzufang.services.api_clients import api_client_issue


class Command(BaseCommand):
    help = "签发区县接口令牌（最后一行输出令牌，仅显示一次）。Issue a district API token; prints it as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="区县代码，如 230602；用 city 或省略表示市级令牌")
        parser.add_argument("--name", required=True, help="接入系统名称")
        parser.add_argument("--read-only", action="store_true", help="只读令牌")
        parser.add_argument("--full-id", action="store_true", help="允许读取完整身份证号（每次读取均记录）")
        parser.add_argument("--acting-user", help="经接口办理审核等操作时记为操作人的工作人员登录名（本区县经办人或受理员）")

    def handle(self, *args, district=None, name, read_only=False, full_id=False, acting_user=None, **options):
        target = None
        if district and district.lower() != "city":
            target = District.objects.filter(code=district).first()
            if target is None:
                codes = "、".join(District.objects.values_list("code", flat=True))
                raise CommandError(f"区县代码 {district} 不存在。可用代码：{codes}")
        actor = None
        if acting_user:
            actor = User.objects.filter(username=acting_user).first()
            if actor is None:
                raise CommandError(f"工作人员账户 {acting_user} 不存在。")
        try:
            client, token = api_client_issue(
                name=name, district=target, can_write=not read_only, can_view_full_id=full_id, acting_user=actor
            )
        except PortalError as exc:
            raise CommandError(exc.message) from None
        where = target.name if target else "全市"
        self.stderr.write(f"已签发令牌：{client.name}（{where}，{'只读' if read_only else '读写'}）。请妥善保存，令牌不会再次显示。")
        self.stdout.write(token)
