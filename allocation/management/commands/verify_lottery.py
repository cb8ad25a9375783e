"""`python manage.py verify_lottery ROUND_ID`: recompute a round's draw (gzf-lottery-v1) from what is
stored and say whether it agrees (exit code 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from allocation import selectors
from allocation.models import AllocationRound


class Command(BaseCommand):
    help = "重新计算配租方案的摇号结果（gzf-lottery-v1），核对是否一致。"

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id, **options):
        round_ = AllocationRound.objects.filter(pk=round_id).first()
        if round_ is None:
            raise CommandError(f"未找到配租方案 {round_id}。")
        document = selectors.draw_document(round_)
        self.stdout.write(f"配租方案 {round_.pk}「{round_.name}」（{round_.get_status_display()}），"
                          f"名单 {len(document['pool'])} 户")
        self.stdout.write(f"名单哈希：{document['pool_hash']}")
        self.stdout.write(f"承诺值：{document['commitment']}")
        problems = selectors.verify_round(round_)
        if document["secret"] is None:
            self.stdout.write("尚未摇号：只核对了名单哈希。")
        else:
            self.stdout.write(f"公开随机数：{document['public_entropy']}")
            self.stdout.write(f"种子：{document['seed']}")
        if problems:
            self.stdout.write(self.style.ERROR("不一致：" + "；".join(problems)))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("一致：重新计算的结果与公布的相同。"))
