"""Serve the simulated data exchange: `python manage.py run_exchange --port 8765`."""

from django.core.management.base import BaseCommand, CommandError

from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records


class Command(BaseCommand):
    help = "启动模拟的政务数据共享交换平台（按身份证号返回预置的部门数据），供开发和测试使用。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--latency-ms", type=int, default=0, help="每个请求的延迟（毫秒）")
        parser.add_argument("--failure-rate", type=float, default=0.0, help="返回 HTTP 503 的比例，0 到 1")
        parser.add_argument("--records", default=None, help="JSON 数据文件（默认 applications/crosscheck/exchange/fixtures/records.json）")
        parser.add_argument("--seed", type=int, default=None, help="失败抽样的随机种子")
        parser.add_argument("--generate", action="store_true",
                            help="对未预置的身份证号按号码生成确定的普通记录（基准测试用）")

    def handle(self, *args, **opts):
        if not 0.0 <= opts["failure_rate"] <= 1.0:
            raise CommandError("--failure-rate 须在 0 到 1 之间")
        try:
            records = load_records(opts["records"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取数据文件：{exc}") from exc
        try:
            exchange = SimulatedExchange(
                records, host=opts["host"], port=opts["port"], latency_ms=opts["latency_ms"],
                failure_rate=opts["failure_rate"], seed=opts["seed"], verbose=opts["verbosity"] > 1,
                generate=opts["generate"],
            )
        except OSError as exc:
            raise CommandError(f"无法监听 {opts['host']}:{opts['port']}：{exc}") from exc
        counts = ", ".join(f"{dept} {len(rows)}" for dept, rows in sorted(records.items()))
        self.stdout.write(f"模拟交换平台 {exchange.url}（{counts}；延迟 {exchange.latency_ms} ms，失败率 {exchange.failure_rate:g}"
                          f"{'；未预置号码自动生成记录' if exchange.generate else ''}）")
        self.stdout.flush()
        try:
            exchange.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            exchange.stopping.set()
            exchange.httpd.server_close()
