"""Build a city-sized dataset for development and benchmarks: estates, buildings, units, renovation
records and (when available) policy articles. See housing/citygen.py."""

from django.core.management.base import BaseCommand, CommandError

from housing.citygen import generate_city


class Command(BaseCommand):
    help = (
        "生成城市规模的演示数据（默认 500 个小区、100000 套房屋），可重复：同一 --seed 得到同样的数据。"
        "Generate a city-scale dataset (bulk inserts, deterministic by --seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=100_000, help="房屋套数（默认 100000）")
        parser.add_argument("--estates", type=int, default=500, help="小区个数（默认 500）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--articles", type=int, default=300, help="政策资讯篇数（默认 300；0 不生成）")
        parser.add_argument("--clear", action="store_true", help="先删除全部已有房源数据")

    def handle(self, *args, units, estates, seed, articles, clear, **options):
        if units < 0 or estates < 1 or articles < 0:
            raise CommandError("--units 与 --articles 不能为负数，--estates 至少为 1。")
        try:
            generate_city(
                units=units, estates=estates, seed=seed, clear=clear, articles=articles,
                log=lambda line: self.stdout.write(line),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
