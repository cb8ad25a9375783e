"""Serve the simulated bank: `python manage.py run_bank --port 8766` (gongzufang/bank/simulated.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzufang.bank.simulated import SimulatedBank, load_accounts


class Command(BaseCommand):
    help = "启动模拟银行（支付订单与支付通知、账户核验、代发文件、对账单），供开发和测试使用。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--public-url", default=None, help="付款人浏览器访问本银行的地址（默认 http://HOST:PORT）")
        parser.add_argument("--accounts", default=None, help="账户数据 JSON（默认 gongzufang/bank/fixtures/accounts.json）")

    def handle(self, *args, **opts):
        secret = settings.BANK_NOTIFY_SECRET
        if not secret:
            raise CommandError("缺少 BANK_NOTIFY_SECRET：开发环境请运行 `python scripts/make_dev_env.py` 补全 .env。")
        try:
            accounts = load_accounts(opts["accounts"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"无法读取账户数据文件：{exc}") from exc
        try:
            bank = SimulatedBank(notify_secret=secret, host=opts["host"], port=opts["port"], accounts=accounts,
                                 public_url=opts["public_url"], verbose=opts["verbosity"] > 1)
        except OSError as exc:
            raise CommandError(f"无法监听 {opts['host']}:{opts['port']}：{exc}") from exc
        self.stdout.write(f"模拟银行 {bank.url}（预置账户 {len(accounts)} 个；支付通知以 BANK_NOTIFY_SECRET 签名）")
        self.stdout.flush()
        try:
            bank.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            bank.stopping.set()
            bank.httpd.server_close()
